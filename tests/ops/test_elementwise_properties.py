"""Property tests: elementwise unary and binary ops agree with numpy under TF's semantics.

Random shapes (binary operands mutually broadcastable) and values in float32, float64 and int32.
TF semantics checked: no dtype promotion (results keep the input dtype), floormod like numpy's
`mod` (sign of the divisor), floordiv like `floor_divide`, int truediv -> float64, comparisons -> bool,
`*` on the Python operator as well as the tf.math function.
"""

from __future__ import annotations

import operator

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tensorweave as tf

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TOL = {"float32": dict(rtol=2e-5, atol=1e-6), "float64": dict(rtol=1e-12, atol=1e-12)}
NP_DTYPE = {"float32": np.float32, "float64": np.float64, "int32": np.int32}


def _elements(dtype: str, lo: float, hi: float, nonzero: bool = False, dyadic: bool = False):
    if dtype == "int32":
        s = st.integers(int(lo), int(hi))
    elif dyadic:  # multiples of 1/4: exact in both float widths, so floor/mod have no rounding ties
        s = st.integers(int(lo * 4), int(hi * 4)).map(lambda v: v / 4)
    else:
        s = st.floats(lo, hi, width=32 if dtype == "float32" else 64, allow_nan=False,
                      allow_infinity=False)
    return s.filter(lambda v: v != 0) if nonzero else s


def _array(dtype: str, shape, elements):
    return hnp.arrays(NP_DTYPE[dtype], shape, elements=elements)


def _check(result, expected: np.ndarray, dtype: str) -> None:
    got = result.numpy()
    assert result.dtype.name == str(expected.dtype), (result.dtype.name, expected.dtype)
    assert tuple(result.shape) == expected.shape
    if expected.dtype.kind == "f":
        np.testing.assert_allclose(got, expected, **TOL[str(expected.dtype)])
    else:
        np.testing.assert_array_equal(got, expected)


# ---- unary ------------------------------------------------------------------------------------
# name: (tf function, numpy reference, (lo, hi) input range, dtypes)
FLOATS = ("float32", "float64")
ALL = ("float32", "float64", "int32")


def _sigmoid(x):
    return (1 / (1 + np.exp(-x.astype(np.float64)))).astype(x.dtype)


UNARY = {
    "negative": (tf.math.negative, np.negative, (-1e4, 1e4), ALL),
    "neg_operator": (operator.neg, np.negative, (-1e4, 1e4), ALL),
    "abs": (tf.math.abs, np.abs, (-1e4, 1e4), ALL),
    "abs_operator": (abs, np.abs, (-1e4, 1e4), ALL),
    "sign": (tf.math.sign, np.sign, (-1e4, 1e4), ALL),
    "square": (tf.math.square, np.square, (-1e3, 1e3), ALL),
    "sqrt": (tf.math.sqrt, np.sqrt, (0, 1e4), FLOATS),
    "rsqrt": (tf.math.rsqrt, lambda x: (1 / np.sqrt(x)).astype(x.dtype), (2.0 ** -10, 1e4), FLOATS),
    "exp": (tf.math.exp, np.exp, (-20, 20), FLOATS),
    "expm1": (tf.math.expm1, np.expm1, (-20, 20), FLOATS),
    "log": (tf.math.log, np.log, (2.0 ** -10, 1e4), FLOATS),
    "log1p": (tf.math.log1p, np.log1p, (-0.984375, 1e4), FLOATS),
    "sin": (tf.math.sin, np.sin, (-10, 10), FLOATS),
    "cos": (tf.math.cos, np.cos, (-10, 10), FLOATS),
    "tanh": (tf.math.tanh, np.tanh, (-10, 10), FLOATS),
    "atan": (tf.math.atan, np.arctan, (-100, 100), FLOATS),
    "sigmoid": (tf.math.sigmoid, _sigmoid, (-30, 30), FLOATS),
    "floor": (tf.math.floor, np.floor, (-1e4, 1e4), FLOATS),
    "ceil": (tf.math.ceil, np.ceil, (-1e4, 1e4), FLOATS),
    "round": (tf.math.round, np.round, (-1e4, 1e4), FLOATS),  # half to even, as numpy
    "reciprocal": (tf.math.reciprocal, np.reciprocal, (-1e3, 1e3), FLOATS),
}


@st.composite
def _unary_case(draw, name):
    _, _, (lo, hi), dtypes = UNARY[name]
    dtype = draw(st.sampled_from(dtypes))
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=3, max_side=4))
    nonzero = name == "reciprocal"
    rounding = name == "round"
    x = draw(_array(dtype, shape, _elements(dtype, lo, hi, nonzero=nonzero, dyadic=rounding and dtype != "int32")))
    return dtype, x


@pytest.mark.parametrize("name", list(UNARY))
def test_unary_matches_numpy(name):
    fn, ref, _, _ = UNARY[name]

    @SETTINGS
    @given(_unary_case(name))
    def check(case):
        dtype, x = case
        with np.errstate(all="ignore"):
            expected = np.asarray(ref(x)).astype(x.dtype)
        _check(fn(tf.constant(x)), expected, dtype)

    check()


# ---- binary -----------------------------------------------------------------------------------
def _truediv_ref(x, y):
    if x.dtype.kind == "i":  # TF: int32 / int32 -> float64
        return x.astype(np.float64) / y.astype(np.float64)
    return x / y


