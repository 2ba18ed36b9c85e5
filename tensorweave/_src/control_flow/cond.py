"""`tf.cond`, `tf.case`, `tf.switch_case`.

Eagerly (a concrete predicate / index) only the chosen branch runs, as in TF, so tapes see its ops.
While tracing with a symbolic predicate each branch is traced into its own graph (control_flow/
subgraph.py) and ONE node is added: `If`/`StatelessIf` (inputs: pred, captures) or `Case`/
`StatelessCase` (inputs: index, captures), attrs `branches` (SubFunctions, then-branch first).
Its kernel runs the chosen branch's generated function; the generated code is a Python `if` calling
the branch functions (`emit`); `executor.interpret` interprets the branch graph; `executor.replay`
with a concrete predicate replays the chosen branch's nodes (so tapes record what ran).

Gradient: a cond over the branches' gradients (each branch's is computed by re-running the branch
graph under a GradientTape, variable writes skipped, and backpropagating the output gradients).

>>> import tensorweave as tf
>>> @tf.function
... def f(x):
...     return tf.cond(x > 0, lambda: x * 2.0, lambda: -x)
>>> print(f(tf.constant(3.0)), f(tf.constant(-1.0)))
tf.Tensor(6.0, shape=(), dtype=float32) tf.Tensor(1.0, shape=(), dtype=float32)
"""

from __future__ import annotations

import collections
import itertools

from tensorweave._src.api_export import EXPORTS, tf_export
from tensorweave._src.control_flow import subgraph as sg
from tensorweave._src.core import dtypes as _dt
from tensorweave._src.core import errors
from tensorweave._src.core.context import state
from tensorweave._src.core.convert import convert_to_tensor
from tensorweave._src.core.dispatch import bind
from tensorweave._src.core.primitive import AbstractValue, Primitive
from tensorweave._src.core.tensor import EagerTensor, Tensor
from tensorweave._src.graph import executor
from tensorweave._src.graph.symbolic import SymbolicTensor
from tensorweave._src.util import nest

_names = itertools.count()


def _op(name):
    return EXPORTS[name]


class ControlFlowPrimitive(Primitive):
    """A primitive whose nodes carry sub-graphs (`attrs["branches"]` / cond and body)."""

    def emit(self, node, n: int, args: list, env: dict, defs: list) -> str:  # pragma: no cover
        raise NotImplementedError


class _CasePrimitive(ControlFlowPrimitive):
    """If / Case: input 0 selects a branch (If: pred, then-branch first; Case: index, out of range ->
    last branch), the other inputs are the branches' (common) inputs."""

    is_if = False

    def emit(self, node, n: int, args: list, env: dict, defs: list) -> str:
        branches = node.attrs["branches"]
        nb = len(branches)
        for b, br in enumerate(branches):
            env[f"br{n}_{b}"] = br.fn
        params = ", ".join(f"a{i}" for i in range(len(args) - 1))
        lines = [f"def case{n}(sel{', ' if params else ''}{params}):"]
        if self.is_if:
            pred = node.inputs[0]
            test = "sel" if pred.dtype is _dt.bool and pred.shape.rank == 0 else f"truthy{n}(sel)"
            env[f"truthy{n}"] = sg.truthy
            lines += [f"    if {test}:", f"        return br{n}_0({params})",
                      "    else:", f"        return br{n}_1({params})"]
        else:
            lines.append("    i = int(sel)")
            for b in range(nb - 1):
                keyword = "if" if b == 0 else "elif"
                lines += [f"    {keyword} i == {b}:", f"        return br{n}_{b}({params})"]
            if nb > 1:
                lines += ["    else:", f"        return br{n}_{nb - 1}({params})"]
            else:
                lines.append(f"    return br{n}_0({params})")
        defs.append("\n".join(lines))
        return f"case{n}({', '.join(args)})"


