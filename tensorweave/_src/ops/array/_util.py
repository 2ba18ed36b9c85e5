"""Helpers shared by the array ops: shape-like tensor arguments and numpy/torch kernel dispatch.

Shape-like arguments that TF takes as tensors (reshape's `shape`, fill's `dims`, slice's `begin`, ...)
become int32/int64 tensors here; kernels read them with `.tolist()`, abstract rules with `.const`.
"""

from __future__ import annotations

import numbers

import numpy as np
import torch

from tensorweave._src.core import dtypes as _dt
from tensorweave._src.core import errors
from tensorweave._src.core.convert import convert_to_tensor
from tensorweave._src.core.op_messages import fallback_if, mark_converted
from tensorweave._src.core.shape import TensorShape
from tensorweave._src.core.tensor import EagerTensor, Tensor
from tensorweave._src.ops._common import invalid

INDEX_DTYPES = (_dt.int32, _dt.int64)
_TF_NAMES = {"float16": "half", "float32": "float", "float64": "double"}
_INT32_MIN, _INT32_MAX = -(2**31), 2**31 - 1
_ndarray = np.ndarray


def tf_name(dtype: _dt.DType) -> str:
    """A dtype as TF's kernels word it in messages (`float`, `double`, `int32`)."""
    return _TF_NAMES.get(dtype.name, dtype.name)


def bad_attr(op_name: str, attr: str, dtype: _dt.DType, allowed) -> errors.OpError:
    """TF's error for an input whose dtype is not allowed for type attr `attr`."""
    names = ", ".join(tf_name(d) for d in allowed)
    return invalid(op_name, f"Value for attr '{attr}' of {tf_name(dtype)} is not in the list of "
                            f"allowed values: {names}")


def mismatch(op_name: str, index: int, expected: _dt.DType, got: _dt.DType) -> errors.OpError:
    return invalid(op_name, f"cannot compute {op_name} as input #{index}(zero-based) was expected to "
                            f"be a {tf_name(expected)} tensor but is a {tf_name(got)} tensor")


_INT_CACHE: dict = {}
_INT_CACHE_SIZE = 4096


def int_tensor(value) -> Tensor:
    """A Python int / list of ints as an int32 tensor (int64 when it does not fit), quickly: small
    shape-like constants are cached (tensors are immutable, so sharing them is safe)."""
    if type(value) is list or type(value) is tuple:
        key = items = tuple(value)
        if not all(type(v) is int for v in items):
            return convert_to_tensor(value)
    elif type(value) is int:
        key, items = value, (value,)
    else:
        return convert_to_tensor(value)
    t = _INT_CACHE.get(key)
    if t is not None:
        return t
    if all(_INT32_MIN <= v <= _INT32_MAX for v in items):
        t = EagerTensor(torch.tensor(key, dtype=torch.int32), _dt.int32)
    else:
        t = EagerTensor(torch.tensor(key, dtype=torch.int64), _dt.int64)
    if len(_INT_CACHE) >= _INT_CACHE_SIZE:
        _INT_CACHE.clear()
    _INT_CACHE[key] = t
    return t


def shape_tensor(op_name: str, value, attr: str = "Tshape", allowed=INDEX_DTYPES,
                 tf_converts: bool = False) -> Tensor:
    """A shape-like argument (list, tuple, TensorShape, numpy array or tensor) as an int tensor;
    marked when converted from a list (see core/op_messages.py) unless `tf_converts` (TF's Python
    converts this argument before its op sees it)."""
    if isinstance(value, Tensor):
        t = value
    elif hasattr(value, "_as_tensor"):
        t = value._as_tensor()
    elif isinstance(value, TensorShape):
        if not value.is_fully_defined():
            raise ValueError(f"Cannot convert a partially known TensorShape {value} to a Tensor.")
        t = int_tensor(value.as_list()) if tf_converts else mark_converted(value, int_tensor(value.as_list()))
    else:
        t = int_tensor(value) if tf_converts else mark_converted(value, int_tensor(value))
    if t.dtype not in allowed:
        raise fallback_if(bad_attr(op_name, attr, t.dtype, allowed), t)
    return t


