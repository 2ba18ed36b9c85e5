"""tf.data behaviour that fixtures cannot pin down: random orders, fast paths equal to the slow ones,
threads, iteration inside tf.function, Keras."""

import numpy as np
import pytest

import tensorweave as tf
from tensorweave._src.data import vectorize


def _preprocess(x, y):  # seed 004's MNIST preprocessing
    x = tf.cast(x, dtype=tf.float32) / 255.
    x = tf.reshape(x, [-1, 28 * 28])
    y = tf.cast(y, dtype=tf.int32)
    y = tf.one_hot(y, depth=10)
    return x, y


def _mnist_like(n=300):
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, (n, 28, 28), dtype=np.uint8), rng.integers(0, 10, n).astype(np.uint8)


def _elementwise_then_stack(ds_elems):
    return [np.stack(col) for col in zip(*ds_elems)]


def test_fused_map_batch_equals_per_element():
    x, y = _mnist_like(300)
    fused = list(tf.data.Dataset.from_tensor_slices((x, y)).map(_preprocess).batch(128))
    rows = [(a.numpy(), b.numpy()) for a, b in tf.data.Dataset.from_tensor_slices((x, y)).map(_preprocess)]
    assert [b[0].shape for b in fused] == [(128, 1, 784), (128, 1, 784), (44, 1, 784)]
    np.testing.assert_array_equal(np.concatenate([b[0].numpy() for b in fused]), np.stack([r[0] for r in rows]))
    np.testing.assert_array_equal(np.concatenate([b[1].numpy() for b in fused]), np.stack([r[1] for r in rows]))


@pytest.mark.parametrize("fn", [
    lambda x: tf.reduce_sum(x, axis=0),
    lambda x: tf.transpose(x) * 2 + tf.constant([1, 2], tf.int64),
    lambda x: tf.expand_dims(x, -1),
    lambda x: tf.squeeze(x[:1]),
    lambda x: x[:, 0],  # not vectorizable (strided slice): element by element
    lambda x: tf.where(x > 3, x, -x),
])
def test_vectorized_maps_match(fn):
    data = np.arange(24).reshape(4, 2, 3)
    fast = np.concatenate([b.numpy() for b in tf.data.Dataset.from_tensor_slices(data).map(fn).batch(3)])
    slow = np.stack([e.numpy() for e in tf.data.Dataset.from_tensor_slices(data).map(fn)])
    np.testing.assert_array_equal(fast, slow)


def test_vectorizer_rejects_stateful_and_unknown_ops():
    f = tf.function(lambda x: x + tf.random.uniform([3]))
    with pytest.raises(vectorize.NotVectorizable):
        vectorize.vectorize(f.get_concrete_function(tf.TensorSpec([3])).graph)
    g = tf.function(lambda x: tf.matmul(x, x))
    with pytest.raises(vectorize.NotVectorizable):
        vectorize.vectorize(g.get_concrete_function(tf.TensorSpec([3, 3])).graph)


def test_shuffle_batch_gathers_a_permutation_with_buffer_semantics():
    n, buf = 1000, 50
    ds = tf.data.Dataset.from_tensor_slices(np.arange(n)).map(lambda v: v * 2).shuffle(buf).batch(64)
    order = np.concatenate([b.numpy() for b in ds]) // 2
    assert sorted(order.tolist()) == list(range(n))
    # TF's buffer: output i comes from the first i + buffer_size input elements
    assert all(v < i + buf for i, v in enumerate(order.tolist()))
    again = np.concatenate([b.numpy() for b in ds]) // 2
    assert not np.array_equal(order, again)  # reshuffled each iteration


def test_shuffle_seeded_and_fixed_order():
    tf.random.set_seed(1)
    a = [int(v) for v in tf.data.Dataset.range(30).shuffle(10, seed=5, reshuffle_each_iteration=False)]
    ds = tf.data.Dataset.range(30).shuffle(10, seed=5, reshuffle_each_iteration=False)
    assert [int(v) for v in ds] == [int(v) for v in ds]
    assert sorted(a) == list(range(30))


