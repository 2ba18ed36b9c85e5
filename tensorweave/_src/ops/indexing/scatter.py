"""`tf.scatter_nd` and `tf.tensor_scatter_nd_{update,add,sub,max,min}`.

`indices[..., :M]` address slices of the output; out-of-range indices are errors (skipped with
`bad_indices_policy="IGNORE"`). `scatter_nd` adds
duplicates; `tensor_scatter_nd_update` keeps the last update for duplicates.

>>> import tensorweave as tf
>>> print(tf.scatter_nd([[1], [3], [1]], [10, 20, 30], [5]))
tf.Tensor([ 0 40  0 20  0], shape=(5,), dtype=int32)
>>> print(tf.tensor_scatter_nd_update([1, 2, 3, 4], [[1], [3]], [9, 8]))
tf.Tensor([1 9 3 8], shape=(4,), dtype=int32)
"""

from __future__ import annotations

import numpy as np
import torch

from tensorweave._src.api_export import tf_export
from tensorweave._src.core import dtypes as _dt
from tensorweave._src.core.dispatch import bind
from tensorweave._src.core.primitive import AbstractValue, Primitive
from tensorweave._src.core.tensor import Tensor
from tensorweave._src.ops._common import _tf_type_name, dims_str, invalid, tensor
from tensorweave._src.ops.indexing._grad_util import T, dense, ignores_bad_indices, in_bounds, index_depth
from tensorweave._src.ops.indexing._util import (
    as_long,
    bits,
    check_index_dtype,
    from_order_key,
    int_list,
    order_key,
    prod,
    unbits,
)

# ---- shared kernel and shape rule -------------------------------------------------------------


def _scatter(op_name: str, out, indices, updates, mode: str):
    """Scatters `updates` into `out` (already a fresh copy) at `indices`, combining by `mode`."""
    shape = tuple(out.shape)
    m = indices.shape[-1]
    idx = as_long(indices).reshape(-1, m)
    n = idx.shape[0]
    sub, rest = shape[:m], shape[m:]
    limits = torch.tensor(sub, dtype=torch.int64)
    bad = ((idx < 0) | (idx >= limits)).any(-1) if m else torch.zeros(n, dtype=torch.bool)
    if bool(bad.any()):
        pos = int(torch.nonzero(bad)[0, 0])
        values = ", ".join(str(int(v)) for v in idx[pos])
        raise invalid(op_name, f"indices[{pos}] = [{values}] does not index into shape {dims_str(shape)}")
    strides = torch.tensor([prod(sub[j + 1:]) for j in range(m)], dtype=torch.int64)
    linear = (idx * strides).sum(-1) if m else torch.zeros(n, dtype=torch.int64)
    if n == 0:
        return out
    dtype = out.dtype
    if isinstance(out, torch.Tensor):
        encode = order_key if mode in ("max", "min") else bits
        out, updates = encode(out), encode(updates)
    flat = out.reshape(prod(sub), prod(rest))
    upd = updates.reshape(n, prod(rest))
    if mode == "update":
        # last update wins for duplicate indices, as TF's CPU kernel
        uniq, inverse = torch.unique(linear, return_inverse=True)
        last = torch.full((uniq.numel(),), -1, dtype=torch.int64).scatter_reduce(
            0, inverse, torch.arange(n), "amax")
        if isinstance(flat, np.ndarray):
            flat[uniq.numpy()] = upd[last.numpy()]
        else:
            flat[uniq] = upd[last]
    elif mode == "add":
        flat.index_add_(0, linear, upd)
    elif mode == "sub":
        flat -= torch.zeros_like(flat).index_add_(0, linear, upd)
    else:
        flat.scatter_reduce_(0, linear[:, None].expand(n, flat.shape[1]), upd,
                             "amax" if mode == "max" else "amin", include_self=True)
        return from_order_key(flat.reshape(shape), dtype)
    return unbits(flat.reshape(shape), dtype)


