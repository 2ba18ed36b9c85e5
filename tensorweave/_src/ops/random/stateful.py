"""Seeded stateful random ops: `tf.random.normal`, `uniform`, `truncated_normal`.

Each is a stateful primitive taking the shape as an int32/int64 tensor and `seed`/`seed2` attrs from
TF's seeding rules (`seed.py`); the mean/stddev/range arithmetic is done with public ops, as TF does.

>>> import tensorweave as tf
>>> tf.random.normal([2, 3]).shape
TensorShape([2, 3])
>>> tf.random.uniform([4], maxval=10, dtype=tf.int32).dtype
tf.int32
"""

from __future__ import annotations

import torch

from tensorweave._src.api_export import tf_export
from tensorweave._src.core import dtypes as _dt
from tensorweave._src.core.convert import convert_to_tensor
from tensorweave._src.core.dispatch import bind
from tensorweave._src.core.primitive import AbstractValue, Primitive
from tensorweave._src.ops._common import dims_str, invalid
from tensorweave._src.ops.math.binary import add, multiply, subtract
from tensorweave._src.ops.random import _kernels
from tensorweave._src.ops.random._shapes import SHAPE_DTYPES, kernel_shape, shape_tensor, static_shape
from tensorweave._src.ops.random.seed import kernel_generator, op_seed_attrs

FLOATS = frozenset((_dt.float16, _dt.bfloat16, _dt.float32, _dt.float64))
_UNIFORM_DTYPES = (_dt.float16, _dt.bfloat16, _dt.float32, _dt.float64, _dt.int32, _dt.int64)


def _float_op(op_type: str, sampler) -> Primitive:
    """A primitive `op_type(shape; dtype, seed, seed2)` drawing floats with `sampler`."""
    prim = Primitive(op_type, allowed=SHAPE_DTYPES, stateful=True)

    @prim.def_kernel
    def kernel(shape, dtype, seed, seed2):
        if dtype not in FLOATS:
            raise ValueError("bad dtype")  # the rule words TF's error
        dims = kernel_shape(op_type, shape)
        return sampler(kernel_generator(op_type, dtype.name, seed, seed2), dims, dtype)

    @prim.def_abstract
    def rule(shape, dtype, seed, seed2):
        if dtype not in FLOATS:
            raise invalid(op_type, f"Value for attr 'dtype' of {dtype.name} is not in the list of allowed "
                                   "values: half, bfloat16, float, double")
        return AbstractValue(dtype, static_shape(op_type, shape))

    return prim


random_standard_normal_p = _float_op("RandomStandardNormal", _kernels.normal)
random_uniform_p = _float_op("RandomUniform", _kernels.uniform)
truncated_normal_p = _float_op("TruncatedNormal", _kernels.truncated_normal)

random_uniform_int_p = Primitive("RandomUniformInt", allowed=SHAPE_DTYPES, stateful=True)


@random_uniform_int_p.def_kernel
def _random_uniform_int(shape, minval, maxval, seed, seed2):
    dims = kernel_shape("RandomUniformInt", shape)
    lo, hi = int(minval), int(maxval)
    if lo >= hi:
        raise invalid("RandomUniformInt", f"Need minval < maxval, got {lo} >= {hi}")
    dtype = _dt.int32 if minval.dtype is torch.int32 else _dt.int64
    return _kernels.uniform_int(kernel_generator("RandomUniformInt", dtype.name, seed, seed2), dims, lo, hi,
                                dtype)


@random_uniform_int_p.def_abstract
def _random_uniform_int_rule(shape, minval, maxval, seed, seed2):
    for name, v in (("minval", minval), ("maxval", maxval)):
        if v.shape.rank not in (None, 0):
            raise invalid("RandomUniformInt", f"{name} must be 0-D, got shape {dims_str(v.shape)}")
    if minval.dtype is not maxval.dtype or minval.dtype not in (_dt.int32, _dt.int64):
        raise invalid("RandomUniformInt", f"Value for attr 'Tout' of {minval.dtype.name} is not in the list "
                                          "of allowed values: int32, int64")
    return AbstractValue(minval.dtype, static_shape("RandomUniformInt", shape))


def _float_param(value, dtype, name):
    try:
        return convert_to_tensor(value, dtype)
    except ValueError as e:  # TF converts it with name=`name`
        raise ValueError(f"{name}: {e}") from None


@tf_export("random.normal")
def normal(shape, mean=0.0, stddev=1.0, dtype=_dt.float32, seed=None, name=None):
    """Values from a normal distribution: `mean + stddev * N(0, 1)`.

    >>> import tensorweave as tf
    >>> x = tf.random.normal([1000], mean=5.0, stddev=0.1, seed=1)
    >>> 4.9 < float(tf.reduce_mean(x)) < 5.1
    True
    """
    dtype = _dt.as_dtype(dtype)
    shape = shape_tensor(shape)
    mean = _float_param(mean, dtype, "mean")
    stddev = _float_param(stddev, dtype, "stddev")
    rnd = bind(random_standard_normal_p, shape, dtype=dtype, **op_seed_attrs(seed))
    return add(multiply(rnd, stddev), mean)


@tf_export("random.truncated_normal")
def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=_dt.float32, seed=None, name=None):
    """Normal values redrawn until within two standard deviations of the mean."""
    dtype = _dt.as_dtype(dtype)
    shape = shape_tensor(shape)
    mean = _float_param(mean, dtype, "mean")
    stddev = _float_param(stddev, dtype, "stddev")
    rnd = bind(truncated_normal_p, shape, dtype=dtype, **op_seed_attrs(seed))
    return add(multiply(rnd, stddev), mean)


@tf_export("random.uniform")
def uniform(shape, minval=0, maxval=None, dtype=_dt.float32, seed=None, name=None):
    """Values uniform in `[minval, maxval)`; integer dtypes need `maxval`.

    >>> import tensorweave as tf
    >>> x = tf.random.uniform([100], minval=2, maxval=5, dtype=tf.int64)
    >>> int(tf.reduce_min(x)) >= 2 and int(tf.reduce_max(x)) < 5
    True
    """
    dtype = _dt.as_dtype(dtype)
    if dtype not in _UNIFORM_DTYPES:
        raise ValueError(f"Argument `dtype` got invalid value {dtype}. Accepted dtypes are "
                         f"({', '.join(repr(d) for d in _UNIFORM_DTYPES)}).")
    if maxval is None:
        if dtype.is_integer:
            raise ValueError(f"Must specify maxval for integer dtype {dtype!r}")
        maxval = 1
    shape = shape_tensor(shape)
    minval_is_zero = isinstance(minval, int) and not isinstance(minval, bool) and minval == 0
    maxval_is_one = isinstance(maxval, int) and not isinstance(maxval, bool) and maxval == 1
    if not minval_is_zero or not maxval_is_one or dtype.is_integer:
        minval = convert_to_tensor(minval, dtype)
        maxval = convert_to_tensor(maxval, dtype)
    attrs = op_seed_attrs(seed)
    if dtype.is_integer:
        return bind(random_uniform_int_p, shape, minval, maxval, **attrs)
    rnd = bind(random_uniform_p, shape, dtype=dtype, **attrs)
    if minval_is_zero:
        return rnd if maxval_is_one else multiply(rnd, maxval)
    return add(multiply(rnd, subtract(maxval, minval)), minval)
