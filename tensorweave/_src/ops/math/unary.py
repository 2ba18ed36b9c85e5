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
from tensorweave._src.ops._common import invalid, same_as_input, tensor
from tensorweave._src.ops.math.binary import add, multiply, subtract
from tensorweave._src.ops.math.complex import conj
from tensorweave._src.ops.math.composite import truediv

F = _dt.FLOATS
FC = _dt.FLOATS_COMPLEX
SIGNED = F | _dt.COMPLEX | _dt.SIGNED_INTEGERS
NUM = _dt.NUMERIC

PRIMITIVES: dict[str, Primitive] = {}


def _define(op_type: str, kernel, allowed, exports, grad=None, arg="x"):
    """Defines primitive `op_type` (kernel + same-shape rule + gradient) and its public function
    `f(<arg>, name=None)` (TF names the argument `x`, or `features` for the nn activations)."""
    prim = Primitive(op_type, allowed=allowed)
    prim.def_kernel(kernel)
    prim.def_abstract(same_as_input)
    if grad is not None:
        prim.def_grad(grad)
    PRIMITIVES[op_type] = prim

    if arg == "features":
        def op(features, name=None):
            return bind(prim, tensor(features))
    else:
        def op(x, name=None):
            return bind(prim, tensor(x))

    op.__name__ = (exports[0] if exports else op_type.lower()).rsplit(".", 1)[-1]
    op.__doc__ = f"Computes `{op.__name__}` of `{arg}` elementwise (TF op `{op_type}`)."
    tf_export(*exports)(op)
    return op


# Gradient rules: `op` is the recorded op (op.inputs, op.outputs), `dy` the upstream gradient. Complex
# gradients follow TF's convention (multiply by the conjugate of the derivative).
def _x(op):
    return conj(op.inputs[0])


def _y(op):
    return conj(op.outputs[0])


def _no_gradient(op, dy):
    return None


def _erf_scale(x):
    return _TWO_OVER_SQRT_PI * exp(neg(square(x)))


_TWO_OVER_SQRT_PI = 1.1283791670955126


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


def zeros_like_op(x):
    return multiply(x, 0)


neg = _define("Neg", torch.neg, SIGNED, ("math.negative", "negative"), lambda op, dy: neg(dy))
_real_abs = _define("Abs", torch.abs, SIGNED - _dt.COMPLEX, (),
                    lambda op, dy: multiply(dy, sign(op.inputs[0])))


@tf_export("math.abs", "abs")
def abs(x, name=None):  # noqa: A001 - TF's public name
    """The absolute value elementwise; for complex input the (real) modulus, as TF's ComplexAbs."""
    x = tensor(x)
    if x.dtype.is_complex:
        from tensorweave._src.ops.math.complex_build import complex_abs  # builds on this module's ops
        return complex_abs(x)
    return _real_abs(x)
sign = _define("Sign", _sign, SIGNED, ("math.sign", "sign"), lambda op, dy: zeros_like_op(op.inputs[0]))
square = _define("Square", torch.square, NUM, ("math.square", "square"),
                 lambda op, dy: multiply(dy, multiply(_x(op), 2)))
def _sqrt_grad(op, dy):
    """dy / (2 sqrt(x)); exactly 0 where dy is 0 (TF's SqrtGrad), so a masked-out sqrt(0) is no NaN."""
    from tensorweave._src.api_export import EXPORTS  # `where` lives in a later op family

    g = truediv(multiply(dy, 0.5), _y(op))
    return EXPORTS["where"](EXPORTS["equal"](dy, 0), EXPORTS["zeros_like"](g), g)


sqrt = _define("Sqrt", torch.sqrt, FC, ("math.sqrt", "sqrt"), _sqrt_grad)
rsqrt = _define("Rsqrt", _rsqrt, FC, ("math.rsqrt",),
                lambda op, dy: multiply(dy, multiply(-0.5, multiply(_y(op), square(_y(op))))))
exp = _define("Exp", torch.exp, FC, ("math.exp", "exp"), lambda op, dy: multiply(dy, _y(op)))
expm1 = _define("Expm1", torch.expm1, FC, ("math.expm1",), lambda op, dy: multiply(dy, exp(_x(op))))
log = _define("Log", torch.log, FC, ("math.log",), lambda op, dy: multiply(dy, reciprocal(_x(op))))
log1p = _define("Log1p", torch.log1p, FC, ("math.log1p",),
                lambda op, dy: multiply(dy, reciprocal(add(_x(op), 1))))
reciprocal = _define("Reciprocal", _reciprocal, NUM, ("math.reciprocal",),
                     lambda op, dy: multiply(dy, neg(square(_y(op)))))
