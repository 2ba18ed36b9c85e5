"""tf_keras's `metrics_utils`: matches for the accuracy metrics, weight broadcasting, threshold parsing and
the confusion-matrix accumulation shared by TruePositives ... AUC (both the general thresholded form and
the bucketed form Keras uses for evenly spaced thresholds).

>>> import tensorweave as tf
>>> from tensorweave._src.keras.metrics import metrics_utils
>>> print(metrics_utils.binary_matches(tf.constant([1.0, 0.0]), tf.constant([0.7, 0.6])))
tf.Tensor([1. 0.], shape=(2,), dtype=float32)
"""

from __future__ import annotations

import numpy as np

from tensorweave._src.api_export import PublicNamespace
from tensorweave._src.keras import backend
from tensorweave._src.keras.losses.base import squeeze_or_expand_dimensions

tf = PublicNamespace()

NEG_INF = -1e10

TRUE_POSITIVES, FALSE_POSITIVES, TRUE_NEGATIVES, FALSE_NEGATIVES = "tp", "fp", "tn", "fn"


def broadcast_weights(weights, values):
    """`weights` broadcast to the shape of `values`; ValueError when they cannot be (as TF's
    `broadcast_weights`: same rank with dims 1 or equal, or a scalar)."""
    weights = tf.convert_to_tensor(weights)
    values = tf.convert_to_tensor(values)
    w_shape, v_shape = weights.shape, values.shape
    if w_shape.is_fully_defined() and v_shape.is_fully_defined() and w_shape.is_compatible_with(v_shape):
        return weights
    if w_shape.rank is not None and v_shape.rank is not None and w_shape.rank != 0:
        if w_shape.rank != v_shape.rank:
            raise ValueError(
                f"weights can not be broadcast to values. values.rank={v_shape.rank}. "
                f"weights.rank={w_shape.rank}. values.shape={v_shape}. weights.shape={w_shape}."
            )
        for w, v in zip(w_shape.as_list(), v_shape.as_list()):
            if w is not None and v is not None and w not in (1, v):
                raise ValueError(
                    f"weights can not be broadcast to values. Mismatch at dim. values.shape="
                    f"{v_shape}, weights.shape={w_shape}."
                )
    return tf.multiply(weights, tf.ones_like(values))


def to_list(x):
    if isinstance(x, list):
        return x
    if isinstance(x, tuple):
        return list(x)
    return [x]


def assert_thresholds_range(thresholds):
    if thresholds is not None:
        invalid = [t for t in thresholds if t is None or t < 0 or t > 1]
        if invalid:
            raise ValueError(f"Threshold values must be in [0, 1]. Received: {invalid}")


def parse_init_thresholds(thresholds, default_threshold=0.5):
    if thresholds is not None:
        assert_thresholds_range(to_list(thresholds))
    return to_list(default_threshold if thresholds is None else thresholds)


def is_evenly_distributed_thresholds(thresholds) -> bool:
    num = len(thresholds)
    if num < 3:
        return False
    even = np.arange(num, dtype=np.float32) / (num - 1)
    return bool(np.allclose(thresholds, even, atol=backend.epsilon()))


def _filter_top_k(x, k):
    _, top_k_idx = tf.math.top_k(x, k, sorted=False)
    top_k_mask = tf.reduce_sum(tf.one_hot(top_k_idx, tf.shape(x)[-1], axis=-1), axis=-2)
    return x * top_k_mask + NEG_INF * (1 - top_k_mask)