def _make_case_prim(name, is_if, stateful):
    prim = _CasePrimitive(name, multiple_results=True, stateful=stateful)
    prim.is_if = is_if  # the subclass has a __dict__
    prim.def_kernel(_case_kernel_for(prim))
    prim.def_abstract(_case_abstract)
    prim.def_grad(lambda op, *dys: _case_grad(op, *dys))
    executor.INTERPRET_RULES[prim] = _case_interpret
    executor.REPLAY_RULES[prim] = _case_replay
    return prim


def _branch_index(prim, sel, n: int) -> int:
    if prim.is_if:
        return 0 if sg.truthy(sel) else 1
    i = int(sel)
    return i if 0 <= i < n else n - 1


def _case_kernel_for(prim):
    def kernel(sel, *args, branches):
        return branches[_branch_index(prim, sel, len(branches))].fn(*args)

    return kernel


def _case_abstract(sel, *args, branches):
    outs = branches[0].graph.outputs
    avals = []
    for i, o in enumerate(outs):
        shape = o.shape
        for br in branches[1:]:
            shape = shape.most_specific_compatible_shape(br.graph.outputs[i].shape)
        avals.append(AbstractValue(o.dtype, shape))
    return tuple(avals)


def _case_interpret(node, values, interpret_values):
    branches = node.attrs["branches"]
    b = _branch_index(node.op, values[0], len(branches))
    return tuple(interpret_values(branches[b].graph, values[1:]))


def _case_replay(node, inputs, replay_fn):
    """A concrete selector runs the chosen branch's nodes (tapes record them); a symbolic one (a
    graph being traced inlines this graph) rebuilds the node."""
    sel = inputs[0]
    branches = node.attrs["branches"]
    if isinstance(sel, EagerTensor):
        b = _branch_index(node.op, sel._value, len(branches))
        return tuple(replay_fn(branches[b].graph, list(inputs[1:])))
    return bind(node.op, *inputs, **node.attrs)


if_p = _make_case_prim("If", True, True)
stateless_if_p = _make_case_prim("StatelessIf", True, False)
case_p = _make_case_prim("Case", False, True)
stateless_case_p = _make_case_prim("StatelessCase", False, False)


# ---- gradient -------------------------------------------------------------------------------------
def branch_vjp(graph, inputs, dys, wrt):
    """Gradients of the branch graph's outputs (weighted by `dys`) w.r.t. `inputs[i]` for i in `wrt`,
    by re-running the graph under a tape. Unconnected gradients are zeros."""
    from tensorweave._src.autodiff.tape import GradientTape

    with GradientTape(watch_accessed_variables=False) as tape:
        for i in wrt:
            tape.watch(inputs[i])
        outs = sg.recompute(graph, list(inputs))
    ys, seeds = [], []
    for o, dy in zip(outs, dys):
        if dy is not None and sg.carries_gradient(o.dtype):
            ys.append(o)
            seeds.append(dy)
    if ys:
        grads = tape.gradient(ys, [inputs[i] for i in wrt], output_gradients=seeds)
    else:
        grads = [None] * len(wrt)
    return [_dense(g) if g is not None else _op("zeros_like")(inputs[i]) for g, i in zip(grads, wrt)]


def _dense(g):
    convert = getattr(g, "_as_dense", None)
    return convert() if convert is not None else g


def _case_grad(op, *dys):
    sel, args = op.inputs[0], list(op.inputs[1:])
    branches = op.attrs["branches"]
    wrt = [i for i, x in enumerate(args) if sg.carries_gradient(x.dtype)]
    result = [None] * len(op.inputs)
    if not wrt:
        return result

    def grad_fn(branch):
        return lambda: branch_vjp(branch.graph, args, dys, wrt)

    fns = [grad_fn(br) for br in branches]
    prim = getattr(op, "prim", None) or op.op  # a tape entry or a graph node
    if prim.is_if:
        grads = cond(sel, fns[0], fns[1])
    else:
        grads = switch_case(sel, fns)
    for i, g in zip(wrt, grads):
        result[1 + i] = g
    return result


