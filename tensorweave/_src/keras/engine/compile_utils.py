"""What `compile` sets up: the compiled loss (per-output losses, weights, regularization, the 'loss'
tracker) and the compiled metrics (strings resolved as Keras does, e.g. 'accuracy' by label shape)."""

from __future__ import annotations

from tensorweave._src.api_export import PublicNamespace
from tensorweave._src.util import nest

tf = PublicNamespace()


def _names_for(model, n: int) -> list:
    names = getattr(model, "output_names", None)
    if names and len(names) == n:
        return list(names)
    return [f"output_{i + 1}" for i in range(n)]


def _per_output(spec, outputs_flat: list, names: list) -> list:
    """Expands a loss/metrics spec (single, list, or dict by output name) to one entry per output."""
    n = len(outputs_flat)
    if isinstance(spec, dict):
        unknown = [k for k in spec if k not in names]
        if unknown:
            raise ValueError(f"Found unexpected losses or metrics that do not correspond to any Model output: "
                             f"{unknown}. Valid mode output names: {names}.")
        return [spec.get(name) for name in names]
    if isinstance(spec, (list, tuple)) and n > 1 and len(spec) == n:
        return list(spec)
    return [spec] * n


class LossesContainer:
    """The total loss of a batch: sum over outputs of weight * loss, plus the model's own losses."""

    def __init__(self, losses, loss_weights=None):
        self._user_losses = losses
        self._user_weights = loss_weights
        self._built = False
        self._loss_metric = tf.keras.metrics.Mean(name="loss")
        self._per_output_metrics: list = []

    @property
    def metrics(self) -> list:
        if not self._built:
            return []
        return [self._loss_metric] + [m for m in self._per_output_metrics if m is not None]

    def build(self, model, y_pred) -> None:
        flat = nest.flatten(y_pred)
        names = _names_for(model, len(flat))
        losses = _per_output(self._user_losses, flat, names)
        self._losses = [None if loss is None else _as_loss_object(loss) for loss in losses]
        weights = self._user_weights
        if isinstance(weights, dict):
            weights = [weights.get(n, 1.0) for n in names]
        self._weights = list(weights) if weights is not None else [1.0] * len(flat)
        if len(flat) > 1:
            self._per_output_metrics = [tf.keras.metrics.Mean(name=f"{name}_loss") if loss is not None else None
                                        for name, loss in zip(names, self._losses)]
        self._built = True

    def __call__(self, model, y_true, y_pred, sample_weight=None, regularization_losses=None):
        if not self._built:
            self.build(model, y_pred)
        preds = nest.flatten(y_pred)
        trues = nest.flatten(y_true) if y_true is not None else [None] * len(preds)
        if len(trues) == 1 and len(preds) > 1:
            trues = trues * len(preds)
        total = None
        batch = None
        for i, (loss, yt, yp, w) in enumerate(zip(self._losses, trues, preds, self._weights)):
            if loss is None:
                continue
            value = loss(yt, yp, sample_weight=sample_weight)
            batch = tf.shape(yp)[0] if batch is None else batch
            if self._per_output_metrics:
                self._per_output_metrics[i].update_state(value, sample_weight=batch)
            value = value * w if w != 1.0 else value
            total = value if total is None else total + value
        if regularization_losses:
            reg = tf.add_n([tf.cast(r, "float32") for r in regularization_losses])
            total = reg if total is None else total + reg
        if total is None:
            total = tf.constant(0.0)
        self._loss_metric.update_state(total, sample_weight=batch if batch is not None else None)
        return total

    def reset_state(self) -> None:
        for m in self.metrics:
            m.reset_state()


def _as_loss_object(loss):
    if isinstance(loss, str):
        loss = tf.keras.losses.get(loss)
    if hasattr(loss, "reduction"):
        return loss
    if isinstance(loss, type):
        return loss()
    from tensorweave._src.keras.losses.base import LossFunctionWrapper  # a plain function gets wrapped

    return LossFunctionWrapper(loss, name=getattr(loss, "__name__", "loss"))


