"""Common-subexpression elimination: a pure node computing what an earlier node computes (same op,
same input tensors, equal attrs) is replaced by the earlier one's outputs.

Attrs compare by value only for plain data (numbers, strings, dtypes, shapes, and lists/tuples/dicts
of them); anything else (tensors, arrays, variables, functions) compares by identity, so two nodes
never merge on a value the pass cannot compare exactly. Floats compare by their bits (`-0.0` differs
from `0.0`). Small Const nodes (up to 1024 elements) merge by dtype, shape and bytes, so `x * 2.0`
written twice becomes one Mul.

    before:  a = Exp(x); b = Exp(x); s = AddV2(a, b)       after:  a = Exp(x); s = AddV2(a, a)
"""

from __future__ import annotations

import numpy as np

from tensorweave._src.core import backend
from tensorweave._src.core import dtypes as _dt
from tensorweave._src.core.shape import TensorShape
from tensorweave._src.graph.passes._util import CONST_VALUE_LIMIT, is_const, is_pure, replace_uses


def _attr_key(v, depth=0):
    t = type(v)
    if v is None or t in (bool, int, str, bytes):
        return (t.__name__, v)
    if t is float:
        return ("float", v.hex())
    if t is complex:
        return ("complex", v.real.hex(), v.imag.hex())
    if isinstance(v, _dt.DType):
        return ("dtype", v.name)
    if isinstance(v, TensorShape):
        return ("shape", None if v.rank is None else tuple(v.dims))
    if depth < 4 and t in (list, tuple):
        return (t.__name__,) + tuple(_attr_key(e, depth + 1) for e in v)
    if depth < 4 and t is dict and all(type(k) is str for k in v):
        return ("dict",) + tuple((k, _attr_key(v[k], depth + 1)) for k in sorted(v))
    return ("id", id(v))  # the node holding `v` stays referenced from `seen`, so the id is stable


def _const_key(node):
    out = node.outputs[0]
    n = out.shape.num_elements()
    if n is None or n > CONST_VALUE_LIMIT or out.dtype.name in ("resource", "variant"):
        return ("Const", id(node.attrs["value"]))
    value = backend.to_numpy(node.attrs["value"]) if out.const is None else np.asarray(out.const)
    if out.dtype is _dt.string:
        data = tuple(bytes(b) if isinstance(b, (bytes, bytearray)) else str(b) for b in value.ravel())
    else:
        data = np.ascontiguousarray(value).tobytes()
    return ("Const", out.dtype.name, tuple(out.shape.dims), data)


def _key(node):
    if is_const(node):
        return _const_key(node)
    attrs = tuple((k, _attr_key(node.attrs[k])) for k in sorted(node.attrs))
    return (node.op, tuple(id(x) for x in node.inputs), attrs)


def eliminate_common_subexpressions(graph) -> bool:
    seen: dict = {}
    mapping: dict = {}
    for node in graph.nodes:
        if mapping and any(id(x) in mapping for x in node.inputs):
            node.inputs = [mapping.get(id(x), x) for x in node.inputs]
        if not node.outputs or not is_pure(node):
            continue
        key = _key(node)
        first = seen.get(key)
        if first is None:
            seen[key] = node
        elif len(first.outputs) == len(node.outputs):
            for o, f in zip(node.outputs, first.outputs):
                mapping[id(o)] = f
    replace_uses(graph, mapping)
    return bool(mapping)
