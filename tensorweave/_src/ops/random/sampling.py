"""Seeded sampling ops: `tf.random.categorical`, `shuffle`, `gamma` and `poisson`.

>>> import tensorweave as tf
>>> tf.random.categorical(tf.math.log([[0.5, 0.5]]), 5).shape
TensorShape([1, 5])
>>> tf.random.gamma([10], alpha=[0.5, 1.5]).shape
TensorShape([10, 2])
"""

from __future__ import annotations

import numpy as np
import torch

from tensorweave._src.api_export import tf_export
from tensorweave._src.core import dtypes as _dt
from tensorweave._src.core.backend import TORCH_OF
from tensorweave._src.core.convert import convert_to_tensor
from tensorweave._src.core.dispatch import bind, check_rule
from tensorweave._src.core.primitive import AbstractValue, Primitive
from tensorweave._src.ops._common import _mismatch, dims_str, invalid, tensor
from tensorweave._src.ops.math.binary import add, maximum, multiply, realdiv
from tensorweave._src.ops.random import _kernels
from tensorweave._src.ops.random._shapes import SHAPE_DTYPES, kernel_shape, shape_tensor, static_shape
from tensorweave._src.ops.random.seed import kernel_generator, op_seed_attrs

FLOATS = frozenset((_dt.float16, _dt.bfloat16, _dt.float32, _dt.float64))

# ---- categorical -----------------------------------------------------------------------------

multinomial_p = Primitive("Multinomial", allowed=FLOATS, stateful=True)


@multinomial_p.def_kernel
def _multinomial(logits, num_samples, seed, seed2, output_dtype):
    if num_samples.dtype is not torch.int32:
        raise ValueError("num_samples must be int32")
    n = int(num_samples)
    _check_multinomial(tuple(logits.shape), n)
    g = kernel_generator("Multinomial", output_dtype.name, seed, seed2)
    out = _kernels.categorical(g, logits, n, output_dtype)
    if logits.shape[0] and n:
        dead = torch.isneginf(logits.max(dim=-1).values)  # all -inf: TF yields num_classes
        out[dead] = logits.shape[1]
    return out


def _check_multinomial(dims, n):
    if len(dims) != 2:
        raise invalid("Multinomial", f"logits should be a matrix, got shape {dims_str(list(dims))}")
    if n is not None and n < 0:
        raise invalid("Multinomial", f"num_samples should be non-negative, got {n}")
    if dims[1] is not None and dims[1] <= 0:
        raise invalid("Multinomial", f"num_classes should be positive, got {dims[1]}")


@multinomial_p.def_abstract
def _multinomial_rule(logits, num_samples, seed, seed2, output_dtype):
    if num_samples.dtype is not _dt.int32:
        raise _mismatch("Multinomial", _dt.int32, num_samples.dtype)
    n = num_samples.const
    n = None if n is None else int(n)
    if logits.shape.rank is None:
        return AbstractValue(output_dtype, [None, n])
    _check_multinomial(tuple(logits.shape.as_list()), n)
    return AbstractValue(output_dtype, [logits.shape[0], n])


@tf_export("random.categorical")
def categorical(logits, num_samples, dtype=None, seed=None, name=None):
    """Draws `num_samples` class indices per row of `logits` ([batch, classes] unnormalized log-probs)."""
    logits = convert_to_tensor(logits)
    dtype = _dt.int64 if dtype is None else _dt.as_dtype(dtype)
    if dtype not in (_dt.int32, _dt.int64):
        raise ValueError(f"Argument `dtype` got invalid value {dtype}. Accepted dtypes are (tf.int32, "
                         "tf.int64).")
    num_samples = convert_to_tensor(num_samples)
    return bind(multinomial_p, logits, num_samples, output_dtype=dtype, **op_seed_attrs(seed))


@tf_export("compat.v1.random.multinomial", "compat.v1.multinomial")
def multinomial(logits, num_samples, seed=None, name=None, output_dtype=None):
    return categorical(logits, num_samples, dtype=output_dtype, seed=seed)


# ---- shuffle ---------------------------------------------------------------------------------

random_shuffle_p = Primitive("RandomShuffle", stateful=True)


@random_shuffle_p.def_kernel
def _random_shuffle(value, seed, seed2, T):
    if value.ndim == 0 or value.shape[0] <= 1:
        return value.copy() if isinstance(value, np.ndarray) else value.clone()
    perm = torch.randperm(value.shape[0], generator=kernel_generator("RandomShuffle", T.name, seed, seed2))
    if isinstance(value, np.ndarray):
        return value[perm.numpy()]
    return value[perm]


@random_shuffle_p.def_abstract
def _random_shuffle_rule(value, seed, seed2, T):
    return AbstractValue(value.dtype, value.shape)


