"""Bidirectional and TimeDistributed through `run_layer_test`, and their weights, masks and shapes."""

import numpy as np
import pytest

import tensorweave as tf
from tests.keras.layer_test_utils import run_layer_test, xfail_if_missing

L = tf.keras.layers


@pytest.mark.parametrize("kwargs,out_shape", [
    ({"layer": L.LSTM(3)}, (2, 6)),
    ({"layer": L.GRU(2, return_sequences=True), "merge_mode": "sum"}, (2, 4, 2)),
    ({"layer": L.SimpleRNN(2, return_sequences=True), "merge_mode": "ave"}, (2, 4, 2)),
    ({"layer": L.LSTM(2), "merge_mode": "mul"}, (2, 2)),
])
def test_bidirectional(kwargs, out_shape):
    run_layer_test(L.Bidirectional, kwargs, input_shape=(2, 4, 3), expected_output_shape=out_shape,
                   expected_num_trainable_weights=6, rtol=1e-4, atol=1e-5)


def test_bidirectional_weights_and_states():
    def body():
        layer = L.Bidirectional(L.LSTM(2, return_state=True))
        out = layer(tf.ones([2, 3, 4]))
        assert len(out) == 5 and out[0].shape.as_list() == [2, 4]
        p = layer.name
        assert [w.name for w in layer.weights] == [f"{p}/{d}_lstm/lstm_cell/{n}:0" for d in ("forward", "backward")
                                                   for n in ("kernel", "recurrent_kernel", "bias")]
        assert layer.layers == [layer.forward_layer, layer.backward_layer]
        assert layer.backward_layer.go_backwards
    xfail_if_missing(body)


@pytest.mark.parametrize("inner,shape,out_shape", [
    (lambda: L.Dense(3), (2, 4, 5), (2, 4, 3)),
    (lambda: L.Conv2D(2, 2), (1, 3, 3, 3, 1), (1, 3, 2, 2, 2)),
    (lambda: L.Flatten(), (2, 3, 2, 2), (2, 3, 4)),
])
def test_time_distributed(inner, shape, out_shape):
    run_layer_test(L.TimeDistributed, {"layer": inner()}, input_shape=shape, expected_output_shape=out_shape)


def test_time_distributed_user_layer_runs_step_by_step():
    def body():
        class Twice(L.Layer):
            def call(self, x):
                return x * 2

        x = np.arange(12, dtype=np.float32).reshape(2, 3, 2)
        np.testing.assert_allclose(L.TimeDistributed(Twice())(x).numpy(), x * 2)
    xfail_if_missing(body)
