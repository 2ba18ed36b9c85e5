"""Accuracy metrics: functions (per sample) and their stateful classes.

>>> import tensorweave as tf
>>> m = tf.keras.metrics.BinaryAccuracy()
>>> m.update_state([[1], [0]], [[0.7], [0.6]])
>>> print(m.result())
tf.Tensor(0.5, shape=(), dtype=float32)
"""

from __future__ import annotations

from tensorweave._src.api_export import PublicNamespace, export
from tensorweave._src.keras.metrics.base_metric import MeanMetricWrapper

tf = PublicNamespace()


def accuracy(y_true, y_pred):
    y_pred = tf.convert_to_tensor(y_pred)
    y_true = tf.cast(y_true, y_pred.dtype)
    return tf.cast(tf.equal(y_true, y_pred), "float32")


def binary_accuracy(y_true, y_pred, threshold=0.5):
    y_pred = tf.convert_to_tensor(y_pred)
    y_true = tf.cast(y_true, y_pred.dtype)
    predicted = tf.cast(tf.greater(y_pred, tf.cast(threshold, y_pred.dtype)), y_pred.dtype)
    return tf.reduce_mean(tf.cast(tf.equal(y_true, predicted), "float32"), axis=-1)


def categorical_accuracy(y_true, y_pred):
    return tf.cast(tf.equal(tf.argmax(y_true, axis=-1), tf.argmax(y_pred, axis=-1)), "float32")


def sparse_categorical_accuracy(y_true, y_pred):
    y_pred = tf.convert_to_tensor(y_pred)
    y_true = tf.convert_to_tensor(y_true)
    if y_true.shape.rank is not None and y_pred.shape.rank is not None and \
            y_true.shape.rank == y_pred.shape.rank and y_true.shape[-1] == 1:
        y_true = tf.squeeze(y_true, axis=-1)
    predicted = tf.argmax(y_pred, axis=-1)
    return tf.cast(tf.equal(tf.cast(y_true, "int64"), predicted), "float32")


class Accuracy(MeanMetricWrapper):
    def __init__(self, name="accuracy", dtype=None):
        super().__init__(accuracy, name, dtype=dtype)


class BinaryAccuracy(MeanMetricWrapper):
    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        super().__init__(binary_accuracy, name, dtype=dtype, threshold=threshold)


class CategoricalAccuracy(MeanMetricWrapper):
    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(categorical_accuracy, name, dtype=dtype)


class SparseCategoricalAccuracy(MeanMetricWrapper):
    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(sparse_categorical_accuracy, name, dtype=dtype)


for _obj in (accuracy, binary_accuracy, categorical_accuracy, sparse_categorical_accuracy, Accuracy,
             BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy):
    export("keras.metrics." + _obj.__name__, _obj)
