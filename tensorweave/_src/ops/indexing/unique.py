"""Counting ops: `tf.unique`, `tf.unique_with_counts` (first-occurrence order, as TF) and
`tf.math.bincount`. Their output sizes depend on values: unknown (None) in abstract rules.

>>> import tensorweave as tf
>>> y, idx = tf.unique([4, 1, 4, 2])
>>> print(y, idx)
tf.Tensor([4 1 2], shape=(3,), dtype=int32) tf.Tensor([0 1 0 2], shape=(4,), dtype=int32)
"""

from __future__ import annotations

import collections

import numpy as np
import torch

from tensorweave._src.api_export import tf_export
from tensorweave._src.core import dtypes as _dt
from tensorweave._src.core import errors
from tensorweave._src.core.backend import TORCH_OF
from tensorweave._src.core.convert import convert_to_tensor
from tensorweave._src.core.dispatch import bind
from tensorweave._src.core.op_messages import fallback_if
from tensorweave._src.core.primitive import AbstractValue, Primitive
from tensorweave._src.ops._common import invalid, static_value, tensor
from tensorweave._src.ops.cast import cast
from tensorweave._src.ops.indexing._util import check_index_dtype

Unique = collections.namedtuple("Unique", ["y", "idx"])
UniqueWithCounts = collections.namedtuple("UniqueWithCounts", ["y", "idx", "count"])


def _unique_first(x):
    """(first positions of the unique values in order of appearance, idx, counts) as int64 tensors."""
    if isinstance(x, np.ndarray):  # strings
        seen: dict = {}
        idx = np.empty(len(x), dtype=np.int64)
        firsts = []
        for i, v in enumerate(x):
            j = seen.get(v)
            if j is None:
                j = seen[v] = len(firsts)
                firsts.append(i)
            idx[i] = j
        idx_t = torch.from_numpy(idx)
        counts = torch.bincount(idx_t, minlength=len(firsts)) if len(x) else torch.zeros(0, dtype=torch.int64)
        return torch.tensor(firsts, dtype=torch.int64), idx_t, counts
    n = x.numel()
    if n == 0:
        empty = torch.zeros(0, dtype=torch.int64)
        return empty, empty, empty
    if x.is_floating_point() and bool(torch.isnan(x).any()):  # each NaN is its own value
        return _nan_distinct(x)
    key = x
    if x.is_floating_point():
        key = torch.where(x == 0, torch.zeros((), dtype=x.dtype), x)  # -0.0 equals 0.0
    elif x.dtype in (torch.uint16, torch.uint32):
        key = x.to(torch.int64)
    _, inverse, counts = torch.unique(key, return_inverse=True, return_counts=True)
    first = torch.full((counts.numel(),), n, dtype=torch.int64).scatter_reduce(
        0, inverse, torch.arange(n), "amin")
    order = torch.argsort(first)
    rank = torch.empty_like(order)
    rank[order] = torch.arange(order.numel())
    return first[order], rank[inverse], counts[order]


def _nan_distinct(x):
    """NaNs compare unequal: give each a value of its own through a Python-side pass."""
    seen: dict = {}
    idx = []
    firsts = []
    for i, v in enumerate(x.tolist()):
        key = ("nan", i) if v != v else (v + 0.0)
        j = seen.get(key)
        if j is None:
            j = seen[key] = len(firsts)
            firsts.append(i)
        idx.append(j)
    idx_t = torch.tensor(idx, dtype=torch.int64)
    return torch.tensor(firsts, dtype=torch.int64), idx_t, torch.bincount(idx_t, minlength=len(firsts))


def _take(x, positions):
    if isinstance(x, np.ndarray):
        return x[positions.numpy()]
    return x[positions]


def _check_vector(op_name: str, x):
    if x.ndim != 1:
        raise invalid(op_name, "unique expects a 1D vector.")


unique_p = Primitive("Unique", multiple_results=True)
unique_with_counts_p = Primitive("UniqueWithCounts", multiple_results=True)


@unique_p.def_kernel
def _unique(x, out_idx):
    _check_vector("Unique", x)
    first, idx, _ = _unique_first(x)
    return _take(x, first), idx.to(TORCH_OF[out_idx])


@unique_with_counts_p.def_kernel
def _unique_with_counts(x, out_idx):
    _check_vector("UniqueWithCounts", x)
    first, idx, counts = _unique_first(x)
    return _take(x, first), idx.to(TORCH_OF[out_idx]), counts.to(TORCH_OF[out_idx])


def _unique_rule(op_name: str, with_counts: bool):
    def rule(x, out_idx):
        check_index_dtype(op_name, out_idx, "out_idx")
        if x.shape.rank not in (None, 1):
            raise invalid(op_name, "unique expects a 1D vector.")
        n = None if x.shape.rank is None else x.shape.as_list()[0]
        outs = [AbstractValue(x.dtype, [None]), AbstractValue(out_idx, [n])]
        if with_counts:
            outs.append(AbstractValue(out_idx, [None]))
        return tuple(outs)
    return rule


unique_p.def_abstract(_unique_rule("Unique", False))
unique_with_counts_p.def_abstract(_unique_rule("UniqueWithCounts", True))


