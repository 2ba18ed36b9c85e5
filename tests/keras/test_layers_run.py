"""Every layer through `run_layer_test` (eager, functional, Sequential, config round trip, tf.function)."""

import numpy as np
import pytest

import tensorweave as tf
from tests.keras.layer_test_utils import run_layer_test, xfail_if_missing

L = tf.keras.layers


# ---- activations -----------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs", [{"activation": "relu"}, {"activation": "tanh"}, {"activation": "linear"}])
def test_activation(kwargs):
    run_layer_test(L.Activation, kwargs, input_shape=(2, 3), expected_output_shape=(2, 3),
                   expected_num_trainable_weights=0)


@pytest.mark.parametrize("kwargs", [{}, {"max_value": 1.5}, {"max_value": 6}, {"threshold": 0.5},
                                    {"negative_slope": 0.1, "max_value": 2.0}, {"negative_slope": 0.2}])
def test_relu(kwargs):
    x = np.array([[-2.0, -0.5, 0.0, 0.3, 1.0, 7.0]], dtype=np.float32)
    slope = kwargs.get("negative_slope", 0.0)
    thr = kwargs.get("threshold", 0.0)
    expected = np.where(x >= 0, x, 0.0) if slope == 0 else np.where(x >= thr, x, slope * (x - thr))
    if thr:
        expected = np.where(x > thr, x, 0.0)
    if kwargs.get("max_value") is not None:
        expected = np.minimum(expected, kwargs["max_value"])
    run_layer_test(L.ReLU, kwargs, input_data=x, expected_output=expected)


def test_leaky_relu():
    x = np.array([[-2.0, 0.5]], dtype=np.float32)
    run_layer_test(L.LeakyReLU, {"alpha": 0.2}, input_data=x, expected_output=[[-0.4, 0.5]])


@pytest.mark.parametrize("kwargs,shape,n", [({}, (2, 3, 4), 12), ({"shared_axes": [1]}, (2, 3, 4), 4),
                                           ({"alpha_initializer": "ones", "shared_axes": 2}, (2, 3, 4), 3)])
def test_prelu(kwargs, shape, n):
    run_layer_test(L.PReLU, kwargs, input_shape=shape, expected_output_shape=shape,
                   expected_num_trainable_weights=1)


@pytest.mark.parametrize("alpha", [1.0, 0.5])
def test_elu(alpha):
    x = np.array([[-1.0, 2.0]], dtype=np.float32)
    run_layer_test(L.ELU, {"alpha": alpha}, input_data=x, expected_output=[[alpha * (np.exp(-1) - 1), 2.0]])


@pytest.mark.parametrize("kwargs", [{}, {"axis": 1}, {"axis": [1, 2]}])
def test_softmax(kwargs):
    out = run_layer_test(L.Softmax, kwargs, input_shape=(2, 3, 4), expected_output_shape=(2, 3, 4))
    axis = kwargs.get("axis", -1)
    np.testing.assert_allclose(out.sum(axis=tuple(axis) if isinstance(axis, list) else axis), 1.0, rtol=1e-5)


# ---- regularization ----------------------------------------------------------------------------------
@pytest.mark.parametrize("cls,kwargs,shape", [
    (L.Dropout, {"rate": 0.5}, (3, 4)), (L.Dropout, {"rate": 0.5, "noise_shape": [None, 1], "seed": 1}, (3, 4)),
    (L.SpatialDropout1D, {"rate": 0.5}, (2, 3, 4)), (L.SpatialDropout2D, {"rate": 0.5}, (2, 3, 3, 4)),
    (L.SpatialDropout2D, {"rate": 0.5, "data_format": "channels_first"}, (2, 3, 3, 4)),
    (L.GaussianNoise, {"stddev": 0.5}, (3, 4))])
def test_noise_layers_are_identity_at_inference(cls, kwargs, shape):
    x = np.random.default_rng(0).random(shape).astype(np.float32)
    run_layer_test(cls, kwargs, input_data=x, expected_output=x, expected_num_trainable_weights=0)


