"""Numeric gradient checks (float64 central differences) for every tf.nn gradient rule: activations,
softmax, convolutions (and, through nested tapes, the gradients of their backprop ops), pooling (and
MaxPoolGrad/AvgPoolGrad's own gradients), losses, normalization and layout ops. TF's values for the
same gradients are in the oracle fixtures (family "nn", cases `grad_*`)."""

import numpy as np
import pytest

import tensorweave as tf
from tensorweave._src.ops.nn import _util as nn_util
from tensorweave._src.ops.nn.normalization import lrn_compute
from tests.gradcheck import check_gradients

rng = np.random.default_rng(0)


def rand(*shape, lo=-1.0, hi=1.0):
    return rng.uniform(lo, hi, size=shape)


def distinct(*shape):
    """Values with no ties (max pooling is not differentiable at ties)."""
    n = int(np.prod(shape))
    return rng.permutation(n).reshape(shape) / n + rng.uniform(0, 0.1 / n, size=shape)


# ---- activations ---------------------------------------------------------------------------------
AWAY_FROM_KINKS = np.array([-3.0, -1.2, -0.4, 0.3, 0.9, 2.5, 5.5, 7.0])


@pytest.mark.parametrize(
    "fn",
    [
        tf.nn.relu6,
        tf.nn.elu,
        tf.nn.selu,
        tf.nn.softsign,
        tf.nn.leaky_relu,
        lambda x: tf.nn.leaky_relu(x, alpha=0.3),
        tf.nn.gelu,
        lambda x: tf.nn.gelu(x, approximate=True),
        tf.nn.silu,
        lambda x: tf.nn.swish(x, beta=0.5),
        tf.nn.crelu,
        tf.nn.softplus,
    ],
    ids=[
        "relu6",
        "elu",
        "selu",
        "softsign",
        "leaky_relu",
        "leaky_relu_alpha",
        "gelu",
        "gelu_approx",
        "silu",
        "swish_beta",
        "crelu",
        "softplus",
    ],
)
def test_activation_gradients(fn):
    check_gradients(fn, [AWAY_FROM_KINKS])


@pytest.mark.parametrize("axis", [None, 0, 1, -2])
def test_softmax_gradients(axis):
    x = rand(3, 4)
    check_gradients(lambda v: tf.nn.softmax(v, axis=axis), [x])
    check_gradients(lambda v: tf.nn.log_softmax(v, axis=axis), [x])


def test_activation_second_order():
    def first(x):
        with tf.GradientTape() as t:
            t.watch(x)
            y = tf.reduce_sum(tf.nn.elu(x) * tf.nn.selu(x) + tf.nn.softsign(x) ** 2 + tf.nn.softmax(x) ** 2)
        return t.gradient(y, x)

    check_gradients(first, [AWAY_FROM_KINKS])


# ---- convolutions --------------------------------------------------------------------------------
CONV2D = [
    ("same", 1, "SAME", None),
    ("valid", 1, "VALID", None),
    ("same_s2", 2, "SAME", None),
    ("valid_s2", 2, "VALID", None),
    ("same_s21", [2, 1], "SAME", None),
    ("explicit", 1, [[0, 0], [1, 2], [0, 1], [0, 0]], None),
    ("explicit_s2", 2, [[0, 0], [2, 0], [1, 1], [0, 0]], None),
    ("dilated", 1, "SAME", 2),
    ("dilated_valid_s2", 2, "VALID", [2, 1]),
]


@pytest.mark.parametrize("case", CONV2D, ids=[c[0] for c in CONV2D])
def test_conv2d_gradients(case):
    _, strides, padding, dilations = case
    check_gradients(
        lambda x, w: tf.nn.conv2d(x, w, strides, padding, dilations=dilations),
        [rand(1, 4, 5, 2), rand(3, 2, 2, 2)],
    )


