"""Probabilistic losses (tf_keras 2.21): binary / categorical / sparse categorical crossentropy, their focal
variants, KL divergence and Poisson; functions (`keras.losses.*`, also `keras.metrics.*`) and classes.

The crossentropies follow `tf_keras.backend`: probabilities are clipped to [eps, 1 - eps]; `from_logits`
uses the fused `tf.nn.*_cross_entropy_with_logits`; inside a traced function an output produced by a
Softmax / Sigmoid op is replaced by that op's input (its logits), as Keras does.

>>> import tensorweave as tf
>>> print(tf.keras.losses.sparse_categorical_crossentropy([1], [[0.1, 0.9]]))
tf.Tensor([0.10536056], shape=(1,), dtype=float32)
"""

from __future__ import annotations

import warnings

from tensorweave._src.api_export import PublicNamespace
from tensorweave._src.keras import backend
from tensorweave._src.keras.losses.base import LossFunctionWrapper, export_all

tf = PublicNamespace()


# ---- tf_keras.backend-level crossentropies -------------------------------------------------------------
def _get_logits(output, from_logits, op_type, fn_name):
    """(output, from_logits), replaced by the logits when `output` is a traced `op_type` op's result."""
    if hasattr(output, "_keras_logits"):
        output_, from_logits_, found = output._keras_logits, True, True
    else:
        output_, from_logits_, found = output, from_logits, False
        try:
            op = output.op
        except AttributeError:  # eager tensors and variables have no op
            op = None
        if op is not None and getattr(op, "type", None) == op_type and len(op.inputs) == 1:
            output_, from_logits_, found = op.inputs[0], True, True
    if from_logits and found:
        warnings.warn(
            f'"`{fn_name}` received `from_logits=True`, but the `output` argument was produced by a '
            f"{op_type} activation and thus does not represent logits. Was this intended?",
            stacklevel=2,
        )
    return output_, from_logits_


def _eps(dtype):
    return tf.constant(backend.epsilon(), dtype=dtype)


def _softmax_xent(labels, logits, axis):
    """`tf.nn.softmax_cross_entropy_with_logits`; with statically unknown dimensions (a traced batch) the
    same formula from log_softmax, which that op cannot reshape for yet."""
    if logits.shape.is_fully_defined():
        return tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits, axis=axis)
    labels = tf.cast(labels, logits.dtype)
    return -tf.reduce_sum(labels * tf.nn.log_softmax(logits, axis=axis), axis=axis)


def backend_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    target = tf.convert_to_tensor(target)
    output = tf.convert_to_tensor(output)
    target.shape.assert_is_compatible_with(output.shape)
    output, from_logits = _get_logits(output, from_logits, "Softmax", "categorical_crossentropy")
    if from_logits:
        return _softmax_xent(target, output, axis)
    output = output / tf.reduce_sum(output, axis, True)
    eps = _eps(output.dtype)
    output = tf.clip_by_value(output, eps, 1.0 - eps)
    return -tf.reduce_sum(target * tf.math.log(output), axis)


def backend_categorical_focal_crossentropy(target, output, alpha=0.25, gamma=2.0, from_logits=False, axis=-1):
    target = tf.convert_to_tensor(target)
    output = tf.convert_to_tensor(output)
    target.shape.assert_is_compatible_with(output.shape)
    output, from_logits = _get_logits(output, from_logits, "Softmax", "categorical_focal_crossentropy")
    if from_logits:
        output = tf.nn.softmax(output, axis=axis)
    output = output / tf.reduce_sum(output, axis=axis, keepdims=True)
    eps = _eps(output.dtype)
    output = tf.clip_by_value(output, eps, 1.0 - eps)
    cce = -target * tf.math.log(output)
    modulating_factor = tf.pow(1.0 - output, gamma)
    weighting_factor = tf.multiply(modulating_factor, alpha)
    return tf.reduce_sum(tf.multiply(weighting_factor, cce), axis=axis)


def backend_sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1, ignore_class=None):
    target = tf.convert_to_tensor(target)
    output = tf.convert_to_tensor(output)
    target = tf.cast(target, "int64")
    output, from_logits = _get_logits(output, from_logits, "Softmax", "sparse_categorical_crossentropy")
    if not from_logits:
        eps = _eps(output.dtype)
        output = tf.math.log(tf.clip_by_value(output, eps, 1 - eps))
    output_rank = output.shape.rank
    if output_rank is not None:
        axis %= output_rank
        if axis != output_rank - 1:
            perm = list(range(axis)) + list(range(axis + 1, output_rank)) + [axis]
            output = tf.transpose(output, perm=perm)
    elif axis != -1:
        raise ValueError(
            f"Cannot compute sparse categorical crossentropy with `axis={axis}` on an output "
            f"tensor with unknown rank"
        )
    output_shape = tf.shape(output)
    target_rank = target.shape.rank
    update_shape = target_rank is not None and output_rank is not None and target_rank != output_rank - 1
    if update_shape:
        target = tf.reshape(target, [-1])
        last = output.shape[-1]
        output = tf.reshape(output, [-1, last] if last is not None else tf.stack([-1, output_shape[-1]]))
    if ignore_class is not None:
        valid_mask = tf.not_equal(target, tf.cast(ignore_class, target.dtype))
        target = tf.boolean_mask(target, valid_mask)
        output = tf.boolean_mask(output, valid_mask)
    res = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=target, logits=output)
    if ignore_class is not None:
        res_shape = tf.cast(output_shape[:-1], "int64")
        valid_mask = tf.reshape(valid_mask, res_shape)
        res = tf.scatter_nd(tf.where(valid_mask), res, res_shape)
        res._keras_mask = valid_mask
        return res
    if update_shape and output_rank >= 3:
        res = tf.reshape(res, output_shape[:-1])
    return res


