"""Gradients of reductions, scans, clipping, matmul/einsum, complex parts and tf.linalg.

Numerical checks (float64 central differences, random shapes with hypothesis where cheap) for every
rule, and oracle fixtures (family "reduce_grad") for TF's conventions: ties, zeros, NaN at 0,
boundaries, broadcast batch dims, non-conjugated complex rules and second order.
"""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import tensorweave as tf
from tests.gradcheck import check_gradients
from tests.harness import check_fixture, fixture_params


@pytest.mark.parametrize("case", fixture_params("reduce_grad"))
def test_reduce_grad_fixture(case):
    check_fixture("reduce_grad", case)


# ---- reductions -----------------------------------------------------------------------------------

REDUCTIONS = [
    ("reduce_sum", tf.reduce_sum), ("reduce_mean", tf.reduce_mean), ("reduce_max", tf.reduce_max),
    ("reduce_min", tf.reduce_min), ("reduce_prod", tf.reduce_prod),
    ("euclidean_norm", tf.math.reduce_euclidean_norm), ("logsumexp", tf.reduce_logsumexp),
    ("reduce_std", tf.math.reduce_std), ("reduce_variance", tf.math.reduce_variance),
]

shapes = st.lists(st.integers(1, 3), min_size=0, max_size=3).map(tuple)


@st.composite
def shape_and_axis(draw):
    shape = draw(shapes)
    rank = len(shape)
    kind = draw(st.sampled_from(["none", "int", "list"]))
    if kind == "none" or rank == 0:
        axis = None
    elif kind == "int":
        axis = draw(st.integers(-rank, rank - 1))
    else:
        axis = draw(st.lists(st.integers(0, rank - 1), unique=True, max_size=rank))
    return shape, axis


@pytest.mark.parametrize("name,fn", REDUCTIONS, ids=[r[0] for r in REDUCTIONS])
@settings(max_examples=6, deadline=None)
@given(sa=shape_and_axis(), keepdims=st.booleans(), seed=st.integers(0, 2**16))
def test_reduction_gradient(name, fn, sa, keepdims, seed):
    shape, axis = sa
    if name == "reduce_std":  # sqrt of a zero variance (one element reduced) has no derivative
        axes = range(len(shape)) if axis is None else [axis] if isinstance(axis, int) else axis
        assume(int(np.prod([shape[a] for a in axes])) > 1)
    x = np.random.default_rng(seed).uniform(0.5, 2.0, size=shape) * np.random.default_rng(seed + 1).choice(
        [-1.0, 1.0], size=shape)
    check_gradients(lambda t: fn(t, axis=axis, keepdims=keepdims), [x])


def test_reduce_max_ties_split_equally():
    x = tf.constant([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]])
    with tf.GradientTape() as g:
        g.watch(x)
        y = tf.reduce_max(x, axis=1)
    np.testing.assert_allclose(g.gradient(y, x).numpy(), [[0, 0.5, 0.5], [1 / 3] * 3], rtol=1e-6)


def test_reduce_prod_zeros_against_products_of_the_others():
    x = np.array([[0.0, 2.0, 3.0], [0.0, 0.0, 5.0], [1.5, 2.0, -1.0]])
    t = tf.constant(x)
    with tf.GradientTape() as g:
        g.watch(t)
        y = tf.reduce_prod(t, axis=1)
    expected = [[np.prod(np.delete(row, j)) for j in range(3)] for row in x]
    np.testing.assert_allclose(g.gradient(y, t).numpy(), expected)


# ---- scans ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("fn", [tf.math.cumsum, tf.math.cumprod], ids=["cumsum", "cumprod"])
@settings(max_examples=8, deadline=None)
@given(shape=st.lists(st.integers(1, 3), min_size=1, max_size=3).map(tuple), exclusive=st.booleans(),
       reverse=st.booleans(), data=st.data())
