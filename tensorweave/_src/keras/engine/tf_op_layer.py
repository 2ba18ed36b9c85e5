"""TFOpLambda: what functional construction records when a TF operation is applied to a KerasTensor,
named `tf.<symbol>` as Keras 2 names them: Python operators (`x + 1` -> `tf.__operators__.add`,
`x[:, 0]` -> `tf.__operators__.getitem`) and public functions (`tf.nn.relu(x)` -> `tf.nn.relu`,
`tf.reduce_sum(x, 1)` -> `tf.math.reduce_sum`).

Public functions reach this module through the export layer's dispatch hook: a dispatchable tf.* function
that fails on a KerasTensor offers the call to `dispatch_to_layer` (registered below), as tf_keras's
KerasOpDispatcher does with TF's fallback dispatch.

>>> import tensorweave as tf
>>> x = tf.keras.Input((3,))
>>> y = x * 2 + 1
>>> y._keras_history.layer.name, type(y._keras_history.layer).__name__
('tf.__operators__.add', 'TFOpLambda')
>>> tf.nn.relu(x)._keras_history.layer.name
'tf.nn.relu'
"""

from __future__ import annotations

import inspect

from tensorweave._src.api_export import EXPORTS, register_dispatcher
from tensorweave._src.core import operators
from tensorweave._src.keras import backend
from tensorweave._src.keras.engine import functional_call, tf_op_symbols
from tensorweave._src.keras.engine.base_layer import Layer
from tensorweave._src.keras.engine.keras_tensor import KerasTensor
from tensorweave._src.util import nest

# operator symbol (as Keras 2 names the layer) -> the tensor operator behind it
_OPERATOR_SYMBOLS = {"__operators__.add": "add", "__operators__.getitem": "getitem"}


def _resolve(symbol: str):
    if symbol in _OPERATOR_SYMBOLS:
        return operators.IMPLS[_OPERATOR_SYMBOLS[symbol]]
    fn = tf_op_symbols.V1_FUNCTIONS.get(symbol) or EXPORTS.get(symbol)
    if fn is None:
        raise ValueError(f"TF symbol `{symbol}` could not be found.")
    return fn


class TFOpLambda(Layer):
    """Wraps one TF API symbol as a layer of a functional model."""

    def __init__(self, function, **kwargs):
        if callable(function):
            function = getattr(function, "_tf_api_name", None) or function.__name__
        self.symbol = function
        kwargs.setdefault("name", backend.unique_object_name("tf." + function))
        super().__init__(**kwargs)
        self._function = _resolve(function)
        self._preserve_input_structure_in_config = True
        # the call is the function's: its argument names, no Keras training/mask arguments (as tf_keras);
        # a function's own `mask` argument (boolean_mask) is passed through as Keras passes a mask
        self._call_arg_names = _positional_names(self._function)
        self._expects_training_arg = False
        self._expects_mask_arg = "mask" in self._call_arg_names

    def __call__(self, *args, **kwargs):
        # any argument may carry the KerasTensors (`tf.subtract(2.0, x)`, `tf.einsum('ij->ji', x)`)
        if args and not any(isinstance(t, KerasTensor) for t in nest.flatten(args[0])) and any(
                isinstance(t, KerasTensor) for t in nest.flatten([list(args[1:]), kwargs])):
            return functional_call.call_on_keras_tensors(self, args[0], args[1:], kwargs)
        return super().__call__(*args, **kwargs)

    def call(self, inputs, *args, **kwargs):
        if kwargs.pop("reverse_operands", False):  # `other - x`: the KerasTensor is the right operand
            (other,) = kwargs.values()
            return self._function(other, inputs)
        kwargs.pop("name", None)  # as tf_keras: the op is named by the layer's scope
        return self._function(inputs, *args, **kwargs)

    def get_config(self) -> dict:
        return {"name": self.name, "trainable": self.trainable, "dtype": self.dtype, "function": self.symbol}

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        return cls(**config)


class SlicingOpLambda(TFOpLambda):
    """`x[...]` (its `slice_spec` kwarg; slices as Keras serializes them) and boolean_mask."""

    def call(self, inputs, *args, **kwargs):
        if self.symbol != "__operators__.getitem":
            return super().call(inputs, *args, **kwargs)
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


def _positional_names(fn) -> list:
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return []
    return [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]


def _layer_for(symbol: str) -> TFOpLambda:
    return (SlicingOpLambda if symbol in tf_op_symbols.SLICING else TFOpLambda)(symbol)


# ---- Python operators on KerasTensors -----------------------------------------------------------------
def apply_op(symbol: str, x, *args, reverse: bool = False, **kwargs):
    """`tf.<symbol>(x, *args, **kwargs)` in functional construction: a new TFOpLambda called on `x`."""
    if symbol == "__operators__.getitem":
        return SlicingOpLambda(symbol)(x, slice_spec=args[0])
    layer = TFOpLambda(symbol)
    if args:
        kwargs[layer._call_arg_names[1] if len(layer._call_arg_names) > 1 else "y"] = args[0]
    if reverse:
        kwargs["reverse_operands"] = True
    else:
        kwargs["name"] = None
    return layer(x, **kwargs)


# ---- public tf.* functions on KerasTensors (the dispatch handler) -------------------------------------
def dispatch_to_layer(api_name: str, args: tuple, kwargs: dict):
    """The call `tf.<api_name>(*args, **kwargs)` failed: with KerasTensors among the arguments it becomes
    a TFOpLambda layer, recorded as TF records it; otherwise NotImplemented (the error stands)."""
    if not any(isinstance(t, KerasTensor) for t in nest.flatten([list(args), kwargs])):
        return NotImplemented
    rewrite = tf_op_symbols.REWRITES.get(api_name)
    if rewrite is not None:
        result = rewrite(*args, **kwargs)
        if result is not NotImplemented:
            return result
    if api_name in tf_op_symbols.V1_CALLS:
        symbol, translate = tf_op_symbols.V1_CALLS[api_name]
        first, recorded = translate(*args, **kwargs)
        return _layer_for(symbol)(first, **recorded)
    split = _split_call(EXPORTS[api_name], args, kwargs, api_name in tf_op_symbols.GEN_OPS)
    if split is None:
        return NotImplemented
    first, rest, recorded = split
    return _layer_for(api_name)(first, *rest, **recorded)


def _split_call(fn, args: tuple, kwargs: dict, every_argument: bool):
    """(first argument, other positional arguments, keyword arguments) as the node records them: TF's
    generated ops pass every argument by keyword, the others what the caller passed (positional ones by
    name). None when the arguments do not fit the signature."""
    sig = inspect.signature(fn)
    params = list(sig.parameters.values())
    try:
        bound = sig.bind(*args, **kwargs)
    except TypeError:
        return None
    if any(p.kind is p.VAR_POSITIONAL for p in params) or not params:
        return (args[0], args[1:], dict(kwargs)) if args else None
    first = params[0].name
    if first not in bound.arguments:
        return None
    if every_argument:
        recorded = {p.name: bound.arguments.get(p.name, p.default) for p in params[1:]
                    if p.kind is not p.VAR_KEYWORD}
    else:
        recorded = dict(zip([p.name for p in params[1:]], args[1:]))
        recorded.update((k, v) for k, v in kwargs.items() if k != first)
    return bound.arguments[first], (), recorded


register_dispatcher(dispatch_to_layer)
