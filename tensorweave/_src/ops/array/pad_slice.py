"""`tf.pad` (CONSTANT, REFLECT, SYMMETRIC), `tf.reverse` and `tf.slice`.

>>> import tensorweave as tf
>>> print(tf.pad(tf.constant([[1, 2]]), [[1, 0], [0, 1]]))
tf.Tensor(
[[0 0 0]
 [1 2 0]], shape=(2, 3), dtype=int32)
"""

from __future__ import annotations

import builtins

import numpy as np
import torch

from tensorweave._src.api_export import tf_export
from tensorweave._src.core import dtypes as _dt
from tensorweave._src.core import errors
from tensorweave._src.core.convert import convert_to_tensor
from tensorweave._src.core.dispatch import bind
from tensorweave._src.core.op_messages import fallback_if
from tensorweave._src.core.primitive import AbstractValue, Primitive
from tensorweave._src.core.tensor import Tensor
from tensorweave._src.ops._common import dims_str, invalid, tensor
from tensorweave._src.ops.array._util import (
    INDEX_DTYPES,
    bad_attr,
    const_list,
    dense,
    flip,
    index_select,
    index_tensors,
    is_np,
    mismatch,
    shape_of,
    shape_tensor,
    tf_op,
)

_py_slice = builtins.slice

# ---- Pad / PadV2 / MirrorPad --------------------------------------------------------------------------

pad_p = Primitive("Pad")
pad_v2_p = Primitive("PadV2")
mirror_pad_p = Primitive("MirrorPad")


def _check_paddings(op, dims, pads_shape, pads, mode=None):
    """TF's paddings checks; returns the output dims (None where unknown)."""
    if pads_shape is not None and (len(pads_shape) != 2 or pads_shape[1] not in (2, None)):
        raise invalid(op, f"paddings must be a matrix with 2 columns: {dims_str(pads_shape)}")
    if dims is None:
        return None if pads_shape is None or pads_shape[0] is None else [None] * pads_shape[0]
    if pads_shape is not None and pads_shape[0] is not None and pads_shape[0] != len(dims):
        raise invalid(op, f"The first dimension of paddings must be the rank of inputs"
                          f"{dims_str(pads_shape)} {dims_str(dims)}")
    if pads is None:
        return [None] * len(dims)
    out = []
    for d, (before, after) in zip(dims, pads):
        if before < 0 or after < 0:
            raise invalid(op, f"Paddings must be non-negative: {before} {after}")
        if mode is not None and d is not None:
            offset = 1 if mode == "REFLECT" else 0
            if before > d - offset or after > d - offset:
                if mode == "REFLECT":
                    raise invalid(op, f"paddings must be less than the dimension size: {before}, {after} "
                                      f"not less than {d}")
                raise invalid(op, f"paddings must be no greater than the dimension size: {before}, {after} "
                                  f"greater than {d}")
        out.append(None if d is None else d + before + after)
    return out


def _pad_constant(x, paddings, value):
    if paddings.ndim != 2 or paddings.shape[1] != 2 or paddings.shape[0] != x.ndim:
        raise ValueError("bad paddings shape")
    pads = paddings.tolist()
    if is_np(x):
        return np.pad(x, pads, constant_values=value.reshape(())[()] if value is not None else b"")
    if any(b < 0 or a < 0 for b, a in pads):
        raise ValueError("negative paddings")
    out_shape = [d + b + a for d, (b, a) in zip(x.shape, pads)]
    if value is None:
        out = torch.zeros(out_shape, dtype=x.dtype, device=x.device)
    else:
        out = value.reshape(()).expand(out_shape).clone()
    out[tuple(_py_slice(b, b + d) for d, (b, _) in zip(x.shape, pads))] = x
    return out


@pad_p.def_kernel
def _pad(x, paddings):
    return _pad_constant(x, paddings, None)


@pad_v2_p.def_kernel
def _pad_v2(x, paddings, constant_values):
    return _pad_constant(x, paddings, constant_values)


@mirror_pad_p.def_kernel
def _mirror_pad(x, paddings, mode):
    if paddings.ndim != 2 or paddings.shape[1] != 2 or paddings.shape[0] != x.ndim:
        raise ValueError("bad paddings shape")
    pads = paddings.tolist()
    _check_paddings("MirrorPad", list(x.shape), [len(pads), 2], pads, mode)
    offset = 1 if mode == "REFLECT" else 0
    for dim, (before, after) in enumerate(pads):
        if not before and not after:
            continue
        i = _mirror_indices(x.shape[dim], before, after, offset)
        if is_np(x):
            x = np.take(x, i, axis=dim)
        else:
            x = index_select(x, dim, torch.from_numpy(i).to(x.device))
    return x


