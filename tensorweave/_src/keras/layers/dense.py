"""`tf.keras.layers.Dense`: `activation(inputs @ kernel + bias)`.

>>> import tensorweave as tf
>>> layer = tf.keras.layers.Dense(4, activation="relu")
>>> layer(tf.ones([2, 3])).shape
TensorShape([2, 4])
"""

from __future__ import annotations

from tensorweave._src.api_export import PublicNamespace, tf_export
from tensorweave._src.core.shape import TensorShape
from tensorweave._src.keras import activations, constraints, initializers, regularizers
from tensorweave._src.keras.engine.base_layer import Layer
from tensorweave._src.keras.engine.input_spec import InputSpec

tf = PublicNamespace()


@tf_export("keras.layers.Dense")
class Dense(Layer):
    """A densely-connected layer; rank > 2 inputs are contracted over their last axis."""

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.units = int(units) if not isinstance(units, int) else units
        if self.units < 0:
            raise ValueError(f"Received an invalid value for `units`, expected a positive integer. "
                             f"Received: units={units}")
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(min_ndim=2)
        self.supports_masking = True

    def build(self, input_shape) -> None:
        input_shape = TensorShape(input_shape)
        last_dim = input_shape[-1] if input_shape.rank else None
        if last_dim is None:
            raise ValueError(f"The last dimension of the inputs to a Dense layer should be defined. Found "
                             f"None. Full input shape received: {input_shape}")
        self.input_spec = InputSpec(min_ndim=2, axes={-1: last_dim})
        self.kernel = self.add_weight("kernel", shape=[last_dim, self.units], initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint,
                                      dtype=self.dtype, trainable=True)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight("bias", shape=[self.units], initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint,
                                        dtype=self.dtype, trainable=True)
        self.built = True

    def call(self, inputs):
        if inputs.dtype != self.kernel.dtype:
            inputs = tf.cast(inputs, self.kernel.dtype)
        rank = inputs.shape.rank
        if rank == 2 or rank is None:
            outputs = tf.matmul(inputs, self.kernel)
        else:
            outputs = tf.tensordot(inputs, self.kernel, [[rank - 1], [0]])
        if self.use_bias:
            outputs = tf.nn.bias_add(outputs, self.bias) if "nn.bias_add" in _exports() else outputs + self.bias
        return self.activation(outputs)

    def compute_output_shape(self, input_shape):
        input_shape = TensorShape(input_shape)
        return input_shape[:-1].concatenate([self.units])

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": _maybe(regularizers.serialize, self.kernel_regularizer),
            "bias_regularizer": _maybe(regularizers.serialize, self.bias_regularizer),
            "activity_regularizer": _maybe(regularizers.serialize, self.activity_regularizer),
            "kernel_constraint": _maybe(constraints.serialize, self.kernel_constraint),
            "bias_constraint": _maybe(constraints.serialize, self.bias_constraint),
        })
        return config

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)


def _maybe(fn, value):
    return None if value is None else fn(value)


def _exports():
    from tensorweave._src.api_export import EXPORTS

    return EXPORTS
