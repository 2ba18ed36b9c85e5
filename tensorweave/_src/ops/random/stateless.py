"""Stateless random ops: the same `seed=[a, b]` (and shape, dtype) always gives the same values.

>>> import tensorweave as tf
>>> a = tf.random.stateless_normal([3], seed=[1, 2])
>>> b = tf.random.stateless_normal([3], seed=[1, 2])
>>> bool(tf.reduce_all(a == b))
True
"""

from __future__ import annotations

import zlib

import torch

from tensorweave._src.api_export import EXPORTS, tf_export
from tensorweave._src.core import dtypes as _dt
from tensorweave._src.core import errors
from tensorweave._src.core.backend import DTYPE_OF_TORCH
from tensorweave._src.core.convert import convert_to_tensor
from tensorweave._src.core.dispatch import bind
from tensorweave._src.core.op_messages import fallback_if, own_message
from tensorweave._src.core.primitive import AbstractValue, Primitive
from tensorweave._src.ops._common import _mismatch, dims_str, invalid, tensor
from tensorweave._src.ops.math.binary import add, multiply, subtract
from tensorweave._src.ops.random import _kernels
from tensorweave._src.ops.random._shapes import SHAPE_DTYPES, kernel_shape, shape_tensor, static_shape
from tensorweave._src.ops.random.sampling import _check_multinomial
from tensorweave._src.ops.random.seed import generator_from

FLOATS = frozenset((_dt.float16, _dt.bfloat16, _dt.float32, _dt.float64))
_INT_DTYPES = (_dt.int32, _dt.int64, _dt.uint32, _dt.uint64)
_UNIFORM_DTYPES = (_dt.float16, _dt.bfloat16, _dt.float32, _dt.float64) + _INT_DTYPES
_KEY_OP = "StatelessRandomGetKeyCounter"


def _seed_generator(op_type: str, seed: torch.Tensor, dtype: _dt.DType) -> torch.Generator:
    if tuple(seed.shape) != (2,):
        raise invalid(_KEY_OP, f"seed must have shape [2], not {dims_str(list(seed.shape))}")
    a, b = (int(v) for v in seed.tolist())
    return generator_from(a, b, zlib.crc32(f"{op_type}:{dtype.name}".encode()))


def _check_seed(seed) -> None:
    if seed.dtype not in SHAPE_DTYPES:
        raise invalid(_KEY_OP, f"Value for attr 'Tseed' of {seed.dtype.name} is not in the list of allowed "
                               "values: int32, int64")
    if seed.shape.rank is not None and seed.shape.as_list() != [2]:
        raise invalid(_KEY_OP, f"seed must have shape [2], not {dims_str(seed.shape)}")


def _seed_tensor(seed):
    seed = tensor(seed)  # TF passes the seed to its op as given
    try:
        _check_seed(seed)
    except errors.OpError as e:
        raise fallback_if(e, seed)
    return seed


def _float_op(op_type: str, sampler) -> Primitive:
    prim = Primitive(op_type, allowed=SHAPE_DTYPES, stateful=True)

    @prim.def_kernel
    def kernel(shape, seed, dtype):
        if dtype not in FLOATS:
            raise ValueError("bad dtype")
        dims = kernel_shape(op_type, shape)
        return sampler(_seed_generator(op_type, seed, dtype), dims, dtype)

    @prim.def_abstract
    def rule(shape, seed, dtype):
        _check_seed(seed)
        if dtype not in FLOATS:
            raise invalid(op_type, f"Value for attr 'dtype' of {dtype.name} is not in the list of allowed "
                                   "values: half, bfloat16, float, double")
        return AbstractValue(dtype, static_shape(op_type, shape))

    return prim


stateless_normal_p = _float_op("StatelessRandomNormal", _kernels.normal)
stateless_uniform_p = _float_op("StatelessRandomUniform", _kernels.uniform)
stateless_truncated_normal_p = _float_op("StatelessTruncatedNormal", _kernels.truncated_normal)

