"""Segment reductions: `tf.math.segment_{sum,mean,max,min,prod}` (sorted ids; the output has
`ids[-1] + 1` rows, empty segments 0) and `tf.math.unsorted_segment_{sum,max,min,prod,mean,sqrt_n}`
(`num_segments` rows; negative ids are dropped; empty max/min segments hold the dtype's lowest/highest).

>>> import tensorweave as tf
>>> print(tf.math.segment_sum([1, 2, 3, 4], [0, 0, 1, 3]))
tf.Tensor([3 3 0 4], shape=(4,), dtype=int32)
>>> print(tf.math.unsorted_segment_sum([1, 2, 3, 4], [0, 2, 0, 1], num_segments=4))
tf.Tensor([4 4 2 0], shape=(4,), dtype=int32)
"""

from __future__ import annotations

import torch

from tensorweave._src.api_export import tf_export
from tensorweave._src.core import dtypes as _dt
from tensorweave._src.core import errors
from tensorweave._src.core.dispatch import bind
from tensorweave._src.core.op_messages import fallback_if
from tensorweave._src.core.primitive import AbstractValue, Primitive
from tensorweave._src.ops._common import dims_str, invalid, tensor
from tensorweave._src.ops.indexing._grad_util import T, dense, differentiable, gather_drop_negatives, rank
from tensorweave._src.ops.indexing._util import (
    bits,
    check_index_dtype,
    from_order_key,
    order_key,
    prod,
    unbits,
)

_TRUEDIV_FLOAT = {_dt.int8: _dt.float32, _dt.uint8: _dt.float32, _dt.int16: _dt.float32,
                  _dt.uint16: _dt.float32, _dt.int32: _dt.float64, _dt.int64: _dt.float64,
                  _dt.uint32: _dt.float64, _dt.uint64: _dt.float64}


def _reduce(data, ids, n: int, kind: str, empty: str):
    """Reduces rows of `data` (leading dims = ids.shape) into `n` segments by `kind`."""
    dtype = data.dtype
    if kind in ("max", "min"):
        return from_order_key(_reduce_values(order_key(data), ids, n, kind, empty, dtype), dtype)
    if kind in ("sum", "prod"):
        return unbits(_reduce_values(bits(data), ids, n, kind, empty, dtype), dtype)
    if dtype in (torch.uint16, torch.uint32, torch.uint64):
        data = data.to(torch.int64) if dtype is not torch.uint64 else data.to(torch.float64)
    return _reduce_values(data, ids, n, kind, empty, dtype)


def _reduce_values(data, ids, n: int, kind: str, empty: str, orig_dtype):
    rest = tuple(data.shape[ids.ndim:])
    d = data.reshape(ids.numel(), prod(rest))
    i = ids.reshape(-1).long()
    keep = i >= 0
    if not bool(keep.all()):
        d, i = d[keep], i[keep]
    dtype = data.dtype
    if kind in ("sum", "mean", "sqrt_n"):
        out = torch.zeros((n, d.shape[1]), dtype=dtype).index_add_(0, i, d)
        if kind != "sum":
            count = torch.zeros(n, dtype=torch.float64 if dtype.is_floating_point else torch.int64)
            count.index_add_(0, i, torch.ones(i.shape, dtype=count.dtype))
            count = count.clamp(min=1)[:, None]
            if kind == "sqrt_n":
                out = out / torch.sqrt(count).to(dtype)
            elif dtype.is_floating_point or dtype.is_complex:
                out = out / count.to(dtype)
            elif empty == "zero":  # sorted SegmentMean on integers divides in integers
                out = torch.div(out, count, rounding_mode="trunc").to(dtype)
            else:
                out = out.to(torch.float64) / count
    elif kind == "prod":
        out = torch.ones((n, d.shape[1]), dtype=dtype)
        out.scatter_reduce_(0, i[:, None].expand(d.shape), d, "prod", include_self=True)
    else:
        info = torch.finfo(orig_dtype) if orig_dtype.is_floating_point else torch.iinfo(orig_dtype)
        fill = 0 if empty == "zero" else (info.min if kind == "max" else info.max)
        fill = order_key(torch.tensor(fill, dtype=orig_dtype)).item()
        out = torch.full((n, d.shape[1]), fill, dtype=dtype)
        out.scatter_reduce_(0, i[:, None].expand(d.shape), d, "amax" if kind == "max" else "amin",
                            include_self=False)
    return out.reshape((n,) + rest)