def _optimized_update(
    variables,
    y_true,
    y_pred,
    thresholds,
    multi_label=False,
    sample_weights=None,
    label_weights=None,
    thresholds_with_epsilon=False,
):
    """Bucketed counts for evenly spaced thresholds (tf_keras's fast path)."""
    num_thresholds = thresholds.shape[0]
    if sample_weights is None:
        sample_weights = 1.0
    else:
        sample_weights = broadcast_weights(tf.cast(sample_weights, y_pred.dtype), y_pred)
        if not multi_label:
            sample_weights = tf.reshape(sample_weights, [-1])
    if label_weights is None:
        label_weights = 1.0
    else:
        label_weights = broadcast_weights(tf.expand_dims(label_weights, 0), y_pred)
        if not multi_label:
            label_weights = tf.reshape(label_weights, [-1])
    weights = tf.cast(tf.multiply(sample_weights, label_weights), y_true.dtype)
    y_pred = tf.clip_by_value(y_pred, clip_value_min=0.0, clip_value_max=1.0)
    y_true = tf.cast(tf.cast(y_true, "bool"), y_true.dtype)
    if not multi_label:
        y_true = tf.reshape(y_true, [-1])
        y_pred = tf.reshape(y_pred, [-1])
    true_labels = tf.multiply(y_true, weights)
    false_labels = tf.multiply(1.0 - y_true, weights)
    bucket_indices = tf.math.ceil(y_pred * (num_thresholds - 1)) - 1
    if thresholds_with_epsilon:
        bucket_indices = tf.nn.relu(bucket_indices)
    bucket_indices = tf.cast(bucket_indices, "int32")
    if multi_label:
        true_labels = tf.transpose(true_labels)
        false_labels = tf.transpose(false_labels)
        bucket_indices = tf.transpose(bucket_indices)
        # one segment sum per label: offset each label's buckets into its own block
        num_labels = tf.shape(bucket_indices)[0]
        offsets = tf.expand_dims(tf.range(num_labels) * num_thresholds, 1)
        ids = bucket_indices + offsets
        n = num_labels * num_thresholds

        def bucket(labels):
            flat = tf.math.unsorted_segment_sum(tf.reshape(labels, [-1]), tf.reshape(ids, [-1]), n)
            return tf.reshape(flat, tf.stack([num_labels, num_thresholds]))

        tp = tf.transpose(tf.cumsum(bucket(true_labels), reverse=True, axis=1))
        fp = tf.transpose(tf.cumsum(bucket(false_labels), reverse=True, axis=1))
    else:
        tp = tf.cumsum(
            tf.math.unsorted_segment_sum(true_labels, bucket_indices, num_thresholds), reverse=True
        )
        fp = tf.cumsum(
            tf.math.unsorted_segment_sum(false_labels, bucket_indices, num_thresholds), reverse=True
        )
    if TRUE_NEGATIVES in variables or FALSE_NEGATIVES in variables:
        if multi_label:
            total_true = tf.reduce_sum(true_labels, axis=1)
            total_false = tf.reduce_sum(false_labels, axis=1)
        else:
            total_true = tf.reduce_sum(true_labels)
            total_false = tf.reduce_sum(false_labels)
    if TRUE_POSITIVES in variables:
        variables[TRUE_POSITIVES].assign_add(tp)
    if FALSE_POSITIVES in variables:
        variables[FALSE_POSITIVES].assign_add(fp)
    if TRUE_NEGATIVES in variables:
        variables[TRUE_NEGATIVES].assign_add(total_false - fp)
    if FALSE_NEGATIVES in variables:
        variables[FALSE_NEGATIVES].assign_add(total_true - tp)


