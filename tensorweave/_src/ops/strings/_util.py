"""Helpers shared by the string ops: conversion, elementwise mapping, attr checks."""

from __future__ import annotations

import numpy as np

from tensorweave._src.core import dtypes as _dt
from tensorweave._src.core import errors
from tensorweave._src.core.convert import convert_to_tensor
from tensorweave._src.core.op_messages import fallback_if
from tensorweave._src.core.primitive import AbstractValue
from tensorweave._src.core.tensor import Tensor
from tensorweave._src.ops._common import invalid

STRING = frozenset((_dt.string,))
UNITS = ("BYTE", "UTF8_CHAR")


def string_tensor(x, arg: str = None) -> Tensor:
    """`x` as a string tensor; a non-string tensor raises TF's conversion ValueError."""
    if isinstance(x, Tensor) or hasattr(x, "_as_tensor"):
        try:
            return convert_to_tensor(x, dtype=_dt.string)
        except ValueError as e:
            raise ValueError(f"{arg}: {e}" if arg else str(e)) from None
    return convert_to_tensor(x, dtype=_dt.string)


def require_string(op_type: str, x, index: int = 0) -> None:
    if x.dtype is not _dt.string:
        raise errors.op_error(
            errors.InvalidArgumentError, op_type,
            f"cannot compute {op_type} as input #{index}(zero-based) was expected to be a string tensor "
            f"but is a {_tf_name(x.dtype)} tensor")


def _tf_name(dtype) -> str:
    return {"float32": "float", "float64": "double", "float16": "half"}.get(dtype.name, dtype.name)


def check_unit(op_type: str, unit: str, *inputs) -> None:
    """TF's error for a bad `unit` attr (on TF's fallback path when one of the op's `inputs` came from
    a Python value, see core/op_messages.py)."""
    if unit not in UNITS:
        error = invalid(op_type, f"Value for attr 'unit' of \"{unit}\" is not in the list of allowed values: "
                                 "\"BYTE\", \"UTF8_CHAR\"")
        raise fallback_if(error, *inputs)


def map_bytes(fn, arr: np.ndarray) -> np.ndarray:
    """Applies `fn` (bytes -> bytes) to every element, keeping the shape."""
    out = np.empty(arr.shape, dtype=object)
    flat_in, flat_out = arr.reshape(-1), out.reshape(-1)
    for i in range(flat_in.size):
        flat_out[i] = fn(flat_in[i])
    return out


def map_to(fn, arr: np.ndarray, np_dtype) -> np.ndarray:
    """Applies `fn` (bytes -> number) to every element into a numeric array."""
    flat = arr.reshape(-1)
    return np.array([fn(flat[i]) for i in range(flat.size)], dtype=np_dtype).reshape(arr.shape)


def string_same_shape(op_type: str):
    """Abstract rule: a string input, a same-shape output of `out_dtype`."""
    def rule(x, **attrs):
        require_string(op_type, x)
        return AbstractValue(_dt.string, x.shape)
    return rule


def utf8_chars(s: bytes) -> list:
    """The UTF-8 characters of `s` as byte strings: each starts at a byte that is not a continuation
    byte (0b10xxxxxx), as TF counts them."""
    starts = [i for i, b in enumerate(s) if b & 0xC0 != 0x80 or i == 0]
    return [s[a:b] for a, b in zip(starts, starts[1:] + [len(s)])]


def utf8_length(s: bytes) -> int:
    return sum(1 for b in s if b & 0xC0 != 0x80)
