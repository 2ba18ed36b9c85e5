"""Registers the functions behind Tensor/Variable Python operators (see core/operators.py)."""

from __future__ import annotations

from tensorweave._src.core import operators
from tensorweave._src.core.convert import scalar_operand
from tensorweave._src.ops.array import strided_slice
from tensorweave._src.ops.indexing.scatter import (
    scatter_nd_update_operator,
    tensor_scatter_nd_add,
    tensor_scatter_nd_sub,
)
from tensorweave._src.ops.math import binary, composite, logical, unary
from tensorweave._src.ops.math.matmul import matmul


def register_all() -> None:
    impls = {
        "add": binary.add, "sub": binary.subtract, "mul": composite.mul_operator,
        "truediv": composite.truediv, "floordiv": binary.floordiv, "mod": binary.floormod,
        "pow": binary.pow, "lt": binary.less, "le": binary.less_equal, "gt": binary.greater,
        "ge": binary.greater_equal, "eq": composite.tensor_equals, "ne": composite.tensor_not_equals,
        "and": composite.bool_or_bitwise(binary.logical_and, binary.bitwise_and),
        "or": composite.bool_or_bitwise(binary.logical_or, binary.bitwise_or),
        "xor": composite.bool_or_bitwise(composite.logical_xor, binary.bitwise_xor),
        "neg": unary.neg, "abs": unary.abs, "invert": logical.invert_operator,
        "getitem": strided_slice.getitem, "slice_update": strided_slice.slice_update,
        "scatter_nd_update": scatter_nd_update_operator,
        "scatter_nd_add": tensor_scatter_nd_add, "scatter_nd_sub": tensor_scatter_nd_sub,
        "matmul": matmul,
        "scalar_operand": scalar_operand,  # how `2.0 * x` converts its left operand (cached scalars)
    }
    for name, fn in impls.items():
        operators.register(name, fn)


register_all()
