"""Layer and model (de)serialization in Keras 2's config format ({'class_name', 'config', ...})."""

from __future__ import annotations

from tensorweave._src.api_export import EXPORTS
from tensorweave._src.keras.engine.keras_tensor import KerasTensor
from tensorweave._src.util import nest


def serialize_layer(layer) -> dict:
    out = {"module": "keras.layers", "class_name": type(layer).__name__, "config": layer.get_config(),
           "registered_name": None}
    if type(layer).__name__ == "Functional":
        out["module"], out["registered_name"] = "tf_keras.src.engine.functional", "Functional"
    elif type(layer).__name__ in ("TFOpLambda", "SlicingOpLambda"):
        out["module"] = "tf_keras.src.layers.core.tf_op_layer"
        out["registered_name"] = type(layer).__name__
    shape = getattr(layer, "_build_input_shape", None)
    if layer.built and shape is not None and type(layer).__name__ != "InputLayer":
        out["build_config"] = {"input_shape": nest.map_structure(
            lambda s: tuple(s.as_list()) if hasattr(s, "as_list") else s, shape) if not hasattr(
            shape, "as_list") else tuple(shape.as_list())}
    return out


def layer_class(class_name: str, custom_objects=None):
    if custom_objects and class_name in custom_objects:
        return custom_objects[class_name]
    if class_name == "Functional":
        from tensorweave._src.keras.engine.functional import Functional

        return Functional
    if class_name in ("TFOpLambda", "SlicingOpLambda"):
        from tensorweave._src.keras.engine import tf_op_layer

        return getattr(tf_op_layer, class_name)
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


def _should_skip_first_node(layer) -> bool:
    """Nested models built with an input start with a node linking their inputs to outputs in Keras; the
    config's node indices of such layers count from 1."""
    from tensorweave._src.keras.engine.functional import Functional
    from tensorweave._src.keras.engine.sequential import Sequential

    if isinstance(layer, Functional):
        return True
    if isinstance(layer, Sequential):
        return layer._input_layer is not None
    return False


def _node_key(layer, index: int):
    return (id(layer), index)


def _serialize_node(node, conversion) -> list:
    """One inbound node: [[layer name, node index, tensor index, kwargs], ...] for the first argument's
    tensors; other arguments become kwargs (KerasTensors in them as [name, node, tensor])."""
    layer = node.layer
    args = list(node.call_args)
    first = args[0] if args else None
    names = getattr(layer, "_call_arg_names", [])[1:]
    kwargs = dict(zip(names, args[1:]))
    kwargs.update(node.call_kwargs)

    def ref(t):
        kh = t._keras_history
        return [kh.layer.name, conversion.get(_node_key(kh.layer, kh.node_index), 0), kh.tensor_index]

    def plain(v):
        if isinstance(v, KerasTensor):
            return ref(v)
        if isinstance(v, slice):
            return {"class_name": "__slice__", "config": {"start": plain(v.start), "stop": plain(v.stop),
                                                          "step": plain(v.step)}}
        if v is Ellipsis:
            return {"class_name": "__ellipsis__", "config": {}}
        if hasattr(v, "numpy") and not isinstance(v, KerasTensor):
            return v.numpy().tolist()
        if hasattr(v, "tolist"):
            return v.tolist()
        return v

    kwargs = nest.map_structure(plain, kwargs)

    def entry(t):
        if isinstance(t, KerasTensor):
            return ref(t) + [kwargs]
        return ["_CONSTANT_VALUE", -1, plain(t), kwargs]

    if getattr(layer, "_preserve_input_structure_in_config", False) and not nest.is_nested(first):
        return entry(first)
    if isinstance(first, dict):
        return {k: entry(v) for k, v in first.items()}
    if isinstance(first, (list, tuple)):
        return [entry(t) for t in nest.flatten(first)]
    return [entry(first)]