def test_scan_gradient(fn, shape, exclusive, reverse, data):
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    x = np.random.default_rng(len(shape)).uniform(0.5, 2.0, size=shape)  # cumprod: TF's rule needs x != 0
    check_gradients(lambda t: fn(t, axis=axis, exclusive=exclusive, reverse=reverse), [x])


# ---- add_n, clipping --------------------------------------------------------------------------------

def test_add_n_gradient():
    rng = np.random.default_rng(0)
    check_gradients(lambda a, b, c: tf.add_n([a, b, c, a]), [rng.normal(size=(2, 3)) for _ in range(3)])


def test_clip_by_value_gradient_including_bounds():
    rng = np.random.default_rng(1)
    x = np.array([-2.0, -0.3, 0.1, 0.4, 2.0])
    check_gradients(lambda t, lo, hi: tf.clip_by_value(t, lo, hi), [x, np.array(-0.5), rng.uniform(0.5, 1, (5,))])


def test_clip_by_norm_gradient():
    rng = np.random.default_rng(2)
    check_gradients(lambda t: tf.clip_by_norm(t, 1.0, axes=[1]), [rng.normal(size=(3, 4))])
    check_gradients(lambda t: tf.clip_by_norm(t, 10.0), [rng.normal(size=(3, 4))])


# ---- matmul / einsum / tensordot ----------------------------------------------------------------------

@settings(max_examples=25, deadline=None)
@given(ta=st.sampled_from(["", "transpose", "adjoint"]), tb=st.sampled_from(["", "transpose", "adjoint"]),
       batch_a=st.sampled_from([(), (2,), (1,), (2, 1)]), batch_b=st.sampled_from([(), (2,), (1, 2)]),
       seed=st.integers(0, 2**16))
def test_matmul_gradient(ta, tb, batch_a, batch_b, seed):
    rng = np.random.default_rng(seed)
    m, k, n = 2, 3, 2
    a = rng.normal(size=batch_a + ((k, m) if ta else (m, k)))
    b = rng.normal(size=batch_b + ((n, k) if tb else (k, n)))
    kwargs = {}
    if ta:
        kwargs[ta + "_a"] = True
    if tb:
        kwargs[tb + "_b"] = True
    check_gradients(lambda x, y: tf.matmul(x, y, **kwargs), [a, b])


EINSUMS = [
    ("ij,jk->ik", [(2, 3), (3, 2)]), ("ij,jk", [(2, 3), (3, 2)]), ("ii", [(3, 3)]), ("ii->i", [(3, 3)]),
    ("ij->ji", [(2, 3)]), ("ij->", [(2, 3)]), ("ibj,jk->k", [(2, 2, 3), (3, 2)]), ("iij,jk->ik", [(2, 2, 3), (3, 2)]),
    ("...ij,...jk->...ik", [(2, 2, 3), (4, 1, 3, 2)]), ("i...j,j->i...", [(2, 3, 2), (2,)]),
    ("bij,bjk->bik", [(2, 2, 3), (2, 3, 2)]), ("i,j->ij", [(2,), (3,)]), ("ij,ij,j->i", [(2, 3), (2, 3), (3,)]),
    ("ij,j->i", [(2, 3), (1,)]), ("...i,...i->...", [(2, 3), (3,)]),
]


@pytest.mark.parametrize("equation,shapes_", EINSUMS, ids=[e[0] for e in EINSUMS])
def test_einsum_gradient(equation, shapes_):
    rng = np.random.default_rng(3)
    check_gradients(lambda *xs: tf.einsum(equation, *xs), [rng.normal(size=s) for s in shapes_])


def test_tensordot_gradient():
    rng = np.random.default_rng(4)
    check_gradients(lambda a, b: tf.tensordot(a, b, [[0, 2], [1, 0]]), [rng.normal(size=(2, 3, 2)),
                                                                        rng.normal(size=(2, 2, 3))])
    check_gradients(lambda a, b: tf.tensordot(a, b, 0), [rng.normal(size=(2,)), rng.normal(size=(3,))])


