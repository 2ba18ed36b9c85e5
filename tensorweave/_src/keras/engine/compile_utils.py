"""What `compile` sets up (Keras 2's compile_utils): the compiled loss (per-output losses and weights,
regularization, the 'loss' and '<output>_loss' trackers) and the compiled metrics (strings resolved as
Keras does, e.g. 'accuracy' from the label and prediction shapes; '<output>_<metric>' names).

Both are called as in Keras's custom-`train_step` guide: `self.compiled_loss(y, y_pred,
regularization_losses=self.losses)`, `self.compiled_metrics.update_state(y, y_pred)`.
"""

from __future__ import annotations

import copy

from tensorweave._src.api_export import PublicNamespace
from tensorweave._src.util import nest

tf = PublicNamespace()


# ---- structure helpers (outputs are one tensor, a flat list/tuple, or a flat dict) ------------------------
def create_pseudo_output_names(outputs) -> list:
    """'output_1', 'output_2', ... for list outputs, the keys for dict outputs."""
    if isinstance(outputs, dict):
        return [str(k) for k in sorted(outputs)]
    if isinstance(outputs, (list, tuple)):
        return [f"output_{i + 1}" for i in range(len(nest.flatten(outputs)))]
    return ["output_1"]


def map_to_output_names(y_pred, output_names, struct):
    """A dict of per-output entries, keyed by output name, as a list in output order (list outputs)."""
    single = not nest.is_nested(y_pred)
    flat_list = not single and isinstance(y_pred, (list, tuple)) and \
        not any(nest.is_nested(y) for y in y_pred)
    if (single or flat_list) and isinstance(struct, dict):
        output_names = output_names or create_pseudo_output_names(y_pred)
        struct = copy.copy(struct)
        new = [struct.pop(name, None) for name in output_names]
        if struct:
            raise ValueError(f"Found unexpected losses or metrics that do not correspond to any Model "
                             f"output: "
                             f"{struct.keys()}. Valid mode output names: {output_names}. Received struct is: "
                             f"{struct}.")
        return new[0] if len(new) == 1 else new
    return struct


def map_missing_dict_keys(y_pred, struct):
    if not isinstance(y_pred, dict) or not isinstance(struct, dict):
        return struct
    struct = copy.copy(struct)
    for k in y_pred:
        struct.setdefault(k, None)
    return struct


def _flatten_up_to(outputs, struct) -> list:
    """One entry of `struct` per (flattened) output."""
    if isinstance(outputs, dict):
        return [struct.get(k) if isinstance(struct, dict) else None for k in sorted(outputs)]
    if isinstance(outputs, (list, tuple)):
        if isinstance(struct, (list, tuple)) and len(struct) == len(outputs):
            return list(struct)
        if struct is None:
            return [None] * len(outputs)
        raise ValueError(f"The structure of the losses/metrics/labels {struct} does not match the model's "
                         f"{len(outputs)} outputs.")
    return [struct]


def match_dtype_and_rank(y_t, y_p, sw):
    """Labels of rank 1 for predictions of rank 2 gain a last axis; float labels take the prediction's
    float dtype (int labels its int dtype); sample weights follow the predictions."""
    if y_t.shape.rank == 1 and y_p.shape.rank == 2:
        y_t = tf.expand_dims(y_t, axis=-1)
    if sw is not None and sw.shape.rank == 1 and y_p.shape.rank == 2:
        sw = tf.expand_dims(sw, axis=-1)
    if (y_t.dtype.is_floating and y_p.dtype.is_floating) or (y_t.dtype.is_integer and y_p.dtype.is_integer):
        if y_t.dtype != y_p.dtype:
            y_t = tf.cast(y_t, y_p.dtype)
    if sw is not None and sw.dtype != y_p.dtype:
        sw = tf.cast(sw, y_p.dtype)
    return y_t, y_p, sw


def _as_tensor(x):
    return None if x is None else tf.convert_to_tensor(x)


def _mask_weights(y_p, sw, metrics_only=False):
    mask = getattr(y_p, "_keras_mask", None)
    if mask is None:
        return None if metrics_only else sw
    mask = tf.cast(mask, y_p.dtype)
    if metrics_only:
        return mask
    return mask if sw is None else sw * mask


