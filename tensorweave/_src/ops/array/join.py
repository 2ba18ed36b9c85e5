"""Joining and splitting: `tf.concat`, `tf.stack`, `tf.unstack`, `tf.split`.

>>> import tensorweave as tf
>>> print(tf.stack([tf.constant([1, 2]), tf.constant([3, 4])], axis=1))
tf.Tensor(
[[1 3]
 [2 4]], shape=(2, 2), dtype=int32)
"""

from __future__ import annotations

import numbers

import numpy as np
import torch

from tensorweave._src.api_export import tf_export
from tensorweave._src.core import dtypes as _dt
from tensorweave._src.core import errors
from tensorweave._src.core.convert import convert_to_tensor
from tensorweave._src.core.dispatch import bind
from tensorweave._src.core.op_messages import with_name
from tensorweave._src.core.primitive import AbstractValue, Primitive
from tensorweave._src.core.shape import Dimension
from tensorweave._src.core.tensor import Tensor
from tensorweave._src.ops._common import dims_str, invalid, tensor
from tensorweave._src.ops.array._util import (
    bad_attr,
    const_list,
    is_np,
    mismatch,
    np_out,
    py_int,
    shape_tensor,
    tensor_list,
    tf_op,
)

# ---- ConcatV2 -------------------------------------------------------------------------------------

concat_p = Primitive("ConcatV2")


@concat_p.def_kernel
def _concat(*xs, axis):
    rank = xs[0].ndim
    if not -rank <= axis < rank:
        raise ValueError("axis out of range")
    a = axis + rank if axis < 0 else axis
    if is_np(xs[0]):
        return np.concatenate(xs, axis=a)
    return torch.cat(xs, dim=a)


@concat_p.def_abstract
def _concat_rule(*xs, axis):
    first = xs[0]
    dims0 = first.shape.dims
    if dims0 is None:
        return AbstractValue(first.dtype, None)
    rank = len(dims0)
    if rank == 0:
        raise invalid("ConcatV2", "ConcatOp : Can't concatenate scalars (use tf.stack instead)")
    if not -rank <= axis < rank:
        raise invalid("ConcatV2", f"ConcatOp : Expected concatenating dimensions in the range [{-rank}, "
                                  f"{rank}), but got {axis}")
    a = axis + rank if axis < 0 else axis
    out = list(dims0)
    for i, x in enumerate(xs[1:], 1):
        if x.dtype is not first.dtype:
            raise mismatch("ConcatV2", i, first.dtype, x.dtype)
        dims = x.shape.dims
        if dims is None:
            out[a] = None
            continue
        if len(dims) != rank:
            raise invalid("ConcatV2", f"ConcatOp : Ranks of all input tensors should match: shape[0] = "
                                      f"{dims_str(dims0)} vs. shape[{i}] = {dims_str(dims)}")
        for j in range(rank):
            if j == a:
                out[a] = None if out[a] is None or dims[j] is None else out[a] + dims[j]
            elif dims[j] is not None and dims0[j] is not None and dims[j] != dims0[j]:
                raise invalid("ConcatV2", f"ConcatOp : Dimension {j} in both shapes must be equal: "
                                          f"shape[0] = {dims_str(dims0)} vs. shape[{i}] = {dims_str(dims)}")
            elif out[j] is None:
                out[j] = dims[j]
    return AbstractValue(first.dtype, out)


def _axis_value(axis) -> int:
    if isinstance(axis, Tensor):
        return int(axis)
    return py_int(axis, "axis")


@concat_p.def_grad
def _concat_grad(op, dy):
    """Splits dy back into the inputs' pieces along the concat axis."""
    xs = op.inputs
    rank = dy.shape.rank if dy.shape.rank is not None else xs[0].shape.rank
    axis = op.get_attr("axis")
    a = axis + rank if axis < 0 else axis
    sizes = [x.shape[a] if x.shape.rank is not None else None for x in xs]
    if any(s is None for s in sizes):
        shape = tf_op("shape")
        sizes = stack([shape(x)[a] for x in xs])
    return split(dy, sizes, axis=a)


@tf_export("concat")
def concat(values, axis, name="concat"):
    """Joins tensors along dimension `axis` (their other dimensions must match)."""
    if isinstance(values, Tensor) or not isinstance(values, (list, tuple)):
        values = [values]
    if len(values) == 1:
        from tensorweave._src.ops.array.queries import identity
        return identity(values[0])
    try:
        if not values:
            raise invalid("ConcatV2", "OpKernel 'ConcatV2' has constraint on attr 'T' not in NodeDef "
                                      "'[N=0, Tidx=DT_INT32]', KernelDef: 'goo.gle/debugonly  op: "
                                      "\"ConcatV2\" device_type: \"CPU\" constraint { name: \"T\" "
                                      "allowed_values { list { type: DT_QINT32 } } } "
                                      "host_memory_arg: \"axis\"'")
        return bind(concat_p, *tensor_list("ConcatV2", values), axis=_axis_value(axis))
    except errors.OpError as e:
        raise with_name(e, name, "ConcatV2")  # TF passes the name to its op