def test_conv2d_grouped_gradients():
    check_gradients(lambda x, w: tf.nn.conv2d(x, w, 1, "SAME"), [rand(1, 3, 3, 4), rand(2, 2, 2, 2)])


def test_conv1d_conv3d_gradients():
    check_gradients(lambda x, w: tf.nn.conv1d(x, w, 2, "SAME"), [rand(1, 6, 2), rand(3, 2, 2)])
    check_gradients(
        lambda x, w: tf.nn.conv3d(x, w, [1, 2, 1, 1, 1], "SAME"), [rand(1, 3, 3, 2, 1), rand(2, 2, 2, 1, 2)]
    )


@pytest.mark.parametrize("padding", ["SAME", "VALID"])
def test_conv_transpose_gradients(padding):
    out = [1, 4, 5, 2] if padding == "SAME" else [1, 5, 6, 2]
    check_gradients(
        lambda x, w: tf.nn.conv2d_transpose(x, w, out, 2, padding), [rand(1, 2, 3, 2), rand(3, 2, 2, 2)]
    )
    check_gradients(lambda x, w: tf.nn.conv1d_transpose(x, w, [1, 8, 2], 2), [rand(1, 4, 3), rand(3, 2, 3)])


def test_depthwise_separable_gradients():
    check_gradients(
        lambda x, w: tf.nn.depthwise_conv2d(x, w, [1, 2, 2, 1], "SAME"), [rand(1, 4, 4, 2), rand(2, 2, 2, 2)]
    )
    check_gradients(
        lambda x, w: tf.nn.depthwise_conv2d(x, w, [1, 1, 1, 1], "VALID", dilations=[2, 2]),
        [rand(1, 4, 4, 1), rand(2, 2, 1, 2)],
    )
    check_gradients(
        lambda x, d, p: tf.nn.separable_conv2d(x, d, p, [1, 1, 1, 1], "SAME"),
        [rand(1, 3, 3, 2), rand(2, 2, 2, 1), rand(1, 1, 2, 2)],
    )


@pytest.mark.parametrize("kind", ["conv2d", "depthwise", "transpose"])
def test_conv_second_order(kind):
    """Differentiates the first-order gradients: exercises the backprop ops' own gradient rules."""

    def op(x, w):
        if kind == "conv2d":
            return tf.nn.conv2d(x, w, 2, "SAME")
        if kind == "depthwise":
            return tf.nn.depthwise_conv2d(x, w, [1, 2, 2, 1], "SAME")
        return tf.nn.conv2d_transpose(x, w, [1, 4, 3, 1], 2, "SAME")

    def first(x, w):
        with tf.GradientTape() as t:
            t.watch([x, w])
            y = tf.reduce_sum(op(x, w) ** 2)
        gx, gw = t.gradient(y, [x, w])
        return [gx, gw]

    if kind == "transpose":
        check_gradients(first, [rand(1, 2, 2, 2), rand(2, 2, 1, 2)])
    else:
        check_gradients(first, [rand(1, 3, 4, 1), rand(2, 2, 1, 2)])


# ---- pooling -------------------------------------------------------------------------------------
POOLS = [
    ("s2", 2, 2, "SAME"),
    ("k3s2", 3, 2, "SAME"),
    ("k3s1", 3, 1, "SAME"),
    ("k4s1", 4, 1, "SAME"),
    ("valid", 2, 2, "VALID"),
    ("hw", [2, 3], [1, 2], "SAME"),
]


@pytest.mark.parametrize("case", POOLS, ids=[c[0] for c in POOLS])
def test_pool_gradients(case):
    _, k, s, padding = case
    x = distinct(1, 5, 6, 1)
    check_gradients(lambda v: tf.nn.max_pool2d(v, k, s, padding), [x])
    check_gradients(lambda v: tf.nn.avg_pool2d(v, k, s, padding), [x])


