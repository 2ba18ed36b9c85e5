"""`tf.gather` and `tf.gather_nd`: out-of-range indices are errors (never wrapped or clamped).

>>> import tensorweave as tf
>>> print(tf.gather([10, 20, 30], [2, 0]))
tf.Tensor([30 10], shape=(2,), dtype=int32)
>>> print(tf.gather_nd([[1, 2], [3, 4]], [[1, 0], [0, 1]]))
tf.Tensor([3 2], shape=(2,), dtype=int32)
"""

from __future__ import annotations

import numpy as np
import torch

from tensorweave._src.api_export import tf_export
from tensorweave._src.core import dtypes as _dt
from tensorweave._src.core import errors
from tensorweave._src.core.convert import convert_to_tensor
from tensorweave._src.core.dispatch import bind
from tensorweave._src.core.op_messages import as_op, fallback_if
from tensorweave._src.core.primitive import AbstractValue, Primitive
from tensorweave._src.core.variable import Variable
from tensorweave._src.framework.indexed_slices import IndexedSlices
from tensorweave._src.ops._common import dims_str, invalid, static_value, tensor
from tensorweave._src.ops.indexing._grad_util import (
    T,
    dense,
    ignores_bad_indices,
    in_bounds,
    index_depth,
    rank,
)
from tensorweave._src.ops.indexing._util import (
    as_long,
    bits,
    check_index_dtype,
    check_range,
    index,
    prod,
    unbits,
)

_GATHER_INDICES = frozenset((_dt.int16, _dt.int32, _dt.int64))

# ---- GatherV2 ----------------------------------------------------------------------------------

gather_p = Primitive("GatherV2")


@gather_p.def_kernel
def _gather(params, indices, axis, batch_dims, given_axis=None):
    if isinstance(params, torch.Tensor):
        return unbits(_gather_values(bits(params), indices, axis, batch_dims), params.dtype)
    return _gather_values(params, indices, axis, batch_dims)


def _gather_values(params, indices, axis, batch_dims):
    shape, ishape = tuple(params.shape), tuple(indices.shape)
    n = shape[axis]
    check_range("GatherV2", indices, n)
    idx = as_long(indices)
    if batch_dims == 0:
        if isinstance(params, np.ndarray):
            return np.take(params, idx.numpy(), axis=axis)
        out = torch.index_select(params, axis, idx.reshape(-1))
        return out.reshape(shape[:axis] + ishape + shape[axis + 1:])
    batch, pre, post = shape[:batch_dims], shape[batch_dims:axis], shape[axis + 1:]
    inner = ishape[batch_dims:]
    b, p, q, m = prod(batch), prod(pre), prod(post), prod(inner)
    flat = params.reshape(b, p, n, q)
    i = idx.reshape(b, m)
    out = index(flat, torch.arange(b)[:, None, None], torch.arange(p)[None, :, None], i[:, None, :])
    return out.reshape(batch + pre + inner + post)


@gather_p.def_abstract
def _gather_rule(params, indices, axis, batch_dims, given_axis=None):
    check_index_dtype("GatherV2", indices.dtype, allowed=_GATHER_INDICES)
    ps, ids = params.shape, indices.shape
    if ps.rank is None or ids.rank is None:
        return AbstractValue(params.dtype, None)
    _check_gather_dims(ps.rank, ids.rank, axis, batch_dims)
    pd, idd = ps.as_list(), ids.as_list()
    for d in range(batch_dims):
        if pd[d] is not None and idd[d] is not None and pd[d] != idd[d]:
            raise invalid("GatherV2", f"params.shape[{d}]: {pd[d]} should be equal to indices.shape[{d}]: "
                                      f"{idd[d]}")
    return AbstractValue(params.dtype, pd[:axis] + idd[batch_dims:] + pd[axis + 1:])