def test_dropout_training():
    def body():
        x = tf.ones([200, 50])
        y = L.Dropout(0.5)(x, training=True).numpy()
        assert set(np.unique(y)) <= {0.0, 2.0}
        assert 0.4 < (y == 0).mean() < 0.6
        # the noise shape repeats the pattern along axis 1
        y = L.Dropout(0.5, noise_shape=[None, 1])(x, training=True).numpy()
        assert all(len(set(row)) == 1 for row in y)
        y = L.SpatialDropout1D(0.5)(tf.ones([4, 5, 6]), training=True).numpy()
        assert (y == y[:, :1, :]).all()
        y = L.SpatialDropout2D(0.5, data_format="channels_first")(tf.ones([4, 3, 5, 6]), training=True).numpy()
        assert (y == y[:, :, :1, :1]).all()
        assert (L.Dropout(0.0)(x, training=True).numpy() == 1).all()
        y = L.GaussianNoise(1.0)(tf.zeros([1000]), training=True).numpy()
        assert 0.8 < y.std() < 1.2
    xfail_if_missing(body)


def test_dropout_training_propagates_through_model():
    def body():
        inp = tf.keras.Input((100,))
        model = tf.keras.Model(inp, L.Dropout(0.5)(inp))
        x = tf.ones([10, 100])
        assert (model(x).numpy() == 1).all()
        assert (model(x, training=True).numpy() == 0).any()
        seq = tf.keras.Sequential([L.Dense(100, kernel_initializer="identity", use_bias=False), L.Dropout(0.5)])
        assert (seq(x, training=True).numpy() == 0).any()
        assert (seq(x, training=False).numpy() == 1).all()
    xfail_if_missing(body)


# ---- reshaping ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs,shape,out", [({}, (2, 3, 4), (2, 12)), ({}, (2, 3), (2, 3)),
                                              ({"data_format": "channels_first"}, (2, 3, 4, 5), (2, 60))])
def test_flatten(kwargs, shape, out):
    run_layer_test(L.Flatten, kwargs, input_shape=shape, expected_output_shape=out)


def test_flatten_channels_first_order():
    x = np.arange(24, dtype=np.float32).reshape(1, 2, 3, 4)
    run_layer_test(L.Flatten, {"data_format": "channels_first"}, input_data=x,
                   expected_output=x.transpose(0, 2, 3, 1).reshape(1, -1))


@pytest.mark.parametrize("target,shape,out", [((2, -1), (3, 8), (3, 2, 4)), ((4, 2), (3, 8), (3, 4, 2)),
                                              ((-1,), (3, 2, 4), (3, 8))])
def test_reshape(target, shape, out):
    run_layer_test(L.Reshape, {"target_shape": target}, input_shape=shape, expected_output_shape=out)


def test_permute():
    x = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    run_layer_test(L.Permute, {"dims": (2, 1)}, input_data=x, expected_output=x.transpose(0, 2, 1))


def test_repeat_vector():
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    run_layer_test(L.RepeatVector, {"n": 2}, input_data=x, expected_output=np.stack([x, x], axis=1))


def test_lambda():
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    # marshalled bytecode is not byte-identical after a round trip: compare the rest of the config
    run_layer_test(L.Lambda, {"function": lambda t: t * 2 + 1}, input_data=x, expected_output=x * 2 + 1,
                   config_ignore_keys=("function",))
    run_layer_test(L.Lambda, {"function": lambda t, k: t * k, "arguments": {"k": 3.0}}, input_data=x,
                   expected_output=x * 3, config_ignore_keys=("function",))
    layer = L.Lambda(lambda t: tf.concat([t, t], -1), output_shape=(6,))
    assert layer.compute_output_shape((None, 3)).as_list() == [None, 6]


