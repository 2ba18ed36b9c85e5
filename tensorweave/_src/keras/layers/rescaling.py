"""`tf.keras.layers.Rescaling`: `inputs * scale + offset` in the layer's dtype.

>>> import tensorweave as tf
>>> tf.keras.layers.Rescaling(1 / 255)(tf.constant([255])).numpy().tolist()
[1.0]
"""

from __future__ import annotations

from tensorweave._src.api_export import PublicNamespace, tf_export
from tensorweave._src.keras.engine.base_layer import Layer

tf = PublicNamespace()


@tf_export("keras.layers.Rescaling")
class Rescaling(Layer):
    def __init__(self, scale, offset=0.0, **kwargs):
        self.scale = scale
        self.offset = offset
        super().__init__(**kwargs)

    def call(self, inputs):
        dtype = self.compute_dtype
        inputs = tf.convert_to_tensor(inputs)
        scale = tf.cast(self.scale, dtype)
        offset = tf.cast(self.offset, dtype)
        return tf.cast(inputs, dtype) * scale + offset

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"scale": self.scale, "offset": self.offset})
        return config
