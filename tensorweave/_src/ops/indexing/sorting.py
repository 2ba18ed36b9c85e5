"""Ordering ops: `tf.sort`, `tf.argsort`, `tf.math.top_k`, `tf.math.in_top_k`, `tf.searchsorted`.

Ties keep their original order (TF's top_k, on which its sort is built, is stable).

>>> import tensorweave as tf
>>> print(tf.argsort([3, 1, 2, 1]))
tf.Tensor([1 3 2 0], shape=(4,), dtype=int32)
>>> tf.math.top_k([1, 5, 3, 5, 2], k=2).indices.numpy()
array([1, 3], dtype=int32)
"""

from __future__ import annotations

import collections

import numpy as np
import torch

from tensorweave._src.api_export import tf_export
from tensorweave._src.core import dtypes as _dt
from tensorweave._src.core.backend import TORCH_OF
from tensorweave._src.core.convert import convert_to_tensor
from tensorweave._src.core.dispatch import bind
from tensorweave._src.core.op_messages import with_name
from tensorweave._src.core.primitive import AbstractValue, Primitive
from tensorweave._src.ops._common import _tf_type_name, invalid, static_value, tensor
from tensorweave._src.ops.indexing._grad_util import T, dense, rank, scatter_last
from tensorweave._src.ops.indexing._util import bad_dtype, bits, check_index_dtype, order_key, unbits

_TOPK_ALLOWED = _dt.REAL
_NEG_ALLOWED = _dt.FLOATS | _dt.SIGNED_INTEGERS | _dt.COMPLEX


def stable_order(x: torch.Tensor, dim: int, descending: bool) -> torch.Tensor:
    """int64 positions that sort `x` along `dim`, equal elements keeping their order."""
    try:
        return torch.sort(order_key(x), dim=dim, descending=descending, stable=True).indices
    except (RuntimeError, TypeError, NotImplementedError):
        pass
    a = np.moveaxis(x.cpu().numpy(), dim, -1)
    if descending:
        n = a.shape[-1]
        order = n - 1 - np.flip(np.argsort(np.flip(a, -1), axis=-1, kind="stable"), -1)
    else:
        order = np.argsort(a, axis=-1, kind="stable")
    return torch.from_numpy(np.ascontiguousarray(np.moveaxis(order, -1, dim))).to(torch.int64)


# ---- Sort / ArgSort ------------------------------------------------------------------------------

sort_p = Primitive("Sort")
argsort_p = Primitive("ArgSort")


@sort_p.def_kernel
def _sort(x, axis, descending):
    return take_along(x, stable_order(x, axis, descending), axis)


def take_along(x, order, dim):
    return unbits(torch.gather(bits(x), dim, order), x.dtype)


@argsort_p.def_kernel
def _argsort(x, axis, descending):
    return stable_order(x, axis, descending).to(torch.int32)


def _sort_rule(x, axis, descending, out_dtype=None):
    _check_sortable(x.dtype, descending)
    rank = x.shape.rank
    if rank is not None:
        _check_sort_axis(axis, rank)
    return AbstractValue(out_dtype or x.dtype, x.shape)


sort_p.def_abstract(_sort_rule)
argsort_p.def_abstract(lambda x, axis, descending: _sort_rule(x, axis, descending, _dt.int32))


def _check_sortable(dtype, descending: bool) -> None:
    if not descending and dtype not in _NEG_ALLOWED | _dt.INTEGERS:
        raise bad_dtype("Neg", dtype, _NEG_ALLOWED)
    if dtype not in _TOPK_ALLOWED:
        raise bad_dtype("TopKV2", dtype, _TOPK_ALLOWED)


def _check_sort_axis(axis: int, rank: int) -> None:
    """TF's error for reading `shape[axis]` (`tensor[...]`, named after its eager name scope)."""
    if rank == 0:
        raise with_name(invalid("StridedSlice", "slice index -1 of dimension 0 out of bounds."),
                        "strided_slice/")
    if not -rank <= axis < rank:
        raise with_name(invalid("StridedSlice", f"slice index {axis if axis >= 0 else axis + rank} of "
                                                f"dimension 0 out of bounds."), "strided_slice/")


def _sort_args(op, values, axis, direction):
    if direction not in ("ASCENDING", "DESCENDING"):
        raise ValueError(f"Argument `direction` should be one of ASCENDING, DESCENDING. Received: "
                         f"direction={direction}")
    x = _converted(values)  # TF's sort converts `values` first
    axis = int(static_value(axis))
    descending = direction == "DESCENDING"
    _check_sortable(x.dtype, descending)
    rank = x.shape.rank
    if rank is not None:
        _check_sort_axis(axis, rank)
        axis = axis + rank if axis < 0 else axis
    return bind(op, x, axis=axis, descending=descending)