# ---- linear algebra -----------------------------------------------------------------------------------

def _spd(rng, n, batch=()):
    m = rng.normal(size=batch + (n, n))
    return m @ np.swapaxes(m, -1, -2) + n * np.eye(n)


def _sym(x):
    return (x + tf.linalg.matrix_transpose(x)) / 2.0  # cholesky/logdet read only one triangle


def _svd_rebuild(x, **kwargs):
    s, u, v = tf.linalg.svd(x, **kwargs)
    k = s.shape[-1]
    return tf.matmul(u[..., :, :k] * s[..., None, :], v[..., :, :k], adjoint_b=True)


def _wellposed(rng, shape):
    return rng.normal(size=shape) + 3 * np.eye(shape[-1])


LINALG = [
    ("inv", lambda x: tf.linalg.inv(x), lambda r: [_wellposed(r, (2, 2, 2))]),
    ("inv_adjoint", lambda x: tf.linalg.inv(x, adjoint=True), lambda r: [_wellposed(r, (3, 3))]),
    ("det", tf.linalg.det, lambda r: [r.normal(size=(2, 2, 2))]),
    ("slogdet", lambda x: tf.linalg.slogdet(x)[1], lambda r: [r.normal(size=(3, 3))]),
    ("logdet", lambda x: tf.linalg.logdet(_sym(x)), lambda r: [_spd(r, 3)]),
    ("cholesky", lambda x: tf.linalg.cholesky(_sym(x)), lambda r: [_spd(r, 2, (2,))]),
    ("qr_square", lambda x: list(tf.linalg.qr(x)), lambda r: [r.normal(size=(3, 3))]),
    ("qr_deep", lambda x: list(tf.linalg.qr(x)), lambda r: [r.normal(size=(2, 3, 2))]),
    ("qr_wide", lambda x: list(tf.linalg.qr(x)), lambda r: [r.normal(size=(2, 4))]),
    ("svd_values", lambda x: tf.linalg.svd(x, compute_uv=False), lambda r: [r.normal(size=(2, 3, 2))]),
    ("svd_rebuild_deep", _svd_rebuild, lambda r: [r.normal(size=(3, 2))]),
    ("svd_rebuild_wide", _svd_rebuild, lambda r: [r.normal(size=(2, 2, 3))]),
    ("svd_rebuild_full", lambda x: _svd_rebuild(x, full_matrices=True), lambda r: [r.normal(size=(3, 2))]),
    ("svd_projectors", lambda x: (lambda s, u, v: [tf.matmul(u, u, adjoint_b=True), tf.matmul(v, v, adjoint_b=True),
                                                   tf.abs(u)])(*tf.linalg.svd(x)), lambda r: [r.normal(size=(3, 2))]),
    ("solve", tf.linalg.solve, lambda r: [_wellposed(r, (2, 2, 2)), r.normal(size=(2, 2, 1))]),
    ("solve_adjoint", lambda a, b: tf.linalg.solve(a, b, adjoint=True),
     lambda r: [_wellposed(r, (2, 2)), r.normal(size=(2, 2))]),
    ("triangular_solve", tf.linalg.triangular_solve, lambda r: [_wellposed(r, (3, 3)), r.normal(size=(2, 3, 1))]),
    ("triangular_solve_upper_adjoint", lambda a, b: tf.linalg.triangular_solve(a, b, lower=False, adjoint=True),
     lambda r: [_wellposed(r, (2, 2, 2)), r.normal(size=(2, 1))]),
    ("cholesky_solve", lambda a, b: tf.linalg.cholesky_solve(tf.linalg.cholesky(_sym(a)), b),
     lambda r: [_spd(r, 2), r.normal(size=(2, 2))]),
    ("lstsq_over", tf.linalg.lstsq, lambda r: [r.normal(size=(3, 2)), r.normal(size=(3, 1))]),
    ("lstsq_under_l2", lambda a, b: tf.linalg.lstsq(a, b, l2_regularizer=0.3),
     lambda r: [r.normal(size=(2, 3)), r.normal(size=(2, 1))]),
    ("band_part", lambda x: tf.linalg.band_part(x, 1, 0), lambda r: [r.normal(size=(2, 3, 4))]),
    ("diag_part", tf.linalg.diag_part, lambda r: [r.normal(size=(2, 3, 4))]),
    ("diag_part_k", lambda x: tf.linalg.diag_part(x, k=1), lambda r: [r.normal(size=(3, 4))]),
    ("diag_part_k_negative", lambda x: tf.linalg.diag_part(x, k=-2), lambda r: [r.normal(size=(4, 3))]),
    ("trace", tf.linalg.trace, lambda r: [r.normal(size=(2, 3, 3))]),
    ("matrix_transpose", tf.linalg.matrix_transpose, lambda r: [r.normal(size=(2, 3, 4))]),
    ("norm_fro", lambda x: tf.norm(x, ord="fro", axis=[-2, -1]), lambda r: [r.normal(size=(2, 2, 3))]),
    ("norm_2", lambda x: tf.norm(x, ord=2, axis=[-2, -1]), lambda r: [r.normal(size=(2, 2, 3))]),
    ("norm_1", lambda x: tf.norm(x, ord=1, axis=[-2, -1]), lambda r: [r.normal(size=(2, 2, 3))]),
    ("norm_vector_3", lambda x: tf.norm(x, ord=3, axis=1), lambda r: [r.normal(size=(2, 3))]),
    ("global_norm", lambda x, y: tf.linalg.global_norm([x, y]), lambda r: [r.normal(size=(2, 3)), r.normal(size=(3,))]),
    ("l2_normalize", lambda x: tf.math.l2_normalize(x, axis=1), lambda r: [r.normal(size=(2, 3))]),
]


