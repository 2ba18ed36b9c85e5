"""Linear solvers: `tf.linalg.solve`, `triangular_solve`, `cholesky_solve` and `lstsq`.

>>> import tensorweave as tf
>>> print(tf.linalg.solve(tf.constant([[4.0, 2.0], [2.0, 3.0]]), tf.constant([[1.0], [2.0]])))
tf.Tensor(
[[-0.125]
 [ 0.75 ]], shape=(2, 1), dtype=float32)
"""

from __future__ import annotations

import torch

from tensorweave._src.api_export import tf_export
from tensorweave._src.core.dispatch import bind
from tensorweave._src.core.primitive import AbstractValue, Primitive
from tensorweave._src.core.shape import TensorShape
from tensorweave._src.ops._common import broadcast_shape, dims_str, invalid, tensor
from tensorweave._src.ops.linalg._util import LINALG_TYPES, compute
from tensorweave._src.ops.linalg.decomp import cholesky
from tensorweave._src.ops.math import binary
from tensorweave._src.ops.math._reduce_common import public
from tensorweave._src.ops.math.matmul import matmul


def _same_dtype(op_name, a, b):
    if a.dtype is not b.dtype:
        names = {"float32": "float", "float64": "double", "float16": "half"}
        raise invalid(op_name, f"cannot compute {op_name} as input #1(zero-based) was expected to be a "
                               f"{names.get(a.dtype.name, a.dtype.name)} tensor but is a "
                               f"{names.get(b.dtype.name, b.dtype.name)} tensor")


# ---- MatrixSolve ---------------------------------------------------------------------------------
solve_p = Primitive("MatrixSolve", allowed=LINALG_TYPES)


def _solve_check(a, b):
    if a is None or b is None:
        return None
    if len(a) != len(b):
        raise invalid("MatrixSolve", "All input tensors must have the same rank.")
    if len(a) < 2:
        raise invalid("MatrixSolve", f"Input tensor 0 must have rank >= 2, got {len(a)}")
    for p, q in zip(a[:-2], b[:-2]):
        if p is not None and q is not None and p != q:
            raise invalid("MatrixSolve", "All input tensors must have the same outer dimensions.")
    if a[-1] is not None and a[-2] is not None and a[-1] != a[-2]:
        raise invalid("MatrixSolve", "First input (lhs) must be a square matrix.")
    if a[-2] is not None and b[-2] is not None and a[-2] != b[-2]:
        raise invalid("MatrixSolve", "Input matrix and rhs are incompatible.")
    return [p if p is not None else q for p, q in zip(a[:-2], b[:-2])] + [a[-1], b[-1]]


@solve_p.def_kernel
def _solve(matrix, rhs, adjoint=False):
    _solve_check(list(matrix.shape), list(rhs.shape))
    if matrix.numel() == 0 or rhs.numel() == 0:
        return torch.zeros(rhs.shape, dtype=rhs.dtype)
    a = compute(matrix.mH if adjoint else matrix)
    x, info = torch.linalg.solve_ex(a, compute(rhs))
    if bool((info != 0).any()):
        raise invalid("MatrixSolve", "Input matrix is not invertible.")
    return x.to(rhs.dtype)


@solve_p.def_abstract
def _solve_rule(matrix, rhs, adjoint=False):
    _same_dtype("MatrixSolve", matrix, rhs)
    return AbstractValue(matrix.dtype, _solve_check(matrix.shape.dims, rhs.shape.dims))


@tf_export("linalg.solve")
def solve(matrix, rhs, adjoint=False, name=None):
    """Solves `matrix @ x = rhs` (or `adjoint(matrix) @ x = rhs`) for each innermost square matrix."""
    m = tensor(matrix)
    r = tensor(rhs)
    _same_dtype("MatrixSolve", m, r)
    return bind(solve_p, m, r, adjoint=bool(adjoint))


# ---- MatrixTriangularSolve -----------------------------------------------------------------------
triangular_solve_p = Primitive("MatrixTriangularSolve", allowed=LINALG_TYPES)


