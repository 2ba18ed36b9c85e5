"""Layer and model (de)serialization in Keras 2's config format ({'class_name', 'config', ...})."""

from __future__ import annotations

from tensorweave._src.api_export import EXPORTS
from tensorweave._src.keras.engine.keras_tensor import KerasTensor
from tensorweave._src.util import nest


def serialize_layer(layer) -> dict:
    out = {"module": "keras.layers", "class_name": type(layer).__name__, "config": layer.get_config(),
           "registered_name": None}
    shape = getattr(layer, "_build_input_shape", None)
    if layer.built and shape is not None and type(layer).__name__ != "InputLayer":
        out["build_config"] = {"input_shape": nest.map_structure(
            lambda s: tuple(s.as_list()) if hasattr(s, "as_list") else s, shape) if not hasattr(
            shape, "as_list") else tuple(shape.as_list())}
    return out


def layer_class(class_name: str, custom_objects=None):
    if custom_objects and class_name in custom_objects:
        return custom_objects[class_name]
    for prefix in ("keras.layers.", "keras.", "keras.models."):
        cls = EXPORTS.get(prefix + class_name)
        if cls is not None:
            return cls
    raise ValueError(f"Unknown layer: '{class_name}'. Please ensure you are using a `keras.utils."
                     f"custom_object_scope` and that this object is included in the scope.")


def deserialize_layer(config: dict, custom_objects=None):
    cls = layer_class(config["class_name"], custom_objects)
    inner = config["config"]
    if hasattr(cls, "from_config"):
        try:
            return cls.from_config(inner, custom_objects=custom_objects)
        except TypeError:
            return cls.from_config(inner)
    return cls(**inner)


def functional_config(model) -> dict:
    """`get_config()` of a functional model: its layers with their inbound nodes, and input/output refs."""
    layers = []
    for layer in model.layers:
        entry = serialize_layer(layer)
        entry["name"] = layer.name
        inbound = []
        for node in layer._inbound_nodes:
            if node not in model._nodes_in_order or not node.keras_inputs:
                continue
            inbound.append([[kt._keras_history.layer.name, kt._keras_history.node_index,
                             kt._keras_history.tensor_index, {}] for kt in node.keras_inputs])
        entry["inbound_nodes"] = inbound
        layers.append(entry)
    return {
        "name": model.name, "trainable": model.trainable, "layers": layers,
        "input_layers": _refs(model._nested_inputs), "output_layers": _refs(model._nested_outputs),
    }


def _refs(structure):
    refs = [[t._keras_history.layer.name, t._keras_history.node_index, t._keras_history.tensor_index]
            for t in nest.flatten(structure)]
    return refs if nest.is_nested(structure) or len(refs) != 1 else refs


def functional_from_config(cls, config: dict, custom_objects=None):
    """Rebuilds the layers and replays their calls in order (each node's inputs exist by then)."""
    created = {}
    outputs_by_layer: dict = {}
    pending = list(config["layers"])
    for entry in pending:
        created[entry["name"]] = deserialize_layer(entry, custom_objects)
    progress = True
    while pending and progress:
        progress = False
        for entry in list(pending):
            layer = created[entry["name"]]
            if not entry["inbound_nodes"]:
                outputs_by_layer[entry["name"]] = [layer._inbound_nodes[0].outputs] if layer._inbound_nodes \
                    else []
                pending.remove(entry)
                progress = True
                continue
            ready = all(src in outputs_by_layer and len(outputs_by_layer[src]) > node_index
                        for node in entry["inbound_nodes"] for src, node_index, _, _ in node)
            if not ready:
                continue
            results = []
            for node in entry["inbound_nodes"]:
                args = [_tensor(outputs_by_layer[src][node_index], tensor_index)
                        for src, node_index, tensor_index, _ in node]
                results.append(layer(args[0] if len(args) == 1 else args))
            outputs_by_layer[entry["name"]] = results
            pending.remove(entry)
            progress = True
    inputs = [_tensor(outputs_by_layer[name][n], t) for name, n, t in config["input_layers"]]
    outputs = [_tensor(outputs_by_layer[name][n], t) for name, n, t in config["output_layers"]]
    return cls(inputs=inputs if len(inputs) > 1 else inputs[0],
               outputs=outputs if len(outputs) > 1 else outputs[0], name=config.get("name"))


def _tensor(outputs, index: int) -> KerasTensor:
    flat = nest.flatten(outputs)
    return flat[index]
