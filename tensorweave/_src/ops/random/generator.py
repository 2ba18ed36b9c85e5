"""`tf.random.Generator`: an explicit RNG whose state is `[counter_lo, counter_hi, key]` (Philox layout).

Each draw is a function of the state (the `Stateful*` kernels are deterministic in it) and then
advances the counter by 256 per element, as TF does, so `from_seed`, `reset_from_seed`, `skip`,
`split` and `make_seeds` follow TF's rules (the numbers themselves are not TF's Philox stream).

>>> import tensorweave as tf
>>> g = tf.random.Generator.from_seed(1)
>>> g.state.numpy().tolist()
[1, 0, 0]
>>> _ = g.normal([2]); g.state.numpy().tolist()
[513, 0, 0]
"""

from __future__ import annotations

import enum
import zlib

import numpy as np

from tensorweave._src.api_export import EXPORTS, tf_export
from tensorweave._src.core import dtypes as _dt
from tensorweave._src.core.convert import constant, convert_to_tensor
from tensorweave._src.core.dispatch import bind
from tensorweave._src.core.primitive import AbstractValue, Primitive
from tensorweave._src.core.tensor import Tensor
from tensorweave._src.ops._common import dims_str, invalid
from tensorweave._src.ops.math.binary import add, multiply, subtract
from tensorweave._src.ops.random import _kernels
from tensorweave._src.ops.random._shapes import SHAPE_DTYPES, kernel_shape, shape_tensor, static_shape
from tensorweave._src.ops.random.seed import entropy_seed, generator_from

FLOATS = frozenset((_dt.float16, _dt.bfloat16, _dt.float32, _dt.float64))
_MASK64 = (1 << 64) - 1


@tf_export("random.Algorithm", "random.experimental.Algorithm")
class Algorithm(enum.Enum):
    """RNG algorithms (only the state layout matters here)."""
    PHILOX = 1
    THREEFRY = 2
    AUTO_SELECT = 3


_STATE_SIZE = {1: 3, 2: 2, 3: 3}
_ALG_NAMES = {"philox": 1, "threefry": 2, "auto_select": 3}


def _alg_value(alg) -> int:
    if alg is None:
        return Algorithm.PHILOX.value
    if isinstance(alg, Algorithm):
        alg = alg.value
    if isinstance(alg, str):
        if alg.lower() not in _ALG_NAMES:
            raise ValueError(f"Unsupported algorithm name: {alg}")
        alg = _ALG_NAMES[alg.lower()]
    alg = int(alg)
    if alg == Algorithm.AUTO_SELECT.value:
        alg = Algorithm.PHILOX.value
    if alg not in _STATE_SIZE:
        raise ValueError(f"Argument `alg` got unsupported value {alg}. Supported values are 1, 2 and 3.")
    return alg


def _words(value, size: int) -> np.ndarray:
    """An integer (any size, sign-extended) or int sequence as `size` int64 words, little-endian."""
    if isinstance(value, Tensor):
        value = value.numpy()
    if isinstance(value, (np.ndarray, list, tuple)):
        arr = np.asarray(value).reshape(-1)
        if arr.size == 1 and size > 1 and np.ndim(value) == 0:
            return _words(int(arr[0]), size)
        out = [int(v) for v in arr]
        if len(out) > size:
            raise ValueError(f"The size of the state {len(out)} exceeds the state size {size}")
        out = out + [0] * (size - len(out))
    else:
        s = int(value)
        out = []
        for _ in range(size):
            out.append(s & _MASK64)
            s >>= 64
    return np.array([w & _MASK64 for w in out], dtype=np.uint64).view(np.int64)


@tf_export("random.create_rng_state", "random.experimental.create_rng_state")
def create_rng_state(seed, alg):
    """The initial int64 state for `seed` under `alg`."""
    return constant(_words(seed, _STATE_SIZE[_alg_value(alg)]), dtype=_dt.int64)


# ---- primitives: deterministic in the state input ---------------------------------------------

def _state_generator(op_type: str, state, dtype: _dt.DType):
    if state.dim() != 1:
        raise invalid(op_type, f"RNG state must have one and only one dimension, not {state.dim()}")
    return generator_from(*state.tolist(), zlib.crc32(f"{op_type}:{dtype.name}".encode()))


def _check_state(op_type, state):
    if state.dtype is not _dt.int64:
        raise invalid(op_type, f"RNG state must be int64, got {state.dtype.name}")
    if state.shape.rank not in (None, 1):
        raise invalid(op_type, f"RNG state must have one and only one dimension, not {state.shape.rank}")


