"""Keras 2 loss base: `Loss` (reduction 'auto' / 'sum_over_batch_size' / 'sum' / 'none', sample weights)
and `LossFunctionWrapper` (a per-sample function as a Loss); `get`/`serialize`/`deserialize`.

>>> import tensorweave as tf
>>> mse = tf.keras.losses.MeanSquaredError()
>>> print(mse([[1.0, 2.0]], [[2.0, 2.0]]))
tf.Tensor(0.5, shape=(), dtype=float32)
"""

from __future__ import annotations

from tensorweave._src.api_export import PublicNamespace, tf_export

tf = PublicNamespace()

REDUCTIONS = ("auto", "none", "sum", "sum_over_batch_size")


@tf_export("keras.losses.Reduction")
class Reduction:
    AUTO = "auto"
    NONE = "none"
    SUM = "sum"
    SUM_OVER_BATCH_SIZE = "sum_over_batch_size"

    @classmethod
    def all(cls):
        return REDUCTIONS

    @classmethod
    def validate(cls, key):
        if key not in REDUCTIONS:
            raise ValueError(f'Invalid Reduction Key: {key}. Expected keys are "{REDUCTIONS}"')


@tf_export("keras.losses.Loss")
class Loss:
    """Callable `loss(y_true, y_pred, sample_weight=None)` -> reduced loss."""

    def __init__(self, reduction: str = "auto", name: str | None = None):
        Reduction.validate(reduction)
        self.reduction = reduction
        self.name = name

    def __call__(self, y_true, y_pred, sample_weight=None):
        losses = self.call(y_true, y_pred)
        return compute_weighted_loss(losses, sample_weight, self.reduction)

    def call(self, y_true, y_pred):
        raise NotImplementedError("Must be implemented in subclasses.")

    def get_config(self) -> dict:
        return {"reduction": self.reduction, "name": self.name}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)


class LossFunctionWrapper(Loss):
    """A Loss computing `fn(y_true, y_pred, **kwargs)` per sample."""

    def __init__(self, fn, reduction: str = "auto", name: str | None = None, **kwargs):
        super().__init__(reduction=reduction, name=name)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred):
        y_pred = tf.convert_to_tensor(y_pred)
        y_true = tf.convert_to_tensor(y_true)
        if y_true.dtype != y_pred.dtype and y_pred.dtype.is_floating:
            y_true = tf.cast(y_true, y_pred.dtype)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(self._fn_kwargs)
        config["fn"] = getattr(self.fn, "__name__", None)
        return config

    @classmethod
    def from_config(cls, config: dict):
        config = dict(config)
        config.pop("fn", None)
        return cls(**config)


def compute_weighted_loss(losses, sample_weight=None, reduction: str = "auto"):
    """Applies `sample_weight` (broadcast against the per-sample losses) and the reduction."""
    losses = tf.convert_to_tensor(losses)
    if not losses.dtype.is_floating:
        losses = tf.cast(losses, "float32")
    if sample_weight is not None:
        sample_weight = tf.cast(tf.convert_to_tensor(sample_weight), losses.dtype)
        lr, wr = losses.shape.rank, sample_weight.shape.rank
        if lr is not None and wr is not None:
            if wr == lr + 1 and sample_weight.shape[-1] == 1:
                sample_weight = tf.squeeze(sample_weight, axis=-1)
            while sample_weight.shape.rank < losses.shape.rank:
                sample_weight = tf.expand_dims(sample_weight, -1)
        losses = losses * sample_weight
    if reduction == "none":
        return losses
    total = tf.reduce_sum(losses)
    if reduction == "sum":
        return total
    return tf.math.divide_no_nan(total, tf.cast(tf.size(losses), losses.dtype))
