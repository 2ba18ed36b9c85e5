"""Keras 2 loss base: `Loss` (reduction 'auto' / 'sum_over_batch_size' / 'sum' / 'none', sample weights,
masks) and `LossFunctionWrapper` (a per-sample function as a Loss), with tf_keras's `losses_utils`:
`compute_weighted_loss`, `squeeze_or_expand_dimensions`, `remove_squeezable_dimensions`.

>>> import tensorweave as tf
>>> mse = tf.keras.losses.MeanSquaredError()
>>> print(mse([[1.0, 2.0]], [[2.0, 2.0]]))
tf.Tensor(0.5, shape=(), dtype=float32)
"""

from __future__ import annotations

from tensorweave._src.api_export import PublicNamespace, tf_export

tf = PublicNamespace()

REDUCTIONS = ("auto", "none", "sum", "sum_over_batch_size")


@tf_export("keras.losses.Reduction", "losses.Reduction")
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


def _rank(x):
    return x.shape.rank


def remove_squeezable_dimensions(labels, predictions, expected_rank_diff=0):
    """Squeezes a trailing size-1 dimension of `labels` or `predictions` when their ranks differ by one
    more (or less) than `expected_rank_diff`."""
    if not tf.is_tensor(predictions):
        predictions = tf.convert_to_tensor(predictions)
    if not tf.is_tensor(labels):
        labels = tf.convert_to_tensor(labels)
    p_rank, l_rank = _rank(predictions), _rank(labels)
    if p_rank is not None and l_rank is not None:
        diff = p_rank - l_rank
        if diff == expected_rank_diff + 1 and predictions.shape[-1] in (None, 1):
            predictions = tf.squeeze(predictions, [-1])
        elif diff == expected_rank_diff - 1 and labels.shape[-1] in (None, 1):
            labels = tf.squeeze(labels, [-1])
    return labels, predictions


def squeeze_or_expand_dimensions(y_pred, y_true=None, sample_weight=None):
    """tf_keras's alignment of `y_true` (squeeze a trailing 1) and `sample_weight` (squeeze or expand one
    dimension) with `y_pred`. Returns `(y_pred, y_true)` or `(y_pred, y_true, sample_weight)`."""
    p_rank = _rank(y_pred)
    if y_true is not None:
        t_rank = _rank(y_true)
        if t_rank is not None and p_rank is not None:
            if p_rank - t_rank != 1 or y_pred.shape[-1] == 1:
                y_true, y_pred = remove_squeezable_dimensions(y_true, y_pred)
    if sample_weight is None:
        return y_pred, y_true
    w_rank = _rank(sample_weight)
    if w_rank == 0:
        return y_pred, y_true, sample_weight
    if p_rank is not None and w_rank is not None:
        if w_rank - p_rank == 1:
            sample_weight = tf.squeeze(sample_weight, [-1])
        elif p_rank - w_rank == 1:
            sample_weight = tf.expand_dims(sample_weight, [-1])
    return y_pred, y_true, sample_weight


def reduce_weighted_loss(weighted_losses, reduction="sum_over_batch_size"):
    if reduction == "none":
        return weighted_losses
    loss = tf.reduce_sum(weighted_losses)
    if reduction == "sum_over_batch_size":
        loss = tf.math.divide_no_nan(loss, tf.cast(tf.size(weighted_losses), weighted_losses.dtype))
    return loss


def compute_weighted_loss(losses, sample_weight=None, reduction="sum_over_batch_size", name=None):
    """Weights the per-sample `losses` by `sample_weight` (aligned as Keras does) and reduces them."""
    Reduction.validate(reduction)
    if reduction == "auto":
        reduction = "sum_over_batch_size"
    if sample_weight is None:
        sample_weight = 1.0
    losses = tf.convert_to_tensor(losses)
    sample_weight = tf.convert_to_tensor(sample_weight)
    input_dtype = None
    if not losses.dtype.is_floating:
        input_dtype = losses.dtype
        losses = tf.cast(losses, "float32")
    sample_weight = tf.cast(sample_weight, losses.dtype)
    losses, _, sample_weight = squeeze_or_expand_dimensions(losses, None, sample_weight)
    loss = reduce_weighted_loss(tf.multiply(losses, sample_weight), reduction)
    if input_dtype is not None:
        loss = tf.cast(loss, input_dtype)
    return loss


def get_mask(y_p):
    return getattr(y_p, "_keras_mask", None)


def apply_mask(y_p, sw, mask):
    if mask is not None:
        mask = tf.cast(mask, y_p.dtype)
        if sw is not None:
            sw = tf.cast(sw, mask.dtype)
            mask, _, sw = squeeze_or_expand_dimensions(mask, sample_weight=sw)
            sw = sw * mask
        else:
            sw = mask
    return sw


def apply_valid_mask(losses, sw, mask, reduction):
    """Masks out invalid entries; for mean reductions rescales so the mean is over the valid ones."""
    if mask is not None:
        mask = tf.cast(mask, losses.dtype)
        if reduction in ("auto", "sum_over_batch_size"):
            total = tf.cast(tf.size(mask), losses.dtype)
            valid = tf.reduce_sum(mask)
            mask = mask * (total / valid)
    return apply_mask(losses, sw, mask)


@tf_export("keras.losses.Loss", "losses.Loss")
class Loss:
    """Callable `loss(y_true, y_pred, sample_weight=None)` -> reduced loss."""

    def __init__(self, reduction: str = "auto", name: str | None = None):
        Reduction.validate(reduction)
        self.reduction = reduction
        self.name = name
        self._allow_sum_over_batch_size = False

    def __call__(self, y_true, y_pred, sample_weight=None):
        losses = self.call(y_true, y_pred)
        in_mask = get_mask(y_pred)
        out_mask = get_mask(losses)
        if in_mask is not None and out_mask is not None:
            mask = tf.logical_and(in_mask, out_mask)
        else:
            mask = in_mask if in_mask is not None else out_mask
        reduction = self._get_reduction()
        sample_weight = apply_valid_mask(losses, sample_weight, mask, reduction)
        return compute_weighted_loss(losses, sample_weight, reduction=reduction)

    def call(self, y_true, y_pred):
        raise NotImplementedError("Must be implemented in subclasses.")

    def _get_reduction(self):
        return "sum_over_batch_size" if self.reduction == "auto" else self.reduction

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
        if tf.is_tensor(y_pred) and tf.is_tensor(y_true):
            y_pred, y_true = squeeze_or_expand_dimensions(y_pred, y_true)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self) -> dict:
        config = dict(super().get_config())
        for k, v in self._fn_kwargs.items():
            config[k] = v.numpy() if hasattr(v, "numpy") else v
        config["fn"] = getattr(self.fn, "__name__", None)
        return config

    @classmethod
    def from_config(cls, config: dict):
        config = dict(config)
        fn_name = config.pop("fn", None)
        if fn_name and cls is LossFunctionWrapper:
            from tensorweave._src.keras.losses import registry

            config["fn"] = registry.get(fn_name)
        return cls(**config)


def export_all(obj, *names: str, metrics: bool = False) -> None:
    """Exports `obj` as `keras.losses.<name>` and `losses.<name>` (and the metrics twins if asked)."""
    from tensorweave._src.api_export import export

    for name in names:
        export("keras.losses." + name, obj)
        export("losses." + name, obj)
        if metrics:
            export("keras.metrics." + name, obj)
            export("metrics." + name, obj)
