"""`tf.nn.bias_add`, `space_to_depth`, `depth_to_space` (primitives with gradient rules), `dropout`,
`embedding_lookup` and `zero_fraction`.

>>> import tensorweave as tf
>>> tf.nn.bias_add([[1.0, 2.0]], [10.0, 20.0]).numpy().tolist()
[[11.0, 22.0]]
"""

from __future__ import annotations

import numbers

from tensorweave._src.api_export import tf_export
from tensorweave._src.core import dtypes as _dt
from tensorweave._src.core import errors
from tensorweave._src.core.convert import convert_to_tensor
from tensorweave._src.core.dispatch import bind
from tensorweave._src.core.op_messages import no_kernel
from tensorweave._src.core.primitive import AbstractValue, Primitive
from tensorweave._src.core.shape import TensorShape
from tensorweave._src.core.tensor import Tensor
from tensorweave._src.core.variable import Variable
from tensorweave._src.ops._common import dims_str, invalid, tensor
from tensorweave._src.ops.nn import _util as U
from tensorweave._src.ops.nn._util import T

# ---- BiasAdd -------------------------------------------------------------------------------------
bias_add_p = Primitive("BiasAdd", allowed=_dt.NUMERIC)


def _bias_channel(rank, data_format):
    return 1 if data_format == "NCHW" else rank - 1


@bias_add_p.def_kernel
def _bias_add(x, b, data_format):
    if x.dim() < 2 or b.dim() != 1:
        raise ValueError("rank")
    c = _bias_channel(x.dim(), data_format)
    if x.shape[c] != b.shape[0]:
        raise ValueError("size")
    if c == x.dim() - 1:
        return (x + b).to(x.dtype)
    return (x + b.reshape([-1] + [1] * (x.dim() - c - 1))).to(x.dtype)


@bias_add_p.def_abstract
def _bias_add_rule(x, b, data_format):
    if x.dtype is not b.dtype:
        raise invalid(
            "BiasAdd",
            f"cannot compute BiasAdd as input #1(zero-based) was expected to be a "
            f"{x.dtype.name} tensor but is a {b.dtype.name} tensor",
        )
    xd, bd = x.shape.dims, b.shape.dims
    if xd is not None and len(xd) < 2:
        raise invalid("BiasAdd", f"Input tensor must be at least 2D: {dims_str(xd)}")
    if bd is not None and len(bd) != 1:
        raise invalid("BiasAdd", f"Biases must be 1D: {dims_str(bd)}")
    if xd is not None and bd is not None:
        c = _bias_channel(len(xd), data_format)
        if xd[c] is not None and bd[0] is not None and xd[c] != bd[0]:
            where = "last" if c == len(xd) - 1 else "channel"
            raise invalid(
                "BiasAdd",
                f"Must provide as many biases as the {where} dimension of the input tensor: "
                f"{dims_str(bd)} vs. {dims_str(xd)}",
            )
    return AbstractValue(x.dtype, x.shape)


@bias_add_p.def_grad
def _bias_add_grad(op, dy):
    rank = op.inputs[0].shape.rank
    c = _bias_channel(rank, op.attrs["data_format"])
    return [dy, T.reduce_sum(dy, [i for i in range(rank) if i != c])]


@tf_export("nn.bias_add")
def bias_add(value, bias, data_format=None, name=None):
    """value + bias along the channel dimension (last for N...C formats, 1 for NC...)."""
    if data_format is not None:
        if data_format.startswith("NC"):
            data_format = "NCHW"
        elif data_format.startswith("N") and data_format.endswith("C"):
            data_format = "NHWC"
        else:
            raise ValueError(
                f"`data_format` must be of the form `N...C` or `NC...`. Received: data_format={data_format}"
            )
    x = tensor(value)
    b = bias if isinstance(bias, Tensor) else tensor(bias, dtype=x.dtype)
    return bind(bias_add_p, x, b, data_format=data_format or "NHWC")


# ---- SpaceToDepth / DepthToSpace -----------------------------------------------------------------


def _block_check(op, block_size, data_format):
    if block_size < 2:
        raise invalid(op, f"Value for attr 'block_size' of {block_size} must be at least minimum 2")
    if data_format not in ("NHWC", "NCHW", "NCHW_VECT_C"):
        raise U.attr_error(op, "data_format", data_format, ("NHWC", "NCHW", "NCHW_VECT_C"))


