"""`tf.keras.constraints`: MaxNorm, NonNeg, UnitNorm, MinMaxNorm, RadialConstraint; applied by
optimizers after each update (`variable.constraint`)."""

from __future__ import annotations

from tensorweave._src.api_export import PublicNamespace, export, tf_export
from tensorweave._src.keras import backend
from tensorweave._src.keras.object_registry import ObjectRegistry

tf = PublicNamespace()


class Constraint:
    def __call__(self, w):
        return w

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)


class MaxNorm(Constraint):
    def __init__(self, max_value=2, axis=0):
        self.max_value, self.axis = max_value, axis

    def __call__(self, w):
        norms = tf.sqrt(tf.reduce_sum(tf.square(w), axis=self.axis, keepdims=True))
        desired = tf.clip_by_value(norms, 0.0, float(self.max_value))
        return w * (desired / (backend.epsilon() + norms))

    def get_config(self) -> dict:
        return {"max_value": self.max_value, "axis": self.axis}


class NonNeg(Constraint):
    def __call__(self, w):
        return w * tf.cast(tf.greater_equal(w, 0.0), w.dtype)


class UnitNorm(Constraint):
    def __init__(self, axis=0):
        self.axis = axis

    def __call__(self, w):
        return w / (backend.epsilon() + tf.sqrt(tf.reduce_sum(tf.square(w), axis=self.axis, keepdims=True)))

    def get_config(self) -> dict:
        return {"axis": self.axis}


class MinMaxNorm(Constraint):
    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        self.min_value, self.max_value, self.rate, self.axis = min_value, max_value, rate, axis

    def __call__(self, w):
        norms = tf.sqrt(tf.reduce_sum(tf.square(w), axis=self.axis, keepdims=True))
        desired = self.rate * tf.clip_by_value(norms, float(self.min_value), float(self.max_value)) + \
            (1 - self.rate) * norms
        return w * (desired / (backend.epsilon() + norms))

    def get_config(self) -> dict:
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate, "axis": self.axis}


_CLASSES = {"Constraint": Constraint, "MaxNorm": MaxNorm, "NonNeg": NonNeg, "UnitNorm": UnitNorm,
            "MinMaxNorm": MinMaxNorm}
_ALIASES = {"max_norm": MaxNorm, "non_neg": NonNeg, "unit_norm": UnitNorm, "min_max_norm": MinMaxNorm}


_REGISTRY = ObjectRegistry("constraint", "keras.constraints", _CLASSES, _ALIASES, hint_on_deserialize=False)


def serialize(constraint, use_legacy_format=False) -> dict:
    return _REGISTRY.serialize(constraint, use_legacy_format)


def deserialize(config, custom_objects=None, use_legacy_format=False):
    return _REGISTRY.class_for_config(config, custom_objects)(**config.get("config", {}))


def get(identifier):
    return _REGISTRY.get(identifier, deserialize)


for _name, _obj in {**_CLASSES, **_ALIASES}.items():
    export("keras.constraints." + _name, _obj)
tf_export("keras.constraints.get")(get)
tf_export("keras.constraints.serialize")(serialize)
tf_export("keras.constraints.deserialize")(deserialize)
