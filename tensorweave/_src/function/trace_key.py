"""The cache key of a tf.function call: what decides whether a call reuses a trace (TF's TraceType).

Tensors count by dtype and shape, variables by identity, hashable Python values by value (so each new
Python number retraces, as in TF), other objects by identity.
"""

from __future__ import annotations

from tensorweave._src.core.shape import TensorShape
from tensorweave._src.core.tensor import Tensor
from tensorweave._src.core.variable import Variable
from tensorweave._src.function.tensor_spec import TensorSpec


def key_of(value, relax_shapes: bool = False):
    """A hashable description of `value` for the trace cache."""
    if isinstance(value, Tensor):
        return ("T", value.dtype, _shape_key(value.shape, relax_shapes))
    if isinstance(value, TensorSpec):
        return ("T", value.dtype, _shape_key(value.shape, relax_shapes))
    if isinstance(value, Variable):
        return ("V", id(getattr(value, "_parent", value)))
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple(key_of(v, relax_shapes) for v in value))
    if isinstance(value, dict):
        return ("dict", tuple((k, key_of(value[k], relax_shapes)) for k in sorted(value, key=repr)))
    try:
        hash(value)
    except TypeError:
        return ("id", id(value))
    return ("P", type(value), value)


def _shape_key(shape: TensorShape, relax: bool):
    if shape.rank is None:
        return None
    return tuple(None for _ in shape.as_list()) if relax else tuple(shape.as_list())
