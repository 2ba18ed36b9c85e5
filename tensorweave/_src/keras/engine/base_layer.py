"""`tf.keras.layers.Layer`: the Keras 2 layer base (naming, weights, build-on-first-call, training
propagation, masks, losses, config), written on public tensorweave ops.

>>> import tensorweave as tf
>>> class Scale(tf.keras.layers.Layer):
...     def build(self, input_shape):
...         self.w = self.add_weight(name="w", shape=(input_shape[-1],), initializer="ones")
...     def call(self, x):
...         return x * self.w
>>> layer = Scale()
>>> print(layer(tf.ones([2, 3])).shape, layer.weights[0].name)
(2, 3) scale/w:0
"""

from __future__ import annotations

import inspect
import types
from typing import Any

import numpy as np

from tensorweave._src.api_export import PublicNamespace, tf_export
from tensorweave._src.core import dtypes as _dt
from tensorweave._src.core.context import state
from tensorweave._src.core.name_scope import name_scope
from tensorweave._src.core.shape import TensorShape
from tensorweave._src.core.tensor import Tensor
from tensorweave._src.core.variable import Variable
from tensorweave._src.keras import backend
from tensorweave._src.keras.engine import functional_call
from tensorweave._src.keras.engine.input_spec import assert_input_compatibility
from tensorweave._src.keras.engine.keras_tensor import KerasTensor
from tensorweave._src.keras.utils.traceback_utils import call_with_argument_info
from tensorweave._src.module.module import Module, camel_to_snake
from tensorweave._src.util import nest

tf = PublicNamespace()

_LAYER_KWARGS = {"input_dim", "input_shape", "batch_input_shape", "batch_size", "weights",
                 "activity_regularizer", "autocast", "implementation", "dynamic"}

_NOT_SERIALIZABLE = """
Layer {} was created by passing
non-serializable argument values in `__init__()`,
and therefore the layer must override `get_config()` in
order to be serializable. Please implement `get_config()`.

Example:

class CustomLayer(keras.layers.Layer):
    def __init__(self, arg1, arg2, **kwargs):
        super().__init__(**kwargs)
        self.arg1 = arg1
        self.arg2 = arg2

    def get_config(self):
        config = super().get_config()
        config.update({{
            "arg1": self.arg1,
            "arg2": self.arg2,
        }})
        return config"""  # Keras 2's message, layout included


