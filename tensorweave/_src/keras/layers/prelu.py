"""`tf.keras.layers.PReLU`: leaky ReLU with a learned slope `alpha` per element (or shared along axes).

>>> import tensorweave as tf
>>> layer = tf.keras.layers.PReLU(shared_axes=[1])
>>> _ = layer(tf.ones([2, 3, 4]))
>>> layer.alpha.name, layer.alpha.shape
('p_re_lu/alpha:0', TensorShape([1, 4]))
"""

from __future__ import annotations

from tensorweave._src.api_export import tf_export
from tensorweave._src.core.shape import TensorShape
from tensorweave._src.keras import constraints, initializers, regularizers
from tensorweave._src.keras.engine.base_layer import Layer
from tensorweave._src.keras.engine.input_spec import InputSpec
from tensorweave._src.keras.layers import _utils


@tf_export("keras.layers.PReLU")
class PReLU(Layer):
    def __init__(
        self,
        alpha_initializer="zeros",
        alpha_regularizer=None,
        alpha_constraint=None,
        shared_axes=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.alpha_constraint = constraints.get(alpha_constraint)
        if shared_axes is None:
            self.shared_axes = None
        elif not isinstance(shared_axes, (list, tuple)):
            self.shared_axes = [shared_axes]
        else:
            self.shared_axes = list(shared_axes)

    def build(self, input_shape) -> None:
        input_shape = TensorShape(input_shape).as_list()
        param_shape = list(input_shape[1:])
        if self.shared_axes is not None:
            for i in self.shared_axes:
                param_shape[i - 1] = 1
        self.alpha = self.add_weight(
            shape=param_shape,
            name="alpha",
            initializer=self.alpha_initializer,
            regularizer=self.alpha_regularizer,
            constraint=self.alpha_constraint,
        )
        axes = {}
        if self.shared_axes:
            for i in range(1, len(input_shape)):
                if i not in self.shared_axes:
                    axes[i] = input_shape[i]
        self.input_spec = InputSpec(ndim=len(input_shape), axes=axes)
        self.built = True

    def call(self, inputs):
        pos = _utils.relu(inputs)
        neg = -self.alpha * _utils.relu(-inputs)
        return pos + neg

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "alpha_initializer": initializers.serialize(self.alpha_initializer),
                "alpha_regularizer": _utils.maybe_serialize(regularizers.serialize, self.alpha_regularizer),
                "alpha_constraint": _utils.maybe_serialize(constraints.serialize, self.alpha_constraint),
                "shared_axes": self.shared_axes,
            }
        )
        return config