# name: (tf function, numpy reference, dtypes, x range, y range, y nonzero, dyadic floats)
BINARY = {
    "add": (tf.math.add, np.add, ALL, (-1e4, 1e4), (-1e4, 1e4), False, False),
    "add_operator": (operator.add, np.add, ALL, (-1e4, 1e4), (-1e4, 1e4), False, False),
    "subtract": (tf.math.subtract, np.subtract, ALL, (-1e4, 1e4), (-1e4, 1e4), False, False),
    "sub_operator": (operator.sub, np.subtract, ALL, (-1e4, 1e4), (-1e4, 1e4), False, False),
    "multiply": (tf.math.multiply, np.multiply, ALL, (-1e4, 1e4), (-1e4, 1e4), False, False),
    "mul_operator": (operator.mul, np.multiply, ALL, (-1e4, 1e4), (-1e4, 1e4), False, False),
    "truediv": (tf.math.truediv, _truediv_ref, ALL, (-1e4, 1e4), (-1e4, 1e4), True, False),
    "truediv_operator": (operator.truediv, _truediv_ref, ALL, (-1e4, 1e4), (-1e4, 1e4), True, False),
    "floordiv": (tf.math.floordiv, np.floor_divide, ALL, (-1e4, 1e4), (-100, 100), True, True),
    "floordiv_operator": (operator.floordiv, np.floor_divide, ALL, (-1e4, 1e4), (-100, 100), True, True),
    "floormod": (tf.math.floormod, np.mod, ALL, (-1e4, 1e4), (-100, 100), True, True),
    "mod_operator": (operator.mod, np.mod, ALL, (-1e4, 1e4), (-100, 100), True, True),
    "maximum": (tf.math.maximum, np.maximum, ALL, (-1e4, 1e4), (-1e4, 1e4), False, False),
    "minimum": (tf.math.minimum, np.minimum, ALL, (-1e4, 1e4), (-1e4, 1e4), False, False),
    "pow": (tf.math.pow, np.power, FLOATS, (2.0 ** -6, 10), (-4, 4), False, False),
    "pow_int": (tf.math.pow, np.power, ("int32",), (-10, 10), (0, 5), False, False),
    "squared_difference": (tf.math.squared_difference, lambda x, y: np.square(x - y), ALL,
                           (-1e3, 1e3), (-1e3, 1e3), False, False),
    "less": (tf.math.less, np.less, ALL, (-10, 10), (-10, 10), False, True),
    "less_equal": (tf.math.less_equal, np.less_equal, ALL, (-10, 10), (-10, 10), False, True),
    "greater": (operator.gt, np.greater, ALL, (-10, 10), (-10, 10), False, True),
    "greater_equal": (operator.ge, np.greater_equal, ALL, (-10, 10), (-10, 10), False, True),
    "equal": (tf.math.equal, np.equal, ALL, (-3, 3), (-3, 3), False, True),
    "not_equal": (tf.math.not_equal, np.not_equal, ALL, (-3, 3), (-3, 3), False, True),
    "eq_operator": (operator.eq, np.equal, ALL, (-3, 3), (-3, 3), False, True),
}


@st.composite
def _binary_case(draw, name):
    _, _, dtypes, xr, yr, nonzero, dyadic = BINARY[name]
    dtype = draw(st.sampled_from(dtypes))
    shapes = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=4))
    sx, sy = shapes.input_shapes
    x = draw(_array(dtype, sx, _elements(dtype, *xr, dyadic=dyadic)))
    y = draw(_array(dtype, sy, _elements(dtype, *yr, nonzero=nonzero, dyadic=dyadic)))
    return dtype, x, y


@pytest.mark.parametrize("name", list(BINARY))
def test_binary_matches_numpy(name):
    fn, ref, *_ = BINARY[name]

    @SETTINGS
    @given(_binary_case(name))
    def check(case):
        dtype, x, y = case
        with np.errstate(all="ignore"):
            expected = np.asarray(ref(x, y))
        if expected.dtype.kind == "f" and dtype != "int32":
            expected = expected.astype(x.dtype)
        _check(fn(tf.constant(x), tf.constant(y)), expected, dtype)

    check()


@pytest.mark.parametrize("name", ["add", "multiply", "maximum", "less"])
def test_binary_with_python_scalar_keeps_tensor_dtype(name):
    fn, ref, *_ = BINARY[name]

    @SETTINGS
    @given(st.sampled_from(ALL), hnp.array_shapes(min_dims=0, max_dims=3, max_side=4), st.integers(-50, 50))
    def check(dtype, shape, scalar):
        x = np.arange(int(np.prod(shape)), dtype=NP_DTYPE[dtype]).reshape(shape)
        expected = np.asarray(ref(x, np.asarray(scalar, dtype=x.dtype)))
        _check(fn(tf.constant(x), scalar), expected, dtype)
        _check(fn(scalar, tf.constant(x)), np.asarray(ref(np.asarray(scalar, dtype=x.dtype), x)), dtype)

    check()


@pytest.mark.parametrize("fn", [tf.math.add, tf.math.subtract, tf.math.multiply, tf.math.maximum, operator.add,
                                operator.mul])
@pytest.mark.parametrize("dtypes", [("float32", "float64"), ("int32", "float32"), ("float64", "int32")])
def test_binary_mixed_dtypes_rejected(fn, dtypes):
    x = tf.constant(np.ones([2], NP_DTYPE[dtypes[0]]))
    y = tf.constant(np.ones([2], NP_DTYPE[dtypes[1]]))
    with pytest.raises(tf.errors.InvalidArgumentError):
        fn(x, y)


def test_incompatible_broadcast_rejected():
    with pytest.raises(tf.errors.InvalidArgumentError, match="Incompatible shapes"):
        tf.math.add(tf.ones([2, 3]), tf.ones([4, 3]))
