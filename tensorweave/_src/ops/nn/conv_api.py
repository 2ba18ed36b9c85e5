"""Public convolutions: `tf.nn.conv1d/2d/3d`, `convolution` and the transposed convolutions, with TF's
argument names, defaults and argument checks, built on the primitives of `conv.py` (depthwise,
separable, atrous and the raw backprop ops are in `depthwise.py`).

>>> import tensorweave as tf
>>> x = tf.reshape(tf.range(16.0), [1, 4, 4, 1])
>>> tf.nn.conv2d(x, tf.ones([2, 2, 1, 1]), strides=2, padding="VALID")[0, :, :, 0].numpy().tolist()
[[10.0, 18.0], [42.0, 50.0]]
"""

from __future__ import annotations

from tensorweave._src.api_export import tf_export
from tensorweave._src.core import dtypes as _dt
from tensorweave._src.core.dispatch import bind
from tensorweave._src.core.tensor import Tensor
from tensorweave._src.ops._common import tensor
from tensorweave._src.ops.nn import _util as U
from tensorweave._src.ops.nn.conv import PRIMS

T = U.T
_CHANNELS_LAST = ("NWC", "NHC", "NHWC", "NDHWC", "NWHC")


def _attrs(strides, padding, explicit, data_format, dilations):
    return dict(
        strides=tuple(strides),
        padding=padding,
        explicit_paddings=tuple(explicit),
        data_format=data_format,
        dilations=tuple(dilations),
    )


def _pair(input, filters):  # noqa: A002 - TF's argument name
    x = tensor(input)
    w = filters if isinstance(filters, Tensor) else tensor(filters, dtype=x.dtype)
    return x, w


def _squeeze_batch_dims(x, op, inner_rank: int):
    """TF's squeeze_batch_dims: folds leading batch dims into one around `op`."""
    dims = x.shape.as_list()
    batch, inner = dims[:-inner_rank], dims[-inner_rank:]
    out = op(T.reshape(x, [-1] + inner))
    return T.reshape(out, batch + out.shape.as_list()[-inner_rank:])


def _conv2d_raw(x, w, strides, padding, explicit, data_format, dilations):
    prim = PRIMS["Conv2D"][0]
    attrs = _attrs(strides, padding, explicit, data_format, dilations)
    rank = x.shape.rank
    if rank is None or rank <= 4:
        return bind(prim, x, w, **attrs)
    return _squeeze_batch_dims(x, lambda v: bind(prim, v, w, **attrs), 3)


@tf_export("nn.conv2d")
def conv2d(input, filters, strides, padding, data_format="NHWC", dilations=None, name=None):  # noqa: A002
    """2-D convolution of NHWC (or NCHW) `input` with HWIO `filters`.

    `padding` is "SAME" (TF's asymmetric SAME: the extra row/column goes after), "VALID", or explicit
    `[[0, 0], [top, bottom], [left, right], [0, 0]]`."""
    x, w = _pair(input, filters)
    padding, explicit = U.convert_padding(padding)
    if data_format is None:
        data_format = "NHWC"
    channel_index = 1 if data_format.startswith("NC") else 3
    strides = U.get_sequence(strides, 2, channel_index, "strides")
    dilations = U.get_sequence(dilations, 2, channel_index, "dilations")
    return _conv2d_raw(x, w, strides, padding, explicit, data_format, dilations)


@tf_export("nn.conv3d")
def conv3d(input, filters, strides, padding, data_format="NDHWC", dilations=None, name=None):  # noqa: A002
    """3-D convolution of NDHWC `input` with DHWIO `filters` (`strides` of length 5)."""
    x, w = _pair(input, filters)
    if not isinstance(strides, (list, tuple)):
        raise TypeError(f"Expected list for 'strides' argument to 'conv3d' Op, not {strides}.")
    if dilations is None:
        dilations = [1, 1, 1, 1, 1]
    attrs = dict(
        strides=tuple(strides),
        padding=padding,
        explicit_paddings=(),
        data_format=data_format,
        dilations=tuple(dilations),
    )
    prim = PRIMS["Conv3D"][0]
    rank = x.shape.rank
    if rank is None or rank <= 5:
        return bind(prim, x, w, **attrs)
    return _squeeze_batch_dims(x, lambda v: bind(prim, v, w, **attrs), 4)


