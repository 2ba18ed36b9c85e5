"""Selection by condition: `tf.where` (1-arg `Where`, 3-arg `SelectV2`), `tf.boolean_mask` and
`tf.sequence_mask`. Output sizes that depend on values are unknown (None) in abstract rules.

>>> import tensorweave as tf
>>> print(tf.where([True, False], [1, 2], [3, 4]))
tf.Tensor([1 4], shape=(2,), dtype=int32)
>>> print(tf.boolean_mask([1, 2, 3], [True, False, True]))
tf.Tensor([1 3], shape=(2,), dtype=int32)
"""

from __future__ import annotations

import numpy as np
import torch

from tensorweave._src.api_export import tf_export
from tensorweave._src.core import dtypes as _dt
from tensorweave._src.core.dispatch import bind
from tensorweave._src.core.primitive import AbstractValue, Primitive
from tensorweave._src.core.shape import TensorShape
from tensorweave._src.core.tensor import Tensor
from tensorweave._src.ops._common import _tf_type_name, broadcast_shape, dims_str, invalid, tensor
from tensorweave._src.ops.cast import cast
from tensorweave._src.ops.indexing._grad_util import T, dense
from tensorweave._src.ops.indexing._util import bad_dtype, bits, prod, unbits

_WHERE_ALLOWED = _dt.NUMERIC | {_dt.bool}

# ---- Where (1 argument): coordinates of the true / non-zero elements -----------------------------

where_p = Primitive("Where")


@where_p.def_kernel
def _where(x):
    if x.ndim == 0:
        raise invalid("Where", "WhereOp : Unhandled input dimensions: 0")
    return torch.nonzero(bits(x) != 0 if x.dtype is not torch.bool else x)


@where_p.def_abstract
def _where_rule(x):
    if x.dtype not in _WHERE_ALLOWED:
        raise bad_dtype("Where", x.dtype, _WHERE_ALLOWED)
    if x.shape.rank == 0:
        raise invalid("Where", "WhereOp : Unhandled input dimensions: 0")
    n = None
    const = getattr(x, "const", None)
    if const is not None:
        n = int(np.count_nonzero(const))
    return AbstractValue(_dt.int64, [n, x.shape.rank])


# ---- SelectV2: elementwise choice with broadcasting ---------------------------------------------

select_p = Primitive("SelectV2")


@select_p.def_kernel
def _select(condition, t, e):
    if isinstance(t, np.ndarray):
        return np.where(condition.numpy(), t, e).astype(object)
    return torch.where(condition, t, e)


@select_p.def_abstract
def _select_rule(condition, t, e):
    if condition.dtype is not _dt.bool:
        raise invalid("SelectV2", f"cannot compute SelectV2 as input #0(zero-based) was expected to be a "
                                  f"bool tensor but is a {_tf_type_name(condition.dtype)} tensor")
    if t.dtype is not e.dtype:
        raise invalid("SelectV2", f"cannot compute SelectV2 as input #2(zero-based) was expected to be a "
                                  f"{_tf_type_name(t.dtype)} tensor but is a {_tf_type_name(e.dtype)} tensor")
    try:
        shape = broadcast_shape("SelectV2", broadcast_shape("SelectV2", condition.shape, t.shape), e.shape)
    except Exception:
        raise invalid("SelectV2", f"condition {dims_str(condition.shape)}, then {dims_str(t.shape)}, and "
                                  f"else {dims_str(e.shape)} must be broadcastable") from None
    return AbstractValue(t.dtype, shape)


@select_p.def_grad
def _select_grad(op, dy):
    """dy goes to the branch each element was chosen from and zeros to the other (a select, never a
    multiplication by the mask, so an inf/NaN in dy stays out of the unchosen branch).

    As in TF, a NaN still poisons the gradient when the unchosen branch *computes* something whose
    derivative is inf/NaN there: in `tf.where(x > 0, tf.sqrt(x), 0.0)` at x < 0 the sqrt branch gets
    the zero gradient, and sqrt's rule then makes 0 * inf = NaN. Broadcasting is undone centrally."""
    dy = dense(dy)
    c = op.inputs[0]
    zeros = T.zeros([], dy.dtype)
    return None, T.where(c, dy, zeros), T.where(c, zeros, dy)


