"""Functional models: a DAG of layer calls recorded from KerasTensors, run depth by depth.

>>> import tensorweave as tf
>>> inp = tf.keras.Input(shape=(3,))
>>> out = tf.keras.layers.Dense(2)(inp)
>>> model = tf.keras.Model(inp, out)
>>> model(tf.ones([4, 3])).shape
TensorShape([4, 2])
"""

from __future__ import annotations

import warnings

from tensorweave._src.api_export import PublicNamespace
from tensorweave._src.keras.engine.input_layer import InputLayer
from tensorweave._src.keras.engine.keras_tensor import KerasTensor
from tensorweave._src.keras.engine.training import Model
from tensorweave._src.util import nest

tf = PublicNamespace()


class Functional(Model):
    """A model defined by `keras.Model(inputs, outputs)`."""

    def __init__(self, inputs, outputs, name=None, trainable=True, **kwargs):
        for key in kwargs:
            raise TypeError(f"Keyword argument not understood: {key}")
        super().__init__(name=name, trainable=trainable)
        self._init_graph_network(inputs, outputs)

    def _init_graph_network(self, inputs, outputs) -> None:
        if isinstance(inputs, list) and len(nest.flatten(inputs)) == 1:
            inputs = inputs[0]
        if isinstance(outputs, list) and len(nest.flatten(outputs)) == 1:
            outputs = outputs[0]
        object.__setattr__(self, "_self_setattr_tracking", False)
        self._nested_inputs = inputs
        self._nested_outputs = outputs
        self.inputs = nest.flatten(inputs)
        self.outputs = nest.flatten(outputs)
        for t in self.inputs + self.outputs:
            if not isinstance(t, KerasTensor):
                raise ValueError(f"Found unexpected instance while processing input tensors for keras "
                                 f"functional model. Expecting KerasTensor, got {t!r}")
        for t in self.inputs:
            if not isinstance(t._keras_history.layer, InputLayer):
                raise ValueError(f"Input tensors to a Functional must come from `tf.keras.Input`. Received: "
                                 f"{t} (missing previous layer metadata).")
        flat_in = nest.flatten(inputs)
        self._enable_dict_to_input_mapping = not nest.is_nested(inputs) or (
            isinstance(inputs, (list, tuple, dict)) and len(flat_in) == len(
                inputs.values() if isinstance(inputs, dict) else inputs))
        nodes, nodes_by_depth, layers, _ = map_graph_network(self.inputs, self.outputs)
        self._network_nodes = nodes
        self._nodes_by_depth = nodes_by_depth
        depths = sorted(nodes_by_depth, reverse=True)
        self._nodes_in_order = [n for d in depths for n in nodes_by_depth[d]]
        self._graph_layers = layers
        self._is_graph_network = True
        self.built = True
        self._build_input_shape = nest.map_structure(lambda x: x.shape, inputs)
        self._input_layers = [t._keras_history.layer for t in self.inputs]
        self._output_layers = [t._keras_history.layer for t in self.outputs]
        self.input_names = [layer.name for layer in self._input_layers]
        self.output_names = _unique_output_names(self._output_layers)
        object.__setattr__(self, "_self_setattr_tracking", True)
        self._expects_training_arg = True
        self._expects_mask_arg = True
        self._input_spec = self._graph_input_spec()

    @property
    def layers(self) -> list:
        return list(self._graph_layers)

    @property
    def input(self):
        return self._nested_inputs

    @property
    def output(self):
        return self._nested_outputs

    @property
    def input_shape(self):
        return nest.map_structure(lambda t: tuple(t.shape.as_list()), self._nested_inputs)

    @property
    def output_shape(self):
        return nest.map_structure(lambda t: tuple(t.shape.as_list()), self._nested_outputs)

    def _graph_input_spec(self):
        from tensorweave._src.keras.engine.input_spec import InputSpec

        specs = []
        for t, layer in zip(self.inputs, self._input_layers):
            shape = t.shape.as_list() if t.shape.rank is not None else None
            specs.append(InputSpec(shape=shape, allow_last_axis_squeeze=True, name=layer.name))
        if isinstance(self._nested_inputs, dict):
            return dict(zip(sorted(self._nested_inputs), specs))
        return specs if nest.is_nested(self._nested_inputs) else specs[0]

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

    def _flatten_to_reference_inputs(self, tensors) -> list:
        if self._enable_dict_to_input_mapping and isinstance(tensors, dict):
            ref = self._nested_inputs
            if isinstance(ref, dict):
                names = sorted(ref)
            else:
                names = [layer.name for layer in self._input_layers]
            if len(tensors) > len(names):
                warnings.warn(f"Input dict contained keys {[n for n in tensors if n not in names]} which did "
                              f"not match any model input. They will be ignored by the model.", stacklevel=2)
            try:
                return [tensors[n] for n in names]
            except KeyError:
                return nest.flatten(tensors)
        return nest.flatten(tensors)

    def _conform_to_reference_input(self, tensor, ref):
        if not hasattr(tensor, "shape") or not hasattr(tensor, "dtype") or isinstance(tensor, KerasTensor):
            return tensor
        t_shape, r_shape = tensor.shape, ref.shape
        if t_shape.rank is not None and r_shape.rank is not None:
            if t_shape.rank == r_shape.rank + 1 and t_shape[-1] == 1:
                tensor = tf.squeeze(tensor, axis=-1)
            elif t_shape.rank == r_shape.rank - 1 and r_shape[-1] == 1:
                tensor = tf.expand_dims(tensor, axis=-1)
        if tensor.dtype != ref.dtype:
            tensor = tf.cast(tensor, ref.dtype)
        return tensor

    def call(self, inputs, training=None, mask=None):
        values: dict[int, object] = {}
        flat_inputs = self._flatten_to_reference_inputs(inputs)
        for kt, x in zip(self.inputs, flat_inputs):
            values[id(kt)] = self._conform_to_reference_input(x, kt)
        for node in self._nodes_in_order:
            if not node.keras_inputs:
                continue
            if any(id(a) not in values for a in node.keras_inputs):
                continue  # not computable from these inputs

            def fill(a):
                return values[id(a)] if isinstance(a, KerasTensor) else a

            args = nest.map_structure(fill, list(node.call_args))
            kwargs = nest.map_structure(fill, dict(node.call_kwargs))
            if training is not None and node.layer._expects_training_arg and "training" not in kwargs:
                kwargs["training"] = training
            out = node.layer(*args, **kwargs)
            for kt, v in zip(nest.flatten(node.outputs), nest.flatten(out)):
                if isinstance(kt, KerasTensor):
                    values[id(kt)] = v
        flat = [values[id(t)] for t in self.outputs]
        return nest.pack_sequence_as(self._nested_outputs, flat) if nest.is_nested(self._nested_outputs) \
            else flat[0]

    def compute_output_shape(self, input_shape):
        return nest.map_structure(lambda t: t.shape, self._nested_outputs)

    def get_config(self) -> dict:
        from tensorweave._src.keras.engine.serialization import functional_config

        return functional_config(self)

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        from tensorweave._src.keras.engine.serialization import functional_from_config

        return functional_from_config(cls, config, custom_objects)