class MetricsContainer:
    """Compiled metrics per output; `update_state` feeds them a batch."""

    def __init__(self, metrics=None, weighted_metrics=None, loss=None):
        self._user_metrics = metrics
        self._user_weighted = weighted_metrics
        self._loss = loss
        self._built = False
        self._metrics: list = []  # (output index, metric, weighted)

    @property
    def metrics(self) -> list:
        return [m for _, m, _ in self._metrics] if self._built else []

    def build(self, model, y_true, y_pred) -> None:
        preds = nest.flatten(y_pred)
        trues = nest.flatten(y_true) if y_true is not None else [None] * len(preds)
        names = _names_for(model, len(preds))
        multi = len(preds) > 1
        for weighted, spec in ((False, self._user_metrics), (True, self._user_weighted)):
            if not spec:
                continue
            per_output = _per_output(spec, preds, names) if isinstance(spec, dict) or (
                multi and isinstance(spec, (list, tuple)) and spec and isinstance(spec[0], (list, tuple))) \
                else [spec] * len(preds)
            losses = _per_output(self._loss, preds, names) if self._loss is not None else [None] * len(preds)
            for i, entries in enumerate(per_output):
                for entry in nest.flatten(entries) if entries is not None else []:
                    metric = _metric_object(entry, trues[i] if i < len(trues) else None, preds[i], losses[i])
                    if multi:
                        metric._name = f"{names[i]}_{metric.name}"
                    self._metrics.append((i, metric, weighted))
        self._built = True

    def update_state(self, model, y_true, y_pred, sample_weight=None) -> None:
        if not self._built:
            self.build(model, y_true, y_pred)
        preds = nest.flatten(y_pred)
        trues = nest.flatten(y_true) if y_true is not None else [None] * len(preds)
        if len(trues) == 1 and len(preds) > 1:
            trues = trues * len(preds)
        for i, metric, weighted in self._metrics:
            metric.update_state(trues[i], preds[i], sample_weight=sample_weight if weighted else None)

    def reset_state(self) -> None:
        for m in self.metrics:
            m.reset_state()


def _metric_object(entry, y_true, y_pred, loss):
    metrics = tf.keras.metrics
    if isinstance(entry, str) and entry in ("accuracy", "acc"):
        fn = _accuracy_for(y_true, y_pred, loss)
        return metrics.MeanMetricWrapper(fn, name=entry)
    if isinstance(entry, str) and entry in ("crossentropy", "ce"):
        fn = tf.keras.losses.get(_crossentropy_name(y_true, y_pred, loss))
        return metrics.MeanMetricWrapper(fn, name=entry)
    if isinstance(entry, str):
        obj = metrics.get(entry)
        if hasattr(obj, "update_state"):  # a class name gives a Metric instance
            return obj
        if isinstance(obj, type):
            return obj()
        return metrics.MeanMetricWrapper(obj, name=entry)
    if hasattr(entry, "update_state"):
        return entry
    if isinstance(entry, type):
        return entry()
    return metrics.MeanMetricWrapper(entry, name=getattr(entry, "__name__", "metric"))


def _loss_name(loss) -> str:
    if isinstance(loss, str):
        return loss
    return getattr(getattr(loss, "fn", loss), "__name__", "")


def _accuracy_for(y_true, y_pred, loss):
    """Keras's choice for 'accuracy': binary / sparse categorical / categorical, from the shapes."""
    metrics = tf.keras.metrics
    name = _loss_name(loss)
    if "binary_crossentropy" in name:
        return metrics.binary_accuracy
    if "sparse_categorical_crossentropy" in name:
        return metrics.sparse_categorical_accuracy
    if "categorical_crossentropy" in name:
        return metrics.categorical_accuracy
    t_shape = getattr(y_true, "shape", None)
    p_shape = y_pred.shape
    if p_shape.rank and p_shape[-1] == 1:
        return metrics.binary_accuracy
    if t_shape is not None and t_shape.rank is not None and p_shape.rank is not None and (
            t_shape.rank < p_shape.rank or (t_shape[-1] == 1 and p_shape[-1] != 1)):
        return metrics.sparse_categorical_accuracy
    return metrics.categorical_accuracy


def _crossentropy_name(y_true, y_pred, loss) -> str:
    fn = _accuracy_for(y_true, y_pred, loss)
    return {"binary_accuracy": "binary_crossentropy",
            "sparse_categorical_accuracy": "sparse_categorical_crossentropy"}.get(fn.__name__,
                                                                                  "categorical_crossentropy")