def _tensor(x, dtype=None):
    return x._as_tensor() if hasattr(x, "_as_tensor") else tensor(x, dtype)


def _converted(x, dtype=None):
    """`x` as a tensor, converted as TF's Python converts it before its ops see it."""
    return x._as_tensor() if hasattr(x, "_as_tensor") else convert_to_tensor(x, dtype)


@tf_export("unique")
def unique(x, out_idx=_dt.int32, name=None):
    """The unique elements of 1-D `x` in order of first appearance, and each element's position
    among them: `Unique(y, idx)` with `x == gather(y, idx)`."""
    out_idx = _dt.as_dtype(out_idx)
    try:
        check_index_dtype("Unique", out_idx, "out_idx")
    except errors.OpError as e:
        raise fallback_if(e, x)  # TF passes x to its op as given
    return Unique(*bind(unique_p, _tensor(x), out_idx=out_idx))


@tf_export("unique_with_counts")
def unique_with_counts(x, out_idx=_dt.int32, name=None):
    """Like `tf.unique`, with how often each unique element occurs: `UniqueWithCounts(y, idx, count)`.

    >>> import tensorweave as tf
    >>> print(tf.unique_with_counts([4, 1, 4, 2]).count)
    tf.Tensor([2 1 1], shape=(3,), dtype=int32)
    """
    out_idx = _dt.as_dtype(out_idx)
    check_index_dtype("UniqueWithCounts", out_idx, "out_idx")
    return UniqueWithCounts(*bind(unique_with_counts_p, _tensor(x), out_idx=out_idx))


# ---- DenseBincount ------------------------------------------------------------------------------

bincount_p = Primitive("DenseBincount")


@bincount_p.def_kernel
def _bincount(arr, weights, minlength, maxlength, flatten, binary_output):
    if flatten:
        arr = arr.reshape(-1)
        weights = weights.reshape(-1)
    if arr.numel() and bool((arr < 0).any()):
        raise invalid("DenseBincount", "Input arr must be non-negative!")
    if weights.numel() and tuple(weights.shape) != tuple(arr.shape):
        raise invalid("DenseBincount", f"`weights` must be the same shape as `arr` or a length-0 `Tensor`, "
                                       f"in which case it acts as all weights equal to 1. Received "
                                       f"[{','.join(str(d) for d in weights.shape)}]")
    size = int(arr.max()) + 1 if arr.numel() else 0
    if minlength is not None:
        size = max(minlength, size)
    if maxlength is not None:
        size = min(maxlength, size)
    size = max(size, 0)
    rows = arr.reshape(-1, arr.shape[-1]) if arr.ndim == 2 else arr.reshape(1, -1)
    w = weights.reshape(rows.shape) if weights.numel() else torch.ones(rows.shape, dtype=weights.dtype)
    keep = rows < size
    out = torch.zeros((rows.shape[0], size), dtype=weights.dtype)
    r = torch.arange(rows.shape[0])[:, None].expand(rows.shape)
    if binary_output:
        out[r[keep], rows[keep].long()] = 1
    else:
        out.index_put_((r[keep], rows[keep].long()), w[keep], accumulate=True)
    return out if arr.ndim == 2 else out[0]


@bincount_p.def_abstract
def _bincount_rule(arr, weights, minlength, maxlength, flatten, binary_output):
    n = None
    if maxlength is not None and maxlength <= (minlength or 0):
        n = max(maxlength, 0)
    if arr.shape.rank == 2 and not flatten:
        return AbstractValue(weights.dtype, [arr.shape.as_list()[0], n])
    return AbstractValue(weights.dtype, [n])


@tf_export("math.bincount")
def bincount(arr, weights=None, minlength=None, maxlength=None, dtype=_dt.int32, name=None, axis=None,
             binary_output=False):
    """Counts the occurrences of each value in the non-negative integer tensor `arr` (or sums their
    `weights`); the result has `max(arr) + 1` bins, at least `minlength`, at most `maxlength`.
    With `axis=-1`, a 2-D `arr` is counted row by row.

    >>> import tensorweave as tf
    >>> print(tf.math.bincount([1, 1, 3, 0]))
    tf.Tensor([1 2 0 1], shape=(4,), dtype=int32)
    """
    arr = _converted(arr)  # TF's bincount converts its arguments first
    if weights is not None:
        weights = _converted(weights)
        if binary_output:
            raise ValueError("Arguments `binary_output` and `weights` are mutually exclusive. Please specify "
                             "only one.")
    if not arr.dtype.is_integer:
        arr = cast(arr, _dt.int32)
    axis = 0 if axis is None else int(axis)
    if axis not in (0, -1):
        raise ValueError(f"Unsupported value for argument axis={axis}. Only 0 and -1 are currently "
                         f"supported.")
    if weights is None:
        dtype = _dt.as_dtype(dtype)
        weights = tensor(np.zeros(0, dtype=dtype.as_numpy_dtype), dtype)
    minlength = None if minlength is None else int(static_value(minlength))
    maxlength = None if maxlength is None else int(static_value(maxlength))
    return bind(bincount_p, arr, weights, minlength=minlength, maxlength=maxlength,
                flatten=axis == 0 and arr.shape.rank != 1, binary_output=bool(binary_output))
