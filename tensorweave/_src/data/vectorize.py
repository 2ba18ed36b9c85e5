"""Map+batch fusion: rewrites a map function's traced per-element graph into a function over a whole
batch, when every op on the element's data has a known batched form (a conservative whitelist).

TF fuses map and batch (map_and_batch) for the same reason: per-element Python work is the cost.
The batched function computes exactly what mapping then stacking computes:
- elementwise ops (unary, binary with broadcasting, Cast, SelectV2, activations) run on the batch, the
  batched operands first expanded to the element rank of the result so broadcasting still aligns;
- Reshape to a fully known element shape becomes reshape to [-1, *shape];
- ExpandDims/Transpose/Squeeze/OneHot/reductions/Softmax get their axes shifted past the batch axis;
- anything else touching element data (or any stateful op: random, py_function, variables) makes the
  rewrite fail, and the dataset maps element by element.
Constant subgraphs (not depending on the element) are computed once, eagerly.

This module walks the graph IR and re-binds its primitives (core.dispatch.bind), so it needs no kernels.
"""

from __future__ import annotations

from tensorweave._src.api_export import PublicNamespace
from tensorweave._src.core.dispatch import bind

tf = PublicNamespace()


class NotVectorizable(Exception):
    pass


_UNARY = {"Abs", "Acos", "Acosh", "Asin", "Asinh", "Atan", "Atanh", "Ceil", "Cos", "Cosh", "Digamma", "Erf",
          "Erfc", "Exp", "Expm1", "Floor", "Imag", "Inv", "IsFinite", "IsInf", "IsNan", "Lgamma", "Log",
          "Log1p", "Neg", "Real", "Reciprocal", "Relu", "Rint", "Round", "Rsqrt", "Sigmoid", "Sign", "Sin",
          "Sinh", "Softplus", "Sqrt", "Square", "Tan", "Tanh", "LogicalNot", "Invert", "Cast", "Relu6",
          "LeakyRelu", "Elu", "Selu", "Softsign", "Identity", "StopGradient", "Gelu", "Angle", "Conj",
          "ZerosLike", "OnesLike"}
_BINARY = {"Add", "AddV2", "Sub", "Mul", "RealDiv", "Div", "DivNoNan", "FloorDiv", "FloorMod", "TruncateDiv",
           "TruncateMod", "Maximum", "Minimum", "Pow", "SquaredDifference", "Atan2", "Equal", "NotEqual",
           "Less", "LessEqual", "Greater", "GreaterEqual", "LogicalAnd", "LogicalOr", "BitwiseAnd",
           "BitwiseOr", "BitwiseXor", "Xdivy", "Xlogy", "MulNoNan", "Complex", "SelectV2"}
_LAST_AXIS = {"Softmax", "LogSoftmax"}
_REDUCE = {"Sum", "Mean", "Max", "Min", "Prod", "All", "Any"}
# ops that already work row by row on a leading batch axis of their first input (outputs gain it too)
_ROWWISE = {"DecodeRaw"}
_UNARY |= {"StringLength", "StringLower", "StringUpper", "StaticRegexReplace", "StaticRegexFullMatch",
           "AsString",
           "StringToNumber", "StringStrip"}


def _rowwise_ok(node) -> bool:
    if node.type == "ParseExampleV2":  # dense, fixed-length features only: same op on a vector of records
        return not node.attrs["sparse"] and not any(d.sequence for d in node.attrs["dense"])
    return node.type in _ROWWISE


def _const_value(sym):
    return getattr(sym, "const", None)


