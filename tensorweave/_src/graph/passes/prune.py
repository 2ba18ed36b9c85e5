"""Dead-node pruning: removes pure nodes none of whose outputs is used.

A node stays when it is not pure (stateful: variable reads and writes, random ops, prints; or holding
a subgraph), when it is a Placeholder (a graph input), or when an output feeds a kept node, is a graph
output or is referenced from a kept node's attrs. One backward sweep finds them all.

    before:  a = Mul(x, x); b = Exp(x); return a        after:  a = Mul(x, x); return a
"""

from __future__ import annotations

from tensorweave._src.graph.passes._util import attr_tensors, is_pure


def prune(graph) -> bool:
    live = {id(t) for t in graph.outputs}
    kept = []
    for node in reversed(graph.nodes):
        if is_pure(node) and node.outputs and not any(id(o) in live for o in node.outputs):
            continue
        kept.append(node)
        live.update(id(x) for x in node.inputs)
        live.update(id(x) for x in attr_tensors(node))
    if len(kept) == len(graph.nodes):
        return False
    kept.reverse()
    graph.nodes = kept
    return True
