"""Shared checks and dtype helpers for the linear-algebra ops."""

from __future__ import annotations

import numpy as np
import torch

from tensorweave._src.core import dtypes as _dt
from tensorweave._src.ops._common import dims_str, invalid, tensor

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


# ---- helpers of the gradient rules (tensorweave ops only, so the rules stay differentiable) ------

def const(array, dtype):
    """A constant tensor of `dtype` from a numpy array (identity matrices, masks, selectors)."""
    return tensor(np.asarray(array).astype(dtype.as_numpy_dtype), dtype=dtype)


def eye(n: int, dtype, m=None, k: int = 0):
    return const(np.eye(n, m, k), dtype)


def matrix_diag(v):
    """The square matrices with diagonal `v` (innermost dim): `v[..., :, None] * I`."""
    from tensorweave._src.ops.math._reduce_common import public
    from tensorweave._src.ops.math.binary import multiply
    n = v.shape[-1]
    return multiply(public("expand_dims")(v, -1), eye(n, v.dtype))


def columns(x, start: int, stop: int):
    """`x[..., :, start:stop]` as a product with a 0/1 selector (exact; differentiable by matmul)."""
    from tensorweave._src.ops.math.matmul import matmul
    n = x.shape[-1]
    return matmul(x, const(np.eye(n)[:, start:stop], x.dtype))


def concat_columns(parts):
    """`concat(parts, axis=-1)` as a sum of products with 0/1 selectors."""
    from tensorweave._src.ops.math.binary import add
    from tensorweave._src.ops.math.matmul import matmul
    total = sum(p.shape[-1] for p in parts)
    out, start = None, 0
    for p in parts:
        k = p.shape[-1]
        term = matmul(p, const(np.eye(total)[start:start + k, :], p.dtype))
        out = term if out is None else add(out, term)
        start += k
    return out
