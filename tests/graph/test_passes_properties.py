"""Property test: random elementwise graphs (with broadcasting, neutral constants, identities, shared
and unused intermediates) compute the same values after `passes.optimize` (compiled) as before
(reference interpreter)."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tensorweave as tf
from tensorweave._src.graph import passes
from tests.graph._graphs import check_same, trace

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

UNARY = {
    "tanh": tf.tanh, "sigmoid": tf.sigmoid, "sin": tf.sin, "neg": tf.negative, "abs": tf.abs,
    "square": tf.square, "relu": tf.nn.relu, "exp": lambda x: tf.exp(tf.tanh(x)),
    "identity": tf.identity, "stop_gradient": tf.stop_gradient,
}
BINARY = {"add": tf.add, "sub": tf.subtract, "mul": tf.multiply, "max": tf.maximum, "min": tf.minimum}
CONSTS = [0.0, 1.0, -0.0, 0.5, 2.0]
SHAPES = [(3,), (2, 3), (1, 3), ()]


@st.composite
def programs(draw):
    n_steps = draw(st.integers(1, 12))
    steps = []
    for i in range(n_steps):
        pool = 2 + i  # the two inputs, then one value per step
        kind = draw(st.sampled_from(["unary", "binary", "const"]))
        a = draw(st.integers(0, pool - 1))
        if kind == "unary":
            steps.append(("unary", draw(st.sampled_from(sorted(UNARY))), a))
        elif kind == "binary":
            steps.append(("binary", draw(st.sampled_from(sorted(BINARY))), a, draw(st.integers(0, pool - 1))))
        else:  # x op c (or c op x) with a constant such as 0 or 1 of a broadcastable shape
            c = draw(st.sampled_from(CONSTS))
            shape = draw(st.sampled_from([(), (3,), (1, 1)]))
            steps.append(("const", draw(st.sampled_from(sorted(BINARY) + ["div"])), a, c, shape,
                          draw(st.booleans())))
    n_out = draw(st.integers(1, 3))
    outs = [draw(st.integers(0, 1 + n_steps)) for _ in range(n_out)]
    return steps, outs


def _build(steps, outs):
    def f(x, y):
        pool = [x, y]
        for step in steps:
            if step[0] == "unary":
                pool.append(UNARY[step[1]](pool[step[2]]))
            elif step[0] == "binary":
                pool.append(BINARY[step[1]](pool[step[2]], pool[step[3]]))
            else:
                _, op, a, c, shape, flip = step
                const = tf.constant(np.full(shape, c, pool[a].dtype.as_numpy_dtype))
                fn = tf.math.divide if op == "div" else BINARY[op]
                pool.append(fn(const, pool[a]) if flip and op != "div" else fn(pool[a], const))
        return [pool[i] for i in outs]
    return f


@SETTINGS
@given(programs(), st.sampled_from(["float32", "float64"]), st.sampled_from(SHAPES), st.sampled_from(SHAPES),
       st.integers(0, 2**31 - 1))
def test_random_elementwise_graphs_keep_their_values(program, dtype, shape_x, shape_y, seed):
    steps, outs = program
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape_x).astype(dtype)
    y = rng.standard_normal(shape_y).astype(dtype)
    x.flat[:1] = -0.0 if x.size else x.flat[:1]
    g = trace(_build(steps, outs), tf.TensorSpec(shape_x, dtype), tf.TensorSpec(shape_y, dtype))
    opt = passes.optimize(g)
    assert len(opt.nodes) <= len(g.nodes)
    check_same(g, opt, x, y, rtol=1e-6, atol=0)
