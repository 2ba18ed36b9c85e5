"""`tf.keras.layers.Conv3DTranspose` (Convolution3DTranspose): the transposed 3-D convolution.

>>> import tensorweave as tf
>>> tf.keras.layers.Conv3DTranspose(2, 3, strides=2)(tf.ones([1, 3, 3, 3, 2])).shape
TensorShape([1, 7, 7, 7, 2])
"""

from __future__ import annotations

from tensorweave._src.api_export import tf_export
from tensorweave._src.keras.layers.base_conv_transpose import ConvTransposeMixin
from tensorweave._src.keras.layers.conv3d import Conv3D


@tf_export("keras.layers.Conv3DTranspose", "keras.layers.Convolution3DTranspose")
class Conv3DTranspose(ConvTransposeMixin, Conv3D):
    _uses_dilation = False

    def __init__(
        self,
        filters,
        kernel_size,
        strides=(1, 1, 1),
        padding="valid",
        output_padding=None,
        data_format=None,
        dilation_rate=(1, 1, 1),
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
            filters=filters,
            kernel_size=kernel_size,
            strides=strides,
            padding=padding,
            data_format=data_format,
            dilation_rate=dilation_rate,
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
        self._init_output_padding(output_padding)
