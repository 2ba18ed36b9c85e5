"""`tf.keras.layers.DepthwiseConv2D`: depthwise 2-D convolution (one filter bank per input channel).

>>> import tensorweave as tf
>>> tf.keras.layers.DepthwiseConv2D(3, depth_multiplier=2)(tf.ones([1, 5, 5, 2])).shape
TensorShape([1, 3, 3, 4])
"""

from __future__ import annotations

from tensorweave._src.api_export import PublicNamespace, tf_export
from tensorweave._src.keras.layers.base_depthwise_conv import DepthwiseConv

tf = PublicNamespace()


@tf_export("keras.layers.DepthwiseConv2D")
class DepthwiseConv2D(DepthwiseConv):
    def __init__(
        self,
        kernel_size,
        strides=(1, 1),
        padding="valid",
        depth_multiplier=1,
        data_format=None,
        dilation_rate=(1, 1),
        activation=None,
        use_bias=True,
        depthwise_initializer="glorot_uniform",
        bias_initializer="zeros",
        depthwise_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        depthwise_constraint=None,
        bias_constraint=None,
        **kwargs,
    ):
        super().__init__(
            2,
            kernel_size=kernel_size,
            strides=strides,
            padding=padding,
            depth_multiplier=depth_multiplier,
            data_format=data_format,
            dilation_rate=dilation_rate,
            activation=activation,
            use_bias=use_bias,
            depthwise_initializer=depthwise_initializer,
            bias_initializer=bias_initializer,
            depthwise_regularizer=depthwise_regularizer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            depthwise_constraint=depthwise_constraint,
            bias_constraint=bias_constraint,
            **kwargs,
        )

    def call(self, inputs):
        # backend.depthwise_conv2d: channels_first runs through NHWC (no NCHW kernels on CPU)
        x = tf.transpose(inputs, [0, 2, 3, 1]) if self.data_format == "channels_first" else inputs
        outputs = tf.nn.depthwise_conv2d(
            x,
            self.depthwise_kernel,
            strides=(1,) + self.strides + (1,),
            padding=self.padding.upper(),
            dilations=self.dilation_rate,
            data_format="NHWC",
        )
        if self.use_bias:
            outputs = tf.nn.bias_add(outputs, self.bias, data_format="NHWC")
        if self.data_format == "channels_first":
            outputs = tf.transpose(outputs, [0, 3, 1, 2])
        if self.activation is not None:
            return self.activation(outputs)
        return outputs
