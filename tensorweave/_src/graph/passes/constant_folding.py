"""Constant folding: a pure node whose value is known at trace time becomes a Const node.

A value is known when every input is a Const node (the kernel runs once, now), or when tracing already
computed it (`SymbolicTensor.const`: small results of constant inputs, and shape queries on static
shapes, so `Shape(x)`, `OnesLike(mean)`, ... fold even though `x` is not constant). Results larger than
`FOLD_LIMIT_BYTES` (TF's grappler uses the same 10 MiB) stay in the graph, and a kernel that raises
leaves its node alone so the error still happens when the graph runs.

    before:  c = Const(); d = Const(); s = AddV2(c, d); y = Mul(x, s)
    after:   s = Const(); y = Mul(x, s)          (prune then drops c and d)
"""

from __future__ import annotations

import numpy as np

from tensorweave._src.core import backend
from tensorweave._src.core import dtypes as _dt
from tensorweave._src.graph.passes._util import (
    attr_tensors,
    is_const,
    is_pure,
    make_const,
    nbytes,
    replace_uses,
)

FOLD_LIMIT_BYTES = 10 * 1024 * 1024


def _from_const(value, dtype):
    arr = np.asarray(value)
    if dtype is _dt.string:
        return np.asarray(arr, dtype=object)
    return backend.from_numpy(arr, dtype)


def _folded_values(node, limit: int):
    outs = node.outputs
    if all(o.const is not None for o in outs):
        return [_from_const(o.const, o.dtype) for o in outs]
    if not node.inputs or not all(is_const(x.node) for x in node.inputs):
        return None
    sizes = [nbytes(o.shape, o.dtype) for o in outs]
    if any(s is None or s > limit for s in sizes):
        return None
    try:
        out = node.op.kernel(*[x.node.attrs["value"] for x in node.inputs], **node.attrs)
    except Exception:  # noqa: BLE001 - the error belongs to run time
        return None
    return list(out) if node.op.multiple_results else [out]


def fold_constants(graph, limit: int = FOLD_LIMIT_BYTES) -> bool:
    mapping = {}
    nodes = []
    referenced = {id(t) for node in graph.nodes for t in attr_tensors(node)}
    for node in graph.nodes:
        if mapping and any(id(x) in mapping for x in node.inputs):  # folds feed later folds in one sweep
            node.inputs = [mapping.get(id(x), x) for x in node.inputs]
        values = None
        if node.outputs and not is_const(node) and is_pure(node) and node.op.kernel is not None:
            values = _folded_values(node, limit)
        if values is None or len(values) != len(node.outputs):
            nodes.append(node)
            continue
        # a single-output node is replaced in place (same name); otherwise it stays, dead, for prune
        in_place = len(values) == 1 and id(node.outputs[0]) not in referenced
        folded = []
        for o, v in zip(node.outputs, values):
            if o.dtype.name in ("resource", "variant") or int(np.prod(v.shape)) * (o.dtype.size or 8) > limit:
                break
            name = node.name if in_place else graph.unique_name(f"{node.name}/folded_{o.index}")
            folded.append(make_const(graph, v, o.dtype, name))
        if len(folded) != len(values):
            nodes.append(node)
            continue
        if not in_place:
            nodes.append(node)
        nodes.extend(folded)
        for o, c in zip(node.outputs, folded):
            mapping[id(o)] = c.outputs[0]
    if not mapping:
        return False
    graph.nodes = nodes
    replace_uses(graph, mapping)
    return True
