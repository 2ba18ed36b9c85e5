"""`tf.keras.layers.CategoryEncoding`: integer category ids to `multi_hot`, `one_hot` or `count` vectors
of length `num_tokens`.

>>> import tensorweave as tf
>>> tf.keras.layers.CategoryEncoding(3, output_mode="one_hot")(tf.constant([0, 2])).numpy().tolist()
[[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
"""

from __future__ import annotations

from tensorweave._src.api_export import PublicNamespace, tf_export
from tensorweave._src.core.shape import TensorShape
from tensorweave._src.keras import backend
from tensorweave._src.keras.engine.base_layer import Layer

tf = PublicNamespace()

_MODES = ("count", "one_hot", "multi_hot")


@tf_export("keras.layers.CategoryEncoding")
class CategoryEncoding(Layer):
    def __init__(self, num_tokens=None, output_mode="multi_hot", sparse=False, **kwargs):
        if "max_tokens" in kwargs:
            num_tokens = kwargs.pop("max_tokens")
        if "dtype" not in kwargs:
            kwargs["dtype"] = backend.floatx()
        super().__init__(**kwargs)
        if output_mode == "binary":
            output_mode = "multi_hot"
        if output_mode not in _MODES:
            raise ValueError(  # Keras's wording, typos included
                f"Unkown value for `output_mode` argument of layer CategoryEncoding. Allowed values are: or "
                f"one of the following values: {_MODES}. Received: {output_mode}"
            )
        if num_tokens is None:
            raise ValueError(
                "num_tokens must be set to use this layer. If the number of tokens is not known "
                "beforehand, use the IntegerLookup layer instead."
            )
        if num_tokens < 1:
            raise ValueError(f"`num_tokens` must be >= 1. Received: num_tokens={num_tokens}.")
        if sparse:
            raise NotImplementedError("CategoryEncoding(sparse=True) is not implemented in tensorweave")
        self.num_tokens = num_tokens
        self.output_mode = output_mode
        self.sparse = sparse

    def compute_output_shape(self, input_shape):
        input_shape = TensorShape(input_shape).as_list()
        if not input_shape:
            return TensorShape([self.num_tokens])
        if self.output_mode == "one_hot" and input_shape[-1] != 1:
            return TensorShape(input_shape + [self.num_tokens])
        return TensorShape(input_shape[:-1] + [self.num_tokens])

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"num_tokens": self.num_tokens, "output_mode": self.output_mode, "sparse": self.sparse})
        return config

    def compute_output_signature(self, input_spec):  # Keras 2 names the argument so here
        return super().compute_output_signature(input_spec)

    def call(self, inputs, count_weights=None):
        inputs = tf.convert_to_tensor(inputs)
        if count_weights is not None:
            if self.output_mode != "count":
                raise ValueError(
                    f"`count_weights` is not used when `output_mode` is not `'count'`. Received "
                    f"`count_weights={count_weights}`."
                )
            count_weights = tf.cast(tf.convert_to_tensor(count_weights), self.compute_dtype)
        depth = self.num_tokens
        if tf.executing_eagerly() and tf.size(inputs).numpy() > 0:
            max_value = tf.reduce_max(inputs)
            min_value = tf.reduce_min(inputs)
            if not (depth > max_value.numpy() and min_value.numpy() >= 0):
                raise tf.errors.InvalidArgumentError(
                    None,
                    None,
                    "Expected 'tf.Tensor(False, shape=(), dtype=bool)' to be true. Summarized data: "
                    f"b'Input values must be in the range 0 <= values < num_tokens with num_tokens={depth}'",
                )
        original_shape = inputs.shape
        if inputs.shape.rank == 0:
            inputs = tf.expand_dims(inputs, -1)
        if self.output_mode == "one_hot" and inputs.shape[-1] != 1:
            inputs = tf.expand_dims(inputs, -1)
        if inputs.shape.rank > 2:
            raise ValueError(
                f"When output_mode is not `'int'`, maximum supported output rank is 2. Received "
                f"output_mode {self.output_mode} and input shape {original_shape}, which would "
                f"result "
                f"in output rank {inputs.shape.rank}."
            )
        binary_output = self.output_mode in ("multi_hot", "one_hot")
        result = tf.math.bincount(
            inputs,
            weights=count_weights,
            minlength=depth,
            maxlength=depth,
            dtype=self.compute_dtype,
            axis=-1,
            binary_output=binary_output,
        )
        batch = inputs.shape[0] if inputs.shape.rank == 2 else None
        shape = [depth] if inputs.shape.rank == 1 else [batch, depth]
        return tf.ensure_shape(result, shape)
