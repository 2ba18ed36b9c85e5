"""Accuracy metrics: functions (per sample) and their stateful classes, as tf_keras 2.21 (inputs are cast
to the metric's dtype; a trailing size-1 label dimension is squeezed).

>>> import tensorweave as tf
>>> m = tf.keras.metrics.BinaryAccuracy()
>>> _ = m.update_state([[1], [0]], [[0.7], [0.6]])
>>> print(m.result())
tf.Tensor(0.5, shape=(), dtype=float32)
"""

from __future__ import annotations

from tensorweave._src.api_export import PublicNamespace, export
from tensorweave._src.keras import backend
from tensorweave._src.keras.metrics import metrics_utils
from tensorweave._src.keras.metrics.base_metric import MeanMetricWrapper

tf = PublicNamespace()


def accuracy(y_true, y_pred):
    y_true = tf.convert_to_tensor(y_true)
    y_pred = tf.convert_to_tensor(y_pred)
    y_true.shape.assert_is_compatible_with(y_pred.shape)
    if y_true.dtype != y_pred.dtype:
        y_pred = tf.cast(y_pred, y_true.dtype)
    return tf.cast(tf.equal(y_true, y_pred), backend.floatx())


def binary_accuracy(y_true, y_pred, threshold=0.5):
    return tf.reduce_mean(metrics_utils.binary_matches(y_true, y_pred, threshold), axis=-1)


def categorical_accuracy(y_true, y_pred):
    return metrics_utils.sparse_categorical_matches(tf.math.argmax(y_true, axis=-1), y_pred)


def sparse_categorical_accuracy(y_true, y_pred):
    matches = metrics_utils.sparse_categorical_matches(y_true, y_pred)
    if matches.shape.rank > 1 and matches.shape[-1] == 1:
        matches = tf.squeeze(matches, [-1])
    return matches


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    return metrics_utils.sparse_top_k_categorical_matches(tf.math.argmax(y_true, axis=-1), y_pred, k)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5):
    return metrics_utils.sparse_top_k_categorical_matches(y_true, y_pred, k)


def _categorical_matches(y_true, y_pred):
    return metrics_utils.sparse_categorical_matches(tf.math.argmax(y_true, axis=-1), y_pred)


def _top_k_matches(yt, yp, k):
    return metrics_utils.sparse_top_k_categorical_matches(tf.math.argmax(yt, axis=-1), yp, k)


class Accuracy(MeanMetricWrapper):
    def __init__(self, name="accuracy", dtype=None):
        super().__init__(accuracy, name, dtype=dtype)


class BinaryAccuracy(MeanMetricWrapper):
    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        super().__init__(metrics_utils.binary_matches, name, dtype=dtype, threshold=threshold)


class CategoricalAccuracy(MeanMetricWrapper):
    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(_categorical_matches, name, dtype=dtype)


class SparseCategoricalAccuracy(MeanMetricWrapper):
    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(metrics_utils.sparse_categorical_matches, name, dtype=dtype)


class TopKCategoricalAccuracy(MeanMetricWrapper):
    def __init__(self, k=5, name="top_k_categorical_accuracy", dtype=None):
        super().__init__(_top_k_matches, name, dtype=dtype, k=k)


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    def __init__(self, k=5, name="sparse_top_k_categorical_accuracy", dtype=None):
        super().__init__(metrics_utils.sparse_top_k_categorical_matches, name, dtype=dtype, k=k)


for _obj in (
    binary_accuracy,
    categorical_accuracy,
    sparse_categorical_accuracy,
    top_k_categorical_accuracy,
    sparse_top_k_categorical_accuracy,
    Accuracy,
    BinaryAccuracy,
    CategoricalAccuracy,
    SparseCategoricalAccuracy,
    TopKCategoricalAccuracy,
    SparseTopKCategoricalAccuracy,
):
    export("keras.metrics." + _obj.__name__, _obj)
    export("metrics." + _obj.__name__, _obj)