# ---- gradient rules (TF's, from math_grad.py; the unsorted mean / sqrt_n ones as for TF's composites) ----


def _sorted_sum_grad(op, dy):
    return T.gather(dense(dy), op.inputs[1]), None


def _sorted_mean_grad(op, dy):
    x, ids = op.inputs
    dy = dense(dy)
    ones_shape = T.concat([T.shape(ids), T.ones([rank(x) - 1], _dt.int32)], 0)
    counts = T.segment_sum(T.ones(ones_shape, dy.dtype), ids)
    return T.gather(T.divide(dy, counts), ids), None


def _sorted_min_max_grad(op, dy):
    """Ties share the segment's gradient equally."""
    x, ids = op.inputs
    dy = dense(dy)
    is_selected = T.equal(x, T.gather(op.outputs[0], ids))
    num_selected = T.segment_sum(T.cast(is_selected, dy.dtype), ids)
    gathered = T.gather(T.divide(dy, num_selected), ids)
    return T.where(is_selected, gathered, T.zeros_like(x)), None


def _sorted_prod_grad(op, dy):
    """prod / x, or for the one zero of a segment the product of the others (0 with two zeros)."""
    x, ids = op.inputs
    dy = dense(dy)
    is_zero = T.equal(x, T.zeros_like(x))
    num_zeros = T.segment_sum(T.cast(is_zero, _dt.int32), ids)
    dy = T.where(T.greater(num_zeros, 1), T.zeros_like(dy), dy)
    non_zero_data = T.where(is_zero, T.ones_like(x), x)
    non_zero_prod = T.segment_prod(non_zero_data, ids)
    gathered_prod = T.gather(op.outputs[0], ids)
    gathered_non_zero_prod = T.gather(non_zero_prod, ids)
    partial = T.where(is_zero, gathered_non_zero_prod, gathered_prod / non_zero_data)
    return T.gather(dy, ids) * partial, None


_SORTED_GRADS = {"sum": _sorted_sum_grad, "mean": _sorted_mean_grad, "max": _sorted_min_max_grad,
                 "min": _sorted_min_max_grad, "prod": _sorted_prod_grad}


def _unsorted_sum_grad(op, dy):
    """Rows of negative (dropped) ids get zeros."""
    return gather_drop_negatives(dense(dy), op.inputs[1])[0], None, None


def _unsorted_min_max_grad(op, dy):
    x, ids = op.inputs[0], op.inputs[1]
    dy = dense(dy)
    gathered_out, clipped, is_positive = gather_drop_negatives(op.outputs[0], ids)
    is_selected = T.logical_and(T.equal(x, gathered_out), is_positive)
    num_selected = T.unsorted_segment_sum(T.cast(is_selected, dy.dtype), ids, op.inputs[2])
    gathered, _, _ = gather_drop_negatives(T.divide(dy, num_selected), None, clipped, is_positive)
    return T.where(is_selected, gathered, T.zeros_like(gathered)), None, None


def _unsorted_prod_grad(op, dy):
    x, ids, n = op.inputs
    dy = dense(dy)
    is_zero = T.equal(x, T.zeros_like(x))
    num_zeros = T.unsorted_segment_sum(T.cast(is_zero, _dt.int32), ids, n)
    dy = T.where(T.greater(num_zeros, 1), T.zeros_like(dy), dy)
    non_zero_data = T.where(is_zero, T.ones_like(x), x)
    non_zero_prod = T.unsorted_segment_prod(non_zero_data, ids, n)
    clipped = T.maximum(ids, T.zeros_like(ids))
    gathered_prod = T.gather(op.outputs[0], clipped)
    gathered_non_zero_prod = T.gather(non_zero_prod, clipped)
    partial = T.where(is_zero, gathered_non_zero_prod, gathered_prod / x)  # may hold nan/inf, unselected
    return gather_drop_negatives(dy, ids, clipped)[0] * partial, None, None


