"""`tf.keras.layers.GlobalAveragePooling1D/2D/3D` and `GlobalMaxPooling1D/2D/3D` (aliases GlobalAvgPool*,
GlobalMaxPool*): reduce over all spatial axes (`keepdims` keeps them as size 1). GlobalAveragePooling1D
honours a time mask.

>>> import tensorweave as tf
>>> tf.keras.layers.GlobalAvgPool2D(keepdims=True)(tf.ones([2, 4, 4, 3])).shape
TensorShape([2, 1, 1, 3])
"""

from __future__ import annotations

from tensorweave._src.api_export import PublicNamespace, tf_export
from tensorweave._src.core.shape import TensorShape
from tensorweave._src.keras.engine.base_layer import Layer
from tensorweave._src.keras.engine.input_spec import InputSpec
from tensorweave._src.keras.layers import _utils

tf = PublicNamespace()


class _GlobalPooling(Layer):
    rank = 2
    mode = "max"

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.input_spec = InputSpec(ndim=self.rank + 2)
        self.data_format = _utils.normalize_data_format(data_format)
        self.keepdims = keepdims

    def _axes(self):
        return (
            list(range(1, 1 + self.rank))
            if self.data_format == "channels_last"
            else list(range(2, 2 + self.rank))
        )

    def build(self, input_shape):
        input_shape = TensorShape(input_shape).as_list()
        for axis in self._axes():
            if input_shape[axis] == 0:
                raise ValueError(
                    f"Incorrect input shape {input_shape} with dimension 0 at reduction axis {axis}."
                )
        self.built = True

    def compute_output_shape(self, input_shape):
        s = TensorShape(input_shape).as_list()
        channels = s[-1] if self.data_format == "channels_last" else s[1]
        if not self.keepdims:
            return TensorShape([s[0], channels])
        if self.data_format == "channels_last":
            return TensorShape([s[0]] + [1] * self.rank + [channels])
        return TensorShape([s[0], channels] + [1] * self.rank)

    def call(self, inputs):
        fn = tf.reduce_max if self.mode == "max" else tf.reduce_mean
        return fn(inputs, axis=self._axes(), keepdims=self.keepdims)

    def get_config(self):
        config = {"data_format": self.data_format, "keepdims": self.keepdims}
        base = super().get_config()
        return dict(list(base.items()) + list(config.items()))


@tf_export("keras.layers.GlobalAveragePooling1D", "keras.layers.GlobalAvgPool1D")
class GlobalAveragePooling1D(_GlobalPooling):
    rank, mode = 1, "avg"

    def __init__(self, data_format="channels_last", **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        steps_axis = 1 if self.data_format == "channels_last" else 2
        if mask is not None:
            mask = tf.cast(mask, inputs[0].dtype)
            mask = tf.expand_dims(mask, 2 if self.data_format == "channels_last" else 1)
            inputs = inputs * mask
            return tf.reduce_sum(inputs, axis=steps_axis, keepdims=self.keepdims) / tf.reduce_sum(
                mask, axis=steps_axis, keepdims=self.keepdims
            )
        return tf.reduce_mean(inputs, axis=steps_axis, keepdims=self.keepdims)

    def compute_mask(self, inputs, mask=None):
        return None


@tf_export("keras.layers.GlobalMaxPooling1D", "keras.layers.GlobalMaxPool1D")
class GlobalMaxPooling1D(_GlobalPooling):
    rank, mode = 1, "max"

    def __init__(self, data_format="channels_last", keepdims=False, **kwargs):
        super().__init__(data_format=data_format, keepdims=keepdims, **kwargs)


@tf_export("keras.layers.GlobalAveragePooling2D", "keras.layers.GlobalAvgPool2D")
class GlobalAveragePooling2D(_GlobalPooling):
    rank, mode = 2, "avg"


@tf_export("keras.layers.GlobalMaxPooling2D", "keras.layers.GlobalMaxPool2D")
class GlobalMaxPooling2D(_GlobalPooling):
    rank, mode = 2, "max"


@tf_export("keras.layers.GlobalAveragePooling3D", "keras.layers.GlobalAvgPool3D")
class GlobalAveragePooling3D(_GlobalPooling):
    rank, mode = 3, "avg"


@tf_export("keras.layers.GlobalMaxPooling3D", "keras.layers.GlobalMaxPool3D")
class GlobalMaxPooling3D(_GlobalPooling):
    rank, mode = 3, "max"
