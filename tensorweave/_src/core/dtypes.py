"""TensorFlow's dtypes: `tf.float32`, `tf.as_dtype`, and their numpy counterparts.

>>> import tensorweave as tf
>>> tf.float32, str(tf.int16), tf.as_dtype("float64") == tf.double
(tf.float32, "<dtype: 'int16'>", True)
"""

from __future__ import annotations

from typing import Any

import ml_dtypes
import numpy as np

__all__ = ["DType", "as_dtype"]


class DType:
    """A tensor element type, unique per kind (`tf.float32 is tf.as_dtype('float32')`)."""

    __slots__ = ("_name", "_enum", "_np", "_kind", "_size")

    def __init__(self, name: str, enum: int, np_type: Any, kind: str, size: int):
        self._name = name
        self._enum = enum
        self._np = np_type
        self._kind = kind  # 'f' float, 'i' signed, 'u' unsigned, 'c' complex, 'b' bool, 's' string
        self._size = size

    name = property(lambda self: self._name)
    as_datatype_enum = property(lambda self: self._enum)
    as_numpy_dtype = property(lambda self: self._np)
    size = property(lambda self: self._size)
    is_floating = property(lambda self: self._kind == "f")
    is_integer = property(lambda self: self._kind in "iu" and self._kind != "")
    is_unsigned = property(lambda self: self._kind == "u")
    is_complex = property(lambda self: self._kind == "c")
    is_bool = property(lambda self: self._kind == "b")
    is_numeric = property(lambda self: self._kind in "fiuc" and self._kind != "")
    is_quantized = property(lambda self: False)
    is_numpy_compatible = property(lambda self: True)
    base_dtype = property(lambda self: self)

    @property
    def real_dtype(self) -> DType:
        return {"complex64": float32, "complex128": float64}.get(self._name, self)

    @property
    def min(self):
        if self._kind == "f":
            return _float_info(self._np).min
        if self._kind in "iu":
            return np.iinfo(self._np).min
        raise TypeError(f"Cannot find minimum value of {self} with type {self}.")

    @property
    def max(self):
        if self._kind == "f":
            return _float_info(self._np).max
        if self._kind in "iu":
            return np.iinfo(self._np).max
        raise TypeError(f"Cannot find maximum value of {self} with type {self}.")

    @property
    def limits(self):
        """TF's image intensity limits `(0, max)` (ints, bool; floats are (0, 1))."""
        if self._name in ("float32", "float64"):
            return (0, 1)
        if self._kind in "iub" and self._kind:
            return (0, True if self._kind == "b" else int(np.iinfo(self._np).max))
        raise ValueError(f"{self} does not have defined limits.")

    def is_compatible_with(self, other) -> bool:
        return self == other

    def __repr__(self) -> str:
        return "tf." + self._name

    def __str__(self) -> str:
        return f"<dtype: '{self._name}'>"

    def __eq__(self, other) -> bool:
        if other is self:
            return True
        if other is None:
            return False
        try:
            return as_dtype(other) is self
        except TypeError:
            return False

    def __ne__(self, other) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return self._enum

    def __reduce__(self):
        return as_dtype, (self._name,)


def _float_info(np_type):
    return ml_dtypes.finfo(np_type) if np_type is ml_dtypes.bfloat16 else np.finfo(np_type)


float16 = DType("float16", 19, np.float16, "f", 2)
half = float16
bfloat16 = DType("bfloat16", 14, ml_dtypes.bfloat16, "f", 2)
float32 = DType("float32", 1, np.float32, "f", 4)
float64 = DType("float64", 2, np.float64, "f", 8)
double = float64
int8 = DType("int8", 6, np.int8, "i", 1)
int16 = DType("int16", 5, np.int16, "i", 2)
int32 = DType("int32", 3, np.int32, "i", 4)
int64 = DType("int64", 9, np.int64, "i", 8)
uint8 = DType("uint8", 4, np.uint8, "u", 1)
uint16 = DType("uint16", 17, np.uint16, "u", 2)
uint32 = DType("uint32", 22, np.uint32, "u", 4)
uint64 = DType("uint64", 23, np.uint64, "u", 8)
bool = DType("bool", 10, np.bool_, "b", 1)  # noqa: A001 - TF's public name
string = DType("string", 7, object, "s", 0)
complex64 = DType("complex64", 8, np.complex64, "c", 8)
complex128 = DType("complex128", 18, np.complex128, "c", 16)
resource = DType("resource", 20, np.object_, "", 0)
variant = DType("variant", 21, np.object_, "", 0)

ALL = (float16, bfloat16, float32, float64, int8, int16, int32, int64, uint8, uint16, uint32, uint64,
       bool, string, complex64, complex128, resource, variant)
FLOATS = frozenset((float16, bfloat16, float32, float64))
COMPLEX = frozenset((complex64, complex128))
INTEGERS = frozenset((int8, int16, int32, int64, uint8, uint16, uint32, uint64))
SIGNED_INTEGERS = frozenset((int8, int16, int32, int64))
NUMERIC = FLOATS | COMPLEX | INTEGERS
REAL = FLOATS | INTEGERS
FLOATS_COMPLEX = FLOATS | COMPLEX

_BY_NAME = {d.name: d for d in ALL}
_BY_NAME.update(half=float16, double=float64, float=float32)
_BY_ENUM = {d.as_datatype_enum: d for d in ALL}
_BY_NUMPY = {np.dtype(d.as_numpy_dtype): d for d in ALL if d._kind not in ("s", "")}
_BY_PYTHON = {float: float32, object: string}  # TF rejects int, complex, str and bytes
_BY_PYTHON[type(True)] = bool


_REJECTED_PYTHON = (int, complex, str, bytes)


def as_dtype(type_value: Any) -> DType:
    """Converts `tf.float32`, `'float32'`, `np.float32`, `np.dtype`, an enum or a Python type to a DType."""
    if isinstance(type_value, DType):
        return type_value
    if type_value is None or any(type_value is t for t in _REJECTED_PYTHON):
        raise TypeError(f"Cannot convert the argument `type_value`: {type_value!r} to a TensorFlow DType.")
    if isinstance(type_value, str):
        d = _BY_NAME.get(type_value)
        if d is not None:
            return d
    elif isinstance(type_value, int) and not isinstance(type_value, type(True)):
        d = _BY_ENUM.get(type_value)
        if d is not None:
            return d
    elif isinstance(type_value, type) and type_value in _BY_PYTHON:
        return _BY_PYTHON[type_value]
    if type_value is np.object_ or type_value is np.bytes_ or type_value is np.str_:
        return string
    try:
        np_dtype = np.dtype(type_value)
    except (TypeError, ValueError):
        np_dtype = None
    if np_dtype is not None:
        d = _BY_NUMPY.get(np_dtype)
        if d is not None:
            return d
        if np_dtype.kind in "OSU":
            return string
    if hasattr(type_value, "dtype") and not isinstance(type_value, type):
        return as_dtype(type_value.dtype)
    if hasattr(type_value, "as_numpy_dtype") and hasattr(type_value, "name"):
        return as_dtype(type_value.name)
    raise TypeError(f"Cannot convert the argument `type_value`: {type_value!r} to a TensorFlow DType.")
