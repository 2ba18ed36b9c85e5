"""Matrix structure ops: `tf.linalg.band_part`, `diag_part`, `trace`, `matrix_transpose`, `adjoint`,
`matvec`.

>>> import tensorweave as tf
>>> print(tf.linalg.trace(tf.constant([[1, 2], [3, 4]])))
tf.Tensor(5, shape=(), dtype=int32)
"""

from __future__ import annotations

import numpy as np
import torch

from tensorweave._src.api_export import tf_export
from tensorweave._src.core import dtypes as _dt
from tensorweave._src.core import errors
from tensorweave._src.core.convert import convert_to_tensor
from tensorweave._src.core.dispatch import bind
from tensorweave._src.core.op_messages import with_name
from tensorweave._src.core.primitive import AbstractValue, Primitive
from tensorweave._src.ops._common import invalid, tensor
from tensorweave._src.ops.linalg._util import check_at_least_2d
from tensorweave._src.ops.math._reduce_common import public
from tensorweave._src.ops.math.complex import conj
from tensorweave._src.ops.math.reduce import reduce_sum

_ANY = frozenset(d for d in _dt.ALL if d.name not in ("resource", "variant", "string"))

# ---- MatrixBandPart ------------------------------------------------------------------------------
band_part_p = Primitive("MatrixBandPart", allowed=_ANY)


def _band_check(shape, lower, upper):
    check_at_least_2d("MatrixBandPart", shape)
    dims = shape.dims if hasattr(shape, "dims") else list(shape)
    if dims is None:
        return
    rows, cols = dims[-2], dims[-1]
    if lower is not None and rows is not None and lower > rows:
        raise invalid("MatrixBandPart", f"num_lower must be negative or less or equal to number of rows "
                                        f"({rows}) got: {lower}")
    if upper is not None and cols is not None and upper > cols:
        raise invalid("MatrixBandPart", f"num_upper must be negative or less or equal to number of columns "
                                        f"({cols}) got: {upper}")


@band_part_p.def_kernel
def _band_part(x, num_lower, num_upper):
    lower, upper = int(num_lower), int(num_upper)
    _band_check(list(x.shape), lower, upper)
    rows, cols = x.shape[-2], x.shape[-1]
    i = torch.arange(rows).unsqueeze(1)
    j = torch.arange(cols).unsqueeze(0)
    keep = torch.ones(rows, cols, dtype=torch.bool)
    if lower >= 0:
        keep &= (i - j) <= lower
    if upper >= 0:
        keep &= (j - i) <= upper
    return torch.where(keep, x, torch.zeros((), dtype=x.dtype))


@band_part_p.def_abstract
def _band_part_rule(x, num_lower, num_upper):
    lo, up = getattr(num_lower, "const", None), getattr(num_upper, "const", None)
    _band_check(x.shape, None if lo is None else int(lo), None if up is None else int(up))
    return AbstractValue(x.dtype, x.shape)


@tf_export("linalg.band_part")
def band_part(input, num_lower, num_upper, name=None):
    """Keeps a band of each innermost matrix: `num_lower` subdiagonals and `num_upper` superdiagonals
    (negative keeps the whole triangle); zeroes the rest."""
    x = tensor(input)
    lo = num_lower if hasattr(num_lower, "dtype") else convert_to_tensor(np.int64(num_lower))
    up = num_upper if hasattr(num_upper, "dtype") else convert_to_tensor(np.int64(num_upper))
    return bind(band_part_p, x, tensor(lo), tensor(up))


# ---- MatrixDiagPartV3 ----------------------------------------------------------------------------
diag_part_p = Primitive("MatrixDiagPartV3", allowed=_ANY)


@diag_part_p.def_kernel
def _diag_part(x, k, padding_value, align="RIGHT_LEFT"):
    check_at_least_2d("MatrixDiagPartV3", list(x.shape))
    return torch.diagonal(x, offset=int(k), dim1=-2, dim2=-1).clone()


