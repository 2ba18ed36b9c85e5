"""`tf.keras.layers.ELU`: `x` for `x > 0`, `alpha * (exp(x) - 1)` below.

>>> import tensorweave as tf
>>> tf.keras.layers.ELU(alpha=0.5).get_config()["alpha"]
0.5
"""

from __future__ import annotations

from tensorweave._src.api_export import PublicNamespace, tf_export
from tensorweave._src.keras.engine.base_layer import Layer
from tensorweave._src.keras.layers import _utils

tf = PublicNamespace()


@tf_export("keras.layers.ELU")
class ELU(Layer):
    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        if alpha is None:
            raise ValueError(f"Alpha of an ELU layer cannot be None, expecting a float. Received: {alpha}")
        self.supports_masking = True
        self.alpha = _utils.cast_to_floatx(alpha)

    def call(self, inputs):
        res = tf.nn.elu(inputs)
        if float(self.alpha) == 1:
            return res
        return tf.where(inputs > 0, res, tf.cast(self.alpha, res.dtype) * res)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        config = super().get_config()
        config["alpha"] = float(self.alpha)
        return config
