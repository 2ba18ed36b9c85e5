"""`tf.while_loop`.

Eagerly it is TF's Python loop (same structure checks, same quirks), so tapes record every iteration.
While tracing, `cond` and `body` are traced once each into their own graphs (control_flow/subgraph.py)
with placeholders of the loop variables' shape invariants, and ONE `While`/`StatelessWhile` node is
added. As in TF's while_v2 its loop variables are `[counter, maximum_iterations] + flat loop vars`
(the counter gives the iteration count, which the gradient uses) and the values captured by cond or
body are extra, loop-invariant inputs. The kernel and the generated code (`emit`: a Python `while`
calling the cond/body functions) run the loop on backend values; `executor.interpret` interprets the
sub-graphs; `executor.replay` outside any trace runs the loop by replaying cond/body nodes, so a tape
around a tf.function records the unrolled iterations.

Gradient of a While node (a tape inside a tf.function): a second loop re-runs the body forward
for the recorded number of iterations, storing each iteration's loop variables (one TensorArray per
variable); a backward loop then walks the iterations in reverse, re-running
each body iteration under a GradientTape from its stored inputs and backpropagating (variable
writes are skipped when re-running). Costs one extra forward pass. The per-iteration values are kept
in TensorArrays (so shapes may vary across iterations), and a loop variable that is itself a
TensorArray's flow (a TensorList) is stored as a list of lists; its gradient is again a TensorList
(ops/tensor_array/list_ops.py: None elements are zeros, ZerosLike and AddN work on lists).

>>> import tensorweave as tf
>>> i, s = tf.while_loop(lambda i, s: i < 4, lambda i, s: (i + 1, s * 2.0), [0, 1.0])
>>> print(i.numpy(), s.numpy())
4 16.0
"""

from __future__ import annotations

import itertools

from tensorweave._src.api_export import EXPORTS, tf_export
from tensorweave._src.control_flow import subgraph as sg
from tensorweave._src.control_flow.cond import ControlFlowPrimitive, branch_vjp
from tensorweave._src.core import dtypes as _dt
from tensorweave._src.core import errors
from tensorweave._src.core.context import state
from tensorweave._src.core.convert import constant, convert_to_tensor
from tensorweave._src.core.dispatch import bind
from tensorweave._src.core.primitive import AbstractValue
from tensorweave._src.core.shape import TensorShape
from tensorweave._src.core.tensor import Tensor
from tensorweave._src.core.variable import Variable
from tensorweave._src.graph import executor
from tensorweave._src.util import nest

_names = itertools.count()


def _op(name):
    return EXPORTS[name]


class _WhilePrimitive(ControlFlowPrimitive):
    const_fold = False  # a loop on constants is not run at trace time (it might be long)

    def emit(self, node, n: int, args: list, env: dict, defs: list) -> str:
        nv = len(node.attrs["output_shapes"])
        env[f"cond{n}"] = node.attrs["cond"].fn
        env[f"body{n}"] = node.attrs["body"].fn
        vs = [f"v{i}" for i in range(nv)]
        cs = [f"c{i}" for i in range(len(args) - nv)]
        call = ", ".join(vs + cs)
        defs.append("\n".join([
            f"def while{n}({call}):",
            f"    while cond{n}({call})[0]:",
            f"        {', '.join(vs)}{',' if nv == 1 else ''} = body{n}({call})",
            f"    return ({', '.join(vs)}{',' if nv == 1 else ''})"]))
        return f"while{n}({', '.join(args)})"


def _make_while_prim(name, stateful):
    prim = _WhilePrimitive(name, multiple_results=True, stateful=stateful)
    prim.def_kernel(_while_kernel)
    prim.def_abstract(_while_abstract)
    prim.def_grad(lambda op, *dys: _while_grad(op, *dys))
    executor.INTERPRET_RULES[prim] = _while_interpret
    executor.REPLAY_RULES[prim] = _while_replay
    return prim


def _while_kernel(*args, cond, body, output_shapes):
    nv = len(output_shapes)
    vals, caps = tuple(args[:nv]), tuple(args[nv:])
    cond_fn, body_fn = cond.fn, body.fn
    while sg.truthy(cond_fn(*vals, *caps)[0]):
        vals = tuple(body_fn(*vals, *caps))
    return vals


