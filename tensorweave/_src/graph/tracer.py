"""The tracing interpreter: while a tf.function traces, `dispatch.bind` hands every op to `Tracer.bind`,
which adds a node to the graph instead of running a kernel.

Output dtypes and shapes come from each primitive's abstract rule. When every input's value is known
at trace time (constants and shape arithmetic on static shapes), the kernel runs on those values so the
outputs carry them too (`const`): `tf.reshape(x, tf.shape(y))` then keeps a static shape.
"""

from __future__ import annotations

import numpy as np

from tensorweave._src.core import backend, errors
from tensorweave._src.core import dtypes as _dt
from tensorweave._src.core.context import state
from tensorweave._src.core.primitive import AbstractValue
from tensorweave._src.core.tensor import EagerTensor
from tensorweave._src.graph import special_ops
from tensorweave._src.graph.ir import Graph
from tensorweave._src.graph.symbolic import SymbolicTensor

_CONST_FOLD_LIMIT = 1024  # elements: bigger constant results stay unknown at trace time
_SHAPE_ONLY_OPS = frozenset({"Shape", "ShapeN", "Size", "Rank", "ZerosLike", "OnesLike"})


class _ShapeOnly:
    """Stands in for an input whose values are unknown but whose (static) shape is all that matters."""

    def __init__(self, x):
        self.dtype = x.dtype
        self.shape = x.shape
        np_type = object if x.dtype.name == "string" else x.dtype.as_numpy_dtype
        self.const = np.zeros(x.shape.as_list(), dtype=np_type) if np_type is not object else np.full(
            x.shape.as_list(), b"", dtype=object)


