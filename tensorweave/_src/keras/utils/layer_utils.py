"""`model.summary()` in Keras 2's table format."""

from __future__ import annotations

import numpy as np

from tensorweave._src.util import nest


def count_params(weights) -> int:
    return int(sum(np.prod(w.shape.as_list(), dtype=np.int64) for w in weights))


def readable_memory_size(num_bytes: float) -> str:
    units = ["Byte", "KB", "MB", "GB", "TB", "PB"]
    scale = 1024
    for unit in units:
        if num_bytes / scale < 1:
            return f"{num_bytes:.2f} {unit}"
        num_bytes /= scale
    return f"{num_bytes:.2f} {units[-1]}"


def weight_memory_size(weights) -> int:
    total = 0
    for w in weights:
        total += int(np.prod(w.shape.as_list(), dtype=np.int64)) * w.dtype.size
    return total


def _print_row(fields, positions, print_fn) -> None:
    left = [str(x) for x in fields]
    while any(left):
        line = ""
        for col in range(len(left)):
            start = positions[col - 1] if col > 0 else 0
            end = positions[col]
            space = 2 if col != len(positions) - 1 else 0
            cutoff = end - start - space
            if col != len(positions) - 1:
                cutoff -= 1
            fit = left[col][:cutoff]
            breaks = [fit.find(x) + len(x) for x in ("),", "},", "],", "',") if fit.find(x) >= 0]
            if breaks:
                cutoff = min(breaks)
                fit = fit[:cutoff]
            if col == 0:
                line += " "
            line += fit
            line += " " * space
            left[col] = left[col][cutoff:]
            line += " " * (positions[col] - len(line))
        print_fn(line)


def _node_outputs(layer) -> list:
    """The outputs of each node of `layer`. In Keras 2 a model with a graph (functional, or a Sequential
    that knows its input shape) has a first node of its own, inputs to outputs; here it is implicit."""
    outputs = [n.outputs for n in layer._inbound_nodes]
    own = getattr(layer, "_nested_outputs", None)
    if own is None and type(layer).__name__ == "Sequential" and getattr(layer, "_input_layer", None) \
            is not None and getattr(layer, "outputs", None):
        own = layer.outputs[0]
    return ([own] if own is not None else []) + outputs


def _shape_text(layer) -> str:
    nodes = _node_outputs(layer)
    if not nodes:
        return "multiple"
    if len(nodes) > 1:  # Keras 2: one shape when every call gave the same shapes
        shapes = {str([tuple(t.shape.as_list()) for t in nest.flatten(n)]) for n in nodes}
        if len(shapes) > 1:
            return "multiple"
    outputs = nodes[0]
    if type(layer).__name__ == "InputLayer":
        return str([tuple(outputs.shape.as_list())])
    flat = nest.flatten(outputs)
    shapes = [tuple(t.shape.as_list()) for t in flat]
    return str(shapes[0]) if len(shapes) == 1 and not nest.is_nested(outputs) else str(shapes)


def _sequential_like(model) -> bool:
    """Keras 2's test: one node per depth, each with one input tensor, and no layer called twice."""
    by_depth = getattr(model, "_nodes_by_depth", None)
    if type(model).__name__ == "Sequential" or not getattr(model, "_is_graph_network", False) \
            or by_depth is None:
        return True
    nodes = []
    for v in by_depth.values():
        if len(v) > 1 or (len(v) == 1 and len(v[0].keras_inputs) > 1):
            return False
        nodes += v
    ids = {id(n) for n in nodes}
    for layer in model.layers:
        if sum(1 for node in layer._inbound_nodes if id(node) in ids) > 1:
            return False
    return True


def print_summary(model, line_length=None, positions=None, print_fn=None, expand_nested=False,
                  show_trainable=False) -> None:
    print_fn = print_fn or print
    sequential_like = _sequential_like(model)
    if sequential_like:
        line_length = line_length or 65
        positions = positions or [0.45, 0.85, 1.0]
        headers = ["Layer (type)", "Output Shape", "Param #"]
    else:
        line_length = line_length or 98
        positions = positions or [0.3, 0.6, 0.70, 1.0]
        headers = ["Layer (type)", "Output Shape", "Param #", "Connected to"]
    if positions[-1] <= 1:
        positions = [int(line_length * p) for p in positions]
    print_fn(f'Model: "{model.name}"')
    print_fn("_" * line_length)
    _print_row(headers, positions, print_fn)
    print_fn("=" * line_length)
    layers = model.layers
    for layer in layers:
        name = f"{layer.name} ({type(layer).__name__})"
        params = layer.count_params() if layer.built else 0
        fields = [name, _shape_text(layer), params]
        if not sequential_like:
            fields.append(_connections(model, layer))
        _print_row(fields, positions, print_fn)
        print_fn(" " * positions[-1])
    print_fn("=" * line_length)
    trainable = model.trainable_weights
    non_trainable = model.non_trainable_weights
    n_train, n_non = count_params(trainable), count_params(non_trainable)
    size_train, size_non = weight_memory_size(trainable), weight_memory_size(non_trainable)
    print_fn(f"Total params: {n_train + n_non} ({readable_memory_size(size_train + size_non)})")
    print_fn(f"Trainable params: {n_train} ({readable_memory_size(size_train)})")
    print_fn(f"Non-trainable params: {n_non} ({readable_memory_size(size_non)})")
    print_fn("_" * line_length)


def _connections(model, layer) -> str:
    out = []
    relevant = {id(n) for v in model._nodes_by_depth.values() for n in v}
    for node in layer._inbound_nodes:
        if relevant and id(node) not in relevant:
            continue
        for kt in node.keras_inputs:
            src, node_index, tensor_index = kt._keras_history
            out.append(f"{src.name}[{node_index}][{tensor_index}]")
    return str(out) if out else "[]"
