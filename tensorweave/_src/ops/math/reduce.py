"""Reductions: `tf.reduce_sum/mean/max/min/prod/all/any`, `tf.math.reduce_euclidean_norm`, and the
composites `reduce_std/variance/logsumexp` and `count_nonzero`.

Axes are an int32/int64 tensor input (`reduction_indices`); `axis=None` reduces every dimension.
Integer means truncate toward zero; empty reductions give the identity (`reduce_max` of nothing is
-inf or the dtype's minimum).

>>> import tensorweave as tf
>>> print(tf.reduce_sum([[1, 2], [3, 4]], axis=0))
tf.Tensor([4 6], shape=(2,), dtype=int32)
>>> print(tf.reduce_mean(tf.constant([1, 2])))
tf.Tensor(1, shape=(), dtype=int32)
"""

from __future__ import annotations

import math

import numpy as np
import torch

from tensorweave._src.api_export import tf_export
from tensorweave._src.core import dtypes as _dt
from tensorweave._src.core.convert import scalar_operand
from tensorweave._src.core.dispatch import bind
from tensorweave._src.core.primitive import AbstractValue, Primitive
from tensorweave._src.core.tensor import Tensor
from tensorweave._src.ops._common import invalid, tensor
from tensorweave._src.ops.cast import cast
from tensorweave._src.ops.math import binary, composite, unary
from tensorweave._src.ops.math._reduce_common import (
    axis_input,
    narrow,
    normalized_axes,
    public,
    reduced_shape,
    reduction_grad_info,
    wide,
)
from tensorweave._src.ops.math.complex import conj, real

PRIMITIVES: dict[str, Primitive] = {}


def _define(op_type: str, compute, allowed) -> Primitive:
    """A reduction primitive: inputs (input, reduction_indices), attr keep_dims.

    `compute(x, axes, keep_dims)` gets normalized, non-empty axes."""
    prim = Primitive(op_type, allowed=allowed)

    @prim.def_kernel
    def kernel(x, axis, keep_dims=False):
        axes = normalized_axes(op_type, axis, x.ndim)
        if not axes:
            return x
        return compute(x, axes, keep_dims)

    @prim.def_abstract
    def rule(x, axis, keep_dims=False):
        return AbstractValue(x.dtype, reduced_shape(op_type, x, axis, keep_dims))

    PRIMITIVES[op_type] = prim
    return prim


def _out_shape(x, axes, keep_dims):
    return [1 if i in axes else d for i, d in enumerate(x.shape)] if keep_dims else \
        [d for i, d in enumerate(x.shape) if i not in axes]


def _count(x, axes) -> int:
    return math.prod(x.shape[a] for a in axes)


def _sum(x, axes, keep_dims):
    if x.is_floating_point() or x.is_complex():
        if not keep_dims and len(axes) == x.ndim:
            return torch.sum(x)  # the whole tensor: torch's cheaper full reduction
        return torch.sum(x, dim=axes, keepdim=keep_dims)
    return narrow(torch.sum(wide(x), dim=axes, keepdim=keep_dims), x.dtype)


def _mean(x, axes, keep_dims):
    if x.is_floating_point() or x.is_complex():
        if not keep_dims and len(axes) == x.ndim:
            return torch.mean(x)
        return torch.mean(x, dim=axes, keepdim=keep_dims)
    n = _count(x, axes)
    s = torch.sum(wide(x), dim=axes, keepdim=keep_dims)
    if n == 0:
        return torch.zeros(_out_shape(x, axes, keep_dims), dtype=x.dtype)
    return narrow(torch.div(s, n, rounding_mode="trunc"), x.dtype)


