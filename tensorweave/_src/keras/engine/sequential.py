"""`tf.keras.Sequential`: a linear stack of layers.

>>> import tensorweave as tf
>>> model = tf.keras.Sequential([tf.keras.layers.Dense(8, input_shape=(4,)), tf.keras.layers.Dense(2)])
>>> model(tf.ones([3, 4])).shape
TensorShape([3, 2])
"""

from __future__ import annotations

from tensorweave._src.api_export import tf_export
from tensorweave._src.core.shape import TensorShape
from tensorweave._src.keras.engine.base_layer import Layer
from tensorweave._src.keras.engine.input_layer import Input, InputLayer
from tensorweave._src.keras.engine.input_spec import InputSpec
from tensorweave._src.keras.engine.keras_tensor import KerasTensor
from tensorweave._src.keras.engine.training import Model


@tf_export("keras.Sequential", "keras.models.Sequential")
class Sequential(Model):
    """Stacks layers; builds its graph as soon as the input shape is known (from the first layer's
    `input_shape`, an `Input`, `build(shape)` or the first call)."""

    def __init__(self, layers=None, name=None):
        super().__init__(name=name)
        object.__setattr__(self, "_self_setattr_tracking", False)
        self._stack: list[Layer] = []
        self._input_layer = None
        self._explicit_input_shape = False  # from an Input or the first layer's input_shape, not inferred
        self._graph_nodes: list = []
        self._layers_called_directly = False  # the graph could not be built from the first call's input
        object.__setattr__(self, "_self_setattr_tracking", True)
        self.supports_masking = True
        self.built = False
        for layer in layers or []:
            self.add(layer)

    @property
    def layers(self) -> list:
        return list(self._stack)

    def _flatten_layers(self, include_self: bool = False, recursive: bool = True) -> list:
        out = [self] if include_self else []
        seen = {id(self)}
        for layer in self._stack:
            if id(layer) not in seen:
                seen.add(id(layer))
                out.append(layer)
                if recursive:
                    for sub in layer._flatten_layers():
                        if id(sub) not in seen:
                            seen.add(id(sub))
                            out.append(sub)
        return out

    def add(self, layer) -> None:
        """Appends a layer (an `Input` KerasTensor sets the input shape instead)."""
        if isinstance(layer, KerasTensor):
            layer = layer._keras_history.layer
        if not isinstance(layer, Layer):
            raise TypeError(f"The added layer must be an instance of class Layer. Received: layer={layer} of "
                            f"type {type(layer)}.")
        if isinstance(layer, InputLayer):
            self._input_layer = layer
            self._explicit_input_shape = True
            self._rebuild_graph()
            return
        if any(layer.name == other.name for other in self._stack):
            raise ValueError(f'All layers added to a Sequential model should have unique names. Name '
                             f'"{layer.name}" is already the name of a layer in this model. Update the `name` '
                             f"argument to pass a unique name.")
        self._stack.append(layer)
        shape = layer._batch_input_shape
        if shape is None and isinstance(layer, Model) and getattr(layer, "inputs", None) and len(layer.inputs) == 1:
            shape = tuple(layer.inputs[0].shape.as_list())  # a built model as first layer gives its input shape
        if self._input_layer is None and len(self._stack) == 1 and shape is not None:
            self._input_layer = Input(batch_shape=shape, dtype=layer._dtype,
                                      name=layer.name + "_input")._keras_history.layer  # as Keras 2
            self._explicit_input_shape = True
            self._rebuild_graph()
        elif self._input_layer is not None:
            self.outputs = [layer(self.outputs[0])]  # extend the graph by the new layer only
            self._graph_nodes.append(layer._inbound_nodes[-1])
            self.built = True

    def pop(self) -> None:
        if not self._stack:
            raise TypeError("There are no layers in the model.")
        self._stack.pop()
        self._rebuild_graph()

    def _rebuild_graph(self) -> None:
        if self._input_layer is None:
            return
        for layer in self._stack:  # forget the nodes of an earlier graph of this model
            layer._inbound_nodes[:] = [n for n in layer._inbound_nodes if n not in self._graph_nodes]
        x = self._input_layer._inbound_nodes[0].outputs
        self.inputs = [x]
        for layer in self._stack:
            x = layer(x)
            self._graph_nodes.append(layer._inbound_nodes[-1])
        self.outputs = [x]
        self.built = bool(self._stack) or self.built
        self._is_graph_network = True
        if self._explicit_input_shape:  # Keras 2 checks calls against the declared input shape only
            shape = self.inputs[0].shape
            self._input_spec = InputSpec(shape=shape.as_list() if shape.rank is not None else None,
                                         allow_last_axis_squeeze=True, name=self._input_layer.name)

    def _build_on_first_call(self, input_shape) -> None:
        if self._layers_called_directly:
            return
        try:
            self.build(input_shape)
        except Exception:  # noqa: BLE001 - as Keras: then run the layers one by one, so their errors surface
            self._forget_graph()
            self._layers_called_directly = True

    def _forget_graph(self) -> None:
        """Undoes a graph build that failed on the first call (Keras then calls the layers directly)."""
        for layer in self._stack:
            layer._inbound_nodes[:] = [n for n in layer._inbound_nodes if n not in self._graph_nodes]
        self._graph_nodes = []
        self._input_layer = None
        self._is_graph_network = False
        self.built = False

    def build(self, input_shape=None) -> None:
        if input_shape is None and self._input_layer is None:
            raise ValueError("You must provide an `input_shape` argument.")
        if self._input_layer is None:
            shape = TensorShape(input_shape).as_list()
            self._input_layer = Input(batch_shape=shape)._keras_history.layer
            self._rebuild_graph()
        self.built = True

    def _name_scope_name(self) -> str:
        return ""  # layers built on the first call are named as when built at `add` ('dense/kernel:0')

    def call(self, inputs, training=None, mask=None):
        if self._input_layer is None and hasattr(inputs, "shape"):
            self._build_on_first_call([None] + list(inputs.shape.as_list()[1:]))
        x = inputs
        for layer in self._stack:
            kwargs = {}
            if training is not None and layer._expects_training_arg:
                kwargs["training"] = training
            x = layer(x, **kwargs)
        return x

    def get_config(self) -> dict:
        from tensorweave._src.keras.engine.serialization import serialize_layer

        layers = []
        if self._input_layer is not None:
            layers.append(serialize_layer(self._input_layer))
        layers += [serialize_layer(layer) for layer in self._stack]
        return {"name": self.name, "layers": layers}

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        from tensorweave._src.keras.engine.serialization import deserialize_layer

        model = cls(name=config.get("name"))
        for layer_config in config["layers"]:
            model.add(deserialize_layer(layer_config, custom_objects))
        return model


from tensorweave._src.keras.engine import models_utils as _models_utils  # noqa: E402,F401  (clone_model; needs Sequential)