# ---- Pack / Unpack ----------------------------------------------------------------------------------

pack_p = Primitive("Pack")
unpack_p = Primitive("Unpack", multiple_results=True)


@pack_p.def_kernel
def _pack(*xs, axis):
    rank = xs[0].ndim + 1
    a = axis + rank if axis < 0 else axis
    if is_np(xs[0]):
        return np.stack(xs, axis=a)
    return torch.stack(xs, dim=a)


@pack_p.def_abstract
def _pack_rule(*xs, axis):
    first = xs[0]
    shape = first.shape
    for i, x in enumerate(xs[1:], 1):
        if x.dtype is not first.dtype:
            raise mismatch("Pack", i, first.dtype, x.dtype)
        if not shape.is_compatible_with(x.shape):
            raise invalid("Pack", f"Shapes of all inputs must match: values[0].shape = "
                                  f"{dims_str(first.shape)} != values[{i}].shape = {dims_str(x.shape)}")
        shape = shape.merge_with(x.shape)
    dims = shape.dims
    if dims is None:
        return AbstractValue(first.dtype, None)
    rank = len(dims) + 1
    if not -rank <= axis < rank:
        raise ValueError(f"Argument `axis` = {axis} not in range [{-rank}, {rank})")
    a = axis + rank if axis < 0 else axis
    return AbstractValue(first.dtype, dims[:a] + [len(xs)] + dims[a:])


def _has_tensor(values) -> bool:
    for v in values:
        if isinstance(v, Tensor) or hasattr(v, "_as_tensor"):
            return True
        if isinstance(v, (list, tuple)) and _has_tensor(v):
            return True
    return False


@pack_p.def_grad
def _pack_grad(op, dy):
    return unstack(dy, num=len(op.inputs), axis=op.get_attr("axis"))


@tf_export("stack")
def stack(values, axis=0, name="stack"):
    """Stacks a list of rank-R tensors into one rank-(R+1) tensor along a new axis `axis`."""
    if isinstance(values, Tensor) or hasattr(values, "_as_tensor"):
        x = tensor(values) if isinstance(values, Tensor) else values._as_tensor()
        if axis == 0:
            return x
        values = unstack(x)
    axis = _axis_value(axis)
    if axis == 0 and not _has_tensor(values):
        try:
            return convert_to_tensor(values)
        except (TypeError, ValueError):
            pass
    try:
        xs = tensor_list("Pack", values)
        rank = xs[0].shape.rank
        if rank is not None and not -rank - 1 <= axis < rank + 1:
            raise ValueError(f"Argument `axis` = {axis} not in range [{-rank - 1}, {rank + 1})")
        return bind(pack_p, *xs, axis=axis)
    except errors.OpError as e:
        raise with_name(e, name, "Pack")  # TF passes the name to its op


@unpack_p.def_kernel
def _unpack(x, num, axis):
    a = axis + x.ndim if axis < 0 else axis
    n = x.shape[a]
    if n != num:
        raise invalid("Unpack", f"Input shape axis {a} must equal {num}, got shape {dims_str(list(x.shape))}")
    if is_np(x):
        return tuple(np_out(np.take(x, i, axis=a)) for i in range(n))
    return torch.unbind(x, dim=a)


@unpack_p.def_abstract
def _unpack_rule(x, num, axis):
    dims = x.shape.dims
    if dims is None:
        return tuple(AbstractValue(x.dtype, None) for _ in range(num))
    a = axis + len(dims) if axis < 0 else axis
    if dims[a] is not None and dims[a] != num:
        raise invalid("Unpack", f"Input shape axis {a} must equal {num}, got shape {dims_str(dims)}")
    return tuple(AbstractValue(x.dtype, dims[:a] + dims[a + 1:]) for _ in range(num))


@unpack_p.def_grad
def _unpack_grad(op, *dys):
    return stack(list(dys), axis=op.get_attr("axis"))  # missing output gradients arrive as zeros


@tf_export("unstack")
def unstack(value, num=None, axis=0, name="unstack"):
    """Splits `value` along `axis` into a list of tensors of rank R-1."""
    x = tensor(value)
    axis = _axis_value(axis)
    rank = x.shape.rank
    if rank is not None and not -rank <= axis < rank:
        raise ValueError(f"Argument `axis` = {axis} not in range [{-rank}, {rank})")
    if num is None:
        num = x.shape[axis] if rank is not None else None
        if num is None:
            raise ValueError(f"Cannot infer argument `num` from shape {x.shape}")
    try:
        return list(bind(unpack_p, x, num=int(num), axis=axis))
    except errors.OpError as e:
        raise with_name(e, name, "Unpack")  # TF passes the name to its op


# ---- Split / SplitV --------------------------------------------------------------------------------------

split_p = Primitive("Split", multiple_results=True)
split_v_p = Primitive("SplitV", multiple_results=True)


def _split_dim(op, dims, axis):
    rank = len(dims)
    if not -rank <= axis < rank:
        raise invalid(op, f"-input rank(-{rank}) <= split_dim < input rank ({rank}), but got {axis}")
    return axis + rank if axis < 0 else axis


