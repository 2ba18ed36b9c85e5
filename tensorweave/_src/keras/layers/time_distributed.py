"""`tf.keras.layers.TimeDistributed`: applies a layer to every time step (axis 1). Keras's own layers run
once on the inputs reshaped to [batch * time, ...]; other layers run step by step when the batch size is
known, as tf_keras does.

>>> import tensorweave as tf
>>> tf.keras.layers.TimeDistributed(tf.keras.layers.Dense(4))(tf.ones([2, 3, 5])).shape
TensorShape([2, 3, 4])
"""

from __future__ import annotations

import inspect

from tensorweave._src.api_export import PublicNamespace, tf_export
from tensorweave._src.core.shape import TensorShape
from tensorweave._src.keras.engine.base_layer import Layer
from tensorweave._src.keras.engine.input_spec import InputSpec
from tensorweave._src.keras.layers.base_rnn import rnn
from tensorweave._src.keras.layers.base_wrapper import Wrapper
from tensorweave._src.util import nest

tf = PublicNamespace()


def _has_arg(fn, name) -> bool:
    params = inspect.signature(fn).parameters
    return name in params or any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())


def _shape_tuple(init, tensor, start):
    """`init` + the dims of `tensor` from `start` on, dynamic where unknown."""
    dims = tensor.shape.as_list()[start:]
    if not any(d is None for d in dims):
        out = list(init) + dims
    else:
        shape = tf.shape(tensor)
        out = list(init) + [shape[start + i] if d is None else d for i, d in enumerate(dims)]
    if all(isinstance(d, int) for d in out):
        return out
    return tf.stack(
        [tf.cast(d, tf.int32) if not isinstance(d, int) else tf.constant(d, tf.int32) for d in out]
    )


@tf_export("keras.layers.TimeDistributed")
class TimeDistributed(Wrapper):
    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(
                f"Please initialize `TimeDistributed` layer with a `tf.keras.layers.Layer` instance. "
                f"Received: {layer}"
            )
        super().__init__(layer, **kwargs)
        self.supports_masking = True
        self._always_use_reshape = type(layer).__module__.startswith("tensorweave.") and not getattr(
            layer, "stateful", False
        )

    @staticmethod
    def _remove_timesteps(dims):
        dims = TensorShape(dims).as_list()
        return TensorShape([dims[0]] + dims[2:])

    def build(self, input_shape):
        input_shape = (
            nest.map_structure(TensorShape, input_shape)
            if not isinstance(input_shape, TensorShape)
            else input_shape
        )
        for s in nest.flatten(input_shape) if not isinstance(input_shape, TensorShape) else [input_shape]:
            if s.rank < 3:
                raise ValueError(
                    f"`TimeDistributed` Layer should be passed an `input_shape ` with at least 3 "
                    f"dimensions, received: {input_shape}"
                )
        if isinstance(input_shape, TensorShape):
            self.input_spec = InputSpec(shape=[None, None] + input_shape.as_list()[2:])
            child = self._remove_timesteps(input_shape)
        else:
            self.input_spec = [InputSpec(shape=[None, None] + s.as_list()[2:]) for s in input_shape]
            child = [self._remove_timesteps(s) for s in input_shape]
        super().build(child)

    def compute_output_shape(self, input_shape):
        input_shape = TensorShape(input_shape)
        child_out = self.layer.compute_output_shape(self._remove_timesteps(input_shape))
        timesteps = input_shape[1]
        return (
            nest.map_structure(
                lambda d: TensorShape([TensorShape(d)[0], timesteps] + TensorShape(d).as_list()[1:]),
                child_out,
            )
            if not isinstance(child_out, TensorShape)
            else TensorShape([child_out[0], timesteps] + child_out.as_list()[1:])
        )

    def call(self, inputs, training=None, mask=None):
        kwargs = {}
        if _has_arg(self.layer.call, "training"):
            kwargs["training"] = training
        first = nest.flatten(inputs)[0]
        batch_size = first.shape[0]
        if batch_size and not self._always_use_reshape:

            def step(x, _):
                return self.layer(x, **kwargs), []

            _, outputs, _ = rnn(step, inputs, initial_states=[], mask=mask, unroll=False)
            return outputs
        input_length = first.shape[1]
        if not input_length:
            input_length = tf.shape(first)[1]
        inner = nest.map_structure(
            lambda x: tf.ensure_shape(
                tf.reshape(x, _shape_tuple((-1,), x, 2)), [None] + x.shape.as_list()[2:]
            ),
            inputs,
        )
        if _has_arg(self.layer.call, "mask") and mask is not None:
            kwargs["mask"] = tf.reshape(mask, _shape_tuple((-1,), mask, 2))
        y = self.layer(inner, **kwargs)
        reshape_batch = batch_size if batch_size else -1
        static_length = first.shape[1]
        return nest.map_structure(
            lambda t: tf.ensure_shape(
                tf.reshape(t, _shape_tuple((reshape_batch, input_length), t, 1)),
                [batch_size, static_length] + t.shape.as_list()[1:],
            ),
            y,
        )

    def compute_mask(self, inputs, mask=None):
        first = nest.flatten(inputs)[0]
        batch_size = first.shape[0]
        if batch_size and not self._always_use_reshape:
            return mask
        inner_mask = None if mask is None else tf.reshape(mask, _shape_tuple((-1,), mask, 2))
        inner_inputs = nest.map_structure(lambda x: tf.reshape(x, _shape_tuple((-1,), x, 2)), inputs)
        output_mask = self.layer.compute_mask(inner_inputs, inner_mask)
        if output_mask is None:
            if mask is None:
                return None
            output_mask = mask
            for _ in range(2, mask.shape.rank):
                output_mask = tf.reduce_any(output_mask, axis=-1)
            return output_mask
        input_length = first.shape[1] or tf.shape(first)[1]
        return tf.reshape(
            output_mask, _shape_tuple((batch_size if batch_size else -1, input_length), output_mask, 1)
        )
