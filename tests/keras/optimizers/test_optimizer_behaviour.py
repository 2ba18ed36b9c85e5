"""Optimizer behaviour beyond the oracle fixtures: tf.function parity, one-time slot creation, warnings,
IndexedSlices handling and use from Keras training."""

import logging

import numpy as np
import pytest

import tensorweave as tf

_OPTIMIZERS = {
    "sgd": lambda: tf.keras.optimizers.SGD(0.1, momentum=0.9, nesterov=True),
    "adam": lambda: tf.keras.optimizers.Adam(0.1, amsgrad=True, clipnorm=1.0),
    "adamw": lambda: tf.keras.optimizers.AdamW(0.1, use_ema=True, ema_overwrite_frequency=2),
    "rmsprop": lambda: tf.keras.optimizers.RMSprop(0.1, momentum=0.5, centered=True),
    "adagrad": lambda: tf.keras.optimizers.Adagrad(0.1, global_clipnorm=1.0),
    "adadelta": lambda: tf.keras.optimizers.Adadelta(1.0),
    "adamax": lambda: tf.keras.optimizers.Adamax(0.1, clipvalue=0.5),
    "ftrl": lambda: tf.keras.optimizers.Ftrl(0.1, l1_regularization_strength=0.01),
    "lion": lambda: tf.keras.optimizers.Lion(0.1, weight_decay=0.1),
    "adafactor": lambda: tf.keras.optimizers.Adafactor(0.1),
    "schedule": lambda: tf.keras.optimizers.SGD(tf.keras.optimizers.schedules.CosineDecay(0.1, 5, warmup_target=0.2,
                                                                                         warmup_steps=2)),
}


def _train(make_opt, use_function, steps=4):
    w = tf.Variable([[1.0, -2.0, 3.0], [0.5, 0.25, -1.5]], name="w")
    b = tf.Variable([0.1, -0.2, 0.3], name="b")
    opt = make_opt()

    def step():
        opt.minimize(lambda: tf.reduce_sum(w * w * w) + tf.reduce_sum(b * b), [w, b])

    if use_function:
        step = tf.function(step)
    counts = []
    for _ in range(steps):
        step()
        counts.append(len(opt.variables))
    return w.numpy(), b.numpy(), counts, int(opt.iterations)


@pytest.mark.parametrize("name", sorted(_OPTIMIZERS))
def test_function_matches_eager_and_builds_once(name):
    eager = _train(_OPTIMIZERS[name], False)
    traced = _train(_OPTIMIZERS[name], True)
    np.testing.assert_allclose(traced[0], eager[0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(traced[1], eager[1], rtol=1e-5, atol=1e-6)
    assert traced[2] == eager[2] and len(set(traced[2])) == 1  # slots created on the first step only
    assert traced[3] == eager[3] == 4


def test_none_gradient_warns(caplog):
    opt = tf.keras.optimizers.SGD(0.1)
    w = tf.Variable(1.0, name="w")
    b = tf.Variable(1.0, name="b")
    with caplog.at_level(logging.WARNING):
        opt.apply_gradients([(tf.constant(1.0), w), (None, b)])
    assert "Gradients do not exist for variables ['b:0']" in caplog.text
    assert float(w) == pytest.approx(0.9) and float(b) == 1.0


def test_sparse_gradient_keeps_untouched_rows():
    e = tf.Variable(np.arange(8, dtype="float32").reshape(4, 2), name="e")
    opt = tf.keras.optimizers.Adam(0.1)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(tf.gather(e, [1, 1, 3]))
    grad = tape.gradient(loss, e)
    assert isinstance(grad, tf.IndexedSlices)
    opt.apply_gradients([(grad, e)])
    out = e.numpy()
    np.testing.assert_array_equal(out[[0, 2]], [[0, 1], [4, 5]])
    assert (out[[1, 3]] < np.array([[2, 3], [6, 7]])).all()


@pytest.mark.parametrize("name", ["adam", "sgd", "rmsprop", "adagrad", "nadam", "adamax", "ftrl", "adadelta"])
def test_keras_fit_with_optimizer_name(name):
    x = np.linspace(-1, 1, 16).reshape(8, 2).astype("float32")
    y = x.sum(axis=1, keepdims=True)
    model = tf.keras.Sequential([tf.keras.layers.Dense(1, kernel_initializer="zeros")])
    model.compile(optimizer=name, loss="mse")
    model.fit(x, y, batch_size=4, epochs=2, verbose=0)
    assert int(model.optimizer.iterations) == 4
    assert type(model.optimizer).__name__.lower() == name
