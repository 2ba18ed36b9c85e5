"""`tf.keras.layers.GaussianNoise`: adds N(0, stddev) noise when training; the identity at inference.

>>> import tensorweave as tf
>>> tf.keras.layers.GaussianNoise(0.1)(tf.ones([2])).numpy().tolist()
[1.0, 1.0]
"""

from __future__ import annotations

from tensorweave._src.api_export import PublicNamespace, tf_export
from tensorweave._src.keras.engine.base_layer import Layer
from tensorweave._src.keras.layers import _utils
from tensorweave._src.keras.layers.dropout import _LegacySeed

tf = PublicNamespace()


@tf_export("keras.layers.GaussianNoise")
class GaussianNoise(Layer):
    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.stddev = stddev
        self.seed = seed
        self._random_generator = _LegacySeed(seed)

    def call(self, inputs, training=None):
        if not _utils.training_value(training):
            return inputs
        return inputs + tf.random.normal(
            tf.shape(inputs),
            mean=0.0,
            stddev=self.stddev,
            dtype=inputs.dtype,
            seed=self._random_generator.next(),
        )

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"stddev": self.stddev, "seed": self.seed})
        return config