sin = _define("Sin", torch.sin, FC, ("math.sin", "sin"), lambda op, dy: multiply(dy, cos(_x(op))))
cos = _define("Cos", torch.cos, FC, ("math.cos", "cos"), lambda op, dy: neg(multiply(dy, sin(_x(op)))))
tan = _define("Tan", torch.tan, FC, ("math.tan", "tan"),
              lambda op, dy: multiply(dy, square(reciprocal(cos(_x(op))))))
asin = _define("Asin", torch.asin, FC, ("math.asin", "asin"),
               lambda op, dy: multiply(dy, rsqrt(subtract(1, square(_x(op))))))
acos = _define("Acos", torch.acos, FC, ("math.acos", "acos"),
               lambda op, dy: neg(multiply(dy, rsqrt(subtract(1, square(_x(op)))))))
atan = _define("Atan", torch.atan, FC, ("math.atan", "atan"),
               lambda op, dy: multiply(dy, reciprocal(add(1, square(_x(op))))))
sinh = _define("Sinh", torch.sinh, FC, ("math.sinh", "sinh"), lambda op, dy: multiply(dy, cosh(_x(op))))
cosh = _define("Cosh", torch.cosh, FC, ("math.cosh", "cosh"), lambda op, dy: multiply(dy, sinh(_x(op))))
tanh = _define("Tanh", torch.tanh, FC, ("math.tanh", "tanh", "nn.tanh"),
               lambda op, dy: multiply(dy, subtract(1, square(_y(op)))))
asinh = _define("Asinh", torch.asinh, FC, ("math.asinh", "asinh"),
                lambda op, dy: truediv(dy, cosh(_y(op))))
acosh = _define("Acosh", torch.acosh, FC, ("math.acosh", "acosh"),
                lambda op, dy: truediv(dy, sinh(_y(op))))
atanh = _define("Atanh", torch.atanh, FC, ("math.atanh", "atanh"),
                lambda op, dy: multiply(dy, reciprocal(subtract(1, square(_x(op))))))
sigmoid = _define("Sigmoid", torch.sigmoid, FC, ("math.sigmoid", "sigmoid", "nn.sigmoid"),
                  lambda op, dy: multiply(dy, multiply(_y(op), subtract(1, _y(op)))))
softplus = _define("Softplus", _softplus, F, ("math.softplus", "nn.softplus"),
                   lambda op, dy: multiply(dy, sigmoid(op.inputs[0])), arg="features")
erf = _define("Erf", torch.erf, F, ("math.erf",), lambda op, dy: multiply(dy, _erf_scale(op.inputs[0])))
erfc = _define("Erfc", torch.erfc, F, ("math.erfc",),
               lambda op, dy: neg(multiply(dy, _erf_scale(op.inputs[0]))))
lgamma = _define("Lgamma", torch.lgamma, F, ("math.lgamma",),
                 lambda op, dy: multiply(dy, digamma(op.inputs[0])))
digamma = _define("Digamma", torch.digamma, F, ("math.digamma",))
floor = _define("Floor", torch.floor, F, ("math.floor", "floor"), _no_gradient)
ceil = _define("Ceil", torch.ceil, F, ("math.ceil",), _no_gradient)
round = _define("Round", _round_half_even, NUM, ("math.round", "round"), _no_gradient)  # noqa: A001
# TF's ReluGrad: gradients * (features > 0) in one op (NaN upstream gradients stay NaN, as in TF)
relu_grad_p = Primitive("ReluGrad", allowed=_dt.REAL)


@relu_grad_p.def_kernel
def _relu_grad_kernel(dy, features):
    if dy.is_floating_point():
        # the comparison written straight into a float mask is ~3x faster than a bool mask times dy,
        # and keeps TF's values exactly (-0.0 for a negative dy, NaN for an infinite one)
        mask = torch.gt(features, 0.0, out=torch.empty_like(dy))
        return mask.mul_(dy)
    return torch.mul(dy, (features > 0).to(dy.dtype))


@relu_grad_p.def_abstract
def _relu_grad_rule(dy, features):
    if not dy.shape.is_compatible_with(features.shape):
        raise invalid("ReluGrad", f"The two arguments to a cwise op must have same shape: "
                                  f"{dy.shape} vs. {features.shape}")
    return same_as_input(dy)


@relu_grad_p.def_grad
def _relu_grad_grad(op, ddy):
    return bind(relu_grad_p, ddy, op.inputs[1]), None


relu = _define("Relu", _relu, _dt.REAL, ("nn.relu",),
               lambda op, dy: bind(relu_grad_p, dy, op.outputs[0]), arg="features")
