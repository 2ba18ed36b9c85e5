"""`tf.keras.layers.MultiHeadAttention`: EinsumDense projections `query`, `key`, `value` to
[heads, key_dim], scaled dot-product attention over `attention_axes` (masked softmax, dropout), and an
`attention_output` projection; masks from `attention_mask`, the inputs' Keras masks and `use_causal_mask`.

>>> import tensorweave as tf
>>> mha = tf.keras.layers.MultiHeadAttention(num_heads=2, key_dim=3)
>>> mha(tf.ones([1, 4, 5]), tf.ones([1, 6, 5])).shape
TensorShape([1, 4, 5])
"""

from __future__ import annotations

import collections.abc
import math
import string

import numpy as np

from tensorweave._src.api_export import PublicNamespace, tf_export
from tensorweave._src.core.shape import TensorShape
from tensorweave._src.keras import constraints, initializers, regularizers
from tensorweave._src.keras.engine.base_layer import Layer
from tensorweave._src.keras.layers.base_conv import maybe_serialize
from tensorweave._src.keras.layers.einsum_dense import EinsumDense

tf = PublicNamespace()

_CHR_IDX = string.ascii_lowercase


def _build_attention_equation(rank, attn_axes):
    target_notation = _CHR_IDX[:rank]
    batch_dims = tuple(np.delete(range(rank), attn_axes + (rank - 1,)))
    letter_offset = rank
    source_notation = ""
    for i in range(rank):
        if i in batch_dims or i == rank - 1:
            source_notation += target_notation[i]
        else:
            source_notation += _CHR_IDX[letter_offset]
            letter_offset += 1
    product_notation = "".join(
        [target_notation[i] for i in batch_dims]
        + [target_notation[i] for i in attn_axes]
        + [source_notation[i] for i in attn_axes]
    )
    dot_product_equation = f"{source_notation},{target_notation}->{product_notation}"
    combine_equation = f"{product_notation},{source_notation}->{target_notation}"
    return dot_product_equation, combine_equation, len(product_notation)


def _build_proj_equation(free_dims, bound_dims, output_dims):
    input_str = kernel_str = output_str = bias_axes = ""
    offset = 0
    for i in range(free_dims):
        char = _CHR_IDX[i + offset]
        input_str += char
        output_str += char
    offset += free_dims
    for i in range(bound_dims):
        char = _CHR_IDX[i + offset]
        input_str += char
        kernel_str += char
    offset += bound_dims
    for i in range(output_dims):
        char = _CHR_IDX[i + offset]
        kernel_str += char
        output_str += char
        bias_axes += char
    return f"{input_str},{kernel_str}->{output_str}", bias_axes, len(output_str)


def _get_output_shape(output_rank, known_last_dims):
    return [None] * (output_rank - len(known_last_dims)) + list(known_last_dims)


