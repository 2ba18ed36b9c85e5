"""`tf.keras.metrics.get/serialize/deserialize`."""

from __future__ import annotations

from tensorweave._src.api_export import EXPORTS, tf_export
from tensorweave._src.keras.metrics.base_metric import Metric

_ALIASES = {"acc": "accuracy", "mse": "mean_squared_error", "MSE": "mean_squared_error",
            "mae": "mean_absolute_error", "MAE": "mean_absolute_error", "mape": "mean_absolute_percentage_error",
            "msle": "mean_squared_logarithmic_error", "ce": "categorical_crossentropy"}


def _lookup(name: str):
    return EXPORTS.get("keras.metrics." + _ALIASES.get(name, name)) or EXPORTS.get(
        "keras.losses." + _ALIASES.get(name, name))


@tf_export("keras.metrics.get")
def get(identifier):
    """A metric function or Metric from a name, config dict, Metric or callable."""
    if isinstance(identifier, str):
        obj = _lookup(identifier)
        if obj is None:
            raise ValueError(f"Unknown metric function: '{identifier}'. Please ensure you are using a "
                             f"`keras.utils.custom_object_scope` and that this object is included in the scope.")
        return obj
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret metric identifier: {identifier}")


@tf_export("keras.metrics.serialize")
def serialize(metric):
    if isinstance(metric, Metric):
        return {"module": "keras.metrics", "class_name": type(metric).__name__, "config": metric.get_config(),
                "registered_name": None}
    return getattr(metric, "__name__", metric)


@tf_export("keras.metrics.deserialize")
def deserialize(config, custom_objects=None):
    if isinstance(config, str):
        return get(config)
    name = config["class_name"]
    cls = (custom_objects or {}).get(name) or _lookup(name)
    if cls is None:
        raise ValueError(f"Unknown metric function: '{name}'.")
    return cls.from_config(config.get("config", {}))
