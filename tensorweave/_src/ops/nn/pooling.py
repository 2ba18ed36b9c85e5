"""Public pooling: `tf.nn.max_pool`, `max_pool1d/2d/3d`, `avg_pool`, `avg_pool1d/2d/3d`, `pool`, with
TF's argument handling (ints or lists of 1, N or N+2 values; 1-D pooling as 2-D of height 1).

>>> import tensorweave as tf
>>> x = tf.reshape(tf.range(9.0), [1, 3, 3, 1])
>>> tf.nn.avg_pool2d(x, 2, 2, "SAME")[0, :, :, 0].numpy().tolist()
[[2.0, 3.5], [6.5, 8.0]]
"""

from __future__ import annotations

from tensorweave._src.api_export import tf_export
from tensorweave._src.core.dispatch import bind
from tensorweave._src.ops._common import tensor
from tensorweave._src.ops.nn import _util as U
from tensorweave._src.ops.nn import pool_ops as P

T = U.T


def _channel_index(data_format, n):
    if data_format is None:
        return n + 1
    return 1 if data_format.startswith("NC") else n + 1


def _string_padding(padding, op):
    if not isinstance(padding, str):
        raise TypeError(f"Expected string for argument 'padding' not {padding!r}.")
    return padding


def _list(value, name, op):
    if not isinstance(value, (list, tuple)):
        raise TypeError(f"Expected list for '{name}' argument to '{op}' Op, not {value!r}.")
    return tuple(int(v) for v in value)


@tf_export("nn.max_pool2d")
def max_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None):  # noqa: A002
    """2-D max pooling; `padding` is "SAME", "VALID" or explicit [[0, 0], [t, b], [l, r], [0, 0]]."""
    if data_format is None:
        data_format = "NHWC"
    ci = 1 if data_format.startswith("NC") else 3
    ksize = U.get_sequence(ksize, 2, ci, "ksize")
    strides = U.get_sequence(strides, 2, ci, "strides")
    padding, explicit = U.convert_padding(padding)
    return bind(
        P.max_pool_p,
        tensor(input),
        ksize=tuple(ksize),
        strides=tuple(strides),
        padding=padding,
        explicit_paddings=tuple(explicit),
        data_format=data_format,
    )


@tf_export("nn.max_pool1d")
def max_pool1d(input, ksize, strides, padding, data_format="NWC", name=None):  # noqa: A002
    """1-D max pooling, run as 2-D pooling of height 1."""
    if data_format is None:
        data_format = "NWC"
    ci = 1 if data_format.startswith("NC") else 2
    ksize = [1] + U.get_sequence(ksize, 1, ci, "ksize")
    strides = [1] + U.get_sequence(strides, 1, ci, "strides")
    padding, explicit = U.convert_padding(padding, 3)
    if padding == "EXPLICIT":
        explicit = [0, 0] + explicit
    axis = 1 if data_format == "NWC" else 2
    fmt = "NHWC" if data_format == "NWC" else "NCHW"
    x = T.expand_dims(tensor(input), axis)
    out = bind(
        P.max_pool_p,
        x,
        ksize=tuple(ksize),
        strides=tuple(strides),
        padding=padding,
        explicit_paddings=tuple(explicit),
        data_format=fmt,
    )
    return T.squeeze(out, [axis])


@tf_export("nn.max_pool3d")
def max_pool3d(input, ksize, strides, padding, data_format="NDHWC", name=None):  # noqa: A002
    """3-D max pooling."""
    if data_format is None:
        data_format = "NDHWC"
    ci = 1 if data_format.startswith("NC") else 4
    ksize = U.get_sequence(ksize, 3, ci, "ksize")
    strides = U.get_sequence(strides, 3, ci, "strides")
    return bind(
        P.max_pool3d_p,
        tensor(input),
        ksize=tuple(ksize),
        strides=tuple(strides),
        padding=_string_padding(padding, "MaxPool3D"),
        data_format=data_format,
    )


def _rank_n(x, data_format):
    rank = x.shape.rank
    if data_format is None and rank is None:
        raise ValueError(
            "`input` must have a static shape or a data format must be given. Received: "
            f"input.shape={x.shape} and data_format={data_format}"
        )
    n = rank - 2 if rank is not None else len(data_format) - 2
    if n not in (1, 2, 3):
        raise ValueError(
            f"`input.shape.rank` must be 3, 4 or 5. Received: input.shape={x.shape} of rank {n + 2}."
        )
    return n


