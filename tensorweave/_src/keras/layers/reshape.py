"""`tf.keras.layers.Reshape`: reshapes each sample to `target_shape` (one entry may be -1).

>>> import tensorweave as tf
>>> tf.keras.layers.Reshape((2, -1))(tf.ones([3, 8])).shape
TensorShape([3, 2, 4])
"""

from __future__ import annotations

import numpy as np

from tensorweave._src.api_export import PublicNamespace, tf_export
from tensorweave._src.core.shape import TensorShape
from tensorweave._src.keras.engine.base_layer import Layer

tf = PublicNamespace()


@tf_export("keras.layers.Reshape")
class Reshape(Layer):
    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        self.target_shape = tuple(target_shape)

    def _fix_unknown_dimension(self, input_shape, output_shape):
        output_shape = list(output_shape)
        msg = (
            f"total size of new array must be unchanged, input_shape = {input_shape}, "
            f"output_shape = {output_shape}"
        )
        known, unknown = 1, None
        for index, dim in enumerate(output_shape):
            if dim < 0:
                if unknown is None:
                    unknown = index
                else:
                    raise ValueError(
                        f"There must be at most one unknown dimension in output_shape. "
                        f"Received: "
                        f"output_shape={output_shape}."
                    )
            else:
                known *= dim
        original = int(np.prod(input_shape, dtype=int))
        if unknown is not None:
            if known == 0 or original % known != 0:
                raise ValueError(msg)
            output_shape[unknown] = original // known
        elif original != known:
            raise ValueError(msg)
        return output_shape

    def compute_output_shape(self, input_shape):
        input_shape = TensorShape(input_shape).as_list()
        output_shape = [input_shape[0]]
        if None in input_shape[1:]:
            output_shape += [s if s != -1 else None for s in self.target_shape]
        else:
            output_shape += self._fix_unknown_dimension(input_shape[1:], self.target_shape)
        return TensorShape(output_shape)

    def call(self, inputs):
        if tf.executing_eagerly():  # a tuple, as Keras (TF's reshape words its errors as for a list)
            return tf.reshape(inputs, (tf.shape(inputs)[0],) + self.target_shape)
        batch = tf.shape(inputs)[0:1]
        result = tf.reshape(
            inputs, tf.concat([batch, tf.constant(list(self.target_shape), dtype=tf.int32)], 0)
        )
        return tf.ensure_shape(result, self.compute_output_shape(inputs.shape))

    def get_config(self) -> dict:
        config = super().get_config()
        config["target_shape"] = self.target_shape
        return config
