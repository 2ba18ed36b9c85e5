"""Every public function tensorweave exports takes TF 2.21's parameters: same names, order and kinds, and
the same simple defaults (None/bool/int/float/str, tuples and lists of those, dtypes), so calls with keyword arguments (`tf.nn.relu(features=x)`,
`tf.math.atan2(y=a, x=b)`) behave as in TF. Classes are compared by their constructor's signature.

The expected signatures are tests/fixtures/tf_signatures.json, recorded by tools/record_signatures.py under
the oracle. Run this file as a script to print every mismatch at once.
"""

import inspect
import json
import os

import pytest

import tensorweave  # noqa: F401 - builds the public namespaces
from tensorweave._src.api_export import EXPORTS, public

_TF_SIGNATURES = json.load(open(os.path.join(os.path.dirname(__file__), "fixtures", "tf_signatures.json")))

_KINDS = {
    inspect.Parameter.POSITIONAL_ONLY: "p",
    inspect.Parameter.POSITIONAL_OR_KEYWORD: "pk",
    inspect.Parameter.VAR_POSITIONAL: "*",
    inspect.Parameter.KEYWORD_ONLY: "k",
    inspect.Parameter.VAR_KEYWORD: "**",
}

# public name -> why its signature deliberately differs from TF's (keep short)
KNOWN_DIFFERENCES: dict = {
    "DType": "dtypes are the singletons tf.float32, ... (tf.as_dtype); TF's DType(type_enum) is not offered",
    "dtypes.DType": "as DType",
    "RaggedTensor": "TF's constructor is private (internal=True, a RowPartition); ours takes row_splits",
    "data.Dataset": "abstract base built by the factory methods; TF's takes a variant tensor",
}


def _ours(obj):
    """Our parameters as [(name, kind, default)], like the fixture (a class: its constructor's)."""
    return [(p.name, _KINDS[p.kind], p.default) for p in inspect.signature(obj).parameters.values()]


def _default_mismatch(expected, ours):
    """Why our default `ours` (inspect.Parameter.empty when required) differs from TF's, or None."""
    empty = inspect.Parameter.empty
    if expected is None:
        return None if ours is empty else f"has default {ours!r}, TF's is required"
    if ours is empty:
        return "is required, TF has a default"
    if "repr" in expected:  # a sentinel or object default: only its presence is compared
        return None
    if "dtype" in expected:
        return None if getattr(ours, "name", None) == expected["dtype"] else f"default {ours!r}, TF's is tf.{expected['dtype']}"
    value = expected["value"]
    if value is None:
        return None if ours is None else f"default {ours!r}, TF's is None"
    if "seq" in expected:  # a tuple where TF has a list (or back) makes no difference to callers
        if not isinstance(ours, (tuple, list)) or list(ours) != value:
            return f"default {ours!r}, TF's is {expected['seq']} {value!r}"
        return None
    if ours is None or type(ours) is not type(value) or ours != value:
        return f"default {ours!r}, TF's is {value!r}"
    return None


def signature_mismatch(name):
    """A description of how `name`'s public signature differs from TF's, or None when it matches."""
    entry = _TF_SIGNATURES[name]
    obj = public(EXPORTS[name])
    try:
        ours = _ours(obj)
    except (TypeError, ValueError):
        return "no inspectable signature"
    theirs = entry["params"]
    names, tf_names = [p[0] for p in ours], [p[0] for p in theirs]
    if entry.get("class") and [p[1] for p in theirs] == ["*", "**"]:
        return None  # TF's constructor takes (*args, **kwargs): nothing to compare
    if names != tf_names:
        return f"parameters ({', '.join(names)}), TF: ({', '.join(tf_names)})"
    problems = []
    for (pname, kind, default), tf_param in zip(ours, theirs):
        tf_kind = tf_param[1]
        if kind != tf_kind and {kind, tf_kind} != {"p", "pk"}:
            problems.append(f"{pname} is {kind}, TF's is {tf_kind}")
        why = _default_mismatch(tf_param[2] if len(tf_param) > 2 else None, default)
        if why:
            problems.append(f"{pname}: {why}")
    return "; ".join(problems) or None


def _checked_names():
    return sorted(n for n in EXPORTS if n in _TF_SIGNATURES and callable(EXPORTS[n]))


def all_mismatches():
    out = {}
    for name in _checked_names():
        why = signature_mismatch(name)
        if why:
            out[name] = why
    return out


def test_signatures_match_tf():
    mismatches = {n: why for n, why in all_mismatches().items() if n not in KNOWN_DIFFERENCES}
    assert not mismatches, "signatures differing from TF 2.21:\n" + "\n".join(
        f"  {n}: {why}" for n, why in sorted(mismatches.items()))


def test_known_differences_are_still_different():
    stale = [n for n in KNOWN_DIFFERENCES if n not in EXPORTS or signature_mismatch(n) is None]
    assert not stale, f"KNOWN_DIFFERENCES entries that now match TF (remove them): {stale}"


@pytest.mark.parametrize("call, expected", [
    ("tf.nn.relu(features=tf.constant([-1.0, 2.0]))", [0.0, 2.0]),
    ("tf.math.softplus(features=tf.constant([0.0]))", [0.6931472]),
    ("tf.math.atan2(y=tf.constant([1.0]), x=tf.constant([0.0]))", [1.5707964]),
    ("tf.math.atan2(tf.constant([1.0]), tf.constant([0.0]))", [1.5707964]),
    ("tf.reduce_sum(input_tensor=tf.ones([2, 3]), axis=1, keepdims=True)", [[3.0], [3.0]]),
])
def test_keyword_calls(call, expected):
    import numpy as np

    import tensorweave as tf

    np.testing.assert_allclose(eval(call, {"tf": tf}).numpy(), expected, rtol=1e-6)  # noqa: S307


if __name__ == "__main__":
    found = all_mismatches()
    for n, why in sorted(found.items()):
        print(f"{n}: {why}{'  [known]' if n in KNOWN_DIFFERENCES else ''}")
    print(f"{len(_checked_names())} checked, {len(found)} differ")
