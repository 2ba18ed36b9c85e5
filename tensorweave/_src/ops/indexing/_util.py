"""Helpers shared by the indexing ops: index dtype checks, range checks with TF's wording, and
storage-generic (torch / numpy-of-bytes) indexing."""

from __future__ import annotations

import math

import numpy as np
import torch

from tensorweave._src.core import dtypes as _dt
from tensorweave._src.core import errors
from tensorweave._src.ops._common import _tf_type_name, invalid

INDEX_DTYPES = frozenset((_dt.int32, _dt.int64))


def check_index_dtype(op_name: str, dtype, attr: str = "Tindices", allowed=INDEX_DTYPES) -> None:
    """TF's error when an index input is not one of the allowed integer dtypes."""
    if dtype not in allowed:
        names = ", ".join(d.name for d in (_dt.int16, _dt.int32, _dt.int64) if d in allowed)
        raise invalid(op_name, f"Value for attr '{attr}' of {_tf_type_name(dtype)} is not in the list of "
                               f"allowed values: {names}")


def bad_dtype(op_name: str, dtype, allowed, attr: str = "T") -> errors.OpError:
    """TF's "Value for attr 'T' of X is not in the list of allowed values" error."""
    order = (_dt.float32, _dt.float64, _dt.int32, _dt.uint8, _dt.int16, _dt.int8, _dt.int64, _dt.bfloat16,
             _dt.uint16, _dt.float16, _dt.uint32, _dt.uint64, _dt.complex64, _dt.complex128, _dt.bool,
             _dt.string)
    names = ", ".join(_tf_type_name(d) for d in order if d in allowed)
    return invalid(op_name, f"Value for attr '{attr}' of {_tf_type_name(dtype)} is not in the list of "
                            f"allowed values: {names}")


def prod(dims) -> int:
    return int(math.prod(int(d) for d in dims))


def position(flat: int, shape) -> str:
    """A flat position in `shape` as TF prints it in messages: `1` or `0,1`."""
    if len(shape) == 0:
        return ""
    return ",".join(str(int(i)) for i in np.unravel_index(flat, tuple(shape)))


def first_bad(bad: torch.Tensor):
    """The flat position of the first True in `bad`, or None."""
    if bad.numel() == 0 or not bool(bad.any()):
        return None
    return int(torch.nonzero(bad.reshape(-1))[0, 0])


def check_range(op_name: str, indices: torch.Tensor, limit: int) -> None:
    """Raises TF's `indices[i] = v is not in [0, n)` for the first index out of range."""
    pos = first_bad((indices < 0) | (indices >= limit))
    if pos is not None:
        value = int(indices.reshape(-1)[pos])
        raise invalid(op_name, f"indices[{position(pos, indices.shape)}] = {value} is not in [0, {limit})")


def as_long(indices) -> torch.Tensor:
    return indices if indices.dtype is torch.int64 else indices.long()


def index(values, *keys):
    """`values[keys]` with torch index tensors, also for numpy (string) storage."""
    if isinstance(values, np.ndarray):
        keys = tuple(k.numpy() if isinstance(k, torch.Tensor) else k for k in keys)
    return values[keys]


def int_list(value) -> list:
    """A Python list of ints from a kernel value (torch tensor) or a constant."""
    if isinstance(value, torch.Tensor):
        return [int(v) for v in value.reshape(-1).tolist()]
    return [int(v) for v in np.asarray(value).reshape(-1)]


_SIGNED_OF = {torch.uint16: torch.int16, torch.uint32: torch.int32, torch.uint64: torch.int64}
_INT64_MIN = -(2 ** 63)


def bits(x):
    """`x` reinterpreted as a signed integer of the same width when torch lacks kernels for its unsigned
    dtype (uint16/32/64): exact for moving data and for modular add/sub/mul. `unbits` undoes it."""
    signed = _SIGNED_OF.get(getattr(x, "dtype", None))
    return x if signed is None else x.view(signed)


def unbits(y, dtype):
    """Undoes `bits`: `y` viewed back as torch dtype `dtype`."""
    return y if y.dtype is dtype or dtype not in _SIGNED_OF else y.view(dtype)


def order_key(x):
    """A tensor torch can compare and sort that orders like `x` (uint16/32 widen to int64; uint64 maps
    to int64 by flipping the top bit). `from_order_key` undoes it."""
    if x.dtype in (torch.uint16, torch.uint32):
        return x.to(torch.int64)
    if x.dtype is torch.uint64:
        return x.view(torch.int64) ^ _INT64_MIN
    return x


def from_order_key(y, dtype):
    if dtype in (torch.uint16, torch.uint32):
        return y.to(dtype)
    if dtype is torch.uint64:
        return (y ^ _INT64_MIN).view(torch.uint64)
    return y
