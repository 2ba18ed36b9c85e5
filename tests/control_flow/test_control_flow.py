"""Control flow beyond the oracle fixtures: the generated code against the reference interpreter,
the graph structure (one If/While node, Python if/while in the source), numeric gradients through
cond/while on every path (eager, tape outside a tf.function = replay, tape inside = gradient rules)."""

import numpy as np
import pytest

import tensorweave as tf
from tensorweave._src.graph import executor
from tests.gradcheck import check_gradients, numeric_gradients

rng = np.random.default_rng(0)


def _loop_fn(x, y):
    def body(i, a, b):
        a2 = tf.cond(tf.reduce_sum(a) > 0, lambda: a * b + 0.5, lambda: tf.sin(a) - b)
        return i + 1, a2, b * 0.9 + tf.cos(a)

    return tf.while_loop(lambda i, a, b: i < 4, body, [0, x, y])[1:]


def _nested_while(x, y):
    def outer(i, s):
        _, t = tf.while_loop(lambda j, t: j < i, lambda j, t: (j + 1, t * y + x), [0, s])
        return i + 1, t

    return tf.while_loop(lambda i, s: i < 3, outer, [0, x])[1]


def _switch(x, y):
    idx = tf.cast(tf.reduce_sum(x) > 0, tf.int32) + tf.cast(tf.reduce_sum(y) > 1, tf.int32)
    return tf.switch_case(idx, [lambda: x * y, lambda: tf.exp(x) + y, lambda: x / (1.0 + y * y)])


def _data_dependent(x, y):
    return tf.while_loop(lambda s: tf.reduce_sum(tf.abs(s)) < 20.0, lambda s: [s * 1.7 + y * 0.1], [x])[0]


FUNCTIONS = {"loop_with_cond": _loop_fn, "nested_while": _nested_while, "switch": _switch,
             "data_dependent_while": _data_dependent}


def _inputs():
    return [rng.uniform(0.2, 1.0, size=(3,)), rng.uniform(0.2, 1.0, size=(3,))]


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_generated_code_agrees_with_interpreter(name):
    f = tf.function(FUNCTIONS[name], autograph=False)
    for arrays in (_inputs(), [-a for a in _inputs()]):
        xs = [tf.constant(a) for a in arrays]
        cf = f.get_concrete_function(*xs)
        compiled = [t.numpy() for t in tf.nest.flatten(f(*xs))]
        interpreted = [t.numpy() for t in executor.interpret(cf.graph, xs)]
        eager = [t.numpy() for t in tf.nest.flatten(FUNCTIONS[name](*xs))]
        assert len(compiled) == len(interpreted) == len(eager)
        for a, b, c in zip(compiled, interpreted, eager):
            np.testing.assert_allclose(a, b, rtol=1e-12)
            np.testing.assert_allclose(a, c, rtol=1e-12)


def test_graph_has_one_node_and_python_control_flow():
    @tf.function(autograph=False)
    def f(x):
        y = tf.cond(x > 0, lambda: x * 2.0, lambda: -x)
        return tf.while_loop(lambda i, s: i < 3, lambda i, s: (i + 1, s + y), [0, x])

    cf = f.get_concrete_function(tf.constant(1.0))
    types = [n.type for n in cf.graph.nodes]
    assert types.count("StatelessIf") == 1 and types.count("StatelessWhile") == 1
    assert "    if sel:" in cf.source and "    while cond" in cf.source
    node = cf.graph.get_operation_by_name("while")  # TF's name (type StatelessWhile)
    assert node.attrs["body"].graph.outputs  # the body sub-graph is inspectable