def _unique_output_names(layers) -> list:
    names, used, counts = [], set(), {}
    for layer in layers:
        proposal = layer.name
        while proposal in used:
            n = counts.get(layer.name, 1)
            proposal = f"{layer.name}_{n}"
            counts[layer.name] = n + 1
        used.add(proposal)
        names.append(proposal)
    return names


def _build_map(outputs):
    """Nodes from inputs to outputs by depth-first search; each layer's first traversal index."""
    finished, in_progress = set(), set()
    ordered, layer_indices = [], {}

    def visit(tensor):
        layer, node_index, _ = tensor._keras_history
        node = layer._inbound_nodes[node_index]
        if id(node) in finished:
            return
        if id(node) in in_progress:
            raise ValueError(f'Tensor {tensor} from layer "{layer.name}" is part of a cycle.')
        layer_indices.setdefault(id(layer), len(layer_indices))
        in_progress.add(id(node))
        for t in node.keras_inputs:
            visit(t)
        finished.add(id(node))
        in_progress.discard(id(node))
        ordered.append(node)

    for t in nest.flatten(outputs):
        visit(t)
    return ordered, layer_indices


def map_graph_network(inputs, outputs):
    """Keras's `_map_graph_network`: (node set, nodes by depth, layers ordered by depth, layers by depth).
    Depth counts from the outputs (0) back to the inputs; layers are listed deepest first, ties in
    traversal order."""
    ordered, layer_indices = _build_map(outputs)
    network_nodes = {id(n) for n in ordered}
    node_depths: dict = {}
    layer_depths: dict = {}
    layer_of: dict = {}
    node_of: dict = {}
    for node in reversed(ordered):
        node_of[id(node)] = node
        depth = node_depths.setdefault(id(node), 0)
        depth = max(depth, layer_depths.get(id(node.layer), 0))
        layer_depths[id(node.layer)] = depth
        layer_of[id(node.layer)] = node.layer
        node_depths[id(node)] = depth
        for parent in node.parent_nodes:
            node_of[id(parent)] = parent
            node_depths[id(parent)] = max(depth + 1, node_depths.get(id(parent), 0))
    for t in inputs:
        layer = t._keras_history.layer
        if id(layer) not in layer_depths:
            layer_depths[id(layer)] = 0
            layer_of[id(layer)] = layer
            layer_indices[id(layer)] = -1
            node = layer._inbound_nodes[0]
            node_of[id(node)] = node
            node_depths[id(node)] = 0
            network_nodes.add(id(node))
    nodes_by_depth: dict = {}
    for nid, depth in node_depths.items():
        nodes_by_depth.setdefault(depth, []).append(node_of[nid])
    layers_by_depth: dict = {}
    for lid, depth in layer_depths.items():
        layers_by_depth.setdefault(depth, []).append(layer_of[lid])
    layers = []
    for depth in sorted(layers_by_depth, reverse=True):
        layers += sorted(layers_by_depth[depth], key=lambda la: layer_indices[id(la)])
    computable = {id(x) for x in inputs}
    done_layers = []
    for depth in sorted(nodes_by_depth, reverse=True):
        for node in nodes_by_depth[depth]:
            if not node.keras_inputs:
                continue
            for x in node.keras_inputs:
                if id(x) not in computable:
                    raise ValueError(f'Graph disconnected: cannot obtain value for tensor {x} at layer '
                                     f'"{node.layer.name}". The following previous layers were accessed '
                                     f"without issue: {done_layers}")
            for x in nest.flatten(node.outputs):
                computable.add(id(x))
            done_layers.append(node.layer.name)
    names = [layer.name for layer in layers]
    for name in names:
        if names.count(name) != 1:
            raise ValueError(f'The name "{name}" is used {names.count(name)} times in the model. All layer '
                             f"names should be unique.")
    return network_nodes, nodes_by_depth, layers, layers_by_depth