def _check_gather_dims(prank: int, irank: int, axis: int, batch_dims: int) -> None:
    if prank == 0:
        raise invalid("GatherV2", "params must be at least 1 dimensional")
    if not 0 <= axis < prank:
        raise invalid("GatherV2", f"Shape must be at least rank {axis + 1 if axis >= 0 else -axis} "
                                  f"but is rank {prank}")
    if not 0 <= batch_dims <= irank:
        raise invalid("GatherV2", f"Expected batch_dims in the range [{-irank}, {irank}], but got "
                                  f"{batch_dims}")


@tf_export("gather")
def gather(params, indices, validate_indices=None, axis=None, batch_dims=0, name=None):
    """Gathers slices of `params` along `axis` at `indices` (TF op `GatherV2`).

    Indices must lie in `[0, params.shape[axis])`; others raise InvalidArgumentError.

    >>> import tensorweave as tf
    >>> print(tf.gather([[1, 2, 3], [4, 5, 6]], [2, 0], axis=1))
    tf.Tensor(
    [[3 1]
     [6 4]], shape=(2, 2), dtype=int32)
    """
    try:
        return _gather(params, indices, axis, batch_dims)
    except errors.OpError as e:
        fallback_if(e, params, indices, axis)  # TF passes them to its op as given
        if isinstance(params, Variable) and not static_value(axis):
            raise as_op(e, "ResourceGather", "GatherV2")  # TF reads the gathered rows of a variable
        raise


def _gather(params, indices, axis, batch_dims):
    params = _as_tensor(params)
    indices = tensor(indices)
    check_index_dtype("GatherV2", indices.dtype, allowed=_GATHER_INDICES)
    batch_dims = int(static_value(batch_dims))
    axis = batch_dims if axis is None else int(static_value(axis))
    given_axis = axis
    prank, irank = params.shape.rank, indices.shape.rank
    if irank is not None and batch_dims < 0:
        batch_dims += irank
    if prank is not None:
        if axis < 0:
            if axis + prank < 0:
                raise invalid("GatherV2", f"Shape must be at least rank {-axis} but is rank {prank}")
            axis += prank
        if irank is not None:
            if batch_dims > axis and batch_dims <= irank:  # TF then gathers without batch dims
                batch_dims = 0
            _check_gather_dims(prank, irank, axis, batch_dims)
    if given_axis != axis:  # TF's gradient is sparse only for an axis given as 0
        return bind(gather_p, params, indices, axis=axis, batch_dims=batch_dims, given_axis=given_axis)
    return bind(gather_p, params, indices, axis=axis, batch_dims=batch_dims)


def _as_tensor(x):
    return x._as_tensor() if hasattr(x, "_as_tensor") else tensor(x)


@gather_p.def_grad
def _gather_grad(op, dy):
    """TF's GatherV2 gradient: for an axis given as 0 an `IndexedSlices` (values = dy with the index
    dimensions flattened, indices flattened, dense_shape = int32 shape of params); otherwise dense
    (the slices summed into params' shape with unsorted_segment_sum)."""
    params, indices = op.inputs
    axis, batch_dims = op.get_attr("axis"), op.get_attr("batch_dims")
    dy = dense(dy)
    params_shape = T.shape(params)
    if axis == 0 and op.attrs.get("given_axis", 0) == 0:
        size = T.expand_dims(T.size(indices), 0)
        values = T.reshape(dy, T.concat([size, params_shape[1:]], 0))
        return IndexedSlices(values, T.reshape(indices, size), params_shape), None
    # dy: B + P + I + Q (batch, params dims before axis, index dims, params dims after axis);
    # sum its I-slices into rows B*n of a [prod(B) * n] + P + Q tensor, then put n back at axis.
    b = batch_dims
    n_p, n_i = axis - b, rank(indices) - b
    n_q = rank(params) - axis - 1
    perm = (list(range(b)) + list(range(b + n_p, b + n_p + n_i)) + list(range(b, b + n_p))
            + list(range(b + n_p + n_i, b + n_p + n_i + n_q)))
    dyt = T.transpose(dy, perm)
    outer, inner = params_shape[:axis][b:], params_shape[axis + 1:]
    n = params_shape[axis]
    values = T.reshape(dyt, T.concat([[-1], outer, inner], 0))
    idx = T.cast(indices, _dt.int64)
    n64 = T.cast(n, _dt.int64)
    segments = n64
    if b:
        batch_shape = params_shape[:b]
        nb = T.cast(T.reduce_prod(batch_shape), _dt.int64)
        offsets = T.reshape(T.range(0, nb * n64, n64, dtype=_dt.int64),
                            T.concat([batch_shape, T.ones([n_i], _dt.int32)], 0))
        idx = idx + offsets
        segments = nb * n64
    summed = T.unsorted_segment_sum(values, T.reshape(idx, [-1]), segments)
    summed = T.reshape(summed, T.concat([params_shape[:b], T.expand_dims(n, 0), outer, inner], 0))
    back = list(range(b)) + list(range(b + 1, b + 1 + n_p)) + [b] + list(range(b + 1 + n_p, rank(params)))
    return T.transpose(summed, back), None