def test_zero_padding():
    x = np.ones((1, 2, 3), dtype=np.float32)
    out = run_layer_test(L.ZeroPadding1D, {"padding": (1, 2)}, input_data=x, expected_output_shape=(1, 5, 3))
    assert out[0, 0].sum() == 0 and out[0, -1].sum() == 0 and out[0, 1].sum() == 3
    x = np.ones((1, 2, 2, 3), dtype=np.float32)
    run_layer_test(L.ZeroPadding2D, {"padding": ((1, 0), (2, 1))}, input_data=x, expected_output_shape=(1, 3, 5, 3))
    run_layer_test(L.ZeroPadding2D, {"padding": 1, "data_format": "channels_first"}, input_data=x,
                   expected_output_shape=(1, 2, 4, 5))


def test_cropping():
    x = np.arange(30, dtype=np.float32).reshape(1, 5, 6)
    run_layer_test(L.Cropping1D, {"cropping": (1, 2)}, input_data=x, expected_output=x[:, 1:3])
    run_layer_test(L.Cropping1D, {"cropping": (1, 0)}, input_data=x, expected_output=x[:, 1:])
    x = np.arange(2 * 5 * 6 * 3, dtype=np.float32).reshape(2, 5, 6, 3)
    run_layer_test(L.Cropping2D, {"cropping": ((1, 2), (0, 1))}, input_data=x, expected_output=x[:, 1:3, 0:5])
    run_layer_test(L.Cropping2D, {"cropping": 1, "data_format": "channels_first"}, input_data=x,
                   expected_output=x[:, :, 1:5, 1:2])


def test_up_sampling():
    x = np.arange(12, dtype=np.float32).reshape(1, 4, 3)
    run_layer_test(L.UpSampling1D, {"size": 3}, input_data=x, expected_output=np.repeat(x, 3, axis=1))
    x = np.arange(2 * 2 * 3 * 2, dtype=np.float32).reshape(2, 2, 3, 2)
    run_layer_test(L.UpSampling2D, {"size": (2, 3)}, input_data=x,
                   expected_output=np.repeat(np.repeat(x, 2, 1), 3, 2))
    run_layer_test(L.UpSampling2D, {"size": 2, "data_format": "channels_first"}, input_data=x,
                   expected_output=np.repeat(np.repeat(x, 2, 2), 2, 3))
    run_layer_test(L.UpSampling2D, {"size": (2, 2), "interpolation": "bilinear"}, input_data=x,
                   expected_output_shape=(2, 4, 6, 2))


# ---- merging -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("cls,fn", [(L.Add, lambda a, b: a + b), (L.Subtract, lambda a, b: a - b),
                                    (L.Multiply, lambda a, b: a * b), (L.Average, lambda a, b: (a + b) / 2),
                                    (L.Maximum, np.maximum), (L.Minimum, np.minimum)])
def test_elementwise_merge(cls, fn):
    rng = np.random.default_rng(0)
    a, b = rng.random((2, 3)).astype(np.float32), rng.random((2, 3)).astype(np.float32)
    run_layer_test(cls, {}, input_data=[a, b], expected_output=fn(a, b))


def test_merge_broadcasts_ranks():
    a = np.ones((2, 3, 4), np.float32)
    b = np.arange(8, dtype=np.float32).reshape(2, 4)
    run_layer_test(L.Add, {}, input_data=[a, b], expected_output=a + b[:, None, :])


@pytest.mark.parametrize("axis", [-1, 1])
def test_concatenate(axis):
    a, b = np.ones((2, 3, 4), np.float32), np.zeros((2, 3, 4), np.float32)
    run_layer_test(L.Concatenate, {"axis": axis}, input_data=[a, b], expected_output=np.concatenate([a, b], axis))


@pytest.mark.parametrize("axes,normalize", [(1, False), (-1, True), ((2, 2), False), ((1, 2), False)])
def test_dot(axes, normalize):
    rng = np.random.default_rng(1)
    if axes == 1 or axes == -1:
        a, b = rng.random((2, 4)).astype(np.float32), rng.random((2, 4)).astype(np.float32)
        if normalize:
            a, b = a / np.linalg.norm(a, axis=1, keepdims=True), b / np.linalg.norm(b, axis=1, keepdims=True)
        expected = (a * b).sum(axis=1, keepdims=True)
        data = [a, b]
    elif axes == (2, 2):
        a, b = rng.random((2, 3, 4)).astype(np.float32), rng.random((2, 5, 4)).astype(np.float32)
        expected = np.einsum("bik,bjk->bij", a, b)
        data = [a, b]
    else:
        a, b = rng.random((2, 3, 4)).astype(np.float32), rng.random((2, 5, 3)).astype(np.float32)
        expected = np.einsum("bki,bjk->bij", a, b)
        data = [a, b]
    run_layer_test(L.Dot, {"axes": axes, "normalize": normalize}, input_data=data, expected_output=expected,
                   rtol=1e-5, atol=1e-5)


