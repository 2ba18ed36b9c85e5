"""Arg-reductions and scans: `tf.math.argmax/argmin` and `tf.math.cumsum/cumprod`.

>>> import tensorweave as tf
>>> print(tf.argmax([[1, 5], [7, 2]]))
tf.Tensor([1 0], shape=(2,), dtype=int64)
>>> print(tf.cumsum([1, 2, 3], exclusive=True, reverse=True))
tf.Tensor([5 3 0], shape=(3,), dtype=int32)
"""

from __future__ import annotations

import numpy as np
import torch

from tensorweave._src.api_export import tf_export
from tensorweave._src.core import dtypes as _dt
from tensorweave._src.core.backend import TORCH_OF
from tensorweave._src.core.convert import convert_to_tensor
from tensorweave._src.core.dispatch import bind
from tensorweave._src.core.op_messages import fallback_if
from tensorweave._src.core.primitive import AbstractValue, Primitive
from tensorweave._src.ops._common import dims_str, invalid, tensor
from tensorweave._src.ops.math._reduce_common import narrow, scan_axis, tidx_error, wide

_OUTPUT_TYPES = (_dt.int16, _dt.uint16, _dt.int32, _dt.int64)


def _scalar_axis(op_name, axis, x):
    t = tensor(axis if axis is not None else 0)
    if t.dtype not in (_dt.int32, _dt.int64):
        raise tidx_error(op_name, t.dtype)
    return t


# ---- ArgMax / ArgMin ---------------------------------------------------------------------------

def _arg_define(op_type: str, is_max: bool) -> Primitive:
    prim = Primitive(op_type, allowed=_dt.NUMERIC | {_dt.bool})

    @prim.def_kernel
    def kernel(x, dimension, output_type=_dt.int64):
        axis = scan_axis(op_type, dimension.reshape(-1).tolist(), x.ndim)
        if x.shape[axis] == 0:
            raise invalid(op_type, f"Reduction axis {axis} is empty in shape {dims_str(list(x.shape))}")
        if x.dtype is torch.bool:
            x = x.to(torch.int8)
        elif x.dtype in (torch.uint16, torch.uint32, torch.uint64):
            x = wide(x)
        elif x.is_floating_point():  # TF's (Eigen's) comparisons skip NaN
            x = torch.where(torch.isnan(x), float("-inf") if is_max else float("inf"), x)
        elif x.is_complex():
            x = x.real
        idx = torch.argmax(x, dim=axis) if is_max else torch.argmin(x, dim=axis)
        return narrow(idx, TORCH_OF[output_type])

    @prim.def_abstract
    def rule(x, dimension, output_type=_dt.int64):
        if output_type not in _OUTPUT_TYPES:
            raise invalid(op_type, f"Value for attr 'output_type' of {output_type.name} is not in the list "
                                   f"of allowed values: int16, uint16, int32, int64")
        rank = x.shape.rank
        axis = getattr(dimension, "const", None)
        if rank is None:
            return AbstractValue(output_type, None)
        if axis is None:
            return AbstractValue(output_type, [None] * max(rank - 1, 0))
        axis = scan_axis(op_type, axis, rank)
        dims = x.shape.as_list()
        if dims[axis] == 0:
            raise invalid(op_type, f"Reduction axis {axis} is empty in shape {dims_str(dims)}")
        return AbstractValue(output_type, dims[:axis] + dims[axis + 1:])

    return prim


argmax_p = _arg_define("ArgMax", True)
argmin_p = _arg_define("ArgMin", False)


def _arg(prim, input, axis, output_type):
    output_type = _dt.as_dtype(output_type)
    if output_type not in _OUTPUT_TYPES:  # TF passes input and axis to its op as given
        raise fallback_if(invalid(prim.name, f"Value for attr 'output_type' of {output_type.name} is not in "
                                             f"the list of allowed values: int16, uint16, int32, int64"),
                          input, axis)
    x = tensor(input)
    return bind(prim, x, _scalar_axis(prim.name, axis, x), output_type=output_type)


