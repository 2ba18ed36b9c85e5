"""`tf.strided_slice`, `Tensor.__getitem__` and the strided-slice update behind `v[...].assign(...)`.

`__getitem__` turns its key into begin/end/strides and the five masks exactly as TF's `_slice_helper`
does; the StridedSlice kernel and shape rule share `_plan`, a port of TF's ValidateStridedSliceOp.

>>> import tensorweave as tf
>>> x = tf.reshape(tf.range(6), [2, 3])
>>> print(x[:, ::-1])
tf.Tensor(
[[2 1 0]
 [5 4 3]], shape=(2, 3), dtype=int32)
"""

from __future__ import annotations

import builtins
import numbers

import numpy as np
import torch

from tensorweave._src import api_export
from tensorweave._src.api_export import tf_export
from tensorweave._src.core import dtypes as _dt
from tensorweave._src.core import errors
from tensorweave._src.core.convert import convert_to_tensor
from tensorweave._src.core.dispatch import bind
from tensorweave._src.core.op_messages import as_op, with_name
from tensorweave._src.core.primitive import AbstractValue, Primitive
from tensorweave._src.core.shape import Dimension
from tensorweave._src.core.tensor import EagerTensor, Tensor
from tensorweave._src.ops._common import dims_str, invalid, tensor
from tensorweave._src.ops.array._util import (
    const_list,
    dense,
    flip,
    index_tensors,
    int_tensor,
    is_np,
    mismatch,
    np_out,
    shape_of,
    tf_op,
)

_py_slice = builtins.slice
_INDEX = (_dt.int16, _dt.int32, _dt.int64)
_SS = "StridedSlice"


def _plan(op, dims, n, begin, end, strides, begin_mask, end_mask, ellipsis_mask, new_axis_mask,
          shrink_axis_mask):
    """TF's strided-slice validation. `dims` are the input dims (None = unknown), `n` the number of
    sparse entries, `begin`/`end`/`strides` lists (or None when unknown).

    Returns `(entries, final_dims)`: entries in output order, each None (new axis), an int (an index
    that removes its dim) or `(start, stop, step, reversed)` for a kept dim; final_dims the output
    dims (None where unknown)."""
    if ellipsis_mask & (ellipsis_mask - 1):
        raise invalid(op, "Multiple ellipses in slice spec not allowed")
    after, seen = 0, False
    for i in range(n):
        if seen and (new_axis_mask >> i) & 1:
            after += 1
        if (ellipsis_mask >> i) & 1:
            seen = True
    if not seen:
        ellipsis_mask |= 1 << n
        n += 1
    rank = len(dims)
    entries, final = [], []
    full = 0
    for i in range(n):
        bit = 1 << i
        if ellipsis_mask & bit:
            stop = min(rank - (n - i) + 1 + after, rank)
            while full < stop:
                d = dims[full]
                entries.append((0, d, 1, False))
                final.append(d)
                full += 1
        elif new_axis_mask & bit:
            entries.append(None)
            final.append(1)
        else:
            if full == rank:
                if rank == 0:
                    raise invalid(op, "Attempting to slice scalar input.")
                raise invalid(op, f"Index out of range using input dim {full}; input has only {rank} dims")
            entry, size = _dense_dim(op, full, dims[full], i, begin, end, strides, begin_mask & bit,
                                     end_mask & bit, shrink_axis_mask & bit)
            entries.append(entry)
            if not (shrink_axis_mask & bit):
                final.append(size)
            full += 1
    return entries, final


