"""Inverses, determinants and decompositions: `tf.linalg.inv`, `det`, `slogdet`, `logdet`,
`cholesky`, `qr` and `svd` (TF's order `s, u, v`, with `v` not transposed).

>>> import tensorweave as tf
>>> print(tf.linalg.det(tf.constant([[4.0, 2.0], [2.0, 3.0]])))
tf.Tensor(8.0, shape=(), dtype=float32)
"""

from __future__ import annotations

import collections

import torch

from tensorweave._src.api_export import tf_export
from tensorweave._src.core.dispatch import bind
from tensorweave._src.core.primitive import AbstractValue, Primitive
from tensorweave._src.ops._common import invalid, tensor
from tensorweave._src.ops._common import tensor as _tensor
from tensorweave._src.ops.linalg._util import LINALG_TYPES, check_matrix, compute
from tensorweave._src.ops.math import unary
from tensorweave._src.ops.math.binary import multiply
from tensorweave._src.ops.math.reduce import reduce_sum

LogMatrixDeterminant = collections.namedtuple("LogMatrixDeterminant", ["sign", "log_abs_determinant"])
Qr = collections.namedtuple("Qr", ["q", "r"])


def _square_rule(op_name):
    def rule(x, **attrs):
        check_matrix(op_name, x.shape)
        return AbstractValue(x.dtype, x.shape)
    return rule


def _batch_rule(op_name):
    def rule(x, **attrs):
        check_matrix(op_name, x.shape)
        dims = x.shape.dims
        return AbstractValue(x.dtype, None if dims is None else dims[:-2])
    return rule


# ---- MatrixInverse -------------------------------------------------------------------------------
inv_p = Primitive("MatrixInverse", allowed=LINALG_TYPES)
inv_p.def_abstract(_square_rule("MatrixInverse"))


@inv_p.def_kernel
def _inv(x, adjoint=False):
    check_matrix("MatrixInverse", list(x.shape))
    if x.numel() == 0:
        return x.clone()
    a = compute(x.mH if adjoint else x)
    y, info = torch.linalg.inv_ex(a)
    if bool((info != 0).any()):
        raise invalid("MatrixInverse", "Input is not invertible.")
    return y.to(x.dtype)


@tf_export("linalg.inv")
def inv(input, adjoint=False, name=None):
    """The inverse of each innermost square matrix (InvalidArgumentError if one is singular)."""
    return bind(inv_p, tensor(input), adjoint=bool(adjoint))


# ---- MatrixDeterminant / LogMatrixDeterminant ----------------------------------------------------
det_p = Primitive("MatrixDeterminant", allowed=LINALG_TYPES)
det_p.def_abstract(_batch_rule("MatrixDeterminant"))


@det_p.def_kernel
def _det(x):
    check_matrix("MatrixDeterminant", list(x.shape))
    if x.shape[-1] == 0:
        return torch.ones(x.shape[:-2], dtype=x.dtype)
    return torch.linalg.det(compute(x)).to(x.dtype)


@tf_export("linalg.det")
def det(input, name=None):
    """The determinant of each innermost square matrix."""
    return bind(det_p, tensor(input))


slogdet_p = Primitive("LogMatrixDeterminant", allowed=LINALG_TYPES, multiple_results=True)


@slogdet_p.def_kernel
def _slogdet(x):
    check_matrix("LogMatrixDeterminant", list(x.shape))
    if x.shape[-1] == 0:
        return torch.ones(x.shape[:-2], dtype=x.dtype), torch.zeros(x.shape[:-2], dtype=x.dtype)
    sign, logabs = torch.linalg.slogdet(compute(x))
    return sign.to(x.dtype), logabs.to(x.dtype)


@slogdet_p.def_abstract
def _slogdet_rule(x):
    out = _batch_rule("LogMatrixDeterminant")(x)
    return out, AbstractValue(x.dtype, out.shape)


@tf_export("linalg.slogdet")
def slogdet(input, name=None):
    """`(sign, log_abs_determinant)` of each innermost square matrix (a `LogMatrixDeterminant` tuple)."""
    return LogMatrixDeterminant(*bind(slogdet_p, tensor(input)))


@tf_export("linalg.logdet")
def logdet(matrix, name=None):
    """log(det(matrix)) of Hermitian positive-definite matrices: 2 * sum(log(diag(cholesky(matrix))))."""
    from tensorweave._src.ops.linalg.matrix import diag_part
    from tensorweave._src.ops.math.complex import real

    d = diag_part(cholesky(matrix))
    d = real(d) if d.dtype.is_complex else d
    return multiply(reduce_sum(unary.log(d), axis=[-1]), 2.0)