def _check_shapes(op_name: str, out_dims, index_shape, update_shape, out_name: str = "input") -> None:
    """TF's shape checks between output shape, indices and updates (unknown dims pass)."""
    if index_shape.rank is None or update_shape.rank is None or out_dims is None:
        return
    idims, udims = index_shape.as_list(), update_shape.as_list()
    if index_shape.rank == 0:
        raise invalid(op_name, "Indices shape must have rank at least one.")
    m = idims[-1]
    if m is None:
        return
    if m > len(out_dims):
        raise invalid(op_name, f"Index innermost dimension length must be <= output rank; saw: {m} vs. "
                               f"output rank: {len(out_dims)}")
    outer = idims[:-1]
    if len(udims) < len(outer) or any(a is not None and b is not None and a != b
                                      for a, b in zip(outer, udims)):
        raise invalid(op_name, f"Outer dimensions of indices and update must match. Indices shape: "
                               f"{dims_str(idims)}, updates shape:{dims_str(udims)}")
    inner_u, inner_o = udims[len(outer):], list(out_dims[m:])
    if len(inner_u) != len(inner_o) or any(a is not None and b is not None and a != b
                                           for a, b in zip(inner_u, inner_o)):
        k = len(outer)
        raise invalid(op_name, f"Dimensions [{m},{len(out_dims)}) of {out_name}[shape={dims_str(out_dims)}] "
                               f"must match dimensions [{k},{len(udims)}) of "
                               f"updates[shape={dims_str(udims)}]")


# ---- ScatterNd ---------------------------------------------------------------------------------

scatter_nd_p = Primitive("ScatterNd")


@scatter_nd_p.def_kernel
def _scatter_nd(indices, updates, shape):
    dims = int_list(shape)
    if any(d < 0 for d in dims):
        raise invalid("ScatterNd", f"Dimension -1 must be >= 0: shape {dims_str(dims)}")
    out = torch.zeros(dims, dtype=updates.dtype)
    return _scatter("ScatterNd", out, indices, updates, "add")


@scatter_nd_p.def_abstract
def _scatter_nd_rule(indices, updates, shape):
    check_index_dtype("ScatterNd", indices.dtype)
    const = getattr(shape, "const", None)
    if const is not None:
        dims = [int(d) for d in np.asarray(const).reshape(-1)]
    elif shape.shape.rank == 1 and shape.shape.as_list()[0] is not None:
        dims = [None] * shape.shape.as_list()[0]
    else:
        dims = None
    _check_scatter_nd_shapes(dims, indices.shape, updates.shape)
    return AbstractValue(updates.dtype, dims)


def _check_scatter_nd_shapes(out_dims, index_shape, update_shape) -> None:
    """ScatterNd's shape checks, as TF's ValidateScatterNdUpdateShape (unknown dims pass)."""
    if index_shape.rank is None or update_shape.rank is None or out_dims is None:
        return
    idims, udims = index_shape.as_list(), update_shape.as_list()
    if index_shape.rank == 0:
        raise invalid("ScatterNd", "Indices shape must have rank at least one.")
    slice_dim = idims[-1] if len(idims) > 1 else 1
    batch_dim = len(idims) - 1 if len(idims) > 1 else 1
    if slice_dim is None:
        return

    def prefix_error():
        return invalid("ScatterNd", f"Dimensions [0,{batch_dim}) of indices[shape={dims_str(idims)}] must "
                                    f"match dimensions [0,{batch_dim}) of updates[shape={dims_str(udims)}]")

    def suffix_error():
        return invalid("ScatterNd", f"Dimensions [{slice_dim},{len(out_dims)}) of input[shape="
                                    f"{dims_str(out_dims)}] must match dimensions [{batch_dim},{len(udims)}) "
                                    f"of updates[shape={dims_str(udims)}]")

    def differ(a, b):
        return a is not None and b is not None and a != b

    if len(udims) < batch_dim:
        raise prefix_error()
    if (len(out_dims) < slice_dim + len(udims) - batch_dim
            or len(udims) != batch_dim + len(out_dims) - slice_dim):
        raise suffix_error()
    if any(differ(udims[d], idims[d]) for d in range(batch_dim)):
        raise prefix_error()
    if any(differ(udims[d + batch_dim], out_dims[d + slice_dim]) for d in range(len(udims) - batch_dim)):
        raise suffix_error()


