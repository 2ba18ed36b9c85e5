"""`tf.keras.layers.Dropout`: when training, zeroes a `rate` fraction of the inputs and scales the rest by
`1 / (1 - rate)`; the identity at inference (the default outside `fit`).

>>> import tensorweave as tf
>>> layer = tf.keras.layers.Dropout(0.5)
>>> layer(tf.ones([2, 2])).numpy().tolist()
[[1.0, 1.0], [1.0, 1.0]]
"""

from __future__ import annotations

import numbers

from tensorweave._src.api_export import PublicNamespace, tf_export
from tensorweave._src.keras.engine.base_layer import Layer
from tensorweave._src.keras.layers import _utils

tf = PublicNamespace()


class _LegacySeed:
    """Keras 2's legacy random generator: op seeds `seed`, `seed + 1`, ... (None stays None)."""

    def __init__(self, seed):
        self._seed = seed

    def next(self):
        if self._seed is None:
            return None
        seed = self._seed
        self._seed += 1
        return seed


@tf_export("keras.layers.Dropout")
class Dropout(Layer):
    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(rate, (int, float)) and not 0 <= rate <= 1:
            raise ValueError(f"Invalid value {rate} received for `rate`, expected a value between 0 and 1.")
        self.rate = rate
        self.noise_shape = noise_shape
        self.seed = seed
        self.supports_masking = True
        self._random_generator = _LegacySeed(seed)

    def _get_noise_shape(self, inputs):
        if self.noise_shape is None:
            return None
        shape = tf.shape(inputs)
        return tf.stack(
            [
                shape[i] if value is None else tf.constant(value, dtype=tf.int32)
                for i, value in enumerate(self.noise_shape)
            ]
        )

    def call(self, inputs, training=None):
        if isinstance(self.rate, numbers.Real) and self.rate == 0:
            return tf.identity(inputs)
        if not _utils.training_value(training):
            return tf.identity(inputs)
        return tf.nn.dropout(
            inputs,
            rate=self.rate,
            noise_shape=self._get_noise_shape(inputs),
            seed=self._random_generator.next(),
        )

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"rate": self.rate, "noise_shape": self.noise_shape, "seed": self.seed})
        return config
