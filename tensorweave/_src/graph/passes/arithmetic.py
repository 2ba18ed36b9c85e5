"""Arithmetic simplification: ops that return an input unchanged read that input instead, and pairs of
reshapes/transposes collapse.

- `x * 1`, `1 * x`, `x + 0`, `0 + x`, `x - 0`, `x / 1` -> `x`, when the constant's every element is 1 (0)
  and broadcasting it cannot change `x`'s shape (each of its dims is 1 or equals `x`'s static dim).
  TF never promotes dtypes, so the result has `x`'s dtype. As in TF's grappler, `x + 0` is folded for
  floats too (it differs from `x` only for `x = -0.0`, where it gives `+0.0`).
- `Transpose(Transpose(x, p), q)` -> `x` when the permutations compose to the identity, else one
  `Transpose(x, p[q])`; a transpose by the identity permutation -> `x`.
- `Reshape(Reshape(x, s1), s2)` -> `Reshape(x, s2)`; a reshape to `x`'s own fully known shape -> `x`.
- `Cast(x)` to `x`'s own dtype -> `x`.

    before:  c = Const(1.0); y = Mul(x, c); z = Exp(y)         after:  z = Exp(x)
"""

from __future__ import annotations

from tensorweave._src.graph.passes._util import all_equal, broadcasts_into, is_pure, replace_uses

# op -> (identity element, which operand positions may hold it)
_NEUTRAL = {"Mul": (1, (0, 1)), "AddV2": (0, (0, 1)), "Sub": (0, (1,)), "RealDiv": (1, (1,))}


def _neutral_operand(node):
    """The operand `node` returns unchanged, or None."""
    number, positions = _NEUTRAL[node.type]
    y = node.outputs[0]
    for pos in positions:
        c, x = node.inputs[pos], node.inputs[1 - pos]
        if x.dtype is y.dtype and all_equal(c, number) and broadcasts_into(c.shape, x.shape):
            return x
    return None


def _perm(node):
    perm = [int(p) for p in node.attrs["perm"]]
    n = len(perm)
    return [p % n for p in perm] if n else perm


def simplify_arithmetic(graph) -> bool:
    mapping = {}
    changed = False
    for node in graph.nodes:
        if len(node.outputs) != 1 or not is_pure(node) or not node.inputs:
            continue
        op, y = node.type, node.outputs[0]
        x = node.inputs[0]
        if op in _NEUTRAL and len(node.inputs) == 2:
            kept = _neutral_operand(node)
            if kept is not None:
                mapping[id(y)] = kept
        elif op == "Cast" and x.dtype is y.dtype and node.attrs.get("DstT") is y.dtype:
            mapping[id(y)] = x
        elif op == "Transpose" and "perm" in node.attrs:
            perm = _perm(node)
            inner = x.node
            if inner.type == "Transpose" and is_pure(inner) and "perm" in inner.attrs \
                    and len(_perm(inner)) == len(perm):
                p = _perm(inner)
                node.inputs[0] = inner.inputs[0]
                node.attrs["perm"] = [p[q] for q in perm]
                perm = node.attrs["perm"]
                changed = True
            if perm == list(range(len(perm))) and node.inputs[0].dtype is y.dtype:
                mapping[id(y)] = node.inputs[0]
        elif op == "Reshape" and len(node.inputs) == 2:
            inner = x.node
            if inner.type == "Reshape" and is_pure(inner) and len(inner.inputs) == 2:
                node.inputs[0] = inner.inputs[0]
                changed = True
            src = node.inputs[0]
            if src.shape.is_fully_defined() and y.shape.is_fully_defined() and src.shape.dims == y.shape.dims:
                mapping[id(y)] = src
    replace_uses(graph, mapping)
    return changed or bool(mapping)
