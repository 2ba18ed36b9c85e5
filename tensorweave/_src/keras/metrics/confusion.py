"""Confusion-matrix metrics (tf_keras 2.21): TruePositives / FalsePositives / TrueNegatives /
FalseNegatives, Precision, Recall (thresholds, top_k, class_id), SensitivityAtSpecificity,
SpecificityAtSensitivity, PrecisionAtRecall, RecallAtPrecision and AUC (ROC / PR / PR_GAIN curves,
interpolation / minoring / majoring, multi_label, label_weights, from_logits).

>>> import tensorweave as tf
>>> m = tf.keras.metrics.Precision()
>>> m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
>>> print(m.result())
tf.Tensor(0.6666667, shape=(), dtype=float32)
"""

from __future__ import annotations

import numpy as np

from tensorweave._src.api_export import PublicNamespace, export
from tensorweave._src.keras import backend
from tensorweave._src.keras.metrics import metrics_utils as mu
from tensorweave._src.keras.metrics.base_metric import Metric, track_list

tf = PublicNamespace()

_TP, _FP, _TN, _FN = mu.TRUE_POSITIVES, mu.FALSE_POSITIVES, mu.TRUE_NEGATIVES, mu.FALSE_NEGATIVES


def _zero(variables):
    for v in variables:
        v.assign(np.zeros(v.shape.as_list(), dtype=v.dtype.as_numpy_dtype))


class _ConfusionMatrixConditionCount(Metric):
    _confusion_matrix_cond = None  # the confusion key this metric counts

    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = track_list(thresholds)
        self.thresholds = track_list(mu.parse_init_thresholds(thresholds, default_threshold=0.5))
        self._thresholds_distributed_evenly = mu.is_evenly_distributed_thresholds(self.thresholds)
        self.accumulator = self.add_weight("accumulator", shape=(len(self.thresholds),), initializer="zeros")

    def update_state(self, y_true, y_pred, sample_weight=None):
        return mu.update_confusion_matrix_variables(
            {self._confusion_matrix_cond: self.accumulator},
            y_true,
            y_pred,
            thresholds=self.thresholds,
            thresholds_distributed_evenly=self._thresholds_distributed_evenly,
            sample_weight=sample_weight,
        )

    def result(self):
        if len(self.thresholds) == 1:
            return tf.convert_to_tensor(self.accumulator[0])
        return tf.convert_to_tensor(self.accumulator)

    def reset_state(self) -> None:
        _zero(self.variables)

    def get_config(self) -> dict:
        config = super().get_config()
        config["thresholds"] = self.init_thresholds
        return config


class FalsePositives(_ConfusionMatrixConditionCount):
    _confusion_matrix_cond = _FP


class FalseNegatives(_ConfusionMatrixConditionCount):
    _confusion_matrix_cond = _FN


class TrueNegatives(_ConfusionMatrixConditionCount):
    _confusion_matrix_cond = _TN


class TruePositives(_ConfusionMatrixConditionCount):
    _confusion_matrix_cond = _TP


class _PrecisionRecall(Metric):
    _other = None  # (attribute name, confusion key) of the second counter

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = track_list(thresholds)
        self.top_k = top_k
        self.class_id = class_id
        default_threshold = 0.5 if top_k is None else mu.NEG_INF
        self.thresholds = track_list(
            mu.parse_init_thresholds(thresholds, default_threshold=default_threshold)
        )
        self._thresholds_distributed_evenly = mu.is_evenly_distributed_thresholds(self.thresholds)
        n = len(self.thresholds)
        self.true_positives = self.add_weight("true_positives", shape=(n,), initializer="zeros")
        attr, _ = self._other
        setattr(self, attr, self.add_weight(attr, shape=(n,), initializer="zeros"))

    def update_state(self, y_true, y_pred, sample_weight=None):
        attr, key = self._other
        return mu.update_confusion_matrix_variables(
            {_TP: self.true_positives, key: getattr(self, attr)},
            y_true,
            y_pred,
            thresholds=self.thresholds,
            thresholds_distributed_evenly=self._thresholds_distributed_evenly,
            top_k=self.top_k,
            class_id=self.class_id,
            sample_weight=sample_weight,
        )

    def result(self):
        other = getattr(self, self._other[0])
        result = tf.math.divide_no_nan(self.true_positives, tf.math.add(self.true_positives, other))
        return result[0] if len(self.thresholds) == 1 else result

    def reset_state(self) -> None:
        _zero([self.true_positives, getattr(self, self._other[0])])

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"thresholds": self.init_thresholds, "top_k": self.top_k, "class_id": self.class_id})
        return config


