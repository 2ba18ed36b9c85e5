"""Hinge losses (tf_keras 2.21): hinge, squared hinge (labels in {0, 1} are mapped to {-1, 1}) and
categorical hinge; functions and classes.

>>> import tensorweave as tf
>>> print(tf.keras.losses.hinge([[0.0, 1.0]], [[0.6, 0.4]]))
tf.Tensor([1.1], shape=(1,), dtype=float32)
"""

from __future__ import annotations

from tensorweave._src.api_export import PublicNamespace
from tensorweave._src.keras.losses.base import LossFunctionWrapper, export_all

tf = PublicNamespace()


def _maybe_convert_labels(y_true):
    """Maps labels in {0, 1} to {-1, 1}; other labels are kept (checked on the values, as Keras does)."""
    is_binary = tf.reduce_all(tf.logical_or(tf.equal(y_true, 0), tf.equal(y_true, 1)))
    return tf.where(is_binary, 2.0 * y_true - 1.0, y_true)


def squared_hinge(y_true, y_pred):
    y_pred = tf.convert_to_tensor(y_pred)
    y_true = tf.cast(y_true, y_pred.dtype)
    y_true = _maybe_convert_labels(y_true)
    return tf.reduce_mean(tf.square(tf.maximum(1.0 - y_true * y_pred, 0.0)), axis=-1)


def hinge(y_true, y_pred):
    y_pred = tf.convert_to_tensor(y_pred)
    y_true = tf.cast(y_true, y_pred.dtype)
    y_true = _maybe_convert_labels(y_true)
    return tf.reduce_mean(tf.maximum(1.0 - y_true * y_pred, 0.0), axis=-1)


def categorical_hinge(y_true, y_pred):
    y_pred = tf.convert_to_tensor(y_pred)
    y_true = tf.cast(y_true, y_pred.dtype)
    pos = tf.reduce_sum(y_true * y_pred, axis=-1)
    neg = tf.reduce_max((1.0 - y_true) * y_pred, axis=-1)
    zero = tf.cast(0.0, y_pred.dtype)
    return tf.maximum(neg - pos + 1.0, zero)


class Hinge(LossFunctionWrapper):
    def __init__(self, reduction="auto", name="hinge"):
        super().__init__(hinge, name=name, reduction=reduction)


class SquaredHinge(LossFunctionWrapper):
    def __init__(self, reduction="auto", name="squared_hinge"):
        super().__init__(squared_hinge, name=name, reduction=reduction)


class CategoricalHinge(LossFunctionWrapper):
    def __init__(self, reduction="auto", name="categorical_hinge"):
        super().__init__(categorical_hinge, name=name, reduction=reduction)


export_all(hinge, "hinge", metrics=True)
export_all(squared_hinge, "squared_hinge", metrics=True)
export_all(categorical_hinge, "categorical_hinge")
for _cls in (Hinge, SquaredHinge, CategoricalHinge):
    export_all(_cls, _cls.__name__)
