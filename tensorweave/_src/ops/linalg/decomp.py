"""Inverses, determinants and decompositions: `tf.linalg.inv`, `det`, `slogdet`, `logdet`,
`cholesky`, `qr` and `svd` (TF's order `s, u, v`, with `v` not transposed).

>>> import tensorweave as tf
>>> print(tf.linalg.det(tf.constant([[4.0, 2.0], [2.0, 3.0]])))
tf.Tensor(8.0, shape=(), dtype=float32)
"""

from __future__ import annotations

import collections

import numpy as np
import torch

from tensorweave._src.api_export import tf_export
from tensorweave._src.core.dispatch import bind
from tensorweave._src.core.primitive import AbstractValue, Primitive
from tensorweave._src.ops._common import invalid, tensor
from tensorweave._src.ops._common import tensor as _tensor
from tensorweave._src.ops.linalg import _util
from tensorweave._src.ops.linalg._util import LINALG_TYPES, check_matrix, compute
from tensorweave._src.ops.math import unary
from tensorweave._src.ops.math.binary import add, multiply, subtract
from tensorweave._src.ops.math.matmul import matmul
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



# ---- gradient rules (TF's linalg_grad) -----------------------------------------------------------

def _adjoint(x):
    from tensorweave._src.ops.linalg.matrix import adjoint  # matrix builds on reduce, not on this module
    return adjoint(x)


def _expand2(t):
    """`t` with two trailing size-1 dims (a per-matrix scalar that broadcasts over each matrix)."""
    from tensorweave._src.ops.math._reduce_common import public
    expand_dims = public("expand_dims")
    return expand_dims(expand_dims(t, -1), -1)


@inv_p.def_grad
def _inv_grad(op, dy):
    ainv = op.outputs[0]
    adj = op.get_attr("adjoint")
    return unary.neg(matmul(ainv, matmul(dy, ainv, adjoint_a=adj, adjoint_b=not adj), adjoint_a=not adj))


@det_p.def_grad
def _det_grad(op, dy):
    a, c = op.inputs[0], op.outputs[0]
    return multiply(_expand2(multiply(dy, c)), inv(a, adjoint=True))


@slogdet_p.def_grad
def _slogdet_grad(op, _dsign, dlogabs):
    return multiply(_expand2(dlogabs), inv(op.inputs[0], adjoint=True))


@cholesky_p.def_grad
def _cholesky_grad(op, dy):
    """l^{-H} @ ((l^H @ dy) * (tril(ones) - eye / 2)) @ l^{-1}, symmetrized."""
    from tensorweave._src.ops.linalg.solve import triangular_solve  # solve imports this module

    l = op.outputs[0]
    n = l.shape[-1]
    l_inverse = triangular_solve(l, _util.eye(n, l.dtype))  # the identity broadcasts over l's batch
    lower_half_diagonal = _util.const(np.tril(np.ones((n, n))) - 0.5 * np.eye(n), l.dtype)
    middle = multiply(matmul(l, dy, adjoint_a=True), lower_half_diagonal)
    grad_a = matmul(matmul(l_inverse, middle, adjoint_a=True), l_inverse)
    grad_a = add(grad_a, _adjoint(grad_a))
    return multiply(grad_a, 0.5)


def _triangular_solve_right(x, r):
    """x @ adjoint(inverse(r)) for upper-triangular r."""
    from tensorweave._src.ops.linalg.solve import triangular_solve  # solve imports this module
    return _adjoint(triangular_solve(r, _adjoint(x), lower=False, adjoint=False))


def _qr_grad_square_and_deep(q, r, dq, dr):
    from tensorweave._src.ops.cast import cast
    from tensorweave._src.ops.linalg.matrix import band_part
    from tensorweave._src.ops.math.complex import real

    qdq = matmul(q, dq, adjoint_a=True)
    qdq_ = subtract(qdq, _adjoint(qdq))
    rdr = matmul(r, dr, adjoint_b=True)
    rdr_ = subtract(rdr, _adjoint(rdr))
    tril = band_part(add(qdq_, rdr_), -1, 0)
    grad_a = matmul(q, add(dr, _triangular_solve_right(tril, r)))
    grad_b = _triangular_solve_right(subtract(dq, matmul(q, qdq)), r)
    ret = add(grad_a, grad_b)
    if q.dtype.is_complex:  # TF's correction for the complex case
        m = subtract(rdr, _adjoint(qdq))
        eyem = multiply(m, _util.eye(m.shape[-1], m.dtype))
        correction = subtract(eyem, cast(real(eyem), q.dtype))
        ret = add(ret, _triangular_solve_right(matmul(q, _adjoint(correction)), r))
    return ret


