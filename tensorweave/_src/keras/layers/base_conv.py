"""The N-D convolution base of the Keras conv layers (tf_keras `Conv`), written on public tensorweave ops,
and the `conv_utils` shape helpers shared by the convolution and pooling layers.

>>> import tensorweave as tf
>>> tf.keras.layers.Conv2D(8, 3, padding="same")(tf.ones([1, 5, 5, 2])).shape
TensorShape([1, 5, 5, 8])
"""

from __future__ import annotations

from tensorweave._src.api_export import PublicNamespace
from tensorweave._src.core.shape import TensorShape
from tensorweave._src.keras import activations, constraints, initializers, regularizers
from tensorweave._src.keras.engine.base_layer import Layer
from tensorweave._src.keras.engine.input_spec import InputSpec
from tensorweave._src.keras.layers import _utils

tf = PublicNamespace()


# ---- conv_utils -----------------------------------------------------------------------------------------
def normalize_padding(value):
    if isinstance(value, (list, tuple)):
        return value
    padding = value.lower()
    if padding not in {"valid", "same", "causal"}:
        raise ValueError(
            "The `padding` argument must be a list/tuple or one of "
            '"valid", "same" (or "causal", only for `Conv1D). '
            f"Received: {padding}"
        )
    return padding


def convert_data_format(data_format, ndim):
    if data_format == "channels_last":
        return {3: "NWC", 4: "NHWC", 5: "NDHWC"}[ndim] if ndim in (3, 4, 5) else _bad_ndim(ndim)
    if data_format == "channels_first":
        return {3: "NCW", 4: "NCHW", 5: "NCDHW"}[ndim] if ndim in (3, 4, 5) else _bad_ndim(ndim)
    raise ValueError(f"Invalid data_format: {data_format}")


def _bad_ndim(ndim):
    raise ValueError(f"Input rank not supported: {ndim}")


def conv_output_length(input_length, filter_size, padding, stride, dilation=1):
    if input_length is None:
        return None
    dilated = filter_size + (filter_size - 1) * (dilation - 1)
    if padding in ("same", "causal"):
        length = input_length
    elif padding == "valid":
        length = input_length - dilated + 1
    else:  # full
        length = input_length + dilated - 1
    return (length + stride - 1) // stride


