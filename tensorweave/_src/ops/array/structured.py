"""Structured creation: `tf.one_hot`, `tf.linalg.diag`, `tf.eye`, `tf.meshgrid`.

>>> import tensorweave as tf
>>> print(tf.one_hot([0, 2], 3))
tf.Tensor(
[[1. 0. 0.]
 [0. 0. 1.]], shape=(2, 3), dtype=float32)
"""

from __future__ import annotations

import numpy as np
import torch

from tensorweave._src.api_export import tf_export
from tensorweave._src.core import dtypes as _dt
from tensorweave._src.core import errors
from tensorweave._src.core.convert import convert_to_tensor
from tensorweave._src.core.dispatch import bind
from tensorweave._src.core.op_messages import fallback_if, with_name
from tensorweave._src.core.primitive import AbstractValue, Primitive
from tensorweave._src.core.tensor import Tensor
from tensorweave._src.ops._common import _mismatch, dims_str, invalid, tensor
from tensorweave._src.ops.array._util import bad_attr, const_list, int_tensor, is_np, no_gradient, tf_op

# ---- OneHot -----------------------------------------------------------------------------------------

_ONE_HOT_TI = (_dt.uint8, _dt.int8, _dt.int32, _dt.int64)
one_hot_p = Primitive("OneHot", allowed=_ONE_HOT_TI)


def _one_hot_axis(rank: int, axis: int) -> int:
    if axis != -1 and not 0 <= axis < rank + 1:
        raise invalid("OneHot", f"Expected axis to be -1 or between [0, {rank + 1}).  But received: {axis}")
    return rank if axis == -1 else axis


@one_hot_p.def_kernel
def _one_hot(indices, depth, on_value, off_value, axis):
    n = int(depth.item())
    if n < 0:
        raise invalid("OneHot", f"depth must be non-negative, got: {n}")
    ax = _one_hot_axis(indices.ndim, axis)
    shape = [1] * (indices.ndim + 1)
    shape[ax] = n
    positions = torch.arange(n, dtype=torch.int64, device=indices.device).reshape(shape)
    hit = indices.to(torch.int64).unsqueeze(ax) == positions
    if is_np(on_value):
        return np.where(hit.cpu().numpy(), on_value.reshape(()), off_value.reshape(())).astype(object)
    return torch.where(hit.to(on_value.device), on_value.reshape(()), off_value.reshape(()))


@one_hot_p.def_abstract
def _one_hot_rule(indices, depth, on_value, off_value, axis):
    if on_value.dtype is not off_value.dtype:
        raise _mismatch("OneHot", on_value.dtype, off_value.dtype)
    n = const_list(depth)
    if n is not None and n < 0:
        raise invalid("OneHot", f"depth must be non-negative, got: {n}")
    dims = indices.shape.dims
    if dims is None:
        return AbstractValue(on_value.dtype, None)
    ax = _one_hot_axis(len(dims), axis)
    return AbstractValue(on_value.dtype, dims[:ax] + [n] + dims[ax:])


one_hot_p.def_grad(no_gradient)  # TF: no gradient for any input, on_value/off_value included


@tf_export("one_hot")
def one_hot(indices, depth, on_value=None, off_value=None, axis=None, dtype=None, name=None):
    """A one-hot tensor: `on_value` where the last (or `axis`) index equals `indices`, else
    `off_value`; negative or too-large indices give an all-off row."""
    dtype = None if dtype is None else _dt.as_dtype(dtype)
    on_exists, off_exists = on_value is not None, off_value is not None
    if on_exists:
        on_value = convert_to_tensor(on_value, dtype_hint=dtype)
    if off_exists:
        off_value = convert_to_tensor(off_value, dtype_hint=dtype)
    if on_exists or off_exists:
        if dtype is not None:
            for which, v in (("on_value", on_value), ("off_value", off_value)):
                if v is not None and v.dtype is not dtype:
                    raise TypeError(f"dtype {v.dtype} of {which} does not match dtype parameter {dtype}")
        else:
            dtype = on_value.dtype if on_exists else off_value.dtype
    elif dtype is None:
        dtype = _dt.float32
    if not on_exists:
        on_value = convert_to_tensor(1, dtype=dtype)
    if not off_exists:
        off_value = convert_to_tensor(0, dtype=dtype)
    if on_exists and off_exists and on_value.dtype is not off_value.dtype:
        raise TypeError(f"dtype {on_value.dtype} of on_value does not match dtype {off_value.dtype} "
                        "of off_value")
    indices = tensor(indices)
    if indices.dtype not in _ONE_HOT_TI:
        raise fallback_if(bad_attr("OneHot", "TI", indices.dtype, _ONE_HOT_TI), indices)
    depth = convert_to_tensor(depth, dtype=_dt.int32) if not isinstance(depth, Tensor) else depth
    return bind(one_hot_p, indices, depth, on_value, off_value, axis=-1 if axis is None else int(axis))


