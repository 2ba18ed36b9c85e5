"""Shape-changing ops: `tf.reshape`, `tf.transpose`, `tf.expand_dims`, `tf.squeeze`, `tf.tile`,
`tf.broadcast_to`, and shape queries (`tf.shape`, `tf.size`, `tf.rank`, ...), `tf.identity`.

>>> import tensorweave as tf
>>> print(tf.reshape(tf.range(6), [2, -1]))
tf.Tensor(
[[0 1 2]
 [3 4 5]], shape=(2, 3), dtype=int32)
"""

from __future__ import annotations

import numpy as np
import torch

from tensorweave._src.api_export import tf_export
from tensorweave._src.core import errors
from tensorweave._src.core.dispatch import bind
from tensorweave._src.core.op_messages import fallback_if
from tensorweave._src.core.primitive import AbstractValue, Primitive
from tensorweave._src.core.shape import TensorShape, as_shape
from tensorweave._src.ops._common import dims_str, invalid
from tensorweave._src.ops._common import tensor as _tensor
from tensorweave._src.ops.array._util import (
    const_list,
    dense,
    index_tensors,
    is_np,
    no_gradient,
    py_int,
    shape_of,
    shape_tensor,
    tf_op,
)

# ---- Reshape ------------------------------------------------------------------------------------

reshape_p = Primitive("Reshape")


def _reshape_dims(in_dims, sizes) -> list:
    """TF's Reshape shape computation (-1 inference, zero-size dims), with its error messages;
    `in_dims` may hold None (unknown), and then the inferred dim is None."""
    unknown, product, has_zero = -1, 1, False
    out = []
    for d, size in enumerate(sizes):
        if size == -1:
            if unknown != -1:
                raise invalid("Reshape", f"Only one input size may be -1, not both {unknown} and {d}")
            unknown = d
            out.append(1)
        elif size < 0:
            raise invalid("Reshape", f"Size {d} must be non-negative, not {size}")
        else:
            out.append(size)
            if size == 0:
                has_zero = True
            else:
                product *= size
    if in_dims is None or None in in_dims:
        if unknown != -1:
            out[unknown] = None
        return out
    total = 1
    for d in in_dims:
        total *= d
    if unknown != -1:
        n, in_has_zero = 1, False
        for d in in_dims:
            if d > 0 or not has_zero:
                n *= d
            else:
                in_has_zero = True
        missing = n // product if product else 0
        if not in_has_zero and product * missing != n:
            raise invalid("Reshape", f"Input to reshape is a tensor with {n} values, but the requested "
                                     f"shape requires a multiple of {product}")
        out[unknown] = missing
    n_out = 1
    for d in out:
        n_out *= d
    if n_out != total:
        raise invalid("Reshape", f"Input to reshape is a tensor with {total} values, but the requested "
                                 f"shape has {n_out}")
    return out


@reshape_p.def_kernel
def _reshape(x, shape):
    sizes = shape.tolist()
    if -1 in sizes or any(s < 0 for s in sizes):
        sizes = _reshape_dims(list(x.shape), sizes)
    return x.reshape(sizes)


@reshape_p.def_abstract
def _reshape_rule(x, shape):
    if shape.shape.rank is not None and shape.shape.rank != 1:
        raise invalid("Reshape", f"sizes input must be 1-D, not {dims_str(shape.shape)}")
    sizes = const_list(shape)
    if sizes is None:
        n = shape.shape[0] if shape.shape.rank == 1 else None
        return AbstractValue(x.dtype, None if n is None else [None] * n)
    return AbstractValue(x.dtype, _reshape_dims(x.shape.dims, sizes))


def reshape_to(dy, x):
    """`dy` reshaped to `x`'s shape, keeping what is statically known of it (a single unknown dim
    becomes -1; more go through `tf.shape(x)` and `ensure_shape`)."""
    dims = x.shape.dims
    if dims is not None and sum(d is None for d in dims) <= 1:
        return reshape(dy, [-1 if d is None else d for d in dims])
    out = reshape(dy, shape_of(x))
    if dims is not None:
        out = tf_op("ensure_shape")(out, x.shape)
    return out


@reshape_p.def_grad
def _reshape_grad(op, dy):
    return reshape_to(dy, op.inputs[0]), None


@tf_export("reshape")
def reshape(tensor, shape, name=None):  # noqa: F811 - TF's argument name
    """Gives `tensor` a new shape with the same elements; one dim may be -1 (inferred)."""
    return bind(reshape_p, _tensor(tensor), shape_tensor("Reshape", shape))


# ---- Transpose ---------------------------------------------------------------------------------