def update_confusion_matrix_variables(
    variables,
    y_true,
    y_pred,
    thresholds,
    top_k=None,
    class_id=None,
    sample_weight=None,
    multi_label=False,
    label_weights=None,
    thresholds_distributed_evenly=False,
):
    """Adds the (weighted) TP/FP/TN/FN counts at each threshold to the variables in `variables`
    (keys 'tp', 'fp', 'tn', 'fn'). A prediction is positive when it is > the threshold."""
    if multi_label and label_weights is not None:
        raise ValueError(
            "`label_weights` for multilabel data should be handled outside of "
            "`update_confusion_matrix_variables` when `multi_label` is True."
        )
    if not variables:
        return None
    variable_dtype = list(variables.values())[0].dtype
    y_true = tf.cast(y_true, dtype=variable_dtype)
    y_pred = tf.cast(y_pred, dtype=variable_dtype)
    thresholds_with_epsilon = False
    if thresholds_distributed_evenly:
        thresholds_with_epsilon = thresholds[0] < 0.0 or thresholds[-1] > 1.0
    thresholds = tf.convert_to_tensor(np.asarray(thresholds), dtype=variable_dtype)
    num_thresholds = thresholds.shape[0]
    if sample_weight is None:
        y_pred, y_true = squeeze_or_expand_dimensions(y_pred, y_true)
    else:
        sample_weight = tf.cast(sample_weight, dtype=variable_dtype)
        y_pred, y_true, sample_weight = squeeze_or_expand_dimensions(
            y_pred, y_true, sample_weight=sample_weight
        )
    y_pred.shape.assert_is_compatible_with(y_true.shape)
    if top_k is not None:
        y_pred = _filter_top_k(y_pred, top_k)
    if class_id is not None:
        y_true = y_true[..., class_id, None]
        y_pred = y_pred[..., class_id, None]
    if thresholds_distributed_evenly:
        return _optimized_update(
            variables,
            y_true,
            y_pred,
            thresholds,
            multi_label=multi_label,
            sample_weights=sample_weight,
            label_weights=label_weights,
            thresholds_with_epsilon=thresholds_with_epsilon,
        )
    pred_shape = tf.shape(y_pred)
    num_predictions = pred_shape[0]
    if y_pred.shape.rank == 1:
        num_labels = 1
    else:
        num_labels = tf.math.reduce_prod(pred_shape[1:], axis=0)
    if multi_label:
        predictions_extra_dim = tf.expand_dims(y_pred, 0)
        labels_extra_dim = tf.expand_dims(tf.cast(y_true, dtype="bool"), 0)
        thresh_pretile_shape = [num_thresholds, 1, -1]
        thresh_tiles = [1, num_predictions, num_labels]
        data_tiles = [num_thresholds, 1, 1]
    else:
        predictions_extra_dim = tf.reshape(y_pred, [1, -1])
        labels_extra_dim = tf.reshape(tf.cast(y_true, dtype="bool"), [1, -1])
        thresh_pretile_shape = [num_thresholds, -1]
        thresh_tiles = [1, num_predictions * num_labels]
        data_tiles = [num_thresholds, 1]
    thresh_tiled = tf.tile(tf.reshape(thresholds, thresh_pretile_shape), tf.stack(thresh_tiles))
    preds_tiled = tf.tile(predictions_extra_dim, data_tiles)
    pred_is_pos = tf.greater(preds_tiled, thresh_tiled)
    label_is_pos = tf.tile(labels_extra_dim, data_tiles)
    weights_tiled = None
    if sample_weight is not None:
        sample_weight = broadcast_weights(tf.cast(sample_weight, dtype=variable_dtype), y_pred)
        weights_tiled = tf.tile(tf.reshape(sample_weight, tf.stack(thresh_tiles)), data_tiles)
    if label_weights is not None and not multi_label:
        label_weights = broadcast_weights(tf.expand_dims(label_weights, 0), y_pred)
        label_weights_tiled = tf.tile(tf.reshape(label_weights, tf.stack(thresh_tiles)), data_tiles)
        weights_tiled = label_weights_tiled if weights_tiled is None else weights_tiled * label_weights_tiled

    def weighted_assign_add(label, pred, var):
        label_and_pred = tf.cast(tf.logical_and(label, pred), dtype=var.dtype)
        if weights_tiled is not None:
            label_and_pred = label_and_pred * tf.cast(weights_tiled, dtype=var.dtype)
        var.assign_add(tf.reduce_sum(label_and_pred, 1))

    pairs = {TRUE_POSITIVES: (label_is_pos, pred_is_pos)}
    if FALSE_NEGATIVES in variables or TRUE_NEGATIVES in variables:
        pred_is_neg = tf.logical_not(pred_is_pos)
        pairs[FALSE_NEGATIVES] = (label_is_pos, pred_is_neg)
    if FALSE_POSITIVES in variables or TRUE_NEGATIVES in variables:
        label_is_neg = tf.logical_not(label_is_pos)
        pairs[FALSE_POSITIVES] = (label_is_neg, pred_is_pos)
        if TRUE_NEGATIVES in variables:
            pairs[TRUE_NEGATIVES] = (label_is_neg, pred_is_neg)
    for key, (label, pred) in pairs.items():
        if key in variables:
            weighted_assign_add(label, pred, variables[key])
    return None


# ---- accuracy matches ------------------------------------------------------------------------------------
def binary_matches(y_true, y_pred, threshold=0.5):
    y_pred = tf.convert_to_tensor(y_pred)
    threshold = tf.cast(threshold, y_pred.dtype)
    y_pred = tf.cast(y_pred > threshold, y_pred.dtype)
    return tf.cast(tf.equal(y_true, y_pred), backend.floatx())


def sparse_categorical_matches(y_true, y_pred):
    reshape_matches = False
    y_pred = tf.convert_to_tensor(y_pred)
    y_true = tf.convert_to_tensor(y_true)
    y_true_org_shape = tf.shape(y_true)
    if (
        y_true.shape.rank is not None
        and y_pred.shape.rank is not None
        and y_true.shape.rank == y_pred.shape.rank
    ):
        y_true = tf.squeeze(y_true, [-1])
        reshape_matches = True
    y_pred = tf.math.argmax(y_pred, axis=-1)
    if y_pred.dtype != y_true.dtype:
        y_pred = tf.cast(y_pred, y_true.dtype)
    matches = tf.cast(tf.equal(y_true, y_pred), backend.floatx())
    if reshape_matches:
        matches = tf.reshape(matches, shape=y_true_org_shape)
    return matches


def sparse_top_k_categorical_matches(y_true, y_pred, k=5):
    reshape_matches = False
    y_true = tf.convert_to_tensor(y_true)
    y_pred = tf.convert_to_tensor(y_pred)
    y_true_org_shape = tf.shape(y_true)
    if y_true.shape.rank is not None and y_pred.shape.rank is not None:
        if y_pred.shape.rank > 2:
            y_pred = tf.reshape(y_pred, [-1, y_pred.shape[-1]])
        if y_true.shape.rank > 1:
            reshape_matches = True
            y_true = tf.reshape(y_true, [-1])
    matches = tf.cast(
        tf.math.in_top_k(predictions=y_pred, targets=tf.cast(y_true, "int32"), k=k), dtype=backend.floatx()
    )
    if reshape_matches:
        return tf.reshape(matches, shape=y_true_org_shape)
    return matches