def test_functional_merge_forms():
    a, b = tf.keras.Input((3,)), tf.keras.Input((3,))
    for fn, layer_cls in [(L.add, L.Add), (L.subtract, L.Subtract), (L.multiply, L.Multiply),
                          (L.average, L.Average), (L.maximum, L.Maximum), (L.minimum, L.Minimum),
                          (L.concatenate, L.Concatenate)]:
        out = fn([a, b])
        assert isinstance(out._keras_history.layer, layer_cls)
    assert L.concatenate([a, b]).shape.as_list() == [None, 6]
    assert L.dot([a, b], axes=1).shape.as_list() == [None, 1]


# ---- preprocessing and embedding --------------------------------------------------------------------
def test_rescaling():
    x = np.array([[0, 128, 255]], dtype=np.int32)
    run_layer_test(L.Rescaling, {"scale": 1 / 255, "offset": -0.5}, input_data=x,
                   expected_output=x / 255 - 0.5, expected_output_dtype="float32", check_functional=False)
    run_layer_test(L.Rescaling, {"scale": 2.0}, input_shape=(2, 3), expected_output_shape=(2, 3))


def test_normalization_given_stats():
    x = np.array([[1.0, 2.0], [3.0, 6.0]], dtype=np.float32)
    run_layer_test(L.Normalization, {"mean": [1.0, 2.0], "variance": [4.0, 16.0]}, input_data=x,
                   expected_output=[[0.0, 0.0], [1.0, 1.0]])
    run_layer_test(L.Normalization, {"mean": [1.0, 2.0], "variance": [4.0, 16.0], "invert": True},
                   input_data=np.array([[0.0, 0.0], [1.0, 1.0]], np.float32), expected_output=x)


def test_normalization_adapt():
    def body():
        rng = np.random.default_rng(0)
        data = rng.normal(3.0, 2.0, size=(100, 3)).astype(np.float32)
        layer = L.Normalization()
        layer.adapt(data)
        np.testing.assert_allclose(layer.adapt_mean.numpy(), data.mean(0), rtol=1e-5)
        np.testing.assert_allclose(layer.adapt_variance.numpy(), data.var(0), rtol=1e-4)
        assert int(layer.count.numpy()) == 100
        out = layer(data).numpy()
        np.testing.assert_allclose(out.mean(0), 0, atol=1e-5)
        np.testing.assert_allclose(out.std(0), 1, rtol=1e-4)
        assert [w.name for w in layer.weights] == ["mean:0", "variance:0", "count:0"]  # built by adapt, outside a call
        layer2 = L.Normalization(axis=None)
        layer2.adapt(tf.constant(data))
        np.testing.assert_allclose(layer2.adapt_mean.numpy(), data.mean(), rtol=1e-5)
    tf.keras.backend.clear_session()
    xfail_if_missing(body)


@pytest.mark.parametrize("mode,data,expected", [
    ("multi_hot", [[0, 1], [2, 2]], [[1, 1, 0], [0, 0, 1]]),
    ("count", [[0, 1, 1], [2, 2, 0]], [[1, 2, 0], [1, 0, 2]]),
    ("one_hot", [0, 2], [[1, 0, 0], [0, 0, 1]])])
def test_category_encoding(mode, data, expected):
    run_layer_test(L.CategoryEncoding, {"num_tokens": 3, "output_mode": mode},
                   input_data=np.array(data, dtype=np.int32), expected_output=expected,
                   expected_output_dtype="float32")


