"""Cross-entropy and squared-error losses used by classifiers and regressors: functions and classes.

>>> import tensorweave as tf
>>> print(tf.keras.losses.sparse_categorical_crossentropy([1], [[0.1, 0.9]]))
tf.Tensor([0.10536055], shape=(1,), dtype=float32)
"""

from __future__ import annotations

from tensorweave._src.api_export import PublicNamespace, export
from tensorweave._src.keras import backend
from tensorweave._src.keras.losses.base import LossFunctionWrapper

tf = PublicNamespace()


def mean_squared_error(y_true, y_pred):
    y_pred = tf.convert_to_tensor(y_pred)
    y_true = tf.cast(y_true, y_pred.dtype)
    return tf.reduce_mean(tf.math.squared_difference(y_pred, y_true), axis=-1)


def _log_softmax(logits, axis):
    return logits - tf.reduce_logsumexp(logits, axis=axis, keepdims=True)


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    y_pred = tf.convert_to_tensor(y_pred)
    y_true = tf.cast(y_true, y_pred.dtype)
    if label_smoothing:
        num_classes = tf.cast(tf.shape(y_true)[axis], y_pred.dtype)
        y_true = y_true * (1.0 - label_smoothing) + (label_smoothing / num_classes)
    if from_logits:
        return -tf.reduce_sum(y_true * _log_softmax(y_pred, axis), axis=axis)
    y_pred = y_pred / tf.reduce_sum(y_pred, axis=axis, keepdims=True)
    eps = backend.epsilon()
    y_pred = tf.clip_by_value(y_pred, eps, 1.0 - eps)
    return -tf.reduce_sum(y_true * tf.math.log(y_pred), axis=axis)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, axis=-1, ignore_class=None):
    y_pred = tf.convert_to_tensor(y_pred)
    y_true = tf.convert_to_tensor(y_true)
    depth = y_pred.shape[axis]
    labels = tf.cast(y_true, "int32")
    if labels.shape.rank is not None and y_pred.shape.rank is not None and \
            labels.shape.rank == y_pred.shape.rank and labels.shape[-1] == 1:
        labels = tf.squeeze(labels, axis=-1)
    one_hot = tf.one_hot(labels, depth, dtype=y_pred.dtype)
    return categorical_crossentropy(one_hot, y_pred, from_logits=from_logits, axis=axis)


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    y_pred = tf.convert_to_tensor(y_pred)
    y_true = tf.cast(y_true, y_pred.dtype)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        # max(x, 0) - x * z + log(1 + exp(-|x|)), TF's stable sigmoid cross-entropy
        losses = tf.nn.relu(y_pred) - y_pred * y_true + tf.math.log1p(tf.exp(-tf.abs(y_pred)))
    else:
        eps = backend.epsilon()
        p = tf.clip_by_value(y_pred, eps, 1.0 - eps)
        losses = -(y_true * tf.math.log(p + eps) + (1.0 - y_true) * tf.math.log(1.0 - p + eps))
    return tf.reduce_mean(losses, axis=axis)


class MeanSquaredError(LossFunctionWrapper):
    def __init__(self, reduction="auto", name="mean_squared_error"):
        super().__init__(mean_squared_error, reduction=reduction, name=name)


class CategoricalCrossentropy(LossFunctionWrapper):
    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1, reduction="auto",
                 name="categorical_crossentropy"):
        super().__init__(categorical_crossentropy, reduction=reduction, name=name, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)


class SparseCategoricalCrossentropy(LossFunctionWrapper):
    def __init__(self, from_logits=False, ignore_class=None, reduction="auto",
                 name="sparse_categorical_crossentropy"):
        super().__init__(sparse_categorical_crossentropy, reduction=reduction, name=name,
                         from_logits=from_logits, ignore_class=ignore_class)


class BinaryCrossentropy(LossFunctionWrapper):
    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1, reduction="auto",
                 name="binary_crossentropy"):
        super().__init__(binary_crossentropy, reduction=reduction, name=name, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)


FUNCTIONS = {"mean_squared_error": mean_squared_error, "mse": mean_squared_error, "MSE": mean_squared_error,
             "categorical_crossentropy": categorical_crossentropy,
             "sparse_categorical_crossentropy": sparse_categorical_crossentropy,
             "binary_crossentropy": binary_crossentropy}
CLASSES = {c.__name__: c for c in (MeanSquaredError, CategoricalCrossentropy, SparseCategoricalCrossentropy,
                                    BinaryCrossentropy)}

for _name, _obj in {**FUNCTIONS, **CLASSES}.items():
    export("keras.losses." + _name, _obj)
