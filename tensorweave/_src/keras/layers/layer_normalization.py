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
from tensorweave._src.keras import constraints, initializers, regularizers
from tensorweave._src.keras.engine.base_layer import Layer
from tensorweave._src.keras.layers import _utils

tf = PublicNamespace()


def _normalization_config(layer) -> dict:
    return {
        "beta_initializer": initializers.serialize(layer.beta_initializer),
        "gamma_initializer": initializers.serialize(layer.gamma_initializer),
        "beta_regularizer": _utils.maybe_serialize(regularizers.serialize, layer.beta_regularizer),
        "gamma_regularizer": _utils.maybe_serialize(regularizers.serialize, layer.gamma_regularizer),
        "beta_constraint": _utils.maybe_serialize(constraints.serialize, layer.beta_constraint),
        "gamma_constraint": _utils.maybe_serialize(constraints.serialize, layer.gamma_constraint),
    }


@tf_export("keras.layers.LayerNormalization")
class LayerNormalization(Layer):
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
        if isinstance(axis, (list, tuple)):
            self.axis = list(axis)
        elif isinstance(axis, int):
            self.axis = axis
        else:
            raise TypeError(
                f"Expected an int or a list/tuple of ints for the argument 'axis', but received: {axis!r}"
            )
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.supports_masking = True

    def build(self, input_shape) -> None:
        self.axis = _utils.validate_axis(self.axis, input_shape)
        input_shape = TensorShape(input_shape)
        param_shape = [input_shape[dim] for dim in self.axis]
        self.gamma = (
            self.add_weight(
                name="gamma",
                shape=param_shape,
                initializer=self.gamma_initializer,
                regularizer=self.gamma_regularizer,
                constraint=self.gamma_constraint,
                trainable=True,
            )
            if self.scale
            else None
        )
        self.beta = (
            self.add_weight(
                name="beta",
                shape=param_shape,
                initializer=self.beta_initializer,
                regularizer=self.beta_regularizer,
                constraint=self.beta_constraint,
                trainable=True,
            )
            if self.center
            else None
        )
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
        config.update(_normalization_config(self))
        return config
