"""Unary logical and bitwise ops: `tf.math.logical_not` and `tf.bitwise.invert`."""

from __future__ import annotations

import torch

from tensorweave._src.api_export import tf_export
from tensorweave._src.core import dtypes as _dt
from tensorweave._src.core.dispatch import bind
from tensorweave._src.core.primitive import Primitive
from tensorweave._src.ops._common import same_as_input, tensor

logical_not_p = Primitive("LogicalNot", allowed={_dt.bool})
logical_not_p.def_kernel(torch.logical_not)
logical_not_p.def_abstract(same_as_input)

invert_p = Primitive("Invert", allowed=_dt.INTEGERS)
invert_p.def_kernel(torch.bitwise_not)
invert_p.def_abstract(same_as_input)


@tf_export("math.logical_not", "logical_not")
def logical_not(x, name=None):
    """Returns the truth value of NOT `x` elementwise (bool tensors)."""
    return bind(logical_not_p, tensor(x))


@tf_export("bitwise.invert")
def invert(x, name=None):
    """Flips all bits of an integer tensor elementwise."""
    return bind(invert_p, tensor(x))


def invert_operator(x):
    """The `~` operator: logical not on bools, bitwise invert on integers."""
    x = tensor(x)
    return logical_not(x) if x.dtype is _dt.bool else invert(x)
