"""Property tests: shape ops (reshape, transpose, concat, stack, split, tile, pad, reverse, slice,
strided_slice / `__getitem__` and the slice update) agree with their numpy equivalents."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tensorweave as tf

DTYPES = st.sampled_from([np.int32, np.int64, np.float32, np.float64, np.bool_, np.uint8, np.int16,
                          np.float16, np.complex64, np.uint16, np.uint32, np.uint64])
SETTINGS = settings(max_examples=80, deadline=None)


def _elements(dtype):
    if dtype == np.bool_:
        return st.booleans()
    if np.issubdtype(dtype, np.integer):
        return st.integers(0, 100)
    if np.issubdtype(dtype, np.complexfloating):
        return st.complex_numbers(max_magnitude=100, allow_nan=False, allow_infinity=False, width=64)
    return st.floats(-100, 100, width=16 if dtype == np.float16 else 32)


def arrays(min_dims=0, max_dims=4, min_side=0, max_side=4):
    shapes = hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side)
    return DTYPES.flatmap(lambda d: hnp.arrays(d, shapes, elements=_elements(d)))


def check(out, expected):
    expected = np.asarray(expected)
    assert out.dtype == tf.as_dtype(expected.dtype), (out.dtype, expected.dtype)
    assert tuple(out.shape) == expected.shape, (out.shape, expected.shape)
    np.testing.assert_array_equal(out.numpy(), expected)


@SETTINGS
@given(arrays(), st.data())
def test_reshape(x, data):
    dims = list(x.shape)
    data.draw(st.randoms()).shuffle(dims)
    if dims and x.size:
        k = data.draw(st.integers(0, len(dims) - 1))
        target = dims[:k] + [-1] + dims[k + 1:]
    else:
        target = dims
    check(tf.reshape(x, target), x.reshape(target))


@SETTINGS
@given(arrays(), st.data())
def test_transpose(x, data):
    perm = data.draw(st.permutations(list(range(x.ndim))))
    check(tf.transpose(x, perm), np.transpose(x, perm))
    check(tf.transpose(x), x.T)


@st.composite
def concat_args(draw):
    x = draw(arrays(min_dims=1))
    axis = draw(st.integers(-x.ndim, x.ndim - 1))
    pieces = [x]
    for _ in range(draw(st.integers(0, 3))):
        shape = list(x.shape)
        shape[axis] = draw(st.integers(0, 3))
        pieces.append(draw(hnp.arrays(x.dtype, shape, elements=_elements(x.dtype.type))))
    return pieces, axis


@SETTINGS
@given(concat_args())
def test_concat(args):
    pieces, axis = args
    check(tf.concat(pieces, axis), np.concatenate(pieces, axis))


@SETTINGS
@given(arrays(), st.integers(1, 4), st.data())
def test_stack_unstack(x, n, data):
    axis = data.draw(st.integers(-x.ndim - 1, x.ndim))
    pieces = [x] * n
    check(tf.stack([tf.constant(p) for p in pieces], axis), np.stack(pieces, axis))
    if x.ndim:
        ax = data.draw(st.integers(-x.ndim, x.ndim - 1))
        outs = tf.unstack(x, axis=ax)
        assert len(outs) == x.shape[ax]
        for i, o in enumerate(outs):
            check(o, np.take(x, i, axis=ax))


@SETTINGS
@given(arrays(min_dims=1), st.data())
def test_split(x, data):
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    n = x.shape[axis]
    divisors = [d for d in range(1, n + 1) if n % d == 0] or [1]
    k = data.draw(st.sampled_from(divisors))
    if n:
        for o, e in zip(tf.split(x, k, axis=axis), np.split(x, k, axis=axis)):
            check(o, e)
    cuts = sorted(data.draw(st.lists(st.integers(0, n), max_size=3)))
    sizes = list(np.diff([0] + cuts + [n]))
    if data.draw(st.booleans()):
        sizes[data.draw(st.integers(0, len(sizes) - 1))] = -1
    outs = tf.split(x, sizes, axis=axis)
    for o, e in zip(outs, np.split(x, cuts, axis=axis)):
        check(o, e)


@SETTINGS
@given(arrays(max_dims=3, max_side=3), st.data())
def test_tile(x, data):
    reps = data.draw(st.lists(st.integers(0, 3), min_size=x.ndim, max_size=x.ndim))
    check(tf.tile(x, reps), np.tile(x, reps) if reps else x)


@SETTINGS
@given(arrays(max_dims=3, min_side=1), st.data())
def test_pad(x, data):
    mode = data.draw(st.sampled_from(["CONSTANT", "REFLECT", "SYMMETRIC"]))
    limit = {"CONSTANT": lambda n: 3, "REFLECT": lambda n: n - 1, "SYMMETRIC": lambda n: n}[mode]
    pads = [[data.draw(st.integers(0, limit(n))), data.draw(st.integers(0, limit(n)))] for n in x.shape]
    np_mode = {"CONSTANT": "constant", "REFLECT": "reflect", "SYMMETRIC": "symmetric"}[mode]
    check(tf.pad(x, pads, mode) if x.ndim else tf.pad(x, np.zeros([0, 2], np.int32), mode),
          np.pad(x, pads, mode=np_mode) if x.ndim else x)


@SETTINGS
@given(arrays(min_dims=1), st.data())
def test_reverse_and_slice(x, data):
    axes = data.draw(st.lists(st.integers(0, x.ndim - 1), unique=True))
    check(tf.reverse(x, axes), np.flip(x, axes) if axes else x)
    begin = [data.draw(st.integers(0, n)) for n in x.shape]
    size = [data.draw(st.integers(-1, n - b)) for n, b in zip(x.shape, begin)]
    key = tuple(slice(b, None if s == -1 else b + s) for b, s in zip(begin, size))
    check(tf.slice(x, begin, size), x[key])


def _index_entry(n):
    """A random index for a dim of size n: an int in range, or a slice with any bounds and step."""
    bound = st.one_of(st.none(), st.integers(-n - 2, n + 2))
    step = st.one_of(st.none(), st.integers(-3, 3).filter(lambda s: s != 0))
    ints = [st.integers(-n, n - 1)] if n else []
    return st.one_of(st.builds(slice, bound, bound, step), *ints)


@st.composite
def getitem_args(draw):
    x = draw(arrays(min_dims=1))
    head = draw(st.integers(0, x.ndim))
    key = [draw(_index_entry(n)) for n in x.shape[:head]]
    if draw(st.booleans()):
        # an ellipsis stands for the dims between the head and tail entries
        tail = draw(st.integers(0, x.ndim - head))
        key += [Ellipsis] + [draw(_index_entry(n)) for n in x.shape[x.ndim - tail:]]
    for _ in range(draw(st.integers(0, 2))):
        key.insert(draw(st.integers(0, len(key))), None)
    return x, tuple(key)


@SETTINGS
@given(getitem_args())
def test_getitem(args):
    x, key = args
    check(tf.constant(x)[key], x[key])


@SETTINGS
@given(getitem_args(), st.data())
def test_slice_update(args, data):
    x, key = args
    target = x[key]
    value = data.draw(hnp.arrays(x.dtype, target.shape, elements=_elements(x.dtype.type)))
    if data.draw(st.booleans()) and target.ndim:
        value = value[..., :1]  # broadcast along the last dim
    expected = x.copy()
    expected[key] = value
    from tensorweave._src.core import operators
    check(operators.IMPLS["slice_update"](tf.constant(x), key, tf.constant(value)), expected)
