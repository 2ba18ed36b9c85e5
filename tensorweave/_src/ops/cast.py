"""`tf.cast`, `tf.dtypes.saturate_cast` and `tf.bitcast`.

>>> import tensorweave as tf
>>> print(tf.cast(tf.constant([-1, 0, 1, 2]), tf.bool))
tf.Tensor([ True False  True  True], shape=(4,), dtype=bool)
"""

from __future__ import annotations

import torch

from tensorweave._src.api_export import tf_export
from tensorweave._src.core import dtypes as _dt
from tensorweave._src.core import errors
from tensorweave._src.core.backend import TORCH_OF
from tensorweave._src.core.dispatch import bind
from tensorweave._src.core.primitive import AbstractValue, Primitive
from tensorweave._src.ops._common import invalid, tensor

cast_p = Primitive("Cast")


@cast_p.def_kernel
def _cast(x, DstT):
    target = TORCH_OF[DstT]
    if target is torch.bool:
        return x != 0
    if x.is_complex() and not target.is_complex:
        x = x.real
    if x.is_floating_point() and not (target.is_floating_point or target.is_complex):
        x = torch.trunc(x)  # float -> int truncates toward zero
    return x.to(target)


@cast_p.def_abstract
def _cast_rule(x, DstT):
    if x.dtype is _dt.string or DstT is _dt.string:
        raise errors.op_error(errors.UnimplementedError, "Cast",
                              f"Cast {x.dtype.name} to {DstT.name} is not supported")
    return AbstractValue(DstT, x.shape)


@tf_export("cast", "dtypes.cast")
def cast(x, dtype, name=None):
    """Casts `x` to `dtype`: floats truncate toward zero into integers, anything becomes bool as `!= 0`.

    >>> import tensorweave as tf
    >>> print(tf.cast(tf.constant(123456789), tf.int16))
    tf.Tensor(-13035, shape=(), dtype=int16)
    """
    dtype = _dt.as_dtype(dtype)
    x = tensor(x) if not hasattr(x, "_as_tensor") else x._as_tensor()
    if x.dtype is dtype:
        return x
    if x.dtype is _dt.string or dtype is _dt.string:
        raise errors.op_error(errors.UnimplementedError, "Cast",
                              f"Cast {x.dtype.name} to {dtype.name} is not supported")
    return bind(cast_p, x, DstT=dtype)


@tf_export("dtypes.saturate_cast", "saturate_cast")
def saturate_cast(value, dtype, name=None):
    """Casts `value` to `dtype`, clamping to the target's range first."""
    from tensorweave._src.ops.math.binary import maximum, minimum  # sibling op family

    dtype = _dt.as_dtype(dtype)
    x = tensor(value)
    if x.dtype.is_bool or dtype.is_bool or x.dtype is dtype:
        return cast(x, dtype)
    lo, hi = dtype.min, dtype.max
    if x.dtype.min < lo:
        x = maximum(x, tensor(lo).numpy().astype(x.dtype.as_numpy_dtype))
    if x.dtype.max > hi:
        x = minimum(x, tensor(hi).numpy().astype(x.dtype.as_numpy_dtype))
    return cast(x, dtype)


bitcast_p = Primitive("Bitcast")


@bitcast_p.def_kernel
def _bitcast(x, type):
    target = TORCH_OF[type]
    src_size, dst_size = x.element_size(), torch.empty((), dtype=target).element_size()
    if src_size == dst_size:
        return x.view(target)
    if src_size > dst_size:
        return x.contiguous().view(target).reshape(*x.shape, src_size // dst_size)
    if x.shape[-1] * src_size != dst_size:
        raise ValueError(f"Cannot bitcast from {x.dtype} to {target}: last dim must be {dst_size // src_size}")
    return x.contiguous().view(target).reshape(x.shape[:-1])


@bitcast_p.def_abstract
def _bitcast_rule(x, type):
    src, dst = x.dtype.size, type.size
    dims = x.shape.dims
    if dims is None:
        return AbstractValue(type, None)
    if src == dst:
        return AbstractValue(type, dims)
    if src > dst:
        return AbstractValue(type, dims + [src // dst])
    if dims and dims[-1] is not None and dims[-1] * src != dst:
        raise invalid("Bitcast", f"Cannot bitcast from {x.dtype.name} to {type.name}: shape {dims}")
    return AbstractValue(type, dims[:-1])


@tf_export("bitcast")
def bitcast(input, type, name=None):
    """Reinterprets the bytes of `input` as `type` without copying values."""
    return bind(bitcast_p, tensor(input), type=_dt.as_dtype(type))


@cast_p.def_grad
def _cast_grad(op, dy):
    src = op.inputs[0].dtype
    if (src.is_floating or src.is_complex) and (dy.dtype.is_floating or dy.dtype.is_complex):
        return cast(dy, src)
    return None