def _while_abstract(*args, cond, body, output_shapes):
    return tuple(AbstractValue(x.dtype, s) for x, s in zip(args, output_shapes))


def _while_interpret(node, values, interpret_values):
    nv = len(node.attrs["output_shapes"])
    vals, caps = list(values[:nv]), list(values[nv:])
    cond, body = node.attrs["cond"].graph, node.attrs["body"].graph
    while sg.truthy(interpret_values(cond, vals + caps)[0]):
        vals = interpret_values(body, vals + caps)
    return tuple(vals)


def _while_replay(node, inputs, replay_fn):
    """Outside a trace: the loop runs here, replaying cond and body (tapes record the iterations)."""
    if state.tracer is not None:
        return bind(node.op, *inputs, **node.attrs)
    nv = len(node.attrs["output_shapes"])
    vals, caps = list(inputs[:nv]), list(inputs[nv:])
    cond, body = node.attrs["cond"].graph, node.attrs["body"].graph
    while sg.truthy(replay_fn(cond, vals + caps)[0]._value):
        vals = list(replay_fn(body, vals + caps))
    return tuple(vals)


while_p = _make_while_prim("While", True)
stateless_while_p = _make_while_prim("StatelessWhile", False)


# ---- gradient ---------------------------------------------------------------------------------------
def _while_grad(op, *dys):
    shapes = op.attrs["output_shapes"]
    body = op.attrs["body"].graph
    nv = len(shapes)
    ins = list(op.inputs)
    vars0, caps = ins[:nv], ins[nv:]
    var_idx = [i for i in range(2, nv) if sg.carries_gradient(ins[i].dtype)]
    cap_idx = [j for j, c in enumerate(caps) if sg.carries_gradient(c.dtype) and _needed(op, nv + j)]
    result = [None] * len(ins)
    if not var_idx and not cap_idx:
        return result
    counter0, maxit = vars0[0], vars0[1]
    n_iter = op.outputs[0] - counter0
    user = list(range(2, nv))
    accs = _forward_accumulators(body, counter0, maxit, [vars0[i] for i in user],
                                 [shapes[i] for i in user], caps, n_iter)

    # backward over the iterations, last first
    g_vars0 = [_dense(dys[i]) for i in var_idx]
    g_caps0 = [sg.zeros_for(caps[j]) for j in cap_idx]
    wrt = [i for i in var_idx] + [nv + j for j in cap_idx]

    def bcond(k, g_vars, g_caps):
        return k > 0

    def bbody(k, g_vars, g_caps):
        k1 = k - 1
        vals = [a.read(k1) for a in accs]
        inputs = [counter0 + k1, maxit] + vals + caps
        out_dys = [None] * nv
        for i, g in zip(var_idx, g_vars):
            out_dys[i] = g
        grads = branch_vjp(body, inputs, out_dys, wrt)
        new_vars = grads[:len(var_idx)]
        new_caps = [_add(a, g) for a, g in zip(g_caps, grads[len(var_idx):])]
        return k1, new_vars, new_caps

    inv = [TensorShape([]), [shapes[i] for i in var_idx], [caps[j].shape for j in cap_idx]]
    _, g_vars, g_caps = while_loop(bcond, bbody, [n_iter, g_vars0, g_caps0], shape_invariants=inv)
    for i, g in zip(var_idx, g_vars):
        result[i] = g
    for j, g in zip(cap_idx, g_caps):
        result[nv + j] = g
    return result


def _forward_accumulators(body, counter0, maxit, vals0, shapes, caps, n_iter):
    """Runs the loop forward again, returning one TensorArray per loop variable whose element k is
    the value iteration k started with. TensorArrays (unlike a stacked tensor) hold values whose
    shape changes between iterations, and TensorLists (a TensorArray's flow) as well: lists of lists."""
    make = _op("TensorArray")

    def fcond(k, vals, accs):
        return k < n_iter

    def fbody(k, vals, accs):
        accs = [a.write(k, v) for a, v in zip(accs, vals)]
        outs = sg.recompute(body, [counter0 + k, maxit] + list(vals) + caps)
        return k + 1, list(outs[2:]), accs

    accs0 = [make(v.dtype, size=n_iter, element_shape=s, infer_shape=False) for v, s in zip(vals0, shapes)]
    inv = [TensorShape([]), shapes, [TensorShape([])] * len(vals0)]
    _, _, accs = while_loop(fcond, fbody, [_zero_like_counter(counter0), vals0, accs0], shape_invariants=inv)
    return accs


