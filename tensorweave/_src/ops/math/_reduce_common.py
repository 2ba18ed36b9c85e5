"""Shared helpers of the reduction-like ops (reductions, arg-reductions, scans): axis inputs and rules.

TF takes reduction axes as an int32/int64 *tensor* input (`reduction_indices`), so the abstract rules
read its constant value when known and produce partially unknown shapes otherwise.
"""

from __future__ import annotations

import numpy as np
import torch

from tensorweave._src.core import dtypes as _dt
from tensorweave._src.core import errors
from tensorweave._src.core.op_messages import mark_converted
from tensorweave._src.core.shape import TensorShape
from tensorweave._src.core.tensor import EagerTensor, Tensor
from tensorweave._src.ops._common import invalid, tensor

_UNSUPPORTED_BY_TORCH = (torch.uint16, torch.uint32, torch.uint64)


def wide(x: torch.Tensor) -> torch.Tensor:
    """`x` in a dtype torch can accumulate in: small/unsigned ints widen to int64 (wrapping preserved)."""
    if x.dtype in _UNSUPPORTED_BY_TORCH or (not x.is_floating_point() and not x.is_complex()
                                           and x.dtype is not torch.bool and x.dtype is not torch.int64):
        return x.to(torch.int64)
    return x


def narrow(y: torch.Tensor, like: torch.dtype) -> torch.Tensor:
    """Casts an accumulated result back to the input's dtype (integers wrap as TF's do)."""
    if y.dtype is like:
        return y
    if like in _UNSUPPORTED_BY_TORCH:
        # torch cannot cast int64 -> uint32/uint64 arithmetically everywhere; go through numpy
        return torch.from_numpy(y.numpy().astype({torch.uint16: np.uint16, torch.uint32: np.uint32,
                                                  torch.uint64: np.uint64}[like]))
    return y.to(like)


def tidx_error(op_name: str, dtype: _dt.DType) -> errors.OpError:
    name = {"float32": "float", "float64": "double", "float16": "half"}.get(dtype.name, dtype.name)
    return invalid(op_name, f"Value for attr 'Tidx' of {name} is not in the list of allowed values: "
                            f"int32, int64")


_AXES: dict = {}  # Python axis -> its tensor (tensors are immutable; reductions in loops reuse them)


def _axis_key(axis):
    if type(axis) is int:
        return axis
    if type(axis) in (list, tuple) and all(type(a) is int for a in axis):
        return (type(axis) is list, tuple(axis))
    return None


def axis_input(op_name: str, axis, x: Tensor, input_was_tensor: bool = False):
    """The `reduction_indices` tensor for `axis` (None: every dimension of `x`)."""
    if axis is None:
        rank = x.shape.rank
        if rank is None:
            raise ValueError(f"{op_name}: reducing over all axes needs a known rank")
        t = _AXES.get(("all", rank))
        if t is None:
            t = _AXES[("all", rank)] = tensor(np.arange(rank, dtype=np.int32))
        return t
    if isinstance(axis, float) and input_was_tensor:
        # TF's eager fast path converts a Python axis to int32 when the input is already a tensor
        raise TypeError(f"Cannot convert {axis!r} to EagerTensor of dtype int32")
    if isinstance(axis, Tensor):
        t = axis
    else:
        key = _axis_key(axis)
        t = _AXES.get(key) if key is not None else None
        if t is None:
            arr = np.asarray(axis)
            if arr.size == 0 and not isinstance(axis, np.ndarray):
                arr = arr.astype(np.int32)
            if arr.dtype.kind in "iu":
                arr = arr.astype(np.int64 if arr.dtype == np.int64 else np.int32)
            t = mark_converted(axis, tensor(arr))  # TF passes `axis` to its op as given
            if key is not None:
                if len(_AXES) >= 1024:
                    _AXES.clear()
                _AXES[key] = t
    if t.dtype is not _dt.int32 and t.dtype is not _dt.int64:
        raise tidx_error(op_name, t.dtype)
    return t


def reduction_axes(op_name: str, axes, rank: int) -> list:
    """Validates and normalizes constant reduction indices against `rank` (TF's messages)."""
    out = []
    for a in (axes if type(axes) is list else np.asarray(axes).reshape(-1).tolist()):
        if not -rank <= a < rank:
            raise invalid(op_name, f"Invalid reduction dimension ({a} for input with {rank} dimension(s)")
        a = a + rank if a < 0 else a
        if a in out:
            raise invalid(op_name, f"Invalid reduction arguments: Axes contains duplicate dimension: {a}")
        out.append(a)
    return out


