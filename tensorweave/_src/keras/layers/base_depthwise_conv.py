"""The depthwise convolution base (tf_keras `DepthwiseConv`): a `kernel_size + (in, depth_multiplier)` kernel
applied per input channel."""

from __future__ import annotations

from tensorweave._src.core.shape import TensorShape
from tensorweave._src.keras import constraints, initializers, regularizers
from tensorweave._src.keras.engine.base_layer import Layer
from tensorweave._src.keras.engine.input_spec import InputSpec
from tensorweave._src.keras.layers.base_conv import Conv, conv_output_length, maybe_serialize


class DepthwiseConv(Conv):
    def __init__(
        self,
        rank,
        kernel_size,
        strides=1,
        padding="valid",
        depth_multiplier=1,
        data_format=None,
        dilation_rate=1,
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
            rank,
            filters=None,
            kernel_size=kernel_size,
            strides=strides,
            padding=padding,
            data_format=data_format,
            dilation_rate=dilation_rate,
            activation=activation,
            use_bias=use_bias,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            bias_constraint=bias_constraint,
            **kwargs,
        )
        self.depth_multiplier = depth_multiplier
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)
        self.bias_initializer = initializers.get(bias_initializer)

    def build(self, input_shape):
        input_shape = TensorShape(input_shape)
        if input_shape.rank != self.rank + 2:
            raise ValueError(
                f"Inputs to `DepthwiseConv` should have rank {self.rank + 2}. Received "
                f"input_shape={input_shape}."
            )
        channel_axis = self._get_channel_axis()
        if input_shape[channel_axis] is None:
            raise ValueError(
                f"The channel dimension of the inputs to `DepthwiseConv` should be defined. The input_shape "
                f"received is {input_shape}, where axis {channel_axis} (0-based) is the channel dimension, "
                "which "
                f"found to be `None`."
            )
        input_dim = int(input_shape[channel_axis])
        self.depthwise_kernel = self.add_weight(
            shape=self.kernel_size + (input_dim, self.depth_multiplier),
            initializer=self.depthwise_initializer,
            name="depthwise_kernel",
            regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint,
        )
        if self.use_bias:
            self.bias = self.add_weight(
                shape=(input_dim * self.depth_multiplier,),
                initializer=self.bias_initializer,
                name="bias",
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )
        else:
            self.bias = None
        self.input_spec = InputSpec(min_ndim=self.rank + 2, axes={channel_axis: input_dim})
        Layer.build(self, input_shape)

    def call(self, inputs):
        raise NotImplementedError

    def compute_output_shape(self, input_shape):
        input_shape = TensorShape(input_shape).as_list()
        if self.data_format == "channels_first":
            spatial, channels = input_shape[2:], input_shape[1]
        else:
            spatial, channels = input_shape[1:-1], input_shape[-1]
        out_filters = None if channels is None else channels * self.depth_multiplier
        spatial = [
            conv_output_length(d, self.kernel_size[i], self.padding, self.strides[i], self.dilation_rate[i])
            for i, d in enumerate(spatial)
        ]
        if self.data_format == "channels_first":
            return TensorShape([input_shape[0], out_filters] + spatial)
        return TensorShape([input_shape[0]] + spatial + [out_filters])

    def get_config(self):
        config = super().get_config()
        config.pop("filters")
        config.pop("kernel_initializer")
        config.pop("kernel_regularizer")
        config.pop("kernel_constraint")
        config["depth_multiplier"] = self.depth_multiplier
        config["depthwise_initializer"] = initializers.serialize(self.depthwise_initializer)
        config["depthwise_regularizer"] = maybe_serialize(regularizers.serialize, self.depthwise_regularizer)
        config["depthwise_constraint"] = maybe_serialize(constraints.serialize, self.depthwise_constraint)
        return config
