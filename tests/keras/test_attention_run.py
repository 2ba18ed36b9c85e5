"""Attention, AdditiveAttention, MultiHeadAttention and EinsumDense: run_layer_test where the calling
convention allows, a numpy reference of scaled dot-product attention, masks, and gradients."""

import numpy as np
import pytest

import tensorweave as tf
from tests.gradcheck import check_gradients
from tests.keras.layer_test_utils import run_layer_test, xfail_if_missing

L = tf.keras.layers
rng = np.random.default_rng(0)


@pytest.mark.parametrize("cls,kwargs,n", [
    (L.Attention, {}, 0), (L.Attention, {"use_scale": True}, 1),
    (L.Attention, {"score_mode": "concat"}, 1), (L.AdditiveAttention, {}, 1),
    (L.AdditiveAttention, {"use_scale": False}, 0),
])
def test_dense_attention(cls, kwargs, n):
    run_layer_test(cls, kwargs, input_shape=[(2, 3, 4), (2, 5, 4)], expected_output_shape=(2, 3, 4),
                   expected_num_trainable_weights=n, check_functional=False)


def test_attention_matches_numpy():
    def body():
        q = rng.normal(size=(2, 3, 4)).astype(np.float32)
        v = rng.normal(size=(2, 5, 4)).astype(np.float32)
        out, scores = L.Attention()([q, v], return_attention_scores=True)
        s = q @ v.transpose(0, 2, 1)
        w = np.exp(s - s.max(-1, keepdims=True))
        w /= w.sum(-1, keepdims=True)
        np.testing.assert_allclose(scores.numpy(), w, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(out.numpy(), w @ v, rtol=1e-5, atol=1e-6)
    xfail_if_missing(body)


def test_mha_matches_numpy():
    def body():
        layer = L.MultiHeadAttention(num_heads=2, key_dim=3)
        q = rng.normal(size=(2, 4, 5)).astype(np.float32)
        v = rng.normal(size=(2, 6, 5)).astype(np.float32)
        out = layer(q, v).numpy()
        wq, bq, wk, bk, wv, bv, wo, bo = [w.numpy() for w in layer.weights]
        qp = np.einsum("btd,dhk->bthk", q, wq) + bq
        kp = np.einsum("bsd,dhk->bshk", v, wk) + bk
        vp = np.einsum("bsd,dhk->bshk", v, wv) + bv
        s = np.einsum("bshk,bthk->bhts", kp, qp / np.sqrt(3.0))
        w = np.exp(s - s.max(-1, keepdims=True))
        w /= w.sum(-1, keepdims=True)
        att = np.einsum("bhts,bshk->bthk", w, vp)
        ref = np.einsum("bthk,hkd->btd", att, wo) + bo
        np.testing.assert_allclose(out, ref, rtol=1e-4, atol=1e-5)
        assert layer.count_params() == 3 * (5 * 6 + 6) + 6 * 5 + 5
    xfail_if_missing(body)


def test_mha_functional_and_config():
    def body():
        q = tf.keras.Input((4, 8))
        v = tf.keras.Input((6, 8))
        layer = L.MultiHeadAttention(2, 4)
        model = tf.keras.Model([q, v], layer(q, v))
        x = [rng.normal(size=(2, 4, 8)).astype(np.float32), rng.normal(size=(2, 6, 8)).astype(np.float32)]
        np.testing.assert_allclose(model(x).numpy(), layer(*x).numpy(), rtol=1e-5, atol=1e-6)
        clone = L.MultiHeadAttention.from_config(layer.get_config())
        assert len(clone.weights) == 8
        clone.set_weights(layer.get_weights())
        np.testing.assert_allclose(clone(*x).numpy(), layer(*x).numpy(), rtol=1e-5, atol=1e-6)
    xfail_if_missing(body)


def test_einsum_dense():
    run_layer_test(L.EinsumDense, {"equation": "abc,cd->abd", "output_shape": (None, 3), "bias_axes": "d"},
                   input_shape=(2, 4, 2), expected_output_shape=(2, 4, 3), expected_num_trainable_weights=2)


@pytest.mark.parametrize("make", [
    lambda: (L.Attention(use_scale=True, dtype="float64"), True),
    lambda: (L.AdditiveAttention(dtype="float64"), True),
    lambda: (L.MultiHeadAttention(2, 2, dtype="float64"), False),
])
def test_attention_gradients(make):
    layer, as_list = make()
    q = rng.normal(size=(1, 3, 4))
    v = rng.normal(size=(1, 2, 4))
    fn = (lambda a, b: layer([a, b])) if as_list else (lambda a, b: layer(a, b))
    xfail_if_missing(fn, tf.constant(q), tf.constant(v))
    xfail_if_missing(check_gradients, fn, [q, v], rtol=1e-5, atol=1e-6)
