"""Every public name tensorweave exports exists in TF 2.21 under the same path (no invented aliases)."""

import json
import os

from tensorweave._src.api_export import EXPORTS

_TF_NAMES = json.load(open(os.path.join(os.path.dirname(__file__), "fixtures", "tf_namespaces.json")))
# names of ours that TF has but its dir() hides, or that are deliberate additions
_ALLOWED_EXTRA: set = set()


def test_exports_exist_in_tf():
    missing = []
    for dotted in EXPORTS:
        ns, _, leaf = dotted.rpartition(".")
        if ns not in _TF_NAMES or dotted in _ALLOWED_EXTRA:
            continue
        if leaf not in _TF_NAMES[ns]:
            missing.append(dotted)
    assert not missing, f"exported names that TF 2.21 does not have: {sorted(missing)}"


def test_namespaces_are_modules():
    import tensorweave as tf

    assert tf.math.add is tf.add
    assert tf.float32 is tf.dtypes.float32
