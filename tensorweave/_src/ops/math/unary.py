"""Elementwise unary math ops (`tf.math.exp`, `tf.sqrt`, ...): one primitive each, defined by a table.

>>> import tensorweave as tf
>>> print(tf.math.sqrt(tf.constant([4.0, 9.0])))
tf.Tensor([2. 3.], shape=(2,), dtype=float32)
"""

from __future__ import annotations

import torch

from tensorweave._src.api_export import tf_export
from tensorweave._src.core import dtypes as _dt
from tensorweave._src.core.dispatch import bind
from tensorweave._src.core.primitive import Primitive
from tensorweave._src.ops._common import same_as_input, tensor

F = _dt.FLOATS
FC = _dt.FLOATS_COMPLEX
SIGNED = F | _dt.COMPLEX | _dt.SIGNED_INTEGERS
NUM = _dt.NUMERIC

PRIMITIVES: dict[str, Primitive] = {}


def _define(op_type: str, kernel, allowed, exports):
    """Defines primitive `op_type` (kernel + same-shape rule) and its public function."""
    prim = Primitive(op_type, allowed=allowed)
    prim.def_kernel(kernel)
    prim.def_abstract(same_as_input)
    PRIMITIVES[op_type] = prim

    def op(x, name=None):
        return bind(prim, tensor(x))

    op.__name__ = exports[0].rsplit(".", 1)[-1]
    op.__doc__ = f"Computes `{op.__name__}` of `x` elementwise (TF op `{op_type}`)."
    tf_export(*exports)(op)
    return op


def _round_half_even(x):
    return torch.round(x) if x.is_floating_point() else x


def _sign(x):
    if x.dtype.is_complex:
        mag = x.abs()
        return torch.where(mag == 0, torch.zeros_like(x), x / mag)
    return torch.sign(x)


def _reciprocal(x):
    return torch.reciprocal(x) if x.is_floating_point() or x.is_complex() else torch.div(1, x).to(x.dtype)


def _rsqrt(x):
    return torch.rsqrt(x)


def _softplus(x):
    return torch.nn.functional.softplus(x)


def _relu(x):
    return torch.relu(x)


neg = _define("Neg", torch.neg, SIGNED, ("math.negative", "negative"))
abs = _define("Abs", torch.abs, SIGNED, ("math.abs", "abs"))  # noqa: A001
sign = _define("Sign", _sign, SIGNED, ("math.sign", "sign"))
square = _define("Square", torch.square, NUM, ("math.square", "square"))
sqrt = _define("Sqrt", torch.sqrt, FC, ("math.sqrt", "sqrt"))
rsqrt = _define("Rsqrt", _rsqrt, FC, ("math.rsqrt", "rsqrt"))
exp = _define("Exp", torch.exp, FC, ("math.exp", "exp"))
expm1 = _define("Expm1", torch.expm1, FC, ("math.expm1", "expm1"))
log = _define("Log", torch.log, FC, ("math.log", "log"))
log1p = _define("Log1p", torch.log1p, FC, ("math.log1p", "log1p"))
reciprocal = _define("Reciprocal", _reciprocal, NUM, ("math.reciprocal", "reciprocal"))
sin = _define("Sin", torch.sin, FC, ("math.sin", "sin"))
cos = _define("Cos", torch.cos, FC, ("math.cos", "cos"))
tan = _define("Tan", torch.tan, FC, ("math.tan", "tan"))
asin = _define("Asin", torch.asin, FC, ("math.asin", "asin"))
acos = _define("Acos", torch.acos, FC, ("math.acos", "acos"))
atan = _define("Atan", torch.atan, FC, ("math.atan", "atan"))
sinh = _define("Sinh", torch.sinh, FC, ("math.sinh", "sinh"))
cosh = _define("Cosh", torch.cosh, FC, ("math.cosh", "cosh"))
tanh = _define("Tanh", torch.tanh, FC, ("math.tanh", "tanh", "nn.tanh"))
asinh = _define("Asinh", torch.asinh, FC, ("math.asinh", "asinh"))
acosh = _define("Acosh", torch.acosh, FC, ("math.acosh", "acosh"))
atanh = _define("Atanh", torch.atanh, FC, ("math.atanh", "atanh"))
sigmoid = _define("Sigmoid", torch.sigmoid, FC, ("math.sigmoid", "sigmoid", "nn.sigmoid"))
softplus = _define("Softplus", _softplus, F, ("math.softplus", "nn.softplus"))
erf = _define("Erf", torch.erf, F, ("math.erf", "erf"))
erfc = _define("Erfc", torch.erfc, F, ("math.erfc", "erfc"))
lgamma = _define("Lgamma", torch.lgamma, F, ("math.lgamma", "lgamma"))
digamma = _define("Digamma", torch.digamma, F, ("math.digamma", "digamma"))
floor = _define("Floor", torch.floor, F, ("math.floor", "floor"))
ceil = _define("Ceil", torch.ceil, F, ("math.ceil", "ceil"))
round = _define("Round", _round_half_even, NUM, ("math.round", "round"))  # noqa: A001
relu = _define("Relu", _relu, _dt.REAL, ("nn.relu",))
