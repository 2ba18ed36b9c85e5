"""Gradients of the indexing ops: oracle fixtures (family "indexing_grad": IndexedSlices type and
components, duplicates, ties, NaN in where's other branch, ...) and numerical checks of every rule."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tensorweave as tf
from tests.gradcheck import check_gradients
from tests.harness import check_fixture, fixture_params


@pytest.mark.parametrize("case", fixture_params("indexing_grad"))
def test_indexing_grad_fixture(case):
    check_fixture("indexing_grad", case)


# ---- numerical checks (float64 central differences) -------------------------------------------------

def _rand(rng, *shape, low=-2.0, high=2.0):
    return rng.uniform(low, high, size=shape)


def _distinct(rng, *shape):
    """Values at least 0.1 apart (no ties: max/min/sort are differentiable there)."""
    n = int(np.prod(shape))
    return (rng.permutation(n) * 0.25 + rng.uniform(-0.05, 0.05, n) - n / 8).reshape(shape)


@settings(max_examples=8, deadline=None)
@given(shape=st.lists(st.integers(1, 3), min_size=1, max_size=3).map(tuple), data=st.data())
def test_gather_gradient(shape, data):
    rank = len(shape)
    batch_dims = data.draw(st.integers(0, rank - 1))
    axis = data.draw(st.integers(batch_dims, rank - 1))
    if data.draw(st.booleans()):
        axis -= rank  # a negative axis: TF's gradient is dense
    inner = data.draw(st.lists(st.integers(0, 3), min_size=0, max_size=2))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**16)))
    n = shape[axis]
    idx = rng.integers(0, n, size=tuple(shape[:batch_dims]) + tuple(inner)).astype(np.int32)
    check_gradients(lambda p: tf.gather(p, idx, axis=axis, batch_dims=batch_dims), [_rand(rng, *shape)])


def test_gather_gradient_is_indexed_slices_for_axis0():
    x = tf.constant(np.arange(6.0).reshape(3, 2))
    with tf.GradientTape() as g:
        g.watch(x)
        y = tf.gather(x, [[2, 2], [0, 1]])
    d = g.gradient(y, x)
    assert isinstance(d, tf.IndexedSlices)
    assert d.indices.shape == (4,) and d.values.shape == (4, 2) and d.dense_shape.dtype == tf.int32
    np.testing.assert_array_equal(tf.convert_to_tensor(d), [[1, 1], [1, 1], [2, 2]])


def test_gather_variable_gradient():
    v = tf.Variable(np.arange(6.0).reshape(3, 2))
    with tf.GradientTape() as g:
        y = tf.reduce_sum(tf.gather(v, [2, 0, 2]) * 2.0)
    d = g.gradient(y, v)
    assert isinstance(d, tf.IndexedSlices)
    np.testing.assert_array_equal(tf.convert_to_tensor(d), [[2, 2], [0, 0], [4, 4]])


@pytest.mark.parametrize("indices,batch_dims", [
    ([[2], [0], [2]], 0), ([[2, 1], [0, 0], [2, 1]], 0), ([[[1]], [[0]]], 0), ([[1], [0]], 1),
    ([[[1], [1]], [[0], [2]]], 1)])
def test_gather_nd_gradient(indices, batch_dims):
    rng = np.random.default_rng(1)
    shape = (3, 3, 2) if batch_dims == 0 else (2, 3, 2)
    check_gradients(lambda p: tf.gather_nd(p, indices, batch_dims=batch_dims), [_rand(rng, *shape)])


@settings(max_examples=8, deadline=None)
@given(shape=st.lists(st.integers(1, 3), min_size=0, max_size=3).map(tuple),
       broadcast=st.sampled_from(["same", "x_scalar", "y_row", "cond_row"]), seed=st.integers(0, 2**16))
def test_where_gradient(shape, broadcast, seed):
    rng = np.random.default_rng(seed)
    xs, ys, cs = shape, shape, shape
    if broadcast == "x_scalar":
        xs = ()
    elif broadcast == "y_row":
        ys = shape[-1:]
    elif broadcast == "cond_row":
        cs = shape[-1:]
    cond = rng.random(cs) > 0.5
    check_gradients(lambda x, y: tf.where(cond, x, y), [_rand(rng, *xs), _rand(rng, *ys)])


@pytest.mark.parametrize("shape,mask_shape,axis", [((4,), (4,), 0), ((3, 2), (3,), 0), ((3, 2), (3, 2), 0),
                                                   ((2, 3, 2), (3,), 1), ((2, 3, 2), (3, 2), 1)])
def test_boolean_mask_gradient(shape, mask_shape, axis):
    rng = np.random.default_rng(2)
    mask = rng.random(mask_shape) > 0.4
    check_gradients(lambda x: tf.boolean_mask(x, mask, axis=axis), [_rand(rng, *shape)])


def test_scatter_gradients():
    rng = np.random.default_rng(3)
    idx = [[1], [1], [3]]
    check_gradients(lambda u: tf.scatter_nd(idx, u, [4, 2]), [_rand(rng, 3, 2)])
    for fn in (tf.tensor_scatter_nd_update, tf.tensor_scatter_nd_add, tf.tensor_scatter_nd_sub):
        check_gradients(lambda t, u: fn(t, [[1], [3]], u), [_rand(rng, 4, 2), _rand(rng, 2, 2)])
    for fn in (tf.tensor_scatter_nd_max, tf.tensor_scatter_nd_min):
        vals = _distinct(rng, 14)
        check_gradients(lambda t, u: fn(t, [[1], [3], [1]], u), [vals[:8].reshape(4, 2), vals[8:].reshape(3, 2)])


@pytest.mark.parametrize("axis,direction", [(-1, "ASCENDING"), (0, "DESCENDING"), (1, "ASCENDING")])
def test_sort_gradient(axis, direction):
    rng = np.random.default_rng(4)
    check_gradients(lambda x: tf.sort(x, axis=axis, direction=direction), [_distinct(rng, 3, 4, 2)])


def test_top_k_gradient():
    rng = np.random.default_rng(5)
    check_gradients(lambda x: tf.math.top_k(x, 2).values, [_distinct(rng, 2, 3, 4)])
    check_gradients(lambda x: tf.math.top_k(x, 1).values, [_distinct(rng, 5)])


def test_roll_and_repeat_gradients():
    rng = np.random.default_rng(6)
    x = _rand(rng, 3, 4)
    check_gradients(lambda x: tf.roll(x, [1, -2, 1], [0, 1, 0]), [x])
    check_gradients(lambda x: tf.repeat(x, [2, 0, 1], axis=0), [x])
    check_gradients(lambda x: tf.repeat(x, 3, axis=-1), [x])
    check_gradients(lambda x: tf.repeat(x, 2), [x])
    check_gradients(lambda x: tf.repeat(x, [1, 2, 0, 1], axis=1), [x])


@pytest.mark.parametrize("kind", ["sum", "mean", "max", "min", "prod"])
def test_segment_gradient(kind):
    rng = np.random.default_rng(7)
    fn = getattr(tf.math, f"segment_{kind}")
    ids = [0, 0, 1, 3, 3, 3]
    x = _distinct(rng, 6, 2) if kind in ("max", "min") else _rand(rng, 6, 2, low=0.5, high=2.0)
    check_gradients(lambda x: fn(x, ids), [x])


@pytest.mark.parametrize("kind", ["sum", "mean", "max", "min", "prod", "sqrt_n"])
def test_unsorted_segment_gradient(kind):
    rng = np.random.default_rng(8)
    fn = getattr(tf.math, f"unsorted_segment_{kind}")
    ids = np.array([[2, -1, 0], [1, 2, 0]], np.int32)
    x = _distinct(rng, 2, 3, 2) if kind in ("max", "min") else _rand(rng, 2, 3, 2, low=0.5, high=2.0)
    check_gradients(lambda x: fn(x, ids, 3), [x])


def test_segment_prod_gradient_with_zeros():
    rng = np.random.default_rng(9)
    x = np.array([2.0, 0.0, 3.0, 1.5, 0.5])  # one zero in segment 0: d/dx1 = product of the others
    check_gradients(lambda x: tf.math.segment_prod(x, [0, 0, 0, 1, 1]), [x])
    check_gradients(lambda x: tf.math.unsorted_segment_prod(x, [0, 0, -1, 1, 0], 2), [x])
    del rng


@pytest.mark.parametrize("name,fn", [
    ("gather", lambda x: tf.gather(x, [2, 0, 2]) ** 3),
    ("gather_axis1", lambda x: tf.gather(x, [1, 1], axis=1) ** 3),
    ("gather_nd", lambda x: tf.gather_nd(x, [[2, 1], [0, 0]]) ** 3),
    ("segment_sum", lambda x: tf.math.segment_sum(x, [0, 0, 1]) ** 3),
    ("unsorted_segment_max", lambda x: tf.math.unsorted_segment_max(x ** 3, [1, 0, 1], 2)),
    ("where", lambda x: tf.where([[True, False]], x ** 3, x ** 2)),
    ("sort", lambda x: tf.sort(x ** 3, axis=0)),
    ("boolean_mask", lambda x: tf.boolean_mask(x, [True, False, True]) ** 3),
])
def test_second_order(name, fn):
    """The rules are built from tensorweave ops: their own gradient (here, of the first gradient) is right."""
    def first_gradient(x):
        with tf.GradientTape() as g:
            g.watch(x)
            y = tf.reduce_sum(fn(x))
        return tf.convert_to_tensor(g.gradient(y, x))
    check_gradients(first_gradient, [np.array([[1.0, -2.0], [0.5, 1.5], [-1.2, 0.7]])])


@pytest.mark.parametrize("fn", [
    lambda x: tf.cast(tf.argsort(x), tf.float64), lambda x: tf.cast(tf.searchsorted(tf.sort(x), x), tf.float64),
    lambda x: tf.cast(tf.sequence_mask(x, 3), tf.float64)])
def test_not_differentiable(fn):
    x = tf.constant([1.0, 2.5, 0.5])
    with tf.GradientTape() as g:
        g.watch(x)
        y = fn(x)
    assert g.gradient(y, x) is None


@pytest.mark.parametrize("fn,op", [(lambda x: tf.unique(x).y, "Unique"),
                                   (lambda x: tf.math.bincount([0, 1, 1], weights=x), "DenseBincount")])
def test_no_gradient_registered(fn, op):
    x = tf.constant([1.0, 2.5, 1.0])
    with tf.GradientTape() as g:
        g.watch(x)
        y = tf.reduce_sum(fn(x))
    with pytest.raises(LookupError, match=f"no entry for: {op}"):
        g.gradient(y, x)