def index_tensors(op_name: str, values, first_input: int = 1, attr: str = "Index",
                  allowed=INDEX_DTYPES) -> list:
    """Converts several index-like arguments sharing one type attr (as TF's op helper does): the
    first tensor among them fixes the dtype, the others are converted to it."""
    dtype = None
    for v in values:
        if isinstance(v, Tensor):
            dtype = v.dtype
            break
    out = []
    for i, v in enumerate(values):
        if isinstance(v, Tensor):
            if dtype is not None and v.dtype is not dtype:
                raise mismatch(op_name, first_input + i, dtype, v.dtype)
            t = v
        elif dtype is None:
            t = mark_converted(v, int_tensor(v.as_list() if isinstance(v, TensorShape) else v))
            dtype = t.dtype
        else:
            t = mark_converted(v, convert_to_tensor(v, dtype=dtype))
        if t.dtype not in allowed:
            raise fallback_if(bad_attr(op_name, attr, t.dtype, allowed), *out, t)
        out.append(t)
    return out


def const_list(x):
    """The value of an int tensor (or AbstractValue) as a Python list/int, or None when unknown."""
    c = getattr(x, "const", None)
    if c is None:
        return None
    return np.asarray(c).tolist()


def np_out(v):
    """A numpy kernel result as an object array (numpy indexing gives bare bytes for scalars)."""
    return v if type(v) is _ndarray else np.array(v, dtype=object)


_SIGNED_VIEW = {torch.uint16: torch.int16, torch.uint32: torch.int32, torch.uint64: torch.int64}


def flip(x, dims):
    """`x` reversed along `dims` (numpy object arrays too; torch has no flip for uint16/32/64, so
    those are flipped through a same-width signed view)."""
    if type(x) is _ndarray:
        return np.flip(x, dims).copy()
    view = _SIGNED_VIEW.get(x.dtype)
    if view is not None:
        return torch.flip(x.view(view), dims).view(x.dtype)
    return torch.flip(x, dims)


def index_select(x, dim: int, index):
    """`x.index_select(dim, index)`, also for uint16/32/64 (through a same-width signed view)."""
    view = _SIGNED_VIEW.get(x.dtype)
    if view is not None:
        return x.view(view).index_select(dim, index).view(x.dtype)
    return x.index_select(dim, index)


def is_np(x) -> bool:
    """True when a kernel value is a numpy object array (a string tensor)."""
    return type(x) is _ndarray


def py_int(x, what: str = "value") -> int:
    """`x` (a Python/numpy int or a scalar int tensor) as a Python int."""
    if isinstance(x, numbers.Integral) and not isinstance(x, bool):
        return int(x)
    if isinstance(x, Tensor) and x.dtype.is_integer and x.shape.rank == 0:
        return int(x)
    if isinstance(x, np.ndarray) and x.ndim == 0 and x.dtype.kind in "iu":
        return int(x)
    raise TypeError(f"{what} must be an integer, got {x!r}")


def dims_of(shape) -> list | None:
    """The dims of a TensorShape as a list, or None for unknown rank."""
    return shape.dims


def tensor_list(op_name: str, values) -> list:
    """Converts a list input sharing one dtype attr `T` as TF's op helper does: the first tensor
    fixes the dtype (else the first converted value does); mismatched tensors are rejected."""
    dtype = None
    for v in values:
        if isinstance(v, Tensor) or hasattr(v, "_as_tensor"):
            dtype = v.dtype
            break
    out = []
    for i, v in enumerate(values):
        if isinstance(v, Tensor):
            t = v
        elif hasattr(v, "_as_tensor"):
            t = v._as_tensor()
        else:
            t = mark_converted(v, convert_to_tensor(v, dtype=dtype))
        if dtype is None:
            dtype = t.dtype
        elif t.dtype is not dtype:
            raise fallback_if(mismatch(op_name, i, dtype, t.dtype), *out, t)
        out.append(t)
    return out


# ---- gradient-rule helpers ---------------------------------------------------------------------------

def tf_op(name: str):
    """A public op looked up at call time (gradient rules use ops of later modules; no import cycles)."""
    from tensorweave._src.api_export import EXPORTS
    return EXPORTS[name]


def shape_of(x):
    """`x`'s shape as a Python list when fully known, else as a shape tensor (`tf.shape(x)`)."""
    s = x.shape
    if s.rank is not None and s.is_fully_defined():
        return s.as_list()
    return tf_op("shape")(x)


def dense(g):
    """An incoming gradient as a dense tensor (IndexedSlices, e.g. from a gather, are densified)."""
    convert = getattr(g, "_as_dense", None)
    return convert() if convert is not None else g


def no_gradient(op, *dys):
    """The rule of an op without a gradient (integer or constant outputs): None for every input, as
    TF's NotDifferentiable ops give."""
    return [None] * len(op.inputs)
