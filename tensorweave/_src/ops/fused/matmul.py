"""_FusedMatMul: MatMul + bias add (+ Relu) as one `torch.addmm` call, like TF's grappler remapper op.

Inputs `(a, b, bias)`; attrs `transpose_a`, `transpose_b` (MatMul's) and `fused_ops`: `("BiasAdd",)`
or `("BiasAdd", "Relu")`. The pass only creates it for 2-D float32/float64 products whose shapes are
checked statically (so MatMul's runtime shape check cannot fail) and a bias that broadcasts into the
product's shape. In the generated source it is a single expression::

    t5_0 = torch.addmm(t3_0, in0, t1_0).relu_()  # _FusedMatMul: MatMul, AddV2, Relu
"""

from __future__ import annotations

import torch

from tensorweave._src.ops.fused._codegen import CodegenPrimitive, stored_abstract


def _expr(a: str, b: str, bias: str, transpose_a: bool, transpose_b: bool, fused_ops) -> str:
    a = f"{a}.t()" if transpose_a else a
    b = f"{b}.t()" if transpose_b else b
    code = f"torch.addmm({bias}, {a}, {b})"
    if "Relu" in fused_ops:
        code += ".relu_()"  # addmm's result is fresh: overwrite it
    return code


class _FusedMatMul(CodegenPrimitive):
    def emit(self, node, n, args, env, defs):
        env["torch"] = torch
        at = node.attrs
        return _expr(args[0], args[1], args[2], at["transpose_a"], at["transpose_b"], at["fused_ops"])


fused_matmul_p = _FusedMatMul("_FusedMatMul")


@fused_matmul_p.def_kernel
def _fused_matmul(a, b, bias, transpose_a, transpose_b, fused_ops, out_dtype, out_shape):
    out = torch.addmm(bias, a.t() if transpose_a else a, b.t() if transpose_b else b)
    return out.relu_() if "Relu" in fused_ops else out


fused_matmul_p.def_abstract(stored_abstract)