class Container:
    def __init__(self, output_names=None):
        self._output_names = list(output_names) if output_names else None

    def build(self, y_pred) -> None:
        if self._output_names is None or len(self._output_names) != len(nest.flatten(y_pred)):
            self._output_names = create_pseudo_output_names(y_pred)

    def _conform_to_outputs(self, outputs, struct):
        struct = map_to_output_names(outputs, self._output_names, struct)
        struct = map_missing_dict_keys(outputs, struct)
        if not nest.is_nested(struct) and nest.is_nested(outputs):
            struct = nest.map_structure(lambda _: struct, outputs)
        return struct

    def _maybe_broadcast_to_outputs(self, outputs, objects):
        if not self._should_broadcast(objects):
            return objects
        copy_objects = len(nest.flatten(outputs)) > 1
        if not nest.is_nested(outputs):
            return objects
        if isinstance(outputs, dict):
            return {k: self._copy_all(objects) if copy_objects else objects for k in outputs}
        return type(outputs)(self._copy_all(objects) if copy_objects else objects for _ in outputs) \
            if isinstance(outputs, (list, tuple)) else objects

    def _copy_all(self, objects):
        if isinstance(objects, (list, tuple)):
            return type(objects)(self._copy_object(o) for o in objects)
        return self._copy_object(objects)

    def _should_broadcast(self, objects) -> bool:
        raise NotImplementedError

    def _copy_object(self, obj):
        raise NotImplementedError


class LossesContainer(Container):
    """The total loss of a batch: the sum over outputs of weight * loss, plus the regularization losses;
    tracks 'loss' (and '<output>_loss' for several outputs) as Mean metrics weighted by batch size."""

    def __init__(self, losses, loss_weights=None, output_names=None, total_loss_mean=None):
        super().__init__(output_names)
        self._user_losses = losses
        self._user_loss_weights = loss_weights
        self._losses = losses
        self._loss_weights = loss_weights
        self._per_output_metrics = None
        self._total_loss_mean = total_loss_mean or tf.keras.metrics.Mean(name="loss")
        self._built = False

    @property
    def metrics(self) -> list:
        if not self._built:
            return []
        return [self._total_loss_mean] + [m for m in self._per_output_metrics if m is not None]

    @property
    def built(self) -> bool:
        return self._built

    def build(self, y_pred) -> None:
        super().build(y_pred)
        losses = self._maybe_broadcast_to_outputs(y_pred, self._losses)
        losses = self._conform_to_outputs(y_pred, losses)
        self._losses = [get_loss_object(loss) for loss in _flatten_up_to(y_pred, losses)] \
            if nest.is_nested(y_pred) else [get_loss_object(losses)]
        weights = self._maybe_broadcast_to_outputs(y_pred, self._loss_weights)
        weights = self._conform_to_outputs(y_pred, weights)
        self._loss_weights = _flatten_up_to(y_pred, weights) if nest.is_nested(y_pred) else [weights]
        if len(self._output_names) == 1:
            self._per_output_metrics = [None]
        else:
            self._per_output_metrics = [None if loss is None else tf.keras.metrics.Mean(name=f"{name}_loss")
                                        for loss, name in zip(self._losses, self._output_names)]
        self._built = True

    def _should_broadcast(self, obj) -> bool:
        return not nest.is_nested(obj)

    def _copy_object(self, obj):
        return obj

    def __call__(self, y_true, y_pred, sample_weight=None, regularization_losses=None):
        y_true = self._conform_to_outputs(y_pred, y_true)
        sample_weight = self._conform_to_outputs(y_pred, sample_weight)
        if not self._built:
            self.build(y_pred)
        nested = nest.is_nested(y_pred)
        y_true = _flatten_up_to(y_pred, y_true) if nested else [y_true]
        sample_weight = _flatten_up_to(y_pred, sample_weight) if nested else [sample_weight]
        y_pred = nest.flatten(y_pred)
        loss_values, mean_values = [], []
        batch_dim = None
        for y_t, y_p, sw, loss_obj, weight, metric in zip(y_true, y_pred, sample_weight, self._losses,
                                                          self._loss_weights, self._per_output_metrics):
            if y_t is None or loss_obj is None:
                continue
            y_t, sw = _as_tensor(y_t), _as_tensor(sw)
            y_t, y_p, sw = match_dtype_and_rank(y_t, y_p, sw)
            sw = _mask_weights(y_p, sw)
            value = loss_obj(y_t, y_p, sample_weight=sw)
            mean_value = value
            if batch_dim is None:
                batch_dim = tf.shape(y_t)[0]
            if metric is not None:
                metric.update_state(mean_value, sample_weight=batch_dim)
            if weight is not None:
                value = value * weight
                mean_value = mean_value * weight
            loss_values.append(value)
            mean_values.append(mean_value)
        if regularization_losses:
            reg = tf.add_n(_common_dtype(list(regularization_losses)))
            mean_values.append(reg)
            loss_values.append(reg)
        if not loss_values:
            return None
        self._total_loss_mean.update_state(tf.add_n(_common_dtype(mean_values)), sample_weight=batch_dim)
        return tf.add_n(_common_dtype(loss_values))

    def reset_state(self) -> None:
        if not self._built:
            return
        for m in self.metrics:
            m.reset_state()