# ---- building --------------------------------------------------------------------------------------
def _structure_text(s):
    return str(nest.map_structure(lambda t: t, s)) if nest.is_nested(s) else str(s)


def _check_same_outputs(is_cond: bool, subs) -> None:
    """TF's check that every branch returns the same structure and dtypes (cond_v2._check_same_outputs)."""
    b0 = "true_fn" if is_cond else "branches[0]"
    op_name = "tf.cond" if is_cond else "tf.switch_case"

    def error(b, detail):
        bn = "false_fn" if is_cond else f"branches[{b}]"
        raise TypeError(f"{b0} and {bn} arguments to {op_name} must have the same number, type, and overall "
                        f"structure of return values.\n\n{b0} output: {subs[0].structure}\n{bn} output: "
                        f"{subs[b].structure}\n\nError details:\n{detail}")

    for b in range(1, len(subs)):
        try:
            nest.assert_same_structure(subs[0].structure, subs[b].structure)
            n0 = [x is None for x in nest.flatten(subs[0].structure)]
            nb = [x is None for x in nest.flatten(subs[b].structure)]
            if n0 != nb:
                raise ValueError("The two structures don't have the same nested structure.")
        except (ValueError, TypeError) as e:
            error(b, str(e))
        for x, y in zip(subs[0].graph.outputs, subs[b].graph.outputs):
            if x.dtype is not y.dtype:
                error(b, f"{x} and {y} have different types")


def _build(prims, selector, fns, names, is_cond: bool, node_name: str, suffix: str = ""):
    """Traces each branch and adds one If/Case node; returns the outputs in the branches' structure.
    TensorArrays a branch returns leave it as their flows and are rebuilt around the node's outputs."""
    to_flows, from_flows = sg.flow_fns()
    returned = []

    def flowing(fn):
        def run():
            out = fn()
            returned.append(out)
            return to_flows(out)
        return run

    traced = [sg.trace_subfunction(name, flowing(fn)) for name, fn in zip(names, fns)]
    subs = [s for s, _ in traced]
    tracers = [t for _, t in traced]
    _check_same_outputs(is_cond, subs)
    outer = sg.align_captures(tracers)
    sg.propagate_effects(tracers)
    stateful = any(s.stateful for s in subs)
    prim = prims[0] if stateful else prims[1]
    outs = bind(prim, selector, *outer, branches=tuple(subs))
    sg.name_last_node(prim, node_name, suffix)
    it = iter(outs)
    leaves = [None if leaf is None else next(it) for leaf in nest.flatten(subs[0].structure)]
    structure = subs[0].structure
    result = nest.pack_sequence_as(structure, leaves) if nest.is_nested(structure) else leaves[0]
    return from_flows(returned[0], result)


def _unpack_singleton(res):
    if isinstance(res, (list, tuple)) and len(res) == 1:
        return res[0]
    return res


def _is_symbolic(x) -> bool:
    return isinstance(x, SymbolicTensor)


def cond_impl(pred, true_fn, false_fn, strict=True, name=None):
    """tf.cond's implementation (strict=False: TF1's unpacking of singleton results, eager only)."""
    if not callable(true_fn):
        raise TypeError("'true_fn' must be callable.")
    if not callable(false_fn):
        raise TypeError("'false_fn' must be callable.")
    if state.tracer is None:
        pred = convert_to_tensor(pred)
        result = true_fn() if _eager_truth(pred) else false_fn()
        return result if strict else _unpack_singleton(result)
    if isinstance(pred, bool):
        raise TypeError("pred must not be a Python bool", pred)
    pred = convert_to_tensor(pred)
    if pred.shape.rank is None or pred.shape.rank > 0:
        pred = _op("squeeze")(pred)
    if pred.dtype is not _dt.bool:
        raise errors.InvalidArgumentError(None, None, f"Input 'pred' passed {pred.dtype.name} expected bool "
                                                      f"while building NodeDef 'cond/switch_pred'")
    if not _is_symbolic(pred):  # an eager tensor (e.g. a constant) while tracing: still a cond node
        pred = state.tracer.as_graph_tensor(pred)
    k = next(_names)
    names = [f"cond_true_{k}", f"cond_false_{k}"]
    return _build((if_p, stateless_if_p), pred, [true_fn, false_fn], names, True, name or "cond")