@tf_export("keras.layers.Layer")
class Layer(Module):
    """The base class of Keras layers."""

    def __new__(cls, *args, **kwargs):
        obj = super().__new__(cls)
        object.__setattr__(obj, "_init_call", (args, kwargs))  # for the automatic get_config
        return obj

    def __init__(self, trainable: bool = True, name: str | None = None, dtype=None, dynamic: bool = False,
                 **kwargs):
        for key in kwargs:
            if key not in _LAYER_KWARGS:
                raise TypeError(f"('Keyword argument not understood:', '{key}')")
        object.__setattr__(self, "_self_setattr_tracking", False)
        self._name = name or backend.unique_object_name(camel_to_snake(type(self).__name__))
        self._trainable = trainable
        self._dtype = _dt.as_dtype(getattr(dtype, "name", dtype)).name if dtype is not None else None
        self._dynamic = dynamic
        self.built = False
        self._trainable_weights: list = []
        self._non_trainable_weights: list = []
        self._losses: list = []
        self._callable_losses: list = []
        self._metrics: list = []
        self._input_spec = None
        self.supports_masking = False
        self._inbound_nodes: list = []
        self._outbound_nodes: list = []
        self._build_input_shape = None
        self._initial_weights = kwargs.get("weights")
        self._activity_regularizer = None
        if kwargs.get("activity_regularizer") is not None:
            from tensorweave._src.keras import regularizers
            self._activity_regularizer = regularizers.get(kwargs["activity_regularizer"])
        self._batch_input_shape = _batch_input_shape(kwargs)
        params = inspect.signature(self.call).parameters
        self._expects_training_arg = "training" in params or _has_var_kwargs(params)
        self._expects_mask_arg = "mask" in params or _has_var_kwargs(params)
        self._call_arg_names = [p for p in params if params[p].kind in (
            inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)]
        object.__setattr__(self, "_self_setattr_tracking", True)

    # ---- attribute tracking -------------------------------------------------------------------------
    def __setattr__(self, name: str, value: Any) -> None:
        if getattr(self, "_self_setattr_tracking", False) and isinstance(value, Variable):
            if not any(value is w for w in self._trainable_weights + self._non_trainable_weights):
                (self._trainable_weights if value.trainable else self._non_trainable_weights).append(value)
        object.__setattr__(self, name, value)

    def _flatten_layers(self, include_self: bool = False, recursive: bool = True) -> list:
        """Sub-layers in attribute-assignment order (lists/dicts of layers included), each once."""
        seen = {id(self)}
        out = [self] if include_self else []

        def visit(obj):
            for value in _attribute_values(obj):
                for layer in _layers_in(value):
                    if id(layer) in seen:
                        continue
                    seen.add(id(layer))
                    out.append(layer)
                    if recursive:
                        visit(layer)

        visit(self)
        return out

    # ---- properties ---------------------------------------------------------------------------------
    name = property(lambda self: self._name)
    dtype = property(lambda self: self._dtype or backend.floatx())
    compute_dtype = property(lambda self: self._dtype or backend.floatx())
    variable_dtype = property(lambda self: self._dtype or backend.floatx())
    dynamic = property(lambda self: self._dynamic)

    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        for layer in self._flatten_layers(include_self=True):
            layer._trainable = bool(value)

    @property
    def input_spec(self):
        return self._input_spec

    @input_spec.setter
    def input_spec(self, value) -> None:
        self._input_spec = value

    @property
    def activity_regularizer(self):
        return self._activity_regularizer

    @activity_regularizer.setter
    def activity_regularizer(self, value) -> None:
        self._activity_regularizer = value

    @property
    def trainable_weights(self) -> list:
        if not self._trainable:
            return []
        out = list(self._trainable_weights)
        for layer in self._flatten_layers(recursive=False):
            out += layer.trainable_weights
        return _dedup(out)

    @property
    def non_trainable_weights(self) -> list:
        if self._trainable:
            out = list(self._non_trainable_weights)
            for layer in self._flatten_layers(recursive=False):
                out += layer.non_trainable_weights
        else:
            out = list(self._trainable_weights) + list(self._non_trainable_weights)
            for layer in self._flatten_layers(recursive=False):
                out += layer.weights
        return _dedup(out)

    @property
    def weights(self) -> list:
        return self.trainable_weights + self.non_trainable_weights

    variables = property(lambda self: self.weights)
    trainable_variables = property(lambda self: self.trainable_weights)
    non_trainable_variables = property(lambda self: self.non_trainable_weights)

    @property
    def submodules(self) -> tuple:
        """Every nested layer, breadth first (tf.Module's order)."""
        out, seen, level = [], {id(self)}, [self]
        while level:
            following = []
            for layer in level:
                for sub in layer._flatten_layers(recursive=False):
                    if id(sub) not in seen:
                        seen.add(id(sub))
                        out.append(sub)
                        following.append(sub)
            level = following
        return tuple(out)

    @property
    def layers(self) -> list:
        return self._flatten_layers(recursive=False)

    @property
    def losses(self) -> list:
        out = []
        for layer in self._flatten_layers(include_self=True):
            out += layer._losses
            out += [fn() for fn in layer._callable_losses]
        return out

    @property
    def metrics(self) -> list:
        return list(self._metrics)

    # ---- weights ------------------------------------------------------------------------------------
    def add_weight(self, name: str | None = None, shape=None, dtype=None, initializer=None, regularizer=None,
                   trainable=None, constraint=None, use_resource=None, synchronization=None,
                   aggregation=None, **kwargs) -> Variable:
        """Creates a variable of this layer (named `<layer scope>/<name>:0`) and tracks it."""
        from tensorweave._src.keras import constraints, initializers, regularizers

        shape = () if shape is None else tuple(shape)
        dtype = _dt.as_dtype(dtype or self.dtype)
        if initializer is None:
            initializer = "glorot_uniform" if dtype.is_floating else "zeros"
        init = initializers.get(initializer)
        trainable = True if trainable is None else trainable
        variable = Variable(lambda: init(shape, dtype=dtype), name=name or "Variable", trainable=trainable,
                            dtype=dtype, constraint=constraints.get(constraint))
        object.__setattr__(self, "_self_setattr_tracking", False)
        (self._trainable_weights if trainable else self._non_trainable_weights).append(variable)
        object.__setattr__(self, "_self_setattr_tracking", True)
        regularizer = regularizers.get(regularizer)
        if regularizer is not None:
            self._callable_losses.append(lambda: regularizer(variable))
        return variable

    def get_weights(self) -> list:
        return [w.numpy() for w in self.weights]

    def set_weights(self, weights) -> None:
        params = self.weights
        if len(params) != len(weights):
            raise ValueError(f'You called `set_weights(weights)` on layer "{self.name}" with a weight list of '
                             f"length {len(weights)}, but the layer was expecting {len(params)} weights. "
                             f"Provided weights: {str(weights)[:50]}...")
        for p, w in zip(params, weights):
            w = np.asarray(w)
            if not TensorShape(w.shape).is_compatible_with(p.shape):
                raise ValueError(f"Layer {self.name} weight shape {tuple(p.shape.as_list())} is not compatible "
                                 f"with provided weight shape {w.shape}.")
        for p, w in zip(params, weights):
            p.assign(np.asarray(w).astype(p.dtype.as_numpy_dtype))

    def count_params(self) -> int:
        if not self.built:
            raise ValueError(f"You tried to call `count_params` on layer {self.name}, but the layer isn't "
                             f"built. You can build it manually via: `{self.name}.build(batch_input_shape)`.")
        return int(sum(np.prod(w.shape.as_list(), dtype=np.int64) for w in self.weights))

    # ---- losses -------------------------------------------------------------------------------------
    def add_loss(self, losses, **kwargs) -> None:
        for loss in nest.flatten(losses):
            if callable(loss):
                self._callable_losses.append(loss)
            elif loss is not None:
                self._losses.append(tf.convert_to_tensor(loss))

    def add_metric(self, value, name=None, **kwargs) -> None:
        self._metrics.append((name, value))

    # ---- building and calling ----------------------------------------------------------------------
    def build(self, input_shape) -> None:
        self._build_input_shape = input_shape
        self.built = True

    def call(self, inputs, *args, **kwargs):
        return inputs

    def _maybe_build(self, inputs) -> None:
        if self.built:
            return
        shapes = nest.map_structure(lambda x: TensorShape(x.shape) if hasattr(x, "shape") else None, inputs)
        assert_input_compatibility(self._input_spec, inputs, self.name)
        with name_scope(self._name_scope_name()):
            self._build_on_first_call(_shape_arg(shapes))
        self.built = True
        if self._build_input_shape is None:
            self._build_input_shape = _shape_arg(shapes)
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)
            self._initial_weights = None

    def _build_on_first_call(self, input_shape) -> None:
        self.build(input_shape)

    def _name_scope_name(self) -> str:
        return self._name

    def __call__(self, *args, **kwargs):
        if not args and "inputs" not in kwargs and self._call_arg_names:
            raise ValueError("The first argument to `Layer.call` must always be passed.")
        inputs = args[0] if args else kwargs.pop("inputs")
        args = args[1:]
        if any(isinstance(x, KerasTensor) for x in nest.flatten(inputs)):
            return functional_call.call_on_keras_tensors(self, inputs, args, kwargs)
        inputs = nest.map_structure(_to_tensor, inputs)
        training = self._resolve_training(args, kwargs)
        if not self._expects_training_arg:
            kwargs.pop("training", None)  # Keras drops `training` for layers whose call does not take it
        if not self._expects_mask_arg:
            kwargs.pop("mask", None)
        if self._expects_mask_arg and "mask" not in kwargs:
            mask = _input_mask(inputs)
            if mask is not None:
                kwargs["mask"] = mask
        self._maybe_build(inputs)
        assert_input_compatibility(self._input_spec, inputs, self.name)
        backend.call_context.training_stack.append(training)
        try:
            with name_scope(self._name_scope_name()):
                outputs = call_with_argument_info(self._traced_call(), self._display_name("'"),
                                                  (inputs, *args), kwargs)
        finally:
            backend.call_context.training_stack.pop()
        if self._activity_regularizer is not None:
            for out in nest.flatten(outputs):
                if isinstance(out, Tensor):
                    batch = tf.cast(tf.shape(out)[0], out.dtype)
                    self._losses.append(self._activity_regularizer(out) / batch)
        self._set_output_masks(inputs, outputs, kwargs.get("mask"))
        return outputs

    def _display_name(self, quote: str) -> str:
        """How Keras names this layer in error context (quotes differ between eager and symbolic calls)."""
        return f"layer {quote}{self.name}{quote} (type {type(self).__name__})"

    def _traced_call(self):
        """`call`, AutoGraph-converted while a graph is traced (as Keras does), so Python control flow on
        tensors in user layers works inside tf.function and fit; tensorweave's own layers run as written."""
        if state.tracer is None:
            return self.call
        from tensorweave._src.autograph import conversion  # converts user code only; cached per function

        fn = self.call
        if isinstance(fn, types.MethodType) and isinstance(fn.__func__, types.FunctionType):
            converted = conversion.convert_function(fn.__func__)
            return fn if converted is fn.__func__ else types.MethodType(converted, fn.__self__)
        return fn

    def _resolve_training(self, args, kwargs):
        """Explicit `training=` wins, then the enclosing layer call's; passed on if `call` takes it."""
        if "training" in kwargs:
            training = kwargs["training"]
        elif "training" in self._call_arg_names and len(args) >= self._call_arg_names.index("training"):
            training = args[self._call_arg_names.index("training") - 1]
        else:
            training = None
            if self._expects_training_arg:
                outer = backend.current_training()
                if outer is not None:
                    kwargs["training"] = outer
                    training = outer
                elif "training" not in inspect.signature(self.call).parameters:
                    kwargs["training"] = None  # a `call(**kwargs)` is told explicitly, as Keras does
        if isinstance(training, Tensor) and getattr(training, "const", None) is not None:
            training = bool(training.const)
        return training

    def _set_output_masks(self, inputs, outputs, mask) -> None:
        if not self.supports_masking and type(self).compute_mask is Layer.compute_mask:
            return
        if mask is None:
            mask = _input_mask(inputs)
        out_mask = self.compute_mask(inputs, mask)
        if out_mask is None:
            return
        for out, m in zip(nest.flatten(outputs), nest.flatten(out_mask) if nest.is_nested(out_mask) else
                          [out_mask] * len(nest.flatten(outputs))):
            try:
                out._keras_mask = m
            except AttributeError:
                pass

    def compute_mask(self, inputs, mask=None):
        if not self.supports_masking:
            if mask is not None and any(m is not None for m in nest.flatten(mask)):
                raise TypeError(f"Layer {self.name} does not support masking, but was passed an input_mask: "
                                f"{mask}")
            return None
        return mask

    def compute_output_shape(self, input_shape):
        """The output shape for `input_shape`, found by tracing `call` on placeholders."""
        return functional_call.infer_output_shape(self, input_shape)

    def compute_output_signature(self, input_signature):
        return functional_call.infer_output_signature(self, input_signature)

    # ---- functional-API views -----------------------------------------------------------------------
    def _node_attr(self, attr: str):
        if not self._inbound_nodes:
            raise AttributeError(f"Layer {self.name} is not connected, no input to return.")
        return getattr(self._inbound_nodes[0], attr)

    input = property(lambda self: self._node_attr("input_tensors"))
    output = property(lambda self: self._node_attr("output_tensors"))

    @property
    def input_shape(self):
        if not self._inbound_nodes:
            raise AttributeError(f'The layer "{self.name}" has never been called and thus has no defined '
                                 f"input shape.")
        return nest.map_structure(lambda t: tuple(t.shape.as_list()), self._inbound_nodes[0].input_tensors)

    @property
    def output_shape(self):
        if not self._inbound_nodes:
            raise AttributeError(f'The layer "{self.name}" has never been called and thus has no defined '
                                 f"output shape.")
        return nest.map_structure(lambda t: tuple(t.shape.as_list()), self._inbound_nodes[0].output_tensors)

    # ---- config -------------------------------------------------------------------------------------
    def get_config(self) -> dict:
        config = {"name": self.name, "trainable": self.trainable, "dtype": self.dtype}
        if self._batch_input_shape is not None:
            config["batch_input_shape"] = self._batch_input_shape
        if type(self).get_config is not Layer.get_config or type(self).__init__ is Layer.__init__:
            return config
        return self._auto_config(config)

    def _auto_config(self, base: dict) -> dict:
        """A subclass without get_config: its constructor arguments, when they are plain values."""
        init = type(self).__init__
        sig = inspect.signature(init)
        args, kwargs = getattr(self, "_init_call", ((), {}))
        try:
            bound = sig.bind(self, *args, **kwargs)
        except TypeError:
            bound = None
        auto = {k: v for k, v in (bound.arguments.items() if bound else ()) if k != "self"}
        auto.update(auto.pop("kwargs", {}) if isinstance(auto.get("kwargs"), dict) else {})
        if not all(_plain(v) for v in auto.values()):
            raise NotImplementedError(_NOT_SERIALIZABLE.format(type(self).__name__))
        varkw = [n for n, p in sig.parameters.items() if p.kind is inspect.Parameter.VAR_KEYWORD]
        if varkw != ["kwargs"]:  # Keras 2 keeps name/trainable/dtype only for a `**kwargs` parameter
            base = {k: v for k, v in base.items() if k in sig.parameters}
        base.update(auto)
        return base

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__module__}.{type(self).__name__} object at 0x{id(self):x}>"