def _conv1d_format(data_format):
    if data_format is None or data_format in ("NHWC", "NWC"):
        return "NHWC", -3, 2
    if data_format in ("NCHW", "NCW"):
        return "NCHW", -2, 1
    raise ValueError(f"`data_format` must be 'NWC' or 'NCW'. Received: data_format={data_format}")


@tf_export("nn.conv1d")
def conv1d(input, filters, stride, padding, data_format="NWC", dilations=None, name=None):  # noqa: A002
    """1-D convolution of NWC `input` with WIO `filters`, run as a 2-D convolution of height 1."""
    x, w = _pair(input, filters)
    data_format, spatial_start, channel_index = _conv1d_format(data_format)
    strides = [1] + U.get_sequence(stride, 1, channel_index, "stride")
    dilations = [1] + U.get_sequence(dilations, 1, channel_index, "dilations")
    x = T.expand_dims(x, spatial_start)
    w = T.expand_dims(w, 0)
    if isinstance(padding, (list, tuple)):  # TF hands a list straight to the op's string attr
        raise TypeError(f"Expected string for argument 'padding' not {padding!r}.")
    out = _conv2d_raw(x, w, strides, padding, (), data_format, dilations)
    return T.squeeze(out, [spatial_start])


@tf_export("nn.convolution")
def convolution(
    input,
    filters,
    strides=None,
    padding="VALID",
    data_format=None,
    dilations=None,  # noqa: A002
    name=None,
):
    """N-D convolution (N = 1, 2, 3 from the filter's rank) with optional dilations."""
    x, w = _pair(input, filters)
    f_rank, x_rank = w.shape.rank, x.shape.rank
    if f_rank:
        n = f_rank - 2
    elif x_rank:
        n = x_rank - 2
    else:
        raise ValueError(
            "When `num_spatial_dims` is not set, one of `input.shape.rank` or `filters.shape.rank` "
            f"must be known. Received: input.shape={x.shape} of rank {x_rank} and "
            f"filters.shape={w.shape} of rank {f_rank}"
        )
    num_batch = x_rank - n - 1 if x_rank else 1
    if n not in (1, 2, 3):
        raise ValueError(f"`num_spatial_dims` must be 1, 2, or 3. Received: num_spatial_dims={n}.")
    channel_index = num_batch + n if (data_format is None or data_format in _CHANNELS_LAST) else num_batch
    dilations = U.get_sequence(dilations, n, channel_index, "dilations")
    strides = U.get_sequence(strides, n, channel_index, "strides")
    if n == 2:
        padding, explicit = U.convert_padding(padding)
        return _conv2d_raw(x, w, strides, padding, explicit, data_format or "NHWC", dilations)
    if n == 3:
        return conv3d(x, w, strides, padding, data_format or "NDHWC", dilations)
    spatial = slice(2, None) if channel_index == 1 else slice(1, -1)
    return conv1d(x, w, strides[spatial], padding, data_format or "NWC", dilations[spatial])


# ---- transposed convolutions ---------------------------------------------------------------------


def _shape_tensor(output_shape):
    if isinstance(output_shape, Tensor):
        return output_shape if output_shape.dtype is _dt.int32 else T.cast(output_shape, _dt.int32)
    return tensor([int(v) for v in output_shape], dtype=_dt.int32)


