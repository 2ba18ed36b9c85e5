"""Sub-graphs for control flow: tracing a branch / loop body into its own Graph nested in the current one.

`trace_subfunction(name, fn, specs)` runs `fn` under a `SubTracer` whose `outer` is the active tracer:
outer-graph tensors used inside become captures (extra placeholders, `tracer.captures`), eager tensors
become Const nodes. While a sub-graph traces, gradient tapes are paused: the control-flow node built
from it is what they record (its primitive has a gradient rule).

Variables: a variable read inside a sub-graph, before the sub-graph writes it, is *hoisted*: the read
happens in the enclosing graph (where tapes see it, so gradients reach the variable) and its value is
captured. Variables the sub-graph (or a loop's other sub-graph) writes are read locally instead
(`local_vars`; while_loop retraces with them when a body turns out to write a variable it read).

The result is a `SubFunction`: the graph, its output structure, and (compiled lazily) the generated
Python function run by the control-flow kernels and the generated code.
"""

from __future__ import annotations

from tensorweave._src.core import dtypes as _dt
from tensorweave._src.core.context import state
from tensorweave._src.core.convert import convert_to_tensor
from tensorweave._src.core.tensor import Tensor
from tensorweave._src.core.variable import Variable
from tensorweave._src.graph import executor, special_ops
from tensorweave._src.graph.ir import Graph
from tensorweave._src.graph.tracer import Tracer
from tensorweave._src.util import nest


class SubTracer(Tracer):
    """The tracer of a branch or loop body graph (nested in `outer`)."""

    def __init__(self, graph: Graph, outer, tapes=(), local_vars=()):
        super().__init__(graph, outer=outer)
        self._outer_tapes = tapes  # the tapes active where the control-flow op is built
        self._local = {id(v) for v in local_vars}
        self.assigned: dict = {}  # id -> variable written in this graph (or a nested one)
        self.hoisted: dict = {}  # id -> variable whose read was hoisted to the enclosing graph
        self._hoisted_tensors: dict = {}

    def read_variable(self, variable):
        variable = getattr(variable, "_parent", variable)  # what assign returns reads the variable itself
        key = id(variable)
        if key in self._local or key in self.assigned:
            return super().read_variable(variable)
        t = self._hoisted_tensors.get(key)
        if t is None:
            saved = (state.tracer, state.tapes)
            state.tracer, state.tapes = self.outer, self._outer_tapes
            try:
                outer_value = self.outer.read_variable(variable)
            finally:
                state.tracer, state.tapes = saved
            t = self.as_graph_tensor(outer_value)
            self._hoisted_tensors[key] = t
            self.hoisted[key] = variable
        return t

    def assign_variable(self, variable, value) -> None:
        variable = getattr(variable, "_parent", variable)
        self.note_assigned(variable)
        super().assign_variable(variable, value)

    def note_assigned(self, variable) -> None:
        self.assigned[id(variable)] = variable
        self._hoisted_tensors.pop(id(variable), None)  # later reads see the new value

    def variable_created(self, variable) -> None:
        created = getattr(self.outer, "variable_created", None)
        if created is not None:
            created(variable)


class SubFunction:
    """A traced branch / cond / body: `graph` (inputs = placeholders), `structure` of its outputs
    (SymbolicTensors and None as leaves), and `fn`, the generated Python function on backend values."""

    def __init__(self, name: str, graph: Graph, structure):
        self.name = name
        self.graph = graph
        self.structure = structure
        self._compiled = None

    @property
    def nodes(self):  # graph passes treat attrs with nodes as opaque sub-graphs
        return self.graph.nodes

    @property
    def compiled(self):
        if self._compiled is None:
            self._compiled = executor.compile_graph(_optimized(self.graph))
        return self._compiled

    @property
    def fn(self):
        return self.compiled.fn

    @property
    def stateful(self) -> bool:
        return any(node.stateful for node in self.graph.nodes)

    def __repr__(self) -> str:
        return f"<{self.name}: {len(self.graph.nodes)} nodes>"


def _optimized(graph: Graph) -> Graph:
    try:
        from tensorweave._src.graph import passes
    except ImportError:  # pragma: no cover - the optimizer is optional
        return graph
    return passes.optimize(graph)


def trace_subfunction(name: str, fn, arg_specs=(), args_structure=None, local_vars=(), wrap_args=None):
    """Traces `fn(*args)` into a new graph nested in the active tracer.

    `arg_specs`: (dtype, shape) of each placeholder; the placeholders are packed like
    `args_structure` (a list of the call's arguments) when given, then passed through `wrap_args`
    (e.g. flows back into TensorArrays). Returns (SubFunction, tracer)."""
    graph = Graph(name)
    tracer = SubTracer(graph, outer=state.tracer, tapes=state.tapes, local_vars=local_vars)
    saved = (state.tracer, state.tapes)
    state.tracer, state.tapes = tracer, ()
    try:
        placeholders = [tracer.placeholder(dtype, shape, name=f"arg{i}") for i, (dtype, shape)
                        in enumerate(arg_specs)]
        args = placeholders if args_structure is None else nest.pack_sequence_as(args_structure, placeholders)
        if wrap_args is not None:
            args = wrap_args(args)
        result = fn(*args)
        structure = _outputs(tracer, result)
    finally:
        state.tracer, state.tapes = saved
    return SubFunction(name, graph, structure), tracer


