"""Gradients through tf.while_loop carrying TensorArrays, beyond the oracle fixtures (tensor_array
family, `grad_loop_*` / `autograph_*`): numeric checks on every path (eager, tape around the
tf.function = replayed loop, tape inside = the While node's gradient rule), the generated code of a
gradient graph against the reference interpreter, tf.cond returning TensorArrays, second order, loop variables whose shape changes
across iterations, and long loops."""

import numpy as np
import pytest

import tensorweave as tf
from tensorweave._src.graph import executor
from tests.gradcheck import check_gradients, numeric_gradients

rng = np.random.default_rng(1)


def _write_squares(x, y):
    ta = tf.TensorArray(tf.float64, size=3)

    def body(i, s, ta):
        s = s * y[i] + tf.sin(x[i])
        return i + 1, s, ta.write(i, s * x[i])

    _, s, ta = tf.while_loop(lambda i, s, ta: i < 3, body, [0, tf.constant(1.0, tf.float64), ta])
    return ta.stack(), s


def _rnn(x, y):
    """RNN unroll: inputs from ta.unstack (captured by the body), states written to a carried array."""
    w = tf.reshape(y[:4], [2, 2])
    n = tf.shape(x)[0]
    inputs = tf.TensorArray(tf.float64, size=n).unstack(tf.reshape(x, [-1, 2]))
    states = tf.TensorArray(tf.float64, size=n)

    def body(t, h, states):
        h = tf.tanh(tf.linalg.matvec(w, h) + inputs.read(t))
        return t + 1, h, states.write(t, h)

    _, h, states = tf.while_loop(lambda t, h, s: t < n // 2, body, [0, y[4:], states])
    return states.gather(tf.range(n // 2)), h


def _dynamic_read_back(x, y):
    """dynamic_size array that the body also reads (the previous element)."""
    ta = tf.TensorArray(tf.float64, size=1, dynamic_size=True, clear_after_read=False).write(0, y[:2])

    def body(i, ta):
        return i + 1, ta.write(i, ta.read(i - 1) * x[:2] + tf.cos(y[2:4]))

    _, ta = tf.while_loop(lambda i, ta: i < 4, body, [1, ta])
    return ta.stack()


def _nested(x, y):
    def outer(i, acc):
        inner = tf.TensorArray(tf.float64, size=3)
        _, inner = tf.while_loop(lambda j, a: j < 3, lambda j, a: (j + 1, a.write(j, x[j] * y[i + j])),
                                 [0, inner])
        return i + 1, acc.write(i, tf.reduce_prod(inner.stack()))

    _, acc = tf.while_loop(lambda i, a: i < 2, outer, [0, tf.TensorArray(tf.float64, size=2)])
    return acc.stack()


def _cond_in_loop(x, y):
    """A tf.cond returning the TensorArray in each iteration."""
    def body(i, ta):
        ta = tf.cond(x[i] > 0.6, lambda: ta.write(i, x[i] * y[i]), lambda: ta.write(i, tf.exp(y[i])))
        return i + 1, ta

    _, ta = tf.while_loop(lambda i, ta: i < 6, body, [0, tf.TensorArray(tf.float64, size=6)])
    return ta.stack()


FUNCTIONS = {"write_squares": _write_squares, "rnn": _rnn, "dynamic_read_back": _dynamic_read_back,
             "nested": _nested, "cond_in_loop": _cond_in_loop}


def _inputs():
    return [rng.uniform(0.2, 1.0, size=(6,)), rng.uniform(0.2, 1.0, size=(6,))]


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_gradients_eager(name):
    check_gradients(FUNCTIONS[name], _inputs())


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_gradients_tape_outside_function(name):
    check_gradients(tf.function(FUNCTIONS[name], autograph=False), _inputs())


def _objective(fn):
    weights = [tf.constant(rng.uniform(0.5, 1.5, size=np.shape(o))) for o in tf.nest.flatten(fn(*[
        tf.constant(a) for a in _inputs()]))]
    return lambda x, y: tf.add_n([tf.reduce_sum(o * w) for o, w in zip(tf.nest.flatten(fn(x, y)), weights)])


def _grads_fn(objective):
    @tf.function(autograph=False)
    def grads(x, y):
        with tf.GradientTape() as tape:
            tape.watch([x, y])
            z = objective(x, y)
        return tape.gradient(z, [x, y])

    return grads


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_gradients_tape_inside_function(name):
    objective = _objective(FUNCTIONS[name])
    arrays = _inputs()
    analytic = _grads_fn(objective)(*[tf.constant(a) for a in arrays])
    numeric = numeric_gradients(objective, arrays, [tf.constant(1.0, tf.float64)])
    for a, n in zip(analytic, numeric):
        np.testing.assert_allclose(a.numpy(), n, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_gradient_graph_code_agrees_with_interpreter(name):
    grads = _grads_fn(_objective(FUNCTIONS[name]))
    xs = [tf.constant(a) for a in _inputs()]
    cf = grads.get_concrete_function(*xs)
    for a, b in zip(grads(*xs), executor.interpret(cf.graph, xs)):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-12)


def test_second_order_inside_function():
    @tf.function(autograph=False)
    def f(x):
        with tf.GradientTape() as outer:
            outer.watch(x)
            with tf.GradientTape() as inner:
                inner.watch(x)
                ta = tf.TensorArray(tf.float64, size=3)
                _, ta = tf.while_loop(lambda i, ta: i < 3, lambda i, ta: (i + 1, ta.write(i, x[i] ** 3)),
                                      [0, ta])
                z = tf.reduce_sum(ta.stack())
            g = inner.gradient(z, x)
            total = tf.reduce_sum(g)
        return g, outer.gradient(total, x)

    g, h = f(tf.constant([1.0, 2.0, 3.0], tf.float64))
    np.testing.assert_allclose(g.numpy(), [3.0, 12.0, 27.0])
    np.testing.assert_allclose(h.numpy(), [6.0, 12.0, 18.0])


def test_loop_variable_changing_shape():
    """Iterations' values are kept in TensorArrays, so a shape invariant [None] is differentiable."""
    def grow(x, y):
        _, s = tf.while_loop(lambda i, s: i < 3, lambda i, s: (i + 1, tf.concat([s, tf.sin(s) * y[0]], 0)),
                             [0, x], shape_invariants=[tf.TensorShape([]), tf.TensorShape([None])])
        return s

    objective = _objective(grow)
    arrays = _inputs()
    analytic = _grads_fn(objective)(*[tf.constant(a) for a in arrays])
    numeric = numeric_gradients(objective, arrays, [tf.constant(1.0, tf.float64)])
    for a, n in zip(analytic, numeric):
        np.testing.assert_allclose(a.numpy(), n, rtol=1e-5, atol=1e-6)


def test_long_loop_matches_eager():
    xs = tf.constant(rng.normal(size=(300, 4)))
    w = tf.constant(rng.normal(size=(4, 4)) * 0.3)

    def loss(xs, w):
        n = tf.shape(xs)[0]
        inputs = tf.TensorArray(tf.float64, size=n).unstack(xs)
        states = tf.TensorArray(tf.float64, size=n)

        def body(t, h, states):
            h = tf.tanh(tf.linalg.matvec(w, h) + inputs.read(t))
            return t + 1, h, states.write(t, h)

        _, _, states = tf.while_loop(lambda t, h, s: t < n, body, [0, tf.zeros([4], tf.float64), states])
        return tf.reduce_sum(states.stack() ** 2)

    with tf.GradientTape() as tape:
        tape.watch([xs, w])
        z = loss(xs, w)
    expected = tape.gradient(z, [xs, w])
    for a, b in zip(_grads_fn(loss)(xs, w), expected):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-10)
