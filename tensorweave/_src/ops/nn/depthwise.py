"""Public depthwise, separable and atrous convolutions (`tf.nn.depthwise_conv2d`, `separable_conv2d`,
`atrous_conv2d`, `atrous_conv2d_transpose`) and the raw backprop ops (`tf.nn.depthwise_conv2d_backprop_*`,
`tf.compat.v1.nn.conv2d_backprop_*`).

>>> import tensorweave as tf
>>> tf.nn.depthwise_conv2d(tf.ones([1, 2, 2, 2]), tf.ones([2, 2, 2, 1]), [1, 1, 1, 1], "VALID").shape
TensorShape([1, 1, 1, 2])
"""

from __future__ import annotations

from tensorweave._src.api_export import tf_export
from tensorweave._src.core.dispatch import bind
from tensorweave._src.core.tensor import Tensor
from tensorweave._src.ops._common import tensor
from tensorweave._src.ops.nn import _util as U
from tensorweave._src.ops.nn.conv import PRIMS
from tensorweave._src.ops.nn.conv_api import (
    _attrs,
    _pair,
    _shape_tensor,
    conv2d,
    conv2d_transpose,
    convolution,
)

# ---- depthwise / separable / atrous --------------------------------------------------------------


def _depthwise_raw(x, w, strides, padding, data_format, dilations):
    if not isinstance(strides, (list, tuple)):
        raise TypeError(
            f"Expected list for 'strides' argument to 'depthwise_conv2d_native' Op, not {strides}."
        )
    padding, explicit = U.convert_padding(padding)
    return bind(
        PRIMS["Depthwise"][0], x, w, **_attrs(strides, padding, explicit, data_format or "NHWC", dilations)
    )


def _rate_dilations(rate, data_format):
    if rate is None:
        rate = [1, 1]
    rate = list(rate) if isinstance(rate, (list, tuple)) else [rate, rate]
    return [1, 1] + rate if (data_format or "NHWC").startswith("NC") else [1] + rate + [1]


@tf_export("nn.depthwise_conv2d")
def depthwise_conv2d(input, filter, strides, padding, data_format=None, dilations=None, name=None):  # noqa: A002
    """Depthwise 2-D convolution: `filter` [h, w, in_channels, multiplier]; `dilations` is the rate
    (length 2); `strides` has length 4."""
    x, w = _pair(input, filter)
    return _depthwise_raw(x, w, strides, padding, data_format, _rate_dilations(dilations, data_format))


@tf_export("nn.separable_conv2d")
def separable_conv2d(
    input,
    depthwise_filter,
    pointwise_filter,
    strides,
    padding,
    data_format=None,  # noqa: A002
    dilations=None,
    name=None,
):
    """A depthwise convolution followed by a 1x1 (pointwise) convolution."""
    x, dw = _pair(input, depthwise_filter)
    pw = (
        tensor(pointwise_filter, dtype=x.dtype)
        if not isinstance(pointwise_filter, Tensor)
        else pointwise_filter
    )
    dims = pw.shape.dims
    if dims is not None:
        if len(dims) != 4:
            raise ValueError(f"Shape {pw.shape} must have rank 4")
        for i in (0, 1):
            if dims[i] not in (None, 1):
                raise ValueError(f"Dimensions {dims[i]} and 1 are not compatible")
    depthwise = _depthwise_raw(x, dw, strides, padding, data_format, _rate_dilations(dilations, data_format))
    return conv2d(depthwise, pw, [1, 1, 1, 1], padding="VALID", data_format=data_format or "NHWC")


@tf_export("nn.atrous_conv2d")
def atrous_conv2d(value, filters, rate, padding, name=None):
    """2-D convolution with holes: `conv2d` with dilations `rate` (NHWC)."""
    return convolution(value, filters, padding=padding, dilations=[rate, rate])


