"""The transposed-convolution behaviour shared by Conv1DTranspose / Conv2DTranspose / Conv3DTranspose
(kernel `kernel_size + (filters, in_channels)`, output sizes as `conv_utils.deconv_output_length`)."""

from __future__ import annotations

from tensorweave._src.api_export import PublicNamespace
from tensorweave._src.core.shape import TensorShape
from tensorweave._src.keras.engine.base_layer import Layer
from tensorweave._src.keras.engine.input_spec import InputSpec
from tensorweave._src.keras.layers import _utils
from tensorweave._src.keras.layers.base_conv import convert_data_format, deconv_output_length

tf = PublicNamespace()


class ConvTransposeMixin:
    """Mixed in before Conv1D/2D/3D, as tf_keras's transposed layers subclass them."""

    _uses_dilation = True  # Conv3DTranspose ignores dilation_rate (as tf_keras)

    def _init_output_padding(self, output_padding):
        self.output_padding = output_padding
        if self.output_padding is not None:
            self.output_padding = _utils.normalize_tuple(
                self.output_padding, self.rank, "output_padding", allow_zero=True
            )
            for stride, out_pad in zip(self.strides, self.output_padding):
                if out_pad >= stride:
                    raise ValueError(
                        f"Strides must be greater than output padding. Received strides="
                        f"{self.strides}, output_padding={self.output_padding}."
                    )

    def build(self, input_shape):
        input_shape = TensorShape(input_shape)
        if input_shape.rank != self.rank + 2:
            raise ValueError(f"Inputs should have rank {self.rank + 2}. Received input_shape={input_shape}.")
        channel_axis = self._get_channel_axis()
        if input_shape[channel_axis] is None:
            raise ValueError(
                f"The channel dimension of the inputs to `{type(self).__name__}` should be defined. The "
                f"input_shape received is {input_shape}, where axis {channel_axis} (0-based) is the channel "
                f"dimension, which found to be `None`."
            )
        input_dim = int(input_shape[channel_axis])
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={channel_axis: input_dim})
        self.kernel = self.add_weight(
            name="kernel",
            shape=self.kernel_size + (self.filters, input_dim),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
            trainable=True,
            dtype=self.dtype,
        )
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias",
                shape=(self.filters,),
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
                trainable=True,
                dtype=self.dtype,
            )
        else:
            self.bias = None
        Layer.build(self, input_shape)

    def _spatial_axes(self):
        return (
            list(range(2, 2 + self.rank))
            if self.data_format == "channels_first"
            else list(range(1, 1 + self.rank))
        )

    def _out_length(self, length, i):
        return deconv_output_length(
            length,
            self.kernel_size[i],
            padding=self.padding,
            output_padding=None if self.output_padding is None else self.output_padding[i],
            stride=self.strides[i],
            dilation=self.dilation_rate[i] if self._uses_dilation else 1,
        )

    def call(self, inputs):
        dyn = tf.shape(inputs)
        static = inputs.shape.as_list() if inputs.shape.rank is not None else [None] * (self.rank + 2)
        spatial = [
            self._out_length(static[a] if static[a] is not None else dyn[a], i)
            for i, a in enumerate(self._spatial_axes())
        ]
        batch = dyn[0]
        output_shape = (
            [batch, self.filters] + spatial
            if self.data_format == "channels_first"
            else [batch] + spatial + [self.filters]
        )
        output_shape = tf.stack([tf.cast(d, tf.int32) for d in output_shape])
        data_format = convert_data_format(self.data_format, self.rank + 2)
        if self.rank == 2:
            # backend.conv2d_transpose runs channels_first through NHWC (no NCHW kernels on CPU)
            x, fmt = inputs, "NHWC"
            if self.data_format == "channels_first":
                x = tf.transpose(inputs, [0, 2, 3, 1])
                output_shape = tf.gather(output_shape, [0, 2, 3, 1])
            outputs = tf.nn.conv2d_transpose(
                x,
                self.kernel,
                output_shape,
                strides=self.strides,
                padding=self.padding.upper(),
                data_format=fmt,
                dilations=self.dilation_rate,
            )
            if self.data_format == "channels_first":
                outputs = tf.transpose(outputs, [0, 3, 1, 2])
        elif self.rank == 1:
            outputs = tf.nn.conv1d_transpose(
                inputs,
                self.kernel,
                output_shape,
                strides=self.strides,
                padding=self.padding.upper(),
                data_format=data_format,
                dilations=self.dilation_rate,
            )
        else:
            strides = (
                (1, 1) + self.strides if self.data_format == "channels_first" else (1,) + self.strides + (1,)
            )
            outputs = tf.nn.conv3d_transpose(
                inputs,
                self.kernel,
                output_shape,
                strides,
                data_format=data_format,
                padding=self.padding.upper(),
            )
        if inputs.shape.rank:
            outputs = tf.ensure_shape(outputs, self.compute_output_shape(inputs.shape))
        if self.use_bias:
            outputs = tf.nn.bias_add(
                outputs, self.bias, data_format=convert_data_format(self.data_format, min(self.rank + 2, 4))
            )
        if self.activation is not None:
            return self.activation(outputs)
        return outputs

    def compute_output_shape(self, input_shape):
        output_shape = TensorShape(input_shape).as_list()
        c_axis = 1 if self.data_format == "channels_first" else self.rank + 1
        output_shape[c_axis] = self.filters
        for i, a in enumerate(self._spatial_axes()):
            output_shape[a] = self._out_length(output_shape[a], i)
        return TensorShape(output_shape)

    def get_config(self):
        config = super().get_config()
        if not self._uses_dilation:
            config.pop("dilation_rate")
        config["output_padding"] = self.output_padding
        return config
