"""Tensor creation: `tf.zeros`, `tf.ones`, `tf.fill`, `tf.zeros_like`, `tf.ones_like`, `tf.range`,
`tf.linspace`.

>>> import tensorweave as tf
>>> print(tf.range(1., 5))
tf.Tensor([1. 2. 3. 4.], shape=(4,), dtype=float32)
"""

from __future__ import annotations

import math

import numpy as np
import torch

from tensorweave._src.api_export import tf_export
from tensorweave._src.core import backend
from tensorweave._src.core import dtypes as _dt
from tensorweave._src.core.convert import convert_to_tensor
from tensorweave._src.core.dispatch import bind
from tensorweave._src.core.primitive import AbstractValue, Primitive
from tensorweave._src.core.shape import TensorShape
from tensorweave._src.core.tensor import Tensor
from tensorweave._src.ops._common import broadcast_shape, dims_str, invalid, same_as_input, tensor
from tensorweave._src.ops.array._util import (
    bad_attr,
    const_list,
    dense,
    int_tensor,
    is_np,
    mismatch,
    no_gradient,
    shape_tensor,
    tf_op,
)
from tensorweave._src.ops.cast import cast

# ---- Fill / zeros / ones ----------------------------------------------------------------------------

fill_p = Primitive("Fill")


def _check_fill_dims(dims):
    for d in dims:
        if d < 0:
            raise invalid("Fill", f"Dimension {d} must be >= 0")


@fill_p.def_kernel
def _fill(dims, value):
    if dims.dim() > 1:
        raise ValueError("dims must be a vector")
    shape = dims.reshape(-1).tolist()
    if is_np(value):
        _check_fill_dims(shape)
        return np.full(shape, value.reshape(-1)[0], dtype=object)
    if min(shape, default=0) < 0:
        _check_fill_dims(shape)
    return torch.full(shape, value.reshape(()).item(), dtype=value.dtype, device=value.device)


@fill_p.def_abstract
def _fill_rule(dims, value):
    if dims.shape.rank is not None and dims.shape.rank > 1:
        raise invalid("Fill", f"dims must represent a vector, got shape {dims_str(dims.shape)}")
    if value.shape.rank is not None and value.shape.rank > 0 and value.shape.num_elements() != 1:
        raise invalid("Fill", f"value must represent a scalar, got shape {dims_str(value.shape)}")
    shape = const_list(dims)
    if shape is None:
        n = dims.shape[0] if dims.shape.rank == 1 else 1 if dims.shape.rank == 0 else None
        return AbstractValue(value.dtype, None if n is None else [None] * n)
    shape = [shape] if isinstance(shape, int) else shape
    _check_fill_dims(shape)
    return AbstractValue(value.dtype, shape)


@fill_p.def_grad
def _fill_grad(op, dy):
    return None, tf_op("reduce_sum")(dy)


@tf_export("fill")
def fill(dims, value, name=None, layout=None):
    """A tensor of shape `dims` filled with scalar `value` (whose dtype it takes). `layout` (DTensor) is
    not supported."""
    if layout is not None:
        raise NotImplementedError("tf.fill: DTensor layouts are not supported")
    return bind(fill_p, shape_tensor("Fill", dims, "index_type"), tensor(value))


_SCALARS: dict = {}


def _scalar(value: int, dtype: _dt.DType) -> Tensor:
    """A cached scalar 0 or 1 of `dtype` ('' for zero strings)."""
    key = (value, dtype)
    t = _SCALARS.get(key)
    if t is None:
        if dtype is _dt.string:
            if value != 0:
                raise TypeError(f"Cannot convert {value} to EagerTensor of dtype string")
            t = convert_to_tensor(b"", dtype=dtype)
        else:
            t = convert_to_tensor(bool(value) if dtype is _dt.bool else value, dtype=dtype)
        _SCALARS[key] = t
    return t


def _shape_arg(shape) -> Tensor:
    """zeros/ones convert a Python shape with dtype int32 (so floats raise TypeError)."""
    t = shape_tensor("Fill", shape, "index_type", _dt.ALL, tf_converts=True)
    if not t.dtype.is_integer:
        convert_to_tensor(shape, dtype=_dt.int32)  # raises TF's TypeError
        raise bad_attr("Fill", "index_type", t.dtype, (_dt.int32, _dt.int64))
    return t


@tf_export("zeros")
def zeros(shape, dtype=_dt.float32, name=None, layout=None):
    """A tensor of shape `shape` and type `dtype` with all elements zero ('' for strings)."""
    dtype = _dt.as_dtype(dtype)
    return bind(fill_p, _shape_arg(shape), _scalar(0, dtype))


@tf_export("ones")
def ones(shape, dtype=_dt.float32, name=None, layout=None):
    """A tensor of shape `shape` and type `dtype` with all elements one."""
    dtype = _dt.as_dtype(dtype)
    return bind(fill_p, _shape_arg(shape), _scalar(1, dtype))


