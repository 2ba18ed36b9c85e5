"""The graph IR: a list of nodes (op, inputs, attrs, outputs) in program order.

A `Node` is an application of a Primitive to symbolic inputs; its outputs are SymbolicTensors.
Graph inputs are Placeholder nodes; eager tensors used while tracing become Const nodes; variables
are read and written by ReadVariableOp / AssignVariableOp nodes that hold the variable in an attr.
Program order is a valid execution order (stateful nodes keep their relative order).
"""

from __future__ import annotations

from tensorweave._src.graph.symbolic import SymbolicTensor


class Node:
    """One op in a graph. `type` is the TF op type (the primitive's name)."""

    __slots__ = ("graph", "op", "inputs", "attrs", "outputs", "name", "__weakref__")

    def __init__(self, graph: "Graph", op, inputs: list, attrs: dict, name: str):
        self.graph = graph
        self.op = op
        self.inputs = list(inputs)
        self.attrs = dict(attrs)
        self.outputs: list[SymbolicTensor] = []
        self.name = name

    @property
    def type(self) -> str:
        return self.op.name

    def get_attr(self, name: str):
        return self.attrs[name]

    @property
    def stateful(self) -> bool:
        return bool(getattr(self.op, "stateful", False))

    def __repr__(self) -> str:
        return f"<tf.Operation '{self.name}' type={self.type}>"


class Graph:
    """A traced function body: nodes in program order, placeholders in, tensors out."""

    def __init__(self, name: str = "graph"):
        self.name = name
        self.nodes: list[Node] = []
        self.inputs: list[SymbolicTensor] = []  # placeholder outputs, in call order
        self.outputs: list[SymbolicTensor] = []
        self.variables: list = []  # variables read or written, first-use order
        self._names: dict[str, int] = {}
        self._variable_ids: set[int] = set()

    # ---- building ------------------------------------------------------------------------------
    def unique_name(self, base: str) -> str:
        n = self._names.get(base)
        if n is None:
            self._names[base] = 1
            return base
        while f"{base}_{n}" in self._names:
            n += 1
        self._names[base] = n + 1
        name = f"{base}_{n}"
        self._names[name] = 1
        return name

    def add_node(self, op, inputs, attrs, out_avals, name: str | None = None) -> Node:
        node = Node(self, op, inputs, attrs, self.unique_name(name or op.name))
        node.outputs = [SymbolicTensor(node, i, a.dtype, a.shape, a.const) for i, a in enumerate(out_avals)]
        self.nodes.append(node)
        return node

    def note_variable(self, variable) -> None:
        if id(variable) not in self._variable_ids:
            self._variable_ids.add(id(variable))
            self.variables.append(variable)

    # ---- inspection ----------------------------------------------------------------------------
    def get_operations(self) -> list[Node]:
        return list(self.nodes)

    def get_operation_by_name(self, name: str) -> Node:
        for node in self.nodes:
            if node.name == name:
                return node
        raise KeyError(f"The name '{name}' refers to an Operation not in the graph.")

    def as_text(self) -> str:
        """A readable listing of the IR, one node a line: `name = Type(inputs) {attrs} -> dtype shape`."""
        lines = [f"graph {self.name}({', '.join(t.name for t in self.inputs)}):"]
        for node in self.nodes:
            ins = ", ".join(t.name for t in node.inputs)
            attrs = ", ".join(f"{k}={_attr_text(v)}" for k, v in node.attrs.items())
            outs = ", ".join(f"{o.dtype.name}{o.shape}" for o in node.outputs)
            lines.append(f"  {node.name} = {node.type}({ins})" + (f" {{{attrs}}}" if attrs else "")
                         + f" -> {outs}")
        lines.append(f"  return {', '.join(t.name for t in self.outputs)}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<Graph {self.name}: {len(self.nodes)} nodes>"


def _attr_text(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