def _stateful_float_op(op_type: str, sampler) -> Primitive:
    prim = Primitive(op_type, stateful=True)

    @prim.def_kernel
    def kernel(state, shape, dtype, algorithm):
        if dtype not in FLOATS:
            raise ValueError("bad dtype")
        dims = kernel_shape(op_type, shape)
        return sampler(_state_generator(op_type, state, dtype), dims, dtype)

    @prim.def_abstract
    def rule(state, shape, dtype, algorithm):
        _check_state(op_type, state)
        if dtype not in FLOATS:
            raise invalid(op_type, f"Value for attr 'dtype' of {dtype.name} is not in the list of allowed "
                                   "values: half, bfloat16, float, double")
        if shape.dtype not in SHAPE_DTYPES:
            raise invalid(op_type, f"Value for attr 'shape_dtype' of {shape.dtype.name} is not in the list "
                                   "of allowed values: int32, int64")
        return AbstractValue(dtype, static_shape(op_type, shape))

    return prim


stateful_normal_p = _stateful_float_op("StatefulStandardNormalV2", _kernels.normal)
stateful_uniform_p = _stateful_float_op("StatefulUniform", _kernels.uniform)
stateful_truncated_normal_p = _stateful_float_op("StatefulTruncatedNormal", _kernels.truncated_normal)

stateful_uniform_int_p = Primitive("StatefulUniformInt", stateful=True)
_INT_DTYPES = (_dt.int32, _dt.int64, _dt.uint32, _dt.uint64)


@stateful_uniform_int_p.def_kernel
def _stateful_uniform_int(state, shape, minval, maxval, algorithm):
    dims = kernel_shape("StatefulUniformInt", shape)
    lo, hi = int(minval), int(maxval)
    if lo >= hi:
        raise invalid("StatefulUniformInt", f"Need minval < maxval, got {lo} >= {hi}")
    from tensorweave._src.core.backend import DTYPE_OF_TORCH
    dtype = DTYPE_OF_TORCH[minval.dtype]
    return _kernels.uniform_int(_state_generator("StatefulUniformInt", state, dtype), dims, lo, hi, dtype)


@stateful_uniform_int_p.def_abstract
def _stateful_uniform_int_rule(state, shape, minval, maxval, algorithm):
    _check_state("StatefulUniformInt", state)
    for name, v in (("minval", minval), ("maxval", maxval)):
        if v.shape.rank not in (None, 0):
            raise invalid("StatefulUniformInt", f"{name} must be 0-D, got shape {dims_str(v.shape)}")
    if minval.dtype not in _INT_DTYPES:
        raise invalid("StatefulUniformInt", f"Value for attr 'dtype' of {minval.dtype.name} is not in the "
                                            "list of allowed values: int32, int64, uint32, uint64")
    return AbstractValue(minval.dtype, static_shape("StatefulUniformInt", shape))


stateful_full_int_p = Primitive("StatefulUniformFullInt", stateful=True)


@stateful_full_int_p.def_kernel
def _stateful_full_int(state, shape, dtype, algorithm):
    if dtype not in _INT_DTYPES:
        raise ValueError("bad dtype")
    dims = kernel_shape("StatefulUniformFullInt", shape)
    return _kernels.full_int(_state_generator("StatefulUniformFullInt", state, dtype), dims, dtype)


@stateful_full_int_p.def_abstract
def _stateful_full_int_rule(state, shape, dtype, algorithm):
    _check_state("StatefulUniformFullInt", state)
    if dtype not in _INT_DTYPES:
        raise invalid("StatefulUniformFullInt", f"Value for attr 'dtype' of {dtype.name} is not in the list "
                                                "of allowed values: int32, int64, uint32, uint64")
    return AbstractValue(dtype, static_shape("StatefulUniformFullInt", shape))


stateful_binomial_p = Primitive("StatefulRandomBinomial", stateful=True)


@stateful_binomial_p.def_kernel
def _stateful_binomial(state, shape, counts, probs, dtype, algorithm):
    import torch

    dims = kernel_shape("StatefulRandomBinomial", shape)
    g = _state_generator("StatefulRandomBinomial", state, dtype)
    c = counts.to(torch.float64).expand(dims).contiguous()
    p = probs.to(torch.float64).expand(dims).contiguous()
    out = torch.binomial(c, p, generator=g)
    from tensorweave._src.core.backend import TORCH_OF
    return out.to(TORCH_OF[dtype])