zeros_like_p = Primitive("ZerosLike")
ones_like_p = Primitive("OnesLike", allowed=_dt.NUMERIC | {_dt.bool})


@zeros_like_p.def_kernel
def _zeros_like(x):
    if getattr(type(x), "tensor_dtype", None) is _dt.variant:  # a TensorList: a list of zeros
        return x.zeros_like()
    if is_np(x):
        return np.full(x.shape, b"", dtype=object)
    return torch.zeros_like(x)


@ones_like_p.def_kernel
def _ones_like(x):
    return torch.ones_like(x)


zeros_like_p.def_abstract(same_as_input)
ones_like_p.def_abstract(same_as_input)
zeros_like_p.def_grad(no_gradient)  # TF: constant outputs give the input no gradient (None)
ones_like_p.def_grad(no_gradient)


def _like(prim, value, input, dtype, fill_value):
    x = tensor(input if value is None else value)
    if dtype is not None:
        dtype = _dt.as_dtype(dtype)
        if dtype is not x.dtype:
            from tensorweave._src.ops.array.queries import shape as _shape
            return bind(fill_p, _shape(x), _scalar(fill_value, dtype))
    return bind(prim, x)


@tf_export("zeros_like")
def zeros_like(input, dtype=None, name=None, layout=None):  # noqa: A002
    """Zeros with the shape of `input` (and its dtype unless `dtype` is given)."""
    return _like(zeros_like_p, None, input, dtype, 0)


@tf_export("ones_like")
def ones_like(input, dtype=None, name=None, layout=None):  # noqa: A002
    """Ones with the shape of `input` (and its dtype unless `dtype` is given)."""
    return _like(ones_like_p, None, input, dtype, 1)


# ---- Range ------------------------------------------------------------------------------------------

_RANGE_ALLOWED = (_dt.bfloat16, _dt.float16, _dt.float32, _dt.float64, _dt.int8, _dt.int16, _dt.int32,
                  _dt.int64, _dt.uint16, _dt.uint32, _dt.uint64)
_RANGE_HIERARCHY = (_dt.int32, _dt.int64, _dt.float16, _dt.bfloat16, _dt.float32, _dt.float64)
range_p = Primitive("Range", allowed=_RANGE_ALLOWED)


def _num(v) -> str:
    """A number as TF's C++ stream prints it (`5`, `5.5`, `0.3`)."""
    if isinstance(v, float):
        return format(v, "g")
    return str(v)


def _range_size(start, limit, delta, is_int: bool) -> int:
    if delta == 0:
        raise invalid("Range", f"Requires delta != 0: {_num(delta)}")
    if delta > 0 and start > limit:
        raise invalid("Range", f"Requires start <= limit when delta > 0: {_num(start)}/{_num(limit)}")
    if delta < 0 and start < limit:
        raise invalid("Range", f"Requires start >= limit when delta < 0: {_num(start)}/{_num(limit)}")
    if is_int:
        return (abs(limit - start) + abs(delta) - 1) // abs(delta)
    return int(math.ceil(abs((limit - start) / delta)))


def _item(x):
    return x.item()


@range_p.def_kernel
def _range(start, limit, delta):
    s, lim, d = _item(start), _item(limit), _item(delta)
    dtype = start.dtype
    is_int = not dtype.is_floating_point
    n = _range_size(s, lim, d, is_int)
    if is_int:
        return (torch.arange(n, dtype=torch.int64) * d + s).to(dtype)
    # TF accumulates `value += delta` in the output type; numpy's cumsum does the same
    tw = backend.DTYPE_OF_TORCH[dtype]
    steps = np.full(n, d, dtype=tw.as_numpy_dtype)
    if n:
        steps[0] = s
    return backend.from_numpy(np.cumsum(steps, dtype=tw.as_numpy_dtype), tw, copy=False)


@range_p.def_abstract
def _range_rule(start, limit, delta):
    values = [const_list(v) for v in (start, limit, delta)]
    if any(v is None for v in values):
        return AbstractValue(start.dtype, [None])
    s, lim, d = (v[0] if isinstance(v, list) else v for v in values)
    n = _range_size(s, lim, d, start.dtype.is_integer)
    return AbstractValue(start.dtype, [n])


range_p.def_grad(no_gradient)