@tf_export("sort")
def sort(values, axis=-1, direction="ASCENDING", name=None):
    """Sorts `values` along `axis`.

    >>> import tensorweave as tf
    >>> print(tf.sort([[3, 1, 2], [0, 5, 4]], direction="DESCENDING"))
    tf.Tensor(
    [[3 2 1]
     [5 4 0]], shape=(2, 3), dtype=int32)
    """
    return _sort_args(sort_p, values, axis, direction)


@sort_p.def_grad
def _sort_grad(op, dy):
    """Each sorted value's gradient goes back to the position it came from (TF's sort is top_k on
    the values, negated for ascending; equal values keep their order in both, so ties match)."""
    x = op.inputs[0]
    axis, descending = op.get_attr("axis"), op.get_attr("descending")
    order = bind(argsort_p, x, axis=axis, descending=descending)
    last = rank(x) - 1
    dy = dense(dy)
    if axis == last:
        return scatter_last(dy, order, T.shape(x))
    perm = list(range(rank(x)))
    perm[axis], perm[last] = last, axis
    dx = scatter_last(T.transpose(dy, perm), T.transpose(order, perm), T.shape(T.transpose(x, perm)))
    return T.transpose(dx, perm)


@argsort_p.def_grad
def _argsort_grad(op, dy):
    """Reached only when the int32 positions are themselves the target: TF's argsort is top_k's
    indices (of the negated values when ascending), whose gradient is zeros (-0.0 when ascending)."""
    zeros = T.zeros_like(op.inputs[0])
    return zeros if op.get_attr("descending") else T.negative(zeros)


@tf_export("argsort")
def argsort(values, axis=-1, direction="ASCENDING", stable=False, name=None):
    """int32 positions that sort `values` along `axis` (always stable)."""
    return _sort_args(argsort_p, values, axis, direction)


def _tensor(x, dtype=None):
    return x._as_tensor() if hasattr(x, "_as_tensor") else tensor(x, dtype)


def _converted(x, dtype=None):
    """`x` as a tensor, converted as TF's Python converts it before its ops see it."""
    return x._as_tensor() if hasattr(x, "_as_tensor") else convert_to_tensor(x, dtype)


# ---- TopKV2 --------------------------------------------------------------------------------------

TopKV2 = collections.namedtuple("TopKV2", ["values", "indices"])
top_k_p = Primitive("TopKV2", multiple_results=True, allowed=_TOPK_ALLOWED)


@top_k_p.def_kernel
def _top_k(x, k, sorted, index_type):
    k = int(k)
    if k < 0:
        raise invalid("TopKV2", f"Need k >= 0, got {k}")
    if x.ndim == 0:
        raise invalid("TopKV2", "input must be >= 1-D, got shape []")
    if x.shape[-1] < k:
        raise invalid("TopKV2", f"input must have at least k columns. Had {x.shape[-1]}, needed {k}")
    order = stable_order(x, -1, True)[..., :k]
    return take_along(x, order, -1), order.to(TORCH_OF[index_type])


@top_k_p.def_abstract
def _top_k_rule(x, k, sorted, index_type):
    if x.dtype not in _TOPK_ALLOWED:
        raise bad_dtype("TopKV2", x.dtype, _TOPK_ALLOWED)
    kv = getattr(k, "const", None)
    if kv is not None and int(kv) < 0:
        raise invalid("TopKV2", f"Need k >= 0, got {int(kv)}")
    if x.shape.rank is None:
        return AbstractValue(x.dtype, None), AbstractValue(index_type, None)
    if x.shape.rank == 0:
        raise invalid("TopKV2", "input must be >= 1-D, got shape []")
    dims = x.shape.as_list()
    kv = None if kv is None else int(kv)
    if kv is not None and dims[-1] is not None and dims[-1] < kv:
        raise invalid("TopKV2", f"input must have at least k columns. Had {dims[-1]}, needed {kv}")
    out = dims[:-1] + [kv]
    return AbstractValue(x.dtype, out), AbstractValue(index_type, out)


@top_k_p.def_grad
def _top_k_grad(op, dvalues, dindices):
    """The values' gradient scattered to the positions they were taken from; `k` gets None."""
    return scatter_last(dense(dvalues), op.outputs[1], T.shape(op.inputs[0])), None


@tf_export("math.top_k", "nn.top_k")
def top_k(input, k=1, sorted=True, index_type=_dt.int32, name=None):
    """The `k` largest entries of the last dimension and their positions, as `TopKV2(values, indices)`.

    Equal values keep their order. `sorted=False` also returns them sorted.

    >>> import tensorweave as tf
    >>> print(tf.math.top_k([[1, 5, 3], [7, 0, 2]], k=2).values)
    tf.Tensor(
    [[5 3]
     [7 2]], shape=(2, 2), dtype=int32)
    """
    x = _tensor(input)
    k = _tensor(k)
    index_type = _dt.as_dtype(index_type)
    check_index_dtype("TopKV2", index_type, "index_type", frozenset((_dt.int16, _dt.int32, _dt.int64)))
    values, indices = bind(top_k_p, x, k, sorted=bool(sorted), index_type=index_type)
    return TopKV2(values, indices)


# ---- InTopKV2 --------------------------------------------------------------------------------------