def _even_sizes(dims, axis, num_split):
    a = _split_dim("Split", dims, axis)
    n = dims[a]
    if n is not None and n % num_split:
        raise invalid("Split", f"Number of ways to split should evenly divide the split dimension, but got "
                               f"split_dim {axis} (size = {n}) and num_split {num_split}")
    return a, [None if n is None else n // num_split] * num_split


def _v_sizes(dims, sizes, axis, num_split):
    if len(sizes) != num_split:
        raise invalid("SplitV", f"size of the split_tensor must be 1-D and have the same elements as outputs "
                                f"got 1 -D and {len(sizes)} elements")
    a = _split_dim("SplitV", dims, axis)
    neg, total = -1, 0
    for d, s in enumerate(sizes):
        if s == -1:
            if neg != -1:
                raise invalid("SplitV", "There can only be one -1 in the input.")
            neg = d
        else:
            if s < 0:
                raise invalid("SplitV", f"Split size at index {d} must be >= 0. Got: {s}")
            total += s
    n = dims[a]
    if n is None:
        return a, [None if s == -1 else s for s in sizes]
    if (neg == -1 and total != n) or (neg != -1 and total > n):
        raise invalid("SplitV", "Determined shape must either match input shape along split_dim exactly if "
                                "fully specified, or be less than the size of the input along split_dim if "
                                f"not fully specified.  Got: {total}")
    sizes = list(sizes)
    if neg != -1:
        sizes[neg] = n - total
    return a, sizes


def _split_pieces(x, a, sizes):
    if is_np(x):
        return tuple(np.split(x, np.cumsum(sizes)[:-1], axis=a))
    return torch.split(x, sizes, dim=a)


@split_p.def_kernel
def _split(x, axis, num_split):
    a, sizes = _even_sizes(list(x.shape), axis, num_split)
    return _split_pieces(x, a, sizes)


@split_p.def_abstract
def _split_rule(x, axis, num_split):
    dims = x.shape.dims
    if dims is None:
        return tuple(AbstractValue(x.dtype, None) for _ in range(num_split))
    a, sizes = _even_sizes(dims, axis, num_split)
    return tuple(AbstractValue(x.dtype, dims[:a] + [s] + dims[a + 1:]) for s in sizes)


@split_v_p.def_kernel
def _split_v(x, size_splits, axis, num_split):
    a, sizes = _v_sizes(list(x.shape), size_splits.tolist(), axis, num_split)
    return _split_pieces(x, a, sizes)


@split_v_p.def_abstract
def _split_v_rule(x, size_splits, axis, num_split):
    dims = x.shape.dims
    sizes = const_list(size_splits)
    if dims is None:
        return tuple(AbstractValue(x.dtype, None) for _ in range(num_split))
    if sizes is None:
        a = _split_dim("SplitV", dims, axis)
        return tuple(AbstractValue(x.dtype, dims[:a] + [None] + dims[a + 1:]) for _ in range(num_split))
    a, sizes = _v_sizes(dims, sizes, axis, num_split)
    return tuple(AbstractValue(x.dtype, dims[:a] + [s] + dims[a + 1:]) for s in sizes)


@split_p.def_grad
def _split_grad(op, *dys):
    return concat(list(dys), axis=op.get_attr("axis"))


@split_v_p.def_grad
def _split_v_grad(op, *dys):
    return concat(list(dys), axis=op.get_attr("axis")), None


@tf_export("split")
def split(value, num_or_size_splits, axis=0, num=None, name="split"):
    """Splits `value` along `axis` into `num_or_size_splits` equal pieces, or pieces of the listed
    sizes (one of which may be -1)."""
    try:
        return _split_impl(value, num_or_size_splits, axis, num)
    except errors.OpError as e:
        raise with_name(e, name, "Split", "SplitV")  # TF passes the name to its op


def _split_impl(value, num_or_size_splits, axis, num):
    x = tensor(value)
    axis = _axis_value(axis)
    if isinstance(num_or_size_splits, (numbers.Integral, Dimension)) and not isinstance(
            num_or_size_splits, bool):
        n = int(num_or_size_splits)
        if n < 1:
            raise invalid("Split", f"Value for attr 'num_split' of {n} must be at least minimum 1")
        return list(bind(split_p, x, axis=axis, num_split=n))
    allowed = (_dt.int8, _dt.int32, _dt.int64)
    sizes = shape_tensor("SplitV", num_or_size_splits, "Tlen", allowed, tf_converts=True)
    if sizes.shape.rank == 0:
        raise ValueError("Rank-0 tensors are not supported as the num_or_size_splits argument to split. "
                         f"Argument provided: {num_or_size_splits}")
    if num is None:
        num = sizes.shape[0]
        if num is None:
            raise ValueError(f"Cannot infer argument `num` from shape {num_or_size_splits}")
    if num < 1:
        raise invalid("SplitV", f"Value for attr 'num_split' of {num} must be at least minimum 1")
    if sizes.dtype not in allowed:
        raise bad_attr("SplitV", "Tlen", sizes.dtype, allowed)
    return list(bind(split_v_p, x, sizes, axis=axis, num_split=int(num)))
