"""Keras 2 metric base classes: `Metric` (stateful: update_state / result / reset_state), `Reduce`,
`Sum`, `Mean`, `MeanMetricWrapper` (a per-sample function averaged over samples), `MeanTensor`.

>>> import tensorweave as tf
>>> m = tf.keras.metrics.Mean()
>>> _ = m.update_state([1.0, 2.0, 3.0])
>>> print(m.result())
tf.Tensor(2.0, shape=(), dtype=float32)
"""

from __future__ import annotations

import numpy as np

from tensorweave._src.api_export import PublicNamespace, tf_export
from tensorweave._src.keras.engine.base_layer import Layer
from tensorweave._src.keras.losses.base import apply_valid_mask, get_mask, squeeze_or_expand_dimensions
from tensorweave._src.keras.metrics.metrics_utils import broadcast_weights

tf = PublicNamespace()


@tf_export("keras.metrics.Metric", "metrics.Metric")
class Metric(Layer):
    """A stateful metric: its state lives in non-trainable variables created by `add_weight`."""

    def __init__(self, name=None, dtype=None, **kwargs):
        super().__init__(name=name, dtype=dtype or "float32", **kwargs)
        self.stateful = True
        self.built = True

    def __call__(self, *args, **kwargs):
        """Updates the state and returns the current result."""
        self.update_state(*args, **kwargs)
        return _identity(self.result())

    def __str__(self):
        args = ",".join(f"{k}={v}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"

    def update_state(self, *args, **kwargs):
        raise NotImplementedError("Must be implemented in subclasses.")

    def result(self):
        raise NotImplementedError("Must be implemented in subclasses.")

    def reset_state(self) -> None:
        for v in self.variables:
            v.assign(tf.zeros(v.shape, dtype=v.dtype))

    def reset_states(self) -> None:
        self.reset_state()

    def merge_state(self, metrics) -> list:
        ops = []
        for metric in metrics:
            if len(self.weights) != len(metric.weights):
                raise ValueError(f"Metric {metric} is not compatible with {self}")
            for weight, weight_to_add in zip(self.weights, metric.weights):
                ops.append(weight.assign_add(weight_to_add))
        return ops

    def add_weight(self, name, shape=(), aggregation=None, synchronization=None, initializer=None,
                   dtype=None):
        return super().add_weight(
            name=name,
            shape=shape,
            dtype=dtype or self.dtype,
            initializer=initializer or "zeros",
            trainable=False,
        )

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)


class ListWrapper(list):
    """A list a Keras layer holds as an attribute: TF tracks it wrapped, so configs print
    `ListWrapper([...])`; it compares equal to the plain list."""

    def __repr__(self):
        return f"ListWrapper({list.__repr__(self)})"


def track_list(value):
    """`value` wrapped as TF's layer attribute tracking wraps lists."""
    return ListWrapper(value) if type(value) is list else value


def _identity(value):
    if isinstance(value, dict):
        return {k: tf.identity(v) for k, v in value.items()}
    return tf.identity(value)


