"""Records the call signatures of TF 2.21's public functions into tests/fixtures/tf_signatures.json.

Run under the oracle: `../shared/tools/tf-oracle tools/record_signatures.py`. The test
tests/test_public_signatures.py checks that every function tensorweave exports takes the same parameters
as TF's (names, order, kinds, simple defaults), since users call TF functions with keyword arguments.

For each namespace below, every public function is recorded as `{"ns.name": {"params": [[param, kind,
default], ...]}}` and every class as `{"class": true, "params": <its constructor's, or null>, "methods":
{name: params}, "bases": [public base classes]}`: methods inherited from a public base are recorded with
that base, and an alias of a class recorded under another name is `{"class": true, "same_as": name}`.
kind is one of "p" (positional-only), "pk" (positional or keyword), "*" (var-positional), "k"
(keyword-only), "**" (var-keyword); default is absent for a required parameter, `{"value": v}` for a
JSON-representable simple value (None, bool, int, float, str), `{"value": [...], "seq": "tuple"|"list"}`
for a tuple or list of those, `{"dtype": "float32"}` for a DType and `{"repr": "..."}` otherwise.
`inspect.signature` follows TF's decorators (`__wrapped__`, tf_decorator's `__signature__`), so
deprecation and dispatch wrappers report the signature users see.
Add a namespace here when tensorweave starts exporting into a new one.
"""

import inspect
import json
import os

os.environ["TF_USE_LEGACY_KERAS"] = "1"
import tensorflow as tf  # noqa: E402

NAMESPACES = [
    "", "audio", "autodiff", "autograph", "autograph.experimental", "bitwise", "compat", "compat.v1",
    "compat.v1.nn", "compat.v1.random", "config", "config.experimental", "config.optimizer",
    "config.threading", "data", "data.experimental", "debugging", "dtypes", "errors", "experimental",
    "feature_column", "image", "initializers", "io", "io.gfile", "keras", "keras.activations",
    "keras.backend", "keras.callbacks", "keras.constraints", "keras.datasets.cifar10",
    "keras.datasets.cifar100", "keras.datasets.fashion_mnist", "keras.datasets.mnist", "keras.experimental",
    "keras.initializers", "keras.layers", "keras.losses", "keras.metrics", "keras.mixed_precision",
    "keras.models", "keras.optimizers", "keras.optimizers.experimental", "keras.optimizers.legacy",
    "keras.optimizers.schedules", "keras.preprocessing.sequence", "keras.preprocessing.text",
    "keras.regularizers", "keras.utils", "linalg", "losses", "manip", "math", "metrics", "nest", "nn",
    "optimizers", "optimizers.schedules", "ragged", "random", "random.experimental", "saved_model",
    "signal", "sparse", "strings", "summary", "test", "train", "types.experimental",
]

_KINDS = {
    inspect.Parameter.POSITIONAL_ONLY: "p",
    inspect.Parameter.POSITIONAL_OR_KEYWORD: "pk",
    inspect.Parameter.VAR_POSITIONAL: "*",
    inspect.Parameter.KEYWORD_ONLY: "k",
    inspect.Parameter.VAR_KEYWORD: "**",
}


def _namespace(path):
    obj = tf
    for part in filter(None, path.split(".")):
        obj = getattr(obj, part)
    return obj


def _simple(value):
    return value is None or isinstance(value, (bool, int, str)) or (
        isinstance(value, float) and value == value and abs(value) != float("inf"))


def _default(value):
    if _simple(value):
        return {"value": value}
    if type(value) in (tuple, list) and all(_simple(v) for v in value):
        return {"value": list(value), "seq": type(value).__name__}
    if isinstance(value, tf.dtypes.DType):
        return {"dtype": value.name}
    return {"repr": repr(value)[:200]}


def _params(sig):
    out = []
    for p in sig.parameters.values():
        entry = [p.name, _KINDS[p.kind]]
        if p.default is not p.empty:
            entry.append(_default(p.default))
        out.append(entry)
    return out


def _method_params(cls, name):
    """A public method's parameters (self / cls dropped), or None for properties and other attributes."""
    raw = inspect.getattr_static(cls, name)
    if isinstance(raw, staticmethod):
        fn, drop = raw.__func__, 0
    elif isinstance(raw, classmethod):
        fn, drop = raw.__func__, 1
    elif inspect.isfunction(raw):
        fn, drop = raw, 1
    else:
        return None
    try:
        params = _params(inspect.signature(fn))
    except (TypeError, ValueError):
        return None
    return params[drop:] if params[:1] and params[0][1] in ("p", "pk") else params


def _record_class(cls, canonical):
    """A class's constructor, its public methods not inherited from another public class (those are
    recorded with that class), and its public bases (where the test looks inherited methods up)."""
    try:
        params = _params(inspect.signature(cls))
    except (TypeError, ValueError):  # protobuf messages and other builtin types
        params = None
    bases = [canonical[id(b)] for b in cls.__mro__[1:] if id(b) in canonical]
    methods = {}
    for name in dir(cls):
        if name.startswith("_"):
            continue
        owner = next((c for c in cls.__mro__ if name in c.__dict__), None)
        if owner is None or (owner is not cls and id(owner) in canonical):
            continue
        method = _method_params(cls, name)
        if method is not None:
            methods[name] = method
    return {"class": True, "params": params, "bases": bases, "methods": methods}


def _record(obj):
    if inspect.ismodule(obj) or not callable(obj):
        return None
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return None
    return {"params": _params(sig)}


public = {}  # public name -> object, in namespace order
for ns in NAMESPACES:
    try:
        module = _namespace(ns)
    except AttributeError:
        continue
    for name in sorted(dir(module)):
        if name.startswith("_"):
            continue
        try:
            public[f"{ns}.{name}" if ns else name] = getattr(module, name)
        except Exception:  # noqa: BLE001, S112 - lazily loaded attributes that fail to import
            continue

canonical = {}  # id(class) -> the first public name it has
for key, obj in public.items():
    if inspect.isclass(obj):
        canonical.setdefault(id(obj), key)

out = {}
for key, obj in public.items():
    if inspect.isclass(obj):
        first = canonical[id(obj)]
        entry = _record_class(obj, canonical) if first == key else {"class": True, "same_as": first}
    else:
        entry = _record(obj)
    if entry is not None:
        out[key] = entry

path = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "tf_signatures.json")
with open(path, "w") as f:
    f.write("{\n")
    f.write(",\n".join(f"{json.dumps(k)}: {json.dumps(v, sort_keys=True)}" for k, v in sorted(out.items())))
    f.write("\n}\n")
print(f"{len(out)} signatures -> {path}")
