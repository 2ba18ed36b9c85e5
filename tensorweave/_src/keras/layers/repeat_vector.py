"""`tf.keras.layers.RepeatVector`: `(batch, features) -> (batch, n, features)`.

>>> import tensorweave as tf
>>> tf.keras.layers.RepeatVector(3)(tf.ones([2, 5])).shape
TensorShape([2, 3, 5])
"""

from __future__ import annotations

from tensorweave._src.api_export import PublicNamespace, tf_export
from tensorweave._src.core.shape import TensorShape
from tensorweave._src.keras.engine.base_layer import Layer
from tensorweave._src.keras.engine.input_spec import InputSpec

tf = PublicNamespace()


@tf_export("keras.layers.RepeatVector")
class RepeatVector(Layer):
    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        self.n = n
        if not isinstance(n, int):
            raise TypeError(f"Expected an integer value for `n`, got {type(n)}.")
        self.input_spec = InputSpec(ndim=2)

    def compute_output_shape(self, input_shape):
        input_shape = TensorShape(input_shape).as_list()
        return TensorShape([input_shape[0], self.n, input_shape[1]])

    def call(self, inputs):
        return tf.tile(tf.expand_dims(inputs, 1), tf.constant([1, self.n, 1]))

    def get_config(self) -> dict:
        config = super().get_config()
        config["n"] = self.n
        return config