stateless_uniform_int_p = Primitive("StatelessRandomUniformInt", allowed=SHAPE_DTYPES, stateful=True)
_INT_OP = "StatelessRandomUniformIntV2"


@stateless_uniform_int_p.def_kernel
def _stateless_uniform_int(shape, seed, minval, maxval):
    dims = kernel_shape(_INT_OP, shape)
    lo, hi = int(minval), int(maxval)
    if lo >= hi:
        raise invalid(_INT_OP, f"Need minval < maxval, got {lo} >= {hi}")
    dtype = DTYPE_OF_TORCH[minval.dtype]
    return _kernels.uniform_int(_seed_generator("StatelessRandomUniformInt", seed, dtype), dims, lo, hi, dtype)


@stateless_uniform_int_p.def_abstract
def _stateless_uniform_int_rule(shape, seed, minval, maxval):
    _check_seed(seed)
    for name, v in (("minval", minval), ("maxval", maxval)):
        if v.shape.rank not in (None, 0):
            raise invalid(_INT_OP, f"{name} must be 0-D, got shape {dims_str(v.shape)}")
    if minval.dtype is not maxval.dtype:
        raise _mismatch(_INT_OP, minval.dtype, maxval.dtype)
    return AbstractValue(minval.dtype, static_shape(_INT_OP, shape))


stateless_full_int_p = Primitive("StatelessRandomUniformFullInt", allowed=SHAPE_DTYPES, stateful=True)


@stateless_full_int_p.def_kernel
def _stateless_full_int(shape, seed, dtype):
    dims = kernel_shape("StatelessRandomUniformFullInt", shape)
    return _kernels.full_int(_seed_generator("StatelessRandomUniformFullInt", seed, dtype), dims, dtype)


@stateless_full_int_p.def_abstract
def _stateless_full_int_rule(shape, seed, dtype):
    _check_seed(seed)
    return AbstractValue(dtype, static_shape("StatelessRandomUniformFullInt", shape))


stateless_multinomial_p = Primitive("StatelessMultinomial", allowed=FLOATS, stateful=True)


@stateless_multinomial_p.def_kernel
def _stateless_multinomial(logits, num_samples, seed, output_dtype):
    if num_samples.dtype is not torch.int32:
        raise ValueError("num_samples must be int32")
    n = int(num_samples)
    _check_multinomial_op(tuple(logits.shape), n)
    out = _kernels.categorical(_seed_generator("StatelessMultinomial", seed, output_dtype), logits, n,
                               output_dtype)
    if logits.shape[0] and n:
        out[torch.isneginf(logits.max(dim=-1).values)] = logits.shape[1]
    return out


def _check_multinomial_op(dims, n):
    try:
        _check_multinomial(dims, n)
    except Exception as e:  # reword with this op's name
        raise invalid("StatelessMultinomial", own_message(e)) from None


@stateless_multinomial_p.def_abstract
def _stateless_multinomial_rule(logits, num_samples, seed, output_dtype):
    _check_seed(seed)
    if num_samples.dtype is not _dt.int32:
        raise _mismatch("StatelessMultinomial", _dt.int32, num_samples.dtype)
    n = num_samples.const
    n = None if n is None else int(n)
    if logits.shape.rank is None:
        return AbstractValue(output_dtype, [None, n])
    _check_multinomial_op(tuple(logits.shape.as_list()), n)
    return AbstractValue(output_dtype, [logits.shape[0], n])


# ---- public functions ------------------------------------------------------------------------

@tf_export("random.stateless_normal")
def stateless_normal(shape, seed, mean=0.0, stddev=1.0, dtype=_dt.float32, name=None, alg="auto_select"):
    """Deterministic normal values for `seed` (a shape-[2] int32/int64 tensor)."""
    dtype = _dt.as_dtype(dtype)
    shape = shape_tensor(shape)
    seed = _seed_tensor(seed)
    mean, stddev = convert_to_tensor(mean, dtype), convert_to_tensor(stddev, dtype)
    rnd = bind(stateless_normal_p, shape, seed, dtype=dtype)
    return add(multiply(rnd, stddev), mean)