# ---- MatrixDiagV3 --------------------------------------------------------------------------------------

matrix_diag_p = Primitive("MatrixDiagV3")


def _diag_geometry(ddims, k, num_rows, num_cols):
    """Batch dims, (lower, upper), max_diag_len, num_rows, num_cols of a MatrixDiagV3 (TF's checks)."""
    if len(ddims) < 1:
        raise invalid("MatrixDiagV3", f"diagonal must be at least 1-dim, received shape: {dims_str(ddims)}")
    k = [k] if isinstance(k, int) else list(k)
    lower, upper = k[0], k[-1]
    if lower > upper:
        raise invalid("MatrixDiagV3", f"lower_diag_index must not be larger than upper_diag_index: "
                                      f"{lower} > {upper}")
    if lower == upper:
        batch = ddims[:-1]
    else:
        batch = ddims[:-2]
        if len(ddims) < 2 or (ddims[-2] is not None and ddims[-2] != upper - lower + 1):
            raise invalid("MatrixDiagV3", "The number of diagonals provided in the input does not match "
                                          "the lower_diag_index and upper_diag_index range.")
    max_len = ddims[-1]
    if max_len is None:
        return batch, (lower, upper), None, None, None
    min_rows, min_cols = max_len - min(upper, 0), max_len + max(lower, 0)
    if num_rows == -1 and num_cols == -1:
        num_rows = num_cols = max(min_rows, min_cols)
    elif num_rows == -1:
        num_rows = min_rows
    elif num_cols == -1:
        num_cols = min_cols
    if num_rows < min_rows:
        raise invalid("MatrixDiagV3", "The number of rows is too small.")
    if num_cols < min_cols:
        raise invalid("MatrixDiagV3", "The number of columns is too small.")
    if num_rows != min_rows and num_cols != min_cols:
        raise invalid("MatrixDiagV3", "The number of rows or columns is not consistent with the specified "
                                      "d_lower, d_upper, and diagonal.")
    return batch, (lower, upper), max_len, num_rows, num_cols


@matrix_diag_p.def_kernel
def _matrix_diag(diagonal, k, num_rows, num_cols, padding_value, align):
    batch, (lower, upper), max_len, rows, cols = _diag_geometry(
        list(diagonal.shape), k.tolist(), int(num_rows.item()), int(num_cols.item()))
    out = padding_value.reshape(()).expand(*batch, rows, cols).clone()
    left_super = align in ("LEFT_LEFT", "LEFT_RIGHT")
    left_sub = align in ("LEFT_LEFT", "RIGHT_LEFT")
    for d in range(lower, upper + 1):
        src = diagonal if lower == upper else diagonal[..., upper - d, :]
        length = min(rows + min(0, d), cols - max(0, d))
        if length <= 0:
            continue
        left = (d >= 0 and left_super) or (d <= 0 and left_sub)
        offset = 0 if left else max_len - length
        torch.diagonal(out, offset=d, dim1=-2, dim2=-1).copy_(src[..., offset:offset + length])
    return out


@matrix_diag_p.def_abstract
def _matrix_diag_rule(diagonal, k, num_rows, num_cols, padding_value, align):
    dims = diagonal.shape.dims
    kv, r, c = const_list(k), const_list(num_rows), const_list(num_cols)
    if dims is None or kv is None or r is None or c is None:
        return AbstractValue(diagonal.dtype, None)
    batch, _, _, rows, cols = _diag_geometry(dims, kv, r, c)
    return AbstractValue(diagonal.dtype, list(batch) + [rows, cols])


