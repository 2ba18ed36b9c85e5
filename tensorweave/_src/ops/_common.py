"""Helpers shared by op definitions: input conversion and the common abstract (shape) rules."""

from __future__ import annotations

from typing import Optional

from tensorweave._src.core import dtypes as _dt
from tensorweave._src.core import errors
from tensorweave._src.core.convert import convert_to_tensor, scalar_operand
from tensorweave._src.core.op_messages import mark_converted
from tensorweave._src.core.primitive import AbstractValue
from tensorweave._src.core.shape import TensorShape
from tensorweave._src.core.tensor import Tensor


def tensor(x, dtype=None, name: Optional[str] = None) -> Tensor:
    """`x` as a Tensor (fast when it already is one of the right dtype), for an op input that TF's
    Python passes to the op unconverted: a list or string `x` marks the tensor, since TF then words
    the op's errors differently (core/op_messages.py). Where TF's Python converts an argument itself
    before its ops see it, use `convert_to_tensor`."""
    if isinstance(x, Tensor) and (dtype is None or x.dtype is dtype):
        return x
    if isinstance(x, Tensor):
        return convert_to_tensor(x, dtype=dtype)
    return mark_converted(x, convert_to_tensor(x, dtype=dtype))


def wanted(op, index: int) -> bool:
    """False when backprop does not need input `index`'s gradient (TF's skip indices): a rule may then
    return None for it instead of computing it."""
    live = getattr(op, "live", None)
    return live is None or id(op.inputs[index]) in live


def binary_operands(op_name: str, x, y, hint: bool = False):
    """Converts a binary op's operands: a non-tensor adopts the other operand's dtype, and tensors of
    different dtypes are rejected (TF never promotes).

    With `hint` (ops TF runs through its C++ fast path, like `tf.add`), the other dtype is only a
    hint: `tf.add(int_tensor, 1.5)` converts 1.5 to float32 and fails with InvalidArgumentError,
    where the other ops raise TypeError("Cannot convert 1.5 to EagerTensor of dtype int32")."""
    if hint:
        if not isinstance(x, Tensor):
            x = scalar_operand(x, y.dtype if isinstance(y, Tensor) else None, hint=True)
        if not isinstance(y, Tensor):
            y = scalar_operand(y, x.dtype, hint=True)
        if y.dtype is not x.dtype:
            raise _mismatch(op_name, x.dtype, y.dtype)
        return x, y
    if isinstance(x, Tensor):
        if not isinstance(y, Tensor):
            y = scalar_operand(y, x.dtype)
        elif y.dtype is not x.dtype:
            raise _mismatch(op_name, x.dtype, y.dtype)
        return x, y
    if isinstance(y, Tensor):
        return scalar_operand(x, y.dtype), y
    x = convert_to_tensor(x)
    return x, convert_to_tensor(y, dtype=x.dtype)


def _mismatch(op_name: str, expected: _dt.DType, got: _dt.DType) -> errors.OpError:
    return errors.op_error(
        errors.InvalidArgumentError, op_name,
        f"cannot compute {op_name} as input #1(zero-based) was expected to be a {_tf_type_name(expected)} "
        f"tensor but is a {_tf_type_name(got)} tensor")


_TF_TYPE_NAMES = {"float32": "float", "float64": "double", "float16": "half"}


def _tf_type_name(dtype: _dt.DType) -> str:
    return _TF_TYPE_NAMES.get(dtype.name, dtype.name)


def invalid(op_name: str, message: str) -> errors.OpError:
    """TF's InvalidArgumentError for a bad input to `op_name` (raised by kernels and shape rules)."""
    return errors.op_error(errors.InvalidArgumentError, op_name, message)


def dims_str(shape) -> str:
    """A shape as TF words it in messages: `[2,3]`."""
    dims = shape.dims if isinstance(shape, TensorShape) else list(shape)
    return "[" + ",".join("?" if d is None else str(d) for d in dims) + "]"


# ---- common abstract rules -------------------------------------------------------------------

def same_as_input(x, **attrs) -> AbstractValue:
    return AbstractValue(x.dtype, x.shape)


def broadcast_shape(op_name: str, a: TensorShape, b: TensorShape) -> TensorShape:
    """The broadcast of two static shapes; unknown dims stay unknown unless the other side fixes them."""
    if a.rank is None or b.rank is None:
        return TensorShape(None)
    da, db = a.as_list(), b.as_list()
    n = max(len(da), len(db))
    da = [1] * (n - len(da)) + da
    db = [1] * (n - len(db)) + db
    out = []
    for p, q in zip(da, db):
        if p == 1:
            out.append(q)
        elif q == 1:
            out.append(p)
        elif p is None or q is None:
            out.append(p if q is None else q)
        elif p == q:
            out.append(p)
        else:
            raise invalid(op_name, f"Incompatible shapes: {dims_str(a)} vs. {dims_str(b)}")
    return TensorShape(out)


def broadcasting(op_name: str, out_dtype: Optional[_dt.DType] = None):
    """The abstract rule of a broadcasting binary op whose output has `out_dtype` (default: input's)."""
    def rule(x, y, **attrs) -> AbstractValue:
        if x.dtype is not y.dtype:
            raise _mismatch(op_name, x.dtype, y.dtype)
        return AbstractValue(out_dtype or x.dtype, broadcast_shape(op_name, x.shape, y.shape))
    return rule


def normalize_axis(op_name: str, axis: int, rank: int) -> int:
    if not -rank <= axis < max(rank, 1):
        raise invalid(op_name, f"Expected axis in the range [{-rank}, {rank}), but got {axis}")
    return axis + rank if axis < 0 else axis


def static_value(x):
    """The Python/numpy value of a tensor argument known now (eager, or a traced constant), else None."""
    if isinstance(x, Tensor):
        return getattr(x, "const", None)
    return x
