"""Sums and clipping: `tf.add_n`, `tf.clip_by_value`, `tf.clip_by_norm`, `tf.clip_by_global_norm`,
`tf.linalg.global_norm`, `tf.math.l2_normalize` and `tf.math.polyval`.

>>> import tensorweave as tf
>>> print(tf.clip_by_value([1, 5, 10], 2, 8))
tf.Tensor([2 5 8], shape=(3,), dtype=int32)
"""

from __future__ import annotations

import collections.abc

from tensorweave._src.api_export import tf_export
from tensorweave._src.core import dtypes as _dt
from tensorweave._src.core import errors
from tensorweave._src.core.convert import convert_to_tensor
from tensorweave._src.core.dispatch import bind, check_rule
from tensorweave._src.core.op_messages import fallback_if
from tensorweave._src.core.primitive import AbstractValue, Primitive
from tensorweave._src.core.tensor import Tensor
from tensorweave._src.ops._common import dims_str, invalid, tensor
from tensorweave._src.ops.cast import cast
from tensorweave._src.ops.math import binary, composite, unary
from tensorweave._src.ops.math._reduce_common import public
from tensorweave._src.ops.math.reduce import reduce_sum

# ---- AddN ----------------------------------------------------------------------------------------
add_n_p = Primitive("AddN", allowed=_dt.NUMERIC | {_dt.variant})


@add_n_p.def_kernel
def _add_n(*xs):
    if getattr(type(xs[0]), "tensor_dtype", None) is _dt.variant:  # TensorLists add elementwise
        out = xs[0]
        for x in xs[1:]:
            out = out + x
        return out
    out = xs[0].clone()
    for x in xs[1:]:
        out = out + x
    return out.to(xs[0].dtype)


@add_n_p.def_abstract
def _add_n_rule(*xs):
    first = xs[0]
    shape = first.shape
    for i, x in enumerate(xs[1:], 1):
        if x.dtype is not first.dtype:
            raise invalid("AddN", f"cannot compute AddN as input #{i}(zero-based) was expected to be a "
                                  f"{_tf_name(first.dtype)} tensor but is a {_tf_name(x.dtype)} tensor")
        if not shape.is_compatible_with(x.shape):
            raise invalid("AddN", "Inputs to operation AddN of type AddN must have the same size and "
                                  f"shape.  Input 0: {dims_str(first.shape)} != input {i}: "
                                  f"{dims_str(x.shape)}")
        shape = shape.merge_with(x.shape)
    return AbstractValue(first.dtype, shape)


@add_n_p.def_grad
def _add_n_grad(op, dy):
    return [dy] * len(op.inputs)


def _tf_name(dtype):
    return {"float32": "float", "float64": "double", "float16": "half"}.get(dtype.name, dtype.name)


@tf_export("math.add_n", "add_n")
def add_n(inputs, name=None):
    """Adds a list of tensors of the same dtype and shape elementwise.

    >>> import tensorweave as tf
    >>> print(tf.add_n([tf.constant([1, 2]), tf.constant([3, 4])]))
    tf.Tensor([4 6], shape=(2,), dtype=int32)
    """
    if isinstance(inputs, Tensor):  # TF iterates it: the sum of its rows
        if inputs.shape.rank == 0:
            raise TypeError("Cannot iterate over a scalar tensor.")
        return inputs[0] if inputs.shape[0] == 1 else reduce_sum(inputs, axis=0)
    if not inputs or not isinstance(inputs, (list, tuple)):
        raise ValueError("Inputs must be an iterable of at least one Tensor/IndexedSlices with the same "
                         "dtype and shape.")
    xs = [tensor(x) for x in inputs]
    if len(xs) == 1:
        return xs[0]
    check_rule(add_n_p, *xs)  # TF's messages for dtype/shape mismatches, before running
    return bind(add_n_p, *xs)


# ---- clipping ------------------------------------------------------------------------------------

@tf_export("clip_by_value")
def clip_by_value(t, clip_value_min, clip_value_max, name=None):
    """Clamps `t` to [clip_value_min, clip_value_max] (as `maximum(minimum(t, max), min)`)."""
    values = convert_to_tensor(t)  # TF converts `t`, and passes the bounds to its ops as given
    try:
        t_min = binary.minimum(values, clip_value_max)
    except errors.OpError as e:
        raise fallback_if(e, clip_value_max)
    values.shape.assert_is_compatible_with(t_min.shape)
    try:
        t_max = binary.maximum(t_min, clip_value_min)
    except errors.OpError as e:
        raise fallback_if(e, clip_value_min)
    values.shape.assert_is_compatible_with(t_max.shape)
    return t_max