@tf_export("keras.layers.MultiHeadAttention")
class MultiHeadAttention(Layer):
    def __init__(
        self,
        num_heads,
        key_dim,
        value_dim=None,
        dropout=0.0,
        use_bias=True,
        output_shape=None,
        attention_axes=None,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
        softmax_robust_masking=False,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.supports_masking = True
        self._num_heads = num_heads
        self._key_dim = key_dim
        self._value_dim = value_dim if value_dim else key_dim
        self._dropout = dropout
        self._use_bias = use_bias
        self._output_shape = output_shape
        self._kernel_initializer = initializers.get(kernel_initializer)
        self._bias_initializer = initializers.get(bias_initializer)
        self._kernel_regularizer = regularizers.get(kernel_regularizer)
        self._bias_regularizer = regularizers.get(bias_regularizer)
        self._mha_activity_regularizer = regularizers.get(activity_regularizer)
        self._kernel_constraint = constraints.get(kernel_constraint)
        self._bias_constraint = constraints.get(bias_constraint)
        self._softmax_robust_masking = softmax_robust_masking
        if attention_axes is not None and not isinstance(attention_axes, collections.abc.Sized):
            self._attention_axes = (attention_axes,)
        else:
            self._attention_axes = attention_axes
        self._built_from_signature = False
        self._query_shape, self._key_shape, self._value_shape = None, None, None

    def get_config(self):
        def shape_of(s):
            return None if s is None else tuple(TensorShape(s).as_list())

        config = {
            "num_heads": self._num_heads,
            "key_dim": self._key_dim,
            "value_dim": self._value_dim,
            "dropout": self._dropout,
            "use_bias": self._use_bias,
            "output_shape": self._output_shape,
            "attention_axes": self._attention_axes,
            "kernel_initializer": initializers.serialize(self._kernel_initializer),
            "bias_initializer": initializers.serialize(self._bias_initializer),
            "kernel_regularizer": maybe_serialize(regularizers.serialize, self._kernel_regularizer),
            "bias_regularizer": maybe_serialize(regularizers.serialize, self._bias_regularizer),
            "activity_regularizer": maybe_serialize(regularizers.serialize, self._mha_activity_regularizer),
            "kernel_constraint": maybe_serialize(constraints.serialize, self._kernel_constraint),
            "bias_constraint": maybe_serialize(constraints.serialize, self._bias_constraint),
            "query_shape": self._query_shape,
            "key_shape": self._key_shape,
            "value_shape": self._value_shape,
            "softmax_robust_masking": self._softmax_robust_masking,
        }
        base = super().get_config()
        return dict(list(base.items()) + list(config.items()))

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        query_shape = config.pop("query_shape")
        key_shape = config.pop("key_shape")
        value_shape = config.pop("value_shape")
        layer = cls(**config)
        if None not in [query_shape, key_shape, value_shape]:
            layer._build_from_signature(query_shape, value_shape, key_shape)
        return layer

    def _common_kwargs(self):
        return dict(
            kernel_regularizer=self._kernel_regularizer,
            bias_regularizer=self._bias_regularizer,
            activity_regularizer=self._mha_activity_regularizer,
            kernel_constraint=self._kernel_constraint,
            bias_constraint=self._bias_constraint,
            dtype=self._dtype,
            kernel_initializer=type(self._kernel_initializer).from_config(
                self._kernel_initializer.get_config()
            ),
            bias_initializer=type(self._bias_initializer).from_config(self._bias_initializer.get_config()),
        )

    def _build_from_signature(self, query, value, key=None):
        """Creates the sublayers and their weights (named `<mha>/query/kernel:0`, ...) from the input "
        "shapes."""
        from tensorweave._src.keras.layers.dropout import Dropout
        from tensorweave._src.keras.layers.softmax import Softmax

        self._built_from_signature = True
        self._query_shape = TensorShape(query.shape if hasattr(query, "shape") else query)
        self._value_shape = TensorShape(value.shape if hasattr(value, "shape") else value)
        if key is None:
            self._key_shape = self._value_shape
        else:
            self._key_shape = TensorShape(key.shape if hasattr(key, "shape") else key)
        free_dims = self._query_shape.rank - 1
        eq, bias_axes, rank = _build_proj_equation(free_dims, bound_dims=1, output_dims=2)
        self._query_dense = EinsumDense(
            eq,
            output_shape=_get_output_shape(rank - 1, [self._num_heads, self._key_dim]),
            bias_axes=bias_axes if self._use_bias else None,
            name="query",
            **self._common_kwargs(),
        )
        eq, bias_axes, rank = _build_proj_equation(self._key_shape.rank - 1, bound_dims=1, output_dims=2)
        self._key_dense = EinsumDense(
            eq,
            output_shape=_get_output_shape(rank - 1, [self._num_heads, self._key_dim]),
            bias_axes=bias_axes if self._use_bias else None,
            name="key",
            **self._common_kwargs(),
        )
        eq, bias_axes, rank = _build_proj_equation(self._value_shape.rank - 1, bound_dims=1, output_dims=2)
        self._value_dense = EinsumDense(
            eq,
            output_shape=_get_output_shape(rank - 1, [self._num_heads, self._value_dim]),
            bias_axes=bias_axes if self._use_bias else None,
            name="value",
            **self._common_kwargs(),
        )
        # attention
        if self._attention_axes is None:
            self._attention_axes = tuple(range(1, rank - 2))
        else:
            self._attention_axes = tuple(self._attention_axes)
        self._dot_product_equation, self._combine_equation, scores_rank = _build_attention_equation(
            rank, attn_axes=self._attention_axes
        )
        norm_axes = tuple(range(scores_rank - len(self._attention_axes), scores_rank))
        self._softmax = Softmax(
            axis=norm_axes, robust_masking=self._softmax_robust_masking, dtype=self._dtype
        )
        self._dropout_layer = Dropout(rate=self._dropout, dtype=self._dtype)
        # output projection
        if self._output_shape:
            out_shape = (
                self._output_shape
                if isinstance(self._output_shape, collections.abc.Sized)
                else [self._output_shape]
            )
        else:
            out_shape = [self._query_shape[-1]]
        eq, bias_axes, rank = _build_proj_equation(free_dims, bound_dims=2, output_dims=len(out_shape))
        self._output_dense = EinsumDense(
            eq,
            output_shape=_get_output_shape(rank - 1, out_shape),
            bias_axes=bias_axes if self._use_bias else None,
            name="attention_output",
            **self._common_kwargs(),
        )
        # weights, in tf_keras's creation order, under this layer's name
        key_shape = self._key_shape
        with tf.name_scope(self.name):
            for sub, shape in (
                (self._query_dense, self._query_shape),
                (self._key_dense, key_shape),
                (self._value_dense, self._value_shape),
            ):
                with tf.name_scope(sub.name):
                    sub.build(shape)
            attn_shape = self._query_dense.compute_output_shape(None).as_list()
            attn_shape[-1] = self._value_dim
            with tf.name_scope(self._output_dense.name):
                self._output_dense.build(TensorShape(attn_shape))

    def __call__(self, query, value=None, key=None, **kwargs):
        if value is None:
            value = kwargs.pop("value", None)
        if not self._built_from_signature and value is not None:
            self._build_from_signature(query=query, value=value, key=key)
        if key is not None:
            kwargs["key"] = key
        return super().__call__(query, value, **kwargs)

    def _maybe_build(self, inputs):
        self.built = True

    def _masked_softmax(self, attention_scores, attention_mask=None):
        if attention_mask is not None:
            axis = -len(self._attention_axes) * 2 - 1
            for _ in range(attention_scores.shape.rank - attention_mask.shape.rank):
                attention_mask = tf.expand_dims(attention_mask, axis=axis)
        return self._softmax(attention_scores, attention_mask)

    def _compute_attention(self, query, key, value, attention_mask=None, training=None):
        query = tf.multiply(query, 1.0 / math.sqrt(float(self._key_dim)))
        attention_scores = tf.einsum(self._dot_product_equation, key, query)
        attention_scores = self._masked_softmax(attention_scores, attention_mask)
        dropped = self._dropout_layer(attention_scores, training=training)
        return tf.einsum(self._combine_equation, dropped, value), attention_scores

    def call(
        self,
        query,
        value,
        key=None,
        attention_mask=None,
        return_attention_scores=False,
        training=None,
        use_causal_mask=False,
    ):
        if not self._built_from_signature:
            self._build_from_signature(query=query, value=value, key=key)
        if key is None:
            key = value
        attention_mask = self._compute_attention_mask(
            query, value, key=key, attention_mask=attention_mask, use_causal_mask=use_causal_mask
        )
        query = self._query_dense(query)
        key = self._key_dense(key)
        value = self._value_dense(value)
        attention_output, attention_scores = self._compute_attention(
            query, key, value, attention_mask, training
        )
        attention_output = self._output_dense(attention_output)
        if return_attention_scores:
            return attention_output, attention_scores
        return attention_output

    def _compute_attention_mask(self, query, value, key=None, attention_mask=None, use_causal_mask=False):
        query_mask = getattr(query, "_keras_mask", None)
        value_mask = getattr(value, "_keras_mask", None)
        key_mask = getattr(key, "_keras_mask", None)
        auto_mask = None
        if query_mask is not None:
            auto_mask = tf.expand_dims(tf.cast(query_mask, tf.bool), -1)
        if value_mask is not None:
            mask = tf.expand_dims(tf.cast(value_mask, tf.bool), 1)
            auto_mask = mask if auto_mask is None else tf.logical_and(auto_mask, mask)
        if key_mask is not None and key is not value:
            mask = tf.expand_dims(tf.cast(key_mask, tf.bool), 1)
            auto_mask = mask if auto_mask is None else tf.logical_and(auto_mask, mask)
        if use_causal_mask:
            q_len = tf.shape(query)[1]
            v_len = q_len if value is None else tf.shape(value)[1]
            mask = tf.linalg.band_part(tf.ones(tf.stack([1, q_len, v_len]), tf.bool), -1, 0)
            auto_mask = mask if auto_mask is None else tf.logical_and(auto_mask, mask)
        if auto_mask is not None:
            attention_mask = (
                auto_mask
                if attention_mask is None
                else tf.logical_and(tf.cast(attention_mask, tf.bool), auto_mask)
            )
        return attention_mask

    def compute_mask(self, inputs, mask=None):
        return mask

    def compute_output_shape(self, query_shape, value_shape, key_shape=None):
        if value_shape is None:
            value_shape = query_shape
        if key_shape is None:
            key_shape = value_shape
        query_shape = TensorShape(query_shape)
        value_shape = TensorShape(value_shape)
        key_shape = TensorShape(key_shape)
        if query_shape[-1] != value_shape[-1]:
            raise ValueError(
                "The last dimension of `query_shape` and `value_shape` must be equal, but are "
                f"{query_shape[-1]}, "
                f"{value_shape[-1]}. Received: query_shape={{query_shape}}, value_shape={{value_shape}}"
            )
        if value_shape[1:-1] != key_shape[1:-1]:
            raise ValueError(
                f"All dimensions of `value` and `key`, except the last one, must be equal. Received "
                f"{value_shape} and {key_shape}"
            )
        if self._output_shape:
            extra = (
                self._output_shape
                if isinstance(self._output_shape, collections.abc.Sized)
                else [self._output_shape]
            )
            return query_shape[:-1].concatenate(extra)
        return query_shape
