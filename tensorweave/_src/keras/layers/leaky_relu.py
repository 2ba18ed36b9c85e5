"""`tf.keras.layers.LeakyReLU`: `x` for `x >= 0`, `alpha * x` below (alpha defaults to 0.3).

>>> import tensorweave as tf
>>> tf.keras.layers.LeakyReLU().get_config()["alpha"]
0.30000001192092896
"""

from __future__ import annotations

from tensorweave._src.api_export import tf_export
from tensorweave._src.keras.engine.base_layer import Layer
from tensorweave._src.keras.layers import _utils


@tf_export("keras.layers.LeakyReLU")
class LeakyReLU(Layer):
    def __init__(self, alpha=0.3, **kwargs):
        super().__init__(**kwargs)
        if alpha is None:
            raise ValueError(
                f"The alpha value of a Leaky ReLU layer cannot be None, Expecting a float. Received: {alpha}"
            )
        self.supports_masking = True
        self.alpha = _utils.cast_to_floatx(alpha)

    def call(self, inputs):
        return _utils.relu(inputs, alpha=self.alpha)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        config = super().get_config()
        config["alpha"] = float(self.alpha)
        return config