@tf_export("scatter_nd")
def scatter_nd(indices, updates, shape, bad_indices_policy="", name=None):
    """Scatters `updates` into a zero tensor of `shape` at `indices`; duplicates add up.

    >>> import tensorweave as tf
    >>> print(tf.scatter_nd([[1]], [[1, 2]], [3, 2]))
    tf.Tensor(
    [[0 0]
     [1 2]
     [0 0]], shape=(3, 2), dtype=int32)
    """
    indices = _tensor(indices)
    check_index_dtype("ScatterNd", indices.dtype)
    updates = _tensor(updates)
    shape = _tensor(shape, indices.dtype if indices.dtype in (_dt.int32, _dt.int64) else None)
    if ignores_bad_indices("ScatterNd", bad_indices_policy):
        indices, updates = _valid_only(indices, updates, shape[:index_depth("ScatterNd", indices)])
    return bind(scatter_nd_p, indices, updates, shape)


def _valid_only(indices, updates, limits):
    """`bad_indices_policy="IGNORE"`: the index vectors inside `limits`, with their updates."""
    ok = in_bounds(indices, limits)
    return T.boolean_mask(indices, ok), T.boolean_mask(updates, ok)


@scatter_nd_p.def_grad
def _scatter_nd_grad(op, dy):
    """d updates = gather_nd(dy, indices): duplicates each get the full gradient of their slot."""
    return None, T.gather_nd(dense(dy), op.inputs[0]), None


# ---- TensorScatter{Update,Add,Sub,Max,Min} -------------------------------------------------------

_ALL = frozenset(d for d in _dt.ALL if d.name not in ("resource", "variant"))
_TENSOR_SCATTER = {
    "update": ("TensorScatterUpdate", _ALL),
    "add": ("TensorScatterAdd", _dt.NUMERIC),
    "sub": ("TensorScatterSub", _dt.NUMERIC),
    "max": ("TensorScatterMax", _dt.REAL),
    "min": ("TensorScatterMin", _dt.REAL),
}
PRIMITIVES: dict = {}


def _define(mode: str) -> Primitive:
    op_name, allowed = _TENSOR_SCATTER[mode]
    prim = Primitive(op_name, allowed=allowed)

    @prim.def_kernel
    def kernel(t, indices, updates):
        out = t.copy() if isinstance(t, np.ndarray) else t.clone()
        return _scatter(op_name, out, indices, updates, mode)

    @prim.def_abstract
    def rule(t, indices, updates):
        check_index_dtype(op_name, indices.dtype)
        if updates.dtype is not t.dtype:
            raise invalid(op_name, f"cannot compute {op_name} as input #2(zero-based) was expected to be a "
                                   f"{_tf_type_name(t.dtype)} tensor but is a "
                                   f"{_tf_type_name(updates.dtype)} tensor")
        _check_shapes(op_name, None if t.shape.rank is None else t.shape.as_list(), indices.shape,
                      updates.shape)
        return AbstractValue(t.dtype, t.shape)

    prim.def_grad(_TENSOR_SCATTER_GRADS[mode])
    PRIMITIVES[mode] = prim
    return prim


# Gradient rules (TF's): for update, the overwritten slots of `tensor` get no gradient and every
# update, duplicates included (even the ones a later duplicate overwrote), gets gather_nd(dy).
def _update_grad(op, dy):
    dy = dense(dy)
    indices, updates = op.inputs[1], op.inputs[2]
    tensor_grad = T.tensor_scatter_nd_update(dy, indices, T.zeros_like(updates))
    return tensor_grad, None, T.gather_nd(dy, indices)


