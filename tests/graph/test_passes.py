"""Graph optimization passes: each pass on small traced graphs, before and after (`as_text`), and the
optimized graph computing what the original computes (compiled vs the reference interpreter)."""

from __future__ import annotations

import numpy as np
import pytest

import tensorweave as tf
from tensorweave._src.core.dispatch import bind
from tensorweave._src.graph import executor, passes, special_ops
from tensorweave._src.graph.ir import Graph
from tensorweave._src.graph.passes import options
from tensorweave._src.graph.passes._util import copy_graph, new_node
from tensorweave._src.ops.cast import cast_p
from tests.graph._graphs import apply, check_same, text, trace, types

F3 = tf.TensorSpec([3], tf.float32)
X3 = np.array([0.5, -1.25, 2.0], np.float32)


def _lines(s: str) -> str:
    return "\n".join(line.strip() for line in s.strip().splitlines())


def assert_text(graph, expected: str):
    assert _lines(text(graph)) == _lines(expected), text(graph)


# ---- dead-node pruning ------------------------------------------------------------------------------
def test_prune_removes_unused_pure_nodes():
    def f(x):
        a = x * x
        tf.exp(tf.sin(x))  # unused chain
        return a

    g = trace(f, F3)
    assert_text(g, """graph f(x:0):
        x = Placeholder() -> float32(3,)
        Mul = Mul(x:0, x:0) -> float32(3,)
        Sin = Sin(x:0) -> float32(3,)
        Exp = Exp(Sin:0) -> float32(3,)
        return Mul:0""")
    opt = apply(g, passes.prune)
    assert_text(opt, """graph f(x:0):
        x = Placeholder() -> float32(3,)
        Mul = Mul(x:0, x:0) -> float32(3,)
        return Mul:0""")
    assert len(g.nodes) == 4  # the pass works on a copy
    check_same(g, opt, X3)


def test_prune_keeps_stateful_nodes_and_their_inputs():
    v = tf.Variable([1.0, 2.0, 3.0])

    def f(x):
        v.assign(x * 2.0)  # no output uses it: kept, with its input
        tf.random.uniform([2])  # stateful: kept
        return x + 1.0

    g = trace(f, F3)
    opt = apply(g, passes.prune)
    assert types(opt) == types(g)


def test_prune_keeps_nodes_holding_subgraphs():
    g = trace(lambda x: x + 1.0, F3)
    sub = Graph("branch")
    node = new_node(g, special_ops.const_p, [], {"value": None, "dtype": tf.float32, "branch": sub},
                    [(tf.float32, tf.TensorShape([]), None)], "If")
    g.nodes.insert(1, node)
    assert "If" in [n.name for n in apply(g, passes.prune).nodes]


# ---- constant folding -------------------------------------------------------------------------------
def test_fold_constants():
    def f(x):
        c = tf.constant(2.0) + tf.constant(3.0)
        return x * c + tf.cast(tf.shape(x), tf.float32)  # Shape of a static shape folds too

    g = trace(f, F3)
    opt = apply(g, passes.fold_constants, passes.prune)
    assert_text(opt, """graph f(x:0):
        x = Placeholder() -> float32(3,)
        AddV2 = Const() -> float32()
        Mul = Mul(x:0, AddV2:0) -> float32(3,)
        Cast = Const() -> float32(1,)
        AddV2_1 = AddV2(Mul:0, Cast:0) -> float32(3,)
        return AddV2_1:0""")
    assert float(opt.nodes[1].attrs["value"]) == 5.0
    check_same(g, opt, X3)


def test_fold_constants_runs_the_kernel_for_large_values_within_the_limit():
    big = tf.constant(np.arange(5000, dtype=np.float32))  # too big for trace-time propagation

    def f(x):
        return x + tf.reduce_sum(big * 2.0)

    g = trace(f, F3)
    opt = apply(g, passes.fold_constants, passes.prune)
    assert types(opt) == ["Placeholder", "Const", "AddV2"]
    check_same(g, opt, X3)
    small_limit = copy_graph(g)
    passes.fold_constants(small_limit, limit=1000)  # big * 2.0 (20 kB) stays
    assert "Mul" in types(small_limit)


