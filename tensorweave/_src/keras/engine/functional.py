"""Functional models: a DAG of layer calls recorded from KerasTensors, run in topological order.

>>> import tensorweave as tf
>>> inp = tf.keras.Input(shape=(3,))
>>> out = tf.keras.layers.Dense(2)(inp)
>>> model = tf.keras.Model(inp, out)
>>> model(tf.ones([4, 3])).shape
TensorShape([4, 2])
"""

from __future__ import annotations

from tensorweave._src.keras.engine.input_layer import InputLayer
from tensorweave._src.keras.engine.keras_tensor import KerasTensor
from tensorweave._src.keras.engine.training import Model
from tensorweave._src.util import nest


class Functional(Model):
    """A model defined by `keras.Model(inputs, outputs)`."""

    def __init__(self, inputs, outputs, name=None, trainable=True, **kwargs):
        super().__init__(name=name, trainable=trainable)
        self._init_graph_network(inputs, outputs)

    def _init_graph_network(self, inputs, outputs) -> None:
        if isinstance(inputs, dict):
            self._input_structure = inputs
        else:
            self._input_structure = inputs
        self._nested_inputs = inputs
        self._nested_outputs = outputs
        self.inputs = nest.flatten(inputs)
        self.outputs = nest.flatten(outputs)
        for t in self.inputs + self.outputs:
            if not isinstance(t, KerasTensor):
                raise ValueError(f"Found unexpected instance while processing input tensors for keras "
                                 f"functional model. Expecting KerasTensor, got {t!r}")
        self._nodes_in_order = _topological_nodes(self.outputs)
        object.__setattr__(self, "_self_setattr_tracking", False)
        self._graph_layers = _layers_of(self._nodes_in_order)
        object.__setattr__(self, "_self_setattr_tracking", True)
        self._is_graph_network = True
        self.built = True
        input_layers = [t._keras_history.layer for t in self.inputs]
        self.input_names = [layer.name for layer in input_layers]
        self.output_names = [t._keras_history.layer.name for t in self.outputs]

    @property
    def layers(self) -> list:
        return list(self._graph_layers)

    def _flatten_layers(self, include_self: bool = False, recursive: bool = True) -> list:
        out = [self] if include_self else []
        seen = {id(self)}
        for layer in self._graph_layers:
            if id(layer) in seen:
                continue
            seen.add(id(layer))
            out.append(layer)
            if recursive:
                for sub in layer._flatten_layers():
                    if id(sub) not in seen:
                        seen.add(id(sub))
                        out.append(sub)
        return out

    def call(self, inputs, training=None, mask=None):
        values: dict[int, object] = {}
        flat_inputs = _flatten_like(self._nested_inputs, inputs)
        for kt, x in zip(self.inputs, flat_inputs):
            values[id(kt)] = x
        for node in self._nodes_in_order:
            if isinstance(node.layer, InputLayer):
                continue
            args = nest.map_structure(lambda a: values[id(a)] if isinstance(a, KerasTensor) else a,
                                      list(node.call_args))
            kwargs = nest.map_structure(lambda a: values[id(a)] if isinstance(a, KerasTensor) else a,
                                        dict(node.call_kwargs))
            if training is not None and node.layer._expects_training_arg and "training" not in kwargs:
                kwargs["training"] = training
            out = node.layer(*args, **kwargs)
            for kt, v in zip(nest.flatten(node.outputs), nest.flatten(out)):
                if isinstance(kt, KerasTensor):
                    values[id(kt)] = v
        return nest.pack_sequence_as(self._nested_outputs, [values[id(t)] for t in self.outputs]) \
            if nest.is_nested(self._nested_outputs) else values[id(self.outputs[0])]

    def compute_output_shape(self, input_shape):
        return nest.map_structure(lambda t: t.shape, self._nested_outputs)

    def get_config(self) -> dict:
        from tensorweave._src.keras.engine.serialization import functional_config

        return functional_config(self)

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        from tensorweave._src.keras.engine.serialization import functional_from_config

        return functional_from_config(cls, config, custom_objects)


def _flatten_like(structure, inputs) -> list:
    if isinstance(structure, dict) and isinstance(inputs, dict):
        return [inputs[k] for k in sorted(structure)]
    flat = nest.flatten(inputs)
    return flat


def _topological_nodes(outputs) -> list:
    """The nodes that produce `outputs`, parents before children (Keras's order: depth-first)."""
    order: list = []
    done: set = set()
    active: set = set()

    def visit(node):
        if id(node) in done:
            return
        if id(node) in active:
            raise ValueError("The functional model has a cycle")
        active.add(id(node))
        for parent in node.parent_nodes:
            visit(parent)
        active.discard(id(node))
        done.add(id(node))
        order.append(node)

    for t in outputs:
        layer, node_index, _ = t._keras_history
        visit(layer._inbound_nodes[node_index])
    return order


def _layers_of(nodes) -> list:
    seen = set()
    out = []
    for node in nodes:
        if id(node.layer) not in seen:
            seen.add(id(node.layer))
            out.append(node.layer)
    return out