@qr_p.def_grad
def _qr_grad(op, dq, dr):
    q, r = op.outputs
    rows_r, cols_r = r.shape[-2], r.shape[-1]
    if rows_r is None or cols_r is None:
        raise NotImplementedError(f"QrGrad not implemented with dynamic shapes. Received r.shape: {r.shape}")
    if rows_r > cols_r and q.shape[-2] == q.shape[-1]:
        raise NotImplementedError(f"QrGrad not implemented when nrows > ncols and full_matrices is true. "
                                  f"Received r.shape={r.shape} with nrows={rows_r}and ncols={cols_r}.")
    num_rows, num_cols = q.shape[-2], cols_r
    if num_rows >= num_cols:
        return _qr_grad_square_and_deep(q, r, dq, dr)
    # wide matrices: partition a = [x, y], r = [u, v] and reduce to the square case
    a = op.inputs[0]
    y = _util.columns(a, num_rows, num_cols)
    u = _util.columns(r, 0, num_rows)
    dv = _util.columns(dr, num_rows, num_cols)
    du = _util.columns(dr, 0, num_rows)
    dy = matmul(q, dv)
    dx = _qr_grad_square_and_deep(q, u, add(dq, matmul(y, dv, adjoint_b=True)), du)
    return _util.concat_columns([dx, dy])


def _safe_reciprocal(x, epsilon=1e-20):
    return multiply(x, unary.reciprocal(add(multiply(x, x), epsilon)))


@svd_p.def_grad
def _svd_grad(op, grad_s, grad_u, grad_v):
    """TF's rule (Giles; Townsend for the thin case; the complex correction term)."""
    from tensorweave._src.ops.cast import cast
    from tensorweave._src.ops.math._reduce_common import public

    a = op.inputs[0]
    grad_s_mat = _util.matrix_diag(cast(grad_s, a.dtype))
    if not op.get_attr("compute_uv"):
        _, u, v = svd(a, compute_uv=True)
        return matmul(u, matmul(grad_s_mat, v, adjoint_b=True))
    full_matrices = op.get_attr("full_matrices")
    m, n = a.shape[-2], a.shape[-1]
    if m is None or n is None:
        raise NotImplementedError("SVD gradient has not been implemented for input with unknown inner matrix "
                                  "shape.")
    s, u, v = op.outputs
    s = cast(s, a.dtype)
    use_adjoint = m > n
    if use_adjoint:  # the gradient of A^H = V S^T U^H, transposed back at the end
        m, n = n, m
        u, v = v, u
        grad_u, grad_v = grad_v, grad_u
    if full_matrices and abs(m - n) > 1:
        raise NotImplementedError(f"svd gradient is not implemented for abs(m - n) > 1 when full_matrices is "
                                  f"True. Received: m={m} and n={n} from op input={a} with shape={a.shape}.")
    expand_dims = public("expand_dims")
    s_mat = _util.matrix_diag(s)
    s2 = unary.square(s)
    k = s.shape[-1]
    off_diagonal = _util.const(1 - np.eye(k), a.dtype)
    f = multiply(_safe_reciprocal(subtract(expand_dims(s2, -2), expand_dims(s2, -1))), off_diagonal)
    s_inv_mat = _util.matrix_diag(_safe_reciprocal(s))
    v1 = _util.columns(v, 0, m)
    grad_v1 = _util.columns(grad_v, 0, m)
    u_gu = matmul(u, grad_u, adjoint_a=True)
    v_gv = matmul(v1, grad_v1, adjoint_a=True)
    f_u = multiply(f, u_gu)
    f_v = multiply(f, v_gv)
    term1_nouv = add(add(grad_s_mat, matmul(add(f_u, _adjoint(f_u)), s_mat)),
                     matmul(s_mat, add(f_v, _adjoint(f_v))))
    grad_a = matmul(u, matmul(term1_nouv, v1, adjoint_b=True))
    if m != n:
        gv1t = _adjoint(grad_v1)
        term2_nous = subtract(gv1t, matmul(matmul(gv1t, v1), v1, adjoint_b=True))
        if full_matrices:
            v2 = _util.columns(v, m, n)
            grad_v2 = _util.columns(grad_v, m, n)
            term2_nous = subtract(term2_nous, matmul(matmul(v1, grad_v2, adjoint_a=True), v2, adjoint_b=True))
        grad_a = add(grad_a, matmul(matmul(u, s_inv_mat), term2_nous))
    if a.dtype.is_complex:
        l = multiply(_util.eye(k, a.dtype), v_gv)
        term3_nouv = matmul(s_inv_mat, subtract(_adjoint(l), l))
        grad_a = add(grad_a, multiply(matmul(u, matmul(term3_nouv, v1, adjoint_b=True)), 0.5))
    return _adjoint(grad_a) if use_adjoint else grad_a