@tf_export("where")
def where(condition, x=None, y=None, name=None):
    """With only `condition`: the int64 coordinates `[n, rank]` of its true (non-zero) elements.
    With `x` and `y`: elements of `x` where `condition` is true, else of `y`, all three broadcast.

    >>> import tensorweave as tf
    >>> print(tf.where([[True, False], [False, True]]))
    tf.Tensor(
    [[0 0]
     [1 1]], shape=(2, 2), dtype=int64)
    """
    if x is None and y is None:
        condition = _tensor(condition)
        if condition.dtype not in _WHERE_ALLOWED:
            raise bad_dtype("Where", condition.dtype, _WHERE_ALLOWED)
        return bind(where_p, condition)
    if x is None or y is None:
        raise ValueError("x and y must both be non-None or both be None.")
    condition = _as_tensor(condition, _dt.bool)
    x, y = _as_tensor(x), _as_tensor(y)
    if isinstance(x, Tensor) and not isinstance(y, Tensor):
        y = tensor(y, x.dtype)
    elif isinstance(y, Tensor) and not isinstance(x, Tensor):
        x = tensor(x, y.dtype)
    elif not isinstance(x, Tensor):
        x = tensor(x)
        y = tensor(y, x.dtype)
    return bind(select_p, condition, x, y)


def _as_tensor(v, dtype=None):
    if hasattr(v, "_as_tensor"):
        return v._as_tensor()
    if isinstance(v, (Tensor, type(None))):
        return v
    if dtype is None and not isinstance(v, (np.ndarray, np.generic)):
        return v  # Python values adopt the other operand's dtype
    return tensor(v, dtype)


# ---- boolean_mask --------------------------------------------------------------------------------

boolean_mask_p = Primitive("BooleanMask")


@boolean_mask_p.def_kernel
def _boolean_mask(x, mask, axis):
    shape, nm = tuple(x.shape), mask.ndim
    flat = x.reshape(shape[:axis] + (prod(shape[axis:axis + nm]),) + shape[axis + nm:])
    keep = torch.nonzero(mask.reshape(-1) != 0).reshape(-1)
    if isinstance(flat, np.ndarray):
        return np.take(flat, keep.numpy(), axis=axis)
    return unbits(torch.index_select(bits(flat), axis, keep), flat.dtype)


@boolean_mask_p.def_abstract
def _boolean_mask_rule(x, mask, axis):
    nm = mask.shape.rank
    if x.shape.rank is None:
        return AbstractValue(x.dtype, None)
    dims = x.shape.as_list()
    # the kept count is unknown in graphs even for a constant mask: TF gathers at where(mask), whose
    # static shape has no count
    return AbstractValue(x.dtype, dims[:axis] + [None] + dims[axis + nm:])


@tf_export("boolean_mask")
def boolean_mask(tensor, mask, axis=None, name="boolean_mask"):
    """Keeps the slices of `tensor` where `mask` is true; `mask`'s shape must match the dimensions
    `axis : axis + mask.ndim` of `tensor`.

    >>> import tensorweave as tf
    >>> print(tf.boolean_mask([[1, 2], [3, 4]], [True, False], axis=1))
    tf.Tensor(
    [[1]
     [3]], shape=(2, 1), dtype=int32)
    """
    x = _tensor(tensor)
    mask = _tensor(mask)
    nm = mask.shape.rank
    if nm == 0:
        raise ValueError("mask cannot be scalar.")
    if nm is None:
        raise ValueError("Number of mask dimensions must be specified, even if some dimensions are None.  "
                         "E.g. shape=[None] is ok, but shape=None is not.")
    axis = 0 if axis is None else int(axis)
    if x.shape.rank is not None:
        TensorShape(x.shape.as_list()[axis:axis + nm]).assert_is_compatible_with(mask.shape)
        if axis < 0:
            axis += x.shape.rank
    return bind(boolean_mask_p, x, mask, axis=axis)


def _tensor(v):
    return v._as_tensor() if hasattr(v, "_as_tensor") else tensor(v)


