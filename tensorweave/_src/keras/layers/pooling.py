"""`tf.keras.layers.MaxPooling1D/2D/3D` and `AveragePooling1D/2D/3D` (aliases MaxPool*, AvgPool*): local
pooling over windows, as tf_keras's Pooling1D/2D/3D bases.

>>> import tensorweave as tf
>>> tf.keras.layers.MaxPool2D()(tf.ones([1, 4, 4, 3])).shape
TensorShape([1, 2, 2, 3])
"""

from __future__ import annotations

from tensorweave._src.api_export import PublicNamespace, tf_export
from tensorweave._src.core.shape import TensorShape
from tensorweave._src.keras.engine.base_layer import Layer
from tensorweave._src.keras.engine.input_spec import InputSpec
from tensorweave._src.keras.layers import _utils
from tensorweave._src.keras.layers.base_conv import conv_output_length, convert_data_format, normalize_padding

tf = PublicNamespace()


def _pool2d_nhwc(mode):
    """backend.pool2d: channels_first runs through NHWC."""

    def pool(x, pool_size, strides, padding, data_format):
        if data_format == "channels_first":
            x = tf.transpose(x, (0, 2, 3, 1))
        fn = tf.nn.max_pool if mode == "max" else tf.nn.avg_pool
        y = fn(
            x,
            (1,) + tuple(pool_size) + (1,),
            strides=(1,) + tuple(strides) + (1,),
            padding=padding.upper(),
            data_format="NHWC",
        )
        if data_format == "channels_first":
            y = tf.transpose(y, (0, 3, 1, 2))
        return y

    return pool


class _Pooling(Layer):
    rank = 2
    mode = "max"

    def __init__(self, pool_size, strides, padding="valid", data_format=None, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        if strides is None:
            strides = pool_size
        self.pool_size = _utils.normalize_tuple(pool_size, self.rank, "pool_size")
        self.strides = _utils.normalize_tuple(strides, self.rank, "strides", allow_zero=True)
        self.padding = normalize_padding(padding)
        self.data_format = _utils.normalize_data_format(data_format)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def call(self, inputs):
        if self.rank == 1:
            pad_axis = 2 if self.data_format == "channels_last" else 3
            inputs = tf.expand_dims(inputs, pad_axis)
            outputs = _pool2d_nhwc(self.mode)(
                inputs, self.pool_size + (1,), self.strides + (1,), self.padding, self.data_format
            )
            return tf.squeeze(outputs, pad_axis)
        if self.rank == 2:
            if self.data_format == "channels_last":
                pool_shape, strides = (1,) + self.pool_size + (1,), (1,) + self.strides + (1,)
            else:
                pool_shape, strides = (1, 1) + self.pool_size, (1, 1) + self.strides
            fn = tf.nn.max_pool if self.mode == "max" else tf.nn.avg_pool
            return fn(
                inputs,
                ksize=pool_shape,
                strides=strides,
                padding=self.padding.upper(),
                data_format=convert_data_format(self.data_format, 4),
            )
        # 3D: TF has no channels_first 3D pooling, so tf_keras transposes
        if self.data_format == "channels_first":
            inputs = tf.transpose(inputs, (0, 2, 3, 4, 1))
        fn = tf.nn.max_pool3d if self.mode == "max" else tf.nn.avg_pool3d
        outputs = fn(
            inputs,
            ksize=(1,) + self.pool_size + (1,),
            strides=(1,) + self.strides + (1,),
            padding=self.padding.upper(),
        )
        if self.data_format == "channels_first":
            outputs = tf.transpose(outputs, (0, 4, 1, 2, 3))
        return outputs

    def compute_output_shape(self, input_shape):
        s = TensorShape(input_shape).as_list()
        spatial = s[2:] if self.data_format == "channels_first" else s[1:-1]
        spatial = [
            conv_output_length(d, self.pool_size[i], self.padding, self.strides[i])
            for i, d in enumerate(spatial)
        ]
        if self.data_format == "channels_first":
            return TensorShape(s[:2] + spatial)
        return TensorShape([s[0]] + spatial + [s[-1]])

    def get_config(self):
        if self.rank == 1:
            config = {
                "strides": self.strides,
                "pool_size": self.pool_size,
                "padding": self.padding,
                "data_format": self.data_format,
            }
        else:
            config = {
                "pool_size": self.pool_size,
                "padding": self.padding,
                "strides": self.strides,
                "data_format": self.data_format,
            }
        base = super().get_config()
        return dict(list(base.items()) + list(config.items()))


@tf_export("keras.layers.MaxPooling1D", "keras.layers.MaxPool1D")
class MaxPooling1D(_Pooling):
    rank, mode = 1, "max"

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format="channels_last", **kwargs):
        super().__init__(
            pool_size=pool_size, strides=strides, padding=padding, data_format=data_format, **kwargs
        )


@tf_export("keras.layers.AveragePooling1D", "keras.layers.AvgPool1D")
class AveragePooling1D(_Pooling):
    rank, mode = 1, "avg"

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format="channels_last", **kwargs):
        super().__init__(
            pool_size=pool_size, strides=strides, padding=padding, data_format=data_format, **kwargs
        )


@tf_export("keras.layers.MaxPooling2D", "keras.layers.MaxPool2D")
class MaxPooling2D(_Pooling):
    rank, mode = 2, "max"

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(
            pool_size=pool_size, strides=strides, padding=padding, data_format=data_format, **kwargs
        )


@tf_export("keras.layers.AveragePooling2D", "keras.layers.AvgPool2D")
class AveragePooling2D(_Pooling):
    rank, mode = 2, "avg"

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(
            pool_size=pool_size, strides=strides, padding=padding, data_format=data_format, **kwargs
        )


@tf_export("keras.layers.MaxPooling3D", "keras.layers.MaxPool3D")
class MaxPooling3D(_Pooling):
    rank, mode = 3, "max"

    def __init__(self, pool_size=(2, 2, 2), strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(
            pool_size=pool_size, strides=strides, padding=padding, data_format=data_format, **kwargs
        )


@tf_export("keras.layers.AveragePooling3D", "keras.layers.AvgPool3D")
class AveragePooling3D(_Pooling):
    rank, mode = 3, "avg"

    def __init__(self, pool_size=(2, 2, 2), strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(
            pool_size=pool_size, strides=strides, padding=padding, data_format=data_format, **kwargs
        )