@tf_export("random.shuffle")
def shuffle(value, seed=None, name=None):
    """Randomly permutes `value` along its first dimension."""
    value = convert_to_tensor(value)
    return bind(random_shuffle_p, value, T=value.dtype, **op_seed_attrs(seed))


# ---- gamma -----------------------------------------------------------------------------------

random_gamma_p = Primitive("RandomGamma", allowed=SHAPE_DTYPES, stateful=True)


@random_gamma_p.def_kernel
def _random_gamma(shape, alpha, seed, seed2):
    dims = kernel_shape("RandomGamma", shape)
    if not alpha.is_floating_point() or alpha.dtype is torch.bfloat16:
        raise ValueError("bad alpha dtype")
    out_dtype = alpha.dtype
    a = alpha.to(torch.float64).numpy()
    rng = _kernels.numpy_rng(kernel_generator("RandomGamma", str(out_dtype), seed, seed2))
    full = np.broadcast_to(a, dims + a.shape)
    safe = np.where(full >= 0, full, 1.0)  # alpha 0 gives 0 (then tiny), negative or nan alpha nan
    sample = rng.standard_gamma(safe) if full.size else np.zeros(full.shape)
    sample = np.where(full >= 0, sample, np.nan)
    return torch.from_numpy(np.asarray(sample, dtype=np.float64)).to(out_dtype)


@random_gamma_p.def_abstract
def _random_gamma_rule(shape, alpha, seed, seed2):
    if alpha.dtype not in (_dt.float16, _dt.float32, _dt.float64):
        raise invalid("RandomGamma", f"Value for attr 'T' of {alpha.dtype.name} is not in the list of "
                                     "allowed values: half, float, double")
    out = static_shape("RandomGamma", shape)
    return AbstractValue(alpha.dtype, out.concatenate(alpha.shape))


@tf_export("random.gamma")
def gamma(shape, alpha, beta=None, dtype=_dt.float32, seed=None, name=None):
    """Gamma(alpha, beta) samples; the output shape is `shape + broadcast(alpha, beta).shape`."""
    dtype = _dt.as_dtype(dtype)
    shape = shape_tensor(shape)
    alpha = convert_to_tensor(alpha, dtype)
    beta = convert_to_tensor(beta if beta is not None else 1, dtype)
    tiny = np.finfo(dtype.as_numpy_dtype).tiny
    alpha_broadcast = add(alpha, multiply(beta, convert_to_tensor(0, dtype)))
    sample = bind(random_gamma_p, shape, alpha_broadcast, **op_seed_attrs(seed))
    return maximum(convert_to_tensor(np.asarray(tiny, dtype.as_numpy_dtype)), realdiv(sample, beta))


# ---- poisson ---------------------------------------------------------------------------------

_POISSON_DTYPES = (_dt.float16, _dt.float32, _dt.float64, _dt.int32, _dt.int64)
random_poisson_p = Primitive("RandomPoissonV2", allowed=SHAPE_DTYPES, stateful=True)


@random_poisson_p.def_kernel
def _random_poisson(shape, rate, seed, seed2, dtype):
    dims = kernel_shape("RandomPoissonV2", shape)
    g = kernel_generator("RandomPoissonV2", dtype.name, seed, seed2)
    lam = rate.to(torch.float64)
    full = lam.expand(dims + tuple(lam.shape)).contiguous()
    sample = torch.poisson(torch.clamp(full, min=0.0), generator=g)
    return sample.to(TORCH_OF[dtype])


@random_poisson_p.def_abstract
def _random_poisson_rule(shape, rate, seed, seed2, dtype):
    names = "half, float, double, int32, int64"
    if rate.dtype not in _POISSON_DTYPES:
        raise invalid("RandomPoissonV2", f"Value for attr 'R' of {rate.dtype.name} is not in the list of "
                                         f"allowed values: {names}")
    if dtype not in _POISSON_DTYPES:
        raise invalid("RandomPoissonV2", f"Value for attr 'dtype' of {dtype.name} is not in the list of "
                                         f"allowed values: {names}")
    return AbstractValue(dtype, static_shape("RandomPoissonV2", shape).concatenate(rate.shape))


@tf_export("random.poisson")
def poisson(shape, lam, dtype=_dt.float32, seed=None, name=None):
    """Poisson(lam) samples; the output shape is `shape + lam.shape`."""
    dtype = _dt.as_dtype(dtype)
    shape = shape_tensor(shape)
    lam = tensor(lam)  # TF passes lam to its op as given
    # TF's dtype errors before any sampling
    check_rule(random_poisson_p, shape, lam, seed=0, seed2=0, dtype=dtype)
    return bind(random_poisson_p, shape, lam, dtype=dtype, **op_seed_attrs(seed))