@matrix_diag_p.def_grad
def _matrix_diag_grad(op, dy):
    """The diagonal part(s) of dy (TF: matrix_diag_part with the same k and align)."""
    diagonal, k = op.inputs[0], op.inputs[1]
    kv = const_list(k)
    if kv is None:
        raise NotImplementedError("the gradient of tf.linalg.diag needs a constant k")
    kv = [kv] if isinstance(kv, int) else list(kv)
    lower, upper = kv[0], kv[-1]
    diag_part = tf_op("linalg.diag_part")
    if lower == upper:
        return diag_part(dy, k=lower), None, None, None, None
    align = op.get_attr("align")
    left_super = align in ("LEFT_LEFT", "LEFT_RIGHT")
    left_sub = align in ("LEFT_LEFT", "RIGHT_LEFT")
    max_len = diagonal.shape[-1]
    rank = diagonal.shape.rank
    rows = []
    for d in range(upper, lower - 1, -1):
        part = diag_part(dy, k=d)
        missing = max_len - part.shape[-1]
        if missing:
            left = (d >= 0 and left_super) or (d <= 0 and left_sub)
            pads = [[0, 0]] * (rank - 2) + [[0, missing] if left else [missing, 0]]
            part = tf_op("pad")(part, pads)
        rows.append(part)
    return tf_op("stack")(rows, axis=-2), None, None, None, None


_ALIGNS = ("RIGHT_LEFT", "LEFT_RIGHT", "LEFT_LEFT", "RIGHT_RIGHT")


@tf_export("linalg.diag")
def matrix_diag(diagonal, name="diag", k=0, num_rows=-1, num_cols=-1, padding_value=0,
                align="RIGHT_LEFT"):
    """A batch of matrices with `diagonal` on diagonal(s) `k` (an int or a (lower, upper) pair)."""
    diagonal = tensor(diagonal)
    if align not in _ALIGNS:
        raise invalid("MatrixDiagV3", f"Value for attr 'align' of \"{align}\" is not in the list of "
                                      "allowed values: \"LEFT_RIGHT\", \"RIGHT_LEFT\", \"LEFT_LEFT\", "
                                      "\"RIGHT_RIGHT\"")
    kt = k if isinstance(k, Tensor) else int_tensor(list(k) if isinstance(k, (list, tuple)) else k)
    pad = padding_value if isinstance(padding_value, Tensor) else convert_to_tensor(padding_value,
                                                                                    dtype=diagonal.dtype)
    try:
        return bind(matrix_diag_p, diagonal, kt, int_tensor(num_rows), int_tensor(num_cols), pad, align=align)
    except errors.OpError as e:  # TF passes its op the name, and k, num_rows, ... as given
        raise with_name(fallback_if(e, k, num_rows, num_cols, padding_value), name, "MatrixDiagV3")


@tf_export("eye", "linalg.eye")
def eye(num_rows, num_columns=None, batch_shape=None, dtype=_dt.float32, name=None):
    """An identity matrix (or a batch of them) with `num_rows` rows and `num_columns` columns."""
    from tensorweave._src.ops.array.creation import ones, zeros
    dtype = _dt.as_dtype(dtype)
    rows = int(num_rows)
    cols = rows if num_columns is None else int(num_columns)
    batch = [] if batch_shape is None else [int(b) for b in np.asarray(batch_shape).reshape(-1)]
    diag = ones(batch + [min(rows, cols)], dtype=dtype)
    return matrix_diag(diag, num_rows=rows, num_cols=cols, padding_value=zeros([], dtype=dtype))


# ---- meshgrid ---------------------------------------------------------------------------------------------

@tf_export("meshgrid")
def meshgrid(*args, **kwargs):
    """Coordinate arrays from 1-D coordinate vectors; `indexing` is 'xy' (default) or 'ij'."""
    from tensorweave._src.ops.array.shape_ops import broadcast_to, reshape
    indexing = kwargs.pop("indexing", "xy")
    kwargs.pop("name", None)
    if kwargs:
        key = next(iter(kwargs))
        raise TypeError(f"'{key}' is an invalid keyword argument for this function")
    if indexing not in ("xy", "ij"):
        raise ValueError(f"Argument `indexing` parameter must be either 'xy' or 'ij', got '{indexing}'")
    xs = [tensor(a) for a in args]
    ndim = len(xs)
    if not ndim:
        return []
    flat = [reshape(x, [-1]) for x in xs]
    shapes = [int(f.shape[0]) for f in flat]
    dtype = flat[0].dtype
    for f in flat[1:]:
        if f.dtype is not dtype:
            raise _mismatch("Mul", f.dtype, dtype)
    outs = [reshape(f, [-1 if j == i else 1 for j in range(ndim)]) for i, f in enumerate(flat)]
    if indexing == "xy" and ndim > 1:
        outs[0] = reshape(flat[0], [1, -1] + [1] * (ndim - 2))
        outs[1] = reshape(flat[1], [-1, 1] + [1] * (ndim - 2))
        shapes[0], shapes[1] = shapes[1], shapes[0]
    return [broadcast_to(o, shapes) for o in outs]
