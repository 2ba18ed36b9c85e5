"""`tf.keras.layers.UpSampling1D` / `UpSampling2D`: repeat steps / pixels (`nearest`) or interpolate
(`bilinear`, with half-pixel centres as `tf.image.resize`).

>>> import tensorweave as tf
>>> tf.keras.layers.UpSampling2D((2, 3))(tf.ones([1, 2, 2, 1])).shape
TensorShape([1, 4, 6, 1])
"""

from __future__ import annotations

from tensorweave._src.api_export import PublicNamespace, tf_export
from tensorweave._src.core.shape import TensorShape
from tensorweave._src.keras.engine.base_layer import Layer
from tensorweave._src.keras.engine.input_spec import InputSpec
from tensorweave._src.keras.layers import _utils

tf = PublicNamespace()

_INTERPOLATIONS = (  # in the order of TF's ResizeMethod mapping (its error lists them so)
    "bilinear",
    "nearest",
    "bicubic",
    "area",
    "lanczos3",
    "lanczos5",
    "gaussian",
    "mitchellcubic",
)
_IMPLEMENTED = ("nearest", "bilinear")


@tf_export("keras.layers.UpSampling1D")
class UpSampling1D(Layer):
    def __init__(self, size=2, **kwargs):
        super().__init__(**kwargs)
        self.size = int(size)
        self.input_spec = InputSpec(ndim=3)

    def compute_output_shape(self, input_shape):
        s = TensorShape(input_shape).as_list()
        return TensorShape([s[0], None if s[1] is None else self.size * s[1], s[2]])

    def call(self, inputs):
        return tf.repeat(inputs, self.size, axis=1)

    def get_config(self) -> dict:
        config = super().get_config()
        config["size"] = self.size
        return config


def _bilinear_axis(x, axis: int, factor: int):
    """Linear interpolation along `axis` to `factor` times its size (half-pixel centres, as
    ResizeBilinear)."""
    n = tf.shape(x)[axis]
    out = n * factor
    scale = tf.cast(n, tf.float32) / tf.cast(out, tf.float32)
    pos = (tf.cast(tf.range(out), tf.float32) + 0.5) * scale - 0.5
    floor = tf.floor(pos)
    lower = tf.maximum(tf.cast(floor, tf.int32), 0)
    upper = tf.minimum(tf.cast(tf.math.ceil(pos), tf.int32), n - 1)
    lerp = pos - floor
    lerp = tf.reshape(lerp, [-1] + [1] * (x.shape.rank - 1 - axis))
    a = tf.gather(x, lower, axis=axis)
    b = tf.gather(x, upper, axis=axis)
    return a + (b - a) * lerp


@tf_export("keras.layers.UpSampling2D")
class UpSampling2D(Layer):
    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(**kwargs)
        self.data_format = _utils.normalize_data_format(data_format)
        self.size = _utils.normalize_tuple(size, 2, "size")
        interpolation = interpolation.lower()
        if interpolation not in _INTERPOLATIONS:
            raise NotImplementedError(
                f"Value not recognized for `interpolation`: {interpolation}. "
                f"Supported values "
                f"are: dict_keys({list(_INTERPOLATIONS)})"
            )
        self.interpolation = interpolation
        self.input_spec = InputSpec(ndim=4)

    def compute_output_shape(self, input_shape):
        s = TensorShape(input_shape).as_list()
        if self.data_format == "channels_first":
            return TensorShape(
                [
                    s[0],
                    s[1],
                    None if s[2] is None else self.size[0] * s[2],
                    None if s[3] is None else self.size[1] * s[3],
                ]
            )
        return TensorShape(
            [
                s[0],
                None if s[1] is None else self.size[0] * s[1],
                None if s[2] is None else self.size[1] * s[2],
                s[3],
            ]
        )

    def call(self, inputs):
        x = inputs
        if self.data_format == "channels_first":
            x = tf.transpose(x, [0, 2, 3, 1])
        if self.interpolation == "nearest":
            x = tf.repeat(tf.repeat(x, self.size[0], axis=1), self.size[1], axis=2)
        elif self.interpolation == "bilinear":
            x = tf.cast(x, tf.float32)
            x = _bilinear_axis(_bilinear_axis(x, 1, self.size[0]), 2, self.size[1])
        else:
            raise NotImplementedError(
                f"UpSampling2D interpolation {self.interpolation!r} is not "
                f"implemented in "
                f"tensorweave (only {_IMPLEMENTED})"
            )
        if self.data_format == "channels_first":
            x = tf.transpose(x, [0, 3, 1, 2])
        return tf.ensure_shape(x, self.compute_output_shape(inputs.shape))

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {"size": self.size, "data_format": self.data_format, "interpolation": self.interpolation}
        )
        return config
