"""Sampling routines shared by the stateful, stateless and Generator kernels (torch generators in,
torch tensors out). Low-precision floats are sampled in float32 and rounded, as TF's kernels do."""

from __future__ import annotations

import numpy as np
import torch

from tensorweave._src.core import dtypes as _dt
from tensorweave._src.core.backend import TORCH_OF

_SAMPLE_DTYPE = {torch.float16: torch.float32, torch.bfloat16: torch.float32}


def _float_dtype(dtype: _dt.DType) -> tuple:
    target = TORCH_OF[dtype]
    return target, _SAMPLE_DTYPE.get(target, target)


def normal(g: torch.Generator, shape, dtype: _dt.DType):
    target, work = _float_dtype(dtype)
    return torch.randn(shape, generator=g, dtype=work).to(target)


def uniform(g: torch.Generator, shape, dtype: _dt.DType):
    """Uniform in [0, 1) (never 1 after rounding to a low-precision dtype)."""
    target, work = _float_dtype(dtype)
    out = torch.rand(shape, generator=g, dtype=work).to(target)
    if target is not work:  # rounding may reach 1.0
        below_one = torch.nextafter(torch.tensor(1.0, dtype=target), torch.tensor(0.0, dtype=target))
        out = torch.minimum(out, below_one)
    return out


def truncated_normal(g: torch.Generator, shape, dtype: _dt.DType):
    """Standard normal values redrawn until they lie within two standard deviations."""
    target, work = _float_dtype(dtype)
    out = torch.randn(shape, generator=g, dtype=work)
    bad = out.abs() > 2.0
    while bool(bad.any()):
        out[bad] = torch.randn(int(bad.sum()), generator=g, dtype=work)
        bad = out.abs() > 2.0
    return out.to(target)


def uniform_int(g: torch.Generator, shape, low: int, high: int, dtype: _dt.DType):
    """Integers uniform in [low, high)."""
    span = high - low
    if span <= 2**62:
        return torch.randint(0, span, shape, generator=g, dtype=torch.int64).add_(low).to(TORCH_OF[dtype])
    words = full_int(g, shape, _dt.uint64).numpy().astype(object)  # python ints: no overflow
    out = np.asarray((words % span) + low, dtype=dtype.as_numpy_dtype) if words.size else np.zeros(
        shape, dtype.as_numpy_dtype)
    return torch.from_numpy(out.reshape(shape))


def full_int(g: torch.Generator, shape, dtype: _dt.DType):
    """Integers uniform over the whole range of `dtype`."""
    bits = dtype.size * 8
    n = int(np.prod(shape, dtype=np.int64))
    lo = torch.randint(0, 2**32, (n,), generator=g, dtype=torch.int64).numpy().astype(np.uint64)
    if bits == 64:
        hi = torch.randint(0, 2**32, (n,), generator=g, dtype=torch.int64).numpy().astype(np.uint64)
        words = (hi << np.uint64(32)) | lo
    else:
        words = lo & np.uint64((1 << bits) - 1)
    arr = words.view(np.int64) if bits == 64 and not dtype.is_unsigned else words
    return torch.from_numpy(np.ascontiguousarray(arr.astype(dtype.as_numpy_dtype)).reshape(shape))


def categorical(g: torch.Generator, logits: torch.Tensor, num_samples: int, out_dtype: _dt.DType):
    """`num_samples` class indices per row of `logits`, drawn with probabilities softmax(logits)."""
    batch = logits.shape[0]
    if batch == 0 or num_samples == 0:
        return torch.zeros((batch, num_samples), dtype=TORCH_OF[out_dtype])
    probs = torch.softmax(logits.to(torch.float64), dim=-1)
    probs = torch.nan_to_num(probs, nan=0.0)
    empty = probs.sum(-1) <= 0
    if bool(empty.any()):  # all -inf (or nan) rows: TF then returns the last class... keep valid
        probs[empty] = 1.0
    out = torch.multinomial(probs, num_samples, replacement=True, generator=g)
    return out.to(TORCH_OF[out_dtype])


def numpy_rng(g: torch.Generator) -> np.random.Generator:
    """A numpy generator drawn from `g` (for distributions torch cannot draw with a generator)."""
    seed = int(torch.randint(0, 2**62, (1,), generator=g, dtype=torch.int64))
    return np.random.default_rng(seed)
