"""Keras 2 metric base classes: `Metric` (stateful: update_state / result / reset_state), `Reduce`,
`Sum`, `Mean`, `MeanMetricWrapper` (a per-sample function averaged over samples).

>>> import tensorweave as tf
>>> m = tf.keras.metrics.Mean()
>>> m.update_state([1.0, 2.0, 3.0])
>>> print(m.result())
tf.Tensor(2.0, shape=(), dtype=float32)
"""

from __future__ import annotations

from tensorweave._src.api_export import PublicNamespace, tf_export
from tensorweave._src.keras.engine.base_layer import Layer
from tensorweave._src.module.module import camel_to_snake

tf = PublicNamespace()


@tf_export("keras.metrics.Metric")
class Metric(Layer):
    """A stateful metric: its state lives in non-trainable variables created by `add_weight`."""

    def __init__(self, name=None, dtype=None, **kwargs):
        super().__init__(name=name or camel_to_snake(type(self).__name__), dtype=dtype or "float32", **kwargs)
        self.stateful = True
        self.built = True

    def __call__(self, *args, **kwargs):
        """Updates the state and returns the current result."""
        self.update_state(*args, **kwargs)
        return self.result()

    def update_state(self, *args, **kwargs):
        raise NotImplementedError("Must be implemented in subclasses.")

    def result(self):
        raise NotImplementedError("Must be implemented in subclasses.")

    def reset_state(self) -> None:
        for v in self.variables:
            v.assign(tf.zeros(v.shape, dtype=v.dtype))

    def reset_states(self) -> None:
        self.reset_state()

    def add_weight(self, name, shape=(), aggregation=None, synchronization=None, initializer=None, dtype=None,
                   **kwargs):
        return super().add_weight(name=name, shape=shape, dtype=dtype or self.dtype,
                                  initializer=initializer or "zeros", trainable=False)

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)


class Reduce(Metric):
    """Sum or weighted mean of the values seen."""

    def __init__(self, reduction: str, name, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.reduction = reduction
        self.total = self.add_weight("total", initializer="zeros")
        if reduction in ("weighted_mean", "sum_over_batch_size"):
            self.count = self.add_weight("count", initializer="zeros")

    def update_state(self, values, sample_weight=None):
        values = tf.cast(values, self.dtype)
        if sample_weight is not None:
            sample_weight = tf.cast(sample_weight, self.dtype)
            values, sample_weight = _match_weight_rank(values, sample_weight)
            values = values * sample_weight
        self.total.assign_add(tf.reduce_sum(values))
        if self.reduction == "sum":
            return
        if sample_weight is None:
            num = tf.cast(tf.size(values), self.dtype)
        else:
            num = tf.reduce_sum(sample_weight * tf.ones_like(values))
        self.count.assign_add(num)

    def result(self):
        if self.reduction == "sum":
            return tf.identity(self.total)
        return tf.math.divide_no_nan(self.total, self.count)


def _match_weight_rank(values, sample_weight):
    """Squeezes or expands `sample_weight` so it broadcasts against `values`, as Keras does."""
    vr, wr = values.shape.rank, sample_weight.shape.rank
    if vr is not None and wr is not None:
        if wr == vr + 1 and sample_weight.shape[-1] == 1:
            sample_weight = tf.squeeze(sample_weight, axis=-1)
        elif vr == wr + 1 and values.shape[-1] == 1:
            values = tf.squeeze(values, axis=-1)
        while sample_weight.shape.rank < values.shape.rank:
            sample_weight = tf.expand_dims(sample_weight, -1)
    return values, sample_weight


@tf_export("keras.metrics.Sum")
class Sum(Reduce):
    def __init__(self, name="sum", dtype=None):
        super().__init__("sum", name=name, dtype=dtype)


@tf_export("keras.metrics.Mean")
class Mean(Reduce):
    def __init__(self, name="mean", dtype=None):
        super().__init__("weighted_mean", name=name, dtype=dtype)


@tf_export("keras.metrics.MeanMetricWrapper")
class MeanMetricWrapper(Mean):
    """Averages `fn(y_true, y_pred, **kwargs)` over samples (weighted by `sample_weight`)."""

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        super().__init__(name=name or getattr(fn, "__name__", "mean_metric_wrapper"), dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = tf.convert_to_tensor(y_true)
        y_pred = tf.convert_to_tensor(y_pred)
        if y_true.dtype != y_pred.dtype and y_pred.dtype.is_floating:
            y_true = tf.cast(y_true, y_pred.dtype)
        values = self._fn(y_true, y_pred, **self._fn_kwargs)
        return super().update_state(values, sample_weight=sample_weight)

    def get_config(self) -> dict:
        config = {"name": self.name, "dtype": self.dtype}
        config.update({k: v for k, v in self._fn_kwargs.items()})
        return config

    @classmethod
    def from_config(cls, config: dict):
        if cls is MeanMetricWrapper:
            raise NotImplementedError("MeanMetricWrapper.from_config needs the wrapped function")
        return cls(**config)