_NORMALIZED: dict = {}  # (id(axis value), rank) -> (axis value, axes); Python axes are cached tensors


def normalized_axes(op_type: str, axis, rank: int) -> list:
    """The validated, non-negative reduction axes (cached: the same axis tensor comes back in loops; the
    entry holds the tensor, so its id cannot be reused while cached)."""
    key = (id(axis), rank)
    hit = _NORMALIZED.get(key)
    if hit is not None and hit[0] is axis:
        return hit[1]
    axes = reduction_axes(op_type, axis.reshape(-1).tolist(), rank)
    if len(_NORMALIZED) >= 1024:
        _NORMALIZED.clear()
    _NORMALIZED[key] = (axis, axes)
    return axes


def reduced_shape(op_name: str, x, axis, keep_dims: bool) -> TensorShape:
    """The static output shape of a reduction of `x` over tensor `axis`."""
    rank = x.shape.rank
    axes = getattr(axis, "const", None)
    if rank is None:
        return TensorShape(None)
    if axes is None:
        if keep_dims:
            return TensorShape([None] * rank)
        n = axis.shape.num_elements()
        return TensorShape(None) if n is None else TensorShape([None] * max(rank - n, 0))
    axes = reduction_axes(op_name, axes, rank)
    dims = x.shape.as_list()
    if keep_dims:
        return TensorShape([1 if i in axes else d for i, d in enumerate(dims)])
    return TensorShape([d for i, d in enumerate(dims) if i not in axes])


def scan_axis(op_name: str, axis, rank: int) -> int:
    """Validates a scalar axis for scans and arg-reductions (TF's message), normalized."""
    a = int(np.asarray(axis).reshape(-1)[0]) if np.asarray(axis).size else 0
    if not -rank <= a < rank:
        raise invalid(op_name, f"Expected dimension in the range [{-rank}, {rank}), but got {a}")
    return a + rank if a < 0 else a


def public(name: str):
    """A public op owned by a sibling op family (e.g. `reshape`), looked up at call time so that op
    families do not import each other's modules."""
    from tensorweave._src.api_export import EXPORTS
    return EXPORTS[name]


# ---- gradient helpers ----------------------------------------------------------------------------

def static_dims(op_name: str, x) -> list:
    """The fully known static dims of `x` (gradient rules of reductions need them)."""
    shape = x.shape
    if shape.rank is None or not shape.is_fully_defined():
        raise NotImplementedError(f"{op_name} gradient needs a fully known input shape, got {shape}")
    return shape.as_list()


def reduction_grad_info(op, dynamic: bool = False):
    """`(dims, axes, kept)` of a recorded reduction op (inputs (input, reduction_indices)): the input's
    dims, the normalized reduced axes and the output shape as if keep_dims were set.

    With `dynamic`, an input whose shape is only partly known (a traced batch dimension) gives `dims`
    and `kept` as int32 shape tensors computed at run time instead of lists."""
    x, axis = op.inputs[0], op.inputs[1]
    if type(x) is EagerTensor and type(axis) is EagerTensor:  # eager: torch sizes and cached axes
        dims = list(x._value.shape)
        axes = normalized_axes(op.type, axis._value, len(dims))
        return dims, axes, [1 if i in axes else d for i, d in enumerate(dims)]
    const = getattr(axis, "const", None)
    if const is None:
        raise NotImplementedError(f"{op.type} gradient needs constant reduction indices")
    rank = x.shape.rank
    if dynamic and rank is not None and not x.shape.is_fully_defined():
        axes = reduction_axes(op.type, np.asarray(const).reshape(-1).tolist(), rank)
        dims = public("shape")(x)
        ones = [[a] for a in axes]
        kept = public("tensor_scatter_nd_update")(dims, ones, [1] * len(axes)) if axes else dims
        return dims, axes, kept
    dims = static_dims(op.type, x)
    axes = reduction_axes(op.type, np.asarray(const).reshape(-1).tolist(), len(dims))
    kept = [1 if i in axes else d for i, d in enumerate(dims)]
    return dims, axes, kept