def test_embedding():
    out = run_layer_test(L.Embedding, {"input_dim": 10, "output_dim": 4}, input_data=np.array([[1, 2], [3, 9]]),
                         expected_output_shape=(2, 2, 4), expected_output_dtype="float32",
                         expected_num_trainable_weights=1)
    assert out.shape == (2, 2, 4)
    layer = L.Embedding(5, 2, mask_zero=True, embeddings_initializer="ones")
    y = layer(tf.constant([[0, 1, 0]]))
    assert y._keras_mask.numpy().tolist() == [[False, True, False]]


# ---- normalization -----------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs,shape", [({}, (4, 3)), ({"axis": 1}, (4, 3, 2)), ({"axis": [1, 3]}, (4, 3, 2, 5)),
                                          ({"center": False, "scale": False}, (4, 3)),
                                          ({"momentum": 0.5, "epsilon": 0.1}, (2, 3, 3, 2))])
def test_batch_normalization(kwargs, shape):
    n_train = int(kwargs.get("center", True)) + int(kwargs.get("scale", True))
    run_layer_test(L.BatchNormalization, kwargs, input_shape=shape, expected_output_shape=shape,
                   expected_num_trainable_weights=n_train, expected_num_non_trainable_weights=2)


def test_batch_normalization_training_formula():
    def body():
        rng = np.random.default_rng(0)
        x = rng.normal(size=(6, 3)).astype(np.float32)
        layer = L.BatchNormalization(momentum=0.9, epsilon=0.01)
        y = layer(x, training=True).numpy()
        mean, var = x.mean(0), x.var(0)
        np.testing.assert_allclose(y, (x - mean) / np.sqrt(var + 0.01), rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(layer.moving_mean.numpy(), 0.1 * mean, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(layer.moving_variance.numpy(), 0.9 + 0.1 * var, rtol=1e-5)
        before = layer.moving_mean.numpy()
        layer(x)  # inference: no update
        layer(x, training=False)
        np.testing.assert_array_equal(layer.moving_mean.numpy(), before)
        layer.trainable = False  # frozen: inference mode even when training=True
        y = layer(x, training=True).numpy()
        np.testing.assert_array_equal(layer.moving_mean.numpy(), before)
        np.testing.assert_allclose(y, (x - before) / np.sqrt(layer.moving_variance.numpy() + 0.01), rtol=1e-5)
    xfail_if_missing(body)


@pytest.mark.parametrize("kwargs,shape", [({}, (2, 5)), ({"axis": [1, 2]}, (2, 3, 4)), ({"axis": 1}, (2, 3, 4)),
                                          ({"center": False}, (2, 5)), ({"epsilon": 1e-6}, (2, 3, 4))])
def test_layer_normalization(kwargs, shape):
    out = run_layer_test(L.LayerNormalization, kwargs, input_shape=shape, expected_output_shape=shape,
                         expected_num_trainable_weights=1 if kwargs.get("center") is False else 2)
    axis = tuple(np.atleast_1d(kwargs.get("axis", -1)))
    np.testing.assert_allclose(out.mean(axis=axis), 0, atol=1e-4)


@pytest.mark.parametrize("kwargs,shape", [({"groups": 2}, (2, 3, 4)), ({"groups": -1}, (2, 3, 4)),
                                          ({"groups": 1, "axis": 1}, (2, 4, 3)),
                                          ({"groups": 2, "scale": False}, (2, 2, 2, 4))])
def test_group_normalization(kwargs, shape):
    run_layer_test(L.GroupNormalization, kwargs, input_shape=shape, expected_output_shape=shape)


@pytest.mark.parametrize("kwargs", [{}, {"axis": [1, 2]}, {"axis": 1}])
def test_unit_normalization(kwargs):
    out = run_layer_test(L.UnitNormalization, kwargs, input_shape=(2, 3, 4), expected_output_shape=(2, 3, 4))
    axis = tuple(np.atleast_1d(kwargs.get("axis", -1)))
    np.testing.assert_allclose(np.sqrt((out ** 2).sum(axis=axis)), 1, rtol=1e-5)