def test_parallel_map_keeps_order_and_runs_python_in_threads():
    import threading

    seen = set()

    def work(v):
        seen.add(threading.get_ident())
        return v + 1

    ds = tf.data.Dataset.range(64).map(lambda x: tf.py_function(work, [x], tf.int64), num_parallel_calls=4)
    assert [int(v) for v in ds] == list(range(1, 65))
    assert seen and threading.get_ident() not in seen


def test_for_loop_over_dataset_inside_tf_function():
    # AutoGraph falls back to Python iteration for datasets: the loop unrolls at trace time
    ds = tf.data.Dataset.range(5)

    @tf.function
    def total():
        s = tf.constant(0, tf.int64)
        for x in ds:
            s += x
        return s

    assert int(total()) == sum(range(5))


def test_dataset_to_keras_fit_and_predict():
    x = np.random.default_rng(0).standard_normal((32, 3)).astype(np.float32)
    y = x.sum(axis=1, keepdims=True)
    model = tf.keras.Sequential([tf.keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    history = model.fit(tf.data.Dataset.from_tensor_slices((x, y)).shuffle(32).batch(8), epochs=3, verbose=0)
    assert len(history.history["loss"]) == 3
    assert model.predict(tf.data.Dataset.from_tensor_slices(x).batch(5), verbose=0).shape == (32, 1)


def test_map_error_keeps_original_traceback():
    def bad(v):
        raise ValueError("bad value")

    with pytest.raises(tf.errors.InvalidArgumentError, match="bad value") as info:
        list(tf.data.Dataset.range(2).map(lambda x: tf.py_function(bad, [x], tf.float32)))
    assert isinstance(info.value.__cause__, ValueError)
    assert "raise ValueError" in str(info.value)


def test_end_of_data():
    it = iter(tf.data.Dataset.range(1))
    next(it)
    with pytest.raises(StopIteration):
        next(it)
    with pytest.raises(tf.errors.OutOfRangeError):
        it.get_next()


def test_from_tensor_slices_dataframe_like_mixed_columns():
    class Series:  # what dict(pandas.DataFrame) holds: objects with .values/.dtype/.to_numpy()
        def __init__(self, a):
            self.values, self.dtype = a, a.dtype

        def to_numpy(self):
            return self.values

    frame = {"age": Series(np.array([63, 67])), "oldpeak": Series(np.array([2.3, 1.5])),
             "thal": Series(np.array(["fixed", "normal"], dtype=object))}
    ds = tf.data.Dataset.from_tensor_slices((frame, np.array([0, 1]))).batch(8)
    features, labels = next(ds.as_numpy_iterator())
    assert features["age"].dtype == np.int64 and features["oldpeak"].dtype == np.float64
    assert features["thal"].tolist() == [b"fixed", b"normal"]
    assert labels.tolist() == [0, 1]


def test_ignore_errors_drops_failing_elements():
    ds = tf.data.Dataset.from_tensor_slices(["1", "x", "3"]).map(lambda s: tf.strings.to_number(s, tf.int32))
    assert [int(v) for v in ds.ignore_errors()] == [1, 3]


def test_tfrecord_per_element_parse_is_fused(tmp_path):
    path = str(tmp_path / "r.tfrecord")
    with tf.io.TFRecordWriter(path) as w:
        for i in range(10):
            w.write(tf.train.Example(features=tf.train.Features(feature={
                "v": tf.train.Feature(int64_list=tf.train.Int64List(value=[i, i + 1]))})).SerializeToString())
    spec = {"v": tf.io.FixedLenFeature([2], tf.int64)}
    ds = tf.data.TFRecordDataset(path).map(lambda s: tf.io.parse_single_example(s, spec)["v"]).batch(4)
    out = np.concatenate([b.numpy() for b in ds])
    assert out.tolist() == [[i, i + 1] for i in range(10)]
    assert ds._input._batched_fn() is not None  # map + batch run as one parse_example per batch