@tf_export("nn.atrous_conv2d_transpose")
def atrous_conv2d_transpose(value, filters, output_shape, rate, padding, name=None):
    """The transpose of atrous_conv2d."""
    if padding not in ("SAME", "VALID"):
        raise ValueError(f"padding must be either VALID or SAME: {padding}")
    if rate < 1:
        raise ValueError(f"rate {rate} cannot be less than one")
    return conv2d_transpose(
        value, filters, output_shape, [1, 1, 1, 1], padding=padding, dilations=[1, rate, rate, 1]
    )


# ---- compat.v1 raw backprop ops ------------------------------------------------------------------


def _backprop_input(prim, input_sizes, filters, out_backprop, strides, padding, data_format, dilations):
    """Binds a conv's input-gradient op: dy takes the filter's dtype, the input shape is a tensor."""
    w = tensor(filters)
    dy = tensor(out_backprop, dtype=w.dtype)
    padding, explicit = U.convert_padding(padding)
    attrs = _attrs(strides, padding, explicit, data_format, dilations)
    return bind(prim, _shape_tensor(input_sizes), w, dy, **attrs)


def _backprop_filter(prim, x, filter_sizes, out_backprop, strides, padding, data_format, dilations):
    """Binds a conv's filter-gradient op: dy takes the input's dtype, the filter shape is a tensor."""
    x = tensor(x)
    dy = tensor(out_backprop, dtype=x.dtype)
    padding, explicit = U.convert_padding(padding)
    attrs = _attrs(strides, padding, explicit, data_format, dilations)
    return bind(prim, x, _shape_tensor(filter_sizes), dy, **attrs)


@tf_export("compat.v1.nn.conv2d_backprop_input")
def conv2d_backprop_input(
    input_sizes,
    filter=None,
    out_backprop=None,
    strides=None,
    padding=None,  # noqa: A002
    use_cudnn_on_gpu=True,
    data_format="NHWC",
    dilations=(1, 1, 1, 1),
    name=None,
    filters=None,
):
    """The gradient of conv2d with respect to its input (TF's Conv2DBackpropInput)."""
    w = filters if filters is not None else filter
    args = (input_sizes, w, out_backprop, strides, padding, data_format, dilations)
    return _backprop_input(PRIMS["Conv2D"][1], *args)


@tf_export("compat.v1.nn.conv2d_backprop_filter")
def conv2d_backprop_filter(
    input,
    filter_sizes,
    out_backprop,
    strides,
    padding,
    use_cudnn_on_gpu=True,  # noqa: A002
    data_format="NHWC",
    dilations=(1, 1, 1, 1),
    name=None,
):
    """The gradient of conv2d with respect to its filter (TF's Conv2DBackpropFilter)."""
    args = (input, filter_sizes, out_backprop, strides, padding, data_format, dilations)
    return _backprop_filter(PRIMS["Conv2D"][2], *args)


@tf_export("nn.depthwise_conv2d_backprop_input")
def depthwise_conv2d_backprop_input(
    input_sizes,
    filter,
    out_backprop,
    strides,
    padding,  # noqa: A002
    data_format="NHWC",
    dilations=(1, 1, 1, 1),
    name=None,
):
    """The gradient of depthwise_conv2d with respect to its input."""
    args = (input_sizes, filter, out_backprop, strides, padding, data_format, dilations)
    return _backprop_input(PRIMS["Depthwise"][1], *args)


@tf_export("nn.depthwise_conv2d_backprop_filter")
def depthwise_conv2d_backprop_filter(
    input,
    filter_sizes,
    out_backprop,
    strides,
    padding,  # noqa: A002
    data_format="NHWC",
    dilations=(1, 1, 1, 1),
    name=None,
):
    """The gradient of depthwise_conv2d with respect to its filter."""
    args = (input, filter_sizes, out_backprop, strides, padding, data_format, dilations)
    return _backprop_filter(PRIMS["Depthwise"][2], *args)