def _dense_dim(op, i, dim, si, begin, end, strides, bmask, emask, shrink):
    stride = None if strides is None else strides[si]
    if stride == 0:
        raise invalid(op, f"strides[{i}] must be non-zero")
    if shrink and stride is not None and stride <= 0:
        raise invalid(op, "only stride 1 allowed on non-range indexing.")
    if begin is None or end is None or stride is None or dim is None:
        if shrink:
            return (None if begin is None else begin[si]), 1
        if bmask and emask and stride is not None and dim is not None:
            return None, -(-dim // abs(stride))
        return None, None
    b, e = begin[si], end[si]
    if shrink:
        fwd = b + dim if b < 0 else b
        if not 0 <= fwd < dim:
            raise invalid(op, f"slice index {fwd} of dimension {i} out of bounds.")
        return fwd, 1
    lo_valid, hi_valid = (0, dim) if stride > 0 else (-1, dim - 1)

    def canonical(x, masked, c):
        if masked:
            return (lo_valid, hi_valid)[c] if stride > 0 else (lo_valid, hi_valid)[(c + 1) & 1]
        x = x + dim if x < 0 else x
        return min(max(x, lo_valid), hi_valid)

    b, e = canonical(b, bmask, 0), canonical(e, emask, 1)
    length = e - b
    if length == 0 or (length < 0) != (stride < 0):
        return (0, 0, 1, False), 0
    size = -(-abs(length) // abs(stride))
    if stride > 0:
        return (b, e, stride, False), size
    return (b + (size - 1) * stride, b + 1, -stride, True), size


def _apply(x, entries):
    """`x` indexed by planned entries; returns (view, dims of the output to flip)."""
    key, flips, pos = [], [], 0
    for e in entries:
        if e is None:
            key.append(None)
            pos += 1
        elif type(e) is int:
            key.append(e)
        else:
            key.append(_py_slice(e[0], e[1], e[2]))
            if e[3]:
                flips.append(pos)
            pos += 1
    return x[tuple(key)], flips


def _flip(x, flips):
    if not flips:
        return x
    return flip(x, flips)


strided_slice_p = Primitive(_SS)
strided_slice_update_p = Primitive("TensorStridedSliceUpdate")


@strided_slice_p.def_kernel
def _strided_slice(x, begin, end, strides, begin_mask, end_mask, ellipsis_mask, new_axis_mask,
                   shrink_axis_mask):
    b, e, s = begin.tolist(), end.tolist(), strides.tolist()
    if not len(b) == len(e) == len(s):
        raise ValueError("begin, end and strides differ in length")
    entries, _ = _plan(_SS, list(x.shape), len(b), b, e, s, begin_mask, end_mask, ellipsis_mask,
                       new_axis_mask, shrink_axis_mask)
    y, flips = _apply(x, entries)
    y = _flip(y, flips)
    if is_np(x):
        return np_out(y).copy()
    return y


def _rule_common(op, x, begin, end, strides, masks):
    shapes = [v.shape for v in (begin, end, strides)]
    ns = [s[0] if s.rank == 1 else None for s in shapes]
    if any(s.rank not in (1, None) for s in shapes) or len({k for k in ns if k is not None}) > 1:
        raise invalid(op, f"Expected begin, end, and strides to be 1D equal size tensors, but got shapes "
                          f"{dims_str(shapes[0])}, {dims_str(shapes[1])}, and {dims_str(shapes[2])} instead.")
    n = next((k for k in ns if k is not None), None)
    if x.shape.rank is None or n is None:
        return None
    return _plan(op, x.shape.dims, n, const_list(begin), const_list(end), const_list(strides), *masks)


@strided_slice_p.def_abstract
def _strided_slice_rule(x, begin, end, strides, begin_mask, end_mask, ellipsis_mask, new_axis_mask,
                        shrink_axis_mask):
    plan = _rule_common(_SS, x, begin, end, strides,
                        (begin_mask, end_mask, ellipsis_mask, new_axis_mask, shrink_axis_mask))
    return AbstractValue(x.dtype, None if plan is None else plan[1])


@strided_slice_update_p.def_kernel
def _strided_slice_update(x, begin, end, strides, value, begin_mask, end_mask, ellipsis_mask,
                          new_axis_mask, shrink_axis_mask):
    b, e, s = begin.tolist(), end.tolist(), strides.tolist()
    entries, final = _plan("TensorStridedSliceUpdate", list(x.shape), len(b), b, e, s, begin_mask,
                           end_mask, ellipsis_mask, new_axis_mask, shrink_axis_mask)
    _check_broadcast(list(value.shape), final)
    out = x.copy() if is_np(x) else x.clone()
    view, flips = _apply(out, entries)
    if is_np(out):
        view[...] = _flip(np.broadcast_to(value, final), flips).reshape(view.shape)
    else:
        view.copy_(_flip(torch.broadcast_to(value, final), flips).reshape(view.shape))
    return out


def _check_broadcast(vdims, final):
    ok = len(vdims) <= len(final) and all(
        v is None or f is None or v == f or v == 1 for v, f in zip(reversed(vdims), reversed(final)))
    if not ok:
        raise invalid("TensorStridedSliceUpdate", f"Cannot broadcast input shape {dims_str(vdims)} into "
                                                  f"final shape {dims_str(final)}")


@strided_slice_update_p.def_abstract
def _strided_slice_update_rule(x, begin, end, strides, value, begin_mask, end_mask, ellipsis_mask,
                               new_axis_mask, shrink_axis_mask):
    if value.dtype is not x.dtype:
        raise mismatch("TensorStridedSliceUpdate", 4, x.dtype, value.dtype)
    plan = _rule_common("TensorStridedSliceUpdate", x, begin, end, strides,
                        (begin_mask, end_mask, ellipsis_mask, new_axis_mask, shrink_axis_mask))
    if plan is not None and value.shape.rank is not None:
        _check_broadcast(value.shape.dims, plan[1])
    return AbstractValue(x.dtype, x.shape)


_MASKS = ("begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask", "shrink_axis_mask")


def _masks(op) -> dict:
    return {m: op.get_attr(m) for m in _MASKS}


@strided_slice_p.def_grad
def _strided_slice_grad(op, dy):
    """TF's StridedSliceGrad: dy written into zeros of the input's shape at the sliced positions
    (a strided-slice update, whose own gradient slices again: higher orders work)."""
    x, begin, end, strides = op.inputs
    dy = dense(dy)
    shape = shape_of(x)
    zeros = tf_op("zeros")(shape, dtype=x.dtype) if not isinstance(shape, Tensor) else tf_op("zeros_like")(x)
    return bind(strided_slice_update_p, zeros, begin, end, strides, dy, **_masks(op)), None, None, None


@strided_slice_update_p.def_grad
def _strided_slice_update_grad(op, dy):
    """dy with the slice zeroed for the input; the sliced dy for the value (summed back to the
    value's shape by backprop's unbroadcast when the value was broadcast)."""
    x, begin, end, strides, value = op.inputs
    dy = dense(dy)
    masks = _masks(op)
    d_value = bind(strided_slice_p, dy, begin, end, strides, **masks)
    zero = tf_op("zeros")([], dtype=dy.dtype)
    d_x = bind(strided_slice_update_p, dy, begin, end, strides, zero, **masks)
    return d_x, None, None, None, d_value


@tf_export("strided_slice")
def strided_slice(input_, begin, end, strides=None, begin_mask=0, end_mask=0, ellipsis_mask=0,
                  new_axis_mask=0, shrink_axis_mask=0, var=None, name=None):
    """Extracts a strided slice of `input_` (the op behind `tensor[...]`): bit i of each mask makes
    entry i ignore begin/end, be an ellipsis, insert a new axis, or index (removing the dim)."""
    if strides is None:
        b = begin if isinstance(begin, Tensor) else index_tensors(_SS, [begin], 1, "Index", _INDEX)[0]
        strides = EagerTensor(torch.ones(tuple(b.shape), dtype=torch.int64 if b.dtype is _dt.int64
                                          else torch.int32), _dt.int64 if b.dtype is _dt.int64 else _dt.int32)
    begin, end, strides = index_tensors(_SS, [begin, end, strides], 1, "Index", _INDEX)
    return bind(strided_slice_p, tensor(input_), begin, end, strides, begin_mask=int(begin_mask),
                end_mask=int(end_mask), ellipsis_mask=int(ellipsis_mask),
                new_axis_mask=int(new_axis_mask), shrink_axis_mask=int(shrink_axis_mask))


# ---- __getitem__ -------------------------------------------------------------------------------------

_SLICE_TYPE_ERROR = ("Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) and scalar "
                     "tf.int32/tf.int64 tensors are valid indices")


def _check_index(idx):
    if isinstance(idx, (numbers.Integral, Dimension)) and not isinstance(idx, bool):
        return
    dtype = getattr(idx, "dtype", None)
    try:
        dtype = None if dtype is None else _dt.as_dtype(dtype)
    except TypeError:
        dtype = None
    if dtype not in _INDEX or (getattr(idx, "shape", None) is not None and len(idx.shape) == 1):
        raise TypeError(f"{_SLICE_TYPE_ERROR}, got {idx!r}")


def _parse_key(key):
    """TF's `_slice_helper`: the key as begin/end/strides lists and the five masks."""
    if not isinstance(key, (list, tuple)):
        key = [key]
    begin, end, strides = [], [], []
    bm = em = elm = nam = sam = 0
    for index, s in enumerate(key):
        bit = 1 << index
        if type(s) is int:
            begin.append(s)
            end.append(s + 1)
            strides.append(1)
            sam |= bit
        elif isinstance(s, _py_slice):
            for value, out, mask in ((s.start, begin, 1), (s.stop, end, 2), (s.step, strides, 0)):
                if value is None:
                    out.append(0 if mask else 1)
                    if mask == 1:
                        bm |= bit
                    elif mask == 2:
                        em |= bit
                else:
                    _check_index(value)
                    out.append(value if isinstance(value, Tensor) else int(value))
        elif s is Ellipsis:
            begin.append(0)
            end.append(0)
            strides.append(1)
            elm |= bit
        elif s is None:
            begin.append(0)
            end.append(0)
            strides.append(1)
            nam |= bit
        else:
            _check_index(s)
            begin.append(s if isinstance(s, Tensor) else int(s))
            if isinstance(s, Tensor):
                end.append(s + 1)
                wide = s.dtype in (_dt.int16, _dt.int64)
                strides.append(convert_to_tensor(1, dtype=s.dtype) if wide else 1)
            else:
                end.append(int(s) + 1)
                strides.append(1)
            sam |= bit
    return begin, end, strides, (bm, em, elm, nam, sam)


def _pack_spec(begin, end, strides):
    """begin/end/strides as index tensors (stacked as TF does; int64 wins)."""
    if not begin:
        empty = EagerTensor(torch.zeros(0, dtype=torch.int32), _dt.int32)
        return empty, empty, empty
    if all(type(v) is int for v in begin + end + strides):
        packed = int_tensor(begin), int_tensor(end), int_tensor(strides)
        if any(p.dtype is _dt.int64 for p in packed):
            return tuple(EagerTensor(torch.tensor(v, dtype=torch.int64), _dt.int64)
                         for v in (begin, end, strides))
        return packed
    from tensorweave._src.ops.array.join import stack
    from tensorweave._src.ops.cast import cast
    packed = [stack([v if isinstance(v, Tensor) else int(v) for v in vals]) for vals in (begin, end, strides)]
    if any(p.dtype is _dt.int64 for p in packed):
        packed = [p if p.dtype is _dt.int64 else cast(p, _dt.int64) for p in packed]
    return tuple(packed)


def _is_bool_mask(key) -> bool:
    return isinstance(key, bool) or (isinstance(key, Tensor) and key.dtype is _dt.bool) or (
        isinstance(key, np.ndarray) and key.dtype == bool)


def getitem(x, key):
    """`tensor[key]`: ints, slices (any step), `...`, `tf.newaxis` and scalar int tensors."""
    x = tensor(x)
    if _is_bool_mask(key):
        if np.ndim(key) == 0:
            raise ValueError("mask cannot be scalar.")
        boolean_mask = api_export.EXPORTS.get("boolean_mask")
        if boolean_mask is None:
            raise NotImplementedError("boolean mask indexing needs tf.boolean_mask")
        return boolean_mask(x, key)
    begin, end, strides, masks = _parse_key(key)
    b, e, s = _pack_spec(begin, end, strides)
    bm, em, elm, nam, sam = masks
    try:
        return bind(strided_slice_p, x, b, e, s, begin_mask=bm, end_mask=em, ellipsis_mask=elm,
                    new_axis_mask=nam, shrink_axis_mask=sam)
    except errors.OpError as error:  # TF names the op after its eager name scope
        raise with_name(error, "strided_slice/", "StridedSlice")


def slice_update(x, key, value):
    """A new tensor equal to `x` with `x[key]` replaced by `value` (broadcast), as TF's
    TensorStridedSliceUpdate; used by `variable[key].assign(value)`."""
    x = tensor(x)
    value = value if isinstance(value, Tensor) else convert_to_tensor(value, dtype=x.dtype)
    begin, end, strides, masks = _parse_key(key)
    b, e, s = _pack_spec(begin, end, strides)
    bm, em, elm, nam, sam = masks
    try:
        return bind(strided_slice_update_p, x, b, e, s, value, begin_mask=bm, end_mask=em,
                    ellipsis_mask=elm, new_axis_mask=nam, shrink_axis_mask=sam)
    except errors.OpError as error:  # TF assigns into the variable (named after its eager name scope)
        as_op(error, "ResourceStridedSliceAssign", "TensorStridedSliceUpdate")
        raise with_name(error, "strided_slice/_assign", "ResourceStridedSliceAssign")