transpose_p = Primitive("Transpose")
conjugate_transpose_p = Primitive("ConjugateTranspose")


def _check_perm(op: str, rank, perm):
    if rank is None:
        return perm
    if len(perm) != rank:
        raise invalid(op, f"transpose expects a vector of size {rank}. But input(1) is a vector of "
                          f"size {len(perm)}")
    out = []
    for p in perm:
        q = p + rank if p < 0 else p
        if not 0 <= q < rank:
            raise invalid(op, f"{q} is out of range [0 .. {rank})")
        out.append(q)
    for i in range(rank):
        if i not in out:
            raise invalid(op, f"{i} is missing from {{{','.join(str(p) for p in perm)}}}.")
    return out


def _permute(x, perm):
    if is_np(x):
        return np.transpose(x, perm)
    return x.permute(perm)


@transpose_p.def_kernel
def _transpose(x, perm):
    return _permute(x, perm)


@conjugate_transpose_p.def_kernel
def _conj_transpose(x, perm):
    y = _permute(x, perm)
    return y.conj().resolve_conj() if y.is_complex() else y


def _transpose_rule(op):
    def rule(x, perm):
        perm = _check_perm(op, x.shape.rank, list(perm))
        if x.shape.rank is None:
            return AbstractValue(x.dtype, [None] * len(perm))
        dims = x.shape.dims
        return AbstractValue(x.dtype, [dims[p] for p in perm])
    return rule


transpose_p.def_abstract(_transpose_rule("Transpose"))
conjugate_transpose_p.def_abstract(_transpose_rule("ConjugateTranspose"))


def _inverse_perm(perm) -> tuple:
    n = len(perm)
    inv = [0] * n
    for i, p in enumerate(perm):
        inv[p % n] = i
    return tuple(inv)


@transpose_p.def_grad
def _transpose_grad(op, dy):
    return bind(transpose_p, dense(dy), perm=_inverse_perm(op.get_attr("perm")))


@conjugate_transpose_p.def_grad
def _conjugate_transpose_grad(op, dy):
    return bind(conjugate_transpose_p, dense(dy), perm=_inverse_perm(op.get_attr("perm")))


@tf_export("transpose")
def transpose(a, perm=None, conjugate=False, name="transpose"):
    """Permutes the dimensions of `a` (default: reversed); `conjugate` also conjugates complex values."""
    a = _tensor(a)
    prim = conjugate_transpose_p if conjugate and a.dtype.is_complex else transpose_p
    try:
        if perm is None:
            rank = a.shape.rank
            order = tuple(range(rank - 1, -1, -1))
        else:
            values = const_list(perm) if hasattr(perm, "const") else np.asarray(perm).tolist()
            if isinstance(values, int) or (values and isinstance(values[0], list)):
                raise invalid(prim.name, f"perm must be rank 1, got shape {dims_str(np.shape(values))}")
            order = tuple(int(p) for p in values)
        return bind(prim, a, perm=order)
    except errors.OpError as e:
        raise fallback_if(e, perm)  # TF passes perm to its op as given


# ---- ExpandDims / Squeeze ------------------------------------------------------------------------

expand_dims_p = Primitive("ExpandDims")


@expand_dims_p.def_kernel
def _expand_dims(x, axis):
    rank = x.ndim
    if not -rank - 1 <= axis <= rank:
        raise ValueError("axis out of range")
    a = axis + rank + 1 if axis < 0 else axis
    if is_np(x):
        return np.expand_dims(x, a)
    return x.unsqueeze(a)


@expand_dims_p.def_abstract
def _expand_dims_rule(x, axis):
    dims = x.shape.dims
    if dims is None:
        return AbstractValue(x.dtype, None)
    rank = len(dims)
    if not -rank - 1 <= axis <= rank:
        raise invalid("ExpandDims", f"Tried to expand dim index {axis} for tensor with {rank} dimensions.")
    a = axis + rank + 1 if axis < 0 else axis
    return AbstractValue(x.dtype, dims[:a] + [1] + dims[a:])


@expand_dims_p.def_grad
def _expand_dims_grad(op, dy):
    return reshape_to(dy, op.inputs[0])


@tf_export("expand_dims")
def expand_dims(input, axis, name=None):  # noqa: A002 - TF's argument name
    """Inserts a dimension of size 1 at index `axis` of `input`'s shape."""
    if axis is None:
        raise ValueError("Attempt to convert a value (None) with an unsupported type "
                         "(<class 'NoneType'>) to a Tensor.")
    values = np.asarray(axis.const if hasattr(axis, "const") else axis)
    if values.dtype.kind not in "iu":
        raise TypeError(f"Cannot convert {axis!r} to EagerTensor of dtype int32")
    try:
        if values.size != 1:
            raise invalid("ExpandDims", "'dim' must be a tensor with a single value")
        return bind(expand_dims_p, _tensor(input), axis=int(values.reshape(-1)[0]))
    except errors.OpError as e:
        raise fallback_if(e, input, axis)  # TF passes both to its op as given