@pytest.mark.parametrize("name,fn,make", LINALG, ids=[c[0] for c in LINALG])
def test_linalg_gradient(name, fn, make):
    check_gradients(fn, make(np.random.default_rng(5)))


# ---- complex inputs: checked through tf.complex(re, im), i.e. TF's conjugate convention ------------------

def _complex_check(fn, shapes_, seed=6):
    rng = np.random.default_rng(seed)

    def split(*parts):
        zs = [tf.complex(parts[2 * i], parts[2 * i + 1]) for i in range(len(parts) // 2)]
        out = fn(*zs)
        outs = []
        for o in out if isinstance(out, (list, tuple)) else [out]:
            outs += [tf.math.real(o), tf.math.imag(o)] if o.dtype.is_complex else [o]
        return outs

    check_gradients(split, [rng.normal(size=s) for s in shapes_ for _ in range(2)])


def _c_eye(n):
    return tf.constant(3 * np.eye(n), dtype=tf.complex128)


COMPLEX = [
    ("real_imag_conj", lambda z: [tf.math.conj(z) * z * z, tf.math.real(z) * tf.math.imag(z)], [(2, 3)]),
    ("sum", lambda z: tf.reduce_sum(z * z, 1), [(2, 3)]),
    ("mean", lambda z: tf.reduce_mean(z * z, 0, keepdims=True), [(2, 3)]),
    ("prod", lambda z: tf.reduce_prod(z, 1), [(2, 3)]),
    ("cumsum", lambda z: tf.math.cumsum(z, 1, exclusive=True), [(2, 3)]),
    ("matmul_adjoint", lambda a, b: tf.matmul(a, b, adjoint_a=True, transpose_b=True), [(3, 2), (4, 3)]),
    ("batch_matmul", lambda a, b: tf.matmul(a, b, transpose_a=True, adjoint_b=True), [(2, 3, 2), (4, 3)]),
    ("einsum", lambda a, b: tf.einsum("ij,jk->ik", a, b), [(3, 2), (2, 4)]),
    ("add_n", lambda a, b: tf.add_n([a, b, a]), [(2,), (2,)]),
    ("inv", lambda a: tf.linalg.inv(a + _c_eye(2)), [(2, 2)]),
    ("slogdet", lambda a: tf.math.real(tf.linalg.slogdet(a)[1]), [(2, 2)]),
    ("cholesky", lambda a: tf.linalg.cholesky(tf.matmul(a, a, adjoint_b=True) + _c_eye(2)), [(2, 2)]),
    ("qr", lambda a: list(tf.linalg.qr(a)), [(3, 2)]),
    ("qr_wide", lambda a: list(tf.linalg.qr(a)), [(2, 3)]),
    ("svd_values", lambda a: tf.linalg.svd(a, compute_uv=False), [(3, 2)]),
    ("svd_rebuild", lambda a: (lambda s, u, v: tf.matmul(u * tf.cast(s, u.dtype)[..., None, :], v, adjoint_b=True))(
        *tf.linalg.svd(a)), [(3, 2)]),
    ("solve", lambda a, b: tf.linalg.solve(a + _c_eye(2), b), [(2, 2), (2, 1)]),
    ("triangular_solve", lambda a, b: tf.linalg.triangular_solve(a + _c_eye(2), b, adjoint=True), [(2, 2), (2, 1)]),
]


@pytest.mark.parametrize("name,fn,shapes_", COMPLEX, ids=[c[0] for c in COMPLEX])
def test_complex_gradient(name, fn, shapes_):
    _complex_check(fn, shapes_)


def test_complex_rules_that_follow_tf_not_the_derivative():
    """TF's cumprod, euclidean_norm and det rules do not conjugate (fixtures cumprod_complex,
    euclidean_norm_complex, det_complex pin TF's values); cumprod's gives the holomorphic derivative."""
    z = tf.constant([1.0 + 2.0j, 3.0 - 1.0j])
    with tf.GradientTape() as g:
        g.watch(z)
        y = tf.math.cumprod(z)
    np.testing.assert_allclose(g.gradient(y, z).numpy(), [1 + (3 - 1j), 1 + 2j])


# ---- non-differentiable ops --------------------------------------------------------------------------

@pytest.mark.parametrize("fn", [
    lambda x: tf.cast(tf.argmax(x, axis=1), tf.float64), lambda x: tf.cast(tf.argmin(x), tf.float64),
    lambda x: tf.cast(tf.math.is_nan(x), tf.float64), lambda x: tf.cast(tf.math.is_finite(x), tf.float64),
    lambda x: tf.cast(tf.math.is_inf(x), tf.float64), lambda x: tf.cast(tf.math.count_nonzero(x), tf.float64),
    lambda x: tf.cast(tf.reduce_all(x > 0), tf.float64), lambda x: tf.cast(tf.reduce_any(x > 0), tf.float64),
], ids=["argmax", "argmin", "is_nan", "is_finite", "is_inf", "count_nonzero", "reduce_all", "reduce_any"])
def test_non_differentiable_gives_none(fn):
    x = tf.constant([[1.0, -2.0], [3.0, 0.0]], dtype=tf.float64)
    with tf.GradientTape() as g:
        g.watch(x)
        y = fn(x)
    assert g.gradient(y, x) is None


# ---- second order ------------------------------------------------------------------------------------

def _gradient(f, x):
    t = tf.constant(x)
    with tf.GradientTape() as g:
        g.watch(t)
        y = f(t)
    return g.gradient(y, t).numpy()


def _numeric_hessian(f, x, eps=1e-5):
    h = np.zeros(x.shape + x.shape)
    for i in np.ndindex(x.shape):
        xp, xm = x.copy(), x.copy()
        xp[i] += eps
        xm[i] -= eps
        h[(Ellipsis,) + i] = (_gradient(f, xp) - _gradient(f, xm)) / (2 * eps)
    return h


def _nested_hessian(f, x):
    t = tf.constant(x)
    with tf.GradientTape() as outer:
        outer.watch(t)
        with tf.GradientTape() as inner:
            inner.watch(t)
            y = f(t)
        g = inner.gradient(y, t)
    return outer.jacobian(g, t).numpy()


def _jacobian_hessian(f, x):
    """Both levels through tape.jacobian."""
    t = tf.constant(x)
    with tf.GradientTape(persistent=True) as outer:
        outer.watch(t)
        with tf.GradientTape() as inner:
            inner.watch(t)
            y = f(t)
        g = inner.jacobian(y, t)
    return outer.jacobian(g, t).numpy()


_W = np.array([[0.5, -1.0], [2.0, 1.0], [0.3, 0.7]])
SECOND_ORDER = [
    ("matmul_reduce_sum", lambda x: tf.reduce_sum(tf.matmul(x, tf.matmul(x, tf.constant(_W), transpose_a=True)) ** 2),
     (3, 2)),
    ("batch_matmul_broadcast", lambda x: tf.reduce_sum(tf.matmul(tf.constant(np.ones((2, 1, 1))) * x, x,
                                                                 adjoint_b=True) ** 2), (2, 3)),
    ("reduce_mean_max", lambda x: tf.reduce_mean(x ** 3) + tf.reduce_sum(tf.reduce_max(x, axis=1) ** 2), (2, 3)),
    ("reduce_prod", lambda x: tf.reduce_sum(tf.reduce_prod(x, axis=1) * tf.constant([1.0, 2.0], tf.float64)),
     (2, 3)),
    ("logsumexp", lambda x: tf.reduce_logsumexp(x), (2, 3)),
    ("euclidean_norm", lambda x: tf.math.reduce_euclidean_norm(x), (2, 3)),
    ("cumsum_cumprod", lambda x: tf.reduce_sum(tf.math.cumsum(x, 1) ** 2) + tf.reduce_sum(tf.math.cumprod(x, 1)), (2, 3)),
    ("einsum_diag", lambda x: tf.einsum("ii,ij,jk->", x, x, x), (3, 3)),
    ("inv_det", lambda x: tf.reduce_sum(tf.linalg.inv(x + 3 * tf.eye(3, dtype=tf.float64))) + tf.linalg.det(x), (3, 3)),
    ("solve_cholesky", lambda x: tf.reduce_sum(tf.linalg.solve(x + 3 * tf.eye(3, dtype=tf.float64), tf.ones(
        [3, 1], tf.float64))) + tf.reduce_sum(tf.linalg.cholesky(tf.matmul(x, x, transpose_b=True) + tf.eye(
            3, dtype=tf.float64))), (3, 3)),
    ("svd_qr", lambda x: tf.reduce_sum(tf.linalg.svd(x, compute_uv=False)) + tf.reduce_sum(tf.linalg.qr(x)[1]), (3, 3)),
    ("diag_band_add_n", lambda x: tf.reduce_sum(tf.linalg.diag_part(x, k=1) ** 2) + tf.reduce_sum(tf.add_n([
        tf.linalg.band_part(x, 0, 1) ** 3, x * x])), (3, 3)),
]


@pytest.mark.parametrize("name,f,shape", SECOND_ORDER, ids=[s[0] for s in SECOND_ORDER])
def test_hessian_nested_tapes(name, f, shape):
    x = np.random.default_rng(7).normal(size=shape)
    np.testing.assert_allclose(_nested_hessian(f, x), _numeric_hessian(f, x), rtol=1e-5, atol=1e-6)


def test_hessian_via_jacobian_of_jacobian():
    f = SECOND_ORDER[0][1]
    x = np.random.default_rng(8).normal(size=(3, 2))
    np.testing.assert_allclose(_jacobian_hessian(f, x), _numeric_hessian(f, x), rtol=1e-5, atol=1e-6)