def _outputs(tracer: SubTracer, result):
    """Records the graph outputs; Python values become constants, variables are read, None stays."""
    leaves = []
    for leaf in nest.flatten(result):
        if leaf is None:
            leaves.append(None)
            continue
        if isinstance(leaf, Variable):
            leaf = leaf.value()
        elif not isinstance(leaf, Tensor):
            leaf = convert_to_tensor(leaf)
        leaf = tracer.as_graph_tensor(leaf)
        tracer.graph.outputs.append(leaf)
        leaves.append(leaf)
    return nest.pack_sequence_as(result, leaves) if nest.is_nested(result) else leaves[0]


def align_captures(tracers, leading: int = 0) -> list:
    """Makes the graphs of `tracers` take the same inputs: their first `leading` inputs, then one
    placeholder per tensor captured by any of them (in first-capture order). Returns those outer
    tensors: the extra inputs of the control-flow node."""
    outer: list = []
    seen: dict = {}
    for tr in tracers:
        for x, _ in tr.captures:
            if id(x) not in seen:
                seen[id(x)] = len(outer)
                outer.append(x)
    for tr in tracers:
        graph = tr.graph
        lead = graph.inputs[:leading]
        mine = {id(x): p for x, p in tr.captures}
        extra = []
        for x in outer:
            p = mine.get(id(x))
            if p is None:
                p = tr.placeholder(x.dtype, x.shape, name="capture")
                p.const = x.const
            extra.append(p)
        graph.inputs[:] = lead + extra
    return outer


def propagate_effects(tracers) -> None:
    """Variables used inside sub-graphs belong to the enclosing graph too; writes propagate up."""
    current = state.tracer
    if current is None:
        return
    for tr in tracers:
        for v in tr.graph.variables:
            current.graph.note_variable(v)
        note = getattr(current, "note_assigned", None)
        if note is not None:
            for v in tr.assigned.values():
                note(v)


def name_last_node(prim, name: str, suffix: str = "") -> None:
    """Names the control-flow node just added as TF does: `name` ('cond', 'while', the user's name)
    under the current name scope, made unique ('while_1'), then `suffix` ('/indexed_case')."""
    tracer = state.tracer
    nodes = tracer.graph.nodes if tracer is not None else ()
    if nodes and nodes[-1].op is prim:
        nodes[-1].name = tracer.graph.unique_name(state.name_scope + name) + suffix


def flow_fns():
    """(to_flows, from_flows): TensorArrays travel through control flow as their flow tensors
    (ops/tensor_array/tensor_array.py)."""
    try:
        from tensorweave._src.ops.tensor_array import tensor_array as ta_lib
    except ImportError:  # pragma: no cover
        return (lambda s: s), (lambda template, s: s)
    return ta_lib.to_flows, ta_lib.from_flows


def truthy(value) -> bool:
    """TF's truth value of a predicate tensor (backend value): scalars by value, others non-empty."""
    if value.ndim == 0:
        return bool(value)
    if value.numel() == 1:
        return bool(value.reshape(()))
    return value.numel() > 0


def carries_gradient(dtype) -> bool:
    """Float/complex tensors, and variant TensorLists (a TensorArray's flow: its gradient is a list)."""
    return dtype.is_floating or dtype.is_complex or dtype is _dt.variant


def recompute(graph: Graph, inputs: list) -> list:
    """Runs the graph's nodes through `bind` (as executor.replay, so tapes record them) for a
    gradient: variable writes are skipped, the forward pass already made them."""
    from tensorweave._src.core.dispatch import bind, wrap

    env = {id(p): x for p, x in zip(graph.inputs, inputs)}
    for node in graph.nodes:
        op = node.op
        if op is special_ops.placeholder_p:
            continue
        if op is special_ops.const_p:
            outs = (wrap(node.attrs["value"]),)
        elif op is special_ops.read_variable_p:
            outs = (node.attrs["variable"].value(),)
        elif op is special_ops.assign_variable_p:
            outs = ()
        else:
            ins = [env[id(x)] for x in node.inputs]
            rule = executor.REPLAY_RULES.get(op)
            if rule is not None:
                out = rule(node, ins, recompute)
            else:
                out = bind(op, *ins, **node.attrs)
            outs = out if op.multiple_results else (out,)
        for o, v in zip(node.outputs, outs):
            env[id(o)] = v
    return [env[id(t)] for t in graph.outputs]


def specs_of(tensors) -> list:
    return [(t.dtype, t.shape) for t in tensors]


def zeros_for(x):
    from tensorweave._src.api_export import EXPORTS

    return EXPORTS["zeros_like"](x)


__all__ = ["SubTracer", "SubFunction", "trace_subfunction", "align_captures", "propagate_effects",
           "name_last_node", "flow_fns", "truthy", "recompute", "carries_gradient", "_dt"]
