"""Helpers shared by the layers (Keras 2's `backend.relu`, `cast_to_floatx`, `conv_utils` normalizers),
written on public tensorweave ops."""

from __future__ import annotations

import numpy as np

from tensorweave._src.api_export import PublicNamespace
from tensorweave._src.keras import backend

tf = PublicNamespace()


def cast_to_floatx(x):
    """A numpy value of floatx dtype (`backend.cast_to_floatx`)."""
    return np.asarray(x, dtype=backend.floatx())


def relu(x, alpha=0.0, max_value=None, threshold=0.0):
    """`backend.relu`: leaky slope `alpha` below `threshold`, capped at `max_value`."""
    dtype = x.dtype
    alpha = float(alpha)
    threshold = float(threshold)
    negative_part = None
    if alpha != 0.0:
        if max_value is None and threshold == 0:
            return tf.nn.leaky_relu(x, alpha=alpha)
        negative_part = tf.nn.relu(-x + threshold) if threshold != 0 else tf.nn.relu(-x)
    clip_max = max_value is not None
    if threshold != 0:
        x = x * tf.cast(tf.greater(x, threshold), dtype=dtype)
    elif max_value is not None and float(max_value) == 6:
        x = tf.nn.relu6(x)
        clip_max = False
    else:
        x = tf.nn.relu(x)
    if clip_max:
        x = tf.clip_by_value(x, tf.constant(0, dtype=dtype), tf.constant(float(max_value), dtype=dtype))
    if negative_part is not None:
        x = x - tf.constant(alpha, dtype=dtype) * negative_part
    return x


def training_value(training) -> bool:
    """`training` as a Python bool: an explicit value, else the enclosing call's, else False
    (Keras's learning phase outside `fit`)."""
    if training is None:
        training = backend.current_training()
    if training is None:
        return False
    if hasattr(training, "numpy"):
        return bool(training.numpy())
    return bool(training)


def normalize_data_format(value):
    if value is None:
        value = backend.image_data_format()
    data_format = value.lower()
    if data_format not in {"channels_first", "channels_last"}:
        raise ValueError(
            f'The `data_format` argument must be one of "channels_first", "channels_last". Received: {value}'
        )
    return data_format


def normalize_tuple(value, n, name, allow_zero=False):
    """`conv_utils.normalize_tuple`: an int or an iterable of n ints, as a tuple of n ints."""
    error_msg = f"The `{name}` argument must be a tuple of {n} integers. Received: {value}"
    if isinstance(value, int):
        value_tuple = (value,) * n
    else:
        try:
            value_tuple = tuple(value)
        except TypeError:
            raise ValueError(error_msg)
        if len(value_tuple) != n:
            raise ValueError(error_msg)
        for single_value in value_tuple:
            try:
                int(single_value)
            except (ValueError, TypeError):
                error_msg += f"including element {single_value} of type {type(single_value)}"
                raise ValueError(error_msg)
    if allow_zero:
        unqualified = {v for v in value_tuple if v < 0}
        req_msg = ">= 0"
    else:
        unqualified = {v for v in value_tuple if v <= 0}
        req_msg = "> 0"
    if unqualified:
        error_msg += f" including {unqualified} that does not satisfy the requirement `{req_msg}`."
        raise ValueError(error_msg)
    return value_tuple


def maybe_serialize(fn, value):
    return None if value is None else fn(value)


def axis_argument(axis, error: str | None = None):
    """A layer's `axis` argument as it keeps it: an int, or a list/tuple of ints as a list."""
    if isinstance(axis, (list, tuple)):
        return list(axis)
    if isinstance(axis, int):
        return axis
    raise TypeError(
        error or f"Expected an int or a list/tuple of ints for the argument 'axis', but received: {axis!r}"
    )


def validate_axis(axis, input_shape):
    """`tf_utils.validate_axis`: `axis` (int or list) as a list of non-negative axes of `input_shape`."""
    from tensorweave._src.core.shape import TensorShape

    input_shape = TensorShape(input_shape)
    rank = input_shape.rank
    if not rank:
        raise ValueError(f"Input has undefined rank. Received: input_shape={input_shape}")
    axis = [axis] if isinstance(axis, int) else list(axis)
    axis = [rank + x if x < 0 else x for x in axis]
    for x in axis:
        if x < 0 or x >= rank:
            raise ValueError(
                f"Invalid value for `axis` argument. Expected 0 <= axis < inputs.rank (with "
                f"inputs.rank={rank}). Received: axis={tuple(axis)}"
            )
    if len(axis) != len(set(axis)):
        raise ValueError(f"Duplicate axis: {tuple(axis)}")
    return axis