in_top_k_p = Primitive("InTopKV2")


@in_top_k_p.def_kernel
def _in_top_k(predictions, targets, k):
    k = int(k)
    t = targets.long()
    n = predictions.shape[-1]
    valid = (t >= 0) & (t < n)
    target_pred = torch.gather(predictions, 1, torch.where(valid, t, 0)[:, None])
    valid &= torch.isfinite(target_pred[:, 0])
    larger = (predictions > target_pred).sum(-1)
    return valid & (larger < k)


@in_top_k_p.def_abstract
def _in_top_k_rule(predictions, targets, k):
    check_index_dtype("InTopKV2", targets.dtype, "T")
    if predictions.shape.rank not in (None, 2):
        raise invalid("InTopKV2", "predictions must be 2-dimensional")
    if targets.shape.rank not in (None, 1):
        raise invalid("InTopKV2", "targets must be 1-dimensional")
    n = predictions.shape.as_list()[0] if predictions.shape.rank else None
    m = targets.shape.as_list()[0] if targets.shape.rank else None
    if n is not None and m is not None and n != m:
        raise invalid("InTopKV2", f"First dimension of predictions {n} must match length of targets {m}")
    return AbstractValue(_dt.bool, [n if n is not None else m])


@tf_export("math.in_top_k", "nn.in_top_k")
def in_top_k(targets, predictions, k, name=None):
    """Whether `targets[i]` is among the `k` largest `predictions[i]` (ties count as in; a non-finite
    or out-of-range target is not).

    >>> import tensorweave as tf
    >>> print(tf.math.in_top_k([2, 0], [[0.1, 0.3, 0.6], [0.9, 0.05, 0.05]], 1))
    tf.Tensor([ True  True], shape=(2,), dtype=bool)
    """
    predictions = _tensor(predictions, _dt.float32)
    targets = _tensor(targets)
    k = _tensor(k, targets.dtype if targets.dtype in (_dt.int32, _dt.int64) else None)
    return bind(in_top_k_p, predictions, targets, k)


# ---- LowerBound / UpperBound (searchsorted) ---------------------------------------------------------


def _bound_primitive(op_name: str, right: bool) -> Primitive:
    prim = Primitive(op_name)

    @prim.def_kernel
    def kernel(sorted_inputs, values, out_type):
        s = sorted_inputs.reshape(-1, sorted_inputs.shape[-1]).contiguous()
        v = values.reshape(-1, values.shape[-1]).contiguous()
        if s.shape[0] != v.shape[0]:
            raise invalid(op_name, "Leading dim_size of both tensors must match.")
        s, v = order_key(s), order_key(v)
        try:
            out = torch.searchsorted(s, v, right=right)
        except (RuntimeError, NotImplementedError):
            out = torch.searchsorted(s.to(torch.float64) if s.is_floating_point() else s.to(torch.int64),
                                     v.to(torch.float64) if v.is_floating_point() else v.to(torch.int64),
                                     right=right)
        return out.to(TORCH_OF[out_type]).reshape(values.shape)

    @prim.def_abstract
    def rule(sorted_inputs, values, out_type):
        if sorted_inputs.dtype is not values.dtype:
            raise invalid(op_name, f"cannot compute {op_name} as input #1(zero-based) was expected to be a "
                                   f"{_tf_type_name(sorted_inputs.dtype)} tensor but is a "
                                   f"{_tf_type_name(values.dtype)} tensor")
        return AbstractValue(out_type, values.shape)

    return prim


lower_bound_p = _bound_primitive("LowerBound", False)
upper_bound_p = _bound_primitive("UpperBound", True)
for _p in (lower_bound_p, upper_bound_p):  # not differentiable: None for both inputs, as TF
    _p.def_grad(lambda op, dy: (None, None))


@tf_export("searchsorted")
def searchsorted(sorted_sequence, values, side="left", out_type=_dt.int32, name=None):
    """Positions at which `values` would be inserted into each innermost row of `sorted_sequence`.

    >>> import tensorweave as tf
    >>> print(tf.searchsorted([1, 3, 5, 7], [0, 3, 6, 9], side="right"))
    tf.Tensor([0 2 3 4], shape=(4,), dtype=int32)
    """
    if side not in ("left", "right"):
        raise ValueError(f"Argument `side` must be either 'right' or 'left'. Received: `side` = '{side}'.")
    s = _converted(sorted_sequence)  # TF's searchsorted reshapes both before its op sees them
    v = _converted(values, s.dtype) if not hasattr(values, "dtype") else _converted(values)
    op = upper_bound_p if side == "right" else lower_bound_p
    out_type = _dt.as_dtype(out_type)
    check_index_dtype(op.name, out_type, "out_type")
    for t in (s, v):
        if t.shape.rank == 0:  # TF reads shape[-1]
            raise with_name(invalid("StridedSlice", "slice index -1 of dimension 0 out of bounds."),
                            "strided_slice/")
    return bind(op, s, v, out_type=out_type)
