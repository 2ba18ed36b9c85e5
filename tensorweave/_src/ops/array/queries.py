"""Shape queries (`tf.shape`, `tf.shape_n`, `tf.size`, `tf.rank`) and identity-like ops
(`tf.identity`, `tf.stop_gradient`, `tf.ensure_shape`).

>>> import tensorweave as tf
>>> print(tf.shape(tf.zeros([2, 3])))
tf.Tensor([2 3], shape=(2,), dtype=int32)
"""

from __future__ import annotations

import numpy as np
import torch

from tensorweave._src.api_export import tf_export
from tensorweave._src.core import dtypes as _dt
from tensorweave._src.core.dispatch import bind
from tensorweave._src.core.primitive import AbstractValue, Primitive
from tensorweave._src.core.shape import TensorShape, as_shape
from tensorweave._src.ops._common import dims_str, invalid, same_as_input
from tensorweave._src.ops._common import tensor as _tensor
from tensorweave._src.ops.array._util import INDEX_DTYPES, bad_attr, no_gradient

# ---- shape queries -------------------------------------------------------------------------------

shape_p = Primitive("Shape")
shape_n_p = Primitive("ShapeN", multiple_results=True)
size_p = Primitive("Size")
rank_p = Primitive("Rank")


def _shape_of(x, out_type):
    return torch.tensor(list(x.shape), dtype=torch.int64 if out_type is _dt.int64 else torch.int32)


@shape_p.def_kernel
def _shape(x, out_type):
    return _shape_of(x, out_type)


def _shape_value(x, out_type) -> AbstractValue:
    s = x.shape
    if s.rank is None:
        return AbstractValue(out_type, [None])
    const = np.array(s.dims, dtype=out_type.as_numpy_dtype) if s.is_fully_defined() else None
    return AbstractValue(out_type, [s.rank], const)


@shape_p.def_abstract
def _shape_rule(x, out_type):
    return _shape_value(x, out_type)


@shape_n_p.def_kernel
def _shape_n(*xs, out_type):
    return tuple(_shape_of(x, out_type) for x in xs)


@shape_n_p.def_abstract
def _shape_n_rule(*xs, out_type):
    return tuple(_shape_value(x, out_type) for x in xs)


@size_p.def_kernel
def _size(x, out_type):
    n = 1
    for d in x.shape:
        n *= d
    return torch.tensor(n, dtype=torch.int64 if out_type is _dt.int64 else torch.int32)


@size_p.def_abstract
def _size_rule(x, out_type):
    n = x.shape.num_elements()
    return AbstractValue(out_type, [], None if n is None else np.array(n, out_type.as_numpy_dtype))


@rank_p.def_kernel
def _rank(x):
    return torch.tensor(x.ndim, dtype=torch.int32)


@rank_p.def_abstract
def _rank_rule(x):
    r = x.shape.rank
    return AbstractValue(_dt.int32, [], None if r is None else np.array(r, np.int32))


for _p in (shape_p, shape_n_p, size_p, rank_p):
    _p.def_grad(no_gradient)


def _out_type(op, out_type):
    out_type = _dt.as_dtype(out_type)
    if out_type not in INDEX_DTYPES:
        raise bad_attr(op, "out_type", out_type, INDEX_DTYPES)
    return out_type


@tf_export("shape")
def shape(input, out_type=None, name=None):  # noqa: A002
    """The shape of `input` as a 1-D int32 (or `out_type`) tensor."""
    return bind(shape_p, _tensor(input), out_type=_out_type("Shape", out_type or _dt.int32))


@tf_export("shape_n")
def shape_n(input, out_type=_dt.int32, name=None):  # noqa: A002
    """The shapes of a list of tensors."""
    xs = [_tensor(x) for x in input]
    return list(bind(shape_n_p, *xs, out_type=_out_type("ShapeN", out_type)))


@tf_export("size")
def size(input, out_type=None, name=None):  # noqa: A002
    """The number of elements of `input` as a scalar int32 (or `out_type`) tensor."""
    return bind(size_p, _tensor(input), out_type=_out_type("Size", out_type or _dt.int32))


@tf_export("rank")
def rank(input, name=None):  # noqa: A002
    """The rank of `input` as a scalar int32 tensor."""
    return bind(rank_p, _tensor(input))


# ---- Identity / StopGradient / EnsureShape ------------------------------------------------------------

identity_p = Primitive("Identity")
stop_gradient_p = Primitive("StopGradient")
ensure_shape_p = Primitive("EnsureShape")


def _identity(x, **attrs):
    return x


for _p in (identity_p, stop_gradient_p):
    _p.def_kernel(_identity)
    _p.def_abstract(same_as_input)


def _pass_through(op, dy):
    return dy


identity_p.def_grad(_pass_through)
stop_gradient_p.def_grad(no_gradient)  # TF's StopGradient is not differentiable: no gradient at all


@tf_export("identity")
def identity(input, name=None):  # noqa: A002
    """A tensor with the same value as `input` (reads a variable's value)."""
    return bind(identity_p, _tensor(input))


@tf_export("stop_gradient")
def stop_gradient(input, name=None):  # noqa: A002
    """`input` unchanged, but gradients do not flow through it."""
    return bind(stop_gradient_p, _tensor(input))


def _check_ensure(dims, shape: TensorShape):
    if not TensorShape(dims).is_compatible_with(shape):
        raise invalid("EnsureShape", f"Shape of tensor input {dims_str(dims)} is not compatible with "
                                     f"expected shape {dims_str(shape)}.")


@ensure_shape_p.def_kernel
def _ensure_shape(x, shape):
    _check_ensure(list(x.shape), shape)
    return x


@ensure_shape_p.def_abstract
def _ensure_shape_rule(x, shape):
    if x.shape.rank is not None and shape.rank is not None:
        _check_ensure(x.shape.dims, shape)
    return AbstractValue(x.dtype, x.shape.merge_with(shape) if x.shape.is_compatible_with(shape)
                         else shape)


ensure_shape_p.def_grad(_pass_through)


@tf_export("ensure_shape")
def ensure_shape(x, shape, name=None):
    """Checks that `x` has a shape compatible with `shape` and returns it."""
    return bind(ensure_shape_p, _tensor(x), shape=as_shape(shape))