squeeze_p = Primitive("Squeeze")


def _squeeze_axes(dims, squeeze_dims) -> list:
    rank = len(dims)
    axes = []
    for a in squeeze_dims:
        if not -rank <= a < rank:
            raise invalid("Squeeze", f"Tried to squeeze dim index {a} for tensor with {rank} dimensions.")
        a = a + rank if a < 0 else a
        if dims[a] is not None and dims[a] != 1:
            raise invalid("Squeeze", f"Can not squeeze dim[{a}], expected a dimension of 1, got {dims[a]}")
        axes.append(a)
    return axes


@squeeze_p.def_kernel
def _squeeze(x, squeeze_dims):
    dims = list(x.shape)
    if squeeze_dims:
        axes = set(_squeeze_axes(dims, squeeze_dims))
    else:
        axes = {i for i, d in enumerate(dims) if d == 1}
    return x.reshape([d for i, d in enumerate(dims) if i not in axes])


@squeeze_p.def_abstract
def _squeeze_rule(x, squeeze_dims):
    dims = x.shape.dims
    if dims is None:
        return AbstractValue(x.dtype, None)
    if squeeze_dims:
        axes = set(_squeeze_axes(dims, squeeze_dims))
        return AbstractValue(x.dtype, [d for i, d in enumerate(dims) if i not in axes])
    if None in dims:
        return AbstractValue(x.dtype, None)
    return AbstractValue(x.dtype, [d for d in dims if d != 1])


@squeeze_p.def_grad
def _squeeze_grad(op, dy):
    return reshape_to(dy, op.inputs[0])


@tf_export("squeeze")
def squeeze(input, axis=None, name=None):  # noqa: A002
    """Removes dimensions of size 1 (all of them, or those listed in `axis`)."""
    if axis is None:
        axes = ()
    elif isinstance(axis, (list, tuple)):
        axes = tuple(py_int(a, "axis") for a in axis)
    else:
        axes = (py_int(axis, "axis"),)
    return bind(squeeze_p, _tensor(input), squeeze_dims=axes)


# ---- Tile / BroadcastTo ----------------------------------------------------------------------------

tile_p = Primitive("Tile")


@tile_p.def_kernel
def _tile(x, multiples):
    reps = multiples.tolist()
    if len(reps) != x.ndim or any(r < 0 for r in reps):
        raise ValueError("bad multiples")
    if is_np(x):
        return np.tile(x, reps)
    if not reps:
        return x
    return x.repeat(*reps)


@tile_p.def_abstract
def _tile_rule(x, multiples):
    if multiples.shape.rank is not None and multiples.shape.rank != 1:
        raise invalid("Tile", f"Expected multiples argument to be a vector of length {x.shape.rank} but "
                              f"got length {dims_str(multiples.shape)}")
    reps = const_list(multiples)
    dims = x.shape.dims
    if reps is None:
        n = multiples.shape[0] if multiples.shape.rank else None
        return AbstractValue(x.dtype, None if dims is None and n is None else [None] * (n or len(dims)))
    if dims is not None and len(reps) != len(dims):
        raise invalid("Tile", f"Expected multiples argument to be a vector of length {len(dims)} but got "
                              f"length {len(reps)}")
    for i, r in enumerate(reps):
        if r < 0:
            raise invalid("Tile", f"Expected multiples[{i}] >= 0, but got {r}")
    if dims is None:
        return AbstractValue(x.dtype, [None] * len(reps))
    return AbstractValue(x.dtype, [None if d is None else d * r for d, r in zip(dims, reps)])


@tile_p.def_grad
def _tile_grad(op, dy):
    """Sums the tiles: dy reshaped to [m0, d0, m1, d1, ...] and reduced over the m axes."""
    x, multiples = op.inputs
    rank = x.shape.rank
    if rank is None:
        rank = multiples.shape[0]
    reps = const_list(multiples)
    if reps is not None and x.shape.rank is not None and x.shape.is_fully_defined():
        split = [v for pair in zip(reps, x.shape.as_list()) for v in pair]
    else:
        shape = tf_op("shape")(x, out_type=multiples.dtype)
        split = reshape(transpose(tf_op("stack")([multiples, shape])), [-1])
    summed = tf_op("reduce_sum")(reshape(dy, split), axis=list(range(0, 2 * rank, 2)))
    return summed, None