def _pad_rule(op, mode=None):
    def rule(x, paddings, *rest, **attrs):
        if rest and rest[0].dtype is not x.dtype:
            raise mismatch(op, 2, x.dtype, rest[0].dtype)
        out = _check_paddings(op, x.shape.dims, paddings.shape.dims, const_list(paddings),
                              attrs.get("mode", mode))
        return AbstractValue(x.dtype, out)
    return rule


pad_p.def_abstract(_pad_rule("Pad"))
pad_v2_p.def_abstract(_pad_rule("PadV2"))
mirror_pad_p.def_abstract(_pad_rule("MirrorPad"))


def _unpad(dy, x, paddings):
    """The gradient of a constant pad: the centre block of dy (TF's _PadGrad)."""
    pads = const_list(paddings)
    if pads is not None:
        begin = [b for b, _ in pads]
    else:
        begin = tf_op("reshape")(tf_op("slice")(paddings, [0, 0], [-1, 1]), [-1])
    size = shape_of(x)
    if isinstance(begin, Tensor) or isinstance(size, Tensor):
        begin, size = (tf_op("cast")(v, _dt.int64) if isinstance(v, Tensor) else
                       convert_to_tensor(v, dtype=_dt.int64) for v in (begin, size))
    return slice(dy, begin, size)


@pad_p.def_grad
def _pad_grad(op, dy):
    return _unpad(dy, op.inputs[0], op.inputs[1]), None


@pad_v2_p.def_grad
def _pad_v2_grad(op, dy):
    return _unpad(dy, op.inputs[0], op.inputs[1]), None, None  # TF gives constant_values no gradient


# MirrorPadGrad: the transpose of MirrorPad, folding each padded region back onto the values it
# mirrors (TF's MirrorPadGrad op); its own gradient is MirrorPad again.
mirror_pad_grad_p = Primitive("MirrorPadGrad")


def _mirror_indices(n, before, after, offset):
    i = np.arange(-before, n + after)
    i = np.where(i < 0, -i - 1 + offset, i)
    return np.where(i >= n, 2 * n - 1 - offset - i, i)


@mirror_pad_grad_p.def_kernel
def _mirror_pad_grad(dy, paddings, mode):
    pads = paddings.tolist()
    offset = 1 if mode == "REFLECT" else 0
    for dim, (before, after) in enumerate(pads):
        if not before and not after:
            continue
        n = dy.shape[dim] - before - after
        i = torch.from_numpy(_mirror_indices(n, before, after, offset)).to(dy.device)
        shape = list(dy.shape)
        shape[dim] = n
        dy = torch.zeros(shape, dtype=dy.dtype, device=dy.device).index_add_(dim, i, dy)
    return dy


@mirror_pad_grad_p.def_abstract
def _mirror_pad_grad_rule(dy, paddings, mode):
    pads = const_list(paddings)
    dims = dy.shape.dims
    if dims is None:
        return AbstractValue(dy.dtype, None)
    if pads is None:
        return AbstractValue(dy.dtype, [None] * len(dims))
    return AbstractValue(dy.dtype, [None if d is None else d - b - a for d, (b, a) in zip(dims, pads)])


@mirror_pad_grad_p.def_grad
def _mirror_pad_grad_gradient(op, ddx):
    return bind(mirror_pad_p, ddx, op.inputs[1], mode=op.get_attr("mode")), None


@mirror_pad_p.def_grad
def _mirror_pad_gradient(op, dy):
    return bind(mirror_pad_grad_p, dense(dy), op.inputs[1], mode=op.get_attr("mode")), None


@tf_export("pad")
def pad(tensor, paddings, mode="CONSTANT", constant_values=0, name=None):  # noqa: F811
    """Pads `tensor` with `paddings[i] = [before, after]` values along each dimension i: the constant
    `constant_values`, or a reflection of the tensor (REFLECT excludes, SYMMETRIC repeats the edge)."""
    x = _tensor(tensor)
    pads = shape_tensor("Pad", paddings, "Tpaddings")
    mode = mode.upper()
    if mode == "CONSTANT":
        if not isinstance(constant_values, Tensor) and np.ndim(constant_values) == 0 and (
                constant_values == np.zeros_like(constant_values)):
            return bind(pad_p, x, pads)
        value = constant_values if isinstance(constant_values, Tensor) else convert_to_tensor(
            constant_values, dtype=x.dtype)
        return bind(pad_v2_p, x, pads, value)
    if mode in ("REFLECT", "SYMMETRIC"):
        return bind(mirror_pad_p, x, pads, mode=mode)
    raise ValueError('Value of argument `mode` expected to be one of "CONSTANT", "REFLECT", or "SYMMETRIC". '
                     f"Received `mode` = {mode}")


_tensor = tensor

# ---- ReverseV2 ------------------------------------------------------------------------------------------

reverse_p = Primitive("ReverseV2")


