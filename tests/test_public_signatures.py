"""Every public function tensorweave exports takes TF 2.21's parameters: same names, order and kinds, and
the same simple defaults (None/bool/int/float/str, tuples and lists of those, dtypes), so calls with
keyword arguments (`tf.nn.relu(features=x)`, `tf.math.atan2(y=a, x=b)`) behave as in TF. Classes are
compared by their constructor's signature and by their public methods that TF's class has too
(`Dataset.map(map_func=...)`, `Model.fit(x=..., epochs=...)`).

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

# public name (or "Class.method") -> why its signature deliberately differs from TF's (keep short)
KNOWN_DIFFERENCES: dict = {
    "DType": "dtypes are the singletons tf.float32, ... (tf.as_dtype); TF's DType(type_enum) is not offered",
    "dtypes.DType": "as DType",
    "RaggedTensor": "TF's constructor is private (internal=True, a RowPartition); ours takes row_splits",
    "data.Dataset": "abstract base built by the factory methods; TF's takes a variant tensor",
    "keras.Sequential.compute_mask": "Layer's (mask=None); TF's Functional.compute_mask(inputs, mask) reruns "
                                     "the graph, which __call__'s mask propagation would then do on every call",
}


def _params(sig, drop_first=False):
    params = [(p.name, _KINDS[p.kind], p.default) for p in sig.parameters.values()]
    if drop_first and params and params[0][1] in ("p", "pk"):
        params = params[1:]
    return params


def _method_params(cls, name):
    """Our method's parameters (self / cls dropped), or None for properties and other attributes."""
    raw = inspect.getattr_static(cls, name)
    if isinstance(raw, staticmethod):
        return _params(inspect.signature(raw.__func__))
    if isinstance(raw, classmethod):
        return _params(inspect.signature(raw.__func__), drop_first=True)
    if inspect.isfunction(raw):
        return _params(inspect.signature(raw), drop_first=True)
    return None


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
        if getattr(ours, "name", None) != expected["dtype"]:
            return f"default {ours!r}, TF's is tf.{expected['dtype']}"
        return None
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


def _compare(ours, theirs):
    """How parameter list `ours` [(name, kind, default)] differs from the fixture's `theirs`, or None."""
    names, tf_names = [p[0] for p in ours], [p[0] for p in theirs]
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


def _entry(name):
    entry = _TF_SIGNATURES[name]
    return _TF_SIGNATURES[entry["same_as"]] if "same_as" in entry else entry


def _tf_method(entry, method):
    """TF's parameters for `method` of the class recorded as `entry` (looked up along its public bases)."""
    for e in [entry] + [_entry(b) for b in entry.get("bases", ())]:
        if method in e.get("methods", {}):
            return e["methods"][method]
    return None


def signature_mismatch(name):
    """How the public function or class constructor `name` differs from TF's, or None when it matches."""
    entry = _entry(name)
    obj = public(EXPORTS[name])
    theirs = entry["params"]
    if theirs is None or (entry.get("class") and [p[1] for p in theirs] == ["*", "**"]):
        return None  # no inspectable constructor in TF, or one taking (*args, **kwargs): nothing to compare
    try:
        ours = _params(inspect.signature(obj))
    except (TypeError, ValueError):
        return "no inspectable signature"
    return _compare(ours, theirs)


def method_mismatches(name):
    """{"name.method": why} for the public methods of class `name` that TF's class has too."""
    entry, cls = _entry(name), EXPORTS[name]
    out = {}
    for method in dir(cls):
        if method.startswith("_"):
            continue
        theirs = _tf_method(entry, method)
        if theirs is None or [p[1] for p in theirs] == ["*", "**"]:
            continue
        try:
            ours = _method_params(cls, method)
        except (TypeError, ValueError):
            ours = None
        if ours is None:
            continue
        why = _compare(ours, theirs)
        if why:
            out[f"{name}.{method}"] = why
    return out


def _checked_names():
    return sorted(n for n in EXPORTS if n in _TF_SIGNATURES and callable(EXPORTS[n]))


def _classes():
    return [n for n in _checked_names() if inspect.isclass(EXPORTS[n]) and _entry(n).get("class")]


def all_mismatches():
    """{name: why}; a method that differs is listed once, under the first class that has it."""
    out = {}
    for name in _checked_names():
        why = signature_mismatch(name)
        if why:
            out[name] = why
    seen = set()
    for name in _classes():
        cls = EXPORTS[name]
        for key, why in method_mismatches(name).items():
            method = key.rpartition(".")[2]
            owner = next(c for c in cls.__mro__ if method in c.__dict__)
            if (owner, method) not in seen:
                seen.add((owner, method))
                out[key] = why
    return out


def test_signatures_match_tf():
    mismatches = {n: why for n, why in all_mismatches().items() if n not in KNOWN_DIFFERENCES}
    assert not mismatches, "signatures differing from TF 2.21:\n" + "\n".join(
        f"  {n}: {why}" for n, why in sorted(mismatches.items()))


def test_known_differences_are_still_different():
    found = all_mismatches()
    stale = [n for n in KNOWN_DIFFERENCES if n not in found]
    assert not stale, f"KNOWN_DIFFERENCES entries that now match TF (remove them): {stale}"


@pytest.mark.parametrize("call, expected", [
    ("tf.nn.relu(features=tf.constant([-1.0, 2.0]))", [0.0, 2.0]),
    ("tf.math.softplus(features=tf.constant([0.0]))", [0.6931472]),
    ("tf.math.atan2(y=tf.constant([1.0]), x=tf.constant([0.0]))", [1.5707964]),
    ("tf.math.atan2(tf.constant([1.0]), tf.constant([0.0]))", [1.5707964]),
    ("tf.math.atan2(tf.constant([0.0]), tf.constant([-1.0]))", [3.1415927]),
    ("tf.reduce_sum(input_tensor=tf.ones([2, 3]), axis=1, keepdims=True)", [[3.0], [3.0]]),
    ("tf.strings.length(tf.constant(['héllo']), 'UTF8_CHAR')", [5]),
])
def test_keyword_calls(call, expected):
    import numpy as np

    import tensorweave as tf

    np.testing.assert_allclose(eval(call, {"tf": tf}).numpy(), expected, rtol=1e-6)  # noqa: S307


if __name__ == "__main__":
    found = all_mismatches()
    for n, why in sorted(found.items()):
        print(f"{n}: {why}{'  [known]' if n in KNOWN_DIFFERENCES else ''}")
    methods = sum(1 for c in _classes() for m in dir(EXPORTS[c])
                  if not m.startswith("_") and _tf_method(_entry(c), m) is not None)
    print(f"{len(_checked_names())} functions and classes, {methods} methods checked; {len(found)} differ")
