"""Shared checks and dtype helpers for the linear-algebra ops."""

from __future__ import annotations

import torch

from tensorweave._src.core import dtypes as _dt
from tensorweave._src.ops._common import dims_str, invalid

# dtypes of TF's decompositions / solvers (MatrixInverse, Cholesky, Qr, Svd, MatrixSolve, ...)
LINALG_TYPES = frozenset((_dt.float16, _dt.float32, _dt.float64, _dt.complex64, _dt.complex128))


def check_matrix(op_name: str, shape, index: int = 0, square: bool = True) -> None:
    """TF's rank >= 2 and squareness checks on a static shape (unknown dims pass)."""
    dims = shape.dims if hasattr(shape, "dims") else list(shape)
    if dims is None:
        return
    if len(dims) < 2:
        raise invalid(op_name, f"Input tensor {index} must have rank >= 2, got {len(dims)}")
    if square and dims[-1] is not None and dims[-2] is not None and dims[-1] != dims[-2]:
        raise invalid(op_name, "Input matrix must be square.")


def check_at_least_2d(op_name: str, shape) -> None:
    dims = shape.dims if hasattr(shape, "dims") else list(shape)
    if dims is not None and len(dims) < 2:
        raise invalid(op_name, f"input must be at least 2-dim, received shape: {dims_str(dims)}")


def compute(x: torch.Tensor) -> torch.Tensor:
    """`x` in a dtype torch.linalg supports (half computes in float32)."""
    return x.float() if x.dtype in (torch.float16, torch.bfloat16) else x