@tf_export("random.stateless_truncated_normal")
def stateless_truncated_normal(shape, seed, mean=0.0, stddev=1.0, dtype=_dt.float32, name=None,
                               alg="auto_select"):
    """Deterministic truncated-normal values (within two stddev of the mean) for `seed`."""
    dtype = _dt.as_dtype(dtype)
    shape = shape_tensor(shape)
    seed = _seed_tensor(seed)
    mean, stddev = convert_to_tensor(mean, dtype), convert_to_tensor(stddev, dtype)
    rnd = bind(stateless_truncated_normal_p, shape, seed, dtype=dtype)
    return add(multiply(rnd, stddev), mean)


@tf_export("random.stateless_uniform")
def stateless_uniform(shape, seed, minval=0, maxval=None, dtype=_dt.float32, name=None, alg="auto_select"):
    """Deterministic uniform values in `[minval, maxval)` for `seed`; integer dtypes with both bounds
    None give integers over the dtype's full range."""
    dtype = _dt.as_dtype(dtype)
    if dtype not in _UNIFORM_DTYPES:
        raise ValueError(f"Argument `dtype` got invalid value {dtype}. Accepted dtypes are "
                         f"({', '.join(repr(d) for d in _UNIFORM_DTYPES)}).")
    if dtype.is_integer:
        if (minval is None) != (maxval is None):
            raise ValueError(f"For integer `dtype` argument {dtype}, argument `minval` and `maxval` must be "
                             f"both None or not None. Got `minval`={minval} and `maxval`={maxval}.")
    elif maxval is None:
        maxval = 1
    shape = shape_tensor(shape)
    seed = _seed_tensor(seed)
    if dtype.is_integer and minval is None:
        return bind(stateless_full_int_p, shape, seed, dtype=dtype)
    minval, maxval = convert_to_tensor(minval, dtype), convert_to_tensor(maxval, dtype)
    if dtype.is_integer:
        return bind(stateless_uniform_int_p, shape, seed, minval, maxval)
    rnd = bind(stateless_uniform_p, shape, seed, dtype=dtype)
    return add(multiply(rnd, subtract(maxval, minval)), minval)


@tf_export("random.stateless_categorical")
def stateless_categorical(logits, num_samples, seed, dtype=_dt.int64, name=None):
    """Deterministic class indices drawn from `logits` ([batch, classes]) for `seed`."""
    logits = convert_to_tensor(logits)
    dtype = _dt.as_dtype(dtype)
    if dtype not in (_dt.int32, _dt.int64):
        raise ValueError(f"Argument `dtype` got invalid value {dtype}. Accepted dtypes are (tf.int32, "
                         "tf.int64).")
    seed = _seed_tensor(seed)
    return bind(stateless_multinomial_p, logits, convert_to_tensor(num_samples), seed, output_dtype=dtype)


@tf_export("random.split", "random.experimental.stateless_split")
def split(seed, num=2, alg="auto_select"):
    """`num` new seeds (shape [num, 2], the seed's dtype) derived from `seed`."""
    seed = _seed_tensor(seed)
    return stateless_uniform(shape_tensor([num, 2]), seed, minval=None, maxval=None, dtype=seed.dtype)


@tf_export("random.fold_in", "random.experimental.stateless_fold_in")
def fold_in(seed, data, alg="auto_select"):
    """A new seed `[f(seed), data]` combining `seed` with the integer `data`."""
    data = convert_to_tensor(data)
    seed1 = stateless_uniform(shape_tensor([]), seed, minval=None, maxval=None, dtype=data.dtype)
    stack = EXPORTS.get("stack")
    if stack is not None:
        return stack([seed1, data])
    from tensorweave._src.core.convert import constant  # eager fallback until tf.stack exists
    return constant([seed1.numpy(), data.numpy()], dtype=data.dtype)
