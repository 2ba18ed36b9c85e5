"""Convolution and pooling layers through `run_layer_test` (eager, functional, Sequential, config round
trip, tf.function), and gradients through them against central differences."""

import numpy as np
import pytest

import tensorweave as tf
from tests.gradcheck import check_gradients
from tests.keras.layer_test_utils import run_layer_test, xfail_if_missing

L = tf.keras.layers


@pytest.mark.parametrize("cls,kwargs,shape,out_shape,n_weights", [
    (L.Conv1D, {"filters": 3, "kernel_size": 3}, (2, 6, 2), (2, 4, 3), 2),
    (L.Conv1D, {"filters": 2, "kernel_size": 2, "padding": "causal", "dilation_rate": 2}, (2, 5, 2), (2, 5, 2), 2),
    (L.Conv1D, {"filters": 4, "kernel_size": 3, "groups": 2, "strides": 2, "padding": "same"}, (2, 7, 4),
     (2, 4, 4), 2),
    (L.Conv2D, {"filters": 3, "kernel_size": 3}, (2, 5, 5, 2), (2, 3, 3, 3), 2),
    (L.Conv2D, {"filters": 2, "kernel_size": (2, 3), "strides": 2, "padding": "same", "use_bias": False},
     (1, 5, 6, 2), (1, 3, 3, 2), 1),
    (L.Conv2D, {"filters": 4, "kernel_size": 3, "dilation_rate": 2, "activation": "relu"}, (1, 7, 7, 2),
     (1, 3, 3, 4), 2),
    (L.Conv2D, {"filters": 4, "kernel_size": 3, "groups": 2, "padding": "same"}, (1, 4, 4, 4), (1, 4, 4, 4), 2),
    (L.Conv3D, {"filters": 2, "kernel_size": 2}, (1, 3, 4, 3, 2), (1, 2, 3, 2, 2), 2),
    (L.Conv1DTranspose, {"filters": 2, "kernel_size": 3, "strides": 2}, (1, 4, 2), (1, 9, 2), 2),
    (L.Conv2DTranspose, {"filters": 2, "kernel_size": 3, "strides": 2, "padding": "same"}, (1, 3, 3, 2),
     (1, 6, 6, 2), 2),
    (L.Conv2DTranspose, {"filters": 1, "kernel_size": 3, "strides": 2, "output_padding": 1}, (1, 2, 2, 2),
     (1, 6, 6, 1), 2),
    (L.Conv2DTranspose, {"filters": 2, "kernel_size": 2, "strides": 2, "data_format": "channels_first"},
     (1, 2, 2, 3), (1, 2, 4, 6), 2),
    (L.Conv3DTranspose, {"filters": 2, "kernel_size": 2, "strides": 2}, (1, 2, 2, 2, 1), (1, 4, 4, 4, 2), 2),
    (L.DepthwiseConv2D, {"kernel_size": 3, "depth_multiplier": 2}, (1, 5, 5, 2), (1, 3, 3, 4), 2),
    (L.DepthwiseConv2D, {"kernel_size": 3, "padding": "same", "strides": 2, "use_bias": False}, (1, 6, 6, 3),
     (1, 3, 3, 3), 1),
    (L.DepthwiseConv2D, {"kernel_size": 2, "data_format": "channels_first"}, (1, 2, 4, 3), (1, 2, 3, 2), 2),
    (L.DepthwiseConv1D, {"kernel_size": 3, "depth_multiplier": 2}, (1, 5, 2), (1, 3, 4), 2),
    (L.SeparableConv2D, {"filters": 3, "kernel_size": 3}, (1, 5, 5, 2), (1, 3, 3, 3), 3),
    (L.SeparableConv2D, {"filters": 2, "kernel_size": 2, "depth_multiplier": 2, "dilation_rate": 2},
     (1, 5, 5, 2), (1, 3, 3, 2), 3),
    (L.SeparableConv1D, {"filters": 3, "kernel_size": 3, "padding": "causal"}, (1, 6, 2), (1, 6, 3), 3),
])
def test_conv_layers(cls, kwargs, shape, out_shape, n_weights):
    run_layer_test(cls, kwargs, input_shape=shape, expected_output_shape=out_shape,
                   expected_num_trainable_weights=n_weights, expected_num_non_trainable_weights=0, rtol=1e-4,
                   atol=1e-5)