def deconv_output_length(input_length, filter_size, padding, output_padding=None, stride=0, dilation=1):
    """Output length of a transposed convolution (works on ints and on scalar tensors)."""
    if input_length is None:
        return None
    filter_size = filter_size + (filter_size - 1) * (dilation - 1)
    if output_padding is None:
        if padding == "valid":
            return input_length * stride + max(filter_size - stride, 0)
        if padding == "full":
            return input_length * stride - (stride + filter_size - 2)
        return input_length * stride
    pad = {"same": filter_size // 2, "valid": 0, "full": filter_size - 1}[padding]
    return (input_length - 1) * stride + filter_size - 2 * pad + output_padding


def maybe_serialize(fn, value):
    return None if value is None else fn(value)


# ---- the layer ------------------------------------------------------------------------------------------
class Conv(Layer):
    """Abstract N-D convolution (`rank` spatial dims): kernel `kernel_size + (in // groups, filters)`."""

    def __init__(
        self,
        rank,
        filters,
        kernel_size,
        strides=1,
        padding="valid",
        data_format=None,
        dilation_rate=1,
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
        trainable=True,
        name=None,
        conv_op=None,
        **kwargs,
    ):
        super().__init__(
            trainable=trainable,
            name=name,
            activity_regularizer=regularizers.get(activity_regularizer),
            **kwargs,
        )
        self.rank = rank
        if isinstance(filters, float):
            filters = int(filters)
        if filters is not None and filters <= 0:
            raise ValueError(
                f"Invalid value for argument `filters`. Expected a strictly positive value. "
                f"Received filters={filters}."
            )
        self.filters = filters
        self.groups = groups or 1
        self.kernel_size = _utils.normalize_tuple(kernel_size, rank, "kernel_size")
        self.strides = _utils.normalize_tuple(strides, rank, "strides", allow_zero=True)
        self.padding = normalize_padding(padding)
        self.data_format = _utils.normalize_data_format(data_format)
        self.dilation_rate = _utils.normalize_tuple(dilation_rate, rank, "dilation_rate")
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(min_ndim=self.rank + 2)
        self._validate_init()
        self._is_causal = self.padding == "causal"
        self._channels_first = self.data_format == "channels_first"
        self._tf_data_format = convert_data_format(self.data_format, self.rank + 2)

    def _validate_init(self):
        if self.filters is not None and self.filters % self.groups != 0:
            raise ValueError(
                f"The number of filters must be evenly divisible by the number of groups. "
                f"Received: groups={self.groups}, filters={self.filters}"
            )
        if not all(self.kernel_size):
            raise ValueError(f"The argument `kernel_size` cannot contain 0(s). Received: {self.kernel_size}")
        if not all(self.strides):
            raise ValueError(f"The argument `strides` cannot contains 0(s). Received: {self.strides}")
        if self.padding == "causal" and not getattr(self, "_supports_causal", False):
            raise ValueError("Causal padding is only supported for `Conv1D`and `SeparableConv1D`.")
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(
                f"`strides > 1` not supported in conjunction with `dilation_rate > 1`. Received: "
                f"strides={self.strides} and dilation_rate={self.dilation_rate}"
            )

    def build(self, input_shape):
        input_shape = TensorShape(input_shape)
        input_channel = self._get_input_channel(input_shape)
        if input_channel % self.groups != 0:
            raise ValueError(
                f"The number of input channels must be evenly divisible by the number of groups. "
                f"Received groups={self.groups}, but the input has {input_channel} channels (full "
                f"input shape is {input_shape})."
            )
        kernel_shape = self.kernel_size + (input_channel // self.groups, self.filters)
        self.compute_output_shape(input_shape)
        self.kernel = self.add_weight(
            name="kernel",
            shape=kernel_shape,
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
        self.input_spec = InputSpec(min_ndim=self.rank + 2, axes={self._get_channel_axis(): input_channel})
        self.built = True

    def convolution_op(self, inputs, kernel):
        if self.padding == "causal":
            tf_padding = "VALID"
        elif isinstance(self.padding, str):
            tf_padding = self.padding.upper()
        else:
            tf_padding = self.padding
        return tf.nn.convolution(
            inputs,
            kernel,
            strides=list(self.strides),
            padding=tf_padding,
            dilations=list(self.dilation_rate),
            data_format=self._tf_data_format,
        )

    def call(self, inputs):
        input_shape = inputs.shape
        if self._is_causal:
            inputs = tf.pad(inputs, self._compute_causal_padding(inputs))
        batch_rank = (input_shape.rank or self.rank + 2) - self.rank - 1
        if batch_rank > 1:  # extra leading batch dims: fold them into one
            outer = tf.shape(inputs)[:batch_rank]
            inputs = tf.reshape(inputs, tf.concat([[-1], tf.shape(inputs)[batch_rank:]], 0))
        outputs = self.convolution_op(inputs, self.kernel)
        if self.use_bias:
            if self.rank == 1 and self._channels_first:
                outputs += tf.reshape(self.bias, (1, self.filters, 1))
            else:
                outputs = tf.nn.bias_add(outputs, self.bias, data_format=self._tf_data_format)
        if batch_rank > 1:
            outputs = tf.reshape(outputs, tf.concat([outer, tf.shape(outputs)[1:]], 0))
            outputs = tf.ensure_shape(outputs, self.compute_output_shape(input_shape))
        if self.activation is not None:
            return self.activation(outputs)
        return outputs

    def _spatial_output_shape(self, spatial_input_shape):
        return [
            conv_output_length(
                length,
                self.kernel_size[i],
                padding=self.padding,
                stride=self.strides[i],
                dilation=self.dilation_rate[i],
            )
            for i, length in enumerate(spatial_input_shape)
        ]

    def compute_output_shape(self, input_shape):
        input_shape = TensorShape(input_shape).as_list()
        batch_rank = len(input_shape) - self.rank - 1
        try:
            if self.data_format == "channels_last":
                return TensorShape(
                    input_shape[:batch_rank]
                    + self._spatial_output_shape(input_shape[batch_rank:-1])
                    + [self.filters]
                )
            return TensorShape(
                input_shape[:batch_rank]
                + [self.filters]
                + self._spatial_output_shape(input_shape[batch_rank + 1 :])
            )
        except ValueError:
            raise ValueError(
                f"One of the dimensions in the output is <= 0 due to downsampling in {self.name}. Consider "
                f"increasing the input size. Received input shape {input_shape} which would produce output "
                f"shape with a zero or negative value in a dimension."
            )

    def get_config(self):
        config = {
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "groups": self.groups,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": maybe_serialize(regularizers.serialize, self.kernel_regularizer),
            "bias_regularizer": maybe_serialize(regularizers.serialize, self.bias_regularizer),
            "activity_regularizer": maybe_serialize(regularizers.serialize, self.activity_regularizer),
            "kernel_constraint": maybe_serialize(constraints.serialize, self.kernel_constraint),
            "bias_constraint": maybe_serialize(constraints.serialize, self.bias_constraint),
        }
        base = super().get_config()
        return dict(list(base.items()) + list(config.items()))

    def _compute_causal_padding(self, inputs):
        left_pad = self.dilation_rate[0] * (self.kernel_size[0] - 1)
        batch_rank = 1 if inputs.shape.rank is None else inputs.shape.rank - 2
        if self.data_format == "channels_last":
            return [[0, 0]] * batch_rank + [[left_pad, 0], [0, 0]]
        return [[0, 0]] * batch_rank + [[0, 0], [left_pad, 0]]

    def _get_channel_axis(self):
        return -1 - self.rank if self.data_format == "channels_first" else -1

    def _get_input_channel(self, input_shape):
        channel_axis = self._get_channel_axis()
        if input_shape.rank is None or input_shape[channel_axis] is None:
            raise ValueError(
                f"The channel dimension of the inputs should be defined. The input_shape received is "
                f"{input_shape}, where axis {channel_axis} (0-based) is the channel dimension, which found "
                "to "
                f"be `None`."
            )
        return int(input_shape[channel_axis])
