"""Intersection-over-union metrics (tf_keras 2.21): IoU, MeanIoU, BinaryIoU, OneHotIoU, OneHotMeanIoU,
from an accumulated (num_classes x num_classes) confusion matrix.

>>> import tensorweave as tf
>>> m = tf.keras.metrics.MeanIoU(num_classes=2)
>>> _ = m.update_state([0, 0, 1, 1], [0, 1, 0, 1])
>>> print(m.result())
tf.Tensor(0.33333334, shape=(), dtype=float32)
"""

from __future__ import annotations

import numpy as np

from tensorweave._src.api_export import PublicNamespace, export
from tensorweave._src.keras.metrics.base_metric import Metric, track_list

tf = PublicNamespace()


def _confusion_matrix(labels, predictions, num_classes, weights=None, dtype="float32"):
    """`tf.math.confusion_matrix`: rows are labels, columns predictions."""
    labels = tf.cast(labels, "int32")
    predictions = tf.cast(predictions, "int32")
    ids = labels * num_classes + predictions
    values = tf.ones_like(ids, dtype=dtype) if weights is None else tf.cast(weights, dtype)
    flat = tf.math.unsorted_segment_sum(values, ids, num_classes * num_classes)
    return tf.reshape(flat, [num_classes, num_classes])


class IoU(Metric):
    # get_config entries, in tf_keras's order (each subclass spells its own)
    _config_keys = (
        "name",
        "dtype",
        "num_classes",
        "target_class_ids",
        "ignore_class",
        "sparse_y_true",
        "sparse_y_pred",
        "axis",
    )

    def __init__(
        self,
        num_classes,
        target_class_ids,
        name=None,
        dtype=None,
        ignore_class=None,
        sparse_y_true=True,
        sparse_y_pred=True,
        axis=-1,
    ):
        super().__init__(name=name, dtype=dtype)
        self.num_classes = num_classes
        self.ignore_class = ignore_class
        self.sparse_y_true = sparse_y_true
        self.sparse_y_pred = sparse_y_pred
        self.axis = axis
        self.total_cm = self.add_weight(
            "total_confusion_matrix", shape=(num_classes, num_classes), initializer="zeros"
        )
        if max(target_class_ids) >= num_classes:
            raise ValueError(
                f"Target class id {max(target_class_ids)} is out of range, which is [{0}, {num_classes})."
            )
        self.target_class_ids = track_list(list(target_class_ids))

    def update_state(self, y_true, y_pred, sample_weight=None):
        if not self.sparse_y_true:
            y_true = tf.argmax(y_true, axis=self.axis)
        if not self.sparse_y_pred:
            y_pred = tf.argmax(y_pred, axis=self.axis)
        y_true = tf.cast(y_true, self.dtype)
        y_pred = tf.cast(y_pred, self.dtype)
        if y_pred.shape.rank > 1:
            y_pred = tf.reshape(y_pred, [-1])
        if y_true.shape.rank > 1:
            y_true = tf.reshape(y_true, [-1])
        if sample_weight is not None:
            sample_weight = tf.cast(sample_weight, self.dtype)
            if sample_weight.shape.rank > 1:
                sample_weight = tf.reshape(sample_weight, [-1])
        if self.ignore_class is not None:
            valid_mask = tf.not_equal(y_true, tf.cast(self.ignore_class, y_true.dtype))
            y_true = tf.boolean_mask(y_true, valid_mask)
            y_pred = tf.boolean_mask(y_pred, valid_mask)
            if sample_weight is not None:
                sample_weight = tf.boolean_mask(sample_weight, valid_mask)
        current_cm = _confusion_matrix(
            y_true, y_pred, self.num_classes, weights=sample_weight, dtype=self.dtype
        )
        return self.total_cm.assign_add(current_cm)

    def reset_state(self) -> None:
        self.total_cm.assign(np.zeros((self.num_classes, self.num_classes), dtype=self.dtype))

    def result(self):
        sum_over_row = tf.cast(tf.reduce_sum(self.total_cm, axis=0), dtype=self.dtype)
        sum_over_col = tf.cast(tf.reduce_sum(self.total_cm, axis=1), dtype=self.dtype)
        true_positives = tf.cast(tf.linalg.diag_part(self.total_cm), dtype=self.dtype)
        denominator = sum_over_row + sum_over_col - true_positives
        true_positives = tf.gather(true_positives, self.target_class_ids)
        denominator = tf.gather(denominator, self.target_class_ids)
        num_valid_entries = tf.reduce_sum(tf.cast(tf.not_equal(denominator, 0), dtype=self.dtype))
        iou = tf.math.divide_no_nan(true_positives, denominator)
        return tf.math.divide_no_nan(tf.reduce_sum(iou), num_valid_entries)

    def get_config(self) -> dict:
        return {key: getattr(self, key) for key in self._config_keys}


class BinaryIoU(IoU):
    _config_keys = ("target_class_ids", "threshold", "name", "dtype")

    def __init__(self, target_class_ids=(0, 1), threshold=0.5, name=None, dtype=None):
        super().__init__(num_classes=2, target_class_ids=target_class_ids, name=name, dtype=dtype)
        self.threshold = threshold

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = tf.cast(y_pred, self.dtype)
        y_pred = tf.cast(y_pred >= self.threshold, self.dtype)
        return super().update_state(y_true, y_pred, sample_weight)


class MeanIoU(IoU):
    _config_keys = ("num_classes", "name", "dtype", "ignore_class", "sparse_y_true", "sparse_y_pred", "axis")

    def __init__(
        self,
        num_classes,
        name=None,
        dtype=None,
        ignore_class=None,
        sparse_y_true=True,
        sparse_y_pred=True,
        axis=-1,
    ):
        super().__init__(
            name=name,
            num_classes=num_classes,
            target_class_ids=list(range(num_classes)),
            axis=axis,
            dtype=dtype,
            ignore_class=ignore_class,
            sparse_y_true=sparse_y_true,
            sparse_y_pred=sparse_y_pred,
        )


class OneHotIoU(IoU):
    _config_keys = (
        "num_classes",
        "target_class_ids",
        "name",
        "dtype",
        "ignore_class",
        "sparse_y_pred",
        "axis",
    )

    def __init__(
        self,
        num_classes,
        target_class_ids,
        name=None,
        dtype=None,
        ignore_class=None,
        sparse_y_pred=False,
        axis=-1,
    ):
        super().__init__(
            num_classes=num_classes,
            target_class_ids=target_class_ids,
            name=name,
            dtype=dtype,
            ignore_class=ignore_class,
            sparse_y_true=False,
            sparse_y_pred=sparse_y_pred,
            axis=axis,
        )


class OneHotMeanIoU(MeanIoU):
    _config_keys = ("num_classes", "name", "dtype", "ignore_class", "sparse_y_pred", "axis")

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None, sparse_y_pred=False, axis=-1):
        super().__init__(
            num_classes=num_classes,
            axis=axis,
            name=name,
            dtype=dtype,
            ignore_class=ignore_class,
            sparse_y_true=False,
            sparse_y_pred=sparse_y_pred,
        )


for _cls in (IoU, MeanIoU, BinaryIoU, OneHotIoU, OneHotMeanIoU):
    export("keras.metrics." + _cls.__name__, _cls)
    export("metrics." + _cls.__name__, _cls)
