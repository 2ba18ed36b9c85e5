"""`tf.keras.layers.Conv3D` (Convolution3D): 3-D convolution.

>>> import tensorweave as tf
>>> tf.keras.layers.Conv3D(4, 3)(tf.ones([1, 6, 6, 6, 2])).shape
TensorShape([1, 4, 4, 4, 4])
"""

from __future__ import annotations

from tensorweave._src.api_export import tf_export
from tensorweave._src.keras.layers.base_conv import Conv


@tf_export("keras.layers.Conv3D", "keras.layers.Convolution3D")
class Conv3D(Conv):
    def __init__(
        self,
        filters,
        kernel_size,
        strides=(1, 1, 1),
        padding="valid",
        data_format=None,
        dilation_rate=(1, 1, 1),
        groups=1,
        activation=None,
        use_bias=True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
        **kwargs,
    ):
        super().__init__(
            rank=3,
            filters=filters,
            kernel_size=kernel_size,
            strides=strides,
            padding=padding,
            data_format=data_format,
            dilation_rate=dilation_rate,
            groups=groups,
            activation=activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            kernel_constraint=kernel_constraint,
            bias_constraint=bias_constraint,
            **kwargs,
        )