def _segment_counts(x, ids, n, dtype):
    """max(number of ids in each segment, 1), shaped to broadcast against the segment rows."""
    counts = T.unsorted_segment_sum(T.ones(T.shape(ids), dtype), ids, n)
    shape = T.concat([T.reshape(T.cast(n, _dt.int32), [1]), T.ones([rank(x) - rank(ids)], _dt.int32)], 0)
    return T.maximum(T.reshape(counts, shape), T.ones([], dtype))


def _unsorted_mean_grad(op, dy):
    x, ids, n = op.inputs
    if not differentiable(x):
        return None, None, None
    dy = dense(dy)
    return gather_drop_negatives(T.divide(dy, _segment_counts(x, ids, n, dy.dtype)), ids)[0], None, None


def _unsorted_sqrt_n_grad(op, dy):
    x, ids, n = op.inputs
    dy = dense(dy)
    scale = T.sqrt(_segment_counts(x, ids, n, dy.dtype))
    return gather_drop_negatives(T.divide(dy, scale), ids)[0], None, None


_UNSORTED_GRADS = {"sum": _unsorted_sum_grad, "max": _unsorted_min_max_grad, "min": _unsorted_min_max_grad,
                   "prod": _unsorted_prod_grad, "mean": _unsorted_mean_grad, "sqrt_n": _unsorted_sqrt_n_grad}

# ---- sorted segment ops ------------------------------------------------------------------------

_SORTED = {"sum": ("SegmentSum", _dt.NUMERIC), "mean": ("SegmentMean", _dt.NUMERIC),
           "max": ("SegmentMax", _dt.REAL), "min": ("SegmentMin", _dt.REAL),
           "prod": ("SegmentProd", _dt.NUMERIC)}
SORTED_PRIMITIVES: dict = {}


def _define_sorted(kind: str):
    op_name, allowed = _SORTED[kind]
    prim = Primitive(op_name, allowed=allowed)

    @prim.def_kernel
    def kernel(data, segment_ids):
        if segment_ids.ndim != 1 or segment_ids.shape[0] != data.shape[0]:
            raise invalid(op_name, "segment_ids should be the same size as dimension 0 of input.")
        m = segment_ids.shape[0]
        n = int(segment_ids[-1]) + 1 if m else 0
        if m and bool((segment_ids[1:] < segment_ids[:-1]).any()):
            raise invalid(op_name, "segment ids are not increasing")
        if m and int(segment_ids[0]) < 0:
            raise invalid(op_name, f"Segment id {int(segment_ids[0])} out of range [0, {n}), possibly "
                                   f"because 'segment_ids' input is not sorted.")
        return _reduce(data, segment_ids, max(n, 0), kind, "zero")

    @prim.def_abstract
    def rule(data, segment_ids):
        check_index_dtype(op_name, segment_ids.dtype)
        if segment_ids.shape.rank not in (None, 1):
            raise invalid(op_name, "segment_ids should be a vector.")
        if data.shape.rank == 0:
            raise invalid(op_name, "Shape must be at least rank 1 but is rank 0")
        if data.shape.rank is None:
            return AbstractValue(data.dtype, None)
        return AbstractValue(data.dtype, [None] + data.shape.as_list()[1:])

    prim.def_grad(_SORTED_GRADS[kind])
    SORTED_PRIMITIVES[kind] = prim

    def op(data, segment_ids, name=None):
        ids = _tensor(segment_ids)
        try:
            check_index_dtype(op_name, ids.dtype)
        except errors.OpError as e:
            raise fallback_if(e, data, segment_ids)  # TF passes them to its op as given
        return bind(prim, _tensor(data), ids)

    op.__name__ = f"segment_{kind}"
    op.__doc__ = (f"Computes the {kind} of the rows of `data` along sorted `segment_ids` "
                  f"(TF op `{op_name}`); empty segments give 0.")
    return tf_export(f"math.segment_{kind}")(op)


