"""Fusion: groups of ops become one node whose kernel does their work in one call (ops/fused/).

`fuse_matmul_bias`: `MatMul(a, b)` + a bias (`AddV2` with an operand that broadcasts into the
product's shape) + optionally `Relu` -> one `_FusedMatMul` node (`torch.addmm(bias, a, b)`, then
`relu_` on its fresh result), as TF's grappler remapper does. Only for 2-D float32/float64 products
whose contracted dims are statically known to agree, and whose intermediate results nothing else uses.

`fuse_elementwise`: connected groups of elementwise float ops (ops/fused/elementwise.py lists them)
-> one `FusedElementwise` node running a generated function. Every intermediate result must be used
only inside its group (the group has one output). Steps may overwrite a previous step's result that
is not needed afterwards (`v0.mul_(x1)`), when the other operand cannot change its shape.

    before:  a = AddV2(x, c); b = Mul(a, d); y = Tanh(b)
    after:   y = FusedElementwise(x, c, d) {steps: AddV2, Mul, Tanh}
"""

from __future__ import annotations

from tensorweave._src.core import dtypes as _dt
from tensorweave._src.graph.passes._util import (
    attr_tensors,
    broadcasts_into,
    consumers,
    is_pure,
    new_node,
    pinned,
    replace_uses,
)
from tensorweave._src.ops.fused import (
    BINARY,
    FUSIBLE_DTYPES,
    UNARY,
    Steps,
    fused_elementwise_p,
    fused_matmul_p,
)


def _only_user(t, users, keep) -> object:
    """The single node using tensor `t`, or None (several users, or `t` is an output/attr tensor)."""
    if id(t) in keep:
        return None
    us = users.get(id(t), [])
    return us[0] if len(us) == 1 else None


# ---- MatMul + bias (+ Relu) -----------------------------------------------------------------------
def _matmul_ok(m) -> bool:
    if m.type != "MatMul" or not is_pure(m) or m.outputs[0].dtype not in (_dt.float32, _dt.float64):
        return False
    a, b = m.inputs
    if a.shape.rank != 2 or b.shape.rank != 2:
        return False
    ka = a.shape.dims[0 if m.attrs.get("transpose_a") else 1]
    kb = b.shape.dims[1 if m.attrs.get("transpose_b") else 0]
    return ka is not None and ka == kb


def fuse_matmul_bias(graph) -> bool:
    users = consumers(graph)
    keep = pinned(graph)
    referenced = _attr_referenced(graph)
    replace: dict = {}  # node to drop -> None; last node of a pattern -> its fused node
    for m in graph.nodes:
        if m in replace or not _matmul_ok(m):
            continue
        add = _only_user(m.outputs[0], users, keep)
        if add is None or add.type != "AddV2" or not is_pure(add) or add in replace:
            continue
        bias = add.inputs[1] if add.inputs[0] is m.outputs[0] else add.inputs[0]
        if bias is m.outputs[0] or bias.dtype is not m.outputs[0].dtype or \
                not broadcasts_into(bias.shape, m.outputs[0].shape):
            continue
        last, fused_ops = add, ("BiasAdd",)
        relu = _only_user(add.outputs[0], users, keep)
        if relu is not None and relu.type == "Relu" and is_pure(relu) and relu not in replace:
            last, fused_ops = relu, ("BiasAdd", "Relu")
        out = last.outputs[0]
        if id(out) in referenced:
            continue
        fused = new_node(graph, fused_matmul_p, [m.inputs[0], m.inputs[1], bias],
                         {"transpose_a": bool(m.attrs.get("transpose_a", False)),
                          "transpose_b": bool(m.attrs.get("transpose_b", False)),
                          "fused_ops": fused_ops, "out_dtype": out.dtype, "out_shape": out.shape},
                         [(out.dtype, out.shape, None)], last.name)
        replace[m] = None
        if last is relu:
            replace[add] = None
        replace[last] = fused
    return _apply(graph, replace)