# ---- GatherNd ----------------------------------------------------------------------------------

gather_nd_p = Primitive("GatherNd")


@gather_nd_p.def_kernel
def _gather_nd(params, indices, batch_dims):
    if isinstance(params, torch.Tensor):
        return unbits(_gather_nd_values(bits(params), indices, batch_dims), params.dtype)
    return _gather_nd_values(params, indices, batch_dims)


def _gather_nd_values(params, indices, batch_dims):
    shape, ishape = tuple(params.shape), tuple(indices.shape)
    m = ishape[-1]
    batch, sub, rest = shape[:batch_dims], shape[batch_dims:batch_dims + m], shape[batch_dims + m:]
    outer = ishape[batch_dims:-1]
    b, n = prod(batch), prod(outer)
    idx = as_long(indices).reshape(b, n, m)
    limits = torch.tensor(sub, dtype=torch.int64)
    bad = ((idx < 0) | (idx >= limits)).any(-1) if m else torch.zeros((b, n), dtype=torch.bool)
    if bool(bad.any()):
        pos = int(torch.nonzero(bad.reshape(-1))[0, 0])
        lead = [int(v) for v in np.unravel_index(pos // max(n, 1), batch)] if batch_dims else []
        values = ", ".join(str(v) for v in lead + [int(v) for v in idx.reshape(b * n, m)[pos]])
        raise invalid("GatherNd", f"indices[{pos}] = [{values}] does not index into param shape "
                                  f"{dims_str(shape)}, node name: GatherNd")
    strides = torch.tensor([prod(sub[j + 1:]) for j in range(m)], dtype=torch.int64)
    linear = (idx * strides).sum(-1) if m else torch.zeros((b, n), dtype=torch.int64)
    flat = params.reshape(b, prod(sub), prod(rest))
    out = index(flat, torch.arange(b)[:, None], linear)
    return out.reshape(batch + outer + rest)


@gather_nd_p.def_abstract
def _gather_nd_rule(params, indices, batch_dims):
    check_index_dtype("GatherNd", indices.dtype)
    ps, ids = params.shape, indices.shape
    if ids.rank is not None and ids.rank == 0:
        raise invalid("GatherNd", "indices must be at least a vector")
    if ps.rank is None or ids.rank is None or ids.as_list()[-1] is None:
        return AbstractValue(params.dtype, None)
    pd, idd = ps.as_list(), ids.as_list()
    m = idd[-1]
    if m > ps.rank - batch_dims:
        raise invalid("GatherNd", f"index innermost dimension length must be <= params rank; saw: {m} vs. "
                                  f"{ps.rank - batch_dims}")
    return AbstractValue(params.dtype, idd[:-1] + pd[batch_dims + m:])


@tf_export("gather_nd")
def gather_nd(params, indices, batch_dims=0, name=None, bad_indices_policy=""):
    """Gathers slices of `params` addressed by the last dimension of `indices` (TF op `GatherNd`).

    >>> import tensorweave as tf
    >>> print(tf.gather_nd([[[1, 2], [3, 4]], [[5, 6], [7, 8]]], [[1], [0]], batch_dims=1))
    tf.Tensor(
    [[3 4]
     [5 6]], shape=(2, 2), dtype=int32)
    """
    if static_value(batch_dims):  # TF's batch_gather_nd converts its arguments (see core/op_messages.py)
        params, indices = convert_to_tensor(params), convert_to_tensor(indices)
    try:
        return _gather_nd(_as_tensor(params), tensor(indices), batch_dims, bad_indices_policy)
    except errors.OpError as e:
        raise fallback_if(e, params, indices)  # TF passes them to its op as given


def _gather_nd(params, indices, batch_dims, bad_indices_policy):
    check_index_dtype("GatherNd", indices.dtype)
    if indices.shape.rank == 0:
        raise invalid("GatherNd", "indices must be at least a vector")
    batch_dims = int(static_value(batch_dims))
    if batch_dims and indices.shape.rank is not None and params.shape.rank is not None:
        pd, idd = params.shape.as_list(), indices.shape.as_list()
        for d in range(batch_dims):
            if pd[d] is not None and idd[d] is not None and pd[d] != idd[d]:
                raise invalid("GatherNd", f"params.shape[{d}]: {pd[d]} should be equal to "
                                          f"indices.shape[{d}]: {idd[d]}")
    if ignores_bad_indices("GatherNd", bad_indices_policy):
        return _gather_nd_ignoring(params, indices, batch_dims)
    return bind(gather_nd_p, params, indices, batch_dims=batch_dims)


def _gather_nd_ignoring(params, indices, batch_dims):
    """`bad_indices_policy="IGNORE"`: out-of-range index vectors gather zeros."""
    depth = index_depth("GatherNd", indices)
    ok = in_bounds(indices, T.shape(params, out_type=indices.dtype)[batch_dims:batch_dims + depth])
    safe = T.where(T.expand_dims(ok, -1), indices, T.zeros_like(indices))
    out = bind(gather_nd_p, params, safe, batch_dims=batch_dims)
    extra = out.shape.rank - ok.shape.rank
    mask = T.reshape(ok, T.concat([T.shape(ok), T.ones([extra], _dt.int32)], 0)) if extra else ok
    return T.where(mask, out, T.zeros_like(out))


@gather_nd_p.def_grad
def _gather_nd_grad(op, dy):
    """TF's GatherNd gradient: `scatter_nd(indices, dy, shape(params))` (shape in the indices' dtype);
    an `IndexedSlices` when indices has shape [N, 1]. With batch_dims, TF's composite gathers with
    the batch coordinates prepended to the indices; the gradient scatters the same way (dense)."""
    params, indices = op.inputs
    dy = dense(dy)
    b = op.get_attr("batch_dims")
    shape = T.shape(params, out_type=indices.dtype)
    if b == 0:
        dims = indices.shape.as_list() if indices.shape.rank is not None else None
        if dims is not None and len(dims) == 2 and dims[-1] == 1:
            return IndexedSlices(dy, T.squeeze(indices, axis=-1), shape), None
        return T.scatter_nd(indices, dy, shape), None
    # flatten the batch dims: params [nb] + G, indices [nb] + I + [C] -> [nb] + I + [1 + C]
    n_i = rank(indices) - b - 1
    ishape = T.shape(indices, out_type=indices.dtype)
    nb = T.reduce_prod(shape[:b])
    flat_idx = T.reshape(indices, T.concat([T.expand_dims(nb, 0), ishape[b:]], 0))
    grid = T.reshape(T.range(nb), T.concat([T.expand_dims(nb, 0), T.ones([n_i + 1], indices.dtype)], 0))
    grid = T.broadcast_to(grid, T.concat([T.shape(flat_idx, out_type=indices.dtype)[:-1],
                                          T.ones([1], indices.dtype)], 0))
    full = T.concat([grid, flat_idx], -1)
    flat_shape = T.concat([T.expand_dims(nb, 0), shape[b:]], 0)
    dyf = T.reshape(dy, T.concat([T.expand_dims(T.cast(nb, _dt.int32), 0), T.shape(dy)[b:]], 0))
    return T.reshape(T.scatter_nd(full, dyf, flat_shape), shape), None