def _tensor(x, dtype=None):
    return x._as_tensor() if hasattr(x, "_as_tensor") else tensor(x, dtype)


segment_sum = _define_sorted("sum")
segment_mean = _define_sorted("mean")
segment_max = _define_sorted("max")
segment_min = _define_sorted("min")
segment_prod = _define_sorted("prod")

# ---- unsorted segment ops ------------------------------------------------------------------------

_UNSORTED = {"sum": ("UnsortedSegmentSum", _dt.NUMERIC), "max": ("UnsortedSegmentMax", _dt.REAL),
             "min": ("UnsortedSegmentMin", _dt.REAL), "prod": ("UnsortedSegmentProd", _dt.NUMERIC),
             "mean": ("UnsortedSegmentMean", _dt.NUMERIC), "sqrt_n": ("UnsortedSegmentSqrtN", _dt.FLOATS)}
UNSORTED_PRIMITIVES: dict = {}


def _define_unsorted(kind: str):
    op_name, allowed = _UNSORTED[kind]
    prim = Primitive(op_name, allowed=allowed)

    @prim.def_kernel
    def kernel(data, segment_ids, num_segments):
        n = int(num_segments)
        if n < 0:
            raise invalid(op_name, f"Input num_segments == {n} must not be negative.")
        if tuple(data.shape[:segment_ids.ndim]) != tuple(segment_ids.shape):
            raise invalid(op_name, f"data.shape = {dims_str(data.shape)} does not start with "
                                   f"segment_ids.shape = {dims_str(segment_ids.shape)}")
        bad = segment_ids >= n
        if bool(bad.any()):
            pos = int(torch.nonzero(bad.reshape(-1))[0, 0])
            value = int(segment_ids.reshape(-1)[pos])
            raise invalid(op_name, f"segment_ids[{pos}] = {value} is out of range [0, {n})")
        return _reduce(data, segment_ids, n, kind, "extreme")

    @prim.def_abstract
    def rule(data, segment_ids, num_segments):
        check_index_dtype(op_name, segment_ids.dtype)
        out_dtype = _TRUEDIV_FLOAT.get(data.dtype, data.dtype) if kind == "mean" else data.dtype
        const = getattr(num_segments, "const", None)
        n = None if const is None else int(const)
        if n is not None and n < 0:
            raise invalid(op_name, f"Input num_segments == {n} must not be negative.")
        if data.shape.rank is None or segment_ids.shape.rank is None:
            return AbstractValue(out_dtype, None)
        dd, sd = data.shape.as_list(), segment_ids.shape.as_list()
        if len(sd) > len(dd) or any(a is not None and b is not None and a != b for a, b in zip(dd, sd)):
            raise invalid(op_name, f"data.shape = {dims_str(dd)} does not start with segment_ids.shape = "
                                   f"{dims_str(sd)}")
        return AbstractValue(out_dtype, [n] + dd[len(sd):])

    prim.def_grad(_UNSORTED_GRADS[kind])
    UNSORTED_PRIMITIVES[kind] = prim

    def op(data, segment_ids, num_segments, name=None):
        ids = _tensor(segment_ids)
        try:
            check_index_dtype(op_name, ids.dtype)
        except errors.OpError as e:
            raise fallback_if(e, data, segment_ids, num_segments)  # TF passes them to its op as given
        return bind(prim, _tensor(data), ids, _tensor(num_segments))

    op.__name__ = f"unsorted_segment_{kind}"
    op.__doc__ = (f"Computes the {kind} of the rows of `data` grouped by `segment_ids` into `num_segments` "
                  f"rows (TF op `{op_name}`); negative ids are dropped.")
    return tf_export(f"math.unsorted_segment_{kind}")(op)


unsorted_segment_sum = _define_unsorted("sum")
unsorted_segment_max = _define_unsorted("max")
unsorted_segment_min = _define_unsorted("min")
unsorted_segment_prod = _define_unsorted("prod")
unsorted_segment_mean = _define_unsorted("mean")
unsorted_segment_sqrt_n = _define_unsorted("sqrt_n")