def test_fold_constants_leaves_failing_kernels_to_run_time():
    def f(x):
        return x + tf.math.floordiv(tf.constant(np.arange(2000, dtype=np.int32)), tf.constant(0))

    g = trace(f, tf.TensorSpec([2000], tf.int32))
    opt = apply(g, passes.fold_constants)
    assert "FloorDiv" in types(opt)


def test_fold_constants_skips_stateful_nodes():
    g = trace(lambda: tf.random.uniform([2], seed=1) + 1.0)
    opt = apply(g, passes.fold_constants, passes.prune)
    assert "RandomUniform" in types(opt)


# ---- common subexpressions --------------------------------------------------------------------------
def test_cse_merges_equal_nodes_and_small_constants():
    def f(x):
        return tf.exp(x) * tf.constant(2.0) + tf.exp(x) * tf.constant(2.0)  # two Const nodes

    g = trace(f, F3)
    assert_text(g, """graph f(x:0):
        x = Placeholder() -> float32(3,)
        Exp = Exp(x:0) -> float32(3,)
        Const = Const() -> float32()
        Mul = Mul(Exp:0, Const:0) -> float32(3,)
        Exp_1 = Exp(x:0) -> float32(3,)
        Const_1 = Const() -> float32()
        Mul_1 = Mul(Exp_1:0, Const_1:0) -> float32(3,)
        AddV2 = AddV2(Mul:0, Mul_1:0) -> float32(3,)
        return AddV2:0""")
    opt = apply(g, passes.eliminate_common_subexpressions, passes.prune)
    assert_text(opt, """graph f(x:0):
        x = Placeholder() -> float32(3,)
        Exp = Exp(x:0) -> float32(3,)
        Const = Const() -> float32()
        Mul = Mul(Exp:0, Const:0) -> float32(3,)
        AddV2 = AddV2(Mul:0, Mul:0) -> float32(3,)
        return AddV2:0""")
    check_same(g, opt, X3)


def test_cse_compares_attrs_and_values_exactly():
    def f(x):
        m = tf.reshape(x, [1, 3])
        a = tf.transpose(tf.matmul(m, m, transpose_b=True))
        b = tf.transpose(tf.matmul(m, m, transpose_a=True))  # different attr: not merged
        return x + 0.0, x + (-0.0), a, b  # 0.0 and -0.0 differ

    g = trace(f, F3)
    opt = apply(g, passes.eliminate_common_subexpressions, passes.prune)
    assert types(opt).count("MatMul") == 2
    assert types(opt).count("Const") == 3  # the reshape's shape, 0.0 and -0.0
    check_same(g, opt, X3)


def test_cse_leaves_stateful_nodes():
    g = trace(lambda: tf.random.uniform([2]) + tf.random.uniform([2]))
    opt = apply(g, passes.eliminate_common_subexpressions, passes.prune)
    assert types(opt).count("RandomUniform") == 2


def test_cse_compares_unknown_attr_objects_by_identity():
    from tensorweave._src.graph.passes.cse import _attr_key

    a, b = np.zeros(2), np.zeros(2)
    assert _attr_key(a) != _attr_key(b) and _attr_key(a) == _attr_key(a)
    assert _attr_key([1, 2]) == _attr_key([1, 2]) != _attr_key((1, 2))
    assert _attr_key(1) != _attr_key(True) != _attr_key(1.0)
    assert _attr_key(tf.TensorShape([None, 2])) == _attr_key(tf.TensorShape([None, 2]))


# ---- identity removal -------------------------------------------------------------------------------
def test_identity_removal():
    def f(x):
        y = tf.identity(x)
        z = tf.stop_gradient(tf.exp(y))
        return tf.ensure_shape(z, [3])

    g = trace(f, F3)
    assert types(g) == ["Placeholder", "Identity", "Exp", "StopGradient", "EnsureShape"]
    opt = apply(g, passes.remove_identities, passes.prune)
    assert_text(opt, """graph f(x:0):
        x = Placeholder() -> float32(3,)
        Exp = Exp(x:0) -> float32(3,)
        return Exp:0""")
    check_same(g, opt, X3)


