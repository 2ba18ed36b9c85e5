"""`tf.keras.losses.get/serialize/deserialize`: losses by name, class name, config dict or callable."""

from __future__ import annotations

from tensorweave._src.api_export import EXPORTS, tf_export
from tensorweave._src.keras.losses.base import Loss


def _lookup(name: str):
    return EXPORTS.get("keras.losses." + name)


@tf_export("keras.losses.get")
def get(identifier):
    """A loss function or Loss object from a name ('mse', 'sparse_categorical_crossentropy', ...), a config
    dict, a Loss or a callable."""
    if identifier is None:
        return None
    if isinstance(identifier, str):
        obj = _lookup(identifier)
        if obj is None or not callable(obj):
            raise ValueError(f"Unknown loss function: '{identifier}'. Please ensure you are using a "
                             f"`keras.utils.custom_object_scope` and that this object is included in the scope.")
        return obj() if isinstance(obj, type) else obj
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret loss function identifier: {identifier}")


@tf_export("keras.losses.serialize")
def serialize(loss):
    if isinstance(loss, Loss):
        return {"module": "keras.losses", "class_name": type(loss).__name__, "config": loss.get_config(),
                "registered_name": None}
    return getattr(loss, "__name__", loss)


@tf_export("keras.losses.deserialize")
def deserialize(config, custom_objects=None):
    if isinstance(config, str):
        return get(config)
    name = config["class_name"]
    cls = (custom_objects or {}).get(name) or _lookup(name)
    if cls is None:
        raise ValueError(f"Unknown loss function: '{name}'.")
    return cls.from_config(config.get("config", {}))
