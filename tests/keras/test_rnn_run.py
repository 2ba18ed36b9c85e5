"""Recurrent layers through `run_layer_test`, a numpy reference of the LSTM / GRU / SimpleRNN step
equations, masks, states, the symbolic (unknown time) path, and gradients through time."""

import numpy as np
import pytest

import tensorweave as tf
from tests.gradcheck import check_gradients
from tests.keras.layer_test_utils import run_layer_test, xfail_if_missing

L = tf.keras.layers
rng = np.random.default_rng(0)


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


@pytest.mark.parametrize("cls,kwargs,out_shape", [
    (L.SimpleRNN, {"units": 3}, (2, 3)),
    (L.SimpleRNN, {"units": 3, "return_sequences": True, "go_backwards": True}, (2, 4, 3)),
    (L.LSTM, {"units": 3}, (2, 3)),
    (L.LSTM, {"units": 3, "return_sequences": True, "implementation": 1}, (2, 4, 3)),
    (L.LSTM, {"units": 2, "return_sequences": True, "unroll": True, "go_backwards": True}, (2, 4, 2)),
    (L.GRU, {"units": 3}, (2, 3)),
    (L.GRU, {"units": 3, "reset_after": False, "return_sequences": True}, (2, 4, 3)),
    (L.GRU, {"units": 2, "implementation": 1}, (2, 2)),
])
def test_recurrent_layers(cls, kwargs, out_shape):
    run_layer_test(cls, kwargs, input_shape=(2, 4, 5), expected_output_shape=out_shape,
                   expected_num_trainable_weights=3, rtol=1e-4, atol=1e-5)


def test_return_state_shapes():
    def body():
        out = L.LSTM(3, return_sequences=True, return_state=True)(tf.ones([2, 4, 5]))
        assert [o.shape.as_list() for o in out] == [[2, 4, 3], [2, 3], [2, 3]]
        out = L.GRU(3, return_state=True)(tf.ones([2, 4, 5]))
        assert [o.shape.as_list() for o in out] == [[2, 3], [2, 3]]
        np.testing.assert_allclose(out[0].numpy(), out[1].numpy())
    xfail_if_missing(body)


def test_lstm_matches_numpy_reference():
    def body():
        x = rng.normal(size=(2, 5, 3)).astype(np.float32)
        layer = L.LSTM(4, return_sequences=True)
        layer(x)
        k, rk, b = [w.numpy() for w in layer.weights]
        h = np.zeros((2, 4), np.float32)
        c = np.zeros((2, 4), np.float32)
        outs = []
        for t in range(5):
            z = x[:, t] @ k + h @ rk + b
            i, f, g, o = np.split(z, 4, axis=1)
            c = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
            h = _sigmoid(o) * np.tanh(c)
            outs.append(h)
        np.testing.assert_allclose(layer(x).numpy(), np.stack(outs, 1), rtol=1e-5, atol=1e-6)
    xfail_if_missing(body)


@pytest.mark.parametrize("reset_after", [True, False])
def test_gru_matches_numpy_reference(reset_after):
    def body():
        x = rng.normal(size=(2, 4, 3)).astype(np.float32)
        layer = L.GRU(2, reset_after=reset_after, bias_initializer="glorot_uniform")
        layer(x)
        k, rk, b = [w.numpy() for w in layer.weights]
        h = np.zeros((2, 2), np.float32)
        for t in range(4):
            xb = x[:, t] @ k + (b[0] if reset_after else b)
            xz, xr, xh = np.split(xb, 3, axis=1)
            if reset_after:
                inner = h @ rk + b[1]
                rz, rr, rh = np.split(inner, 3, axis=1)
                z, r = _sigmoid(xz + rz), _sigmoid(xr + rr)
                hh = np.tanh(xh + r * rh)
            else:
                z = _sigmoid(xz + h @ rk[:, :2])
                r = _sigmoid(xr + h @ rk[:, 2:4])
                hh = np.tanh(xh + (r * h) @ rk[:, 4:])
            h = z * h + (1 - z) * hh
        np.testing.assert_allclose(layer(x).numpy(), h, rtol=1e-5, atol=1e-6)
    xfail_if_missing(body)


def test_mask_carries_state_over_masked_steps():
    def body():
        x = rng.normal(size=(1, 4, 3)).astype(np.float32)
        layer = L.SimpleRNN(2, return_sequences=True)
        full = layer(x[:, :2]).numpy()
        masked = layer(x, mask=tf.constant([[True, True, False, False]])).numpy()
        np.testing.assert_allclose(masked[:, :2], full, rtol=1e-6)
        np.testing.assert_allclose(masked[:, 2], full[:, 1], rtol=1e-6)
        np.testing.assert_allclose(masked[:, 3], full[:, 1], rtol=1e-6)
    xfail_if_missing(body)


def test_unknown_time_dimension_runs_a_while_loop():
    def body():
        layer = L.GRU(3, return_sequences=True)
        x = rng.normal(size=(2, 5, 4)).astype(np.float32)
        eager = layer(x).numpy()
        f = tf.function(lambda t: layer(t), input_signature=[tf.TensorSpec([None, None, 4])])
        np.testing.assert_allclose(f(x).numpy(), eager, rtol=1e-5, atol=1e-6)
        inp = tf.keras.Input((None, 4))
        model = tf.keras.Model(inp, layer(inp))
        np.testing.assert_allclose(model(x).numpy(), eager, rtol=1e-5, atol=1e-6)
    xfail_if_missing(body)


def test_stateful_carries_states_between_calls():
    def body():
        layer = L.SimpleRNN(2, stateful=True)
        x = rng.normal(size=(1, 3, 2)).astype(np.float32)
        a = layer(x).numpy()
        b = layer(x).numpy()
        layer.reset_states()
        np.testing.assert_allclose(layer(x).numpy(), a, rtol=1e-6)
        assert not np.allclose(a, b)
        assert len(layer.weights) == 3
    xfail_if_missing(body)


def test_rnn_in_model_fit():
    def body():
        model = tf.keras.Sequential([L.LSTM(4, input_shape=(5, 3)), L.Dense(1)])
        model.compile(optimizer=tf.keras.optimizers.Adam(0.05), loss="mse")
        x = rng.normal(size=(16, 5, 3)).astype(np.float32)
        y = x.sum(axis=(1, 2))[:, None]
        hist = model.fit(x, y, epochs=5, batch_size=8, verbose=0)
        assert hist.history["loss"][-1] < hist.history["loss"][0]
    xfail_if_missing(body)


@pytest.mark.parametrize("make", [
    lambda: L.SimpleRNN(2, dtype="float64"),
    lambda: L.LSTM(2, return_sequences=True, dtype="float64"),
    lambda: L.GRU(2, go_backwards=True, dtype="float64"),
    lambda: L.GRU(2, reset_after=False, dtype="float64"),
    lambda: L.Bidirectional(L.LSTM(2, dtype="float64"), dtype="float64"),
])
def test_gradients_through_time(make):
    layer = make()
    x = rng.normal(size=(2, 3, 2))
    xfail_if_missing(layer, tf.constant(x))
    xfail_if_missing(check_gradients, lambda t: layer(t), [x], rtol=1e-5, atol=1e-6)
