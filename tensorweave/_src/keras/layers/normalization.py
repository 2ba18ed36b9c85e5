"""`tf.keras.layers.Normalization`: `(x - mean) / sqrt(variance)` per feature (`axis`), with the statistics
given or learned by `adapt(data)`; `invert=True` undoes it.

>>> import numpy as np
>>> import tensorweave as tf
>>> layer = tf.keras.layers.Normalization()
>>> layer.adapt(np.array([[1.0], [3.0]], dtype="float32"))
>>> layer(tf.constant([[2.0]])).numpy().tolist()
[[0.0]]
"""

from __future__ import annotations

import numpy as np

from tensorweave._src.api_export import PublicNamespace, tf_export
from tensorweave._src.core.shape import TensorShape
from tensorweave._src.core.variable import Variable
from tensorweave._src.keras import backend
from tensorweave._src.keras.engine.base_layer import Layer

tf = PublicNamespace()


def _listify(x):
    if x is None:
        return None
    if hasattr(x, "numpy"):
        x = x.numpy()
    if isinstance(x, np.ndarray):
        x = x.tolist()
    return x


@tf_export("keras.layers.Normalization")
class Normalization(Layer):
    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **kwargs):
        super().__init__(**kwargs)
        if axis is None:
            axis = ()
        elif isinstance(axis, int):
            axis = (axis,)
        else:
            axis = tuple(axis)
        self.axis = axis
        if isinstance(mean, Variable):
            raise ValueError("Normalization does not support passing a Variable for the `mean` init arg.")
        if isinstance(variance, Variable):
            raise ValueError("Normalization does not support passing a Variable for the `variance` init arg.")
        if (mean is not None) != (variance is not None):
            raise ValueError(
                f"When setting values directly, both `mean` and `variance` must be set. Got "
                f"mean: "
                f"{mean} and variance: {variance}"
            )
        self.input_mean = mean
        self.input_variance = variance
        self.invert = invert
        self._is_adapted = False

    @property
    def is_adapted(self) -> bool:
        return self._is_adapted

    def build(self, input_shape) -> None:
        if (
            isinstance(input_shape, (list, tuple))
            and input_shape
            and all(isinstance(s, TensorShape) for s in input_shape)
        ):
            raise ValueError(
                "Normalization only accepts a single input. If you are passing a python list "
                "or tuple "
                "as a single input, please convert to a numpy array or `tf.Tensor`."
            )
        input_shape = TensorShape(input_shape).as_list()
        ndim = len(input_shape)
        if any(a < -ndim or a >= ndim for a in self.axis):
            raise ValueError(
                f"All `axis` values must be in the range [-ndim, ndim). Found ndim: `{ndim}`, "
                f"axis: "
                f"{self.axis}"
            )
        self._keep_axis = sorted([d if d >= 0 else d + ndim for d in self.axis])
        for d in self._keep_axis:
            if input_shape[d] is None:
                raise ValueError(
                    f"All `axis` values to be kept must have known shape. Got axis: "
                    f"{self.axis}, "
                    f"input shape: {input_shape}, with unknown axis at index: {d}"
                )
        self._reduce_axis = [d for d in range(ndim) if d not in self._keep_axis]
        self._broadcast_shape = [input_shape[d] if d in self._keep_axis else 1 for d in range(ndim)]
        mean_and_var_shape = tuple(input_shape[d] for d in self._keep_axis)
        self.built = True
        if self.input_mean is None:
            self.adapt_mean = self.add_weight(
                name="mean",
                shape=mean_and_var_shape,
                dtype=self.compute_dtype,
                initializer="zeros",
                trainable=False,
            )
            self.adapt_variance = self.add_weight(
                name="variance",
                shape=mean_and_var_shape,
                dtype=self.compute_dtype,
                initializer="ones",
                trainable=False,
            )
            self.count = self.add_weight(
                name="count", shape=(), dtype=tf.int64, initializer="zeros", trainable=False
            )
            self.finalize_state()
        else:
            mean = self.input_mean * np.ones(mean_and_var_shape)
            variance = self.input_variance * np.ones(mean_and_var_shape)
            self.mean = tf.cast(tf.reshape(mean, self._broadcast_shape), self.compute_dtype)
            self.variance = tf.cast(tf.reshape(variance, self._broadcast_shape), self.compute_dtype)

    def adapt(self, data, batch_size=None, steps=None) -> None:
        """Computes the mean and variance of `data` (an array or tensor, in batches of `batch_size`)."""
        data = tf.convert_to_tensor(data)
        if not self.built:
            if self._batch_input_shape is None:
                self._batch_input_shape = tuple([None] * data.shape.rank)
            self.build(data.shape)
        else:
            self.reset_state()
        batch_size = batch_size or 32
        n = int(data.shape[0]) if data.shape.rank else 1
        if data.shape.rank == 0:
            self.update_state(data)
        else:
            for i, start in enumerate(range(0, n, batch_size)):
                if steps is not None and i >= steps:
                    break
                self.update_state(data[start : start + batch_size])
        self.finalize_state()
        self._is_adapted = True

    def update_state(self, data) -> None:
        if self.input_mean is not None:
            raise ValueError(
                f"Cannot `adapt` a Normalization layer that is initialized with static `mean` "
                f"and "
                f"`variance`, you passed mean {self.input_mean} and variance "
                f"{self.input_variance}."
            )
        if not self.built:
            raise RuntimeError("`build` must be called before `update_state`.")
        data = self._standardize_inputs(data)
        data = tf.cast(data, self.adapt_mean.dtype)
        batch_mean, batch_variance = tf.nn.moments(data, axes=self._reduce_axis)
        batch_shape = tf.shape(data, out_type=self.count.dtype)
        if self._reduce_axis:
            batch_count = tf.reduce_prod(tf.gather(batch_shape, self._reduce_axis))
        else:
            batch_count = tf.constant(1, dtype=self.count.dtype)
        total_count = batch_count + self.count
        batch_weight = tf.cast(batch_count, dtype=self.compute_dtype) / tf.cast(
            total_count, dtype=self.compute_dtype
        )
        existing_weight = 1.0 - batch_weight
        total_mean = self.adapt_mean * existing_weight + batch_mean * batch_weight
        total_variance = (self.adapt_variance + (self.adapt_mean - total_mean) ** 2) * existing_weight + (
            batch_variance + (batch_mean - total_mean) ** 2
        ) * batch_weight
        self.adapt_mean.assign(total_mean)
        self.adapt_variance.assign(total_variance)
        self.count.assign(total_count)

    def reset_state(self) -> None:
        if self.input_mean is not None or not self.built:
            return
        self.adapt_mean.assign(tf.zeros_like(self.adapt_mean))
        self.adapt_variance.assign(tf.ones_like(self.adapt_variance))
        self.count.assign(tf.zeros_like(self.count))

    def finalize_state(self) -> None:
        if self.input_mean is not None or not self.built:
            return
        self.mean = tf.cast(tf.reshape(self.adapt_mean, self._broadcast_shape), self.compute_dtype)
        self.variance = tf.cast(tf.reshape(self.adapt_variance, self._broadcast_shape), self.compute_dtype)

    def compute_output_signature(self, input_spec):  # Keras 2 names the argument so here
        return super().compute_output_signature(input_spec)

    def call(self, inputs):
        inputs = self._standardize_inputs(inputs)
        inputs = tf.cast(inputs, self.compute_dtype)
        eps = tf.constant(backend.epsilon(), dtype=inputs.dtype)
        if self.invert:
            return self.mean + inputs * tf.maximum(tf.sqrt(self.variance), eps)
        return (inputs - self.mean) / tf.maximum(tf.sqrt(self.variance), eps)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "axis": self.axis,
                "invert": self.invert,
                "mean": _listify(self.input_mean),
                "variance": _listify(self.input_variance),
            }
        )
        return config

    def _standardize_inputs(self, inputs):
        inputs = tf.convert_to_tensor(inputs)
        if inputs.dtype != self.compute_dtype:
            inputs = tf.cast(inputs, self.compute_dtype)
        return inputs