class Precision(_PrecisionRecall):
    _other = ("false_positives", _FP)


class Recall(_PrecisionRecall):
    _other = ("false_negatives", _FN)


class SensitivitySpecificityBase(Metric):
    def __init__(self, value, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        if num_thresholds <= 0:
            raise ValueError(
                f"Argument `num_thresholds` must be an integer > 0. Received: num_thresholds={num_thresholds}"
            )
        self.value = value
        self.class_id = class_id
        shape = (num_thresholds,)
        self.true_positives = self.add_weight("true_positives", shape=shape, initializer="zeros")
        self.true_negatives = self.add_weight("true_negatives", shape=shape, initializer="zeros")
        self.false_positives = self.add_weight("false_positives", shape=shape, initializer="zeros")
        self.false_negatives = self.add_weight("false_negatives", shape=shape, initializer="zeros")
        if num_thresholds == 1:
            self.thresholds = track_list([0.5])
            self._thresholds_distributed_evenly = False
        else:
            thresholds = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self.thresholds = track_list([0.0] + thresholds + [1.0])
            self._thresholds_distributed_evenly = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        return mu.update_confusion_matrix_variables(
            {
                _TP: self.true_positives,
                _TN: self.true_negatives,
                _FP: self.false_positives,
                _FN: self.false_negatives,
            },
            y_true,
            y_pred,
            thresholds=self.thresholds,
            thresholds_distributed_evenly=self._thresholds_distributed_evenly,
            class_id=self.class_id,
            sample_weight=sample_weight,
        )

    def reset_state(self) -> None:
        _zero([self.true_positives, self.true_negatives, self.false_positives, self.false_negatives])

    def get_config(self) -> dict:
        config = super().get_config()
        config["class_id"] = self.class_id
        return config

    def _rates(self):
        tp, tn, fp, fn = self.true_positives, self.true_negatives, self.false_positives, self.false_negatives
        return {
            "sensitivity": tf.math.divide_no_nan(tp, tf.math.add(tp, fn)),
            "specificity": tf.math.divide_no_nan(tn, tf.math.add(tn, fp)),
            "precision": tf.math.divide_no_nan(tp, tf.math.add(tp, fp)),
        }

    def _find_max_under_constraint(self, constrained, dependent, predicate):
        feasible = tf.where(predicate(constrained, self.value))
        feasible_exists = tf.greater(tf.size(feasible), 0)
        max_dependent = tf.reduce_max(tf.gather(dependent, feasible))
        return tf.where(feasible_exists, max_dependent, 0.0)


def _check_range(value, arg):
    if value < 0 or value > 1:
        raise ValueError(f"Argument `{arg}` must be in the range [0, 1]. Received: {arg}={value}")


class _MaxUnderConstraint(SensitivitySpecificityBase):
    """The four `XAtY` metrics: the best `_dependent` rate where the `_constrained` rate >= the value."""

    _value_arg = ""  # the constructor's first argument, also its attribute and config key
    _constrained = ""  # rate names of `_rates()`
    _dependent = ""

    def __init__(self, value, num_thresholds=200, class_id=None, name=None, dtype=None):
        _check_range(value, self._value_arg)
        setattr(self, self._value_arg, value)
        self.num_thresholds = num_thresholds
        super().__init__(value, num_thresholds=num_thresholds, class_id=class_id, name=name, dtype=dtype)

    def result(self):
        r = self._rates()
        return self._find_max_under_constraint(r[self._constrained], r[self._dependent], tf.greater_equal)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {"num_thresholds": self.num_thresholds, self._value_arg: getattr(self, self._value_arg)}
        )
        return config


