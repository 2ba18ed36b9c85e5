"""`tf.keras.initializers` (Keras 2): Zeros, Ones, Constant, Random*, TruncatedNormal, VarianceScaling and
its Glorot/He/Lecun forms, Orthogonal, Identity; by object, string name or config dict.

>>> import tensorweave as tf
>>> init = tf.keras.initializers.get("ones")
>>> print(init((2,)))
tf.Tensor([1. 1.], shape=(2,), dtype=float32)
"""

from __future__ import annotations

import math

import numpy as np

from tensorweave._src.api_export import PublicNamespace, export, tf_export
from tensorweave._src.core import dtypes as _dt
from tensorweave._src.keras import backend
from tensorweave._src.keras.object_registry import ObjectRegistry

tf = PublicNamespace()


def _dtype(dtype):
    return _dt.as_dtype(dtype or backend.floatx())


class Initializer:
    """Base class: `initializer(shape, dtype=None, **kwargs) -> Tensor`."""

    def __call__(self, shape, dtype=None, **kwargs):
        raise NotImplementedError

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict):
        config = dict(config)
        config.pop("dtype", None)
        return cls(**config)


class Zeros(Initializer):
    def __call__(self, shape, dtype=None, **kwargs):
        return tf.zeros(shape, dtype=_dtype(dtype))


class Ones(Initializer):
    def __call__(self, shape, dtype=None, **kwargs):
        return tf.ones(shape, dtype=_dtype(dtype))


class Constant(Initializer):
    def __init__(self, value=0):
        self.value = value

    def __call__(self, shape, dtype=None, **kwargs):
        return tf.cast(tf.broadcast_to(tf.convert_to_tensor(self.value), shape), _dtype(dtype))

    def get_config(self) -> dict:
        return {"value": self.value}


class _ConstantInitializer(Constant):
    """`tf.constant_initializer` (TF's init_ops_v2.Constant): Keras's Constant, plus `support_partition`
    (accepted; there are no partitioned variables here)."""

    def __init__(self, value=0, support_partition=False):
        super().__init__(value)
        self.support_partition = support_partition


_ConstantInitializer.__name__ = _ConstantInitializer.__qualname__ = "Constant"


class _Random(Initializer):
    def __init__(self, seed=None):
        self.seed = seed
        self._calls = 0

    def _op_seed(self):
        """A seeded initializer gives the same values every call, as Keras 2's do."""
        return self.seed

    def get_config(self) -> dict:
        return {"seed": self.seed}


class RandomNormal(_Random):
    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        super().__init__(seed)
        self.mean, self.stddev = mean, stddev

    def __call__(self, shape, dtype=None, **kwargs):
        return _seeded(lambda s: tf.random.normal(shape, self.mean, self.stddev, dtype=_dtype(dtype), seed=s),
                       self.seed, lambda s: tf.random.stateless_normal(shape, [s, 0], self.mean, self.stddev,
                                                                        dtype=_dtype(dtype)))

    def get_config(self) -> dict:
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class RandomUniform(_Random):
    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        super().__init__(seed)
        self.minval, self.maxval = minval, maxval

    def __call__(self, shape, dtype=None, **kwargs):
        dt = _dtype(dtype)
        return _seeded(lambda s: tf.random.uniform(shape, self.minval, self.maxval, dtype=dt, seed=s), self.seed,
                       lambda s: tf.random.stateless_uniform(shape, [s, 0], self.minval, self.maxval, dtype=dt))

    def get_config(self) -> dict:
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


class TruncatedNormal(_Random):
    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        super().__init__(seed)
        self.mean, self.stddev = mean, stddev

    def __call__(self, shape, dtype=None, **kwargs):
        dt = _dtype(dtype)
        return _seeded(lambda s: tf.random.truncated_normal(shape, self.mean, self.stddev, dtype=dt, seed=s),
                       self.seed, lambda s: tf.random.stateless_truncated_normal(shape, [s, 0], self.mean,
                                                                                  self.stddev, dtype=dt))

    def get_config(self) -> dict:
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


