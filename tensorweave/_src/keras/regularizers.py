"""`tf.keras.regularizers`: L1, L2, L1L2 (and OrthogonalRegularizer), by object, name or config.

>>> import tensorweave as tf
>>> print(tf.keras.regularizers.L2(0.1)(tf.constant([1.0, 2.0])))
tf.Tensor(0.5, shape=(), dtype=float32)
"""

from __future__ import annotations

import numpy as np

from tensorweave._src.api_export import PublicNamespace, export, tf_export
from tensorweave._src.keras.object_registry import ObjectRegistry

tf = PublicNamespace()


def _floatx(value) -> float:
    """Keras keeps regularization factors as float32 (its configs show 0.009999999776482582 for 0.01)."""
    return float(np.float32(value))


class Regularizer:
    def __call__(self, x):
        return 0.0

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)


class L1L2(Regularizer):
    def __init__(self, l1=0.0, l2=0.0):
        self.l1 = _floatx(l1)
        self.l2 = _floatx(l2)

    def __call__(self, x):
        total = tf.constant(0.0, dtype=x.dtype)
        if self.l1:
            total = total + self.l1 * tf.reduce_sum(tf.abs(x))
        if self.l2:
            total = total + self.l2 * tf.reduce_sum(tf.square(x))
        return total

    def get_config(self) -> dict:
        return {"l1": self.l1, "l2": self.l2}


class L1(Regularizer):
    def __init__(self, l1=0.01, **kwargs):
        self.l1 = _floatx(kwargs.pop("l", l1))

    def __call__(self, x):
        return self.l1 * tf.reduce_sum(tf.abs(x))

    def get_config(self) -> dict:
        return {"l1": self.l1}


class L2(Regularizer):
    def __init__(self, l2=0.01, **kwargs):
        self.l2 = _floatx(kwargs.pop("l", l2))

    def __call__(self, x):
        return self.l2 * tf.reduce_sum(tf.square(x))

    def get_config(self) -> dict:
        return {"l2": self.l2}


def l1_l2(l1=0.01, l2=0.01) -> L1L2:
    return L1L2(l1=l1, l2=l2)


_CLASSES = {"Regularizer": Regularizer, "L1L2": L1L2, "L1": L1, "L2": L2}
_ALIASES = {"l1": L1, "l2": L2, "l1_l2": l1_l2}


_REGISTRY = ObjectRegistry("regularizer", "keras.regularizers", _CLASSES, _ALIASES, hint_on_deserialize=False)


def serialize(regularizer, use_legacy_format=False) -> dict:
    return _REGISTRY.serialize(regularizer, use_legacy_format)


def deserialize(config, custom_objects=None, use_legacy_format=False):
    return _REGISTRY.class_for_config(config, custom_objects)(**config.get("config", {}))


def get(identifier):
    return _REGISTRY.get(identifier, deserialize)


for _name, _obj in {**_CLASSES, "l1": L1, "l2": L2, "l1_l2": l1_l2}.items():
    export("keras.regularizers." + _name, _obj)
tf_export("keras.regularizers.get")(get)
tf_export("keras.regularizers.serialize")(serialize)
tf_export("keras.regularizers.deserialize")(deserialize)
