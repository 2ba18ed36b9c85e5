"""`tf.keras.layers.Embedding`: integer ids to rows of a learned `(input_dim, output_dim)` matrix;
`mask_zero=True` masks id 0.

>>> import tensorweave as tf
>>> layer = tf.keras.layers.Embedding(10, 3, mask_zero=True)
>>> out = layer(tf.constant([[0, 4]]))
>>> out.shape, out._keras_mask.numpy().tolist()
(TensorShape([1, 2, 3]), [[False, True]])
"""

from __future__ import annotations

from tensorweave._src.api_export import PublicNamespace, tf_export
from tensorweave._src.core.shape import TensorShape
from tensorweave._src.keras import constraints, initializers, regularizers
from tensorweave._src.keras.engine.base_layer import Layer
from tensorweave._src.keras.layers import _utils

tf = PublicNamespace()


@tf_export("keras.layers.Embedding")
class Embedding(Layer):
    def __init__(
        self,
        input_dim,
        output_dim,
        embeddings_initializer="uniform",
        embeddings_regularizer=None,
        activity_regularizer=None,
        embeddings_constraint=None,
        mask_zero=False,
        input_length=None,
        sparse=False,
        **kwargs,
    ):
        if "input_shape" not in kwargs:
            kwargs["input_shape"] = (input_length,) if input_length else (None,)
        if input_dim <= 0 or output_dim <= 0:
            raise ValueError(
                f"Both `input_dim` and `output_dim` should be positive, Received input_dim = "
                f"{input_dim} and output_dim = {output_dim}"
            )
        kwargs["autocast"] = False
        super().__init__(**kwargs)
        self.input_dim = input_dim
        self.output_dim = output_dim
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        self.mask_zero = mask_zero
        self.supports_masking = mask_zero
        self.input_length = input_length
        self.sparse = sparse
        if self.sparse and self.mask_zero:
            raise ValueError(
                "`mask_zero` cannot be enabled when `tf.keras.layers.Embedding` is used with "
                "`tf.SparseTensor` input."
            )
        if sparse:
            raise NotImplementedError("Embedding(sparse=True) is not implemented in tensorweave")

    def build(self, input_shape) -> None:
        self.embeddings = self.add_weight(
            shape=(self.input_dim, self.output_dim),
            initializer=self.embeddings_initializer,
            name="embeddings",
            regularizer=self.embeddings_regularizer,
            constraint=self.embeddings_constraint,
        )
        self.built = True

    def compute_mask(self, inputs, mask=None):
        if not self.mask_zero:
            return None
        return tf.not_equal(inputs, 0)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(TensorShape(input_shape).as_list())
        if self.input_length is None:
            return TensorShape(input_shape + (self.output_dim,))
        in_lens = (
            list(self.input_length) if isinstance(self.input_length, (list, tuple)) else [self.input_length]
        )
        if len(in_lens) != len(input_shape) - 1:
            raise ValueError(
                f'"input_length" is {self.input_length}, but received input has shape {input_shape}'
            )
        for i, (s1, s2) in enumerate(zip(in_lens, input_shape[1:])):
            if s1 is not None and s2 is not None and s1 != s2:
                raise ValueError(
                    f'"input_length" is {self.input_length}, but received input has shape {input_shape}'
                )
            if s1 is None:
                in_lens[i] = s2
        return TensorShape((input_shape[0],) + tuple(in_lens) + (self.output_dim,))

    def call(self, inputs):
        if inputs.dtype not in (tf.int32, tf.int64):
            inputs = tf.cast(inputs, tf.int32)
        return tf.gather(self.embeddings, inputs)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "input_dim": self.input_dim,
                "output_dim": self.output_dim,
                "embeddings_initializer": initializers.serialize(self.embeddings_initializer),
                "embeddings_regularizer": _utils.maybe_serialize(
                    regularizers.serialize, self.embeddings_regularizer
                ),
                "activity_regularizer": _utils.maybe_serialize(
                    regularizers.serialize, self.activity_regularizer
                ),
                "embeddings_constraint": _utils.maybe_serialize(
                    constraints.serialize, self.embeddings_constraint
                ),
                "mask_zero": self.mask_zero,
                "input_length": self.input_length,
            }
        )
        return config
