"""`tf.norm` / `tf.linalg.norm`: vector p-norms and matrix norms ('fro', 1, 2, inf), as TF composes them.

>>> import tensorweave as tf
>>> print(tf.norm(tf.constant([[1.0, -2.0], [3.0, 4.0]]), ord=1, axis=[0, 1]))
tf.Tensor(6.0, shape=(), dtype=float32)
"""

from __future__ import annotations

import numbers

import numpy as np

from tensorweave._src.api_export import tf_export
from tensorweave._src.core.tensor import Tensor
from tensorweave._src.ops._common import tensor as _tensor
from tensorweave._src.ops.linalg.decomp import svd
from tensorweave._src.ops.math import binary, unary
from tensorweave._src.ops.math._reduce_common import public
from tensorweave._src.ops.math.complex import conj
from tensorweave._src.ops.math.reduce import reduce_max, reduce_sum

_MATRIX_NORMS = ["euclidean", "fro", 1, 2, np.inf]
_VECTOR_NORMS = ["euclidean", 1, 2, np.inf]


def _in(ord, choices) -> bool:
    return any(type(ord) is type(c) and ord == c or (isinstance(ord, numbers.Number) and
                                                      isinstance(c, numbers.Number) and ord == c)
               for c in choices)


@tf_export("norm", "linalg.norm")
def norm(tensor, ord="euclidean", axis=None, keepdims=None, name=None):  # noqa: F811 - TF's argument name
    """The vector norm over `axis` (an int or None) or the matrix norm over a pair of axes."""
    x = tensor
    is_matrix_norm = isinstance(axis, (tuple, list)) and len(axis) == 2
    if is_matrix_norm:
        axis = tuple(axis)
        if not isinstance(axis[0], int) or not isinstance(axis[1], int) or axis[0] == axis[1]:
            raise ValueError(f"'axis' must be None, an integer, or a tuple of 2 unique integers, got {axis}")
        if isinstance(ord, bool) or not _in(ord, _MATRIX_NORMS):
            raise ValueError(f"'ord' must be a supported matrix norm in {_MATRIX_NORMS}, got {ord}")
    else:
        if not (isinstance(axis, int) or axis is None):
            raise ValueError(f"'axis' must be None, an integer, or a tuple of 2 unique integers, got {axis}")
        positive = isinstance(ord, numbers.Real) and not isinstance(ord, bool) and ord > 0
        if not positive and not _in(ord, _VECTOR_NORMS):
            raise ValueError(f"'ord' must be a supported vector norm, got {ord}")
        if axis is not None:
            axis = (axis,)

    x = x if isinstance(x, Tensor) else _tensor(x)
    if _in(ord, ["fro", "euclidean", 2]):
        if is_matrix_norm and _in(ord, [2]):
            result = _matrix_2_norm(x, axis)
        else:
            result = unary.sqrt(reduce_sum(binary.multiply(x, conj(x)), axis, keepdims=True))
    else:
        result = unary.abs(x)
        if _in(ord, [1]) or _in(ord, [np.inf]):
            if is_matrix_norm:
                sum_axis, max_axis = (axis[-2], axis[-1]) if _in(ord, [1]) else (axis[-1], axis[-2])
                result = reduce_max(reduce_sum(result, axis=sum_axis, keepdims=True), axis=max_axis,
                                    keepdims=True)
            elif _in(ord, [1]):
                result = reduce_sum(result, axis, keepdims=True)
            else:
                result = reduce_max(result, axis, keepdims=True)
        else:
            result = binary.pow(reduce_sum(binary.pow(result, ord), axis, keepdims=True), 1.0 / ord)
    if not keepdims:
        result = public("squeeze")(result, axis)
    return result


def _matrix_2_norm(x, axis):
    """The largest singular value over the two `axis` dims, kept as size-1 dims."""
    rank = x.shape.rank
    a0, a1 = (a % rank for a in axis)
    rest = [i for i in range(rank) if i not in (a0, a1)]
    permed = public("transpose")(x, perm=rest + [a0, a1])
    s = svd(permed, compute_uv=False)
    top = reduce_max(unary.abs(s), axis=-1)  # batch dims (in `rest` order)
    lo, hi = sorted((a0, a1))  # put the two size-1 dims back (`rest` kept its order)
    expand_dims = public("expand_dims")
    return expand_dims(expand_dims(top, lo), hi)
