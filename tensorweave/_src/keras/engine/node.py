"""A functional-API node: one call of a layer on KerasTensors (its arguments and outputs)."""

from __future__ import annotations

from tensorweave._src.keras.engine.keras_tensor import KerasTensor
from tensorweave._src.util import nest


class Node:
    """Records `layer(*call_args, **call_kwargs) -> outputs` in a functional model under construction."""

    def __init__(self, layer, call_args: tuple, call_kwargs: dict, outputs):
        self.layer = layer
        self.call_args = call_args
        self.call_kwargs = call_kwargs
        self.outputs = outputs
        self.index = len(layer._inbound_nodes)
        layer._inbound_nodes.append(self)

    @property
    def input_tensors(self):
        return self.call_args[0] if self.call_args else None

    @property
    def output_tensors(self):
        return self.outputs

    @property
    def keras_inputs(self) -> list:
        """Every KerasTensor among the call's arguments, in order."""
        return [x for x in nest.flatten([list(self.call_args), self.call_kwargs]) if isinstance(x, KerasTensor)]

    @property
    def parent_nodes(self) -> list:
        out = []
        for kt in self.keras_inputs:
            layer, node_index, _ = kt._keras_history
            out.append(layer._inbound_nodes[node_index])
        return out

    @property
    def is_input(self) -> bool:
        return not self.keras_inputs