class SensitivityAtSpecificity(_MaxUnderConstraint):
    _value_arg, _constrained, _dependent = "specificity", "specificity", "sensitivity"

    def __init__(self, specificity, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(specificity, num_thresholds, class_id, name, dtype)


class SpecificityAtSensitivity(_MaxUnderConstraint):
    _value_arg, _constrained, _dependent = "sensitivity", "sensitivity", "specificity"

    def __init__(self, sensitivity, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(sensitivity, num_thresholds, class_id, name, dtype)


class PrecisionAtRecall(_MaxUnderConstraint):
    _value_arg, _constrained, _dependent = "recall", "sensitivity", "precision"

    def __init__(self, recall, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(recall, num_thresholds, class_id, name, dtype)


class RecallAtPrecision(_MaxUnderConstraint):
    _value_arg, _constrained, _dependent = "precision", "precision", "sensitivity"

    def __init__(self, precision, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(precision, num_thresholds, class_id, name, dtype)


_CURVES = {
    "pr": "PR",
    "PR": "PR",
    "roc": "ROC",
    "ROC": "ROC",
    "pr_gain": "PR_GAIN",
    "prgain": "PR_GAIN",
    "PR_GAIN": "PR_GAIN",
    "PRGAIN": "PR_GAIN",
}
_SUMMATIONS = {
    "interpolation": "interpolation",
    "Interpolation": "interpolation",
    "majoring": "majoring",
    "Majoring": "majoring",
    "minoring": "minoring",
    "Minoring": "minoring",
}


class AUC(Metric):
    """Area under the ROC or PR curve, from confusion counts at `num_thresholds` thresholds."""

    def __init__(
        self,
        num_thresholds=200,
        curve="ROC",
        summation_method="interpolation",
        name=None,
        dtype=None,
        thresholds=None,
        multi_label=False,
        num_labels=None,
        label_weights=None,
        from_logits=False,
    ):
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            self.num_thresholds = len(thresholds) + 2
            thresholds = sorted(thresholds)
            self._thresholds_distributed_evenly = mu.is_evenly_distributed_thresholds(
                np.array([0.0] + thresholds + [1.0])
            )
        else:
            if num_thresholds <= 1:
                raise ValueError(
                    f"Argument `num_thresholds` must be an integer > 1. Received: "
                    f"num_thresholds={num_thresholds}"
                )
            self.num_thresholds = num_thresholds
            thresholds = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self._thresholds_distributed_evenly = True
        self._thresholds = np.array([0.0 - backend.epsilon()] + thresholds + [1.0 + backend.epsilon()])
        if curve not in _CURVES:
            raise ValueError(
                f'Invalid AUC curve value: "{curve}". Expected values are ["PR", "ROC", "PR_GAIN"]'
            )
        self.curve = _CURVES[curve]
        if summation_method not in _SUMMATIONS:
            raise ValueError(
                f'Invalid AUC summation method value: "{summation_method}". Expected values are '
                f'["interpolation", "majoring", "minoring"]'
            )
        self.summation_method = _SUMMATIONS[summation_method]
        super().__init__(name=name, dtype=dtype)
        self.multi_label = multi_label
        self.num_labels = num_labels
        if label_weights is not None:
            label_weights = tf.constant(label_weights, dtype=self.dtype)
            if np.any(label_weights.numpy() < 0):
                raise tf.errors.InvalidArgumentError(
                    None, None, "All values of `label_weights` must be non-negative."
                )
            self.label_weights = label_weights
        else:
            self.label_weights = None
        self._from_logits = from_logits
        self._built = False
        if self.multi_label:
            if num_labels:
                self._build(tf.TensorShape([None, num_labels]))
        else:
            if num_labels:
                raise ValueError("`num_labels` is needed only when `multi_label` is True.")
            self._build(None)

    @property
    def thresholds(self) -> list:
        return list(self._thresholds)

    def _build(self, shape):
        if self.multi_label:
            if shape.rank != 2:
                raise ValueError(
                    f"`y_pred` must have rank 2 when `multi_label=True`. Found rank {shape.rank}. "
                    f"Full shape received for `y_pred`: {shape}"
                )
            self._num_labels = shape[1]
            variable_shape = (self.num_thresholds, self._num_labels)
        else:
            variable_shape = (self.num_thresholds,)
        self._build_input_shape = shape
        self.true_positives = self.add_weight("true_positives", shape=variable_shape, initializer="zeros")
        self.true_negatives = self.add_weight("true_negatives", shape=variable_shape, initializer="zeros")
        self.false_positives = self.add_weight("false_positives", shape=variable_shape, initializer="zeros")
        self.false_negatives = self.add_weight("false_negatives", shape=variable_shape, initializer="zeros")
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = tf.convert_to_tensor(y_pred)
        if not self._built:
            self._build(tf.TensorShape(y_pred.shape))
        label_weights = None if self.multi_label else self.label_weights
        if self._from_logits:
            y_pred = tf.sigmoid(y_pred)
        return mu.update_confusion_matrix_variables(
            {
                _TP: self.true_positives,
                _TN: self.true_negatives,
                _FP: self.false_positives,
                _FN: self.false_negatives,
            },
            y_true,
            y_pred,
            self._thresholds,
            thresholds_distributed_evenly=self._thresholds_distributed_evenly,
            sample_weight=sample_weight,
            multi_label=self.multi_label,
            label_weights=label_weights,
        )

    def _by_label(self, values):
        by_label_auc = tf.reduce_sum(values, axis=0)
        if self.label_weights is None:
            return tf.reduce_mean(by_label_auc)
        return tf.math.divide_no_nan(
            tf.reduce_sum(tf.multiply(by_label_auc, self.label_weights)), tf.reduce_sum(self.label_weights)
        )

    def interpolate_pr_auc(self):
        n = self.num_thresholds
        tp, fp, fn = self.true_positives, self.false_positives, self.false_negatives
        dtp = tp[: n - 1] - tp[1:]
        p = tf.math.add(tp, fp)
        dp = p[: n - 1] - p[1:]
        prec_slope = tf.math.divide_no_nan(dtp, tf.maximum(dp, 0))
        intercept = tp[1:] - tf.multiply(prec_slope, p[1:])
        safe_p_ratio = tf.where(
            tf.logical_and(p[: n - 1] > 0, p[1:] > 0),
            tf.math.divide_no_nan(p[: n - 1], tf.maximum(p[1:], 0)),
            tf.ones_like(p[1:]),
        )
        pr_auc_increment = tf.math.divide_no_nan(
            prec_slope * (dtp + intercept * tf.math.log(safe_p_ratio)), tf.maximum(tp[1:] + fn[1:], 0)
        )
        if self.multi_label:
            return self._by_label(pr_auc_increment)
        return tf.reduce_sum(pr_auc_increment)

    def result(self):
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self.interpolate_pr_auc()
        tp, tn, fp, fn = self.true_positives, self.true_negatives, self.false_positives, self.false_negatives
        recall = tf.math.divide_no_nan(tp, tf.math.add(tp, fn))
        if self.curve == "ROC":
            x = tf.math.divide_no_nan(fp, tf.math.add(fp, tn))
            y = recall
        elif self.curve == "PR":
            x = recall
            y = tf.math.divide_no_nan(tp, tf.math.add(tp, fp))
        else:
            scaling_factor = tf.math.divide_no_nan(tf.math.add(tp, fn), tf.math.add(fp, tn))
            recall_gain = 1.0 - scaling_factor * tf.math.divide_no_nan(fn, tp)
            precision_gain = 1.0 - scaling_factor * tf.math.divide_no_nan(fp, tp)
            recall_gain = tf.where(tf.equal(tp, 0.0), tf.zeros_like(recall_gain), recall_gain)
            precision_gain = tf.where(tf.equal(tp, 0.0), tf.ones_like(precision_gain), precision_gain)
            x = tf.math.maximum(recall_gain, tf.zeros_like(recall_gain))
            y = precision_gain
        n = self.num_thresholds
        if self.summation_method == "interpolation":
            heights = (y[: n - 1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = tf.minimum(y[: n - 1], y[1:])
        else:
            heights = tf.maximum(y[: n - 1], y[1:])
        riemann_terms = tf.multiply(x[: n - 1] - x[1:], heights)
        if self.multi_label:
            return self._by_label(riemann_terms)
        return tf.reduce_sum(riemann_terms)

    def reset_state(self) -> None:
        if self._built:
            _zero([self.true_positives, self.true_negatives, self.false_positives, self.false_negatives])

    def get_config(self) -> dict:
        label_weights = self.label_weights
        if label_weights is not None:
            label_weights = label_weights.numpy()
        config = super().get_config()
        config.update(
            {
                "num_thresholds": self.num_thresholds,
                "curve": self.curve,
                "summation_method": self.summation_method,
                "multi_label": self.multi_label,
                "num_labels": self.num_labels,
                "label_weights": label_weights,
                "from_logits": self._from_logits,
            }
        )
        if self._init_from_thresholds:
            config["thresholds"] = self.thresholds[1:-1]
        return config


for _cls in (
    TruePositives,
    TrueNegatives,
    FalsePositives,
    FalseNegatives,
    Precision,
    Recall,
    SensitivityAtSpecificity,
    SpecificityAtSensitivity,
    PrecisionAtRecall,
    RecallAtPrecision,
    AUC,
):
    export("keras.metrics." + _cls.__name__, _cls)
    export("metrics." + _cls.__name__, _cls)