def vectorize(graph):
    """A function(*batched_inputs) -> list of batched outputs for `graph`, or raises NotVectorizable."""
    nodes = graph.nodes
    plan = []
    batched: set = set()  # ids of symbolic tensors that carry the batch axis
    for p in graph.inputs:
        batched.add(id(p))
    for node in nodes:
        t = node.type
        if t == "Placeholder":
            continue
        if node.stateful:
            raise NotVectorizable(f"stateful op {t}")
        ins_b = [id(x) in batched for x in node.inputs]
        if not any(ins_b):
            plan.append(("const", node))
            continue
        if any(o.shape.rank is None for o in node.outputs) or any(x.shape.rank is None for x in node.inputs):
            raise NotVectorizable(f"unknown rank at {t}")
        if t in _UNARY or t in _BINARY or t in _LAST_AXIS:
            plan.append(("elementwise", node))
        elif _rowwise_ok(node):
            if any(ins_b[1:]):
                raise NotVectorizable(f"batched attribute input of {t}")
            plan.append(("rowwise", node))
        elif t == "Reshape":
            if ins_b[1] or not node.outputs[0].shape.is_fully_defined():
                raise NotVectorizable("dynamic Reshape")
            plan.append(("reshape", node))
        elif t in ("ExpandDims", "Transpose", "Squeeze", "OneHot") or t in _REDUCE:
            if any(ins_b[1:]):
                raise NotVectorizable(f"batched attribute input of {t}")
            if t in _REDUCE and _const_value(node.inputs[1]) is None:
                raise NotVectorizable("dynamic reduction axes")
            plan.append(("axis", node))
        else:
            raise NotVectorizable(f"op {t}")
        for o in node.outputs:
            batched.add(id(o))

    def run(*inputs):
        env = {}
        for p, x in zip(graph.inputs, inputs):
            env[id(p)] = x
        for kind, node in plan:
            ins = [env[id(x)] for x in node.inputs]
            if kind == "const":
                outs = _run_node(node, ins)
            elif kind == "elementwise":
                outs = _run_elementwise(node, ins, [id(x) in batched for x in node.inputs])
            elif kind == "rowwise":
                outs = _run_node(node, ins)
            elif kind == "reshape":
                shape = [-1] + node.outputs[0].shape.as_list()
                outs = (tf.reshape(ins[0], shape),)
            else:
                outs = _run_axis(node, ins)
            for o, v in zip(node.outputs, outs):
                env[id(o)] = v
        results = []
        first = inputs[0] if inputs else None
        for o in graph.outputs:
            v = env[id(o)]
            if id(o) not in batched:
                if first is None:
                    raise NotVectorizable("no batched input")
                n = tf.shape(first)[:1]
                v = tf.tile(tf.expand_dims(v, 0), tf.concat([n, tf.ones([v.shape.rank], tf.int32)], 0))
            results.append(v)
        return results

    return run


def _run_node(node, ins):
    out = bind(node.op, *ins, **node.attrs) if node.type != "Const" else \
        tf.constant(node.outputs[0].const, dtype=node.outputs[0].dtype)
    return out if node.op.multiple_results else (out,)


def _run_elementwise(node, ins, is_batched):
    if node.type in _LAST_AXIS:
        return _run_node(node, ins)
    rank = max((x.shape.rank for x in node.outputs), default=0)
    fixed = []
    for x, b, sym in zip(ins, is_batched, node.inputs):
        if b:
            for _ in range(rank - sym.shape.rank):  # element rank r -> rank, right after the batch axis
                x = tf.expand_dims(x, 1)
        fixed.append(x)
    return _run_node(node, fixed)


def _run_axis(node, ins):
    t = node.type
    x = ins[0]
    elem_rank = node.inputs[0].shape.rank
    if t == "ExpandDims":
        axis = node.attrs["axis"]
        axis = axis + 1 if axis >= 0 else axis
        return (tf.expand_dims(x, axis),)
    if t == "Transpose":
        perm = node.attrs["perm"]
        return (tf.transpose(x, [0] + [p + 1 for p in perm]),)
    if t == "Squeeze":
        dims = node.attrs.get("squeeze_dims") or ()
        shape = node.inputs[0].shape.as_list()
        if not dims:
            if None in shape:
                raise NotVectorizable("Squeeze of unknown dims")
            dims = [i for i, d in enumerate(shape) if d == 1]
        dims = [(d % elem_rank) + 1 for d in dims]
        return (tf.squeeze(x, dims),) if dims else (x,)
    if t == "OneHot":
        axis = node.attrs["axis"]
        attrs = dict(node.attrs)
        attrs["axis"] = axis + 1 if axis >= 0 else axis
        return (bind(node.op, *ins, **attrs),)
    # reductions: axes are a constant input
    axes = _const_value(node.inputs[1])
    import numpy as np

    axes = np.atleast_1d(np.asarray(axes)).astype(np.int64)
    shifted = [int(a % elem_rank) + 1 if elem_rank else int(a) + 1 for a in axes.tolist()]
    return (bind(node.op, x, tf.constant(shifted, dtype=tf.int32), **node.attrs),)
