"""Training-loop behaviour that needs no oracle: separable data is learnt exactly, fit equals a hand-written
GradientTape loop on fixed weights, bad input fails before any weight changes, and an interrupted fit
leaves usable weights and the History of its finished epochs."""

import numpy as np
import pytest

import tensorweave as tf

L = tf.keras.layers


def _data(n=64, seed=0):
    rng = np.random.RandomState(seed)
    x = rng.uniform(-1, 1, size=(4 * n, 2)).astype("float32")
    x = x[np.abs(x[:, 0] + 0.5 * x[:, 1]) > 0.25][:n]  # a margin around the separating line
    y = (x[:, 0] + 0.5 * x[:, 1] > 0).astype("float32")
    return x, y


def _model(units=1, activation="sigmoid", seed=1):
    tf.keras.backend.clear_session()
    m = tf.keras.Sequential([L.Dense(units, activation=activation, input_shape=(2,))])
    rng = np.random.RandomState(seed)
    m.set_weights([rng.normal(size=w.shape).astype("float32") * 0.1 for w in m.weights])
    return m


def test_fit_separable_data_reaches_accuracy_one():
    x, y = _data()
    m = _model()
    m.compile(tf.keras.optimizers.SGD(0.5), "binary_crossentropy", metrics=["accuracy"])
    h = m.fit(x, y, batch_size=8, epochs=60, verbose=0)
    assert h.history["accuracy"][-1] == 1.0
    assert m.evaluate(x, y, verbose=0, return_dict=True)["accuracy"] == 1.0
    assert h.history["loss"][-1] < h.history["loss"][0]


def test_fit_equals_custom_gradient_tape_loop():
    x, y = _data(40)
    m1, m2 = _model(), _model()
    m1.compile(tf.keras.optimizers.SGD(0.1), "binary_crossentropy")
    h = m1.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0)
    opt = tf.keras.optimizers.SGD(0.1)
    loss_fn = tf.keras.losses.BinaryCrossentropy()
    epoch_losses = []
    for _ in range(3):
        mean = tf.keras.metrics.Mean()
        for k in range(0, 40, 8):
            xb, yb = tf.constant(x[k:k + 8]), tf.constant(y[k:k + 8, None])
            with tf.GradientTape() as tape:
                loss = loss_fn(yb, m2(xb, training=True))
            grads = tape.gradient(loss, m2.trainable_variables)
            opt.apply_gradients(zip(grads, m2.trainable_variables))
            mean.update_state(loss, sample_weight=8)
        epoch_losses.append(float(mean.result()))
    for a, b in zip(m1.get_weights(), m2.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(h.history["loss"], epoch_losses, rtol=1e-5)


def _unchanged(m, before):
    for a, b in zip(m.get_weights(), before):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("case", ["lengths", "label_shape", "loss_name", "metric_name", "input_rank",
                                  "dataset_structure", "dataset_no_targets"])
def test_bad_input_raises_before_weights_change(case):
    x, y = _data(10)
    m = _model(3, "softmax")
    before = m.get_weights()
    loss, metrics = "sparse_categorical_crossentropy", None
    kwargs = {"x": x, "y": (y * 2).astype("int32")}
    expected = ValueError
    if case == "lengths":
        kwargs["y"] = kwargs["y"][:9]
        match = "x sizes: 10\n  y sizes: 9"
    elif case == "label_shape":
        loss = "categorical_crossentropy"
        kwargs["y"] = np.ones((10, 2), "float32")
        match = r"Shapes \(None, 2\) and \(None, 3\) are incompatible"  # TF: 10 samples, batches of 32
    elif case == "loss_name":
        loss = "no_such_loss"
        match = "Unknown loss function: 'no_such_loss'"
    elif case == "metric_name":
        metrics = ["no_such_metric"]
        expected, match = TypeError, "not callable"
    elif case == "input_rank":
        kwargs["x"] = np.ones((10,), "float32")
        match = "expected min_ndim=2, found ndim=1"
    elif case == "dataset_structure":
        kwargs = {"x": tf.data.Dataset.from_tensor_slices((x, y, y, y)).batch(5)}
        match = r"Data is expected to be in format `x`, `\(x,\)`, `\(x, y\)`, or `\(x, y, sample_weight\)`"
    else:
        kwargs = {"x": tf.data.Dataset.from_tensor_slices(x).batch(5)}
        match = "Target data is missing"
    m.compile("sgd", loss, metrics=metrics)
    with pytest.raises(expected, match=match):
        m.fit(verbose=0, **kwargs)
    _unchanged(m, before)


def test_unknown_optimizer_fails_at_compile():
    m = _model()
    with pytest.raises(ValueError, match="Unknown optimizer: 'nope'"):
        m.compile("nope", "mse")


class _Stop(tf.keras.callbacks.Callback):
    def __init__(self, exc, epoch):
        super().__init__()
        self.exc, self.epoch = exc, epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.epoch == self._current and batch == 1:
            raise self.exc

    def on_epoch_begin(self, epoch, logs=None):
        self._current = epoch


@pytest.mark.parametrize("exc", [KeyboardInterrupt(), RuntimeError("boom")])
def test_interrupted_fit_keeps_usable_weights_and_history(exc):
    x, y = _data(40)
    m = _model()
    m.compile(tf.keras.optimizers.SGD(0.1), "binary_crossentropy", metrics=["accuracy"])
    with pytest.raises(type(exc)):
        m.fit(x, y, batch_size=8, epochs=5, verbose=0, callbacks=[_Stop(exc, 2)])
    assert m.history.epoch == [0, 1]
    assert len(m.history.history["loss"]) == 2
    assert all(np.isfinite(w).all() for w in m.get_weights())
    assert np.isfinite(m.predict(x, verbose=0)).all()
    h = m.fit(x, y, batch_size=8, epochs=1, verbose=0)  # the model trains on afterwards
    assert h.epoch == [0]
