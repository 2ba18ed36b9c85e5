"""Regression losses (tf_keras 2.21): mean squared / absolute / absolute percentage / squared logarithmic
error, cosine similarity, log-cosh and Huber; functions (most also under `keras.metrics`) and classes.

>>> import tensorweave as tf
>>> print(tf.keras.losses.MAE([[1.0, 2.0]], [[2.0, 4.0]]))
tf.Tensor([1.5], shape=(1,), dtype=float32)
"""

from __future__ import annotations

from tensorweave._src.api_export import PublicNamespace
from tensorweave._src.keras import backend
from tensorweave._src.keras.losses.base import LossFunctionWrapper, export_all

tf = PublicNamespace()


def mean_squared_error(y_true, y_pred):
    y_pred = tf.convert_to_tensor(y_pred)
    y_true = tf.cast(y_true, y_pred.dtype)
    return tf.reduce_mean(tf.math.squared_difference(y_pred, y_true), axis=-1)


def mean_absolute_error(y_true, y_pred):
    y_pred = tf.convert_to_tensor(y_pred)
    y_true = tf.cast(y_true, y_pred.dtype)
    return tf.reduce_mean(tf.abs(y_pred - y_true), axis=-1)


def mean_absolute_percentage_error(y_true, y_pred):
    y_pred = tf.convert_to_tensor(y_pred)
    y_true = tf.cast(y_true, y_pred.dtype)
    diff = tf.abs((y_true - y_pred) / tf.maximum(tf.abs(y_true), backend.epsilon()))
    return 100.0 * tf.reduce_mean(diff, axis=-1)


def mean_squared_logarithmic_error(y_true, y_pred):
    y_pred = tf.convert_to_tensor(y_pred)
    y_true = tf.cast(y_true, y_pred.dtype)
    first_log = tf.math.log(tf.maximum(y_pred, backend.epsilon()) + 1.0)
    second_log = tf.math.log(tf.maximum(y_true, backend.epsilon()) + 1.0)
    return tf.reduce_mean(tf.math.squared_difference(first_log, second_log), axis=-1)


def cosine_similarity(y_true, y_pred, axis=-1):
    """Negative cosine similarity (the loss; `tf.keras.metrics.cosine_similarity` is positive)."""
    y_true = tf.linalg.l2_normalize(y_true, axis=axis)
    y_pred = tf.linalg.l2_normalize(y_pred, axis=axis)
    return -tf.reduce_sum(y_true * y_pred, axis=axis)


def log_cosh(y_true, y_pred):
    y_pred = tf.convert_to_tensor(y_pred)
    y_true = tf.cast(y_true, y_pred.dtype)

    def _logcosh(x):
        return x + tf.math.softplus(-2.0 * x) - tf.cast(tf.math.log(2.0), x.dtype)

    return tf.reduce_mean(_logcosh(y_pred - y_true), axis=-1)


def huber(y_true, y_pred, delta=1.0):
    y_pred = tf.cast(y_pred, dtype=backend.floatx())
    y_true = tf.cast(y_true, dtype=backend.floatx())
    delta = tf.cast(delta, dtype=backend.floatx())
    error = tf.subtract(y_pred, y_true)
    abs_error = tf.abs(error)
    half = tf.convert_to_tensor(0.5, dtype=abs_error.dtype)
    return tf.reduce_mean(
        tf.where(abs_error <= delta, half * tf.square(error), delta * abs_error - half * tf.square(delta)),
        axis=-1,
    )


class MeanSquaredError(LossFunctionWrapper):
    def __init__(self, reduction="auto", name="mean_squared_error"):
        super().__init__(mean_squared_error, name=name, reduction=reduction)


class MeanAbsoluteError(LossFunctionWrapper):
    def __init__(self, reduction="auto", name="mean_absolute_error"):
        super().__init__(mean_absolute_error, name=name, reduction=reduction)


class MeanAbsolutePercentageError(LossFunctionWrapper):
    def __init__(self, reduction="auto", name="mean_absolute_percentage_error"):
        super().__init__(mean_absolute_percentage_error, name=name, reduction=reduction)


class MeanSquaredLogarithmicError(LossFunctionWrapper):
    def __init__(self, reduction="auto", name="mean_squared_logarithmic_error"):
        super().__init__(mean_squared_logarithmic_error, name=name, reduction=reduction)


class CosineSimilarity(LossFunctionWrapper):
    def __init__(self, axis=-1, reduction="auto", name="cosine_similarity"):
        super().__init__(cosine_similarity, reduction=reduction, name=name, axis=axis)


class LogCosh(LossFunctionWrapper):
    def __init__(self, reduction="auto", name="log_cosh"):
        super().__init__(log_cosh, name=name, reduction=reduction)


class Huber(LossFunctionWrapper):
    def __init__(self, delta=1.0, reduction="auto", name="huber_loss"):
        super().__init__(huber, name=name, reduction=reduction, delta=delta)


export_all(mean_squared_error, "mean_squared_error", "mse", "MSE", metrics=True)
export_all(mean_absolute_error, "mean_absolute_error", "mae", "MAE", metrics=True)
export_all(mean_absolute_percentage_error, "mean_absolute_percentage_error", "mape", "MAPE", metrics=True)
export_all(mean_squared_logarithmic_error, "mean_squared_logarithmic_error", "msle", "MSLE", metrics=True)
export_all(log_cosh, "log_cosh", "logcosh", metrics=True)
export_all(cosine_similarity, "cosine_similarity")
export_all(huber, "huber")
for _cls in (
    MeanSquaredError,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError,
    CosineSimilarity,
    LogCosh,
    Huber,
):
    export_all(_cls, _cls.__name__)
