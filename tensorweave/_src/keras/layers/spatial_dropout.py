"""`tf.keras.layers.SpatialDropout1D` / `SpatialDropout2D`: dropout of whole feature maps (the noise is
shared along the steps / spatial axes).

>>> import tensorweave as tf
>>> tf.keras.layers.SpatialDropout2D(0.5, data_format="channels_first").data_format
'channels_first'
"""

from __future__ import annotations

from tensorweave._src.api_export import PublicNamespace, tf_export
from tensorweave._src.keras import backend
from tensorweave._src.keras.engine.input_spec import InputSpec
from tensorweave._src.keras.layers.dropout import Dropout

tf = PublicNamespace()


@tf_export("keras.layers.SpatialDropout1D")
class SpatialDropout1D(Dropout):
    def __init__(self, rate, **kwargs):
        super().__init__(rate, **kwargs)
        self.input_spec = InputSpec(ndim=3)

    def _get_noise_shape(self, inputs):
        shape = tf.shape(inputs)
        return tf.stack([shape[0], tf.constant(1, dtype=tf.int32), shape[2]])


@tf_export("keras.layers.SpatialDropout2D")
class SpatialDropout2D(Dropout):
    def __init__(self, rate, data_format=None, **kwargs):
        super().__init__(rate, **kwargs)
        if data_format is None:
            data_format = backend.image_data_format()
        if data_format not in {"channels_last", "channels_first"}:
            raise ValueError(
                f'`data_format` must be "channels_last" or "channels_first". Received: '
                f"data_format={data_format}."
            )
        self.data_format = data_format
        self.input_spec = InputSpec(ndim=4)

    def _get_noise_shape(self, inputs):
        shape = tf.shape(inputs)
        one = tf.constant(1, dtype=tf.int32)
        if self.data_format == "channels_first":
            return tf.stack([shape[0], shape[1], one, one])
        return tf.stack([shape[0], one, one, shape[3]])