def functional_config(model, serialize_layer_fn=None) -> dict:
    """`get_config()` of a functional model: its layers with their inbound nodes, and input/output refs."""
    conversion = {}
    for layer in model.layers:
        kept = 1 if _should_skip_first_node(layer) else 0
        for index, node in enumerate(layer._inbound_nodes):
            if id(node) in model._network_nodes:
                conversion[_node_key(layer, index)] = kept
                kept += 1
    layers = []
    for layer in model.layers:
        entry = (serialize_layer_fn or serialize_layer)(layer)
        entry["name"] = layer.name
        entry["inbound_nodes"] = [_serialize_node(node, conversion) for node in layer._inbound_nodes
                                  if id(node) in model._network_nodes and node.keras_inputs]
        layers.append(entry)

    def refs(structure):
        out = nest.map_structure(lambda t: [t._keras_history.layer.name, conversion.get(_node_key(
            t._keras_history.layer, t._keras_history.node_index), 0), t._keras_history.tensor_index],
            structure)
        return out if nest.is_nested(structure) else [out]

    return {
        "name": model.name, "trainable": model.trainable, "layers": layers,
        "input_layers": refs(model._nested_inputs), "output_layers": refs(model._nested_outputs),
    }


def _is_ref(x) -> bool:
    return isinstance(x, (list, tuple)) and len(x) in (3, 4) and isinstance(x[0], str) and \
        isinstance(x[1], int)


def _map_refs(fn, data):
    if _is_ref(data):
        return fn(data)
    if isinstance(data, dict):
        return {k: _map_refs(fn, v) for k, v in data.items()}
    if isinstance(data, tuple):  # tuples and namedtuples (tf.math.top_k's) keep their type, as in Keras
        items = [_map_refs(fn, v) for v in data]
        return type(data)(*items) if hasattr(data, "_fields") else tuple(items)
    if isinstance(data, list):
        return [_map_refs(fn, v) for v in data]
    return data


def _flat_refs(data) -> list:
    out = []
    _map_refs(out.append, data)
    return out


def functional_from_config(cls, config: dict, custom_objects=None, created_layers=None):
    """Keras's `reconstruct_from_config`: creates the layers, then replays each layer's nodes in config
    order as soon as their inputs exist."""
    from tensorweave._src.keras.engine.input_layer import InputLayer

    created: dict = dict(created_layers or {})
    node_index_map: dict = {}
    node_count: dict = {}
    unprocessed: dict = {}

    def node_index(layer, config_index):
        if isinstance(layer, InputLayer):
            return 0
        return node_index_map.get((layer.name, config_index))

    def tensor_of(ref):
        layer = created[ref[0]]
        index = node_index(layer, ref[1])
        if index is None:
            raise IndexError
        return nest.flatten(layer._inbound_nodes[index].outputs)[ref[2]]

    def process_node(layer, node_data) -> bool:
        kwargs = {}
        try:
            for ref in _flat_refs(node_data):
                if len(ref) == 4 and ref[3]:
                    kwargs = _map_refs(tensor_of, ref[3])

            def fill(ref):
                return ref[2] if ref[0] == "_CONSTANT_VALUE" else tensor_of(ref)

            inputs = _map_refs(fill, node_data)
        except IndexError:
            return False
        if isinstance(inputs, list) and len(inputs) == 1:
            inputs = inputs[0]
        outputs = layer(inputs, **kwargs)
        new_index = nest.flatten(outputs)[0]._keras_history.node_index
        node_index_map[(layer.name, node_count[id(layer)])] = new_index
        node_count[id(layer)] += 1
        return True

    for entry in config["layers"]:
        layer = created.get(entry["name"]) or deserialize_layer(entry, custom_objects)
        created[entry["name"]] = layer
        node_count[id(layer)] = int(_should_skip_first_node(layer))
        if entry["inbound_nodes"]:
            unprocessed[entry["name"]] = list(entry["inbound_nodes"])
    while unprocessed:
        progress = False
        for entry in config["layers"]:
            name = entry["name"]
            if name not in unprocessed:
                continue
            pending = unprocessed.pop(name)
            while pending:
                if process_node(created[name], pending[0]):
                    pending.pop(0)
                    progress = True
                else:
                    unprocessed[name] = pending
                    break
        if not progress:
            raise ValueError("Improperly formatted model config: some nodes cannot be computed.")

    def io(data):
        return _map_refs(lambda ref: nest.flatten(created[ref[0]]._inbound_nodes[node_index(
            created[ref[0]], ref[1])].outputs)[ref[2]], data)

    inputs = io(config["input_layers"])
    outputs = io(config["output_layers"])
    return cls(inputs=inputs, outputs=outputs, name=config.get("name"))


def _tensor(outputs, index: int) -> KerasTensor:
    flat = nest.flatten(outputs)
    return flat[index]