class Tracer:
    """Builds `graph` from the ops run while it is the active tracer."""

    def __init__(self, graph: Graph, outer=None):
        self.graph = graph
        self.outer = outer  # the tracer this one is nested in (a branch/body graph), if any
        self._captured: dict[int, SymbolicTensor] = {}
        self._keep_alive: list = []
        self.captures: list = []  # (outer tensor, placeholder) for tensors of an enclosing graph

    def variable_created(self, variable) -> None:
        """Called by tf.Variable while this tracer is active (tf.function restricts when it may)."""

    def lift(self, tensor):
        """The eager value of a traced tensor that depends on constants only (e.g. a `tf.zeros` used as a
        variable's initial value inside a tf.function); other tensors are returned unchanged."""
        if not isinstance(tensor, SymbolicTensor) or tensor.node.graph is not self.graph:
            return tensor
        needed, stack = {}, [tensor.node]
        while stack:
            node = stack.pop()
            if id(node) in needed:
                continue
            if node.stateful or node.op is special_ops.placeholder_p:
                return tensor
            needed[id(node)] = node
            stack.extend(x.node for x in node.inputs)
        values = {}
        for node in self.graph.nodes:  # program order is a valid evaluation order
            if id(node) not in needed:
                continue
            out = node.op.kernel(*[values[id(x)] for x in node.inputs], **node.attrs)
            for o, v in zip(node.outputs, out if node.op.multiple_results else (out,)):
                values[id(o)] = v
        from tensorweave._src.core.dispatch import wrap  # the dispatch point wraps kernel results

        return wrap(values[id(tensor)])

    # ---- the interpreter interface (see core/dispatch.py) ----------------------------------------
    def bind(self, prim, inputs, attrs):
        ins = [self.as_graph_tensor(x) for x in inputs]
        try:
            avals = prim.abstract(*ins, **attrs)
        except errors.InvalidArgumentError as e:
            raise ValueError(str(e)) from None  # shape errors surface at trace time, as TF's ValueError
        multiple = prim.multiple_results
        avals = tuple(avals) if multiple else (avals,)
        avals = self._fold_constants(prim, ins, attrs, avals)
        node = self.graph.add_node(prim, ins, attrs, avals, name=state.name_scope + prim.name)
        return tuple(node.outputs) if multiple else node.outputs[0]

    def read_variable(self, variable) -> SymbolicTensor:
        self.graph.note_variable(variable)
        node = self.graph.add_node(special_ops.read_variable_p, [], {"variable": variable},
                                   [AbstractValue(variable.dtype, variable.shape)], name="ReadVariableOp")
        tensor = node.outputs[0]
        for tape in state.tapes:
            tape.variable_read(variable, tensor)
        return tensor

    def assign_variable(self, variable, value) -> None:
        variable = getattr(variable, "_parent", variable)
        self.graph.note_variable(variable)
        self.graph.add_node(special_ops.assign_variable_p, [self.as_graph_tensor(value)],
                            {"variable": variable}, [], name="AssignVariableOp")

    # ---- inputs ---------------------------------------------------------------------------------
    def placeholder(self, dtype, shape, name: str = "Placeholder") -> SymbolicTensor:
        node = self.graph.add_node(special_ops.placeholder_p, [], {"dtype": dtype, "shape": shape},
                                   [AbstractValue(dtype, shape)], name=name)
        self.graph.inputs.append(node.outputs[0])
        return node.outputs[0]

    def as_graph_tensor(self, x) -> SymbolicTensor:
        """`x` as a tensor of this graph: eager tensors become Const nodes (one per tensor)."""
        if isinstance(x, SymbolicTensor):
            if x.node.graph is self.graph:
                return x
            return self._capture_outer(x)
        if isinstance(x, EagerTensor):
            key = id(x)
            captured = self._captured.get(key)
            if captured is None:
                captured = self.constant(x)
                self._captured[key] = captured
                self._keep_alive.append(x)
            return captured
        raise TypeError(f"Cannot use {x!r} as a graph tensor")

    def constant(self, x: EagerTensor) -> SymbolicTensor:
        value = x.numpy() if x.shape.num_elements() <= _CONST_FOLD_LIMIT else None
        node = self.graph.add_node(special_ops.const_p, [], {"value": x._value, "dtype": x.dtype},
                                   [AbstractValue(x.dtype, x.shape, value)], name="Const")
        return node.outputs[0]

    def _capture_outer(self, x: SymbolicTensor) -> SymbolicTensor:
        """A tensor of an enclosing graph used inside a nested one becomes an extra input."""
        key = id(x)
        captured = self._captured.get(key)
        if captured is None:
            if self.outer is None:
                raise ValueError(f"Tensor {x.name} belongs to another graph and cannot be used here "
                                 f"(it was created in a tf.function that has finished tracing).")
            captured = self.placeholder(x.dtype, x.shape, name="capture")
            captured.const = x.const
            self._captured[key] = captured
            self._keep_alive.append(x)
            self.captures.append((x, captured))
        return captured

    # ---- constant propagation -------------------------------------------------------------------
    def _fold_constants(self, prim, ins, attrs, avals):
        if prim.name in _SHAPE_ONLY_OPS and ins and all(x.shape.is_fully_defined() for x in ins):
            ins = [_ShapeOnly(x) for x in ins]  # their result depends on the input's shape, not its values
        if prim.stateful or not ins or any(x.const is None for x in ins) or prim.kernel is None \
                or not getattr(prim, "const_fold", True):  # e.g. loops: running them at trace time may not end
            return avals
        if any(a.dtype is _dt.variant for a in avals):  # variant values (TensorLists) have no numpy form
            return avals
        if any(a.shape.num_elements() is None or a.shape.num_elements() > _CONST_FOLD_LIMIT for a in avals):
            return avals
        try:
            values = [backend.from_numpy(np.asarray(x.const), x.dtype) for x in ins]
            out = prim.kernel(*values, **attrs)
        except Exception:  # folding is an optimisation; the node is still emitted
            return avals
        outs = out if prim.multiple_results else (out,)
        return tuple(AbstractValue(a.dtype, a.shape, backend.to_numpy(o)) for a, o in zip(avals, outs))