def _tri_check(a, b, lower, adjoint):
    if a is None or b is None:
        return None
    for i, d in enumerate((a, b)):
        if len(d) < 2:
            raise invalid("MatrixTriangularSolve", f"Input tensor {i} must have rank >= 2, got {len(d)}")
    if a[-1] is not None and a[-2] is not None and a[-1] != a[-2]:
        raise invalid("MatrixTriangularSolve", f"Input matrix must be square: {dims_str(a)}")
    if a[-1] is not None and b[-2] is not None and a[-1] != b[-2]:
        raise invalid("MatrixTriangularSolve", f"In[0] mismatch In[1] shape: {a[-1]} vs. {b[-2]}: "
                                               f"{dims_str(a)} {dims_str(b)} {int(lower)} {int(adjoint)}")
    batch = broadcast_shape("MatrixTriangularSolve", TensorShape(a[:-2]), TensorShape(b[:-2]))
    return batch.as_list() + [b[-2], b[-1]]


@triangular_solve_p.def_kernel
def _triangular_solve(matrix, rhs, lower=True, adjoint=False):
    out = _tri_check(list(matrix.shape), list(rhs.shape), lower, adjoint)
    if matrix.numel() == 0 or rhs.numel() == 0:
        return torch.zeros(out, dtype=rhs.dtype)
    a, b = compute(matrix), compute(rhs)
    batch = out[:-2]
    a = a.expand(*batch, *a.shape[-2:])
    b = b.expand(*batch, *b.shape[-2:])
    if adjoint:
        x = torch.linalg.solve_triangular(a.mH, b, upper=lower)
    else:
        x = torch.linalg.solve_triangular(a, b, upper=not lower)
    return x.to(rhs.dtype)


@triangular_solve_p.def_abstract
def _triangular_solve_rule(matrix, rhs, lower=True, adjoint=False):
    _same_dtype("MatrixTriangularSolve", matrix, rhs)
    return AbstractValue(matrix.dtype, _tri_check(matrix.shape.dims, rhs.shape.dims, lower, adjoint))


@tf_export("linalg.triangular_solve")
def triangular_solve(matrix, rhs, lower=True, adjoint=False, name=None):
    """Solves `matrix @ x = rhs` using only the lower (or upper) triangle of `matrix`; batch dims
    broadcast."""
    m, r = tensor(matrix), tensor(rhs)
    _same_dtype("MatrixTriangularSolve", m, r)
    return bind(triangular_solve_p, m, r, lower=bool(lower), adjoint=bool(adjoint))


@tf_export("linalg.cholesky_solve")
def cholesky_solve(chol, rhs, name=None):
    """Solves `A @ x = rhs` given the lower Cholesky factor `chol` of A."""
    y = triangular_solve(chol, rhs, lower=True, adjoint=False)
    return triangular_solve(chol, y, lower=True, adjoint=True)


# ---- MatrixSolveLs (fast=False) and TF's composite least squares (fast=True) ---------------------
solve_ls_p = Primitive("MatrixSolveLs", allowed=LINALG_TYPES)


@solve_ls_p.def_kernel
def _solve_ls(matrix, rhs, l2_regularizer, fast=True):
    a = compute(matrix).to(torch.complex128 if matrix.is_complex() else torch.float64)
    b = compute(rhs).to(a.dtype)
    x = torch.linalg.pinv(a) @ b  # minimum-norm least squares, as Eigen's orthogonal decomposition
    return x.to(rhs.dtype)


@solve_ls_p.def_abstract
def _solve_ls_rule(matrix, rhs, l2_regularizer, fast=True):
    _same_dtype("MatrixSolveLs", matrix, rhs)
    a, b = matrix.shape.dims, rhs.shape.dims
    if a is None or b is None:
        return AbstractValue(matrix.dtype, None)
    if a[-2] is not None and b[-2] is not None and a[-2] != b[-2]:
        raise invalid("MatrixSolveLs", "Input matrix and rhs are incompatible.")
    return AbstractValue(matrix.dtype, a[:-2] + [a[-1], b[-1]])


def _regularized(gramian, l2_regularizer):
    if isinstance(l2_regularizer, (int, float)) and l2_regularizer == 0:
        return gramian
    n = gramian.shape[-1]
    eye = public("eye")(n, dtype=gramian.dtype)
    return binary.add(gramian, binary.multiply(tensor(l2_regularizer, dtype=gramian.dtype), eye))