@diag_part_p.def_abstract
def _diag_part_rule(x, k, padding_value, align="RIGHT_LEFT"):
    check_at_least_2d("MatrixDiagPartV3", x.shape)
    dims = x.shape.dims
    if dims is None:
        return AbstractValue(x.dtype, None)
    kv = getattr(k, "const", None)
    rows, cols = dims[-2], dims[-1]
    if kv is None or rows is None or cols is None:
        n = None
    else:
        kv = int(kv)
        n = max(0, min(rows + min(kv, 0), cols - max(kv, 0)))
    return AbstractValue(x.dtype, dims[:-2] + [n])


@tf_export("linalg.diag_part")
def diag_part(input, name="diag_part", k=0, padding_value=0, align="RIGHT_LEFT"):
    """The `k`-th diagonal of each innermost matrix (a single diagonal offset is supported)."""
    x = tensor(input)
    if np.ndim(k) != 0:
        kk = np.asarray(k).reshape(-1)
        if kk.size != 1 and kk[0] != kk[-1]:
            raise NotImplementedError("diag_part with a band of diagonals (k pair) is not supported")
        k = int(kk[0])
    pad = tensor(np.zeros((), dtype=x.dtype.as_numpy_dtype)) if padding_value == 0 else tensor(padding_value,
                                                                                                dtype=x.dtype)
    try:
        return bind(diag_part_p, x, convert_to_tensor(k, dtype=_dt.int32), pad, align=align)
    except errors.OpError as e:
        raise with_name(e, name, "MatrixDiagPartV3")  # TF passes the name to its op



# ---- gradient rules (TF's linalg_grad) -----------------------------------------------------------

@band_part_p.def_grad
def _band_part_grad(op, dy):
    return bind(band_part_p, dy, op.inputs[1], op.inputs[2]), None, None


@diag_part_p.def_grad
def _diag_part_grad(op, dy):
    """Puts `dy` back on the k-th diagonal of zero matrices: einsum('...a,ia,aj->...ij', dy, P, Q) with
    0/1 selectors P (row of each diagonal element) and Q (its column)."""
    from tensorweave._src.ops.linalg._util import const
    from tensorweave._src.ops.math.matmul import einsum  # matmul does not import linalg

    x = op.inputs[0]
    rows, cols = x.shape[-2], x.shape[-1]
    if rows is None or cols is None:
        raise NotImplementedError("MatrixDiagPartV3 gradient needs the static matrix shape")
    k = int(op.inputs[1].const)
    d = dy.shape[-1]
    p = const(np.eye(rows, d, -max(-k, 0)), dy.dtype)  # element a sits in row a + max(-k, 0)
    q = const(np.eye(d, cols, max(k, 0)), dy.dtype)  # ... and in column a + max(k, 0)
    return einsum("...a,ia,aj->...ij", dy, p, q), None, None

@tf_export("linalg.trace")
def trace(x, name=None):
    """Sum of the main diagonal of each innermost matrix."""
    return reduce_sum(diag_part(x), axis=[-1])


# ---- transposes (composites over tf.transpose) ---------------------------------------------------

@tf_export("linalg.matrix_transpose")
def matrix_transpose(a, name="matrix_transpose", conjugate=False):
    """Swaps the innermost two dimensions; `conjugate=True` also conjugates (the adjoint)."""
    a = tensor(a)
    ndims = a.shape.rank
    if ndims is not None and ndims < 2:
        raise ValueError(f"Argument `a` should be a (batch) matrix with rank >= 2.  Received `a` = {a} with "
                         f"shape: {a.shape}")
    perm = list(range(ndims - 2)) + [ndims - 1, ndims - 2]
    out = public("transpose")(a, perm=perm)
    return conj(out) if conjugate and a.dtype.is_complex else out


@tf_export("linalg.adjoint")
def adjoint(matrix, name=None):
    """The conjugate transpose of each innermost matrix."""
    return matrix_transpose(matrix, conjugate=True)


@tf_export("linalg.matvec")
def matvec(a, b, transpose_a=False, adjoint_a=False, a_is_sparse=False, b_is_sparse=False, name=None):
    """Matrix-vector product `a @ b` over the innermost dimensions (TF: matmul with b as a column)."""
    b = public("expand_dims")(tensor(b), -1)
    out = public("matmul")(a, b, transpose_a=transpose_a, adjoint_a=adjoint_a)
    return public("squeeze")(out, axis=-1)
