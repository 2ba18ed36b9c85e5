"""Property tests: indexing ops agree with their numpy equivalents on random inputs."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tensorweave as tf

DTYPES = st.sampled_from([np.int32, np.int64, np.float32, np.float64])
SETTINGS = settings(max_examples=60, deadline=None)


def arrays(min_dims=1, max_dims=3, min_side=1, max_side=5, dtype=DTYPES, elements=None):
    shapes = hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side)
    return dtype.flatmap(lambda d: hnp.arrays(d, shapes, elements=_elements(d) if elements is None else elements))


def _elements(dtype):
    if np.issubdtype(dtype, np.integer):
        return st.integers(-50, 50)
    return st.floats(-100, 100, width=32)


@st.composite
def gather_args(draw):
    x = draw(arrays())
    axis = draw(st.integers(-x.ndim, x.ndim - 1))
    n = x.shape[axis]
    idx = draw(hnp.arrays(np.int32, hnp.array_shapes(min_dims=0, max_dims=2, min_side=0, max_side=4),
                          elements=st.integers(0, n - 1)))
    return x, idx, axis


@SETTINGS
@given(gather_args())
def test_gather_matches_numpy_take(args):
    x, idx, axis = args
    out = tf.gather(x, idx, axis=axis)
    np.testing.assert_array_equal(out.numpy(), np.take(x, idx, axis=axis))
    assert out.dtype == tf.as_dtype(x.dtype)


@SETTINGS
@given(gather_args(), st.data())
def test_gather_rejects_out_of_range(args, data):
    x, idx, axis = args
    n = x.shape[axis]
    bad = data.draw(st.one_of(st.integers(-10, -1), st.integers(n, n + 10)))
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.gather(x, np.append(idx.reshape(-1), bad).astype(np.int32), axis=axis)


@st.composite
def gather_nd_args(draw):
    x = draw(arrays())
    m = draw(st.integers(1, x.ndim))
    k = draw(st.integers(0, 4))
    idx = np.stack([draw(hnp.arrays(np.int64, (k,), elements=st.integers(0, x.shape[j] - 1)))
                    for j in range(m)], axis=-1).reshape(k, m)
    return x, idx


@SETTINGS
@given(gather_nd_args())
def test_gather_nd_matches_numpy(args):
    x, idx = args
    expected = x[tuple(idx.T)] if idx.shape[0] else np.zeros((0,) + x.shape[idx.shape[1]:], x.dtype)
    np.testing.assert_array_equal(tf.gather_nd(x, idx).numpy(), expected)


@SETTINGS
@given(arrays(elements=st.integers(-2, 2), dtype=st.just(np.int32)))
def test_where_coordinates_match_argwhere(x):
    out = tf.where(x)
    assert out.dtype == tf.int64
    np.testing.assert_array_equal(out.numpy(), np.argwhere(x))


@SETTINGS
@given(st.data())
def test_where_select_matches_numpy(data):
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=3, max_side=4))
    cond = data.draw(hnp.arrays(np.bool_, shape))
    x = data.draw(hnp.arrays(np.float32, shape, elements=st.floats(-5, 5, width=32)))
    y = data.draw(hnp.arrays(np.float32, shape[-1:] if shape else (), elements=st.floats(-5, 5, width=32)))
    np.testing.assert_array_equal(tf.where(cond, x, y).numpy(), np.where(cond, x, y))


@SETTINGS
@given(arrays(), st.data(), st.booleans())
def test_sort_and_argsort_match_stable_numpy(x, data, descending):
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    direction = "DESCENDING" if descending else "ASCENDING"
    if descending:  # stable descending order: ties keep their original order
        flipped = np.flip(x, axis)
        order = x.shape[axis] - 1 - np.flip(np.argsort(flipped, axis=axis, kind="stable"), axis)
    else:
        order = np.argsort(x, axis=axis, kind="stable")
    np.testing.assert_array_equal(tf.argsort(x, axis=axis, direction=direction).numpy(), order)
    np.testing.assert_array_equal(tf.sort(x, axis=axis, direction=direction).numpy(),
                                  np.take_along_axis(x, order, axis))


@SETTINGS
@given(arrays(min_side=0), st.data())
def test_roll_matches_numpy(x, data):
    axis = data.draw(st.lists(st.integers(0, x.ndim - 1), min_size=1, max_size=3))
    shift = data.draw(st.lists(st.integers(-7, 7), min_size=len(axis), max_size=len(axis)))
    np.testing.assert_array_equal(tf.roll(x, shift, axis).numpy(), np.roll(x, shift, axis))


@SETTINGS
@given(arrays(min_side=0), st.data())
def test_repeat_matches_numpy(x, data):
    axis = data.draw(st.one_of(st.none(), st.integers(-x.ndim, x.ndim - 1)))
    n = x.size if axis is None else x.shape[axis]
    repeats = data.draw(st.one_of(st.integers(0, 3), st.lists(st.integers(0, 3), min_size=n, max_size=n)))
    if isinstance(repeats, list) and n == 1:
        repeats = repeats[0]
    np.testing.assert_array_equal(tf.repeat(x, repeats, axis=axis).numpy(), np.repeat(x, repeats, axis=axis))


@SETTINGS
@given(arrays(max_dims=1, elements=st.integers(-3, 3), dtype=st.just(np.int32)))
def test_unique_reconstructs_input_in_first_occurrence_order(x):
    y, idx = tf.unique(x)
    np.testing.assert_array_equal(y.numpy()[idx.numpy()], x)
    _, first = np.unique(x, return_index=True)
    np.testing.assert_array_equal(y.numpy(), x[np.sort(first)])
