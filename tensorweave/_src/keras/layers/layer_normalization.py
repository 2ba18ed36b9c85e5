"""`tf.keras.layers.LayerNormalization`: normalizes each sample over `axis` (its own mean and variance),
then scales by `gamma` and shifts by `beta` (shaped like the normalized axes).

>>> import tensorweave as tf
>>> layer = tf.keras.layers.LayerNormalization()
>>> out = layer(tf.constant([[1.0, 3.0]]))
>>> [round(v, 4) for v in out.numpy()[0].tolist()]
[-0.9995, 0.9995]
"""

from __future__ import annotations

from tensorweave._src.api_export import PublicNamespace, tf_export
from tensorweave._src.core.shape import TensorShape
from tensorweave._src.keras.engine.base_layer import Layer
from tensorweave._src.keras.layers import _utils
from tensorweave._src.keras.layers.gamma_beta import GammaBetaMixin

tf = PublicNamespace()


@tf_export("keras.layers.LayerNormalization")
class LayerNormalization(GammaBetaMixin, Layer):
    def __init__(
        self,
        axis=-1,
        epsilon=1e-3,
        center=True,
        scale=True,
        beta_initializer="zeros",
        gamma_initializer="ones",
        beta_regularizer=None,
        gamma_regularizer=None,
        beta_constraint=None,
        gamma_constraint=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.axis = _utils.axis_argument(axis)
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self._init_gamma_beta(
            beta_initializer,
            gamma_initializer,
            beta_regularizer,
            gamma_regularizer,
            beta_constraint,
            gamma_constraint,
        )
        self.supports_masking = True

    def build(self, input_shape) -> None:
        self.axis = _utils.validate_axis(self.axis, input_shape)
        input_shape = TensorShape(input_shape)
        param_shape = [input_shape[dim] for dim in self.axis]
        self._add_gamma_beta(param_shape, trainable=True)
        self.built = True

    def call(self, inputs):
        inputs = tf.cast(inputs, self.compute_dtype)
        input_shape = inputs.shape
        ndims = input_shape.rank
        broadcast_shape = [1] * ndims
        for dim in self.axis:
            broadcast_shape[dim] = input_shape[dim]

        def _broadcast(v):
            if v is not None and v.shape.rank != ndims and self.axis != [ndims - 1]:
                return tf.reshape(v, broadcast_shape)
            return v

        input_dtype = inputs.dtype
        if input_dtype in (tf.float16, tf.bfloat16) and self.dtype == "float32":
            inputs = tf.cast(inputs, tf.float32)
        mean, variance = tf.nn.moments(inputs, self.axis, keepdims=True)
        scale, offset = _broadcast(self.gamma), _broadcast(self.beta)
        outputs = tf.nn.batch_normalization(
            inputs, mean, variance, offset=offset, scale=scale, variance_epsilon=self.epsilon
        )
        return tf.cast(outputs, input_dtype)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {"axis": self.axis, "epsilon": self.epsilon, "center": self.center, "scale": self.scale}
        )
        config.update(self._gamma_beta_config())
        return config