def _attr_referenced(graph) -> set:
    return {id(t) for node in graph.nodes for t in attr_tensors(node)}


def _apply(graph, replace: dict) -> bool:
    if not replace:
        return False
    nodes, mapping = [], {}
    for node in graph.nodes:
        if node not in replace:
            nodes.append(node)
        elif replace[node] is not None:
            nodes.append(replace[node])
            mapping[id(node.outputs[0])] = replace[node].outputs[0]
    graph.nodes = nodes
    replace_uses(graph, mapping)
    return True


# ---- elementwise groups ---------------------------------------------------------------------------
def _fusible(node) -> bool:
    if node.type not in UNARY and node.type not in BINARY:
        return False
    if len(node.outputs) != 1 or not is_pure(node) or node.outputs[0].dtype not in FUSIBLE_DTYPES:
        return False
    y = node.outputs[0]
    arity = 1 if node.type in UNARY else 2
    return len(node.inputs) == arity and all(x.dtype is y.dtype for x in node.inputs)


def fuse_elementwise(graph, min_ops: int = 2) -> bool:
    users = consumers(graph)
    keep = pinned(graph)
    referenced = _attr_referenced(graph)
    order = {id(node): i for i, node in enumerate(graph.nodes)}
    grouped: set = set()
    replace: dict = {}
    for sink in reversed(graph.nodes):
        if id(sink) in grouped or not _fusible(sink) or id(sink.outputs[0]) in referenced:
            continue
        group = {id(sink): sink}
        grew = True
        while grew:  # absorb producers whose every use is inside the group
            grew = False
            for member in list(group.values()):
                for x in member.inputs:
                    p = x.node
                    if id(p) in group or id(p) in grouped or id(x) in keep or not _fusible(p):
                        continue
                    if all(id(u) in group for u in users.get(id(x), [])):
                        group[id(p)] = p
                        grew = True
        if len(group) < min_ops:
            continue
        members = sorted(group.values(), key=lambda nd: order[id(nd)])
        grouped.update(group)
        replace.update({m: None for m in members})
        replace[sink] = _fused_node(graph, members, sink)
    return _apply(graph, replace)


def _fused_node(graph, members, sink):
    inputs, arg_of = [], {}  # external tensors in first-use order; id(tensor) -> "x<i>" / "v<j>"
    step_of = {id(m.outputs[0]): j for j, m in enumerate(members)}
    last_use: dict = {}
    for j, m in enumerate(members):
        for x in m.inputs:
            if id(x) in step_of:
                last_use[id(x)] = j
            elif id(x) not in arg_of:
                arg_of[id(x)] = f"x{len(inputs)}"
                inputs.append(x)
    steps = []
    for j, m in enumerate(members):
        args = tuple(f"v{step_of[id(x)]}" if id(x) in step_of else arg_of[id(x)] for x in m.inputs)
        steps.append((m.type, args, _inplace_operand(m, step_of, last_use, j), m.name))
    out = sink.outputs[0]
    attrs = {"steps": Steps(steps), "out_dtype": out.dtype, "out_shape": out.shape}
    return new_node(graph, fused_elementwise_p, inputs, attrs, [(out.dtype, out.shape, None)], sink.name)


def _inplace_operand(m, step_of, last_use, j):
    """Index of an operand of step `j` that the step may overwrite: a previous step's result used last
    here, whose shape the result keeps."""
    y = m.outputs[0]
    for i, x in enumerate(m.inputs):
        if id(x) not in step_of or last_use.get(id(x)) != j:
            continue
        if sum(1 for z in m.inputs if z is x) > 1 and len(m.inputs) > 1:
            continue  # x op x: keep it simple
        others = [z for k, z in enumerate(m.inputs) if k != i]
        if x.shape.rank is not None and x.shape.dims == y.shape.dims and \
                all(broadcasts_into(z.shape, x.shape) for z in others):
            return i
    return None
