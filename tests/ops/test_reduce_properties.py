"""Property tests: the reduction family agrees with numpy on random shapes, dtypes, axes and keepdims
(TF semantics where numpy differs: integer means truncate toward zero in the input dtype, sums wrap)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tensorweave as tf

_DTYPES = {"float32": (1e-4, 1e-5), "float64": (1e-10, 1e-12), "int32": None, "int64": None}


@st.composite
def reduction_inputs(draw, dtypes=tuple(_DTYPES), min_side=0):
    dtype = draw(st.sampled_from(dtypes))
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=4, min_side=min_side, max_side=4))
    if dtype.startswith("float"):
        elements = st.floats(-100, 100, width=32 if dtype == "float32" else 64)
    else:
        elements = st.integers(-1000, 1000)
    x = draw(hnp.arrays(np.dtype(dtype), shape, elements=elements))
    rank = len(shape)
    kind = draw(st.sampled_from(["none", "int", "list"])) if rank else "none"
    if kind == "none":
        axis = None
    elif kind == "int":
        axis = draw(st.integers(-rank, rank - 1))
    else:
        axis = draw(st.lists(st.integers(0, rank - 1), unique=True, max_size=rank))
        axis = [a - rank if draw(st.booleans()) else a for a in axis]
    keepdims = draw(st.booleans())
    return x, axis, keepdims


def _np_axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def _check(actual, expected, dtype):
    actual_np = actual.numpy()
    assert actual.dtype.name == dtype
    assert np.shape(actual_np) == np.shape(expected)
    tol = _DTYPES.get(dtype)
    if tol is None:
        np.testing.assert_array_equal(actual_np, expected)
    else:
        np.testing.assert_allclose(actual_np, expected, rtol=tol[0], atol=tol[1])


@settings(max_examples=150, deadline=None)
@given(reduction_inputs())
def test_reduce_sum(args):
    x, axis, keepdims = args
    expected = np.sum(x, axis=_np_axis(axis), keepdims=keepdims, dtype=x.dtype)
    _check(tf.reduce_sum(x, axis=axis, keepdims=keepdims), expected, x.dtype.name)


@settings(max_examples=150, deadline=None)
@given(reduction_inputs())
def test_reduce_prod(args):
    x, axis, keepdims = args
    x = np.clip(x, -3, 3)  # keep float products in range
    expected = np.prod(x, axis=_np_axis(axis), keepdims=keepdims, dtype=x.dtype)
    _check(tf.reduce_prod(x, axis=axis, keepdims=keepdims), expected, x.dtype.name)


@settings(max_examples=150, deadline=None)
@given(reduction_inputs(min_side=1))
def test_reduce_mean(args):
    x, axis, keepdims = args
    if x.dtype.kind == "f":
        expected = np.mean(x, axis=_np_axis(axis), keepdims=keepdims, dtype=np.float64).astype(x.dtype)
    else:  # integer mean: wide sum, then division truncating toward zero
        s = np.sum(x, axis=_np_axis(axis), keepdims=keepdims, dtype=np.int64)
        n = x.size // max(s.size, 1) if x.size else 1
        expected = (np.sign(s) * (np.abs(s) // n)).astype(x.dtype)
    _check(tf.reduce_mean(x, axis=axis, keepdims=keepdims), expected, x.dtype.name)


@settings(max_examples=150, deadline=None)
@given(reduction_inputs(min_side=1))
def test_reduce_max_min(args):
    x, axis, keepdims = args
    _check(tf.reduce_max(x, axis=axis, keepdims=keepdims), np.max(x, axis=_np_axis(axis), keepdims=keepdims)
           if x.size else x, x.dtype.name)
    _check(tf.reduce_min(x, axis=axis, keepdims=keepdims), np.min(x, axis=_np_axis(axis), keepdims=keepdims)
           if x.size else x, x.dtype.name)


@settings(max_examples=100, deadline=None)
@given(reduction_inputs(dtypes=("float32", "float64"), min_side=1))
def test_reduce_variance_std_logsumexp(args):
    x, axis, keepdims = args
    ax = _np_axis(axis)
    var = np.var(x.astype(np.float64), axis=ax, keepdims=keepdims)
    np.testing.assert_allclose(tf.math.reduce_variance(x, axis=axis, keepdims=keepdims).numpy(), var,
                               rtol=1e-3, atol=1e-3)
    np.testing.assert_allclose(tf.math.reduce_std(x, axis=axis, keepdims=keepdims).numpy(), np.sqrt(var),
                               rtol=1e-3, atol=1e-3)
    x64 = x.astype(np.float64)
    m = np.max(x64, axis=ax, keepdims=True)
    lse = np.log(np.sum(np.exp(x64 - m), axis=ax, keepdims=True)) + m
    if not keepdims:
        lse = np.squeeze(lse, axis=ax if ax is not None else None) if np.ndim(lse) else lse
    np.testing.assert_allclose(tf.reduce_logsumexp(x, axis=axis, keepdims=keepdims).numpy(), lse,
                               rtol=1e-4, atol=1e-4)


@settings(max_examples=100, deadline=None)
@given(reduction_inputs())
def test_reduce_all_any_count_nonzero(args):
    x, axis, keepdims = args
    b = x > 0
    ax = _np_axis(axis)
    _check(tf.reduce_all(b, axis=axis, keepdims=keepdims), np.all(b, axis=ax, keepdims=keepdims), "bool")
    _check(tf.reduce_any(b, axis=axis, keepdims=keepdims), np.any(b, axis=ax, keepdims=keepdims), "bool")
    _check(tf.math.count_nonzero(x, axis=axis, keepdims=keepdims),
           np.count_nonzero(x, axis=ax, keepdims=keepdims).astype(np.int64), "int64")


@settings(max_examples=100, deadline=None)
@given(reduction_inputs(min_side=1), st.booleans(), st.booleans())
def test_cumsum_argmax(args, exclusive, reverse):
    x, axis, _ = args
    if x.ndim == 0:
        return
    a = axis if isinstance(axis, int) else 0
    y = np.flip(x, a) if reverse else x
    c = np.cumsum(y, axis=a, dtype=x.dtype)
    if exclusive:
        c = c - y
    expected = np.flip(c, a) if reverse else c
    _check(tf.cumsum(x, axis=a, exclusive=exclusive, reverse=reverse), expected, x.dtype.name)
    _check(tf.argmax(x, axis=a), np.argmax(x, axis=a).astype(np.int64), "int64")
    _check(tf.argmin(x, axis=a), np.argmin(x, axis=a).astype(np.int64), "int64")
