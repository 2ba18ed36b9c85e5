"""Complex-number parts: `tf.math.real`, `tf.math.imag`, `tf.math.conj` (identity-like on real input).

>>> import tensorweave as tf
>>> print(tf.math.real(tf.constant([1 + 2j])))
tf.Tensor([1.], shape=(1,), dtype=float64)
"""

from __future__ import annotations

import torch

from tensorweave._src.api_export import tf_export
from tensorweave._src.core import dtypes as _dt
from tensorweave._src.core.dispatch import bind
from tensorweave._src.core.primitive import AbstractValue, Primitive
from tensorweave._src.ops._common import same_as_input, tensor


def _real_rule(x, **attrs):
    return AbstractValue(x.dtype.real_dtype, x.shape)


real_p = Primitive("Real", allowed=_dt.COMPLEX)
real_p.def_kernel(lambda x: x.real.clone())
real_p.def_abstract(_real_rule)

imag_p = Primitive("Imag", allowed=_dt.NUMERIC)  # real input: zeros (TF's python wrapper's zeros_like)
imag_p.def_kernel(lambda x: x.imag.clone() if x.is_complex() else torch.zeros_like(x))
imag_p.def_abstract(_real_rule)

conj_p = Primitive("Conj", allowed=_dt.COMPLEX)
conj_p.def_kernel(lambda x: torch.conj_physical(x))
conj_p.def_abstract(same_as_input)


@tf_export("math.real")
def real(input, name=None):
    """The real part of a complex tensor; a real tensor is returned unchanged."""
    x = tensor(input)
    return bind(real_p, x) if x.dtype.is_complex else x


@tf_export("math.imag")
def imag(input, name=None):
    """The imaginary part of a complex tensor; zeros for a real tensor."""
    return bind(imag_p, tensor(input))


@tf_export("math.conj")
def conj(x, name=None):
    """The complex conjugate; real numeric tensors are returned unchanged."""
    x = tensor(x)
    if x.dtype.is_complex:
        return bind(conj_p, x)
    if not x.dtype.is_numeric:
        raise TypeError(f"Expected numeric or variant tensor, got dtype {x.dtype!r}.")
    return x


# ---- gradient rules (TF's math_grad) -------------------------------------------------------------

def _complex_from(re, im):
    from tensorweave._src.ops.math.complex_build import complex  # complex_build imports this module
    return complex(re, im)


@real_p.def_grad
def _real_grad(op, dy):
    return _complex_from(dy, tensor(0, dtype=dy.dtype))


@imag_p.def_grad
def _imag_grad(op, dy):
    if not op.inputs[0].dtype.is_complex:
        return None  # TF's imag of a real tensor is zeros_like: no gradient
    return _complex_from(tensor(0, dtype=dy.dtype), dy)


@conj_p.def_grad
def _conj_grad(op, dy):
    return conj(dy)
