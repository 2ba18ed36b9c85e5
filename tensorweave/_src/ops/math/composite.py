"""Math ops built from primitives: division with TF's int rules, equality with shape tolerance,
logical xor/not. Composite ops need no rules of their own."""

from __future__ import annotations

from tensorweave._src.api_export import tf_export
from tensorweave._src.core import dtypes as _dt
from tensorweave._src.core import errors
from tensorweave._src.core.convert import scalar_operand
from tensorweave._src.core.dispatch import bind
from tensorweave._src.core.tensor import Tensor
from tensorweave._src.ops._common import binary_operands, broadcast_shape, tensor
from tensorweave._src.ops.cast import cast
from tensorweave._src.ops.math import binary
from tensorweave._src.ops.math.binary import logical_and, logical_or
from tensorweave._src.ops.math.logical import logical_not

# TF's truediv: small ints divide in float32, int32/int64 in float64
_TRUEDIV_FLOAT = {_dt.int8: _dt.float32, _dt.uint8: _dt.float32, _dt.int16: _dt.float32,
                  _dt.uint16: _dt.float32, _dt.int32: _dt.float64, _dt.int64: _dt.float64,
                  _dt.uint32: _dt.float64, _dt.uint64: _dt.float64}


@tf_export("math.truediv", "truediv")
def truediv(x, y, name=None):
    """Divides `x` by `y` elementwise; integers are first cast to float (int32 -> float64).

    >>> import tensorweave as tf
    >>> print(tf.truediv(tf.constant([2, 4]), tf.constant([1, 2])))
    tf.Tensor([2. 2.], shape=(2,), dtype=float64)
    """
    x = tensor(x)
    if not isinstance(y, Tensor):
        y = scalar_operand(y, x.dtype, hint=True)  # Python scalars are cached
    if x.dtype is not y.dtype:
        raise TypeError(f"`x` and `y` must have the same dtype, got {x.dtype!r} != {y.dtype!r}.")
    target = _TRUEDIV_FLOAT.get(x.dtype)
    if target is not None:
        x, y = cast(x, target), cast(y, target)
    return bind(binary.PRIMITIVES["RealDiv"], x, y)


@tf_export("math.divide", "divide")
def divide(x, y, name=None):
    """Computes Python-style division `x / y` (`tf.math.divide`)."""
    return truediv(x, y)


def _equality(prim, x, y, incompatible_shape_error: bool, mismatch_value: bool):
    x, y = binary_operands(prim.name, x, y)
    if not incompatible_shape_error:
        try:
            broadcast_shape(prim.name, x.shape, y.shape)
        except errors.InvalidArgumentError:
            return tensor(mismatch_value)
    return bind(prim, x, y)


@tf_export("math.equal", "equal")
def equal(x, y, name=None):
    """Returns the truth value of `x == y` elementwise, with broadcasting."""
    return _equality(binary.equal_p, x, y, True, False)


@tf_export("math.not_equal", "not_equal")
def not_equal(x, y, name=None):
    """Returns the truth value of `x != y` elementwise, with broadcasting."""
    return _equality(binary.not_equal_p, x, y, True, True)


def tensor_equals(x, y):
    """`x == y` on tensors: elementwise; False when `y` is None or the shapes cannot broadcast
    (differing dtypes still raise, as in TF)."""
    if y is None:
        return False
    return _equality(binary.equal_p, x, y, False, False)


def tensor_not_equals(x, y):
    if y is None:
        return True
    return _equality(binary.not_equal_p, x, y, False, True)


@tf_export("math.logical_xor")
def logical_xor(x, y, name="LogicalXor"):
    """Logical XOR of two bool tensors, as `(x | y) & ~(x & y)`."""
    return logical_and(logical_or(x, y), logical_not(logical_and(x, y)))


def mul_operator(x, y):
    """The `*` operator: logical and on bools (tf.multiply itself rejects bool)."""
    x, y = binary_operands("Mul", x, y)
    return logical_and(x, y) if x.dtype is _dt.bool else bind(binary.PRIMITIVES["Mul"], x, y)


def bool_or_bitwise(bool_op, int_op):
    """The `&`/`|`/`^` operator: logical on bools, bitwise on integers."""
    def op(x, y):
        x, y = binary_operands("BitwiseAnd", x, y)
        return bool_op(x, y) if x.dtype is _dt.bool else int_op(x, y)
    return op
