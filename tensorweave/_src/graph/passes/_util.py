"""Helpers shared by the passes: copying a graph, who uses what, replacing tensors, purity, constants.

A node is *pure* when the passes may remove, merge, fold or fuse it: its primitive is not stateful and
no attr holds something the passes cannot see through (a subgraph, as control-flow nodes carry, or a
Python callable). Everything else (variable reads and writes, random ops, prints, cond/while nodes)
keeps its place and its inputs stay alive.
"""

from __future__ import annotations

import numpy as np

from tensorweave._src.core import backend
from tensorweave._src.core import dtypes as _dt
from tensorweave._src.core.shape import TensorShape
from tensorweave._src.graph import special_ops
from tensorweave._src.graph.ir import Graph, Node
from tensorweave._src.graph.symbolic import SymbolicTensor

CONST_VALUE_LIMIT = 1024  # elements: constants up to this size are inspected (and compared) by value


# ---- attrs ------------------------------------------------------------------------------------------
def _walk(value, depth=0):
    """Yields the leaves of attr `value` (through lists, tuples and dicts)."""
    if depth < 4 and isinstance(value, (list, tuple)):
        for v in value:
            yield from _walk(v, depth + 1)
    elif depth < 4 and isinstance(value, dict):
        for v in value.values():
            yield from _walk(v, depth + 1)
    else:
        yield value


def _opaque(value) -> bool:
    if isinstance(value, (Graph, type, _dt.DType, TensorShape)):
        return isinstance(value, Graph)
    return hasattr(value, "nodes") or callable(value)


def attr_tensors(node: Node) -> list:
    """Graph tensors referenced from the node's attrs (not as inputs): they must stay alive as they are."""
    return [v for a in node.attrs.values() for v in _walk(a) if isinstance(v, SymbolicTensor)]


def is_pure(node: Node) -> bool:
    if node.stateful or node.op is special_ops.placeholder_p:
        return False
    return not any(_opaque(v) for a in node.attrs.values() for v in _walk(a))


def is_const(node: Node) -> bool:
    return node.op is special_ops.const_p


# ---- graph structure --------------------------------------------------------------------------------
def copy_graph(graph: Graph) -> Graph:
    """A copy with new nodes and tensors (attrs copied shallowly; subgraphs in attrs are shared)."""
    new = Graph.__new__(Graph)
    new.__dict__.update(graph.__dict__)  # keeps any bookkeeping other layers add to graphs
    new.nodes = []
    new._names = dict(graph._names)
    new.variables = list(graph.variables)
    new._variable_ids = set(graph._variable_ids)
    tmap: dict[int, SymbolicTensor] = {}

    def mapped(x):
        return tmap.get(id(x), x) if isinstance(x, SymbolicTensor) else x

    def map_attr(v, depth=0):
        if isinstance(v, SymbolicTensor):
            return mapped(v)
        if depth < 4 and type(v) in (list, tuple):
            return type(v)(map_attr(e, depth + 1) for e in v)
        if depth < 4 and type(v) is dict:
            return {k: map_attr(e, depth + 1) for k, e in v.items()}
        return v

    for node in graph.nodes:
        copy = Node(new, node.op, [mapped(x) for x in node.inputs],
                    {k: map_attr(v) for k, v in node.attrs.items()}, node.name)
        copy.outputs = [SymbolicTensor(copy, o.index, o.dtype, o.shape, o.const) for o in node.outputs]
        for o, c in zip(node.outputs, copy.outputs):
            tmap[id(o)] = c
        new.nodes.append(copy)
    new.inputs = [mapped(t) for t in graph.inputs]
    new.outputs = [mapped(t) for t in graph.outputs]
    return new


def consumers(graph: Graph) -> dict:
    """id(tensor) -> list of nodes using it as an input (a node appears once per use)."""
    users: dict[int, list] = {}
    for node in graph.nodes:
        for x in node.inputs:
            users.setdefault(id(x), []).append(node)
    return users


def pinned(graph: Graph) -> set:
    """ids of tensors that must keep their producer: graph outputs and tensors referenced from attrs."""
    ids = {id(t) for t in graph.outputs}
    for node in graph.nodes:
        ids.update(id(t) for t in attr_tensors(node))
    return ids


def replace_uses(graph: Graph, mapping: dict) -> None:
    """Rewrites node inputs and graph outputs: tensor `t` becomes `mapping[id(t)]` (followed transitively)."""
    if not mapping:
        return

    def resolve(t):
        seen = 0
        while id(t) in mapping and seen < 1000:
            t = mapping[id(t)]
            seen += 1
        return t

    for node in graph.nodes:
        if any(id(x) in mapping for x in node.inputs):
            node.inputs = [resolve(x) for x in node.inputs]
    graph.outputs = [resolve(t) for t in graph.outputs]


def new_node(graph: Graph, op, inputs, attrs, out_avals, name: str) -> Node:
    """A node that is not yet placed in `graph.nodes` (the caller puts it where it belongs)."""
    node = Node(graph, op, inputs, attrs, name)
    node.outputs = [SymbolicTensor(node, i, dtype, shape, const)
                    for i, (dtype, shape, const) in enumerate(out_avals)]
    return node


def make_const(graph: Graph, value, dtype, name: str) -> Node:
    """A Const node holding backend value `value`."""
    shape = TensorShape(list(value.shape))
    n = shape.num_elements()
    const = backend.to_numpy(value) if n is not None and n <= CONST_VALUE_LIMIT else None
    return new_node(graph, special_ops.const_p, [], {"value": value, "dtype": dtype}, [(dtype, shape, const)],
                    name)


# ---- values and shapes ------------------------------------------------------------------------------
def const_value(t: SymbolicTensor):
    """The numpy value of `t` when it is known at trace time and small, else None."""
    if t.const is not None:
        return np.asarray(t.const)
    if is_const(t.node):
        n = t.shape.num_elements()
        if n is not None and n <= CONST_VALUE_LIMIT:
            return backend.to_numpy(t.node.attrs["value"])
    return None


def all_equal(t: SymbolicTensor, number) -> bool:
    """True when `t` is a known numeric constant whose every element equals `number`."""
    if t.dtype in (_dt.string, _dt.bool) or t.dtype.name in ("resource", "variant"):
        return False
    v = const_value(t)
    return v is not None and v.size > 0 and bool(np.all(v == number))


def broadcasts_into(small: TensorShape, big: TensorShape) -> bool:
    """True when broadcasting a `small`-shaped operand against a `big`-shaped one surely gives `big`'s
    shape (each dim of `small` is 1 or known equal to `big`'s)."""
    if small.rank is None or big.rank is None or small.rank > big.rank:
        return False
    for s, b in zip(reversed(small.dims), reversed(big.dims)):
        if s == 1:
            continue
        if s is None or b is None or s != b:
            return False
    return True


def nbytes(shape: TensorShape, dtype) -> int | None:
    n = shape.num_elements()
    if n is None:
        return None
    size = dtype.size if dtype.size else 8
    return n * size