# ---- Cholesky ------------------------------------------------------------------------------------
cholesky_p = Primitive("Cholesky", allowed=LINALG_TYPES)
cholesky_p.def_abstract(_square_rule("Cholesky"))


@cholesky_p.def_kernel
def _cholesky(x):
    check_matrix("Cholesky", list(x.shape))
    if x.numel() == 0:
        return x.clone()
    chol, info = torch.linalg.cholesky_ex(compute(x))
    failed = info != 0
    if bool(failed.any()):  # TF fills a failed factor's lower triangle with NaN
        n = x.shape[-1]
        lower = torch.tril(torch.ones(n, n, dtype=torch.bool))
        nan = torch.where(lower, torch.tensor(float("nan"), dtype=chol.dtype),
                          torch.zeros((), dtype=chol.dtype))
        chol = torch.where(failed[..., None, None], nan, chol)
    return chol.to(x.dtype)


@tf_export("linalg.cholesky")
def cholesky(input, name=None):
    """The lower Cholesky factor of each Hermitian positive-definite matrix (NaNs where it fails)."""
    return bind(cholesky_p, tensor(input))


# ---- Qr ------------------------------------------------------------------------------------------
qr_p = Primitive("Qr", allowed=LINALG_TYPES, multiple_results=True)


@qr_p.def_kernel
def _qr(x, full_matrices=False):
    check_matrix("Qr", list(x.shape), square=False)
    q, r = torch.linalg.qr(compute(x), mode="complete" if full_matrices else "reduced")
    return q.to(x.dtype), r.to(x.dtype)


@qr_p.def_abstract
def _qr_rule(x, full_matrices=False):
    check_matrix("Qr", x.shape, square=False)
    dims = x.shape.dims
    if dims is None:
        return AbstractValue(x.dtype, None), AbstractValue(x.dtype, None)
    *batch, m, n = dims
    k = None if m is None or n is None else min(m, n)
    qc = m if full_matrices else k
    rr = m if full_matrices else k
    return AbstractValue(x.dtype, batch + [m, qc]), AbstractValue(x.dtype, batch + [rr, n])


@tf_export("linalg.qr")
def qr(input, full_matrices=False, name=None):
    """The QR decomposition `Qr(q, r)` of each innermost matrix."""
    return Qr(*bind(qr_p, tensor(input), full_matrices=bool(full_matrices)))


# ---- Svd -----------------------------------------------------------------------------------------
svd_p = Primitive("Svd", allowed=LINALG_TYPES, multiple_results=True)


@svd_p.def_kernel
def _svd(x, compute_uv=True, full_matrices=False):
    check_matrix("Svd", list(x.shape), square=False)
    real = x.real.dtype if x.is_complex() else x.dtype
    a = compute(x)
    if not compute_uv:
        s = torch.linalg.svdvals(a)
        return s.to(real), torch.zeros(0, dtype=x.dtype), torch.zeros(0, dtype=x.dtype)
    u, s, vh = torch.linalg.svd(a, full_matrices=bool(full_matrices))
    return s.to(real), u.to(x.dtype), vh.mH.to(x.dtype).contiguous()


@svd_p.def_abstract
def _svd_rule(x, compute_uv=True, full_matrices=False):
    check_matrix("Svd", x.shape, square=False)
    real = x.dtype.real_dtype
    dims = x.shape.dims
    if dims is None:
        return AbstractValue(real, None), AbstractValue(x.dtype, None), AbstractValue(x.dtype, None)
    *batch, m, n = dims
    k = None if m is None or n is None else min(m, n)
    s = AbstractValue(real, batch + [k])
    if not compute_uv:
        return s, AbstractValue(x.dtype, [0]), AbstractValue(x.dtype, [0])
    return (s, AbstractValue(x.dtype, batch + [m, m if full_matrices else k]),
            AbstractValue(x.dtype, batch + [n, n if full_matrices else k]))


@tf_export("linalg.svd")
def svd(tensor, full_matrices=False, compute_uv=True, name=None):  # noqa: F811 - TF's argument name
    """Singular values `s` (descending), and with `compute_uv` the tuple `(s, u, v)` with
    `a = u @ diag(s) @ adjoint(v)`."""
    x = _tensor(tensor)
    s, u, v = bind(svd_p, x, compute_uv=bool(compute_uv), full_matrices=bool(full_matrices))
    return (s, u, v) if compute_uv else s