def backend_binary_crossentropy(target, output, from_logits=False):
    target = tf.convert_to_tensor(target)
    output = tf.convert_to_tensor(output)
    output, from_logits = _get_logits(output, from_logits, "Sigmoid", "binary_crossentropy")
    if from_logits:
        return tf.nn.sigmoid_cross_entropy_with_logits(labels=target, logits=output)
    eps = _eps(output.dtype)
    output = tf.clip_by_value(output, eps, 1.0 - eps)
    bce = target * tf.math.log(output + backend.epsilon())
    bce = bce + (1 - target) * tf.math.log(1 - output + backend.epsilon())
    return -bce


def backend_binary_focal_crossentropy(
    target, output, apply_class_balancing=False, alpha=0.25, gamma=2.0, from_logits=False
):
    sigmoidal = tf.sigmoid(output) if from_logits else output
    p_t = target * sigmoidal + (1 - target) * (1 - sigmoidal)
    focal_factor = tf.pow(1.0 - p_t, gamma)
    bce = backend_binary_crossentropy(target, output, from_logits=from_logits)
    focal_bce = focal_factor * bce
    if apply_class_balancing:
        weight = target * alpha + (1 - target) * (1 - alpha)
        focal_bce = weight * focal_bce
    return focal_bce


# ---- loss functions ----------------------------------------------------------------------------------
def _smoothing(label_smoothing, dtype):
    """`label_smoothing` as a tensor, or None when it is statically zero."""
    ls = tf.convert_to_tensor(label_smoothing, dtype=dtype)
    try:
        value = ls.numpy()
    except (AttributeError, NotImplementedError):
        value = getattr(ls, "const", None)
    if value is not None and not value:
        return None
    return ls


def _check_axis(axis):
    if isinstance(axis, bool):
        raise ValueError(f"`axis` must be of type `int`. Received: axis={axis} of type {type(axis)}")


def _warn_one_class(y_pred, fn_name):
    if y_pred.shape.rank and y_pred.shape[-1] == 1:
        warnings.warn(
            f"In loss {fn_name}, expected y_pred.shape to be (batch_size, num_classes) with "
            f"num_classes > 1. Received: y_pred.shape={y_pred.shape}. Consider using "
            f"'binary_crossentropy' if you only have 2 classes.",
            SyntaxWarning,
            stacklevel=4,  # the caller of the loss function (past _categorical_targets)
        )


def _categorical_targets(y_true, y_pred, label_smoothing, axis, class_axis, fn_name):
    """The categorical losses' prologue: (y_true, y_pred) in y_pred's dtype, y_true label-smoothed over
    the `class_axis` classes."""
    _check_axis(axis)
    y_pred = tf.convert_to_tensor(y_pred)
    y_true = tf.cast(y_true, y_pred.dtype)
    ls = _smoothing(label_smoothing, y_pred.dtype)
    _warn_one_class(y_pred, fn_name)
    if ls is not None:
        num_classes = tf.cast(tf.shape(y_true)[class_axis], y_pred.dtype)
        y_true = y_true * (1.0 - ls) + ls / num_classes
    return y_true, y_pred


def _binary_targets(y_true, y_pred, label_smoothing):
    """The binary losses' prologue: (y_true, y_pred) in y_pred's dtype, y_true smoothed towards 0.5."""
    y_pred = tf.convert_to_tensor(y_pred)
    y_true = tf.cast(y_true, y_pred.dtype)
    ls = _smoothing(label_smoothing, y_pred.dtype)
    if ls is not None:
        y_true = y_true * (1.0 - ls) + 0.5 * ls
    return y_true, y_pred


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    y_true, y_pred = _categorical_targets(
        y_true, y_pred, label_smoothing, axis, axis, "categorical_crossentropy"
    )
    return backend_categorical_crossentropy(y_true, y_pred, from_logits=from_logits, axis=axis)


def categorical_focal_crossentropy(
    y_true, y_pred, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1
):
    # tf_keras smooths over the last axis here, whatever `axis` is
    y_true, y_pred = _categorical_targets(
        y_true, y_pred, label_smoothing, axis, -1, "categorical_focal_crossentropy"
    )
    return backend_categorical_focal_crossentropy(
        y_true, y_pred, alpha=alpha, gamma=gamma, from_logits=from_logits, axis=axis
    )


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, axis=-1, ignore_class=None):
    return backend_sparse_categorical_crossentropy(
        y_true, y_pred, from_logits=from_logits, axis=axis, ignore_class=ignore_class
    )


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    y_true, y_pred = _binary_targets(y_true, y_pred, label_smoothing)
    return tf.reduce_mean(backend_binary_crossentropy(y_true, y_pred, from_logits=from_logits), axis=axis)


