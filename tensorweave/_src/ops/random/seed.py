"""TF's seeding rules: `tf.random.set_seed`, the (global, op) seed pair of each random op, and the
per-kernel generators that make repeated calls with the same seeds advance.

- No global seed and no op seed: nondeterministic.
- Global seed set, no op seed: the op seed is drawn from a `random.Random(global_seed)` that
  `set_seed` resets (the same draws TF makes), so a program repeats itself run to run.
- Op seed without global seed: the global seed defaults to 87654321.
- Eagerly, ops with the same type, dtype and seed pair share one generator (TF's kernel cache), so
  two such calls give different values; `set_seed` clears the cache, so the sequence repeats.

>>> import tensorweave as tf
>>> tf.random.set_seed(7)
>>> tf.compat.v1.random.get_seed(None), tf.compat.v1.random.get_seed(3)
((7, 1390851128), (7, 3))
"""

from __future__ import annotations

import os
import random as _pyrandom
import threading
import zlib

import torch

from tensorweave._src.api_export import tf_export

DEFAULT_GRAPH_SEED = 87654321
_MAXINT32 = 2**31 - 1

_lock = threading.Lock()
_global_seed = None
_op_seed_rng = None  # random.Random(global_seed), drawn for op seeds
_kernel_generators: dict = {}  # (op type, dtype, seed, seed2) -> torch.Generator
_entropy = _pyrandom.Random(int.from_bytes(os.urandom(8), "little"))


def _truncate_seed(seed: int) -> int:
    return int(seed) % _MAXINT32  # TF truncates seeds to fit int32


@tf_export("random.set_seed")
def set_seed(seed):
    """Sets the global random seed; op seeds drawn afterwards repeat the same sequence."""
    global _global_seed, _op_seed_rng
    with _lock:
        if seed is None:
            _global_seed, _op_seed_rng = None, None
        else:
            _global_seed = int(seed)
            _op_seed_rng = _pyrandom.Random(_global_seed)
        _kernel_generators.clear()


def global_seed():
    return _global_seed


@tf_export("compat.v1.random.get_seed", "compat.v1.get_seed")
def get_seed(op_seed):
    """The (graph-level, op-level) seed pair an op uses, by TF's rules; (None, None) is nondeterministic."""
    with _lock:
        if _global_seed is not None:
            if op_seed is None:
                op_seed = _op_seed_rng.randint(0, _MAXINT32)
            seeds = _truncate_seed(_global_seed), _truncate_seed(op_seed)
        elif op_seed is not None:
            seeds = DEFAULT_GRAPH_SEED, _truncate_seed(op_seed)
        else:
            seeds = None, None
    if seeds == (0, 0):
        return 0, _MAXINT32
    return seeds


def op_seed_attrs(seed):
    """`seed` and `seed2` attrs of a stateful random op for op seed `seed` (0, 0: nondeterministic)."""
    s1, s2 = get_seed(seed)
    return {"seed": 0 if s1 is None else s1, "seed2": 0 if s2 is None else s2}


def _mix(*words: int) -> int:
    """A 63-bit torch seed from integers (splitmix64 steps)."""
    h = 0x9E3779B97F4A7C15
    mask = (1 << 64) - 1
    for w in words:
        h = (h ^ (int(w) & mask)) & mask
        h = (h * 0xBF58476D1CE4E5B9) & mask
        h ^= h >> 31
        h = (h * 0x94D049BB133111EB) & mask
        h ^= h >> 29
    return h & ((1 << 63) - 1)


def generator_from(*words: int) -> torch.Generator:
    """A fresh torch generator determined by `words`."""
    g = torch.Generator()
    g.manual_seed(_mix(*words))
    return g


def kernel_generator(op_type: str, dtype_name: str, seed: int, seed2: int) -> torch.Generator:
    """The generator of the (cached) kernel for these attrs: it advances with each call, as TF's does."""
    if seed == 0 and seed2 == 0:
        g = torch.Generator()
        g.manual_seed(_entropy.getrandbits(63))
        return g
    key = (op_type, dtype_name, seed, seed2)
    with _lock:
        g = _kernel_generators.get(key)
        if g is None:
            g = _kernel_generators[key] = generator_from(seed, seed2, zlib.crc32(f"{op_type}:{dtype_name}".encode()))
        return g


def entropy_seed() -> int:
    """A nondeterministic 63-bit seed."""
    return _entropy.getrandbits(63)