def _extreme(torch_fn, is_max: bool):
    def compute(x, axes, keep_dims):
        if _count(x, axes) == 0:  # the identity: -inf / the dtype's minimum for max
            shape = _out_shape(x, axes, keep_dims)
            if x.is_floating_point():
                return torch.full(shape, float("-inf") if is_max else float("inf"), dtype=x.dtype)
            info = np.iinfo(torch.empty((), dtype=x.dtype).numpy().dtype)
            return torch.from_numpy(np.full(shape, info.min if is_max else info.max, dtype=info.dtype))
        if x.dtype in (torch.uint16, torch.uint32, torch.uint64):  # no torch kernels; keep uint64 order
            np_fn = np.max if is_max else np.min
            return torch.from_numpy(np.array(np_fn(x.numpy(), axis=tuple(axes), keepdims=keep_dims)))
        return torch_fn(x, dim=axes, keepdim=keep_dims)
    return compute


def _prod(x, axes, keep_dims):
    y = x if x.is_floating_point() or x.is_complex() else wide(x)
    for a in sorted(axes, reverse=True):
        y = torch.prod(y, dim=a, keepdim=True)
    if not keep_dims:
        y = y.reshape(_out_shape(x, axes, False))
    return narrow(y, x.dtype)


def _all(x, axes, keep_dims):
    return torch.all(x, dim=tuple(axes), keepdim=keep_dims) if x.numel() else \
        torch.ones(_out_shape(x, axes, keep_dims), dtype=torch.bool)


def _any(x, axes, keep_dims):
    return torch.any(x, dim=tuple(axes), keepdim=keep_dims) if x.numel() else \
        torch.zeros(_out_shape(x, axes, keep_dims), dtype=torch.bool)


def _euclidean_norm(x, axes, keep_dims):
    if x.is_complex():
        return torch.sqrt(torch.sum(x * x.conj(), dim=axes, keepdim=keep_dims))
    if x.is_floating_point():
        return torch.sqrt(torch.sum(x * x, dim=axes, keepdim=keep_dims))
    w = wide(x)
    s = torch.sum(w * w, dim=axes, keepdim=keep_dims)
    return narrow(torch.trunc(torch.sqrt(s.to(torch.float64))).to(torch.int64), x.dtype)


_NUM = _dt.NUMERIC
sum_p = _define("Sum", _sum, _NUM)
mean_p = _define("Mean", _mean, _NUM)
max_p = _define("Max", _extreme(torch.amax, True), _dt.REAL)
min_p = _define("Min", _extreme(torch.amin, False), _dt.REAL)
prod_p = _define("Prod", _prod, _NUM)
all_p = _define("All", _all, {_dt.bool})
any_p = _define("Any", _any, {_dt.bool})
euclidean_norm_p = _define("EuclideanNorm", _euclidean_norm, _NUM)



# ---- gradient rules (TF's math_grad): `op.inputs` = (input, reduction_indices) ----------------------

def _kept(t, kept):
    """`t` reshaped to the output shape with reduced dims kept (no-op when it already is); `kept` is a
    list, or a shape tensor when the input's shape is only known at run time."""
    rank = t.shape.rank
    if rank == 0 or (isinstance(kept, list) and rank is not None and t.shape.as_list() == kept):
        return t  # a scalar broadcasts as it is
    return public("reshape")(t, kept)


@sum_p.def_grad
def _sum_grad(op, dy):
    dims, _, kept = reduction_grad_info(op, dynamic=True)
    return public("broadcast_to")(_kept(dy, kept), dims), None


