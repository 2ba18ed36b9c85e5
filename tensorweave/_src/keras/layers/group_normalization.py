"""`tf.keras.layers.GroupNormalization`: splits the channels (`axis`) into `groups` and normalizes each
group of each sample; `groups=-1` is instance normalization, `groups=1` layer normalization.

>>> import tensorweave as tf
>>> layer = tf.keras.layers.GroupNormalization(groups=2)
>>> layer(tf.ones([1, 3, 4])).shape
TensorShape([1, 3, 4])
"""

from __future__ import annotations

from tensorweave._src.api_export import PublicNamespace, tf_export
from tensorweave._src.core.shape import TensorShape
from tensorweave._src.keras.engine.base_layer import Layer
from tensorweave._src.keras.engine.input_spec import InputSpec
from tensorweave._src.keras.layers import _utils
from tensorweave._src.keras.layers.gamma_beta import GammaBetaMixin

tf = PublicNamespace()


@tf_export("keras.layers.GroupNormalization")
class GroupNormalization(GammaBetaMixin, Layer):
    def __init__(
        self,
        groups=32,
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
        self.supports_masking = True
        self.groups = groups
        self.axis = axis
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

    def build(self, input_shape) -> None:
        _utils.validate_axis(self.axis, input_shape)
        input_shape = TensorShape(input_shape)
        dim = input_shape[self.axis]
        if dim is None:
            raise ValueError(
                f"Axis {self.axis} of input tensor should have a defined dimension but the "
                f"layer "
                f"received an input with shape {input_shape}."
            )
        if self.groups == -1:
            self.groups = dim
        if dim < self.groups:
            raise ValueError(
                f"Number of groups ({self.groups}) cannot be more than the number of channels ({dim})."
            )
        if dim % self.groups != 0:
            raise ValueError(
                f"Number of groups ({self.groups}) must be a multiple of the number of channels ({dim})."
            )
        self.input_spec = InputSpec(ndim=input_shape.rank, axes={self.axis: dim})
        self._add_gamma_beta((dim,))
        self.built = True

    def _group_shape(self, inputs):
        shape = tf.shape(inputs)
        rank = inputs.shape.rank
        axis = self.axis % rank
        dims = [shape[i] for i in range(rank)]
        dims[axis] = shape[axis] // self.groups
        dims.insert(axis, tf.constant(self.groups))
        return tf.stack(dims)

    def call(self, inputs, mask=None):
        input_shape = tf.shape(inputs)
        rank = inputs.shape.rank
        axis = self.axis % rank
        reshaped = tf.reshape(inputs, self._group_shape(inputs))
        reduction_axes = list(range(1, rank + 1))
        reduction_axes.pop(axis - 1)
        if mask is None:
            mean, variance = tf.nn.moments(reshaped, axes=reduction_axes, keepdims=True)
        else:
            weights = tf.reshape(
                tf.cast(tf.broadcast_to(mask, input_shape), reshaped.dtype), self._group_shape(inputs)
            )
            mean, variance = tf.nn.weighted_moments(
                reshaped, axes=reduction_axes, frequency_weights=weights, keepdims=True
            )
        broadcast_shape = [1] * rank
        broadcast_shape[axis] = inputs.shape[axis] // self.groups
        broadcast_shape.insert(axis, self.groups)
        gamma = None if self.gamma is None else tf.reshape(self.gamma, broadcast_shape)
        beta = None if self.beta is None else tf.reshape(self.beta, broadcast_shape)
        outputs = tf.nn.batch_normalization(
            reshaped, mean=mean, variance=variance, scale=gamma, offset=beta, variance_epsilon=self.epsilon
        )
        return tf.reshape(outputs, input_shape)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "groups": self.groups,
                "axis": self.axis,
                "epsilon": self.epsilon,
                "center": self.center,
                "scale": self.scale,
            }
        )
        config.update(self._gamma_beta_config())
        return config