def _add_grad(op, dy):
    dy = dense(dy)
    return dy, None, T.gather_nd(dy, op.inputs[1])


def _sub_grad(op, dy):
    dy = dense(dy)
    return dy, None, T.negative(T.gather_nd(dy, op.inputs[1]))


def _min_max_grad(op, dy):
    """Ties between `tensor` and updates (or among updates) share the gradient equally."""
    dy = dense(dy)
    t, indices, updates = op.inputs
    out = op.outputs[0]
    x_ind = T.cast(T.equal(t, out), dy.dtype)
    y_ind = T.cast(T.equal(updates, T.gather_nd(out, indices)), dy.dtype)
    ys_ind = T.scatter_nd(indices, y_ind, T.shape(t, out_type=indices.dtype))
    ind = x_ind + ys_ind
    return dy * x_ind / ind, None, T.gather_nd(dy / ind, indices) * y_ind


_TENSOR_SCATTER_GRADS = {"update": _update_grad, "add": _add_grad, "sub": _sub_grad,
                         "max": _min_max_grad, "min": _min_max_grad}

for _mode in _TENSOR_SCATTER:
    _define(_mode)




def _tensor(x, dtype=None):
    if hasattr(x, "_as_tensor"):
        return x._as_tensor()
    if isinstance(x, Tensor):
        return x
    return tensor(x, dtype)


def _tensor_scatter(mode, t, indices, updates, bad_indices_policy=""):
    t = _tensor(t)
    indices = _tensor(indices)
    op_name = PRIMITIVES[mode].name
    check_index_dtype(op_name, indices.dtype)
    updates = _tensor(updates, t.dtype)
    if ignores_bad_indices(op_name, bad_indices_policy):
        limits = T.shape(t, out_type=indices.dtype)[:index_depth(op_name, indices)]
        indices, updates = _valid_only(indices, updates, limits)
    return bind(PRIMITIVES[mode], t, indices, updates)


@tf_export("tensor_scatter_nd_update")
def tensor_scatter_nd_update(tensor, indices, updates, name=None):
    """A copy of `tensor` with the slices at `indices` replaced by `updates` (last duplicate wins).

    >>> import tensorweave as tf
    >>> print(tf.tensor_scatter_nd_update([[1, 2], [3, 4]], [[1]], [[9, 8]]))
    tf.Tensor(
    [[1 2]
     [9 8]], shape=(2, 2), dtype=int32)
    """
    return _tensor_scatter("update", tensor, indices, updates)


@tf_export("tensor_scatter_nd_add")
def tensor_scatter_nd_add(tensor, indices, updates, bad_indices_policy="", name=None):
    """A copy of `tensor` with `updates` added at `indices` (duplicates add up)."""
    return _tensor_scatter("add", tensor, indices, updates, bad_indices_policy)


@tf_export("tensor_scatter_nd_sub")
def tensor_scatter_nd_sub(tensor, indices, updates, bad_indices_policy="", name=None):
    """A copy of `tensor` with `updates` subtracted at `indices` (duplicates accumulate)."""
    return _tensor_scatter("sub", tensor, indices, updates, bad_indices_policy)


@tf_export("tensor_scatter_nd_max")
def tensor_scatter_nd_max(tensor, indices, updates, bad_indices_policy="", name=None):
    """A copy of `tensor` with the elementwise maximum of it and `updates` at `indices`."""
    return _tensor_scatter("max", tensor, indices, updates, bad_indices_policy)


@tf_export("tensor_scatter_nd_min")
def tensor_scatter_nd_min(tensor, indices, updates, bad_indices_policy="", name=None):
    """A copy of `tensor` with the elementwise minimum of it and `updates` at `indices`."""
    return _tensor_scatter("min", tensor, indices, updates, bad_indices_policy)


def scatter_nd_update_operator(tensor, indices, updates):
    """`fn(tensor, indices, updates) -> new tensor`, registered as operator "scatter_nd_update"."""
    return tensor_scatter_nd_update(tensor, indices, updates)