@tf_export("nn.max_pool")
def max_pool(input, ksize, strides, padding, data_format=None, name=None):  # noqa: A002
    """N-D max pooling, N from the input's rank."""
    x = tensor(input)
    n = _rank_n(x, data_format)
    ci = _channel_index(data_format, n)
    if n == 1:
        return max_pool1d(x, ksize, strides, padding, data_format or "NWC")
    if n == 2:
        return max_pool2d(x, ksize, strides, padding, data_format or "NHWC")
    if isinstance(padding, (list, tuple)):
        raise ValueError(
            f"Explicit padding is not supported with an input tensor of rank 5. Received: padding={padding}"
        )
    ksize = U.get_sequence(ksize, n, ci, "ksize")
    strides = U.get_sequence(strides, n, ci, "strides")
    return max_pool3d(x, ksize, strides, padding, data_format or "NDHWC")


@tf_export("nn.avg_pool2d")
def avg_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None):  # noqa: A002
    """2-D average pooling; SAME padding is excluded from each window's count."""
    if data_format is None:
        data_format = "NHWC"
    ci = 1 if data_format.startswith("NC") else 3
    ksize = U.get_sequence(ksize, 2, ci, "ksize")
    strides = U.get_sequence(strides, 2, ci, "strides")
    return bind(
        P.avg_pool_p,
        tensor(input),
        ksize=tuple(ksize),
        strides=tuple(strides),
        padding=_string_padding(padding, "AvgPool"),
        data_format=data_format,
    )


@tf_export("nn.avg_pool1d")
def avg_pool1d(input, ksize, strides, padding, data_format="NWC", name=None):  # noqa: A002
    """1-D average pooling, run as 2-D pooling of height 1."""
    if data_format is None:
        data_format = "NWC"
    ci = 1 if data_format.startswith("NC") else 2
    ksize = [1] + U.get_sequence(ksize, 1, ci, "ksize")
    strides = [1] + U.get_sequence(strides, 1, ci, "strides")
    axis = 1 if data_format == "NWC" else 2
    fmt = "NHWC" if data_format == "NWC" else "NCHW"
    out = bind(
        P.avg_pool_p,
        T.expand_dims(tensor(input), axis),
        ksize=tuple(ksize),
        strides=tuple(strides),
        padding=_string_padding(padding, "AvgPool"),
        data_format=fmt,
    )
    return T.squeeze(out, [axis])


@tf_export("nn.avg_pool3d")
def avg_pool3d(input, ksize, strides, padding, data_format="NDHWC", name=None):  # noqa: A002
    """3-D average pooling."""
    if data_format is None:
        data_format = "NDHWC"
    ci = 1 if data_format.startswith("NC") else 4
    ksize = U.get_sequence(ksize, 3, ci, "ksize")
    strides = U.get_sequence(strides, 3, ci, "strides")
    return bind(
        P.avg_pool3d_p,
        tensor(input),
        ksize=tuple(ksize),
        strides=tuple(strides),
        padding=_string_padding(padding, "AvgPool3D"),
        data_format=data_format,
    )


@tf_export("nn.avg_pool")
def avg_pool(input, ksize, strides, padding, data_format=None, name=None):  # noqa: A002
    """N-D average pooling, N from the input's rank."""
    x = tensor(input)
    n = _rank_n(x, data_format)
    ci = _channel_index(data_format, n)
    ksize = U.get_sequence(ksize, n, ci, "ksize")
    strides = U.get_sequence(strides, n, ci, "strides")
    if n == 1:
        sp = slice(2, None) if ci == 1 else slice(1, -1)
        return avg_pool1d(x, ksize[sp], strides[sp], padding, data_format or "NWC")
    if n == 2:
        return avg_pool2d(x, ksize, strides, padding, data_format or "NHWC")
    return avg_pool3d(x, ksize, strides, padding, data_format or "NDHWC")


@tf_export("nn.pool")
def pool(
    input,
    window_shape,
    pooling_type,
    strides=None,
    padding="VALID",
    data_format=None,  # noqa: A002
    dilations=None,
    name=None,
):
    """N-D pooling ("MAX" or "AVG") with a window of `window_shape` (dilations of 1 only)."""
    if pooling_type not in ("MAX", "AVG"):
        raise ValueError(f"`pooling_type` must be 'MAX' or 'AVG'. Received: pooling_type={pooling_type}")
    if dilations is not None and any(d != 1 for d in dilations):
        raise NotImplementedError("tf.nn.pool with dilations is not supported yet")
    window = list(window_shape)
    strides = list(strides) if strides is not None else [1] * len(window)
    fn = max_pool if pooling_type == "MAX" else avg_pool
    return fn(input, window, strides, padding, data_format)
