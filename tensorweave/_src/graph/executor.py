"""Runs graphs. `compile_graph` turns a graph into straight-line Python source, one statement per node,
calling each primitive's kernel on backend values; `interpret` is the reference interpreter the tests
check it against; `replay` runs the nodes through `dispatch.bind` (so tapes record them).
"""

from __future__ import annotations

import functools
import itertools

from tensorweave._src.core.dispatch import bind, wrap
from tensorweave._src.graph import special_ops

_counter = itertools.count()

# Nodes carrying sub-graphs (control flow: control_flow/) tell the interpreters how to run them:
# INTERPRET_RULES[prim](node, input_values, interpret_values) -> output values (backend), where
# `interpret_values(graph, values)` interprets a sub-graph; REPLAY_RULES[prim](node, inputs, replay_fn)
# -> output tensors, where `replay_fn(graph, tensors)` replays a sub-graph through bind.
# (The generated code calls such a node's `emit`, as for fused ops.)
INTERPRET_RULES: dict = {}
REPLAY_RULES: dict = {}


class CompiledGraph:
    """The Python function generated for a graph: `fn(*input_values) -> tuple(output_values)`."""

    def __init__(self, graph, source: str, fn, out_dtypes):
        self.graph = graph
        self.source = source
        self.fn = fn
        self.out_dtypes = out_dtypes


def compile_graph(graph) -> CompiledGraph:
    """Generates and compiles `def graph_fn(inputs...)`: a kernel call per node, no interpretation."""
    names: dict[int, str] = {}
    env: dict = {}
    defs: list[str] = []  # helper functions emitted by fused ops, placed before graph_fn
    args = []
    for i, t in enumerate(graph.inputs):
        names[id(t)] = f"in{i}"
        args.append(f"in{i}")
    lines = [f"def graph_fn({', '.join(args)}):"]
    for n, node in enumerate(graph.nodes):
        if node.op is special_ops.placeholder_p:
            continue
        for j, out in enumerate(node.outputs):
            names[id(out)] = f"t{n}_{j}"
        call = _call_expr(node, n, names, env, defs)
        comment = f"  # {node.name}"
        if node.op.multiple_results:
            targets = ", ".join(names[id(o)] for o in node.outputs)
            lines.append(f"    {targets}{',' if len(node.outputs) == 1 else ''} = {call}{comment}"
                         if node.outputs else f"    {call}{comment}")
        else:
            lines.append(f"    {names[id(node.outputs[0])]} = {call}{comment}")
    outs = ", ".join(names[id(t)] for t in graph.outputs)
    lines.append(f"    return ({outs}{',' if len(graph.outputs) == 1 else ''})")
    source = "".join(d + "\n" for d in defs) + "\n".join(lines) + "\n"
    filename = f"<tensorweave graph {graph.name} #{next(_counter)}>"
    exec(compile(source, filename, "exec"), env)
    return CompiledGraph(graph, source, env["graph_fn"], [t.dtype for t in graph.outputs])


def _call_expr(node, n: int, names: dict, env: dict, defs: list) -> str:
    """`k7(t3_0, t5_0)`, binding the node's kernel and attrs once into the generated module's globals.
    Ops with an `emit` method (fused ops, ops/fused/) write their own expression and helper defs."""
    emit = getattr(node.op, "emit", None)
    if emit is not None:
        return emit(node, n, [names[id(x)] for x in node.inputs], env, defs)
    ins = ", ".join(names[id(x)] for x in node.inputs)
    if node.op is special_ops.const_p:
        env[f"c{n}"] = node.attrs["value"]
        return f"c{n}"
    kernel = node.op.kernel
    if node.attrs:
        kernel = functools.partial(kernel, **node.attrs)
    env[f"k{n}"] = kernel
    return f"k{n}({ins})"


def run_compiled(compiled: CompiledGraph, inputs) -> list:
    """Calls the generated function on tensors and wraps its results as EagerTensors."""
    values = compiled.fn(*[x._value for x in inputs])
    return [wrap(v) for v in values]


def interpret(graph, inputs) -> list:
    """The reference interpreter: walks the nodes, calling kernels; the generated code must agree."""
    env = {id(p): x._value for p, x in zip(graph.inputs, inputs)}
    for node in graph.nodes:
        if node.op is special_ops.placeholder_p:
            continue
        rule = INTERPRET_RULES.get(node.op)
        if rule is not None:
            out = rule(node, [env[id(x)] for x in node.inputs], _interpret_values)
        else:
            out = node.op.kernel(*[env[id(x)] for x in node.inputs], **node.attrs)
        outs = out if node.op.multiple_results else (out,)
        for o, v in zip(node.outputs, outs):
            env[id(o)] = v
    return [wrap(env[id(t)]) for t in graph.outputs]


def _interpret_values(graph, values) -> list:
    return [t._value for t in interpret(graph, [wrap(v) for v in values])]


def replay(graph, inputs) -> list:
    """Runs the nodes as ordinary ops through `bind`, so active tapes record them (and a tracer, when
    a tf.function is called while another traces, inlines them)."""
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
            node.attrs["variable"].assign(env[id(node.inputs[0])], read_value=False)
            outs = ()
        elif op in REPLAY_RULES:
            out = REPLAY_RULES[op](node, [env[id(x)] for x in node.inputs], replay)
            outs = out if op.multiple_results else (out,)
        else:
            out = bind(op, *[env[id(x)] for x in node.inputs], **node.attrs)
            outs = out if op.multiple_results else (out,)
        for o, v in zip(node.outputs, outs):
            env[id(o)] = v
    return [env[id(t)] for t in graph.outputs]