def _seeded(stateful, seed, stateless):
    return stateful(None) if seed is None else stateless(int(seed))


def _fans(shape):
    shape = tuple(shape)
    if len(shape) < 1:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive = int(np.prod(shape[:-2]))
    return shape[-2] * receptive, shape[-1] * receptive


class VarianceScaling(_Random):
    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None):
        if scale <= 0.0:
            raise ValueError(f"`scale` must be positive float. Received: scale={scale}.")
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ValueError(f"Invalid `mode` argument: {mode}")
        distribution = distribution.lower()
        if distribution == "normal":
            distribution = "truncated_normal"
        if distribution not in ("uniform", "truncated_normal", "untruncated_normal"):
            raise ValueError(f"Invalid `distribution` argument: {distribution}")
        super().__init__(seed)
        self.scale, self.mode, self.distribution = scale, mode, distribution

    def __call__(self, shape, dtype=None, **kwargs):
        dt = _dtype(dtype)
        fan_in, fan_out = _fans(shape)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        scale = self.scale / max(1.0, n)
        if self.distribution == "truncated_normal":
            stddev = math.sqrt(scale) / 0.87962566103423978
            return TruncatedNormal(0.0, stddev, self.seed)(shape, dt)
        if self.distribution == "untruncated_normal":
            return RandomNormal(0.0, math.sqrt(scale), self.seed)(shape, dt)
        limit = math.sqrt(3.0 * scale)
        return RandomUniform(-limit, limit, self.seed)(shape, dt)

    def get_config(self) -> dict:
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution, "seed": self.seed}


def _variance_scaling_alias(name, scale, mode, distribution):
    def __init__(self, seed=None):
        VarianceScaling.__init__(self, scale=scale, mode=mode, distribution=distribution, seed=seed)

    def get_config(self):
        return {"seed": self.seed}

    return type(name, (VarianceScaling,), {"__init__": __init__, "get_config": get_config,
                                           "__doc__": f"VarianceScaling(scale={scale}, mode='{mode}', "
                                                      f"distribution='{distribution}')."})


GlorotUniform = _variance_scaling_alias("GlorotUniform", 1.0, "fan_avg", "uniform")
GlorotNormal = _variance_scaling_alias("GlorotNormal", 1.0, "fan_avg", "truncated_normal")
HeNormal = _variance_scaling_alias("HeNormal", 2.0, "fan_in", "truncated_normal")
HeUniform = _variance_scaling_alias("HeUniform", 2.0, "fan_in", "uniform")
LecunNormal = _variance_scaling_alias("LecunNormal", 1.0, "fan_in", "truncated_normal")
LecunUniform = _variance_scaling_alias("LecunUniform", 1.0, "fan_in", "uniform")


class Orthogonal(_Random):
    def __init__(self, gain=1.0, seed=None):
        super().__init__(seed)
        self.gain = gain

    def __call__(self, shape, dtype=None, **kwargs):
        if len(shape) < 2:
            raise ValueError(f"The tensor to initialize must be at least two-dimensional. Received: "
                             f"shape={shape} of rank {len(shape)}.")
        rows = int(np.prod(shape[:-1]))
        cols = shape[-1]
        flat = (max(rows, cols), min(rows, cols))
        a = RandomNormal(0.0, 1.0, self.seed)(flat, _dt.float32)
        q, r = tf.linalg.qr(a, full_matrices=False)
        q = q * tf.sign(tf.linalg.diag_part(r))
        if rows < cols:
            q = tf.transpose(q)
        return tf.cast(self.gain * tf.reshape(q, shape), _dtype(dtype))

    def get_config(self) -> dict:
        return {"gain": self.gain, "seed": self.seed}