@stateful_binomial_p.def_abstract
def _stateful_binomial_rule(state, shape, counts, probs, dtype, algorithm):
    _check_state("StatefulRandomBinomial", state)
    return AbstractValue(dtype, static_shape("StatefulRandomBinomial", shape))


# ---- the Generator -----------------------------------------------------------------------------

class _StateHolder:
    """Holds the state when tf.Variable is unavailable: `numpy()`, `assign()`, `read_value()`."""

    def __init__(self, value):
        self._value = constant(value, dtype=_dt.int64)

    def numpy(self):
        return self._value.numpy()

    def read_value(self):
        return self._value

    def value(self):
        return self._value

    def assign(self, value):
        self._value = constant(np.asarray(value), dtype=_dt.int64)
        return self._value

    @property
    def dtype(self):
        return _dt.int64

    @property
    def shape(self):
        return self._value.shape

    def __getitem__(self, i):
        return self._value[i]

    def __repr__(self):
        return f"<StateVar shape={self.shape} dtype=int64, numpy={self.numpy()!r}>"


def _make_state_var(value):
    variable = EXPORTS.get("Variable")
    if variable is not None:
        try:
            return variable(constant(value, dtype=_dt.int64), trainable=False, name="StateVar")
        except Exception:  # noqa: BLE001 - an incomplete Variable: keep the plain holder
            pass
    return _StateHolder(value)


