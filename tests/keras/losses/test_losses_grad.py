"""Numerical gradient checks of the Keras losses (float64, away from clipping and kinks), on a few shapes,
through the Loss classes with their reductions and sample weights."""

import numpy as np
import pytest

import tensorweave as tf
from tests.gradcheck import check_gradients

L = tf.keras.losses
_RNG = np.random.default_rng(7)


def _probs(shape):
    p = _RNG.uniform(0.1, 1.0, size=shape)
    return p / p.sum(axis=-1, keepdims=True)


def _onehot(shape):
    idx = _RNG.integers(0, shape[-1], size=shape[:-1])
    return np.eye(shape[-1])[idx]


SHAPES = [(4, 3), (2, 3, 5)]

# (name, loss(y_true, y_pred), y_true maker, y_pred maker); y_pred is differentiated
CASES = [
    ("mse", L.MeanSquaredError(), lambda s: _RNG.normal(size=s), lambda s: _RNG.normal(size=s)),
    (
        "mae",
        L.MeanAbsoluteError(reduction="sum"),
        lambda s: _RNG.normal(size=s),
        lambda s: _RNG.normal(size=s) + 3,
    ),
    (
        "mape",
        L.MeanAbsolutePercentageError(),
        lambda s: _RNG.uniform(1, 2, size=s),
        lambda s: _RNG.uniform(3, 4, size=s),
    ),
    (
        "msle",
        L.MeanSquaredLogarithmicError(),
        lambda s: _RNG.uniform(0.5, 2, size=s),
        lambda s: _RNG.uniform(0.5, 2, size=s),
    ),
    ("cosine", L.CosineSimilarity(), lambda s: _RNG.normal(size=s), lambda s: _RNG.normal(size=s)),
    ("logcosh", L.LogCosh(), lambda s: _RNG.normal(size=s), lambda s: _RNG.normal(size=s)),
    (
        "huber",
        L.Huber(delta=0.7),
        lambda s: np.zeros(s),
        lambda s: _RNG.choice([-2.0, -0.3, 0.4, 1.5], size=s),
    ),
    (
        "hinge",
        L.Hinge(),
        lambda s: _RNG.integers(0, 2, size=s).astype(float),
        lambda s: _RNG.uniform(-0.5, 0.5, size=s),
    ),
    (
        "sq_hinge",
        L.SquaredHinge(),
        lambda s: _RNG.integers(0, 2, size=s).astype(float),
        lambda s: _RNG.uniform(-0.5, 0.5, size=s),
    ),
    ("cat_hinge", L.CategoricalHinge(), _onehot, lambda s: _RNG.uniform(-0.5, 0.5, size=s)),
    ("kld", L.KLDivergence(), _probs, _probs),
    ("poisson", L.Poisson(), lambda s: _RNG.uniform(0, 3, size=s), lambda s: _RNG.uniform(0.5, 2, size=s)),
    (
        "bce",
        L.BinaryCrossentropy(),
        lambda s: _RNG.integers(0, 2, size=s).astype(float),
        lambda s: _RNG.uniform(0.1, 0.9, size=s),
    ),
    (
        "bce_logits",
        L.BinaryCrossentropy(from_logits=True, label_smoothing=0.1),
        lambda s: _RNG.integers(0, 2, size=s).astype(float),
        lambda s: _RNG.normal(size=s),
    ),
    (
        "bfce",
        L.BinaryFocalCrossentropy(apply_class_balancing=True),
        lambda s: _RNG.integers(0, 2, size=s).astype(float),
        lambda s: _RNG.uniform(0.1, 0.9, size=s),
    ),
    (
        "bfce_logits",
        L.BinaryFocalCrossentropy(from_logits=True),
        lambda s: _RNG.integers(0, 2, size=s).astype(float),
        lambda s: _RNG.normal(size=s),
    ),
    ("cce", L.CategoricalCrossentropy(label_smoothing=0.2), _onehot, _probs),
    ("cce_logits", L.CategoricalCrossentropy(from_logits=True), _onehot, lambda s: _RNG.normal(size=s)),
    ("cfce", L.CategoricalFocalCrossentropy(), _onehot, _probs),
    ("cfce_logits", L.CategoricalFocalCrossentropy(from_logits=True), _onehot, lambda s: _RNG.normal(size=s)),
]


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("name,loss,make_true,make_pred", CASES, ids=[c[0] for c in CASES])
def test_loss_gradients(name, loss, make_true, make_pred, shape):
    if name == "huber":  # huber computes in floatx, as Keras does
        tf.keras.backend.set_floatx("float64")
    try:
        _check(loss, make_true, make_pred, shape)
    finally:
        tf.keras.backend.set_floatx("float32")


def _check(loss, make_true, make_pred, shape):
    y_true = tf.constant(make_true(shape))
    weights = tf.constant(_RNG.uniform(0.5, 1.5, size=shape[:-1]))
    check_gradients(lambda y_pred: loss(y_true, y_pred, sample_weight=weights), [make_pred(shape)])


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("from_logits", [False, True])
def test_sparse_categorical_crossentropy_gradients(shape, from_logits):
    labels = tf.constant(_RNG.integers(0, shape[-1], size=shape[:-1]))
    pred = _RNG.normal(size=shape) if from_logits else _probs(shape)
    loss = L.SparseCategoricalCrossentropy(from_logits=from_logits)
    check_gradients(lambda y_pred: loss(labels, y_pred), [pred])


def test_ignore_class_gradients():
    labels = tf.constant([[0, 2, 1], [2, 2, 0]])
    loss = L.SparseCategoricalCrossentropy(from_logits=True, ignore_class=2)
    check_gradients(lambda y_pred: loss(labels, y_pred), [_RNG.normal(size=(2, 3, 4))])
