"""`tf.keras.activations`: functions by name (`'relu'`), with `get`, `serialize`, `deserialize`.

>>> import tensorweave as tf
>>> print(tf.keras.activations.get("relu")(tf.constant([-1.0, 2.0])))
tf.Tensor([0. 2.], shape=(2,), dtype=float32)
"""

from __future__ import annotations

from tensorweave._src.api_export import PublicNamespace, export, tf_export

tf = PublicNamespace()


def relu(x, alpha=0.0, max_value=None, threshold=0.0):
    """max(x, 0) by default; `alpha` slope below `threshold`, `max_value` cap."""
    if alpha == 0.0 and max_value is None and threshold == 0.0:
        return tf.nn.relu(x)
    dtype = x.dtype
    negative = tf.nn.relu(-x + threshold) if alpha != 0.0 else None
    if threshold != 0.0:
        x = x * tf.cast(tf.greater(x, threshold), dtype)
    else:
        x = tf.nn.relu(x)
    if max_value is not None:
        x = tf.clip_by_value(x, tf.constant(0.0, dtype=dtype), tf.constant(max_value, dtype=dtype))
    if negative is not None:
        x = x - alpha * negative
    return x


def sigmoid(x):
    return tf.sigmoid(x)


def tanh(x):
    return tf.tanh(x)


def linear(x):
    return x


def softmax(x, axis=-1):
    if x.shape.rank is not None and x.shape.rank <= 1:
        raise ValueError(f"Cannot apply softmax to a tensor that is 1D. Received input: {x}")
    return tf.nn.softmax(x, axis=axis)


def log_softmax(x, axis=-1):
    return tf.nn.log_softmax(x, axis=axis)


def elu(x, alpha=1.0):
    return tf.nn.elu(x) if alpha == 1.0 else tf.where(x > 0, x, alpha * (tf.exp(x) - 1.0))


def selu(x):
    return tf.nn.selu(x)


def softplus(x):
    return tf.math.softplus(x)


def softsign(x):
    return tf.nn.softsign(x)


def swish(x):
    return x * tf.sigmoid(x)


def gelu(x, approximate=False):
    return tf.nn.gelu(x, approximate=approximate)


def exponential(x):
    return tf.exp(x)


def hard_sigmoid(x):
    return tf.clip_by_value(0.2 * x + 0.5, 0.0, 1.0)


def relu6(x):
    return tf.nn.relu6(x)


def mish(x):
    return x * tf.tanh(tf.math.softplus(x))


_FUNCTIONS = {f.__name__: f for f in (relu, sigmoid, tanh, linear, softmax, log_softmax, elu, selu, softplus,
                                       softsign, swish, gelu, exponential, hard_sigmoid, relu6, mish)}
_FUNCTIONS["silu"] = swish


def serialize(activation, use_legacy_format=False) -> str:
    for name, fn in _FUNCTIONS.items():
        if fn is activation:
            return name
    name = getattr(activation, "__name__", None)
    if name in _FUNCTIONS:  # tf.nn.relu and friends serialize by name too
        return name
    if hasattr(activation, "get_config"):
        return {"class_name": type(activation).__name__, "config": activation.get_config()}
    raise ValueError(f"Unknown activation function '{activation}'")


def deserialize(name, custom_objects=None, use_legacy_format=False):
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    if name not in _FUNCTIONS:
        raise ValueError(f"Unknown activation function '{name}' cannot be deserialized.")
    return _FUNCTIONS[name]


def get(identifier):
    """An activation function from None (linear), a name, or a callable."""
    if identifier is None:
        return linear
    if isinstance(identifier, str):
        if identifier not in _FUNCTIONS:
            raise ValueError(f"Unknown activation function '{identifier}' cannot be deserialized.")
        return _FUNCTIONS[identifier]
    if isinstance(identifier, dict):
        return deserialize(identifier["class_name"])
    if callable(identifier):
        return identifier
    raise TypeError(f"Could not interpret activation function identifier: {identifier}")


for _name, _fn in _FUNCTIONS.items():
    if _name not in ("log_softmax", "relu6", "silu"):  # usable by name, but not public in tf_keras 2.21
        export("keras.activations." + _name, _fn)
tf_export("keras.activations.get")(get)
tf_export("keras.activations.serialize")(serialize)
tf_export("keras.activations.deserialize")(deserialize)
