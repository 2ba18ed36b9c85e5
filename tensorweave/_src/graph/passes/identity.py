"""Identity removal: uses of `Identity(x)`, `StopGradient(x)` and provably passing `EnsureShape(x)` read
`x` directly.

StopGradient only matters to gradients, and a traced graph already holds its gradient ops (tapes run
while tracing; calling a function under an outer tape replays the unoptimized graph). EnsureShape is a
runtime check: it is removed only when `x`'s static shape already satisfies it, so the check cannot fail.

    before:  y = Identity(x); z = Exp(y); return z      after:  z = Exp(x); return z
"""

from __future__ import annotations

from tensorweave._src.graph.passes._util import is_pure, replace_uses

_PASS_THROUGH = frozenset({"Identity", "StopGradient"})


def _ensure_passes(x_shape, required) -> bool:
    if required.rank is None:
        return True
    if x_shape.rank != required.rank:
        return False
    return all(r is None or (d is not None and d == r) for d, r in zip(x_shape.dims, required.dims))


def remove_identities(graph) -> bool:
    mapping = {}
    for node in graph.nodes:
        if len(node.inputs) != 1 or len(node.outputs) != 1 or not is_pure(node):
            continue
        x, y = node.inputs[0], node.outputs[0]
        if x.dtype is not y.dtype:
            continue
        if node.type in _PASS_THROUGH or (node.type == "EnsureShape"
                                          and _ensure_passes(x.shape, node.attrs["shape"])):
            mapping[id(y)] = x
    replace_uses(graph, mapping)
    return bool(mapping)