def test_stateful_branches_make_stateful_nodes():
    v = tf.Variable(0.0)

    @tf.function(autograph=False)
    def f(x):
        tf.cond(x > 0, lambda: v.assign_add(x), lambda: v.assign_sub(x))
        return tf.while_loop(lambda i: i < 2, lambda i: [i + tf.cast(v.assign_add(1.0) > 0, tf.int32)], [0])

    cf = f.get_concrete_function(tf.constant(1.0))
    types = [n.type for n in cf.graph.nodes]
    assert "If" in types and "While" in types
    f(tf.constant(1.0))
    assert v.numpy() == 3.0
    assert v in cf.variables or any(var is v for var in cf.variables)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_gradients_eager(name):
    check_gradients(FUNCTIONS[name], _inputs())


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_gradients_tape_outside_function(name):
    check_gradients(tf.function(FUNCTIONS[name], autograph=False), _inputs())


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_gradients_tape_inside_function(name):
    fn = FUNCTIONS[name]
    arrays = _inputs()
    weights = [tf.constant(rng.uniform(0.5, 1.5, size=(3,)))]

    def objective(x, y):
        return tf.add_n([tf.reduce_sum(o * weights[0]) for o in tf.nest.flatten(fn(x, y))])

    @tf.function(autograph=False)
    def grads(x, y):
        with tf.GradientTape() as tape:
            tape.watch([x, y])
            z = objective(x, y)
        return tape.gradient(z, [x, y])

    analytic = grads(*[tf.constant(a) for a in arrays])
    numeric = numeric_gradients(objective, arrays, [tf.constant(1.0, tf.float64)])
    for a, n in zip(analytic, numeric):
        np.testing.assert_allclose(a.numpy(), n, rtol=1e-5, atol=1e-6)


def test_gradient_graph_agrees_with_interpreter():
    @tf.function(autograph=False)
    def grads(x, y):
        with tf.GradientTape() as tape:
            tape.watch([x, y])
            z = tf.reduce_sum(_loop_fn(x, y)[0]) + tf.reduce_sum(_nested_while(x, y))
        return tape.gradient(z, [x, y])

    xs = [tf.constant(a) for a in _inputs()]
    cf = grads.get_concrete_function(*xs)
    for a, b in zip(grads(*xs), executor.interpret(cf.graph, xs)):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-12)


def test_variable_gradient_through_loop_inside_function():
    w = tf.Variable([0.5, -0.3, 0.8], dtype=tf.float64)

    def loss(x):
        return tf.reduce_sum(tf.while_loop(lambda i, s: i < 3, lambda i, s: (i + 1, tf.tanh(s * w + x)),
                                           [0, x])[1])

    @tf.function(autograph=False)
    def step(x):
        with tf.GradientTape() as tape:
            z = loss(x)
        return tape.gradient(z, w)

    x = tf.constant([0.1, 0.2, 0.3], dtype=tf.float64)
    with tf.GradientTape() as tape:
        z = loss(x)
    expected = tape.gradient(z, w)
    np.testing.assert_allclose(step(x).numpy(), expected.numpy(), rtol=1e-12)
    with tf.GradientTape() as tape:  # tape outside: the replayed loop is recorded
        z = tf.function(loss, autograph=False)(x)
    np.testing.assert_allclose(tape.gradient(z, w).numpy(), expected.numpy(), rtol=1e-12)


def test_loop_writing_a_variable_it_reads():
    v = tf.Variable(1.0)

    @tf.function(autograph=False)
    def f(n):
        def body(i, s):
            v.assign(v * 2.0)
            return i + 1, s + v

        return tf.while_loop(lambda i, s: i < n, body, [0, 0.0])

    i, s = f(tf.constant(3))
    assert (i.numpy(), s.numpy(), v.numpy()) == (3, 14.0, 8.0)


def test_function_called_while_tracing_inlines_control_flow():
    inner = tf.function(lambda x: tf.cond(x > 0, lambda: x * 2.0, lambda: x - 1.0), autograph=False)

    @tf.function(autograph=False)
    def outer(x):
        return inner(x) + tf.while_loop(lambda s: s < 10.0, lambda s: [inner(s) + 3.0], [x])[0]

    assert outer(tf.constant(1.0)).numpy() == 2.0 + 13.0
    assert outer(tf.constant(-1.0)).numpy() == -2.0 + 13.0