def _needed(op, i: int) -> bool:
    """Whether input i depends on a gradient source (backprop's `needs`; graph nodes: always)."""
    needs = getattr(op, "needs", None)
    return needs is None or bool(needs[i])


def _add(a, g):
    if a.dtype is _dt.variant:  # gradients of a TensorList: elementwise AddN
        return _op("add_n")([a, g])
    return a + g


def _zero_like_counter(counter):
    return _op("zeros_like")(counter)


def _dense(g):
    convert = getattr(g, "_as_dense", None)
    return convert() if convert is not None else g


# ---- the public function ------------------------------------------------------------------------------
def _to_tensors(structure):
    return nest.map_structure(lambda x: x.value() if isinstance(x, Variable) else x, structure)


@tf_export("while_loop")
def while_loop(cond, body, loop_vars, shape_invariants=None, parallel_iterations=10, back_prop=True,
               swap_memory=False, maximum_iterations=None, name=None):
    """Repeats `body` while `cond` is true (tf.while_loop, TF2 signature: returns loop_vars' structure)."""
    if not callable(cond):
        raise TypeError("'cond' must be callable.")
    if not callable(body):
        raise TypeError("'body' must be callable.")
    if parallel_iterations < 1:
        raise TypeError("'parallel_iterations' must be a positive integer.")
    loop_vars = _to_tensors(loop_vars)
    if state.tracer is None:
        return _eager_while(cond, body, loop_vars, maximum_iterations)
    return _graph_while(cond, body, loop_vars, shape_invariants, maximum_iterations, back_prop, name)


def _eager_while(cond, body, loop_vars, maximum_iterations):
    """TF's eager while_loop, line for line."""
    if not loop_vars:
        raise ValueError("'loop_vars' must be provided.")
    if maximum_iterations is not None:
        maximum_iterations = convert_to_tensor(maximum_iterations)
        if maximum_iterations.shape.rank != 0:
            raise ValueError(f"'maximum_iterations' must be a scalar. Received shape: "
                             f"{maximum_iterations.shape}")
        max_iter = int(maximum_iterations.numpy())
        orig_cond, orig_body = cond, body
        loop_vars = (0, loop_vars)
        cond = lambda i, lv: _op("logical_and")(i < max_iter, orig_cond(*lv))  # noqa: E731
        body = lambda i, lv: (i + 1, orig_body(*lv))  # noqa: E731
    structure = nest.map_structure(lambda x: 0, list(loop_vars))
    while cond(*loop_vars):
        loop_vars = body(*loop_vars)
        nest.assert_same_structure(structure, list(loop_vars))
    loop_vars = nest.map_structure(_convert_leaf, loop_vars)
    return loop_vars[1] if maximum_iterations is not None else loop_vars


def _convert_leaf(x):
    if type(x).__name__ == "TensorArray":
        return x
    return convert_to_tensor(x)


def _invariant_shape(var, shape):
    if shape is None:
        return var.shape
    if type(shape).__name__ == "TensorSpec":
        if not shape.is_compatible_with(var):
            raise TypeError(f"TypeSpec {shape!r} is not compatible with {var!r}")
        return shape.shape
    if not isinstance(shape, TensorShape):
        raise TypeError(f"'shape' must be one of TypeSpec, TensorShape or None. Received: {type(shape)}")
    return shape


def _shape_leq(shape1: TensorShape, shape2: TensorShape) -> bool:
    if shape2.rank is None:
        return True
    if shape1.rank != shape2.rank:
        return False
    return all(d2 is None or d1 == d2 for d1, d2 in zip(shape1.as_list(), shape2.as_list()))