@tf_export("random.Generator", "random.experimental.Generator")
class Generator:
    """A random number generator with explicit, resettable state (see module docstring)."""

    @classmethod
    def from_state(cls, state, alg):
        return cls(state=state, alg=alg)

    @classmethod
    def from_seed(cls, seed, alg=None):
        alg = _alg_value(alg)
        return cls(state=_words(seed, _STATE_SIZE[alg]), alg=alg)

    @classmethod
    def from_non_deterministic_state(cls, alg=None):
        alg = _alg_value(alg)
        words = [entropy_seed() | (entropy_seed() & 1) << 63 for _ in range(_STATE_SIZE[alg])]
        return cls(state=_words(words, _STATE_SIZE[alg]), alg=alg)

    @classmethod
    def from_key_counter(cls, key, counter, alg):
        alg = _alg_value(alg)
        return cls(state=_key_counter_state(key, counter, alg), alg=alg)

    def __init__(self, copy_from=None, state=None, alg=None):
        if copy_from is not None:
            if state is not None or alg is not None:
                raise ValueError("When `copy_from` is not None, neither `state` nor `alg` can be non-None.")
            self._alg = copy_from._alg
            state = copy_from._state_value()
        else:
            if state is None:
                raise ValueError("Please use `from_seed` or `from_non_deterministic_state` to create a "
                                 "Generator without a state.")
            self._alg = _alg_value(alg)
            state = _words(state, _STATE_SIZE[self._alg])
        self._state_var = _make_state_var(np.asarray(state, dtype=np.int64))

    # -- state ------------------------------------------------------------------------------------
    @property
    def state(self):
        return self._state_var

    @property
    def algorithm(self) -> int:
        return self._alg

    @property
    def key(self):
        return constant(self._state_value()[-1], dtype=_dt.int64)

    def _state_value(self) -> np.ndarray:
        return np.asarray(self._state_var.numpy(), dtype=np.int64)

    def _state_tensor(self):
        return constant(self._state_value(), dtype=_dt.int64)

    def reset(self, state):
        self._state_var.assign(_words(state, _STATE_SIZE[self._alg]))

    def reset_from_seed(self, seed):
        self.reset(_words(seed, _STATE_SIZE[self._alg]))

    def reset_from_key_counter(self, key, counter):
        self.reset(_key_counter_state(key, counter, self._alg))

    def skip(self, delta):
        self._advance(256 * int(delta))

    def _advance(self, delta: int) -> None:
        words = [int(w) & _MASK64 for w in self._state_value()]
        n_counter = len(words) - 1
        counter = sum(w << (64 * i) for i, w in enumerate(words[:n_counter]))
        counter = (counter + delta) & ((1 << (64 * n_counter)) - 1)
        new = [(counter >> (64 * i)) & _MASK64 for i in range(n_counter)] + [words[-1]]
        self._state_var.assign(np.array(new, dtype=np.uint64).view(np.int64))

    def _draw(self, prim, shape, *extra, **attrs):
        state = self._state_tensor()
        out = bind(prim, state, shape, *extra, algorithm=self._alg, **attrs)
        self._advance(256 * int(np.prod(out.shape.as_list(), dtype=np.int64)))
        return out

    # -- distributions ------------------------------------------------------------------------------
    def normal(self, shape, mean=0.0, stddev=1.0, dtype=_dt.float32, name=None):
        dtype = _dt.as_dtype(dtype)
        shape = shape_tensor(shape)
        mean, stddev = convert_to_tensor(mean, dtype), convert_to_tensor(stddev, dtype)
        rnd = self._draw(stateful_normal_p, shape, dtype=dtype)
        return add(multiply(rnd, stddev), mean)

    def truncated_normal(self, shape, mean=0.0, stddev=1.0, dtype=_dt.float32, name=None):
        dtype = _dt.as_dtype(dtype)
        shape = shape_tensor(shape)
        mean, stddev = convert_to_tensor(mean, dtype), convert_to_tensor(stddev, dtype)
        rnd = self._draw(stateful_truncated_normal_p, shape, dtype=dtype)
        return add(multiply(rnd, stddev), mean)

    def uniform(self, shape, minval=0, maxval=None, dtype=_dt.float32, name=None):
        dtype = _dt.as_dtype(dtype)
        if dtype.is_integer:
            if (minval is None) != (maxval is None):
                raise ValueError(f"For integer dtype {dtype}, minval and maxval must be both `None` or both "
                                 f"non-`None`; got minval={minval} and maxval={maxval}")
            if minval is None:
                return self.uniform_full_int(shape, dtype=dtype)
        elif maxval is None:
            maxval = 1
        shape = shape_tensor(shape)
        minval, maxval = convert_to_tensor(minval, dtype), convert_to_tensor(maxval, dtype)
        if dtype.is_integer:
            if dtype not in _INT_DTYPES:
                raise invalid("StatelessRandomUniformIntV2", f"Value for attr 'dtype' of {dtype.name} is not "
                              "in the list of allowed values: int32, int64, uint32, uint64")
            return self._draw(stateful_uniform_int_p, shape, minval, maxval)
        rnd = self._draw(stateful_uniform_p, shape, dtype=dtype)
        return add(multiply(rnd, subtract(maxval, minval)), minval)

    def uniform_full_int(self, shape, dtype=_dt.uint64, name=None):
        dtype = _dt.as_dtype(dtype)
        return self._draw(stateful_full_int_p, shape_tensor(shape), dtype=dtype)

    def binomial(self, shape, counts, probs, dtype=_dt.int32, name=None):
        dtype = _dt.as_dtype(dtype)
        counts, probs = convert_to_tensor(counts), convert_to_tensor(probs)
        return self._draw(stateful_binomial_p, shape_tensor(shape), counts, probs, dtype=dtype)

    # -- seeds and splitting -----------------------------------------------------------------------
    def make_seeds(self, count=1):
        """A [2, count] int64 tensor of seeds for stateless ops (second row zeros, as TF's)."""
        keys = self.uniform_full_int([int(count)], dtype=_dt.int64).numpy()
        return constant(np.stack([keys, np.zeros_like(keys)]), dtype=_dt.int64)

    def split(self, count=1):
        """`count` new independent generators (counter 0, fresh keys); advances this one."""
        keys = self.uniform_full_int([int(count)], dtype=_dt.int64).numpy()
        return [Generator(state=_key_counter_state(int(k), [0] * (_STATE_SIZE[self._alg] - 1), self._alg),
                          alg=self._alg) for k in keys]

    def __repr__(self):
        return f"<tensorweave.random.Generator object at {hex(id(self))}>"


def _key_counter_state(key, counter, alg) -> np.ndarray:
    size = _STATE_SIZE[_alg_value(alg)]
    counter = [int(c) for c in np.asarray(counter.numpy() if isinstance(counter, Tensor) else counter)
               .reshape(-1)]
    key = int(key.numpy() if isinstance(key, Tensor) else key)
    return _words(counter + [key], size)


_global_generator = None


@tf_export("random.get_global_generator", "random.experimental.get_global_generator")
def get_global_generator():
    """The global Generator (created from a nondeterministic state on first use)."""
    global _global_generator
    if _global_generator is None:
        _global_generator = Generator.from_non_deterministic_state()
    return _global_generator


@tf_export("random.set_global_generator", "random.experimental.set_global_generator")
def set_global_generator(generator):
    """Replaces the global Generator."""
    global _global_generator
    _global_generator = generator
