"""Elementwise binary math ops with broadcasting (`tf.add`, `tf.math.floormod`, `tf.maximum`, ...).

TF never promotes dtypes: both operands must have the same dtype; a Python scalar adopts the
tensor's dtype.

>>> import tensorweave as tf
>>> print(tf.add(tf.constant([2, 4, 6]), tf.constant([1, 2, 3])))
tf.Tensor([3 6 9], shape=(3,), dtype=int32)
"""

from __future__ import annotations

import numpy as np
import torch

from tensorweave._src.api_export import tf_export
from tensorweave._src.core import dtypes as _dt
from tensorweave._src.core.dispatch import bind
from tensorweave._src.core.primitive import Primitive
from tensorweave._src.ops._common import binary_operands, broadcasting, invalid, wanted

NUM = _dt.NUMERIC
REAL = _dt.REAL
PRIMITIVES: dict[str, Primitive] = {}


def _primitive(op_type: str, kernel, allowed, out_dtype=None, grad=None) -> Primitive:
    prim = Primitive(op_type, allowed=allowed)
    prim.def_kernel(kernel)
    prim.def_abstract(broadcasting(op_type, out_dtype))
    if grad is not None:
        prim.def_grad(grad)
    PRIMITIVES[op_type] = prim
    return prim


def _define(op_type: str, kernel, allowed, exports, out_dtype=None, grad=None, yx=False):
    """Defines primitive `op_type` and its public function `f(x, y, name=None)` (`f(y, x, name=None)`
    with `yx`, as TF's atan2: the first operand is still the op's first input).

    Gradient rules return gradients in the broadcast (output) shape; autodiff sums them back to
    each input's shape centrally."""
    prim = _primitive(op_type, kernel, allowed, out_dtype, grad)

    hint = op_type == "AddV2"  # TF runs tf.add through the fast path: dtypes are only hints

    if yx:
        def op(y, x, name=None):
            y, x = binary_operands(op_type, y, x, hint)
            return bind(prim, y, x)
    else:
        def op(x, y, name=None):
            x, y = binary_operands(op_type, x, y, hint)
            return bind(prim, x, y)

    op.__name__ = exports[0].rsplit(".", 1)[-1]
    args = "y, x" if yx else "x, y"
    op.__doc__ = f"Returns `{op.__name__}({args})` elementwise, with broadcasting (TF op `{op_type}`)."
    tf_export(*exports)(op)
    return op


def _add(x, y):
    if type(x) is np.ndarray:  # string concatenation
        return np.asarray(np.add(x, y), dtype=object)
    return torch.add(x, y)


def _floordiv(x, y):
    if not (x.is_floating_point() or x.is_complex()) and bool((y == 0).any()):
        raise invalid("FloorDiv", "Integer division by zero")
    return torch.div(x, y, rounding_mode="floor")


def _floormod(x, y):
    if not x.is_floating_point() and bool((y == 0).any()):
        raise invalid("FloorMod", "Integer division by zero")
    return torch.remainder(x, y)


def _truncatediv(x, y):
    return torch.div(x, y, rounding_mode="trunc")


def _realdiv(x, y):
    return torch.div(x, y)


def _pow(x, y):
    if not (x.is_floating_point() or x.is_complex()) and bool((y < 0).any()):
        raise invalid("Pow", "Integers to negative integer powers are not allowed")
    return torch.pow(x, y)


def _squared_difference(x, y):
    d = x - y
    return d * d.conj() if d.is_complex() else d * d


def _div_no_nan(x, y):
    return torch.where(y == 0, torch.zeros((), dtype=x.dtype), x / y)


def _mul_no_nan(x, y):
    return torch.where(y == 0, torch.zeros((), dtype=x.dtype), x * y)


def _xlogy(x, y):
    return torch.xlogy(x, y)


def _compare(torch_fn, numpy_fn=None):
    def kernel(x, y):
        if type(x) is np.ndarray:
            return torch.from_numpy(np.asarray(numpy_fn(x, y), dtype=bool))
        return torch_fn(x, y)
    return kernel


# ---- gradient rules: `op.inputs` = (x, y), `dy` = upstream gradient ---------------------------
def _xy(op):
    x, y = op.inputs
    if x.dtype.is_complex:
        from tensorweave._src.ops.math.complex import conj  # complex-only path
        return conj(x), conj(y)
    return x, y


def _mul_grad(op, dy):
    x, y = _xy(op)
    return (multiply(dy, y) if wanted(op, 0) else None), (multiply(dy, x) if wanted(op, 1) else None)


def _realdiv_grad(op, dy):
    x, y = _xy(op)
    gy = multiply(dy, realdiv(realdiv(negative(x), y), y)) if wanted(op, 1) else None
    return realdiv(dy, y), gy


def _floormod_grad(op, dy):
    x, y = op.inputs
    return dy, multiply(dy, negative(floordiv(x, y)))


def _pow_grad(op, dy):
    x, y = _xy(op)
    z = op.outputs[0]
    dx = multiply(dy, multiply(y, pow(x, subtract(y, 1))))
    if x.dtype.is_complex:
        log_x = _log(x)
    else:
        log_x = where_select(greater(x, 0), _log(_safe(x)), multiply(x, 0))
    return dx, multiply(dy, multiply(z, log_x))


def _maximum_grad(op, dy):
    x, y = op.inputs
    return _mask(greater_equal(x, y), dy), _mask(less(x, y), dy)


def _minimum_grad(op, dy):
    x, y = op.inputs
    return _mask(less_equal(x, y), dy), _mask(greater(x, y), dy)