def _graph_while(cond, body, loop_vars, shape_invariants, maximum_iterations, back_prop, name=None):
    tracer = state.tracer
    to_flows, from_flows = sg.flow_fns()
    orig_loop_vars = loop_vars
    flows = to_flows(loop_vars)
    flat = [tracer.as_graph_tensor(convert_to_tensor(x)) for x in nest.flatten(flows)]
    flows = nest.pack_sequence_as(flows, flat)
    if shape_invariants is not None:
        shapes_struct = nest.map_structure(_invariant_shape, flows, shape_invariants)
        flat_shapes = nest.flatten(shapes_struct)
    else:
        flat_shapes = [x.shape for x in flat]

    if maximum_iterations is None:
        maxit = constant(-1, dtype=_dt.int32)
    else:
        maxit = convert_to_tensor(maximum_iterations)
        if maxit.shape.rank not in (None, 0):
            raise ValueError(f"'maximum_iterations' must be a scalar. Received shape: {maxit.shape}")
    maxit = tracer.as_graph_tensor(maxit)
    counter = tracer.as_graph_tensor(constant(0, dtype=maxit.dtype))
    specs = [(counter.dtype, TensorShape([])), (maxit.dtype, TensorShape([]))] + \
        [(x.dtype, s) for x, s in zip(flat, flat_shapes)]

    def pack(args):
        return from_flows(orig_loop_vars, nest.pack_sequence_as(flows, list(args)))

    def wrapped_cond(i, m, *args):
        pred = cond(*pack(args))
        if isinstance(pred, Tensor) and (pred.shape.rank is None or pred.shape.rank > 0):
            pred = _op("squeeze")(pred)
        if maximum_iterations is not None:
            pred = _op("logical_and")(i < m, pred)
        return pred

    def wrapped_body(i, m, *args):
        outputs = body(*pack(args))
        if not nest.is_nested(outputs):
            outputs = [outputs]
        try:
            nest.assert_same_structure(outputs, orig_loop_vars, check_types=False)
        except ValueError:
            nest.assert_same_structure(_to_tensors(outputs), orig_loop_vars, check_types=False)
        return [i + 1, m] + nest.flatten(to_flows(outputs))

    k = next(_names)
    local: dict = {}
    for _ in range(4):  # retrace while a sub-graph writes a variable whose read was hoisted
        cond_sub, cond_tr = sg.trace_subfunction(f"while_cond_{k}", wrapped_cond, specs,
                                                 local_vars=list(local.values()))
        body_sub, body_tr = sg.trace_subfunction(f"while_body_{k}", wrapped_body, specs,
                                                 local_vars=list(local.values()))
        assigned = {**cond_tr.assigned, **body_tr.assigned}
        hoisted = {**cond_tr.hoisted, **body_tr.hoisted}
        conflict = {key: v for key, v in hoisted.items() if key in assigned and key not in local}
        if not conflict:
            break
        local.update(conflict)

    pred = cond_sub.graph.outputs[0] if cond_sub.graph.outputs else None
    if pred is None or pred.dtype is not _dt.bool:
        got = "nothing" if pred is None else pred.dtype.name
        raise errors.InvalidArgumentError(
            None, None, f"Input 'input' passed {got} expected bool while building NodeDef 'while/LoopCond'")
    body_outs = body_sub.graph.outputs[2:]
    for t, shape, input_t in zip(body_outs, flat_shapes, flat):
        if not _shape_leq(t.shape, shape):
            raise ValueError(f"Input tensor `{input_t.name}` enters the loop with shape {shape}, but has "
                             f"shape {t.shape} after one iteration. To allow the shape to vary across "
                             f"iterations, use the `shape_invariants` argument of tf.while_loop to specify a "
                             f"less-specific shape.")
    for inp, out, loop_var in zip(body_sub.graph.inputs[2:], body_outs, flat):
        if inp.dtype is not out.dtype:
            name = loop_var.name
            raise TypeError(f"Loop var {name} enters the loop with type <dtype: '{inp.dtype.name}'> but has "
                            f"type <dtype: '{out.dtype.name}'> after 1 iteration. {name} type should remain "
                            f"constant.")

    outer = sg.align_captures([cond_tr, body_tr], leading=len(specs))
    sg.propagate_effects([cond_tr, body_tr])
    prim = while_p if (cond_sub.stateful or body_sub.stateful) else stateless_while_p
    output_shapes = tuple(s for _, s in specs)
    outs = bind(prim, counter, maxit, *flat, *outer, cond=cond_sub, body=body_sub,
                output_shapes=output_shapes)
    sg.name_last_node(prim, name or "while")
    results = list(outs[2:])
    if not back_prop:
        results = [_op("stop_gradient")(t) for t in results]
    return from_flows(orig_loop_vars, nest.pack_sequence_as(flows, results))
