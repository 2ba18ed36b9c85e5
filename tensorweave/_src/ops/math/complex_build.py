"""`tf.complex` (build complex numbers from real parts) and ComplexAbs, the modulus of `tf.abs`.

>>> import tensorweave as tf
>>> print(tf.abs(tf.complex(3.0, 4.0)))
tf.Tensor(5.0, shape=(), dtype=float32)
"""

from __future__ import annotations

import torch

from tensorweave._src.api_export import tf_export
from tensorweave._src.core import dtypes as _dt
from tensorweave._src.core.dispatch import bind
from tensorweave._src.core.primitive import AbstractValue, Primitive
from tensorweave._src.ops._common import binary_operands, broadcast_shape, invalid, tensor
from tensorweave._src.ops.math.binary import divide_no_nan, multiply
from tensorweave._src.ops.math.complex import imag, real

_COMPLEX_OF = {_dt.float32: _dt.complex64, _dt.float64: _dt.complex128}

complex_p = Primitive("Complex", allowed={_dt.float32, _dt.float64})
complex_p.def_kernel(torch.complex)


@complex_p.def_abstract
def _complex_rule(re, im):
    if re.dtype is not im.dtype:
        raise invalid("Complex", f"real and imag must have the same dtype, got {re.dtype.name} and "
                                 f"{im.dtype.name}")
    return AbstractValue(_COMPLEX_OF[re.dtype], broadcast_shape("Complex", re.shape, im.shape))


@complex_p.def_grad
def _complex_grad(op, dy):
    return real(dy), imag(dy)


@tf_export("dtypes.complex", "complex")
def complex(real, imag, name=None):  # noqa: A001 - TF's public name
    """Builds complex numbers `real + imag * 1j` elementwise (float32 -> complex64, float64 -> complex128)."""
    re, im = binary_operands("Complex", real, imag)
    if re.dtype not in _COMPLEX_OF:
        raise TypeError(f"Value passed to parameter 'real' has DataType {re.dtype.name} not in list of "
                        f"allowed values: float32, float64")
    return bind(complex_p, re, im)


complex_abs_p = Primitive("ComplexAbs", allowed=_dt.COMPLEX)
complex_abs_p.def_kernel(torch.abs)
complex_abs_p.def_abstract(lambda x: AbstractValue(x.dtype.real_dtype, x.shape))


@complex_abs_p.def_grad
def _complex_abs_grad(op, dy):
    x, r = op.inputs[0], op.outputs[0]
    zeros = multiply(dy, 0)
    return divide_no_nan(multiply(complex(dy, zeros), x), complex(r, multiply(r, 0)))


def complex_abs(x):
    """|x| of a complex tensor as a real tensor (what `tf.abs` does for complex input)."""
    return bind(complex_abs_p, tensor(x))
