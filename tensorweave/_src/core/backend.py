"""The bridge between DTypes and torch/numpy storage. Strings live in numpy object arrays of bytes."""

from __future__ import annotations

import ml_dtypes
import numpy as np
import torch

from tensorweave._src.core import dtypes as _dt

TORCH_OF = {
    _dt.float16: torch.float16, _dt.bfloat16: torch.bfloat16, _dt.float32: torch.float32,
    _dt.float64: torch.float64, _dt.int8: torch.int8, _dt.int16: torch.int16, _dt.int32: torch.int32,
    _dt.int64: torch.int64, _dt.uint8: torch.uint8, _dt.uint16: torch.uint16, _dt.uint32: torch.uint32,
    _dt.uint64: torch.uint64, _dt.bool: torch.bool, _dt.complex64: torch.complex64,
    _dt.complex128: torch.complex128,
}
DTYPE_OF_TORCH = {v: k for k, v in TORCH_OF.items()}


def torch_dtype(dtype: _dt.DType) -> torch.dtype:
    try:
        return TORCH_OF[dtype]
    except KeyError:
        raise TypeError(f"{dtype!r} has no numeric storage") from None


def to_numpy(value) -> np.ndarray:
    """A numpy copy of a backend value (bfloat16 comes back as ml_dtypes.bfloat16)."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if value.device.type != "cpu":
        value = value.cpu()
    if value.dtype is torch.bfloat16:
        return value.float().numpy().astype(ml_dtypes.bfloat16)
    return value.numpy().copy()


def from_numpy(array: np.ndarray, dtype: _dt.DType, copy: bool = True):
    """Backend storage for a numpy array already of `dtype`'s numpy type (copied unless told not to)."""
    if dtype is _dt.string:
        return array.copy() if copy else array
    if dtype is _dt.bfloat16:
        return torch.from_numpy(np.array(array, dtype=np.float32, order="C")).to(torch.bfloat16)
    if copy or not array.flags.c_contiguous or not array.flags.writeable:
        array = np.array(array, order="C", copy=True)
    return torch.from_numpy(array)


def _storage_use_count(value) -> int:
    return torch._C._storage_Use_Count(value.untyped_storage()._cdata)


try:
    _SOLE_USE_COUNT = _storage_use_count(torch.empty(1))  # the temporary storage handle counts too
except (AttributeError, RuntimeError):  # not offered by this torch: never update in place
    _SOLE_USE_COUNT = None


def sole_owner(value) -> bool:
    """Whether no other torch tensor (a view, an alias) shares `value`'s memory, so an in-place update
    cannot be observed through another tensor."""
    return (_SOLE_USE_COUNT is not None and type(value) is torch.Tensor and not value._is_view()
            and _storage_use_count(value) == _SOLE_USE_COUNT)


def sub_in_place(value, delta) -> None:
    value.sub_(delta)


def add_in_place(value, delta) -> None:
    value.add_(delta)


def jit_compile(fn):
    """`fn` (a generated graph function over backend values) compiled by torch.compile, or `fn` itself
    with a warning when torch.compile is unavailable here."""
    import logging

    try:
        compiled = torch.compile(fn, dynamic=True)
    except Exception as e:  # no compiler toolchain, unsupported platform, ...
        logging.getLogger("tensorweave").warning("jit_compile=True: torch.compile is unavailable (%s); "
                                                  "running the graph without it.", e)
        return None

    def run(*values):
        try:
            return compiled(*values)
        except Exception as e:  # compile failures surface on first call
            logging.getLogger("tensorweave").warning("jit_compile=True: torch.compile failed (%s); running "
                                                      "the graph without it.", type(e).__name__)
            run.fallback = True
            return fn(*values)

    return run