def _safe_norm(l2sum):
    """sqrt(l2sum) where l2sum > 0 else 0, without a NaN gradient at 0 (TF's double `where`)."""
    positive = binary.greater(l2sum, 0)
    safe = binary.add(l2sum, cast(binary.less_equal(l2sum, 0), l2sum.dtype))
    return binary.multiply(unary.sqrt(safe), cast(positive, l2sum.dtype))


@tf_export("clip_by_norm")
def clip_by_norm(t, clip_norm, axes=None, name=None):
    """Rescales `t` so that its L2 norm over `axes` is at most `clip_norm`.

    >>> import tensorweave as tf
    >>> print(tf.clip_by_norm([3.0, 4.0], 1.0))
    tf.Tensor([0.6 0.8], shape=(2,), dtype=float32)
    """
    values = tensor(t)
    l2sum = reduce_sum(binary.multiply(values, values), axes, keepdims=True)
    l2norm = _safe_norm(l2sum)
    intermediate = binary.multiply(values, clip_norm)
    values.shape.merge_with(intermediate.shape)
    return composite.truediv(intermediate, binary.maximum(l2norm, clip_norm))


@tf_export("linalg.global_norm")
def global_norm(t_list, name=None):
    """sqrt(sum of squared L2 norms) of a list of tensors (None entries are skipped)."""
    if not isinstance(t_list, collections.abc.Sequence) or isinstance(t_list, str):
        raise TypeError(f"`t_list` should be a sequence of tensors. Received {type(t_list)}.")
    values = [tensor(t) for t in t_list if t is not None]
    half_squared = [binary.multiply(reduce_sum(unary.square(v)), 0.5) for v in values]
    total = public("add_n")(half_squared) if half_squared else tensor(0.0)
    return unary.sqrt(binary.multiply(total, 2.0))


@tf_export("clip_by_global_norm")
def clip_by_global_norm(t_list, clip_norm, use_norm=None, name=None):
    """Scales every tensor of `t_list` by clip_norm / max(global_norm, clip_norm); returns
    `(list_clipped, global_norm)`."""
    if not isinstance(t_list, collections.abc.Sequence) or isinstance(t_list, str):
        raise TypeError(f"`t_list` should be a sequence of tensors. Received {type(t_list)}.")
    t_list = list(t_list)
    if use_norm is None:
        use_norm = global_norm(t_list)
    use_norm = tensor(use_norm)
    one = tensor(1.0, dtype=use_norm.dtype)
    scale_for_finite = binary.multiply(
        tensor(clip_norm, dtype=use_norm.dtype) if not isinstance(clip_norm, Tensor) else clip_norm,
        binary.minimum(composite.truediv(one, use_norm), composite.truediv(one, clip_norm)))
    scale = binary.add(scale_for_finite, binary.subtract(use_norm, use_norm))  # NaN when the norm is inf
    clipped = [None if t is None else binary.multiply(tensor(t), cast(scale, tensor(t).dtype))
               for t in t_list]
    return clipped, use_norm


@tf_export("math.l2_normalize", "linalg.l2_normalize", "nn.l2_normalize")
def l2_normalize(x, axis=None, epsilon=1e-12, name=None, dim=None):
    """x / sqrt(max(sum(x**2, axis), epsilon)) (complex input uses |x|**2)."""
    if dim is not None:
        axis = dim
    x = tensor(x)
    if x.dtype.is_complex:
        from tensorweave._src.ops.math.complex import imag, real
        square_sum = reduce_sum(binary.add(unary.square(real(x)), unary.square(imag(x))), axis, keepdims=True)
        inv_norm = unary.rsqrt(binary.maximum(square_sum, epsilon))
        return binary.multiply(x, cast(inv_norm, x.dtype))
    square_sum = reduce_sum(unary.square(x), axis, keepdims=True)
    inv_norm = unary.rsqrt(binary.maximum(square_sum, epsilon))
    return binary.multiply(x, inv_norm)


@tf_export("math.polyval")
def polyval(coeffs, x, name=None):
    """Evaluates the polynomial sum(coeffs[i] * x**(n-1-i)) by Horner's rule (`coeffs` is a list)."""
    if not isinstance(coeffs, list):
        raise ValueError(f"Argument coeffs must be list type. Received type {type(coeffs)}.")
    x = tensor(x)
    if len(coeffs) < 1:
        try:
            return public("zeros_like")(x)
        except KeyError:  # array ops not loaded: Imag of a real tensor is its zeros
            from tensorweave._src.ops.math.complex import imag
            return imag(x)
    p = tensor(coeffs[0])
    for c in coeffs[1:]:
        p = binary.add(tensor(c), binary.multiply(p, x))
    return p
