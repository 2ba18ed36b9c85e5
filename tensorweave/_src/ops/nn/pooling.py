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


def _string_padding(padding) -> dict:
    """The padding attr of the pooling ops that take only "SAME" / "VALID"."""
    if not isinstance(padding, str):
        raise TypeError(f"Expected string for argument 'padding' not {padding!r}.")
    return {"padding": padding}


def _explicit_padding(padding, expected_length: int = 4) -> dict:
    """The padding attrs of MaxPool, which also takes explicit [before, after] pairs."""
    padding, explicit = U.convert_padding(padding, expected_length)
    return {"padding": padding, "explicit_paddings": tuple(explicit)}


def _window(ksize, strides, n: int, data_format: str) -> tuple[tuple, tuple]:
    """`ksize` and `strides` (1, n or n + 2 values) as n + 2 values for an n-D `data_format`."""
    ci = 1 if data_format.startswith("NC") else n + 1
    return tuple(U.get_sequence(ksize, n, ci, "ksize")), tuple(U.get_sequence(strides, n, ci, "strides"))


def _window_1d(ksize, strides, data_format: str):
    """1-D pooling runs as 2-D pooling of height 1 (as TF does): the 2-D window, the axis the height
    is inserted at and the 2-D data format."""
    window = tuple((1,) + values for values in _window(ksize, strides, 1, data_format))
    axis, fmt = (1, "NHWC") if data_format == "NWC" else (2, "NCHW")
    return window, axis, fmt


def _bind_pool(prim, x, window, padding_attrs: dict, data_format: str):
    ksize, strides = window
    return bind(prim, x, ksize=ksize, strides=strides, **padding_attrs, data_format=data_format)


def _pool_nd(prim, input, ksize, strides, padding, data_format: str, n: int):  # noqa: A002
    """n-D pooling with "SAME" / "VALID" padding (the input is converted before the padding is checked)."""
    window = _window(ksize, strides, n, data_format)
    x = tensor(input)
    return _bind_pool(prim, x, window, _string_padding(padding), data_format)


@tf_export("nn.max_pool2d")
def max_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None):  # noqa: A002
    """2-D max pooling; `padding` is "SAME", "VALID" or explicit [[0, 0], [t, b], [l, r], [0, 0]]."""
    if data_format is None:
        data_format = "NHWC"
    window = _window(ksize, strides, 2, data_format)
    padding_attrs = _explicit_padding(padding)
    return _bind_pool(P.max_pool_p, tensor(input), window, padding_attrs, data_format)


@tf_export("nn.max_pool1d")
def max_pool1d(input, ksize, strides, padding, data_format="NWC", name=None):  # noqa: A002
    """1-D max pooling, run as 2-D pooling of height 1."""
    if data_format is None:
        data_format = "NWC"
    window, axis, fmt = _window_1d(ksize, strides, data_format)
    padding_attrs = _explicit_padding(padding, 3)
    if padding_attrs["padding"] == "EXPLICIT":
        padding_attrs["explicit_paddings"] = (0, 0) + padding_attrs["explicit_paddings"]
    out = _bind_pool(P.max_pool_p, T.expand_dims(tensor(input), axis), window, padding_attrs, fmt)
    return T.squeeze(out, [axis])


@tf_export("nn.max_pool3d")
def max_pool3d(input, ksize, strides, padding, data_format="NDHWC", name=None):  # noqa: A002
    """3-D max pooling."""
    data_format = "NDHWC" if data_format is None else data_format
    return _pool_nd(P.max_pool3d_p, input, ksize, strides, padding, data_format, 3)


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
    data_format = "NHWC" if data_format is None else data_format
    return _pool_nd(P.avg_pool_p, input, ksize, strides, padding, data_format, 2)


@tf_export("nn.avg_pool1d")
def avg_pool1d(input, ksize, strides, padding, data_format="NWC", name=None):  # noqa: A002
    """1-D average pooling, run as 2-D pooling of height 1."""
    if data_format is None:
        data_format = "NWC"
    window, axis, fmt = _window_1d(ksize, strides, data_format)
    x = T.expand_dims(tensor(input), axis)
    return T.squeeze(_bind_pool(P.avg_pool_p, x, window, _string_padding(padding), fmt), [axis])


@tf_export("nn.avg_pool3d")
def avg_pool3d(input, ksize, strides, padding, data_format="NDHWC", name=None):  # noqa: A002
    """3-D average pooling."""
    data_format = "NDHWC" if data_format is None else data_format
    return _pool_nd(P.avg_pool3d_p, input, ksize, strides, padding, data_format, 3)


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
        raise ValueError(f"{len(window_shape)}-D {pooling_type} pooling is not supported.")  # TF's wording
    if dilations is not None and any(d != 1 for d in dilations):
        raise NotImplementedError("tf.nn.pool with dilations is not supported yet")
    window = list(window_shape)
    strides = list(strides) if strides is not None else [1] * len(window)
    fn = max_pool if pooling_type == "MAX" else avg_pool
    return fn(input, window, strides, padding, data_format)
