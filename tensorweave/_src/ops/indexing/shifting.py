"""`tf.roll` (cyclic shift) and `tf.repeat` (repeat elements along an axis).

>>> import tensorweave as tf
>>> print(tf.roll([1, 2, 3, 4, 5], shift=2, axis=0))
tf.Tensor([4 5 1 2 3], shape=(5,), dtype=int32)
>>> print(tf.repeat([1, 2, 3], [1, 0, 2]))
tf.Tensor([1 3 3], shape=(3,), dtype=int32)
"""

from __future__ import annotations

import numpy as np
import torch

from tensorweave._src.api_export import tf_export
from tensorweave._src.core import dtypes as _dt
from tensorweave._src.core import errors
from tensorweave._src.core.dispatch import bind
from tensorweave._src.core.op_messages import fallback
from tensorweave._src.core.primitive import AbstractValue, Primitive
from tensorweave._src.ops._common import invalid, static_value, tensor
from tensorweave._src.ops.indexing._grad_util import T, dense, inverse_perm, rank
from tensorweave._src.ops.indexing._util import bits, check_index_dtype, int_list, unbits

# ---- Roll ----------------------------------------------------------------------------------------

roll_p = Primitive("Roll")


def _roll_amounts(rank: int, shifts: list, axes: list) -> dict:
    if rank == 0:
        raise invalid("Roll", "input must be 1-D or higher")
    if len(shifts) != len(axes):
        raise invalid("Roll", "shift and axis must have the same size")
    total: dict = {}
    for s, a in zip(shifts, axes):
        if not -rank <= a < rank:
            raise invalid("Roll", f"axis {a} is out of range")
        a = a + rank if a < 0 else a
        total[a] = total.get(a, 0) + s
    return total


@roll_p.def_kernel
def _roll(x, shift, axis):
    total = _roll_amounts(x.ndim, int_list(shift), int_list(axis))
    dims = [a for a in total if x.shape[a]]
    if not dims:
        return x.copy() if isinstance(x, np.ndarray) else x.clone()
    shifts = [total[a] % x.shape[a] for a in dims]
    if isinstance(x, np.ndarray):
        return np.roll(x, shifts, dims)
    return torch.roll(x, shifts, dims)


@roll_p.def_abstract
def _roll_rule(x, shift, axis):
    check_index_dtype("Roll", shift.dtype, "Tshift")
    check_index_dtype("Roll", axis.dtype, "Taxis")
    if shift.shape.rank not in (None, 0, 1):
        raise invalid("Roll", "shift must be a scalar or a 1-D vector")
    if axis.shape.rank not in (None, 0, 1):
        raise invalid("Roll", "axis must be a scalar or a 1-D vector")
    s, a = getattr(shift, "const", None), getattr(axis, "const", None)
    if x.shape.rank is not None and s is not None and a is not None:
        _roll_amounts(x.shape.rank, int_list(s), int_list(a))
    return AbstractValue(x.dtype, x.shape)


@tf_export("roll")
def roll(input, shift, axis, name=None):
    """Shifts the elements of `input` cyclically by `shift` along `axis` (scalars or equal-length
    lists; shifts of a repeated axis add up).

    >>> import tensorweave as tf
    >>> print(tf.roll([[1, 2, 3], [4, 5, 6]], shift=[1, 1], axis=[0, 1]))
    tf.Tensor(
    [[6 4 5]
     [3 1 2]], shape=(2, 3), dtype=int32)
    """
    x = _tensor(input)
    return bind(roll_p, x, _tensor(shift), _tensor(axis))


@roll_p.def_grad
def _roll_grad(op, dy):
    return T.roll(dense(dy), T.negative(op.inputs[1]), op.inputs[2]), None, None


def _tensor(x, dtype=None):
    return x._as_tensor() if hasattr(x, "_as_tensor") else tensor(x, dtype)


# ---- Repeat ----------------------------------------------------------------------------------------

repeat_p = Primitive("Repeat")


