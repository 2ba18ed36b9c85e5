"""`tf.keras.layers.Wrapper`: a layer holding another layer (`self.layer`), serialized as its config."""

from __future__ import annotations

import copy

from tensorweave._src.api_export import tf_export
from tensorweave._src.keras.engine.base_layer import Layer


@tf_export("keras.layers.Wrapper")
class Wrapper(Layer):
    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(
                f"Layer {layer} supplied to wrapper is not a supported layer type. Please ensure "
                f"wrapped layer is a valid TF-Keras layer."
            )
        self.layer = layer
        super().__init__(**kwargs)

    def build(self, input_shape=None):
        if not self.layer.built:
            self.layer.build(input_shape)
            self.layer.built = True
        self.built = True

    @property
    def activity_regularizer(self):
        return getattr(self.layer, "activity_regularizer", None)

    @activity_regularizer.setter
    def activity_regularizer(self, value):
        pass

    def get_config(self):
        from tensorweave._src.keras.engine.serialization import serialize_layer

        layer_config = serialize_layer(self.layer)
        layer_config.pop("build_config", None)
        config = {"layer": layer_config}
        base = super().get_config()
        return dict(list(base.items()) + list(config.items()))

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from tensorweave._src.keras.engine.serialization import deserialize_layer

        config = copy.deepcopy(config)
        layer = deserialize_layer(config.pop("layer"), custom_objects=custom_objects)
        return cls(layer, **config)