def _common_dtype(values: list) -> list:
    values = [tf.convert_to_tensor(v) for v in values]
    floats = [v.dtype for v in values if v.dtype.is_floating]
    highest = max(floats, key=lambda d: d.size) if floats else None
    return [tf.cast(v, highest) if highest is not None and v.dtype != highest else v for v in values]


def get_loss_object(loss):
    """A Loss object from a string, function, class or Loss (functions wrapped as LossFunctionWrapper)."""
    if loss is None:
        return None
    loss = tf.keras.losses.get(loss)
    if isinstance(loss, type):
        loss = loss()
    if not hasattr(loss, "reduction"):
        name = _custom_object_name(loss)
        if name is None:
            raise ValueError(f"Loss should be a callable, received: {loss}")
        from tensorweave._src.keras.losses.base import LossFunctionWrapper

        loss = LossFunctionWrapper(loss, name=name)
    return loss


def _custom_object_name(obj):
    if hasattr(obj, "name"):
        return obj.name
    if hasattr(obj, "__name__"):
        return obj.__name__
    if hasattr(obj, "__class__"):
        from tensorweave._src.module.module import camel_to_snake

        return camel_to_snake(type(obj).__name__)
    return None


class MetricsContainer(Container):
    """Compiled metrics per output (weighted and unweighted), named and ordered as Keras 2."""

    def __init__(self, metrics=None, weighted_metrics=None, output_names=None, from_serialized=False):
        super().__init__(output_names)
        seen, dup = set(), []
        for x in nest.flatten(metrics) + nest.flatten(weighted_metrics):
            if hasattr(x, "update_state") and not isinstance(x, type):
                if id(x) in seen:
                    dup.append(x)
                seen.add(id(x))
        if dup:
            raise ValueError(f"Found duplicated metrics object in the user provided metrics and weighted "
                             f"metrics. This will cause the same metric object to be updated multiple times, "
                             f"and report wrong results. \nDuplicated items: {dup}")
        self._user_metrics = metrics
        self._user_weighted_metrics = weighted_metrics
        self._metrics = metrics
        self._weighted_metrics = weighted_metrics
        self._metrics_in_order: list = []
        self._built = False
        self._from_serialized = from_serialized

    @property
    def metrics(self) -> list:
        return list(self._metrics_in_order) if self._built else []

    @property
    def unweighted_metrics(self):
        return [m for ms in self._metrics for m in ms if m is not None] if self._built else None

    @property
    def weighted_metrics(self):
        return [m for ms in self._weighted_metrics for m in ms if m is not None] if self._built else None

    @property
    def built(self) -> bool:
        return self._built

    def _per_output(self, y_pred, y_true, spec) -> list:
        spec = self._maybe_broadcast_to_outputs(y_pred, spec)
        spec = self._conform_to_outputs(y_pred, spec)
        if nest.is_nested(y_pred):
            per = _flatten_up_to(y_pred, spec)
            trues = _flatten_up_to(y_pred, y_true) if y_true is not None else [None] * len(per)
        else:
            per, trues = [spec], [y_true]
        preds = nest.flatten(y_pred)
        return [[self._get_metric_object(m, _as_tensor(t), p) for m in nest.flatten(entry)]
                if entry is not None else [] for entry, t, p in zip(per, trues, preds)]

    def build(self, y_pred, y_true) -> None:
        super().build(y_pred)
        self._metrics = self._per_output(y_pred, y_true, self._metrics)
        self._weighted_metrics = self._per_output(y_pred, y_true, self._weighted_metrics)
        if not self._from_serialized:
            self._set_metric_names()
        self._metrics_in_order = []
        for ms, wms in zip(self._metrics, self._weighted_metrics):
            self._metrics_in_order += [m for m in ms if m is not None]
            self._metrics_in_order += [m for m in wms if m is not None]
        self._built = True

    def _set_metric_names(self) -> None:
        names = set()
        multi = len(self._output_names) > 1
        for output_name, ms, wms in zip(self._output_names, self._metrics, self._weighted_metrics):
            for m in ms:
                if m is None:
                    continue
                if multi:
                    m._name = output_name + "_" + m._name
                if m._name in names:
                    raise ValueError(f"Found two metrics with the same name: {m._name}. All the metrics "
                                     f"added "
                                     f"to the model need to have unique names.")
                names.add(m._name)
            for wm in wms:
                if wm is None:
                    continue
                if multi:
                    if output_name + "_" + wm._name in names:
                        wm._name = output_name + "_weighted_" + wm._name
                    else:
                        wm._name = output_name + "_" + wm._name
                elif wm._name in names:
                    wm._name = "weighted_" + wm._name
                if wm._name in names:
                    raise ValueError(f"Found two weighted metrics with the same name: {wm._name}.All the "
                                     f"metrics added to the model need to have unique names.")
                names.add(wm._name)

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        y_true = self._conform_to_outputs(y_pred, y_true)
        sample_weight = self._conform_to_outputs(y_pred, sample_weight)
        if not self._built:
            self.build(y_pred, y_true)
        nested = nest.is_nested(y_pred)
        trues = _flatten_up_to(y_pred, y_true) if nested else [y_true]
        weights = _flatten_up_to(y_pred, sample_weight) if nested else [sample_weight]
        for y_t, y_p, sw, ms, wms in zip(trues, nest.flatten(y_pred), weights, self._metrics,
                                         self._weighted_metrics):
            if y_t is None or (not any(m is not None for m in ms) and not any(m is not None for m in wms)):
                continue
            y_t, sw = _as_tensor(y_t), _as_tensor(sw)
            y_t, y_p, sw = match_dtype_and_rank(y_t, y_p, sw)
            mask = _mask_weights(y_p, None, metrics_only=True)
            sw = _mask_weights(y_p, sw)
            for m in ms:
                if m is not None:
                    m.update_state(y_t, y_p, sample_weight=mask)
            for wm in wms:
                if wm is not None:
                    wm.update_state(y_t, y_p, sample_weight=sw)

    def reset_state(self) -> None:
        metrics = self._metrics_in_order if self._built else \
            nest.flatten(self._user_metrics) + nest.flatten(self._user_weighted_metrics)
        for m in metrics:
            if hasattr(m, "reset_state") and not isinstance(m, type):
                m.reset_state()

    def _should_broadcast(self, obj) -> bool:
        if not nest.is_nested(obj):
            return True
        return isinstance(obj, (list, tuple)) and not any(nest.is_nested(o) for o in obj)

    def _copy_object(self, obj):
        if hasattr(obj, "update_state") and not isinstance(obj, type) and hasattr(obj, "get_config"):
            return type(obj).from_config(obj.get_config())
        return obj

    def _get_metric_object(self, metric, y_t, y_p):
        metrics = tf.keras.metrics
        if metric is None:
            return None
        if str(metric).lower() not in ("accuracy", "acc", "crossentropy", "ce"):
            obj = metrics.get(metric)
        else:
            t_shape = y_t.shape.as_list() if y_t is not None and y_t.shape.rank is not None else [None]
            p_shape = y_p.shape.as_list()
            is_binary = p_shape[-1] == 1
            is_sparse = len(t_shape) < len(p_shape) or (t_shape[-1] == 1 and p_shape[-1] != 1 and
                                                        p_shape[-1] is not None and p_shape[-1] > 1)
            if str(metric).lower() in ("accuracy", "acc"):
                obj = metrics.binary_accuracy if is_binary else (
                    metrics.sparse_categorical_accuracy if is_sparse else metrics.categorical_accuracy)
            else:
                obj = metrics.binary_crossentropy if is_binary else (
                    metrics.sparse_categorical_crossentropy if is_sparse else
                    metrics.categorical_crossentropy)
        if isinstance(obj, type):
            obj = obj()
        if not hasattr(obj, "update_state"):
            if isinstance(metric, str):
                name = metric
            else:
                name = _custom_object_name(metric)
                if name is None:
                    raise ValueError(f"Metric should be a callable, received: {metric}")
            obj = metrics.MeanMetricWrapper(obj, name=name)
        return obj
