"""Every differentiable elementwise op's gradient against central differences, in float64, on
random shapes (hypothesis). Each row: name, function, and the input domain (low, high)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tensorweave as tf
from tests.gradcheck import check_gradients

ANY, POS, UNIT, GT1 = (-2.0, 2.0), (0.2, 3.0), (-0.9, 0.9), (1.2, 3.0)

UNARY = [
    ("neg", tf.negative, ANY), ("abs", tf.abs, POS), ("square", tf.square, ANY), ("sqrt", tf.sqrt, POS),
    ("rsqrt", tf.math.rsqrt, POS), ("exp", tf.exp, ANY), ("expm1", tf.math.expm1, ANY),
    ("log", tf.math.log, POS), ("log1p", tf.math.log1p, POS), ("reciprocal", tf.math.reciprocal, POS),
    ("sin", tf.sin, ANY), ("cos", tf.cos, ANY), ("tan", tf.tan, UNIT), ("asin", tf.asin, UNIT),
    ("acos", tf.acos, UNIT), ("atan", tf.atan, ANY), ("sinh", tf.sinh, ANY), ("cosh", tf.cosh, ANY),
    ("tanh", tf.tanh, ANY), ("asinh", tf.asinh, ANY), ("acosh", tf.acosh, GT1), ("atanh", tf.atanh, UNIT),
    ("sigmoid", tf.sigmoid, ANY), ("softplus", tf.math.softplus, ANY), ("erf", tf.math.erf, ANY),
    ("erfc", tf.math.erfc, ANY), ("lgamma", tf.math.lgamma, POS), ("relu", tf.nn.relu, POS),
]

BINARY = [
    ("add", tf.add, ANY, ANY), ("subtract", tf.subtract, ANY, ANY), ("multiply", tf.multiply, ANY, ANY),
    ("divide", tf.divide, ANY, POS), ("realdiv", tf.realdiv, ANY, POS), ("pow", tf.pow, POS, ANY),
    ("maximum", tf.maximum, ANY, ANY), ("minimum", tf.minimum, ANY, ANY),
    ("squared_difference", tf.math.squared_difference, ANY, ANY), ("atan2", tf.atan2, ANY, POS),
    ("divide_no_nan", tf.math.divide_no_nan, ANY, POS), ("multiply_no_nan", tf.math.multiply_no_nan, ANY, ANY),
    ("xlogy", tf.math.xlogy, POS, POS), ("floormod", tf.math.floormod, POS, GT1),
]

shapes = st.lists(st.integers(1, 3), min_size=0, max_size=2).map(tuple)


def _sample(rng, shape, domain):
    return rng.uniform(domain[0], domain[1], size=shape)


@pytest.mark.parametrize("name,fn,domain", UNARY, ids=[u[0] for u in UNARY])
@settings(max_examples=3, deadline=None)
@given(shape=shapes, seed=st.integers(0, 2**16))
def test_unary_gradient(name, fn, domain, shape, seed):
    rng = np.random.default_rng(seed)
    check_gradients(fn, [_sample(rng, shape, domain)])


@pytest.mark.parametrize("name,fn,dx,dy", BINARY, ids=[b[0] for b in BINARY])
@settings(max_examples=3, deadline=None)
@given(shape=shapes, broadcast=st.sampled_from(["same", "x_scalar", "y_row"]), seed=st.integers(0, 2**16))
def test_binary_gradient(name, fn, dx, dy, shape, broadcast, seed):
    rng = np.random.default_rng(seed)
    x_shape, y_shape = shape, shape
    if broadcast == "x_scalar":
        x_shape = ()
    elif broadcast == "y_row" and shape:
        y_shape = shape[-1:]
    x, y = _sample(rng, x_shape, dx), _sample(rng, y_shape, dy)
    if name in ("maximum", "minimum"):
        y = y + 0.05  # keep away from ties, where the function has no derivative
    check_gradients(fn, [x, y])