class Reduce(Metric):
    """Sum, weighted mean or mean over all elements of the values seen."""

    def __init__(self, reduction: str, name, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.reduction = reduction
        self.total = self.add_weight("total", initializer="zeros")
        if reduction in ("sum_over_batch_size", "weighted_mean"):
            self.count = self.add_weight("count", initializer="zeros")

    def update_state(self, values, sample_weight=None):
        try:
            values = tf.cast(values, self.dtype)
        except (ValueError, TypeError):
            msg = f"The output of a metric function can only be a single Tensor. Received: {values}. "
            if isinstance(values, dict):
                msg += "To return a dict of values, implement a custom Metric subclass."
            raise RuntimeError(msg) from None
        if sample_weight is not None:
            sample_weight = tf.cast(sample_weight, self.dtype)
            values, _, sample_weight = squeeze_or_expand_dimensions(values, sample_weight=sample_weight)
            try:
                sample_weight = broadcast_weights(sample_weight, values)
            except ValueError:
                ndim, weight_ndim = values.shape.rank, sample_weight.shape.rank
                axes = list(range(weight_ndim, ndim))
                if self.reduction == "sum":
                    values = tf.reduce_sum(values, axis=axes)
                else:
                    values = tf.reduce_mean(values, axis=axes)
            values = tf.multiply(values, sample_weight)
        update_total = self.total.assign_add(tf.reduce_sum(values))
        if self.reduction == "sum":
            return update_total
        if self.reduction == "sum_over_batch_size" or sample_weight is None:
            num_values = tf.cast(tf.size(values), self.dtype)
        else:
            num_values = tf.reduce_sum(sample_weight)
        return self.count.assign_add(num_values)

    def result(self):
        if self.reduction == "sum":
            return tf.identity(self.total)
        return tf.math.divide_no_nan(self.total, self.count)


@tf_export("keras.metrics.Sum", "metrics.Sum")
class Sum(Reduce):
    def __init__(self, name="sum", dtype=None):
        super().__init__(reduction="sum", name=name, dtype=dtype)


@tf_export("keras.metrics.Mean", "metrics.Mean")
class Mean(Reduce):
    def __init__(self, name="mean", dtype=None):
        super().__init__(reduction="weighted_mean", name=name, dtype=dtype)


@tf_export("keras.metrics.MeanMetricWrapper", "metrics.MeanMetricWrapper")
class MeanMetricWrapper(Mean):
    """Averages `fn(y_true, y_pred, **kwargs)` over samples (weighted by `sample_weight`)."""

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        super().__init__(name=name, dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = tf.cast(y_true, self.dtype)
        y_pred = tf.cast(y_pred, self.dtype)
        y_pred, y_true = squeeze_or_expand_dimensions(y_pred, y_true)
        matches = self._fn(y_true, y_pred, **self._fn_kwargs)
        mask = get_mask(matches)
        sample_weight = apply_valid_mask(matches, sample_weight, mask, self.reduction)
        return super().update_state(matches, sample_weight=sample_weight)

    def get_config(self) -> dict:
        config = {"name": self.name, "dtype": self.dtype}
        for k, v in self._fn_kwargs.items():
            config[k] = v.numpy() if hasattr(v, "numpy") else v
        if type(self) is MeanMetricWrapper:
            config["fn"] = self._fn
        return config

    @classmethod
    def from_config(cls, config: dict):
        config = dict(config)
        fn = config.pop("fn", None)
        if cls is MeanMetricWrapper:
            from tensorweave._src.keras.metrics.registry import get

            return cls(get(fn), **config)
        return cls(**config)


@tf_export("keras.metrics.MeanTensor", "metrics.MeanTensor")
class MeanTensor(Metric):
    """Element-wise (weighted) mean of tensors of a fixed shape."""

    def __init__(self, name="mean_tensor", dtype=None, shape=None):
        super().__init__(name=name, dtype=dtype)
        self._shape = None
        self._total = None
        self._count = None
        self._built = False
        if shape is not None:
            self._build(shape)

    def _build(self, shape):
        self._shape = tf.TensorShape(shape)
        self._total = self.add_weight(name="total", shape=shape, initializer="zeros")
        self._count = self.add_weight(name="count", shape=shape, initializer="zeros")
        self._built = True

    @property
    def total(self):
        return self._total if self._built else None

    @property
    def count(self):
        return self._count if self._built else None

    def update_state(self, values, sample_weight=None):
        values = tf.cast(values, self.dtype)
        if not self._built:
            self._build(values.shape)
        elif values.shape != self._shape:
            raise ValueError(
                f"MeanTensor input values must always have the same shape. Expected shape (set "
                f"during the first call): {self._shape}. Got: {values.shape}."
            )
        num_values = tf.ones_like(values)
        if sample_weight is not None:
            sample_weight = tf.cast(sample_weight, self.dtype)
            values, _, sample_weight = squeeze_or_expand_dimensions(values, sample_weight=sample_weight)
            try:
                sample_weight = broadcast_weights(sample_weight, values)
            except ValueError:
                ndim, weight_ndim = values.shape.rank, sample_weight.shape.rank
                values = tf.reduce_mean(values, axis=list(range(weight_ndim, ndim)))
            num_values = tf.multiply(num_values, sample_weight)
            values = tf.multiply(values, sample_weight)
        self._total.assign_add(values)
        return self._count.assign_add(num_values)

    def result(self):
        if not self._built:
            raise ValueError(
                "MeanTensor does not have any value yet. Please call the MeanTensor instance or "
                "use `.update_state(value)` before retrieving the result."
            )
        return tf.math.divide_no_nan(self.total, self.count)

    def reset_state(self) -> None:
        if self._built:
            for v in self.variables:
                v.assign(np.zeros(v.shape.as_list(), dtype=v.dtype.as_numpy_dtype))


class SumOverBatchSize(Reduce):
    def __init__(self, name="sum_over_batch_size", dtype=None):
        super().__init__(reduction="sum_over_batch_size", name=name, dtype=dtype)


class SumOverBatchSizeMetricWrapper(SumOverBatchSize):
    def __init__(self, fn, name=None, dtype=None, **kwargs):
        super().__init__(name=name, dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = tf.cast(y_true, self.dtype)
        y_pred = tf.cast(y_pred, self.dtype)
        y_pred, y_true = squeeze_or_expand_dimensions(y_pred, y_true)
        matches = self._fn(y_true, y_pred, **self._fn_kwargs)
        mask = get_mask(matches)
        sample_weight = apply_valid_mask(matches, sample_weight, mask, self.reduction)
        return super().update_state(matches, sample_weight=sample_weight)

    def get_config(self) -> dict:
        config = {"name": self.name, "dtype": self.dtype}
        config.update(self._fn_kwargs)
        return config