def _eager_truth(pred) -> bool:
    value = pred.numpy()
    return bool(value)


@tf_export("cond")
def cond(pred, true_fn=None, false_fn=None, name=None):
    """`true_fn()` if `pred` else `false_fn()`; in a graph, one If node running the chosen branch."""
    if true_fn is None:
        raise TypeError("cond(): 'true_fn' argument required")
    if false_fn is None:
        raise TypeError("cond(): 'false_fn' argument required")
    return cond_impl(pred, true_fn, false_fn, strict=True, name=name)


# ---- switch_case ------------------------------------------------------------------------------------
def _indexed_case_args(branch_fns, default, branch_index):
    if not isinstance(branch_index, Tensor):
        raise TypeError(f"'branch_index' must be a Tensor, got {type(branch_index)}")
    if not branch_index.dtype.is_integer:
        raise TypeError(f"'branch_index' must be an integer Tensor, got {branch_index.dtype}")
    if not branch_fns:
        raise ValueError("Must provide at least one item in 'branch_fns'")
    if not isinstance(branch_fns, (list, tuple, dict)):
        raise TypeError("'branch_fns' must be a list, tuple, or dict")
    if isinstance(branch_fns, dict):
        branch_fns = branch_fns.items()
    if all(callable(fn) for fn in branch_fns):
        branch_fns = list(enumerate(branch_fns))
    for pair in branch_fns:
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise TypeError(f"Each entry in 'branch_fns' must be a 2-tuple. Received {pair}.")
        key, fn = pair
        if not isinstance(key, int):
            raise TypeError(f"key must be a Python `int`, got {type(key)}")
        if not callable(fn):
            raise TypeError(f"fn for key {key} must be callable.")
    keys = [p[0] for p in branch_fns]
    if min(keys) < 0 or max(keys) >= len(keys) or len(set(keys)) != len(keys):
        raise ValueError(f"branch indices (keys) must form contiguous range of [0 to {len(keys)}) but found "
                         f"{{{','.join(map(str, sorted(keys)))}}}")
    actions = [p[1] for p in sorted(branch_fns, key=lambda p: p[0])]
    if default is not None:
        actions.append(default)
    return actions


@tf_export("switch_case")
def switch_case(branch_index, branch_fns, default=None, name="switch_case"):
    """`branch_fns[branch_index]()`, `default()` (or the last branch) when out of range."""
    fns = _indexed_case_args(branch_fns, default, branch_index)
    if not _is_symbolic(branch_index) or state.tracer is None:
        i = int(branch_index.numpy())
        if i < 0 or i >= len(fns):
            i = len(fns) - 1
        if state.tracer is None:
            return fns[i]()
        branch_index = state.tracer.as_graph_tensor(branch_index)
    if branch_index.shape.rank is None or branch_index.shape.rank > 0:
        branch_index = _op("reshape")(branch_index, [])
    if branch_index.dtype is not _dt.int32:
        branch_index = _op("cast")(branch_index, _dt.int32)
    k = next(_names)
    return _build((case_p, stateless_case_p), branch_index, fns,
                  [f"switch_case_branch{b}_{k}" for b in range(len(fns))], False, name or "switch_case",
                  "/indexed_case")


