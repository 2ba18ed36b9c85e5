"""Records the public names of TF 2.21's namespaces into tests/fixtures/tf_namespaces.json.

Run under the oracle: `../shared/tools/tf-oracle tools/record_namespaces.py`. The test
tests/test_public_api.py checks that every name tensorweave exports exists in TF too.
"""

import json
import os

import tensorflow as tf

NAMESPACES = ["", "math", "nn", "linalg", "random", "strings", "dtypes", "errors", "bitwise", "nest",
              "autodiff", "compat", "manip", "ragged", "sparse", "experimental", "config", "io", "image",
              "data", "train", "keras", "keras.layers", "keras.losses", "keras.metrics", "keras.optimizers",
              "keras.initializers", "keras.activations", "keras.callbacks", "random.experimental",
              "debugging", "signal", "audio", "summary", "saved_model", "feature_column", "autograph",
              "keras.regularizers", "keras.constraints", "keras.models", "keras.utils", "keras.datasets"]


def names(path: str) -> list:
    obj = tf
    for part in filter(None, path.split(".")):
        obj = getattr(obj, part)
    return sorted(n for n in dir(obj) if not n.startswith("_"))


out = {}
for ns in NAMESPACES:
    try:
        out[ns] = names(ns)
    except AttributeError:
        pass
path = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "tf_namespaces.json")
with open(path, "w") as f:
    json.dump(out, f, indent=0, sort_keys=True)
print(f"{len(out)} namespaces -> {path}")
