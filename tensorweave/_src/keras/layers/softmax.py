"""`tf.keras.layers.Softmax`: softmax over `axis` (an int or a list of axes), honouring a mask.

>>> import tensorweave as tf
>>> tf.keras.layers.Softmax()(tf.zeros([1, 4])).numpy().tolist()
[[0.25, 0.25, 0.25, 0.25]]
"""

from __future__ import annotations

from tensorweave._src.api_export import PublicNamespace, tf_export
from tensorweave._src.keras.engine.base_layer import Layer

tf = PublicNamespace()


def _large_compatible_negative(dtype):
    """-1e9, or the dtype's lowest value for float16 (which cannot hold -1e9)."""
    if dtype == tf.float16:
        return tf.float16.min
    return -1e9


@tf_export("keras.layers.Softmax")
class Softmax(Layer):
    def __init__(self, axis=-1, robust_masking=False, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.robust_masking = robust_masking
        self.axis = axis

    def call(self, inputs, mask=None):
        if mask is not None:
            if self.robust_masking:
                if mask.dtype != tf.bool:
                    mask = tf.greater(mask, tf.constant(0.5, dtype=mask.dtype))
                inputs = tf.where(
                    mask, inputs, tf.cast(_large_compatible_negative(inputs.dtype), inputs.dtype)
                )
            else:
                adder = (1.0 - tf.cast(mask, inputs.dtype)) * _large_compatible_negative(inputs.dtype)
                inputs = inputs + adder
        if isinstance(self.axis, (tuple, list)):
            if len(self.axis) > 1:
                return tf.exp(inputs - tf.reduce_logsumexp(inputs, axis=self.axis, keepdims=True))
            return tf.nn.softmax(inputs, axis=self.axis[0])
        return tf.nn.softmax(inputs, axis=self.axis)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        config = super().get_config()
        config["axis"] = self.axis
        if self.robust_masking:
            config["robust_masking"] = True
        return config
