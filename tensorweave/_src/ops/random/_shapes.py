"""Shape arguments of random ops: an int32/int64 vector tensor input, validated with TF's messages."""

from __future__ import annotations

import numpy as np

from tensorweave._src.core import dtypes as _dt
from tensorweave._src.core.convert import convert_to_tensor
from tensorweave._src.core.shape import TensorShape
from tensorweave._src.core.tensor import Tensor
from tensorweave._src.ops._common import dims_str, invalid

SHAPE_DTYPES = frozenset((_dt.int32, _dt.int64))


def shape_tensor(shape) -> Tensor:
    """`shape` (list, tuple, TensorShape or tensor) as a tensor (int32 unless given int64)."""
    if isinstance(shape, TensorShape):
        shape = shape.as_list()
    if isinstance(shape, (list, tuple)) and len(shape) == 0:
        return convert_to_tensor(np.zeros([0], np.int32))
    if isinstance(shape, (list, tuple)) and all(isinstance(d, Tensor) for d in shape):
        shape = [int(d) for d in shape]
    return convert_to_tensor(shape)


def static_shape(op_type: str, shape) -> TensorShape:
    """The output shape a shape tensor (or AbstractValue) names, raising TF's errors for bad ones."""
    if shape.dtype not in SHAPE_DTYPES:
        raise invalid(op_type, f"Value for attr 'T' of {shape.dtype.name} is not in the list of allowed "
                               "values: int32, int64")
    rank = shape.shape.rank
    if rank is not None and rank != 1:
        raise invalid(op_type, f"shape must be a vector of {{int32,int64}}, got shape {dims_str(shape.shape)}")
    value = shape.const
    if value is None:
        n = shape.shape[0] if rank == 1 else None
        return TensorShape(None if n is None else [None] * n)
    dims = [int(d) for d in np.asarray(value).reshape(-1)]
    for d in dims:
        if d < 0:
            raise invalid(op_type, f"Dimension {d} must be >= 0")
    return TensorShape(dims)


def kernel_shape(op_type: str, shape) -> tuple:
    """The output shape from a shape kernel value (torch tensor), validated."""
    if shape.dim() != 1:
        raise invalid(op_type, f"shape must be a vector of {{int32,int64}}, got shape {dims_str(list(shape.shape))}")
    dims = tuple(int(d) for d in shape.tolist())
    for d in dims:
        if d < 0:
            raise invalid(op_type, f"Dimension {d} must be >= 0")
    return dims