def _squared_difference_grad(op, dy):
    x, y = op.inputs
    d = multiply(multiply(dy, 2), subtract(x, y))
    return d, negative(d)


def _atan2_grad(op, dy):
    y, x = op.inputs  # tf.atan2(y, x)
    scale = realdiv(dy, add(multiply(x, x), multiply(y, y)))
    return multiply(x, scale), multiply(negative(y), scale)


def _div_no_nan_grad(op, dy):
    x, y = op.inputs
    return divide_no_nan(dy, y), multiply(dy, divide_no_nan(divide_no_nan(negative(x), y), y))


def _mul_no_nan_grad(op, dy):
    x, y = op.inputs
    return multiply_no_nan(dy, y), multiply_no_nan(x, dy)


def _xlogy_grad(op, dy):
    x, y = op.inputs
    not_zero_x = _mask(not_equal_raw(x, multiply(x, 0)), _ones(x))
    return multiply(dy, xlogy(not_zero_x, y)), multiply(dy, divide_no_nan(x, y))


def _mask(cond, value):
    """`value` where `cond`, zeros elsewhere (cond may broadcast against value)."""
    from tensorweave._src.ops.cast import cast  # cast imports nothing from here
    return multiply(value, cast(cond, value.dtype))


def _ones(x):
    return add(multiply(x, 0), 1)


def _log(x):
    from tensorweave._src.ops.math.unary import log  # unary builds on this module
    return log(x)


def _safe(x):
    """x where x > 0, else 1 (so log stays finite where its result is discarded)."""
    return add(_mask(greater(x, 0), x), _mask(less_equal(x, 0), _ones(x)))


def where_select(cond, a, b):
    return add(_mask(cond, a), _mask(logical_not_raw(cond), b))


def negative(x):
    from tensorweave._src.ops.math.unary import neg  # unary builds on this module
    return neg(x)


def not_equal_raw(x, y):
    return bind(not_equal_p, x, y)


def logical_not_raw(c):
    from tensorweave._src.ops.math.logical import logical_not
    return logical_not(c)


def _no_gradient(op, dy):
    return None, None


add = _define("AddV2", _add, NUM | {_dt.string}, ("math.add", "add"), grad=lambda op, dy: (dy, dy))
subtract = _define("Sub", torch.sub, NUM, ("math.subtract", "subtract"),
                   grad=lambda op, dy: (dy, negative(dy) if wanted(op, 1) else None))
multiply = _define("Mul", torch.mul, NUM, ("math.multiply", "multiply"), grad=_mul_grad)
realdiv = _define("RealDiv", _realdiv, _dt.FLOATS_COMPLEX, ("realdiv",), grad=_realdiv_grad)
floordiv = _define("FloorDiv", _floordiv, REAL, ("math.floordiv",), grad=_no_gradient)
floormod = _define("FloorMod", _floormod, REAL, ("math.floormod", "math.mod"),
                   grad=_floormod_grad)
truncatediv = _define("TruncateDiv", _truncatediv, REAL, ("truncatediv",), grad=_no_gradient)
pow = _define("Pow", _pow, NUM, ("math.pow", "pow"), grad=_pow_grad)  # noqa: A001
maximum = _define("Maximum", torch.maximum, REAL, ("math.maximum", "maximum"), grad=_maximum_grad)
minimum = _define("Minimum", torch.minimum, REAL, ("math.minimum", "minimum"), grad=_minimum_grad)
squared_difference = _define("SquaredDifference", _squared_difference, NUM,
                             ("math.squared_difference",), grad=_squared_difference_grad)
atan2 = _define("Atan2", torch.atan2, _dt.FLOATS, ("math.atan2", "atan2"), grad=_atan2_grad, yx=True)
divide_no_nan = _define("DivNoNan", _div_no_nan, _dt.FLOATS_COMPLEX, ("math.divide_no_nan",),
                        grad=_div_no_nan_grad)
multiply_no_nan = _define("MulNoNan", _mul_no_nan, _dt.FLOATS_COMPLEX, ("math.multiply_no_nan",),
                          grad=_mul_no_nan_grad)
xlogy = _define("Xlogy", _xlogy, _dt.FLOATS, ("math.xlogy",), grad=_xlogy_grad)
less = _define("Less", _compare(torch.lt), REAL, ("math.less", "less"), _dt.bool)
less_equal = _define("LessEqual", _compare(torch.le), REAL, ("math.less_equal", "less_equal"), _dt.bool)
greater = _define("Greater", _compare(torch.gt), REAL, ("math.greater", "greater"), _dt.bool)
greater_equal = _define("GreaterEqual", _compare(torch.ge), REAL, ("math.greater_equal", "greater_equal"),
                        _dt.bool)
logical_and = _define("LogicalAnd", torch.logical_and, {_dt.bool}, ("math.logical_and", "logical_and"))
logical_or = _define("LogicalOr", torch.logical_or, {_dt.bool}, ("math.logical_or", "logical_or"))
bitwise_and = _define("BitwiseAnd", torch.bitwise_and, _dt.INTEGERS, ("bitwise.bitwise_and",))
bitwise_or = _define("BitwiseOr", torch.bitwise_or, _dt.INTEGERS, ("bitwise.bitwise_or",))
bitwise_xor = _define("BitwiseXor", torch.bitwise_xor, _dt.INTEGERS, ("bitwise.bitwise_xor",))

_ALL = frozenset(d for d in _dt.ALL if d.name not in ("resource", "variant"))
equal_p = _primitive("Equal", _compare(torch.eq, np.equal), _ALL, _dt.bool)
not_equal_p = _primitive("NotEqual", _compare(torch.ne, np.not_equal), _ALL, _dt.bool)
