"""Float classification: `tf.math.is_nan`, `tf.math.is_inf`, `tf.math.is_finite` (float inputs only).

>>> import tensorweave as tf
>>> print(tf.math.is_nan([1.0, float("nan")]))
tf.Tensor([False  True], shape=(2,), dtype=bool)
"""

from __future__ import annotations

import torch

from tensorweave._src.api_export import tf_export
from tensorweave._src.core import dtypes as _dt
from tensorweave._src.core.dispatch import bind
from tensorweave._src.core.primitive import AbstractValue, Primitive
from tensorweave._src.ops._common import tensor


def _bool_rule(x, **attrs):
    return AbstractValue(_dt.bool, x.shape)


def _define(op_type, kernel, export):
    prim = Primitive(op_type, allowed=_dt.FLOATS)
    prim.def_kernel(kernel)
    prim.def_abstract(_bool_rule)

    def op(x, name=None):
        return bind(prim, tensor(x))

    op.__name__ = export.rsplit(".", 1)[-1]
    op.__doc__ = f"Returns which elements of float tensor `x` satisfy `{op.__name__}` (TF op `{op_type}`)."
    tf_export(export)(op)
    return prim, op


is_nan_p, is_nan = _define("IsNan", torch.isnan, "math.is_nan")
is_inf_p, is_inf = _define("IsInf", torch.isinf, "math.is_inf")
is_finite_p, is_finite = _define("IsFinite", torch.isfinite, "math.is_finite")


def _no_gradient(op, dy):
    return None


for _p in (is_nan_p, is_inf_p, is_finite_p):  # boolean outputs: not differentiable
    _p.def_grad(_no_gradient)