@tf_export("linalg.lstsq")
def lstsq(matrix, rhs, l2_regularizer=0.0, fast=True, name=None):
    """Least-squares solution of `matrix @ x = rhs`; `fast` uses the (regularized) normal equations
    via Cholesky like TF, otherwise a minimum-norm solve."""
    m, r = tensor(matrix), tensor(rhs)
    if fast and m.shape.is_fully_defined():
        rows, cols = m.shape[-2], m.shape[-1]
        if rows >= cols:
            gramian = _regularized(matmul(m, m, adjoint_a=True), l2_regularizer)
            return cholesky_solve(cholesky(gramian), matmul(m, r, adjoint_a=True))
        gramian = _regularized(matmul(m, m, adjoint_b=True), l2_regularizer)
        return matmul(m, cholesky_solve(cholesky(gramian), r), adjoint_a=True)
    _same_dtype("MatrixSolveLs", m, r)
    return bind(solve_ls_p, m, r, tensor(l2_regularizer, dtype=m.dtype.real_dtype), fast=bool(fast))


# ---- gradient rules (TF's linalg_grad) -----------------------------------------------------------
# Broadcast batch dims (triangular_solve) are summed back to each operand's shape by backprop.

def _neg(x):
    from tensorweave._src.ops.math.unary import neg  # unary does not import linalg
    return neg(x)


@solve_p.def_grad
def _solve_grad(op, dy):
    a, c = op.inputs[0], op.outputs[0]
    adjoint_a = op.get_attr("adjoint")
    grad_b = solve(a, dy, adjoint=not adjoint_a)
    grad_a = matmul(c, grad_b, adjoint_b=True) if adjoint_a else matmul(grad_b, c, adjoint_b=True)
    return _neg(grad_a), grad_b


@triangular_solve_p.def_grad
def _triangular_solve_grad(op, dy):
    from tensorweave._src.ops.linalg.matrix import band_part  # matrix does not import this module

    a, c = op.inputs[0], op.outputs[0]
    adjoint_a, lower_a = op.get_attr("adjoint"), op.get_attr("lower")
    grad_b = triangular_solve(a, dy, lower=lower_a, adjoint=not adjoint_a)
    grad_a = _neg(matmul(c, grad_b, adjoint_b=True) if adjoint_a else matmul(grad_b, c, adjoint_b=True))
    grad_a = band_part(grad_a, -1, 0) if lower_a else band_part(grad_a, 0, -1)
    return grad_a, grad_b


def _regularized_gramian_cholesky(matrix, l2_regularizer, first_kind: bool):
    from tensorweave._src.ops.cast import cast

    gramian = matmul(matrix, matrix, adjoint_a=first_kind, adjoint_b=not first_kind)
    n = matrix.shape[-1 if first_kind else -2]
    eye = public("eye")(n, dtype=matrix.dtype)
    return cholesky(binary.add(gramian, binary.multiply(cast(l2_regularizer, matrix.dtype), eye)))


@solve_ls_p.def_grad
def _solve_ls_grad(op, dy):
    """TF's rule for the normal equations (fast=True); fast=False has no gradient in TF."""
    if op.get_attr("fast") is False:
        raise ValueError("Gradient not defined for fast=False")
    a, b, l2 = op.inputs
    rows, cols = a.shape[-2], a.shape[-1]
    if rows is None or cols is None:
        raise NotImplementedError("MatrixSolveLs gradient needs the static matrix shape")
    if rows >= cols:  # overdetermined: X = (A^H A + l2 I)^-1 A^H B
        x = op.outputs[0]
        chol = _regularized_gramian_cholesky(a, l2, True)
        z = cholesky_solve(chol, dy)
        xzt = matmul(x, z, adjoint_b=True)
        zx_sym = binary.add(xzt, public("linalg.matrix_transpose")(xzt))
        grad_a = binary.add(_neg(matmul(a, zx_sym)), matmul(b, z, adjoint_b=True))
        return grad_a, matmul(a, z), None
    chol = _regularized_gramian_cholesky(a, l2, False)  # underdetermined: X = A^H (A A^H + l2 I)^-1 B
    grad_b = cholesky_solve(chol, matmul(a, dy))
    tmp = cholesky_solve(chol, b)
    a1 = _neg(matmul(grad_b, matmul(tmp, a, adjoint_a=True)))
    a2 = matmul(tmp, binary.subtract(dy, matmul(a, grad_b, adjoint_a=True)), adjoint_b=True)
    return binary.add(a1, a2), grad_b, None