def _plain(value) -> bool:
    if value is None or isinstance(value, (bool, int, float, str)):
        return True
    if isinstance(value, (list, tuple)):
        return all(_plain(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    return False


def _attribute_values(obj) -> list:
    skip = ("_trainable_weights", "_non_trainable_weights", "_inbound_nodes", "_outbound_nodes", "_losses",
            "_callable_losses", "_metrics", "_self_setattr_tracking", "_initial_weights", "_init_call")
    return [v for k, v in vars(obj).items() if k not in skip]


def _layers_in(value) -> list:
    if isinstance(value, Layer):
        return [value]
    if isinstance(value, (list, tuple)):
        return [x for v in value for x in _layers_in(v)]
    if isinstance(value, dict):
        return [x for v in value.values() for x in _layers_in(v)]
    return []


def _dedup(variables: list) -> list:
    seen = set()
    out = []
    for v in variables:
        if id(v) not in seen:
            seen.add(id(v))
            out.append(v)
    return out


def _has_var_kwargs(params) -> bool:
    return any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())


def _batch_input_shape(kwargs):
    if "batch_input_shape" in kwargs:
        return tuple(kwargs["batch_input_shape"])
    if "input_shape" in kwargs:
        return (kwargs.get("batch_size"),) + tuple(kwargs["input_shape"])
    if "input_dim" in kwargs and kwargs["input_dim"] is not None:
        return (kwargs.get("batch_size"), kwargs["input_dim"])
    return None


def _to_tensor(x):
    if isinstance(x, (np.ndarray, list, float, int, np.generic)) and not isinstance(x, bool):
        return tf.convert_to_tensor(x, dtype_hint=_dt.float32) if isinstance(x, (list, float)) else \
            tf.convert_to_tensor(x)
    return x


def _input_mask(inputs):
    masks = [getattr(x, "_keras_mask", None) for x in nest.flatten(inputs)]
    if all(m is None for m in masks):
        return None
    return masks[0] if not nest.is_nested(inputs) else nest.pack_sequence_as(inputs, masks)


def _shape_arg(shapes):
    """What `build` receives: a TensorShape for one input, a structure of them otherwise."""
    return shapes

