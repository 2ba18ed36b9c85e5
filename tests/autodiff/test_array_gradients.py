"""Gradient rules of the array ops (ops/array/): central differences in float64 on small random
shapes, non-differentiable ops on a backprop path, and second order through the linear rules."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tensorweave as tf
from tests.gradcheck import check_gradients


def _rand(*shape, seed=0):
    return np.random.default_rng(seed).uniform(-2.0, 2.0, size=shape)


# name, function of the inputs, input shapes
CASES = [
    ("reshape", lambda x: tf.reshape(x, [3, -1]), [(2, 3)]),
    ("reshape_scalar", lambda x: tf.reshape(x, [1, 1]), [()]),
    ("transpose", lambda x: tf.transpose(x, [2, 0, 1]), [(2, 3, 2)]),
    ("transpose_negative_perm", lambda x: tf.transpose(x, [-1, 0]), [(2, 3)]),
    ("transpose_default", tf.transpose, [(2, 3)]),
    ("expand_dims", lambda x: tf.expand_dims(x, -1), [(2, 3)]),
    ("squeeze", lambda x: tf.squeeze(x), [(1, 3, 1)]),
    ("squeeze_axis", lambda x: tf.squeeze(x, axis=[2]), [(1, 3, 1)]),
    ("tile", lambda x: tf.tile(x, [2, 1, 3]), [(2, 1, 2)]),
    ("tile_scalar", lambda x: tf.tile(x, []), [()]),
    ("tile_zero", lambda x: tf.tile(x, [0, 2]) + 1.0, [(2, 2)]),
    ("broadcast_to", lambda x: tf.broadcast_to(x, [2, 3, 3]), [(3, 1)]),
    ("concat", lambda x, y, z: tf.concat([x, y, z], axis=1), [(2, 1), (2, 3), (2, 0)]),
    ("concat_negative_axis", lambda x, y: tf.concat([x, y], axis=-2), [(1, 2), (3, 2)]),
    ("stack", lambda x, y: tf.stack([x, y], axis=1), [(2, 3), (2, 3)]),
    ("stack_last", lambda x, y, z: tf.stack([x, y, z], axis=-1), [(2,), (2,), (2,)]),
    ("unstack", lambda x: tf.unstack(x, axis=1), [(2, 3)]),
    ("unstack_unused", lambda x: tf.unstack(x)[1] * 2.0, [(3, 2)]),
    ("unstack_negative_axis", lambda x: tf.unstack(x, axis=-1)[0], [(2, 3)]),
    ("split", lambda x: tf.split(x, 3, axis=1), [(2, 6)]),
    ("split_unused", lambda x: tf.split(x, 2)[0], [(4, 2)]),
    ("split_sizes", lambda x: tf.split(x, [1, -1, 2], axis=-1), [(2, 5)]),
    ("split_sizes_unused", lambda x: tf.split(x, [3, 0, 2])[2], [(5,)]),
    ("pad", lambda x: tf.pad(x, [[1, 0], [2, 3]]), [(2, 3)]),
    ("pad_value", lambda x: tf.pad(x, [[1, 1]], constant_values=2.5), [(3,)]),
    ("pad_reflect", lambda x: tf.pad(x, [[2, 1], [1, 2]], mode="REFLECT"), [(3, 4)]),
    ("pad_symmetric", lambda x: tf.pad(x, [[3, 1], [0, 2]], mode="SYMMETRIC"), [(3, 2)]),
    ("pad_reflect_3d", lambda x: tf.pad(x, [[0, 0], [1, 1], [2, 0]], mode="reflect"), [(2, 2, 3)]),
    ("reverse", lambda x: tf.reverse(x, [0, -1]), [(2, 3)]),
    ("slice", lambda x: tf.slice(x, [1, 0], [2, -1]), [(3, 4)]),
    ("slice_empty", lambda x: tf.slice(x, [1, 1], [0, 2]) + 1.0, [(3, 4)]),
    ("getitem_basic", lambda x: x[1:, ::-1], [(3, 4)]),
    ("getitem_index", lambda x: x[..., 0], [(2, 3, 2)]),
    ("getitem_newaxis", lambda x: x[None, 1], [(3, 2)]),
    ("getitem_negative_stride", lambda x: x[-1:0:-2, 1::2], [(5, 4)]),
    ("getitem_mixed", lambda x: x[1, None, ..., -2:], [(3, 2, 4)]),
    ("strided_slice_masks", lambda x: tf.strided_slice(x, [0, 3, 1], [0, 0, 2], [1, -1, 1], begin_mask=1,
                                                       end_mask=3, shrink_axis_mask=4), [(2, 4, 3)]),
    ("strided_slice_ellipsis", lambda x: tf.strided_slice(x, [0, 1], [0, 3], [1, 1], ellipsis_mask=1,
                                                          new_axis_mask=0), [(2, 4)]),
    ("identity", tf.identity, [(2, 2)]),
    ("ensure_shape", lambda x: tf.ensure_shape(x, [None, 2]), [(3, 2)]),
    ("fill", lambda v: tf.fill([2, 3], v), [()]),
    ("linspace", lambda a, b: tf.linspace(a, b, 5), [(), ()]),
    ("linspace_broadcast", lambda a, b: tf.linspace(a, b, 4, axis=-1), [(2,), (3, 1)]),
    ("linspace_axis0", lambda a, b: tf.linspace(a, b, 3, axis=0), [(2,), (2,)]),
    ("linspace_one", lambda a, b: tf.linspace(a, b, 1), [(), ()]),
    ("linspace_two", lambda a, b: tf.linspace(a, b, 2), [(), ()]),
    ("diag", lambda d: tf.linalg.diag(d), [(2, 3)]),
    ("diag_k", lambda d: tf.linalg.diag(d, k=1, num_rows=4), [(3,)]),
    ("diag_band", lambda d: tf.linalg.diag(d, k=(-1, 1)), [(3, 2)]),
    ("diag_band_left", lambda d: tf.linalg.diag(d, k=(-2, 1), align="LEFT_RIGHT"), [(2, 4, 3)]),
    ("meshgrid", lambda x, y: tf.meshgrid(x, y), [(2,), (3,)]),
    ("meshgrid_ij", lambda x, y, z: tf.meshgrid(x, y, z, indexing="ij"), [(2,), (1,), (3,)]),
    ("eye_times", lambda x: tf.eye(3, 2, dtype=tf.float64) * x, [(2,)]),
    ("zeros_like_times", lambda x: tf.zeros_like(x) + tf.ones_like(x) * x, [(2,)]),
    ("shape_on_path", lambda x: tf.cast(tf.shape(x)[0], tf.float64) * x
     + tf.cast(tf.size(x) + tf.rank(x), tf.float64), [(3,)]),
]


@pytest.mark.parametrize("name,fn,shapes", CASES, ids=[c[0] for c in CASES])
def test_array_gradient(name, fn, shapes):
    check_gradients(fn, [_rand(*s, seed=i) for i, s in enumerate(shapes)])


def _slice_update(x, key, value):
    from tensorweave._src.ops.array.strided_slice import slice_update
    return slice_update(x, key, value)


@pytest.mark.parametrize("key,value_shape", [
    ((slice(None), 1), (3,)),
    ((slice(None), 1), ()),          # broadcast scalar: its gradient is the sum
    ((slice(None, None, -2), slice(1, 3)), (1, 2)),
    ((Ellipsis, None, 0), (3, 1)),
    ((1,), (4,)),
])
def test_slice_update_gradients(key, value_shape):
    check_gradients(lambda x, v: _slice_update(x, key, v), [_rand(3, 4), _rand(*value_shape, seed=1)])


# ---- strided slices with random keys (hypothesis) -----------------------------------------------------

def _key_part(draw, n):
    if draw(st.booleans()):
        return draw(st.integers(-n, n - 1))
    bound = st.one_of(st.none(), st.integers(-n - 1, n + 1))
    step = draw(st.sampled_from([None, 1, 2, -1, -2, 3]))
    return slice(draw(bound), draw(bound), step)


@st.composite
def _keys(draw):
    """A shape and a key for it: ints and slices (any step) for its leading dims, plus newaxis and
    an ellipsis at random places."""
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=3)))
    k = draw(st.integers(1, len(shape)))
    if draw(st.booleans()):  # an ellipsis: the parts after it index the trailing dims
        at = draw(st.integers(0, k))
        dims = shape[:at] + shape[len(shape) - (k - at):]
        parts = [_key_part(draw, n) for n in dims]
        parts.insert(at, Ellipsis)
    else:
        parts = [_key_part(draw, n) for n in shape[:k]]
    for _ in range(draw(st.integers(0, 1))):
        parts.insert(draw(st.integers(0, len(parts))), None)
    return shape, tuple(parts)


@settings(max_examples=25, deadline=None)
@given(_keys(), st.integers(0, 2**16))
def test_getitem_gradient_property(shape_key, seed):
    shape, key = shape_key
    check_gradients(lambda x: x[key], [_rand(*shape, seed=seed)])


@settings(max_examples=10, deadline=None)
@given(_keys(), st.integers(0, 2**16))
def test_slice_update_gradient_property(shape_key, seed):
    shape, key = shape_key
    x = _rand(*shape, seed=seed)
    out_shape = np.asarray(tf.constant(x)[key]).shape
    check_gradients(lambda x, v: _slice_update(x, key, v), [x, _rand(*out_shape, seed=seed + 1)])


@settings(max_examples=10, deadline=None)
@given(shape=st.lists(st.integers(1, 3), min_size=1, max_size=3), data=st.data())
def test_tile_and_pad_property(shape, data):
    reps = data.draw(st.lists(st.integers(0, 3), min_size=len(shape), max_size=len(shape)))
    mode = data.draw(st.sampled_from(["CONSTANT", "REFLECT", "SYMMETRIC"]))
    pads = [[data.draw(st.integers(0, {"CONSTANT": 3, "REFLECT": n - 1, "SYMMETRIC": n}[mode]))
             for _ in range(2)] for n in shape]
    x = _rand(*shape)
    check_gradients(lambda x: tf.tile(x, reps), [x])
    check_gradients(lambda x: tf.pad(x, pads, mode=mode), [x])


# ---- non-differentiable ops on a path ---------------------------------------------------------------

def _grads(f, *xs):
    xs = [tf.constant(x) for x in xs]
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(xs)
        y = f(*xs)
    return tape.gradient(y, xs)


@pytest.mark.parametrize("fn", [
    tf.zeros_like, tf.ones_like, tf.stop_gradient,
    lambda x: tf.one_hot([0, 1], 2, on_value=x[0], off_value=x[1]),
    lambda x: tf.range(x[0], 5.0),
    lambda x: tf.cast(tf.shape_n([x, x])[0], tf.float32),
    lambda x: tf.broadcast_dynamic_shape(tf.shape(x), [1]),
], ids=["zeros_like", "ones_like", "stop_gradient", "one_hot", "range", "shape_n", "broadcast_args"])
def test_no_gradient(fn):
    assert _grads(fn, [1.0, 2.0]) == [None]


def test_stop_gradient_blocks_only_its_path():
    (g,) = _grads(lambda x: tf.stop_gradient(x) * x, [1.0, 2.0])
    np.testing.assert_allclose(g, [1.0, 2.0])


def test_fill_and_pad_value_gradients():
    gv, gc = _grads(lambda x, c: tf.pad(x, [[1, 1]], constant_values=c), [1.0, 2.0], 3.0)
    np.testing.assert_allclose(gv, [1.0, 1.0])
    assert gc is None
    (gf,) = _grads(lambda v: tf.fill([2, 3], v), 2.0)
    assert float(gf) == 6.0


# ---- second order -----------------------------------------------------------------------------------

def _gradient_of(f):
    """x -> d sum(f(x)) / dx, itself differentiated by check_gradients (second order)."""
    def g(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = tf.reduce_sum(f(x))
        return tape.gradient(y, x)
    return g


SECOND = [
    ("reshape", lambda x: tf.reshape(x, [-1]) ** 3),
    ("transpose", lambda x: tf.transpose(x) ** 3 * tf.range(3.0, dtype=tf.float64)),
    ("tile", lambda x: tf.tile(x, [2, 1]) ** 3),
    ("getitem", lambda x: x[1:, ::-1] ** 3),
    ("slice_update", lambda x: _slice_update(x, (0,), x[1] * x[0]) ** 2),
    ("pad_reflect", lambda x: tf.pad(x, [[1, 1], [1, 0]], mode="REFLECT") ** 3),
    ("concat_split", lambda x: tf.concat(tf.split(x ** 2, 2, axis=1)[::-1], 0) ** 2),
    ("stack_unstack", lambda x: tf.stack(tf.unstack(x ** 2)[::-1], axis=1) ** 2),
    ("slice", lambda x: tf.slice(x, [1, 0], [1, 2]) ** 3),
]


@pytest.mark.parametrize("name,fn", SECOND, ids=[c[0] for c in SECOND])
def test_second_order(name, fn):
    check_gradients(_gradient_of(fn), [_rand(3, 2)])


# ---- oracle fixtures --------------------------------------------------------------------------------

from tests.harness import check_fixture, fixture_params  # noqa: E402


@pytest.mark.parametrize("case", fixture_params("array_grad"))
def test_array_grad_fixture(case):
    check_fixture("array_grad", case)