def _reverse_axes(rank, axis):
    out = []
    for i, a in enumerate(axis):
        if not -rank <= a < rank:
            raise invalid("ReverseV2", f"'axis'[{i}] = {a} is out of valid range [0, {rank - 1}")
        a = a + rank if a < 0 else a
        if a in out:
            raise invalid("ReverseV2", f"axis {a} specified more than once.")
        out.append(a)
    return out


@reverse_p.def_kernel
def _reverse(x, axis):
    axes = _reverse_axes(x.ndim, axis)
    if not axes:
        return x
    return flip(x, axes)


@reverse_p.def_abstract
def _reverse_rule(x, axis):
    if x.shape.rank is not None:
        _reverse_axes(x.shape.rank, axis)
    return AbstractValue(x.dtype, x.shape)


@reverse_p.def_grad
def _reverse_grad(op, dy):
    return bind(reverse_p, dense(dy), axis=op.get_attr("axis"))


@tf_export("reverse")
def reverse(tensor, axis, name=None):  # noqa: F811
    """Reverses `tensor` along each dimension listed in `axis`."""
    values = np.asarray(axis.const if hasattr(axis, "const") else axis)
    try:
        if values.ndim != 1:
            raise invalid("ReverseV2", f"'dims' must be 1-dimension, not {values.ndim}")
        if values.size and values.dtype.kind not in "iu":
            raise bad_attr("ReverseV2", "Tidx", _tensor(axis).dtype, INDEX_DTYPES)
        return bind(reverse_p, _tensor(tensor), axis=tuple(int(a) for a in values))
    except errors.OpError as e:
        raise fallback_if(e, tensor, axis)  # TF passes both to its op as given


# ---- Slice ------------------------------------------------------------------------------------------

slice_p = Primitive("Slice")


def _slice_bounds(dims, begin, size):
    if len(begin) != len(dims) or len(size) != len(dims):
        raise invalid("Slice", f"Expected begin and size arguments to be 1-D tensors of size {len(dims)}, "
                               f"but got shapes [{len(begin)}] and [{len(size)}] instead.")
    out = []
    for i, (d, b, s) in enumerate(zip(dims, begin, size)):
        if d is None:
            out.append(None if s == -1 else s)
            continue
        if s == -1:
            s = d - b
        if d == 0:
            if b != 0 or s != 0:
                raise invalid("Slice", f"Expected begin[{i}] == 0 (got {b}) and size[{i}] == 0 (got {s}) "
                                       f"when input.dim_size({i}) == 0")
        else:
            if not 0 <= b <= d:
                raise invalid("Slice", f"Expected begin[{i}] in [0, {d}], but got {b}")
            if not (0 <= s and b + s <= d):
                raise invalid("Slice", f"Expected size[{i}] in [0, {d - b}], but got {s}")
        out.append(s)
    return out


@slice_p.def_kernel
def _slice(x, begin, size):
    b = begin.tolist()
    sizes = _slice_bounds(list(x.shape), b, size.tolist())
    return x[tuple(_py_slice(s0, s0 + n) for s0, n in zip(b, sizes))]


@slice_p.def_abstract
def _slice_rule(x, begin, size):
    b, s = const_list(begin), const_list(size)
    dims = x.shape.dims
    if dims is None:
        n = begin.shape[0] if begin.shape.rank == 1 else None
        return AbstractValue(x.dtype, None if n is None else [None] * n)
    if b is None or s is None:
        if begin.shape.rank == 1 and size.shape.rank == 1 and (
                begin.shape[0] not in (None, len(dims)) or size.shape[0] not in (None, len(dims))):
            raise invalid("Slice", f"Expected begin and size arguments to be 1-D tensors of size "
                                   f"{len(dims)}, but got shapes {dims_str(begin.shape)} and "
                                   f"{dims_str(size.shape)} instead.")
        return AbstractValue(x.dtype, [None if s is None or s[i] == -1 else s[i] for i in range(len(dims))])
    return AbstractValue(x.dtype, _slice_bounds(dims, b, s))


@slice_p.def_grad
def _slice_grad(op, dy):
    """Pads dy back to the input's shape with zeros (TF's _SliceGrad)."""
    x, begin, _ = op.inputs
    b, xd, yd = const_list(begin), shape_of(x), shape_of(op.outputs[0])
    if b is not None and not isinstance(xd, Tensor) and not isinstance(yd, Tensor):
        pads = [[bi, n - m - bi] for bi, n, m in zip(b, xd, yd)]
    else:
        shape = tf_op("shape")
        after = shape(x, out_type=begin.dtype) - shape(dy, out_type=begin.dtype) - begin
        pads = tf_op("stack")([begin, after], axis=1)
    return pad(dy, pads), None, None


@tf_export("slice")
def slice(input_, begin, size, name=None):  # noqa: A001 - TF's public name
    """The `size`-shaped block of `input_` starting at `begin` (a size of -1 takes the rest)."""
    begin, size = index_tensors("Slice", [begin, size], 1)
    return bind(slice_p, _tensor(input_), begin, size)
