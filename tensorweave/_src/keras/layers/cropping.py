"""`tf.keras.layers.Cropping1D` / `Cropping2D`: drop rows/columns at the borders of sequences and images.

>>> import tensorweave as tf
>>> tf.keras.layers.Cropping2D(((1, 0), (0, 1)))(tf.ones([1, 4, 4, 2])).shape
TensorShape([1, 3, 3, 2])
"""

from __future__ import annotations

from tensorweave._src.api_export import tf_export
from tensorweave._src.core.shape import TensorShape
from tensorweave._src.keras.engine.base_layer import Layer
from tensorweave._src.keras.engine.input_spec import InputSpec
from tensorweave._src.keras.layers import _utils
from tensorweave._src.keras.layers.zero_padding import _pairs


def _crop(start, end):
    return slice(start, -end if end else None)


@tf_export("keras.layers.Cropping1D")
class Cropping1D(Layer):
    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(**kwargs)
        self.cropping = _utils.normalize_tuple(cropping, 2, "cropping", allow_zero=True)
        self.input_spec = InputSpec(ndim=3)

    def compute_output_shape(self, input_shape):
        s = TensorShape(input_shape).as_list()
        length = None if s[1] is None else s[1] - self.cropping[0] - self.cropping[1]
        return TensorShape([s[0], length, s[2]])

    def call(self, inputs):
        if inputs.shape[1] is not None and sum(self.cropping) >= inputs.shape[1]:
            raise ValueError(
                f"cropping parameter of Cropping layer must be greater than the input shape. "
                f"Received: inputs.shape={inputs.shape}, and cropping={self.cropping}"
            )
        return inputs[:, _crop(*self.cropping), :]

    def get_config(self) -> dict:
        config = super().get_config()
        config["cropping"] = self.cropping
        return config


@tf_export("keras.layers.Cropping2D")
class Cropping2D(Layer):
    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = _utils.normalize_data_format(data_format)
        self.cropping = _pairs(cropping, "cropping")
        self.input_spec = InputSpec(ndim=4)

    def compute_output_shape(self, input_shape):
        s = TensorShape(input_shape).as_list()
        (top, bottom), (left, right) = self.cropping
        if self.data_format == "channels_first":
            return TensorShape(
                [s[0], s[1], s[2] - top - bottom if s[2] else None, s[3] - left - right if s[3] else None]
            )
        return TensorShape(
            [s[0], s[1] - top - bottom if s[1] else None, s[2] - left - right if s[2] else None, s[3]]
        )

    def call(self, inputs):
        rows, cols = (2, 3) if self.data_format == "channels_first" else (1, 2)
        if (inputs.shape[rows] is not None and sum(self.cropping[0]) >= inputs.shape[rows]) or (
            inputs.shape[cols] is not None and sum(self.cropping[1]) >= inputs.shape[cols]
        ):
            raise ValueError(
                f"Argument `cropping` must be greater than the input shape. Received: "
                f"inputs.shape="
                f"{inputs.shape}, and cropping={self.cropping}"
            )
        h, w = _crop(*self.cropping[0]), _crop(*self.cropping[1])
        if self.data_format == "channels_first":
            return inputs[:, :, h, w]
        return inputs[:, h, w, :]

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"cropping": self.cropping, "data_format": self.data_format})
        return config
