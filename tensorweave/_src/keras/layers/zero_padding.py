"""`tf.keras.layers.ZeroPadding1D` / `ZeroPadding2D`: zero rows/columns around sequences and images.

>>> import tensorweave as tf
>>> tf.keras.layers.ZeroPadding2D(((1, 0), (2, 1)))(tf.ones([1, 2, 2, 3])).shape
TensorShape([1, 3, 5, 3])
"""

from __future__ import annotations

from tensorweave._src.api_export import PublicNamespace, tf_export
from tensorweave._src.core.shape import TensorShape
from tensorweave._src.keras.engine.base_layer import Layer
from tensorweave._src.keras.engine.input_spec import InputSpec
from tensorweave._src.keras.layers import _utils

tf = PublicNamespace()


@tf_export("keras.layers.ZeroPadding1D")
class ZeroPadding1D(Layer):
    def __init__(self, padding=1, **kwargs):
        super().__init__(**kwargs)
        self.padding = _utils.normalize_tuple(padding, 2, "padding", allow_zero=True)
        self.input_spec = InputSpec(ndim=3)

    def compute_output_shape(self, input_shape):
        input_shape = TensorShape(input_shape)
        length = None if input_shape[1] is None else input_shape[1] + self.padding[0] + self.padding[1]
        return TensorShape([input_shape[0], length, input_shape[2]])

    def call(self, inputs):
        return tf.pad(inputs, [[0, 0], [self.padding[0], self.padding[1]], [0, 0]])

    def get_config(self) -> dict:
        config = super().get_config()
        config["padding"] = self.padding
        return config


def _pairs(value, what):
    """An int, 2 ints or 2 pairs of ints as ((top, bottom), (left, right)) (Keras 2's validation)."""
    if isinstance(value, int):
        return ((value, value), (value, value))
    if hasattr(value, "__len__"):
        if len(value) != 2:
            raise ValueError(f"`{what}` should have two elements. Received: {value}.")
        height = _utils.normalize_tuple(value[0], 2, f"1st entry of {what}", allow_zero=True)
        width = _utils.normalize_tuple(value[1], 2, f"2nd entry of {what}", allow_zero=True)
        return (height, width)
    verb = "pad" if what == "padding" else "crop"
    raise ValueError(
        f"`{what}` should be either an int, a tuple of 2 ints (symmetric_height_{verb}, "
        f"symmetric_width_{verb}), or a tuple of 2 tuples of 2 ints ((top_{verb}, "
        f"bottom_{verb}), "
        f"(left_{verb}, right_{verb})). Received: {value}."
    )


@tf_export("keras.layers.ZeroPadding2D")
class ZeroPadding2D(Layer):
    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = _utils.normalize_data_format(data_format)
        self.padding = _pairs(padding, "padding")
        self.input_spec = InputSpec(ndim=4)

    def compute_output_shape(self, input_shape):
        s = TensorShape(input_shape).as_list()
        (top, bottom), (left, right) = self.padding
        if self.data_format == "channels_first":
            rows = None if s[2] is None else s[2] + top + bottom
            cols = None if s[3] is None else s[3] + left + right
            return TensorShape([s[0], s[1], rows, cols])
        rows = None if s[1] is None else s[1] + top + bottom
        cols = None if s[2] is None else s[2] + left + right
        return TensorShape([s[0], rows, cols, s[3]])

    def call(self, inputs):
        (top, bottom), (left, right) = self.padding
        if self.data_format == "channels_first":
            pattern = [[0, 0], [0, 0], [top, bottom], [left, right]]
        else:
            pattern = [[0, 0], [top, bottom], [left, right], [0, 0]]
        return tf.pad(inputs, pattern)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"padding": self.padding, "data_format": self.data_format})
        return config