def test_pool1d_and_explicit_gradients():
    check_gradients(lambda v: tf.nn.max_pool1d(v, 3, 2, "SAME"), [distinct(1, 7, 2)])
    check_gradients(lambda v: tf.nn.avg_pool1d(v, 3, 2, "SAME"), [distinct(1, 7, 2)])
    check_gradients(
        lambda v: tf.nn.max_pool2d(v, 3, 1, [[0, 0], [1, 2], [0, 1], [0, 0]]), [distinct(1, 4, 5, 1)]
    )


@pytest.mark.parametrize("kind", ["max", "avg"])
def test_pool_second_order(kind):
    pool = tf.nn.max_pool2d if kind == "max" else tf.nn.avg_pool2d

    def first(x):
        with tf.GradientTape() as t:
            t.watch(x)
            y = tf.reduce_sum(pool(x, 3, 2, "SAME") ** 2)
        return t.gradient(y, x)

    check_gradients(first, [distinct(1, 4, 5, 1)])


# ---- losses --------------------------------------------------------------------------------------


def test_softmax_xent_gradients():
    # TF's backprop (softmax - labels) is the gradient only for labels that sum to 1 along the axis
    labels = rng.dirichlet(np.ones(4), size=3)
    check_gradients(lambda lab, lg: tf.nn.softmax_cross_entropy_with_logits(lab, lg), [labels, rand(3, 4)])
    check_gradients(
        lambda lab, lg: tf.nn.softmax_cross_entropy_with_logits(lab, lg, axis=0),
        [np.ascontiguousarray(labels.T), rand(4, 3)],
    )


def test_sparse_xent_gradients():
    check_gradients(lambda lg: tf.nn.sparse_softmax_cross_entropy_with_logits([3, 0, 1], lg), [rand(3, 4)])
    check_gradients(
        lambda lg: tf.nn.sparse_softmax_cross_entropy_with_logits([[3, 0], [1, 1]], lg), [rand(2, 2, 4)]
    )


@pytest.mark.parametrize("sparse", [False, True])
def test_xent_second_order(sparse):
    labels = tf.constant(rng.dirichlet(np.ones(4), size=3))

    def first(lg):
        with tf.GradientTape() as t:
            t.watch(lg)
            if sparse:
                y = tf.nn.sparse_softmax_cross_entropy_with_logits([3, 0, 1], lg)
            else:
                y = tf.nn.softmax_cross_entropy_with_logits(labels, lg)
            y = tf.reduce_sum(y * tf.constant([1.0, 2.0, 3.0], tf.float64))
        return t.gradient(y, lg)

    check_gradients(first, [rand(3, 4)])


def test_sigmoid_weighted_xent_gradients():
    labels = rng.uniform(0, 1, size=(3, 4))
    check_gradients(
        lambda lab, lg: tf.nn.sigmoid_cross_entropy_with_logits(lab, lg), [labels, rand(3, 4, lo=-3, hi=3)]
    )
    check_gradients(
        lambda lab, lg: tf.nn.weighted_cross_entropy_with_logits(lab, lg, 2.5),
        [labels, rand(3, 4, lo=-3, hi=3)],
    )
    check_gradients(
        lambda t, li: tf.nn.log_poisson_loss(t, li, compute_full_loss=True),
        [rng.uniform(0.1, 3, size=(5,)), rand(5)],
    )


def test_l2_loss_and_average_gradients():
    check_gradients(tf.nn.l2_loss, [rand(3, 4)])
    # (with sample_weight TF computes in float32, too coarse for a float64 numeric check)
    check_gradients(lambda v: tf.nn.compute_average_loss(v, global_batch_size=3), [rand(4, 2)])


# ---- normalization and layout --------------------------------------------------------------------