@mean_p.def_grad
def _mean_grad(op, dy):
    dims, _, kept = reduction_grad_info(op, dynamic=True)
    if isinstance(dims, list):
        factor = scalar_operand(math.prod(dims) // max(math.prod(kept), 1), dy.dtype)
    else:  # sizes known only at run time
        size, maximum = public("size"), public("maximum")
        count = maximum(public("math.floordiv")(size(op.inputs[0]), maximum(size(dy), 1)), 1)
        factor = cast(count, dy.dtype)
    # dividing before broadcasting gives the same quotients, computed once per output element
    return public("broadcast_to")(_kept(composite.truediv(dy, factor), kept), dims), None


def _min_or_max_grad(op, dy):
    """The gradient goes to the selected elements, split equally among ties (TF's rule)."""
    x = op.inputs[0]
    _, _, kept = reduction_grad_info(op, dynamic=True)
    y = _kept(op.outputs[0], kept)
    g = _kept(dy, kept)
    indicators = cast(composite.equal(y, x), g.dtype)
    num_selected = _kept(reduce_sum(indicators, op.inputs[1]), kept)
    return binary.multiply(composite.truediv(indicators, num_selected), g), None


max_p.def_grad(_min_or_max_grad)
min_p.def_grad(_min_or_max_grad)


@prod_p.def_grad
def _prod_grad(op, dy):
    """Products of everything left and right of each entry (exclusive cumprods), so zeros are fine."""
    from tensorweave._src.ops.math.scan import cumprod  # scan builds on this module's helpers

    x = op.inputs[0]
    dims, axes, kept = reduction_grad_info(op)
    reshape, transpose = public("reshape"), public("transpose")
    g = public("broadcast_to")(_kept(dy, kept), dims)
    other = [i for i in range(len(dims)) if i not in axes]
    perm = axes + other
    permuted = transpose(x, perm)
    reshaped = reshape(permuted, [math.prod(dims[a] for a in axes), math.prod(dims[o] for o in other)])
    left = cumprod(reshaped, axis=0, exclusive=True)
    right = cumprod(reshaped, axis=0, exclusive=True, reverse=True)
    y = reshape(binary.multiply(conj(left), conj(right)), [dims[p] for p in perm])
    out = binary.multiply(g, transpose(y, np.argsort(perm).tolist()))
    return reshape(out, dims), None


@euclidean_norm_p.def_grad
def _euclidean_norm_grad(op, dy):
    """x / (norm / dy), as TF computes it: NaN where the norm is 0."""
    _, _, kept = reduction_grad_info(op, dynamic=True)
    norm_over_dy = composite.truediv(_kept(op.outputs[0], kept), _kept(dy, kept))
    return composite.truediv(op.inputs[0], norm_over_dy), None


def _no_gradient(op, dy):
    return None, None


all_p.def_grad(_no_gradient)
any_p.def_grad(_no_gradient)

def _reduce(prim, input_tensor, axis, keepdims):
    x = tensor(input_tensor)
    return bind(prim, x, axis_input(prim.name, axis, x, isinstance(input_tensor, Tensor)),
                keep_dims=bool(keepdims))


@tf_export("math.reduce_sum", "reduce_sum")
def reduce_sum(input_tensor, axis=None, keepdims=False, name=None):
    """Sum of elements across `axis` (all axes when None); ints wrap on overflow like TF."""
    return _reduce(sum_p, input_tensor, axis, keepdims)


@tf_export("math.reduce_mean", "reduce_mean")
def reduce_mean(input_tensor, axis=None, keepdims=False, name=None):
    """Mean across `axis`; integer means truncate toward zero (`reduce_mean([1, 2])` is 1)."""
    return _reduce(mean_p, input_tensor, axis, keepdims)


@tf_export("math.reduce_max", "reduce_max")
def reduce_max(input_tensor, axis=None, keepdims=False, name=None):
    """Maximum across `axis`; NaN propagates; an empty reduction gives -inf (floats) or the int minimum."""
    return _reduce(max_p, input_tensor, axis, keepdims)


@tf_export("math.reduce_min", "reduce_min")
def reduce_min(input_tensor, axis=None, keepdims=False, name=None):
    """Minimum across `axis`; an empty reduction gives inf (floats) or the int maximum."""
    return _reduce(min_p, input_tensor, axis, keepdims)


@tf_export("math.reduce_prod", "reduce_prod")
def reduce_prod(input_tensor, axis=None, keepdims=False, name=None):
    """Product across `axis` (1 for an empty reduction)."""
    return _reduce(prod_p, input_tensor, axis, keepdims)


def _bool_input(op_name: str, input_tensor):
    if isinstance(input_tensor, Tensor) or hasattr(input_tensor, "_as_tensor"):
        x = tensor(input_tensor)
        if x.dtype is not _dt.bool:
            raise invalid(op_name, f"cannot compute {op_name} as input #0(zero-based) was expected to be a "
                                   f"bool tensor but is a {_tf_name(x.dtype)} tensor")
        return x
    return tensor(input_tensor, dtype=_dt.bool)


def _tf_name(dtype):
    return {"float32": "float", "float64": "double", "float16": "half"}.get(dtype.name, dtype.name)


@tf_export("math.reduce_all", "reduce_all")
def reduce_all(input_tensor, axis=None, keepdims=False, name=None):
    """Logical AND across `axis` (True for an empty reduction)."""
    x = _bool_input("All", input_tensor)
    return bind(all_p, x, axis_input("All", axis, x), keep_dims=bool(keepdims))


@tf_export("math.reduce_any", "reduce_any")
def reduce_any(input_tensor, axis=None, keepdims=False, name=None):
    """Logical OR across `axis` (False for an empty reduction)."""
    x = _bool_input("Any", input_tensor)
    return bind(any_p, x, axis_input("Any", axis, x), keep_dims=bool(keepdims))


@tf_export("math.reduce_euclidean_norm")
def reduce_euclidean_norm(input_tensor, axis=None, keepdims=False, name=None):
    """sqrt(sum(x**2)) across `axis`; integer inputs give the truncated integer root."""
    return _reduce(euclidean_norm_p, input_tensor, axis, keepdims)


@tf_export("math.reduce_variance")
def reduce_variance(input_tensor, axis=None, keepdims=False, name=None):
    """Population variance across `axis`; complex input gives a real result.

    >>> import tensorweave as tf
    >>> print(tf.math.reduce_variance([1., 2., 3., 4.]))
    tf.Tensor(1.25, shape=(), dtype=float32)
    """
    x = tensor(input_tensor)
    if x.dtype.is_integer:
        raise TypeError(f"Input must be either real or complex. Received integer type {x.dtype}.")
    means = reduce_mean(x, axis=axis, keepdims=True)
    diff = binary.subtract(x, means)
    if diff.dtype.is_complex:
        squared = real(binary.multiply(diff, conj(diff)))
    else:
        squared = unary.square(diff)
    return reduce_mean(squared, axis=axis, keepdims=keepdims)


@tf_export("math.reduce_std")
def reduce_std(input_tensor, axis=None, keepdims=False, name=None):
    """Population standard deviation across `axis` (sqrt of `reduce_variance`)."""
    return unary.sqrt(reduce_variance(input_tensor, axis=axis, keepdims=keepdims))


@tf_export("math.reduce_logsumexp", "reduce_logsumexp")
def reduce_logsumexp(input_tensor, axis=None, keepdims=False, name=None):
    """log(sum(exp(x))) across `axis`, computed stably (max subtracted; -inf for an empty reduction)."""
    from tensorweave._src.ops.math.predicates import is_finite

    x = tensor(input_tensor)
    raw_max = reduce_max(x, axis=axis, keepdims=True)
    finite = is_finite(raw_max)
    my_max = public("stop_gradient")(binary.multiply_no_nan(raw_max, cast(finite, raw_max.dtype)))
    result = unary.log(reduce_sum(unary.exp(binary.subtract(x, my_max)), axis=axis, keepdims=keepdims))
    if not keepdims:
        my_max = reduce_sum(my_max, axis=axis)  # drops the size-1 reduced dims
    return binary.add(result, my_max)


@tf_export("math.count_nonzero")
def count_nonzero(input, axis=None, keepdims=None, dtype=_dt.int64, name=None):
    """Number of non-zero (non-empty for strings) elements across `axis`, as `dtype` (int64)."""
    x = tensor(input)
    zero = tensor(np.array(b"", dtype=object)) if x.dtype is _dt.string else \
        tensor(np.zeros((), dtype=x.dtype.as_numpy_dtype), dtype=x.dtype)
    nonzero = cast(composite.not_equal(x, zero), _dt.int64)
    return cast(reduce_sum(nonzero, axis=axis, keepdims=bool(keepdims)), dtype)
