"""`tf.keras.layers.UnitNormalization`: scales each sample to unit L2 norm along `axis`.

>>> import tensorweave as tf
>>> tf.keras.layers.UnitNormalization()(tf.constant([[3.0, 4.0]])).numpy().tolist()
[[0.6000000238418579, 0.800000011920929]]
"""

from __future__ import annotations

from tensorweave._src.api_export import PublicNamespace, tf_export
from tensorweave._src.keras.engine.base_layer import Layer
from tensorweave._src.keras.layers import _utils

tf = PublicNamespace()


@tf_export("keras.layers.UnitNormalization")
class UnitNormalization(Layer):
    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = _utils.axis_argument(
            axis,
            f"Invalid value for `axis` argument: expected an int or a list/tuple of ints. "
            f"Received: axis={axis}",
        )
        self.supports_masking = True

    def build(self, input_shape) -> None:
        _utils.validate_axis(self.axis, input_shape)
        self.built = True

    def call(self, inputs):
        inputs = tf.cast(inputs, self.compute_dtype)
        return tf.linalg.l2_normalize(inputs, axis=self.axis)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        config = super().get_config()
        config["axis"] = self.axis
        return config