@repeat_p.def_kernel
def _repeat(x, repeats, axis):
    if axis is None:
        x = x.reshape(-1)
        axis = 0
    n = x.shape[axis]
    r = repeats.reshape(-1).long()
    if r.numel() == 1:
        if int(r[0]) < 0:
            raise invalid("Tile", f"Expected multiples[{axis + 1}] >= 0, but got {int(r[0])}")
        r = r.expand(n)
    elif r.numel() != n:
        raise ValueError(f"Dimensions {n} and {r.numel()} are not compatible")
    elif bool((r < 0).any()):
        raise invalid("Repeat", "repeats must be non-negative")
    if isinstance(x, np.ndarray):
        return np.repeat(x, r.numpy(), axis=axis)
    # torch.repeat_interleave with a repeats tensor is ~20 ms on CPU; index_select is microseconds
    positions = torch.from_numpy(np.repeat(np.arange(n), r.cpu().numpy())).to(x.device)
    return unbits(torch.index_select(bits(x), axis, positions), x.dtype)


@repeat_p.def_abstract
def _repeat_rule(x, repeats, axis):
    check_index_dtype("Repeat", repeats.dtype, "T")
    if x.shape.rank is None:
        return AbstractValue(x.dtype, [None] if axis is None else None)
    dims = x.shape.as_list()
    if axis is None:
        dims = [x.shape.num_elements()]
        axis = 0
    const = getattr(repeats, "const", None)
    n = dims[axis]
    if const is not None:
        r = np.asarray(const).reshape(-1)
        if r.size != 1 and n is not None and r.size != n:
            raise ValueError(f"Dimensions {n} and {r.size} are not compatible")
        if r.size == 1 and int(r[0]) < 0:
            raise invalid("Tile", f"Expected multiples[{axis + 1}] >= 0, but got {int(r[0])}")
        dims[axis] = (None if n is None else n * int(r[0])) if r.size == 1 else int(r.sum())
    else:
        dims[axis] = None
    return AbstractValue(x.dtype, dims)


@tf_export("repeat")
def repeat(input, repeats, axis=None, name=None):
    """Repeats each element of `input` along `axis` (`repeats` a scalar or one count per element);
    with `axis=None` the input is flattened first.

    >>> import tensorweave as tf
    >>> print(tf.repeat([[1, 2], [3, 4]], 2, axis=1))
    tf.Tensor(
    [[1 1 2 2]
     [3 3 4 4]], shape=(2, 4), dtype=int32)
    """
    x = _tensor(input)
    repeats = _tensor(repeats, _dt.int32 if not hasattr(repeats, "dtype") else None)
    if axis is not None:
        axis = int(static_value(axis))
        rank = x.shape.rank
        if rank is not None:
            if not -rank <= axis < max(rank, 1) or rank == 0:
                raise ValueError(f"axis={axis} out of bounds: expected {-rank}<=axis<{rank}")
            axis = axis + rank if axis < 0 else axis
    try:
        return bind(repeat_p, x, repeats, axis=axis)
    except errors.OpError as e:
        raise fallback(e, "Tile")  # TF's repeat tiles by a Python list of multiples


@repeat_p.def_grad
def _repeat_grad(op, dy):
    """Each element's gradient is the sum of its copies' (dense, as through TF's tile/reshape/
    boolean_mask composite): an unsorted_segment_sum along `axis` by source position."""
    x, repeats = op.inputs
    axis = op.get_attr("axis")
    dy = dense(dy)
    if axis is None:
        work_rank, axis = 1, 0
        n = T.size(x)
    else:
        work_rank = rank(x)
        n = T.shape(x)[axis]
    ids = T.repeat(T.range(n), repeats)
    perm = [axis] + [d for d in range(work_rank) if d != axis]
    summed = T.unsorted_segment_sum(T.transpose(dy, perm), ids, n)
    return T.reshape(T.transpose(summed, inverse_perm(perm)), T.shape(x)), None
