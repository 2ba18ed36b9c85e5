"""`tf.keras.layers.Attention` (dot-product or 'concat' scores, optional learned scale) and
`AdditiveAttention` (Bahdanau scores), on `[query, value]` or `[query, value, key]` with masks
`[query_mask, value_mask]`, `use_causal_mask` and `return_attention_scores`.

>>> import tensorweave as tf
>>> tf.keras.layers.Attention()([tf.ones([2, 3, 4]), tf.ones([2, 5, 4])]).shape
TensorShape([2, 3, 4])
"""

from __future__ import annotations

from tensorweave._src.api_export import PublicNamespace, tf_export
from tensorweave._src.core.shape import TensorShape
from tensorweave._src.keras.engine.base_layer import Layer
from tensorweave._src.keras.layers import _utils

tf = PublicNamespace()


def _lower_triangular_mask(shape):
    row_index = tf.cumsum(tf.ones(shape=shape, dtype=tf.int32), axis=-2)
    col_index = tf.cumsum(tf.ones(shape=shape, dtype=tf.int32), axis=-1)
    return tf.greater_equal(row_index, col_index)


def _merge_masks(x, y):
    if x is None:
        return y
    if y is None:
        return x
    return tf.logical_and(x, y)


class BaseDenseAttention(Layer):
    def __init__(self, dropout=0.0, **kwargs):
        self.causal = kwargs.pop("causal", False)
        super().__init__(**kwargs)
        self.dropout = dropout
        self.supports_masking = True

    def _calculate_scores(self, query, key):
        raise NotImplementedError

    def _apply_scores(self, scores, value, scores_mask=None, training=None):
        if scores_mask is not None:
            padding_mask = tf.logical_not(scores_mask)
            big = 65504.0 if scores.dtype == tf.float16 else 1.0e9
            scores -= big * tf.cast(padding_mask, dtype=scores.dtype)
        weights = tf.nn.softmax(scores)
        if self.dropout > 0 and _utils.training_value(training):
            weights = tf.nn.dropout(weights, rate=self.dropout)
        return tf.matmul(weights, value), weights

    def call(self, inputs, mask=None, training=None, return_attention_scores=False, use_causal_mask=False):
        self._validate_call_args(inputs=inputs, mask=mask)
        q = inputs[0]
        v = inputs[1]
        k = inputs[2] if len(inputs) > 2 else v
        q_mask = mask[0] if mask else None
        v_mask = mask[1] if mask else None
        scores = self._calculate_scores(query=q, key=k)
        if v_mask is not None:
            v_mask = tf.expand_dims(v_mask, axis=-2)
        causal_mask = None
        if self.causal or use_causal_mask:
            scores_shape = tf.shape(scores)
            causal_mask = _lower_triangular_mask(
                tf.concat([tf.ones_like(scores_shape[:-2]), scores_shape[-2:]], 0)
            )
        scores_mask = _merge_masks(v_mask, causal_mask)
        result, attention_scores = self._apply_scores(
            scores=scores, value=v, scores_mask=scores_mask, training=training
        )
        if q_mask is not None:
            result *= tf.cast(tf.expand_dims(q_mask, axis=-1), dtype=result.dtype)
        if return_attention_scores:
            return result, attention_scores
        return result

    def compute_mask(self, inputs, mask=None):
        self._validate_call_args(inputs=inputs, mask=mask)
        if mask:
            q_mask = mask[0]
            if q_mask is None:
                return None
            return tf.convert_to_tensor(q_mask)
        return None

    def compute_output_shape(self, input_shape):
        return TensorShape(input_shape[0])

    def _validate_call_args(self, inputs, mask):
        class_name = type(self).__name__
        if not isinstance(inputs, list):
            raise ValueError(
                f"{class_name} layer must be called on a list of inputs, namely [query, value] or "
                f"[query, value, key]. Received: {inputs}."
            )
        if len(inputs) < 2 or len(inputs) > 3:
            raise ValueError(
                f"{class_name} layer accepts inputs list of length 2 or 3, namely [query, value] or "
                f"[query, value, key]. Received length: {len(inputs)}."
            )
        if mask:
            if not isinstance(mask, list):
                raise ValueError(
                    f"{class_name} layer mask must be a list, namely [query_mask, value_mask]. "
                    f"Received: {mask}."
                )
            if len(mask) < 2 or len(mask) > len(inputs):
                raise ValueError(
                    f"{class_name} layer mask must be a list of length 2, namely [query_mask, "
                    f"value_mask]. Received length: {len(mask)}."
                )

    def get_config(self):
        config = {"dropout": self.dropout}
        base = super().get_config()
        return dict(list(base.items()) + list(config.items()))


@tf_export("keras.layers.Attention")
class Attention(BaseDenseAttention):
    def __init__(self, use_scale=False, score_mode="dot", **kwargs):
        super().__init__(**kwargs)
        self.use_scale = use_scale
        self.score_mode = score_mode
        if self.score_mode not in ["dot", "concat"]:
            raise ValueError(f'Received: score_mode={score_mode}. Acceptable values are: ["dot", "concat"]')

    def build(self, input_shape):
        self.scale = (
            self.add_weight(name="scale", shape=(), initializer="ones", dtype=self.dtype, trainable=True)
            if self.use_scale
            else None
        )
        self.concat_score_weight = (
            self.add_weight(
                name="concat_score_weight", shape=(), initializer="ones", dtype=self.dtype, trainable=True
            )
            if self.score_mode == "concat"
            else None
        )
        self.built = True

    def _calculate_scores(self, query, key):
        if self.score_mode == "dot":
            scores = tf.matmul(query, key, transpose_b=True)
            if self.scale is not None:
                scores *= self.scale
            return scores
        q = tf.expand_dims(query, axis=-2)
        k = tf.expand_dims(key, axis=-3)
        if self.scale is not None:
            return self.concat_score_weight * tf.reduce_sum(tf.tanh(self.scale * (q + k)), axis=-1)
        return self.concat_score_weight * tf.reduce_sum(tf.tanh(q + k), axis=-1)

    def get_config(self):
        config = {"use_scale": self.use_scale, "score_mode": self.score_mode}
        base = super().get_config()
        return dict(list(base.items()) + list(config.items()))


@tf_export("keras.layers.AdditiveAttention")
class AdditiveAttention(BaseDenseAttention):
    def __init__(self, use_scale=True, **kwargs):
        super().__init__(**kwargs)
        self.use_scale = use_scale

    def build(self, input_shape):
        dim = TensorShape(input_shape[1])[-1]
        self.scale = (
            self.add_weight(
                name="scale", shape=[dim], initializer="glorot_uniform", dtype=self.dtype, trainable=True
            )
            if self.use_scale
            else None
        )
        self.built = True

    def _calculate_scores(self, query, key):
        q = tf.expand_dims(query, axis=-2)
        k = tf.expand_dims(key, axis=-3)
        scale = self.scale if self.use_scale else 1.0
        return tf.reduce_sum(scale * tf.tanh(q + k), axis=-1)

    def get_config(self):
        config = {"use_scale": self.use_scale}
        base = super().get_config()
        return dict(list(base.items()) + list(config.items()))
