"""`tf.keras.layers.Activation`: applies an activation function (by name or callable).

>>> import tensorweave as tf
>>> print(tf.keras.layers.Activation("relu")(tf.constant([-1.0, 2.0])))
tf.Tensor([0. 2.], shape=(2,), dtype=float32)
"""

from __future__ import annotations

from tensorweave._src.api_export import tf_export
from tensorweave._src.keras import activations
from tensorweave._src.keras.engine.base_layer import Layer


@tf_export("keras.layers.Activation")
class Activation(Layer):
    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.activation = activations.get(activation)

    def call(self, inputs):
        return self.activation(inputs)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        config = super().get_config()
        config["activation"] = activations.serialize(self.activation)
        return config
