"""TFOpLambda: what functional construction records when a TF operation is applied to a KerasTensor
(`x + 1`, `x * 2`, `x[:, 0]`, `-x`, ...), named `tf.<symbol>` as Keras 2 names them
(`tf.__operators__.add`, `tf.math.multiply`, `tf.__operators__.getitem`).

>>> import tensorweave as tf
>>> x = tf.keras.Input((3,))
>>> y = x * 2 + 1
>>> y._keras_history.layer.name, type(y._keras_history.layer).__name__
('tf.__operators__.add', 'TFOpLambda')
"""

from __future__ import annotations

from tensorweave._src.api_export import EXPORTS
from tensorweave._src.core import operators
from tensorweave._src.keras import backend
from tensorweave._src.keras.engine.base_layer import Layer

# operator symbol (as Keras 2 names the layer) -> the tensor operator behind it
_OPERATOR_SYMBOLS = {"__operators__.add": "add", "__operators__.getitem": "getitem"}


def _resolve(symbol: str):
    if symbol in _OPERATOR_SYMBOLS:
        return operators.IMPLS[_OPERATOR_SYMBOLS[symbol]]
    fn = EXPORTS.get(symbol)
    if fn is None:
        raise ValueError(f"Unknown TF symbol for TFOpLambda: 'tf.{symbol}'.")
    return fn


class TFOpLambda(Layer):
    """Wraps one TF API symbol as a layer of a functional model."""

    def __init__(self, function, **kwargs):
        if callable(function):
            raise ValueError("TFOpLambda takes the TF symbol name of its function (e.g. 'math.add').")
        self.symbol = function
        kwargs.setdefault("name", backend.unique_object_name("tf." + function))
        super().__init__(**kwargs)
        self._function = _resolve(function)
        self._preserve_input_structure_in_config = True

    def call(self, inputs, *args, **kwargs):
        if kwargs.pop("reverse_operands", False):  # `other - x`: the KerasTensor is the right operand
            (other,) = kwargs.values()
            return self._function(other, inputs)
        return self._function(inputs, *args, **kwargs)

    def get_config(self) -> dict:
        return {"name": self.name, "trainable": self.trainable, "dtype": self.dtype, "function": self.symbol}

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        return cls(**config)


class SlicingOpLambda(TFOpLambda):
    """`x[...]` on a KerasTensor (its `slice_spec` kwarg; slices as Keras serializes them)."""

    def call(self, inputs, *args, **kwargs):
        key = kwargs.pop("slice_spec", args[0] if args else None)
        return self._function(inputs, _decode_slices(key))


def _decode_slices(key):
    if isinstance(key, dict) and key.get("class_name") == "__slice__":
        c = key["config"]
        return slice(c["start"], c["stop"], c["step"])
    if isinstance(key, dict) and key.get("class_name") == "__ellipsis__":
        return Ellipsis
    if isinstance(key, list):
        return tuple(_decode_slices(k) for k in key)
    if isinstance(key, tuple):
        return tuple(_decode_slices(k) for k in key)
    return key


def apply_op(symbol: str, x, *args, reverse: bool = False, **kwargs):
    """`tf.<symbol>(x, *args, **kwargs)` in functional construction: a new TFOpLambda called on `x`."""
    if symbol == "__operators__.getitem":
        return SlicingOpLambda(symbol)(x, slice_spec=args[0])
    layer = TFOpLambda(symbol)
    if args:
        kwargs[_second_arg_name(layer._function)] = args[0]
    if reverse:
        kwargs["reverse_operands"] = True
    else:
        kwargs["name"] = None
    return layer(x, **kwargs)


def _second_arg_name(fn) -> str:
    import inspect

    try:
        params = [p for p in inspect.signature(fn).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        return "y"
    return params[1].name if len(params) > 1 else "y"