@boolean_mask_p.def_grad
def _boolean_mask_grad(op, dy):
    """Dense, as TF's (its boolean_mask is reshape + gather, and Reshape densifies the gather's
    IndexedSlices): dy's slices at the kept positions, zeros elsewhere. Built as a gather from
    [zeros, dy] by each position's 1-based rank among the kept ones (0 for dropped positions)."""
    x, mask = op.inputs
    axis = op.get_attr("axis")
    dy = dense(dy)
    keep = T.reshape(mask if mask.dtype is _dt.bool else T.not_equal(mask, T.zeros_like(mask)), [-1])
    rank_in_kept = T.cumsum(T.cast(keep, _dt.int32))
    source = T.where(keep, rank_in_kept, T.zeros_like(rank_in_kept))
    dshape = T.shape(dy)
    zero_slice = T.zeros(T.concat([dshape[:axis], [1], dshape[axis + 1:]], 0), dy.dtype)
    padded = T.concat([zero_slice, dy], axis)
    return T.reshape(T.gather(padded, source, axis=axis), T.shape(x)), None


# ---- sequence_mask --------------------------------------------------------------------------------

sequence_mask_p = Primitive("SequenceMask")


@sequence_mask_p.def_kernel
def _sequence_mask(lengths, maxlen):
    if maxlen.dtype.is_floating_point:
        limit = int(np.ceil(float(maxlen))) if float(maxlen) > 0 else 0
    else:
        limit = int(maxlen)
    if limit < 0 or float(maxlen) < 0:
        raise invalid("Range", f"Requires start <= limit when delta > 0: 0/{maxlen.item()}")
    row = torch.arange(limit, dtype=maxlen.dtype)
    mat = lengths.to(maxlen.dtype).unsqueeze(-1)
    return row < mat


@sequence_mask_p.def_abstract
def _sequence_mask_rule(lengths, maxlen):
    if maxlen.shape.rank not in (None, 0):
        raise ValueError(f"Argument `maxlen` must be scalar for sequence_mask, received `maxlen` = "
                         f"{maxlen.const} with shape '{maxlen.shape}' instead")
    n = None
    const = getattr(maxlen, "const", None)
    if const is not None:
        n = max(int(np.ceil(float(const))), 0)
    dims = None if lengths.shape.rank is None else lengths.shape.as_list() + [n]
    return AbstractValue(_dt.bool, dims)


_max_p = Primitive("SequenceMaskMaxLen")


@_max_p.def_kernel
def _max_len(lengths):
    if lengths.numel() == 0:
        return torch.zeros((), dtype=lengths.dtype)
    return torch.clamp(lengths.max(), min=0)


@_max_p.def_abstract
def _max_len_rule(lengths):
    const = getattr(lengths, "const", None)
    value = None
    if const is not None:
        value = np.maximum(np.max(const), 0) if np.size(const) else np.zeros((), const.dtype)
    return AbstractValue(lengths.dtype, [], value)


# Not differentiable (TF's sequence_mask is a comparison): None for lengths and maxlen.
sequence_mask_p.def_grad(lambda op, dy: (None, None))
_max_p.def_grad(lambda op, dy: None)


@tf_export("sequence_mask")
def sequence_mask(lengths, maxlen=None, dtype=_dt.bool, name=None):
    """`mask[i..., j] = j < lengths[i...]` for `j` in `range(maxlen)` (default `max(lengths)`).

    >>> import tensorweave as tf
    >>> print(tf.sequence_mask([1, 3], 4))
    tf.Tensor(
    [[ True False False False]
     [ True  True  True False]], shape=(2, 4), dtype=bool)
    """
    lengths = _tensor(lengths)
    maxlen = bind(_max_p, lengths) if maxlen is None else _tensor(maxlen)
    if maxlen.shape.rank not in (None, 0):
        raise ValueError(f"Argument `maxlen` must be scalar for sequence_mask, received `maxlen` = "
                         f"{format(maxlen)} with shape '{maxlen.shape}' instead")
    dtype = _dt.bool if dtype is None else _dt.as_dtype(dtype)
    out = bind(sequence_mask_p, lengths, maxlen)
    return out if dtype is _dt.bool else cast(out, dtype)