@tf_export("range")
def range(start, limit=None, delta=1, dtype=None, name="range"):  # noqa: A001 - TF's public name
    """Numbers from `start` up to (not including) `limit` by `delta`, like Python's range.

    The dtype is inferred from the arguments (int32 < int64 < float16 < bfloat16 < float32 < float64)
    unless `dtype` is given.
    """
    if limit is None:
        start, limit = 0, start
    dtype = None if dtype is None else _dt.as_dtype(dtype)
    args = [v if isinstance(v, Tensor) else int_tensor(v) if dtype is None and type(v) is int
            else convert_to_tensor(v, dtype=dtype) for v in (start, limit, delta)]
    if dtype is None:
        for a in args:
            if a.dtype not in _RANGE_HIERARCHY:
                raise AssertionError(f"tf.range arguments must be int32, int64, float16, bfloat16, "
                                     f"float32 or float64, got {a.dtype.name}")
        dtype = max((a.dtype for a in args), key=_RANGE_HIERARCHY.index)
    if dtype not in _RANGE_ALLOWED:
        raise bad_attr("Range", "Tidx", dtype, _RANGE_ALLOWED)
    args = [a if a.dtype is dtype else cast(a, dtype) for a in args]
    return bind(range_p, *args)


# ---- LinSpace ---------------------------------------------------------------------------------------

lin_space_p = Primitive("LinSpace", allowed=_dt.FLOATS)


def _linspace_shape(op, start_dims, stop_dims, axis):
    dims = broadcast_shape(op, TensorShape(start_dims), TensorShape(stop_dims)).dims
    rank = len(dims) + 1
    if not -rank <= axis < rank:
        raise invalid("ExpandDims", f"Tried to expand dim index {axis} for tensor with {rank - 1} "
                                    "dimensions.")
    return dims, axis + rank if axis < 0 else axis


@lin_space_p.def_kernel
def _lin_space(start, stop, num, axis):
    n = int(num.item())
    if n < 0:
        raise invalid("Range", "Requires start <= limit when delta > 0: 1/-1")
    start, stop = torch.broadcast_tensors(start, stop)
    dims, axis = _linspace_shape("LinSpace", list(start.shape), list(stop.shape), axis)
    start, stop = start.unsqueeze(axis), stop.unsqueeze(axis)
    steps = max(n - 1, 1)
    delta = (stop - start) / torch.tensor(steps, dtype=start.dtype, device=start.device)
    shape = [1] * len(start.shape)
    shape[axis] = max(n - 2, 0)
    idx = torch.arange(1, max(n - 1, 1), dtype=torch.int64, device=start.device)
    idx = idx.to(start.dtype).reshape(shape)
    out = torch.cat([start, start + delta * idx, stop], dim=axis)
    return out.narrow(axis, 0, n)


@lin_space_p.def_abstract
def _lin_space_rule(start, stop, num, axis):
    if start.dtype is not stop.dtype:
        raise invalid("LinSpace", "start and stop must have the same dtype")
    if start.shape.rank is None or stop.shape.rank is None:
        return AbstractValue(start.dtype, None)
    dims, axis = _linspace_shape("LinSpace", start.shape.dims, stop.shape.dims, axis)
    n = const_list(num)
    if n is not None and n < 0:
        raise invalid("Range", "Requires start <= limit when delta > 0: 1/-1")
    return AbstractValue(start.dtype, dims[:axis] + [n] + dims[axis:])


@lin_space_p.def_grad
def _lin_space_grad(op, dy):
    """Output i is start + (stop - start) * w_i with w_i = i / max(num - 1, 1)."""
    start, _, num = op.inputs
    dy = dense(dy)
    out = op.outputs[0]
    axis = op.get_attr("axis")
    rank = out.shape.rank
    a = axis + rank if axis < 0 else axis
    n = out.shape[a]
    shape = [1] * rank
    shape[a] = -1
    if n is not None:
        w = convert_to_tensor(np.arange(n) / max(n - 1, 1), dtype=start.dtype)
    else:
        i = cast(tf_op("range")(num), start.dtype)
        w = i / cast(tf_op("maximum")(num - 1, 1), start.dtype)
    w = tf_op("reshape")(w, shape)
    reduce_sum = tf_op("reduce_sum")
    g_stop = reduce_sum(dy * w, axis=a)
    return reduce_sum(dy, axis=a) - g_stop, g_stop, None


@tf_export("linspace")
def linspace(start, stop, num, name=None, axis=0):
    """`num` evenly spaced values from `start` to `stop` (inclusive) along a new axis `axis`."""
    start = tensor(start)
    stop = stop if isinstance(stop, Tensor) else convert_to_tensor(stop, dtype=start.dtype)
    if isinstance(num, Tensor):
        n = num
    else:
        n = convert_to_tensor(num)
    if not n.dtype.is_integer:
        raise TypeError(f"Argument `tensor` (name: num) must be of type integer. Received `tensor` = "
                        f"{n.numpy()} of dtype: {n.dtype}")
    if start.dtype is not stop.dtype:
        raise mismatch("LinSpace", 1, start.dtype, stop.dtype)
    if not (start.dtype.is_floating or start.dtype.is_complex):
        start, stop = cast(start, _dt.float64), cast(stop, _dt.float64)
    return bind(lin_space_p, start, stop, n, axis=int(axis))