def test_ensure_shape_that_can_fail_stays():
    f = tf.function(lambda x: tf.ensure_shape(x, [3]) * 2.0, input_signature=[tf.TensorSpec([None], tf.float32)])
    cf = f.get_concrete_function()
    assert "EnsureShape" in types(cf._compiled.graph)
    with pytest.raises(tf.errors.InvalidArgumentError):
        f(tf.constant([1.0, 2.0]))


def test_stop_gradient_still_stops_gradients_through_a_function():
    f = tf.function(lambda x: x * tf.stop_gradient(x))
    x = tf.constant(3.0)
    f(x)  # traced and optimized
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = f(x)
    assert float(tape.gradient(y, x)) == 3.0


# ---- arithmetic simplification ----------------------------------------------------------------------
def test_neutral_elements():
    def f(x):
        return tf.exp(1.0 * (x * 1.0 + 0.0 - 0.0) / 1.0) + (0.0 + x)

    g = trace(f, F3)
    opt = apply(g, passes.simplify_arithmetic, passes.prune)
    assert_text(opt, """graph f(x:0):
        x = Placeholder() -> float32(3,)
        Exp = Exp(x:0) -> float32(3,)
        AddV2_2 = AddV2(Exp:0, x:0) -> float32(3,)
        return AddV2_2:0""")
    check_same(g, opt, X3)


def test_neutral_elements_that_would_broadcast_stay():
    def f(x):
        return x * tf.ones([3]), x - tf.zeros([2, 1]), 0.0 - x, 2.0 / x, x * tf.constant([1.0, 2.0, 1.0])

    g = trace(f, tf.TensorSpec([None], tf.float32))
    opt = apply(g, passes.simplify_arithmetic, passes.prune)
    assert types(opt).count("Mul") == 2 and "Sub" in types(opt) and "RealDiv" in types(opt)
    check_same(g, opt, X3)


def test_transposes_and_reshapes():
    def f(x):
        a = tf.transpose(tf.transpose(x, [1, 2, 0]), [2, 0, 1])  # identity
        b = tf.transpose(tf.transpose(x, [1, 0, 2]), [0, 2, 1])  # one transpose
        c = tf.reshape(tf.reshape(x, [6, 4]), [4, 6])
        d = tf.reshape(x, [2, 3, 4])
        return a, b, c, d

    g = trace(f, tf.TensorSpec([2, 3, 4], tf.float32))
    opt = apply(g, passes.simplify_arithmetic, passes.prune)
    assert_text(opt, """graph f(x:0):
        x = Placeholder() -> float32(2, 3, 4)
        Transpose_3 = Transpose(x:0) {perm=[1, 2, 0]} -> float32(3, 4, 2)
        Const_1 = Const() -> int32(2,)
        Reshape_1 = Reshape(x:0, Const_1:0) -> float32(4, 6)
        return x:0, Transpose_3:0, Reshape_1:0, x:0""")
    check_same(g, opt, np.arange(24, dtype=np.float32).reshape(2, 3, 4))


def test_cast_to_same_dtype():
    def f(x):
        return bind(cast_p, x, DstT=tf.float32) + 1.0

    g = trace(f, F3)
    opt = apply(g, passes.simplify_arithmetic, passes.prune)
    assert types(opt) == ["Placeholder", "Const", "AddV2"]
    check_same(g, opt, X3)


# ---- fusion -----------------------------------------------------------------------------------------
def test_fuse_elementwise_chain():
    def f(x):
        return tf.tanh((x + 0.5) * 1.5) - x

    g = trace(f, F3)
    opt = apply(g, passes.fuse_elementwise)
    assert_text(opt, """graph f(x:0):
        x = Placeholder() -> float32(3,)
        Const = Const() -> float32()
        Const_1 = Const() -> float32()
        Sub = FusedElementwise(x:0, Const:0, Const_1:0) {steps=[AddV2, Mul, Tanh, Sub], out_dtype=tf.float32, out_shape=TensorShape([3])} -> float32(3,)
        return Sub:0""")  # noqa: E501
    source = executor.compile_graph(opt).source
    assert source.startswith("def fused3(x0, x1, x2):  # AddV2, Mul, Tanh, Sub\n"
                              "    v0 = torch.add(x0, x1)\n"
                              "    v0.mul_(x2)\n"
                              "    v0.tanh_()\n"
                              "    v0.sub_(x0)\n"
                              "    return v0\n")
    assert "t3_0 = fused3(in0, t1_0, t2_0)  # Sub" in source
    check_same(g, opt, X3)
    np.testing.assert_allclose(executor.interpret(opt, [tf.constant(X3)])[0].numpy(),
                               np.tanh((X3 + 0.5) * 1.5) - X3, rtol=1e-6)


