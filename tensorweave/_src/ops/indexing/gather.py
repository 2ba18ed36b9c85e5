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
from tensorweave._src.core.dispatch import bind
from tensorweave._src.core.primitive import AbstractValue, Primitive
from tensorweave._src.ops._common import dims_str, invalid, static_value, tensor
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
def _gather(params, indices, axis, batch_dims):
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
def _gather_rule(params, indices, axis, batch_dims):
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
    params = _as_tensor(params)
    indices = tensor(indices)
    check_index_dtype("GatherV2", indices.dtype, allowed=_GATHER_INDICES)
    batch_dims = int(static_value(batch_dims))
    axis = batch_dims if axis is None else int(static_value(axis))
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
    return bind(gather_p, params, indices, axis=axis, batch_dims=batch_dims)


def _as_tensor(x):
    return x._as_tensor() if hasattr(x, "_as_tensor") else tensor(x)


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
def gather_nd(params, indices, batch_dims=0, name=None):
    """Gathers slices of `params` addressed by the last dimension of `indices` (TF op `GatherNd`).

    >>> import tensorweave as tf
    >>> print(tf.gather_nd([[[1, 2], [3, 4]], [[5, 6], [7, 8]]], [[1], [0]], batch_dims=1))
    tf.Tensor(
    [[3 4]
     [5 6]], shape=(2, 2), dtype=int32)
    """
    params = _as_tensor(params)
    indices = tensor(indices)
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
    return bind(gather_nd_p, params, indices, batch_dims=batch_dims)