def test_moments_batch_normalization_gradients():
    check_gradients(lambda x: list(tf.nn.moments(x, [0, 1])), [rand(3, 4, 2)])
    check_gradients(
        lambda x, m, v, o, s: tf.nn.batch_normalization(x, m, v, o, s, 1e-3),
        [rand(2, 3, 4), rand(4), rng.uniform(0.5, 2, size=4), rand(4), rand(4)],
    )
    check_gradients(
        lambda x, w: list(tf.nn.weighted_moments(x, [0], w)), [rand(3, 2), rng.uniform(0.5, 2, size=(3, 2))]
    )


def test_lrn_gradients():
    check_gradients(lambda x: lrn_compute(x, 1, 1.5, 0.3, 0.75), [rand(1, 2, 3, 5)])


def test_layout_gradients():
    check_gradients(lambda x, b: tf.nn.bias_add(x, b), [rand(2, 3, 4), rand(4)])
    check_gradients(lambda x, b: tf.nn.bias_add(x, b, data_format="NCHW"), [rand(2, 3, 4), rand(3)])
    check_gradients(lambda x: tf.nn.space_to_depth(x, 2), [rand(1, 4, 6, 2)])
    check_gradients(lambda x: tf.nn.depth_to_space(x, 2), [rand(1, 2, 3, 8)])


def test_embedding_and_dropout_gradients():
    check_gradients(lambda p: tf.nn.embedding_lookup(p, [[0, 2], [2, 1]], max_norm=0.5), [rand(3, 4)])
    check_gradients(lambda p, q: tf.nn.embedding_lookup([p, q], [3, 0, 2]), [rand(2, 3), rand(2, 3)])

    def dropped(x):
        tf.random.set_seed(5)
        return tf.nn.dropout(x, 0.5, seed=1)

    check_gradients(dropped, [rand(20)])


# ---- NCHW kernels (TF's CPU kernels refuse NCHW; ours run it on CUDA tensors) --------------------


@pytest.fixture
def cpu_nchw(monkeypatch):
    monkeypatch.setattr(nn_util, "ALLOW_CPU_NCHW", True)


def _nchw(x):
    return tf.transpose(x, [0, 3, 1, 2])


def _nhwc(x):
    return tf.transpose(x, [0, 2, 3, 1])


def test_nchw_matches_nhwc(cpu_nchw):
    x, w = tf.constant(rand(2, 5, 6, 3)), tf.constant(rand(3, 2, 3, 4))
    for strides, padding in ((1, "SAME"), (2, "SAME"), (2, "VALID")):
        want = tf.nn.conv2d(x, w, strides, padding)
        got = tf.nn.conv2d(_nchw(x), w, strides, padding, data_format="NCHW")
        np.testing.assert_allclose(_nhwc(got).numpy(), want.numpy(), rtol=1e-12)
        for pool in (tf.nn.max_pool2d, tf.nn.avg_pool2d):
            want = pool(x, 3, strides, padding)
            got = pool(_nchw(x), 3, strides, padding, data_format="NCHW")
            np.testing.assert_allclose(_nhwc(got).numpy(), want.numpy(), rtol=1e-12)
    dw = tf.constant(rand(2, 2, 3, 2))
    want = tf.nn.depthwise_conv2d(x, dw, [1, 2, 2, 1], "SAME")
    got = tf.nn.depthwise_conv2d(_nchw(x), dw, [1, 1, 2, 2], "SAME", data_format="NCHW")
    np.testing.assert_allclose(_nhwc(got).numpy(), want.numpy(), rtol=1e-12)


def test_nchw_gradients(cpu_nchw):
    check_gradients(
        lambda x, w: tf.nn.conv2d(x, w, 2, "SAME", data_format="NCHW"), [rand(1, 2, 5, 4), rand(2, 2, 2, 3)]
    )
    check_gradients(lambda x: tf.nn.max_pool2d(x, 3, 2, "SAME", data_format="NCHW"), [distinct(1, 2, 5, 4)])
    check_gradients(lambda x: tf.nn.avg_pool2d(x, 3, 2, "SAME", data_format="NCHW"), [distinct(1, 2, 5, 4)])