def test_fuse_elementwise_keeps_shared_intermediates_and_avoids_broadcasting_in_place():
    def f(x, y):
        a = tf.exp(x)
        b = a * y  # a [3] * y [2, 3] broadcasts: not in place on a
        return tf.sin(b), a  # a is an output: its producer is not fused away

    g = trace(f, F3, tf.TensorSpec([2, 3], tf.float32))
    opt = apply(g, passes.fuse_elementwise)
    assert types(opt) == ["Placeholder", "Placeholder", "Exp", "FusedElementwise"]
    steps = opt.nodes[-1].attrs["steps"]
    assert [s[0] for s in steps] == ["Mul", "Sin"] and steps[0][2] is None and steps[1][2] == 0
    check_same(g, opt, X3, np.ones((2, 3), np.float32) * 2)


def test_fuse_elementwise_dag_and_dtypes():
    def f(x, n):
        y = tf.sigmoid(x)
        return y * (1.0 - y), tf.abs(n) + 1  # int32 ops are not fused

    g = trace(f, F3, tf.TensorSpec([3], tf.int32))
    opt = apply(g, passes.fuse_elementwise)
    assert types(opt).count("FusedElementwise") == 1 and "Abs" in types(opt)
    check_same(g, opt, X3, np.array([-1, 2, -3], np.int32))


def test_fuse_matmul_bias_relu():
    def f(x, w, b):
        return tf.nn.relu(tf.matmul(x, w) + b), tf.matmul(x, w, transpose_b=True) + b

    g = trace(f, tf.TensorSpec([None, 4], tf.float32), tf.TensorSpec([4, 4], tf.float32),
              tf.TensorSpec([4], tf.float32))
    opt = apply(g, passes.fuse_matmul_bias)
    assert types(opt) == ["Placeholder", "Placeholder", "Placeholder", "_FusedMatMul", "_FusedMatMul"]
    source = executor.compile_graph(opt).source
    assert "t3_0 = torch.addmm(in2, in0, in1).relu_()  # Relu" in source
    assert "t4_0 = torch.addmm(in2, in0, in1.t())  # AddV2_1" in source
    rng = np.random.default_rng(0)
    check_same(g, opt, rng.standard_normal((5, 4), dtype=np.float32),
               rng.standard_normal((4, 4), dtype=np.float32), rng.standard_normal(4, dtype=np.float32),
               rtol=1e-5)


def test_fuse_matmul_needs_static_inner_dims_and_float32_or_64():
    def f(x, w, b):
        return tf.matmul(x, w) + b

    g = trace(f, tf.TensorSpec([2, None], tf.float32), tf.TensorSpec([None, 3], tf.float32),
              tf.TensorSpec([3], tf.float32))
    assert not passes.fuse_matmul_bias(copy_graph(g))
    g = trace(f, tf.TensorSpec([2, 2], tf.float16), tf.TensorSpec([2, 3], tf.float16),
              tf.TensorSpec([3], tf.float16))
    assert not passes.fuse_matmul_bias(copy_graph(g))


# ---- the pipeline -----------------------------------------------------------------------------------
def _mlp():
    rng = np.random.default_rng(0)
    w1 = tf.Variable(rng.standard_normal((6, 5), dtype=np.float32) * 0.3)
    b1 = tf.Variable(rng.standard_normal(5, dtype=np.float32) * 0.1)
    w2 = tf.Variable(rng.standard_normal((5, 3), dtype=np.float32) * 0.3)
    b2 = tf.Variable(np.zeros(3, np.float32))
    params = [w1, b1, w2, b2]

    def step(x, labels):
        with tf.GradientTape() as tape:
            h = tf.nn.relu(tf.matmul(x, w1) + b1)
            logits = tf.matmul(h, w2) + b2
            loss = tf.reduce_mean(tf.square(logits - labels))
        grads = tape.gradient(loss, params)
        for p, grad in zip(params, grads):
            p.assign_sub(0.1 * grad)
        return loss

    x = rng.standard_normal((4, 6), dtype=np.float32)
    labels = rng.standard_normal((4, 3), dtype=np.float32)
    return step, params, x, labels