@tf_export("math.argmax", "argmax")
def argmax(input, axis=None, output_type=_dt.int64, name=None):
    """Index of the largest value along `axis` (default 0), as `output_type` (int64)."""
    return _arg(argmax_p, input, axis, output_type)


@tf_export("math.argmin", "argmin")
def argmin(input, axis=None, output_type=_dt.int64, name=None):
    """Index of the smallest value along `axis` (default 0), as `output_type` (int64)."""
    return _arg(argmin_p, input, axis, output_type)


# ---- Cumsum / Cumprod --------------------------------------------------------------------------

def _scan_define(op_type: str, torch_fn, identity: int) -> Primitive:
    prim = Primitive(op_type, allowed=_dt.NUMERIC)

    def check(axis, rank):
        a = int(np.asarray(axis).reshape(-1)[0])
        if not -rank <= a < rank:
            raise invalid(op_type, f"ScanOp: Expected scan axis in the range [{-rank}, {rank}), but got {a}")
        return a + rank if a < 0 else a

    @prim.def_kernel
    def kernel(x, axis, exclusive=False, reverse=False):
        a = check(axis.reshape(-1).tolist(), x.ndim)
        y = x if x.is_floating_point() or x.is_complex() else wide(x)
        if reverse:
            y = torch.flip(y, (a,))
        if exclusive:
            n = y.shape[a]
            pad = torch.full_like(y.narrow(a, 0, min(n, 1)), identity)
            y = torch.cat([pad, y.narrow(a, 0, max(n - 1, 0))], dim=a) if n else y
        y = torch_fn(y, dim=a)
        if reverse:
            y = torch.flip(y, (a,))
        return narrow(y, x.dtype)

    @prim.def_abstract
    def rule(x, axis, exclusive=False, reverse=False):
        const = getattr(axis, "const", None)
        if const is not None and x.shape.rank is not None:
            check(const, x.shape.rank)
        return AbstractValue(x.dtype, x.shape)

    return prim


cumsum_p = _scan_define("Cumsum", torch.cumsum, 0)
cumprod_p = _scan_define("Cumprod", torch.cumprod, 1)


@tf_export("math.cumsum", "cumsum")
def cumsum(x, axis=0, exclusive=False, reverse=False, name=None):
    """Cumulative sum along `axis`; `exclusive` starts from 0, `reverse` scans from the end."""
    x = convert_to_tensor(x)  # TF's cumsum converts x first
    return bind(cumsum_p, x, _scalar_axis("Cumsum", axis, x), exclusive=bool(exclusive),
                reverse=bool(reverse))


@tf_export("math.cumprod")
def cumprod(x, axis=0, exclusive=False, reverse=False, name=None):
    """Cumulative product along `axis`; `exclusive` starts from 1, `reverse` scans from the end."""
    x = convert_to_tensor(x)  # TF's cumprod converts x first
    return bind(cumprod_p, x, _scalar_axis("Cumprod", axis, x), exclusive=bool(exclusive),
                reverse=bool(reverse))


# ---- gradient rules (TF's math_grad) -------------------------------------------------------------

def _no_gradient(op, dy):
    return None, None


argmax_p.def_grad(_no_gradient)
argmin_p.def_grad(_no_gradient)


@cumsum_p.def_grad
def _cumsum_grad(op, dy):
    return cumsum(dy, op.inputs[1], exclusive=op.get_attr("exclusive"),
                  reverse=not op.get_attr("reverse")), None


@cumprod_p.def_grad
def _cumprod_grad(op, dy):
    """TF's rule: cumsum(prod * dy) / x in the opposite direction, with 0 where x is 0 (div_no_nan, so
    not the true derivative at zeros), and no conjugation for complex input."""
    from tensorweave._src.ops.math.binary import divide_no_nan, multiply  # binary does not import scan

    x, axis = op.inputs
    exclusive, reverse = op.get_attr("exclusive"), op.get_attr("reverse")
    prod = cumprod(x, axis, exclusive=exclusive, reverse=reverse)
    out = cumsum(multiply(prod, dy), axis, exclusive=exclusive, reverse=not reverse)
    return divide_no_nan(out, x), None
