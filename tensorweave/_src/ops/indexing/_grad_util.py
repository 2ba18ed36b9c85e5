"""Helpers for the indexing ops' gradient rules (and their composite `bad_indices_policy="IGNORE"` paths).

Gradient rules are written with public tensorweave ops (so they are differentiable again), looked up
lazily in the export table: `T.reshape(...)`, `T.unsorted_segment_sum(...)` (the `math.` prefix is
tried when the top-level name does not exist). Lazy lookup avoids import cycles between op modules.
"""

from __future__ import annotations

from tensorweave._src.api_export import EXPORTS
from tensorweave._src.core import dtypes as _dt


class _Ops:
    def __getattr__(self, name: str):
        fn = EXPORTS.get(name)
        if fn is None:
            fn = EXPORTS["math." + name]
        return fn


T = _Ops()


def dense(g):
    """An upstream gradient as a dense tensor (IndexedSlices from a gather downstream are summed)."""
    convert = getattr(g, "_as_dense", None)
    return convert() if convert is not None else g


def differentiable(x) -> bool:
    return x.dtype.is_floating or x.dtype.is_complex


def rank(x) -> int:
    r = x.shape.rank
    if r is None:
        raise NotImplementedError("gradient of an indexing op with an input of unknown rank")
    return r


def inverse_perm(perm: list) -> list:
    inv = [0] * len(perm)
    for i, p in enumerate(perm):
        inv[p] = i
    return inv


def scatter_last(grad, order, in_shape):
    """`dx` of shape `in_shape` with `dx[..., order[..., j]] += grad[..., j]` and zeros elsewhere:
    the gradient of taking the last-axis positions `order` (TopKV2's rule, also used for Sort)."""
    k = T.shape(order, out_type=_dt.int64)[-1]
    ind_2d = T.reshape(T.cast(order, _dt.int64), T.stack([-1, k]))
    n = T.cast(in_shape, _dt.int64)[-1]
    outer = T.shape(ind_2d, out_type=_dt.int64)[0]
    offsets = T.expand_dims(T.range(0, outer * n, n, dtype=_dt.int64), -1)
    ind = T.reshape(ind_2d + offsets, [-1])
    flat = T.scatter_nd(T.expand_dims(ind, -1), T.reshape(grad, [-1]),
                        T.expand_dims(T.reduce_prod(T.cast(in_shape, _dt.int64)), 0))
    return T.reshape(flat, in_shape)


def gather_drop_negatives(params, ids, zero_clipped=None, is_positive=None):
    """`gather(params, max(ids, 0))` with the rows of negative ids zeroed (TF's _GatherDropNegatives).
    Returns (gathered, zero_clipped_ids, is_positive)."""
    if zero_clipped is None:
        zero_clipped = T.maximum(ids, T.zeros_like(ids))
    gathered = T.gather(params, zero_clipped)
    if is_positive is None:
        is_positive = T.greater_equal(ids, T.zeros_like(ids))
        extra = rank(gathered) - rank(is_positive)
        if extra:
            shape = T.concat([T.shape(is_positive), T.ones([extra], _dt.int32)], 0)
            is_positive = T.reshape(is_positive, shape)
    return T.where(is_positive, gathered, T.zeros_like(gathered)), zero_clipped, is_positive


BAD_INDICES_POLICIES = ("", "DEFAULT", "ERROR", "IGNORE")


def ignores_bad_indices(op_name: str, policy: str) -> bool:
    """Checks a `bad_indices_policy` ('' / 'DEFAULT' / 'ERROR': out-of-range indices are errors, as on TF's
    CPU; 'IGNORE': they are skipped) and tells whether it is 'IGNORE'."""
    from tensorweave._src.ops._common import invalid  # noqa: PLC0415 - keeps this module light

    if policy not in BAD_INDICES_POLICIES:
        raise invalid(op_name, f"Unknown bad indices handling attribute: {policy}")
    return policy == "IGNORE"


def in_bounds(indices, limits):
    """Which index vectors (last axis of `indices`) lie inside `limits` (1-D, the addressed dims)."""
    ok = T.logical_and(T.greater_equal(indices, 0), T.less(indices, T.cast(limits, indices.dtype)))
    return T.reduce_all(ok, axis=-1)


def index_depth(op_name: str, indices) -> int:
    depth = indices.shape.as_list()[-1] if indices.shape.rank else None
    if depth is None:
        raise NotImplementedError(f"{op_name} with bad_indices_policy='IGNORE' needs indices of known depth")
    return depth
