"""`tf.keras.layers.Flatten`: `(batch, d1, d2, ...) -> (batch, d1 * d2 * ...)`; with
`data_format='channels_first'` the channels axis moves last first, so the order matches channels_last.

>>> import tensorweave as tf
>>> tf.keras.layers.Flatten()(tf.ones([2, 3, 4])).shape
TensorShape([2, 12])
"""

from __future__ import annotations

import functools
import operator

import numpy as np

from tensorweave._src.api_export import PublicNamespace, tf_export
from tensorweave._src.core.shape import TensorShape
from tensorweave._src.keras.engine.base_layer import Layer
from tensorweave._src.keras.engine.input_spec import InputSpec
from tensorweave._src.keras.layers import _utils

tf = PublicNamespace()


@tf_export("keras.layers.Flatten")
class Flatten(Layer):
    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = _utils.normalize_data_format(data_format)
        self.input_spec = InputSpec(min_ndim=1)
        self._channels_first = self.data_format == "channels_first"

    def call(self, inputs):
        if self._channels_first:
            rank = inputs.shape.rank
            if rank and rank > 1:
                inputs = tf.transpose(inputs, perm=[0] + list(range(2, rank)) + [1])
        input_shape = inputs.shape
        rank = input_shape.rank
        if rank == 1:
            return tf.expand_dims(inputs, axis=1)
        batch_dim = input_shape[0]
        non_batch_dims = input_shape[1:]
        if non_batch_dims.is_fully_defined():
            last_dim = int(functools.reduce(operator.mul, non_batch_dims.as_list(), 1))
            flattened_shape = tf.constant([-1, last_dim])
        elif batch_dim is not None:
            flattened_shape = tf.constant([int(batch_dim), -1])
        else:
            flattened_shape = tf.stack([tf.shape(inputs)[0], tf.constant(-1)])
        return tf.reshape(inputs, flattened_shape)

    def compute_output_shape(self, input_shape):
        input_shape = TensorShape(input_shape).as_list()
        if not input_shape:
            return TensorShape([1])
        output_shape = [input_shape[0]]
        if np.all(input_shape[1:]):
            output_shape += [int(np.prod(input_shape[1:], dtype=int))]
        else:
            output_shape += [None]
        return TensorShape(output_shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config["data_format"] = self.data_format
        return config
