"""Calling a layer on KerasTensors (functional model construction) and shape inference by tracing.

The layer's `call` runs under a scratch graph tracer on placeholders shaped like the KerasTensors, so
the output shapes and dtypes come from the ops' own shape rules, as Keras does with a FuncGraph.
"""

from __future__ import annotations

from tensorweave._src.core import dtypes as _dt
from tensorweave._src.core.context import state
from tensorweave._src.core.name_scope import name_scope
from tensorweave._src.core.shape import TensorShape
from tensorweave._src.core.tensor import Tensor
from tensorweave._src.graph.ir import Graph
from tensorweave._src.graph.tracer import Tracer
from tensorweave._src.keras import backend
from tensorweave._src.keras.engine.keras_tensor import KerasHistory, KerasTensor
from tensorweave._src.keras.utils.traceback_utils import call_with_argument_info
from tensorweave._src.util import nest


class _ScratchTracer(Tracer):
    def variable_created(self, variable) -> None:
        pass


def _trace_call(layer, args: tuple, kwargs: dict, training=None):
    """Runs `layer.call` on placeholders for every KerasTensor/TensorSpec leaf; returns symbolic outputs."""
    tracer = _ScratchTracer(Graph(layer.name))
    mapping = {}

    def to_placeholder(x):
        if isinstance(x, KerasTensor) or (hasattr(x, "shape") and hasattr(x, "dtype") and
                                          not isinstance(x, Tensor) and hasattr(x, "is_compatible_with")):
            p = tracer.placeholder(x.dtype, x.shape, name="input")
            mask = getattr(x, "_keras_mask", None)
            if isinstance(mask, KerasTensor):
                p._keras_mask = tracer.placeholder(mask.dtype, mask.shape, name="mask")
            mapping[id(x)] = p
            return p
        return x

    sym_args = nest.map_structure(to_placeholder, list(args))
    sym_kwargs = nest.map_structure(to_placeholder, dict(kwargs))
    saved = (state.tracer, state.name_scope)
    state.tracer = tracer
    backend.call_context.training_stack.append(training)
    try:
        with name_scope(layer.name):
            outputs = call_with_argument_info(layer._traced_call(), layer._display_name('"'),
                                              tuple(sym_args), sym_kwargs)
        inputs = sym_args[0] if sym_args else None
        mask = sym_kwargs.get("mask")
        out_mask = None
        if layer.supports_masking or type(layer).compute_mask is not _base_compute_mask():
            if mask is None:
                mask = _mask_of(inputs)
            out_mask = layer.compute_mask(inputs, mask)
    finally:
        backend.call_context.training_stack.pop()
        state.tracer, state.name_scope = saved
    return outputs, out_mask


def _base_compute_mask():
    from tensorweave._src.keras.engine.base_layer import Layer  # the base layer imports this module

    return Layer.compute_mask


def _mask_of(inputs):
    masks = [getattr(x, "_keras_mask", None) for x in nest.flatten(inputs)]
    if all(m is None for m in masks):
        return None
    return masks[0] if len(masks) == 1 else masks


def call_on_keras_tensors(layer, inputs, args: tuple, kwargs: dict):
    """`layer(keras_tensors)`: builds the layer, infers output specs, records a Node; returns KerasTensors."""
    from tensorweave._src.keras.engine.node import Node  # node imports keras_tensor only

    user_kwargs = dict(kwargs)  # what the node records (Keras leaves out the implicit mask)
    if layer._expects_mask_arg and "mask" not in kwargs:
        masks = [getattr(x, "_keras_mask", None) for x in nest.flatten(inputs)]
        if any(m is not None for m in masks):
            kwargs = dict(kwargs, mask=masks[0] if len(masks) == 1 else masks)
    layer._maybe_build(inputs)
    training = kwargs.get("training")
    if not layer._expects_training_arg:
        kwargs = {k: v for k, v in kwargs.items() if k != "training"}
    if not layer._expects_mask_arg:
        kwargs = {k: v for k, v in kwargs.items() if k != "mask"}
    outputs, out_mask = _trace_call(layer, (inputs,) + tuple(args), kwargs, training)
    flat = nest.flatten(outputs)
    node_index = len(layer._inbound_nodes)
    keras_outputs = []
    for i, out in enumerate(flat):
        if not isinstance(out, Tensor):
            keras_outputs.append(out)
            continue
        keras_outputs.append(KerasTensor(out.shape, out.dtype, name=getattr(out, "name", None),
                                         history=KerasHistory(layer, node_index, i),
                                         description=f"created by layer '{layer.name}'"))
    packed = nest.pack_sequence_as(outputs, keras_outputs) if nest.is_nested(outputs) else keras_outputs[0]
    if out_mask is not None:
        for kt, m in zip(keras_outputs, nest.flatten(out_mask) if nest.is_nested(out_mask) else [out_mask]):
            if isinstance(kt, KerasTensor) and isinstance(m, Tensor):
                kt._keras_mask = KerasTensor(m.shape, m.dtype, description="mask")
    Node(layer, (inputs,) + tuple(args), user_kwargs, packed)
    return packed


class _Spec:
    """A stand-in KerasTensor for shape inference from a plain shape."""

    def __init__(self, shape, dtype):
        self.shape = TensorShape(shape)
        self.dtype = dtype

    def is_compatible_with(self, other) -> bool:
        return True


def infer_output_shape(layer, input_shape):
    """`compute_output_shape` by tracing: input shape(s) in, output shape(s) (TensorShape) out."""
    dtype = _dt.as_dtype(layer.dtype)
    specs = _specs_for(input_shape, dtype)
    if not layer.built:
        layer._maybe_build(specs)
    outputs, _ = _trace_call(layer, (specs,), {})
    return nest.map_structure(lambda t: t.shape, outputs)


def infer_output_signature(layer, input_signature):
    specs = nest.map_structure(lambda s: _Spec(s.shape, s.dtype), input_signature)
    if not layer.built:
        layer._maybe_build(specs)
    outputs, _ = _trace_call(layer, (specs,), {})
    from tensorweave._src.function.tensor_spec import TensorSpec

    return nest.map_structure(lambda t: TensorSpec(t.shape, t.dtype), outputs)


def _specs_for(input_shape, dtype):
    if isinstance(input_shape, TensorShape) or (isinstance(input_shape, (list, tuple)) and all(
            d is None or isinstance(d, int) for d in input_shape)):
        return _Spec(input_shape, dtype)
    return [_specs_for(s, dtype) for s in input_shape]