class Identity(Initializer):
    def __init__(self, gain=1.0):
        self.gain = gain

    def __call__(self, shape, dtype=None, **kwargs):
        if len(shape) != 2:
            raise ValueError(f"Identity matrix initializer can only be used for 2D matrices. Received: "
                             f"shape={shape} of rank {len(shape)}.")
        return self.gain * tf.eye(shape[0], shape[1], dtype=_dtype(dtype))

    def get_config(self) -> dict:
        return {"gain": self.gain}


_CLASSES = {c.__name__: c for c in (Zeros, Ones, Constant, RandomNormal, RandomUniform, TruncatedNormal,
                                     VarianceScaling, GlorotUniform, GlorotNormal, HeNormal, HeUniform,
                                     LecunNormal, LecunUniform, Orthogonal, Identity)}
_ALIASES = {"zeros": Zeros, "zero": Zeros, "ones": Ones, "one": Ones, "constant": Constant,
            "random_normal": RandomNormal, "normal": RandomNormal, "random_uniform": RandomUniform,
            "uniform": RandomUniform, "truncated_normal": TruncatedNormal, "variance_scaling": VarianceScaling,
            "glorot_uniform": GlorotUniform, "glorot_normal": GlorotNormal, "he_normal": HeNormal,
            "he_uniform": HeUniform, "lecun_normal": LecunNormal, "lecun_uniform": LecunUniform,
            "orthogonal": Orthogonal, "identity": Identity}


_REGISTRY = ObjectRegistry("initializer", "keras.initializers", _CLASSES, _ALIASES)


def serialize(initializer, use_legacy_format=False) -> dict:
    return _REGISTRY.serialize(initializer, use_legacy_format)


def deserialize(config, custom_objects=None, use_legacy_format=False):
    return _REGISTRY.class_for_config(config, custom_objects).from_config(config.get("config", {}))


def get(identifier):
    """An initializer from an instance, class name or alias string, config dict, or callable."""
    return _REGISTRY.get(identifier, deserialize, class_base=Initializer)


for _name, _cls in _CLASSES.items():
    export("keras.initializers." + _name, _cls)
export("keras.initializers.Initializer", Initializer)
for _alias, _cls in (("zeros", Zeros), ("ones", Ones), ("constant", Constant), ("glorot_uniform", GlorotUniform),
                     ("glorot_normal", GlorotNormal), ("he_normal", HeNormal), ("he_uniform", HeUniform),
                     ("lecun_normal", LecunNormal), ("lecun_uniform", LecunUniform), ("orthogonal", Orthogonal),
                     ("identity", Identity), ("random_normal", RandomNormal), ("random_uniform", RandomUniform),
                     ("truncated_normal", TruncatedNormal), ("variance_scaling", VarianceScaling)):
    export("keras.initializers." + _alias, _cls)
tf_export("keras.initializers.get")(get)
tf_export("keras.initializers.serialize")(serialize)
tf_export("keras.initializers.deserialize")(deserialize)

# TF 2's core aliases: tf.initializers is the Keras set; tf.zeros_initializer() & co. are the same classes.
for _name in ("Constant", "GlorotNormal", "GlorotUniform", "HeNormal", "HeUniform", "Identity", "Initializer",
              "LecunNormal", "LecunUniform", "Ones", "Orthogonal", "RandomNormal", "RandomUniform",
              "TruncatedNormal", "VarianceScaling", "Zeros"):
    export("initializers." + _name, _CLASSES.get(_name, Initializer))
for _alias in ("constant", "glorot_normal", "glorot_uniform", "he_normal", "he_uniform", "identity",
               "lecun_normal", "lecun_uniform", "ones", "orthogonal", "random_normal", "random_uniform",
               "truncated_normal", "variance_scaling", "zeros"):
    export("initializers." + _alias, _ALIASES[_alias])
export("initializers.get", get)
export("initializers.serialize", serialize)
export("initializers.deserialize", deserialize)
export("zeros_initializer", Zeros)
export("ones_initializer", Ones)
export("constant_initializer", _ConstantInitializer)
export("random_normal_initializer", RandomNormal)
export("random_uniform_initializer", RandomUniform)