@pytest.mark.parametrize("cls,kwargs,shape,out_shape", [
    (L.MaxPool1D, {}, (2, 5, 3), (2, 2, 3)),
    (L.MaxPool1D, {"pool_size": 3, "strides": 1, "padding": "same"}, (2, 5, 3), (2, 5, 3)),
    (L.AvgPool1D, {"pool_size": 2, "data_format": "channels_first"}, (2, 3, 5), (2, 3, 2)),
    (L.MaxPool2D, {}, (2, 5, 5, 2), (2, 2, 2, 2)),
    (L.MaxPool2D, {"pool_size": 3, "strides": 2, "padding": "same"}, (1, 5, 5, 2), (1, 3, 3, 2)),
    (L.AvgPool2D, {"pool_size": (2, 3)}, (1, 4, 6, 1), (1, 2, 2, 1)),
    (L.AvgPool2D, {"padding": "same", "strides": 1}, (1, 3, 3, 1), (1, 3, 3, 1)),
    (L.MaxPool3D, {}, (1, 4, 4, 4, 2), (1, 2, 2, 2, 2)),
    (L.AvgPool3D, {"data_format": "channels_first"}, (1, 2, 4, 4, 2), (1, 2, 2, 2, 1)),
    (L.GlobalAvgPool1D, {}, (2, 4, 3), (2, 3)),
    (L.GlobalAvgPool1D, {"keepdims": True}, (2, 4, 3), (2, 1, 3)),
    (L.GlobalMaxPool1D, {"data_format": "channels_first"}, (2, 4, 3), (2, 4)),
    (L.GlobalAvgPool2D, {}, (2, 3, 4, 2), (2, 2)),
    (L.GlobalMaxPool2D, {"keepdims": True}, (2, 3, 4, 2), (2, 1, 1, 2)),
    (L.GlobalAvgPool3D, {"data_format": "channels_first", "keepdims": True}, (1, 2, 3, 2, 2), (1, 2, 1, 1, 1)),
    (L.GlobalMaxPool3D, {}, (1, 2, 3, 2, 2), (1, 2)),
])
def test_pooling_layers(cls, kwargs, shape, out_shape):
    run_layer_test(cls, kwargs, input_shape=shape, expected_output_shape=out_shape,
                   expected_num_trainable_weights=0)


def test_global_average_pooling1d_mask():
    def body():
        x = np.arange(12, dtype=np.float32).reshape(1, 4, 3)
        mask = tf.constant([[True, False, True, False]])
        y = L.GlobalAvgPool1D()(tf.constant(x), mask=mask).numpy()
        np.testing.assert_allclose(y, (x[:, 0] + x[:, 2]) / 2)
    xfail_if_missing(body)


rng = np.random.default_rng(0)


@pytest.mark.parametrize("make,shape", [
    (lambda: L.Conv1D(2, 3, padding="causal", dtype="float64"), (1, 5, 2)),
    (lambda: L.Conv2D(2, 3, strides=2, padding="same", dtype="float64"), (1, 5, 5, 2)),
    (lambda: L.Conv2D(4, 2, groups=2, dilation_rate=2, dtype="float64"), (1, 5, 5, 4)),
    (lambda: L.Conv2DTranspose(2, 3, strides=2, dtype="float64"), (1, 2, 2, 2)),
    (lambda: L.DepthwiseConv2D(2, depth_multiplier=2, dtype="float64"), (1, 3, 3, 2)),
    (lambda: L.SeparableConv2D(2, 2, dtype="float64"), (1, 3, 3, 2)),
    (lambda: L.MaxPool2D(dtype="float64"), (1, 4, 4, 2)),
    (lambda: L.AvgPool1D(3, strides=2, padding="same", dtype="float64"), (1, 5, 2)),
    (lambda: L.GlobalAvgPool2D(dtype="float64"), (2, 3, 3, 2)),
    (lambda: L.GlobalMaxPool1D(dtype="float64"), (2, 4, 3)),
])
def test_input_gradients(make, shape):
    layer = make()
    x = rng.normal(size=shape)
    xfail_if_missing(layer, tf.constant(x))
    xfail_if_missing(check_gradients, lambda t: layer(t), [x], rtol=1e-5, atol=1e-6)


def test_conv2d_weight_gradients():
    def body():
        layer = L.Conv2D(2, 2, dtype="float64")
        x = tf.constant(rng.normal(size=(2, 3, 3, 1)))
        layer(x)
        kernel0 = layer.kernel.numpy()

        def loss(k):
            layer.kernel.assign(k)
            return tf.reduce_sum(layer(x) ** 2)

        with tf.GradientTape() as tape:
            y = tf.reduce_sum(layer(x) ** 2)
        g_kernel, g_bias = tape.gradient(y, [layer.kernel, layer.bias])
        eps = 1e-6
        num = np.zeros_like(kernel0)
        for idx in np.ndindex(kernel0.shape):
            kp, km = kernel0.copy(), kernel0.copy()
            kp[idx] += eps
            km[idx] -= eps
            num[idx] = (loss(kp).numpy() - loss(km).numpy()) / (2 * eps)
        layer.kernel.assign(kernel0)
        np.testing.assert_allclose(g_kernel.numpy(), num, rtol=1e-5, atol=1e-6)
        out = layer(x).numpy()
        np.testing.assert_allclose(g_bias.numpy(), (2 * out).sum(axis=(0, 1, 2)), rtol=1e-6)
    xfail_if_missing(body)