@tf_export("tile")
def tile(input, multiples, name=None):  # noqa: A002
    """Repeats `input` `multiples[i]` times along each dimension i."""
    return bind(tile_p, _tensor(input), shape_tensor("Tile", multiples, "Tmultiples"))


broadcast_to_p = Primitive("BroadcastTo")


def _broadcast_to_dims(in_dims, out_dims):
    if len(in_dims) > len(out_dims):
        raise invalid("BroadcastTo", f"Rank of input ({len(in_dims)}) must be no greater than rank of "
                                     f"output shape ({len(out_dims)}).")
    pad = [1] * (len(out_dims) - len(in_dims)) + list(in_dims)
    for p, q in zip(pad, out_dims):
        if p is not None and q is not None and p != q and p != 1:
            raise invalid("BroadcastTo", f"Incompatible shapes: {dims_str(in_dims)} vs. {dims_str(out_dims)}")
    return list(out_dims)


@broadcast_to_p.def_kernel
def _broadcast_to(x, shape):
    dims = shape.tolist()
    if is_np(x):
        return np.broadcast_to(x, dims).copy()
    return torch.broadcast_to(x, dims)


@broadcast_to_p.def_abstract
def _broadcast_to_rule(x, shape):
    dims = const_list(shape)
    if dims is None:
        n = shape.shape[0] if shape.shape.rank == 1 else None
        return AbstractValue(x.dtype, None if n is None else [None] * n)
    if x.shape.rank is None:
        return AbstractValue(x.dtype, dims)
    return AbstractValue(x.dtype, _broadcast_to_dims(x.shape.dims, dims))


@broadcast_to_p.def_grad
def _broadcast_to_grad(op, dy):
    return dense(dy), None  # summed back to the input's shape by backprop's unbroadcast


@tf_export("broadcast_to")
def broadcast_to(input, shape, name=None):  # noqa: A002
    """Broadcasts `input` to `shape` with numpy rules (no copy of repeated values)."""
    return bind(broadcast_to_p, _tensor(input), shape_tensor("BroadcastTo", shape, "Tidx"))


@tf_export("broadcast_static_shape")
def broadcast_static_shape(shape_x, shape_y):
    """The broadcast of two TensorShapes (`ValueError` when incompatible)."""
    a, b = as_shape(shape_x), as_shape(shape_y)
    if a.rank is None or b.rank is None:
        return TensorShape(None)
    da, db = a.as_list(), b.as_list()
    n = max(len(da), len(db))
    da, db = [1] * (n - len(da)) + da, [1] * (n - len(db)) + db
    out = []
    for p, q in zip(da, db):
        if p == 1:
            out.append(q)
        elif q == 1 or q is None:
            out.append(p)
        elif p is None:
            out.append(q)
        elif p == q:
            out.append(p)
        else:
            raise ValueError("Incompatible shapes for broadcasting. Two shapes are compatible if for "
                             "each dimension pair they are either equal or one of them is 1. Received: "
                             f"{a} and {b}.")
    return TensorShape(out)


broadcast_args_p = Primitive("BroadcastArgs")


def _broadcast_args(a, b):
    n = max(len(a), len(b))
    pa, pb = [1] * (n - len(a)) + list(a), [1] * (n - len(b)) + list(b)
    out = []
    for p, q in zip(pa, pb):
        if p == q or q == 1:
            out.append(p)
        elif p == 1:
            out.append(q)
        else:
            raise invalid("BroadcastArgs", f"Incompatible shapes: {dims_str(a)} vs. {dims_str(b)}")
    return out


@broadcast_args_p.def_kernel
def _broadcast_args_kernel(s0, s1):
    return torch.tensor(_broadcast_args(s0.tolist(), s1.tolist()), dtype=s0.dtype)


@broadcast_args_p.def_abstract
def _broadcast_args_rule(s0, s1):
    a, b = const_list(s0), const_list(s1)
    if a is not None and b is not None:
        out = _broadcast_args(a, b)
        return AbstractValue(s0.dtype, [len(out)], np.array(out, dtype=s0.dtype.as_numpy_dtype))
    na, nb = s0.shape[0] if s0.shape.rank else None, s1.shape[0] if s1.shape.rank else None
    return AbstractValue(s0.dtype, [None if na is None or nb is None else max(na, nb)])


broadcast_args_p.def_grad(no_gradient)


@tf_export("broadcast_dynamic_shape")
def broadcast_dynamic_shape(shape_x, shape_y):
    """The broadcast of two shape vectors, as a tensor."""
    a, b = index_tensors("BroadcastArgs", [shape_x, shape_y], 0, "T")
    return bind(broadcast_args_p, a, b)
