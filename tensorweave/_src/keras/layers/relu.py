"""`tf.keras.layers.ReLU`: `max(x, 0)` with optional cap, negative slope and threshold.

>>> import tensorweave as tf
>>> print(tf.keras.layers.ReLU(max_value=1.0)(tf.constant([-1.0, 0.5, 2.0])))
tf.Tensor([0.  0.5 1. ], shape=(3,), dtype=float32)
"""

from __future__ import annotations

from tensorweave._src.api_export import tf_export
from tensorweave._src.keras.engine.base_layer import Layer
from tensorweave._src.keras.layers import _utils


@tf_export("keras.layers.ReLU")
class ReLU(Layer):
    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        if max_value is not None and max_value < 0.0:
            raise ValueError(f"max_value of a ReLU layer cannot be a negative value. Received: {max_value}")
        if negative_slope is None or negative_slope < 0.0:
            raise ValueError(
                f"negative_slope of a ReLU layer cannot be a negative value. Received: {negative_slope}"
            )
        if threshold is None or threshold < 0.0:
            raise ValueError(f"threshold of a ReLU layer cannot be a negative value. Received: {threshold}")
        self.supports_masking = True
        self.max_value = None if max_value is None else _utils.cast_to_floatx(max_value)
        self.negative_slope = _utils.cast_to_floatx(negative_slope)
        self.threshold = _utils.cast_to_floatx(threshold)

    def call(self, inputs):
        return _utils.relu(
            inputs, alpha=self.negative_slope, max_value=self.max_value, threshold=self.threshold
        )

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {"max_value": self.max_value, "negative_slope": self.negative_slope, "threshold": self.threshold}
        )
        return config