@tf_export("nn.conv2d_transpose")
def conv2d_transpose(
    input,
    filters,
    output_shape,
    strides,
    padding="SAME",
    data_format="NHWC",  # noqa: A002
    dilations=None,
    name=None,
):
    """The transpose (gradient) of conv2d: `filters` is [h, w, out_channels, in_channels]."""
    x, w = _pair(input, filters)
    if data_format is None:
        data_format = "NHWC"
    channel_index = 1 if data_format.startswith("NC") else 3
    strides = U.get_sequence(strides, 2, channel_index, "strides")
    dilations = U.get_sequence(dilations, 2, channel_index, "dilations")
    padding, explicit = U.convert_padding(padding)
    return bind(
        PRIMS["Conv2D"][1],
        _shape_tensor(output_shape),
        w,
        x,
        **_attrs(strides, padding, explicit, data_format, dilations),
    )


@tf_export("nn.conv1d_transpose")
def conv1d_transpose(
    input,
    filters,
    output_shape,
    strides,
    padding="SAME",
    data_format="NWC",  # noqa: A002
    dilations=None,
    name=None,
):
    """The transpose of conv1d, run as a 2-D transposed convolution of height 1."""
    x, w = _pair(input, filters)
    if data_format is None or data_format == "NWC":
        data_format, spatial_start, channel_index = "NHWC", 1, 2
    elif data_format == "NCW":
        data_format, spatial_start, channel_index = "NCHW", 2, 1
    else:
        raise ValueError(f"`data_format` must be 'NWC' or 'NCW'. Received: data_format={data_format}")
    strides = [1] + U.get_sequence(strides, 1, channel_index, "stride")
    dilations = [1] + U.get_sequence(dilations, 1, channel_index, "dilations")
    x = T.expand_dims(x, spatial_start)
    w = T.expand_dims(w, 0)
    shape = _shape_tensor(output_shape)
    shape = T.concat([shape[:spatial_start], tensor([1], dtype=_dt.int32), shape[spatial_start:]], 0)
    out = bind(PRIMS["Conv2D"][1], shape, w, x, **_attrs(strides, padding, (), data_format, dilations))
    return T.squeeze(out, [spatial_start])


@tf_export("nn.conv3d_transpose")
def conv3d_transpose(
    input,
    filters,
    output_shape,
    strides,
    padding="SAME",
    data_format="NDHWC",  # noqa: A002
    dilations=None,
    name=None,
):
    """The transpose of conv3d: `filters` is [d, h, w, out_channels, in_channels]."""
    x, w = _pair(input, filters)
    if data_format is None:
        data_format = "NDHWC"
    channel_index = 1 if data_format.startswith("NC") else 4
    strides = U.get_sequence(strides, 3, channel_index, "strides")
    dilations = U.get_sequence(dilations, 3, channel_index, "dilations")
    return bind(
        PRIMS["Conv3D"][1],
        _shape_tensor(output_shape),
        w,
        x,
        **_attrs(strides, padding, (), data_format, dilations),
    )


@tf_export("nn.conv_transpose")
def conv_transpose(
    input,
    filters,
    output_shape,
    strides,
    padding="SAME",
    data_format=None,  # noqa: A002
    dilations=None,
    name=None,
):
    """The transpose of `convolution`; N from the length of `output_shape`."""
    if isinstance(output_shape, Tensor):
        n = output_shape.shape[0] - 2
    elif hasattr(output_shape, "__len__"):
        n = len(output_shape) - 2
    else:
        raise ValueError(
            f"`output_shape` must be a tensor or sized collection. Received: output_shape={output_shape}"
        )
    if not 1 <= n <= 3:
        raise ValueError(
            f"`output_shape` must be of length 3, 4 or 5. Received: output_shape={output_shape} of "
            f"length {n + 2}."
        )
    op = (conv1d_transpose, conv2d_transpose, conv3d_transpose)[n - 1]
    kwargs = {} if data_format is None else {"data_format": data_format}
    return op(input, filters, output_shape, strides, padding=padding, dilations=dilations, **kwargs)