# ---- case ------------------------------------------------------------------------------------------
def _case_args(pred_fn_pairs, exclusive, name):
    if not isinstance(pred_fn_pairs, (list, tuple, dict)):
        raise TypeError(f"'pred_fn_pairs' must be a list, tuple, or dict. Received: {type(pred_fn_pairs)}")
    if isinstance(pred_fn_pairs, collections.OrderedDict):
        pred_fn_pairs = list(pred_fn_pairs.items())
    elif isinstance(pred_fn_pairs, dict):
        if state.tracer is None:
            if not exclusive:
                raise ValueError("Unordered dictionaries are not supported for the 'pred_fn_pairs' argument "
                                 "when `exclusive=False` and eager mode is enabled.")
            pred_fn_pairs = list(pred_fn_pairs.items())
        else:
            pred_fn_pairs = sorted(pred_fn_pairs.items(), key=lambda item: item[0].name)
    for pair in pred_fn_pairs:
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise TypeError(f"Each entry in 'pred_fn_pairs' must be a 2-tuple. Received {pair}.")
        pred, fn = pair
        if isinstance(pred, Tensor):
            if pred.dtype is not _dt.bool:
                raise TypeError(f"pred must be Tensor of type bool: {_tensor_name(pred)}")
        else:
            raise TypeError(f"pred must be a Tensor, got: {pred}")
        if not callable(fn):
            raise TypeError(f"fn for pred {_tensor_name(pred)} must be callable.")
    predicates = [p for p, _ in pred_fn_pairs]
    actions = [f for _, f in pred_fn_pairs]
    return predicates, actions


def _tensor_name(t) -> str:
    if isinstance(t, SymbolicTensor):
        return t.name
    raise AttributeError("Tensor.name is undefined when eager execution is enabled.")


def _assert_at_most_n_true(predicates, n, msg):
    stacked = _op("stack")(list(predicates))
    count = _op("reduce_sum")(_op("cast")(stacked, _dt.int32))
    names = ", ".join(getattr(p, "name", "?") if isinstance(p, SymbolicTensor) else "?" for p in predicates)
    return assert_true(_op("less_equal")(count, n),
                       f"{msg}: more than {n} conditions ({names}) evaluated as True:", stacked)


def _case_default_action(predicates, actions):
    k = len(predicates) - 1
    predicate, action = predicates[k], actions[k]
    others_p, others_a = predicates[:k], actions[:k]

    def default_action():
        if others_p:
            _assert_at_most_n_true(others_p, 0, "Implementation error: selected default action #%d was "
                                                "called, but some of other predicates are True: " % k)
        assert_true(predicate, "Input error: None of conditions evaluated as True:",
                    _op("stack")(list(predicates)))
        return action()

    return default_action, others_p, others_a


@tf_export("case")
def case(pred_fn_pairs, default=None, exclusive=False, strict=False, name="case"):
    """The action of the first true predicate (or `default`), as nested conds."""
    predicates, actions = _case_args(pred_fn_pairs, exclusive, name)
    if default is None:
        default, predicates, actions = _case_default_action(predicates, actions)
    fn = default
    for predicate, action in reversed(list(zip(predicates, actions))):
        fn = _partial_cond(predicate, action, fn, strict)
    if exclusive:
        _assert_at_most_n_true(predicates, 1, "Input error: exclusive=True")
    return fn()


def _partial_cond(pred, true_fn, false_fn, strict):
    return lambda: cond_impl(pred, true_fn, false_fn, strict=strict)


# ---- a minimal assertion (tf.case's checks) ----------------------------------------------------------
_assert_p = Primitive("CaseAssert", multiple_results=True, stateful=True)


@_assert_p.def_kernel
def _assert_kernel(condition, data, message):
    if not sg.truthy(condition):
        from tensorweave._src.core.dispatch import wrap

        values = ", ".join(str(v) for v in wrap(data).numpy().tolist())
        raise errors.InvalidArgumentError(
            None, None, f"Expected 'tf.Tensor(False, shape=(), dtype=bool)' to be true. Summarized data: "
                        f"{message.encode()!r}\n{values}")
    return ()


@_assert_p.def_abstract
def _assert_abstract(condition, data, message):
    return ()


@_assert_p.def_grad
def _assert_grad(op, *dys):
    return [None, None]


def assert_true(condition, message: str, data):
    return bind(_assert_p, condition, data, message=message)