def _s2d_dims(dims, b):
    n, h, w, c = dims
    return [n, None if h is None else h // b, None if w is None else w // b, None if c is None else c * b * b]


def _s2d_rule(x, block_size, data_format):
    op = "SpaceToDepth"
    _block_check(op, block_size, data_format)
    dims = x.shape.dims
    if dims is None:
        return AbstractValue(x.dtype, TensorShape([None] * 4))
    if len(dims) != 4:
        raise invalid(op, f"Input rank should be: 4 instead of: {len(dims)}")
    if data_format != "NHWC":
        raise errors.op_error(errors.NotFoundError, op, no_kernel(
            op, {"T": x.dtype, "block_size": block_size, "data_format": data_format}))
    _, h, w, _ = dims
    if (h is not None and h % block_size) or (w is not None and w % block_size):
        raise invalid(op, f"Image width {w} and height {h} should be divisible by block_size: {block_size}")
    return AbstractValue(x.dtype, _s2d_dims(dims, block_size))


def _d2s_rule(x, block_size, data_format):
    op = "DepthToSpace"
    _block_check(op, block_size, data_format)
    dims = x.shape.dims
    if dims is None:
        return AbstractValue(x.dtype, TensorShape([None] * 4))
    if len(dims) != 4:
        raise invalid(op, f"Input rank should be: 4 instead of: {len(dims)}")
    if data_format != "NHWC":
        raise errors.op_error(errors.NotFoundError, op, no_kernel(
            op, {"T": x.dtype, "block_size": block_size, "data_format": data_format}))
    n, h, w, c = dims
    bb = block_size * block_size
    if c is not None and c % bb:
        raise invalid(op, f"Input depth dimension {c} should be divisible by: {bb}")
    return AbstractValue(
        x.dtype,
        [
            n,
            None if h is None else h * block_size,
            None if w is None else w * block_size,
            None if c is None else c // bb,
        ],
    )


space_to_depth_p = Primitive("SpaceToDepth")
depth_to_space_p = Primitive("DepthToSpace")
space_to_depth_p.def_abstract(_s2d_rule)
depth_to_space_p.def_abstract(_d2s_rule)


@space_to_depth_p.def_kernel
def _space_to_depth(x, block_size, data_format):
    if (
        x.dim() != 4
        or data_format != "NHWC"
        or x.shape[1] % block_size
        or x.shape[2] % block_size
        or block_size < 2
    ):
        raise ValueError("bad input")
    n, h, w, c = x.shape
    b = block_size
    y = x.reshape(n, h // b, b, w // b, b, c).permute(0, 1, 3, 2, 4, 5)
    return y.reshape(n, h // b, w // b, b * b * c)


@depth_to_space_p.def_kernel
def _depth_to_space(x, block_size, data_format):
    if x.dim() != 4 or data_format != "NHWC" or x.shape[3] % (block_size * block_size) or block_size < 2:
        raise ValueError("bad input")
    n, h, w, c = x.shape
    b = block_size
    y = x.reshape(n, h, w, b, b, c // (b * b)).permute(0, 1, 3, 2, 4, 5)
    return y.reshape(n, h * b, w * b, c // (b * b))


space_to_depth_p.def_grad(lambda op, dy: [bind(depth_to_space_p, dy, **op.attrs)])
depth_to_space_p.def_grad(lambda op, dy: [bind(space_to_depth_p, dy, **op.attrs)])


@tf_export("nn.space_to_depth")
def space_to_depth(input, block_size, data_format="NHWC", name=None):  # noqa: A002
    """Moves block_size x block_size spatial blocks into the depth dimension."""
    return bind(space_to_depth_p, tensor(input), block_size=int(block_size), data_format=data_format)


@tf_export("nn.depth_to_space")
def depth_to_space(input, block_size, data_format="NHWC", name=None):  # noqa: A002
    """Moves depth into block_size x block_size spatial blocks (the inverse of space_to_depth)."""
    return bind(depth_to_space_p, tensor(input), block_size=int(block_size), data_format=data_format)


# ---- dropout -------------------------------------------------------------------------------------


def _noise_shape(x, noise_shape):
    if noise_shape is None:
        return T.shape(x)
    if isinstance(noise_shape, Tensor):
        return noise_shape
    try:
        dims = list(noise_shape)
    except TypeError:
        return noise_shape
    x_dims = x.shape.dims
    if x_dims is not None and len(x_dims) == len(dims):
        dims = [xd if (d is None and xd is not None) else d for d, xd in zip(dims, x_dims)]
    return dims


@tf_export("nn.dropout")
def dropout(x, rate, noise_shape=None, seed=None, name=None):
    """Zeroes elements with probability `rate` and scales the rest by 1 / (1 - rate); the mask is drawn
    with `tf.random.uniform(noise_shape, seed=seed)` (broadcast over `x` where noise_shape has 1s)."""
    is_number = isinstance(rate, numbers.Real) and not isinstance(rate, bool)
    if is_number and (rate < 0 or rate >= 1):
        raise ValueError(
            f"`rate` must be a scalar tensor or a float in the range [0, 1). Received: rate={rate}"
        )
    x = tensor(x)
    if not x.dtype.is_floating:
        raise ValueError(
            f"`x.dtype` must be a floating point tensor as `x` will be scaled. Received: x_dtype={x.dtype}"
        )
    if is_number and rate == 0:
        return x
    if not isinstance(rate, Tensor):
        if is_number:
            ret = T.multiply(x, tensor(1 / (1 - rate), dtype=x.dtype))
        else:
            raise ValueError(f"`rate` must be a scalar or scalar tensor. Received: rate={rate}")
    else:
        if rate.shape.rank not in (None, 0):
            raise ValueError(f"Shape {rate.shape} must have rank 0")
        if rate.dtype is not x.dtype:
            if not (rate.dtype.is_floating or rate.dtype.is_integer):
                raise ValueError(
                    f"`x.dtype` must be compatible with `rate.dtype`. Received: x.dtype={x.dtype!r} "
                    f"and rate.dtype={rate.dtype!r}"
                )
            rate = T.cast(rate, x.dtype)
        ret = T.truediv(x, T.subtract(tensor(1, dtype=x.dtype), rate))
    random = _uniform(_noise_shape(x, noise_shape), seed, x.dtype)
    keep = T.greater_equal(random, rate if isinstance(rate, Tensor) else tensor(rate, dtype=x.dtype))
    return T.where(keep, ret, tensor(0, dtype=x.dtype))


def _uniform(shape, seed, dtype):
    from tensorweave._src.api_export import EXPORTS

    return EXPORTS["random.uniform"](shape, seed=seed, dtype=dtype)


# ---- embedding_lookup ----------------------------------------------------------------------------


def _clip(params, ids, max_norm):
    if max_norm is None:
        return params
    ids_rank, params_rank = ids.shape.rank, params.shape.rank
    return T.clip_by_norm(params, max_norm, axes=list(range(ids_rank, params_rank)))


@tf_export("nn.embedding_lookup")
def embedding_lookup(params, ids, max_norm=None, name=None):
    """Rows of `params` (a tensor, or a list of shards split by TF's "div" strategy) for `ids`,
    each clipped to L2 norm `max_norm` when given."""
    if params is None:
        raise ValueError("params must be specified")
    if isinstance(params, (list, tuple)) and not params:
        raise ValueError("Length of params is currently 0. Need at least one param.")
    shards = list(params) if isinstance(params, (list, tuple)) else [params]
    # TF converts params and ids first
    shards = [p.value() if hasattr(p, "value") and not isinstance(p, Tensor) else convert_to_tensor(p)
              for p in shards]
    ids = convert_to_tensor(ids)
    table = shards[0] if len(shards) == 1 else T.concat(shards, 0)
    if len(shards) == 1 and isinstance(params, Variable):
        table = params  # TF reads the rows from the variable (its errors name ResourceGather)
    return T.identity(_clip(T.gather(table, ids), ids, max_norm))


@tf_export("math.zero_fraction", "nn.zero_fraction")
def zero_fraction(value, name=None):
    """The fraction of zeros in `value` (float32)."""
    value = tensor(value)
    zero = tensor(0, dtype=value.dtype) if value.dtype is not _dt.string else None
    nonzero = T.cast(T.not_equal(value, zero), _dt.float32)
    return T.subtract(tensor(1.0), T.reduce_mean(nonzero))