def test_optimize_training_step_matches_unoptimized():
    step, params, x, labels = _mlp()
    g = trace(step, tf.constant(x), tf.constant(labels))
    opt = passes.optimize(g)
    assert len(opt.nodes) < len(g.nodes)
    assert {"_FusedMatMul", "FusedElementwise"} <= set(types(opt))
    assert types(opt).count("AssignVariableOp") == 4
    start = [p.numpy() for p in params]
    want = executor.interpret(g, [tf.constant(x), tf.constant(labels)])
    after_want = [p.numpy() for p in params]
    for p, v in zip(params, start):
        p.assign(v)
    got = executor.run_compiled(executor.compile_graph(opt), [tf.constant(x), tf.constant(labels)])
    np.testing.assert_allclose(got[0].numpy(), want[0].numpy(), rtol=1e-5)
    for p, w in zip(params, after_want):
        np.testing.assert_allclose(p.numpy(), w, rtol=1e-5, atol=1e-6)


def test_tf_function_runs_the_optimized_graph():
    @tf.function
    def f(x):
        return tf.tanh(tf.identity(x) * 1.0 + 2.0) * 3.0

    cf = f.get_concrete_function(F3)
    assert types(cf.graph)[1] == "Identity"  # the traced graph is kept as traced
    assert cf.source == ("def fused3(x0, x1, x2):  # AddV2, Tanh, Mul\n"
                         "    v0 = torch.add(x0, x1)\n"
                         "    v0.tanh_()\n"
                         "    v0.mul_(x2)\n"
                         "    return v0\n"
                         "\n"
                         "def graph_fn(in0):\n"
                         "    t1_0 = c1  # Const_1\n"
                         "    t2_0 = c2  # Const_2\n"
                         "    t3_0 = fused3(in0, t1_0, t2_0)  # Mul_1\n"
                         "    return (t3_0,)\n")
    np.testing.assert_allclose(f(tf.constant(X3)).numpy(), np.tanh(X3 + 2.0) * 3.0, rtol=1e-6)


def test_optimize_reaches_a_fixed_point():
    def f(x):
        s = tf.shape(x)  # folds; then the reshape to x's own shape goes, then x * 1 ...
        y = tf.reshape(x, s) * tf.cast(tf.reduce_prod(s) - 5, tf.float32)
        return tf.exp(y) + tf.exp(y)

    g = trace(f, tf.TensorSpec([2, 3], tf.float32))
    opt = passes.optimize(g, passes=[passes.remove_identities, passes.simplify_arithmetic,
                                     passes.fold_constants, passes.eliminate_common_subexpressions,
                                     passes.prune])
    assert types(opt) == ["Placeholder", "Exp", "AddV2"]
    check_same(g, opt, np.ones((2, 3), np.float32))


@pytest.fixture
def optimizer_options():
    saved = dict(options._options)
    yield
    options._options.clear()
    options._options.update(saved)


def test_config_optimizer_options(optimizer_options):
    assert tf.config.optimizer.get_experimental_options() == {"disable_model_pruning": False,
                                                               "disable_meta_optimizer": False}
    tf.config.optimizer.set_experimental_options({"remapping": False, "bogus": 1})
    assert tf.config.optimizer.get_experimental_options() == {
        "remapping": False, "disable_model_pruning": False, "disable_meta_optimizer": False}
    g = trace(lambda x: tf.exp(tf.sin(x)) * 1.0, F3)
    assert types(passes.optimize(g)) == ["Placeholder", "Sin", "Exp"]
    tf.config.optimizer.set_experimental_options({"disable_meta_optimizer": True})
    assert passes.optimize(g) is g