def binary_focal_crossentropy(
    y_true,
    y_pred,
    apply_class_balancing=False,
    alpha=0.25,
    gamma=2.0,
    from_logits=False,
    label_smoothing=0.0,
    axis=-1,
):
    y_true, y_pred = _binary_targets(y_true, y_pred, label_smoothing)
    return tf.reduce_mean(
        backend_binary_focal_crossentropy(
            y_true,
            y_pred,
            apply_class_balancing=apply_class_balancing,
            alpha=alpha,
            gamma=gamma,
            from_logits=from_logits,
        ),
        axis=axis,
    )


def kl_divergence(y_true, y_pred):
    y_pred = tf.convert_to_tensor(y_pred)
    y_true = tf.cast(y_true, y_pred.dtype)
    y_true = tf.clip_by_value(y_true, backend.epsilon(), 1)
    y_pred = tf.clip_by_value(y_pred, backend.epsilon(), 1)
    return tf.reduce_sum(y_true * tf.math.log(y_true / y_pred), axis=-1)


def poisson(y_true, y_pred):
    y_pred = tf.convert_to_tensor(y_pred)
    y_true = tf.cast(y_true, y_pred.dtype)
    return tf.reduce_mean(y_pred - y_true * tf.math.log(y_pred + backend.epsilon()), axis=-1)


# ---- classes -----------------------------------------------------------------------------------------
class BinaryCrossentropy(LossFunctionWrapper):
    def __init__(
        self, from_logits=False, label_smoothing=0.0, axis=-1, reduction="auto", name="binary_crossentropy"
    ):
        super().__init__(
            binary_crossentropy,
            name=name,
            reduction=reduction,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )
        self.from_logits = from_logits


class _FocalCrossentropy(LossFunctionWrapper):
    """The focal crossentropies keep `from_logits` and their focal arguments as attributes (as tf_keras),
    and get_config writes the focal ones again."""

    _focal_args: tuple = ()

    def __init__(self, fn, reduction, name, **kwargs):
        super().__init__(fn, reduction=reduction, name=name, **kwargs)
        self.from_logits = kwargs["from_logits"]
        for key in self._focal_args:
            setattr(self, key, kwargs[key])

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({key: getattr(self, key) for key in self._focal_args})
        return config


class BinaryFocalCrossentropy(_FocalCrossentropy):
    _focal_args = ("apply_class_balancing", "alpha", "gamma")

    def __init__(
        self,
        apply_class_balancing=False,
        alpha=0.25,
        gamma=2.0,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        reduction="auto",
        name="binary_focal_crossentropy",
    ):
        super().__init__(
            binary_focal_crossentropy,
            reduction,
            name,
            apply_class_balancing=apply_class_balancing,
            alpha=alpha,
            gamma=gamma,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )


class CategoricalCrossentropy(LossFunctionWrapper):
    def __init__(
        self,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        reduction="auto",
        name="categorical_crossentropy",
    ):
        super().__init__(
            categorical_crossentropy,
            name=name,
            reduction=reduction,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )


class CategoricalFocalCrossentropy(_FocalCrossentropy):
    _focal_args = ("alpha", "gamma")

    def __init__(
        self,
        alpha=0.25,
        gamma=2.0,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        reduction="auto",
        name="categorical_focal_crossentropy",
    ):
        super().__init__(
            categorical_focal_crossentropy,
            reduction,
            name,
            alpha=alpha,
            gamma=gamma,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )


class SparseCategoricalCrossentropy(LossFunctionWrapper):
    def __init__(
        self, from_logits=False, ignore_class=None, reduction="auto", name="sparse_categorical_crossentropy"
    ):
        super().__init__(
            sparse_categorical_crossentropy,
            name=name,
            reduction=reduction,
            from_logits=from_logits,
            ignore_class=ignore_class,
        )


class KLDivergence(LossFunctionWrapper):
    def __init__(self, reduction="auto", name="kl_divergence"):
        super().__init__(kl_divergence, name=name, reduction=reduction)


class Poisson(LossFunctionWrapper):
    def __init__(self, reduction="auto", name="poisson"):
        super().__init__(poisson, name=name, reduction=reduction)


for _fn in (
    binary_crossentropy,
    binary_focal_crossentropy,
    categorical_crossentropy,
    categorical_focal_crossentropy,
    sparse_categorical_crossentropy,
    poisson,
):
    export_all(_fn, _fn.__name__, metrics=True)
export_all(kl_divergence, "kl_divergence", "kld", "KLD", "kullback_leibler_divergence", metrics=True)
for _cls in (
    BinaryCrossentropy,
    BinaryFocalCrossentropy,
    CategoricalCrossentropy,
    CategoricalFocalCrossentropy,
    SparseCategoricalCrossentropy,
    KLDivergence,
    Poisson,
):
    export_all(_cls, _cls.__name__)
