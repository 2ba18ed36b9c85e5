"""`tf.keras.losses.get/serialize/deserialize`, resolving names as tf_keras 2.21 does: `get` with a string
uses the legacy lookup (unknown names raise ValueError), `deserialize` the new one (unknown names come
back unchanged; private aliases such as 'bce' raise TypeError).

>>> import tensorweave as tf
>>> tf.keras.losses.get("mse").__name__
'mean_squared_error'
"""

from __future__ import annotations

import inspect

from tensorweave._src.api_export import EXPORTS, tf_export
from tensorweave._src.keras.losses.base import Loss, LossFunctionWrapper

_PRIVATE_ALIASES = {"bce": "binary_crossentropy", "BCE": "binary_crossentropy", "huber_loss": "huber"}
_NOT_LOSSES = {"get", "serialize", "deserialize", "Reduction"}


def _module_objects() -> dict:
    """What tf_keras's `losses` module holds: the public losses, their private aliases, the base classes."""
    table = {
        k.split(".", 2)[2]: v
        for k, v in EXPORTS.items()
        if k.startswith("keras.losses.") and k.count(".") == 2
    }
    for name in _NOT_LOSSES:
        table.pop(name, None)
    for alias, target in _PRIVATE_ALIASES.items():
        table[alias] = table[target]
    table["LossFunctionWrapper"] = LossFunctionWrapper
    return table


def _unknown(name):
    return ValueError(
        f"Unknown loss function: '{name}'. Please ensure you are using a "
        f"`keras.utils.custom_object_scope` and that this object is included in the scope. See "
        f"https://www.tensorflow.org/guide/keras/save_and_serialize#registering_the_custom_object "
        f"for details."
    )


def instantiate(cls, config, custom_name=None):
    try:
        return cls.from_config(dict(config or {}))
    except TypeError as e:
        raise TypeError(
            f"Error when deserializing class '{custom_name or cls.__name__}' using config="
            f"{config if config is not None else {}}.\n\nException encountered: {e}"
        ) from None


def resolve(config, table: dict, public_prefix: str, custom_objects=None, resolvable=()):
    """The new-style `deserialize_keras_object` for strings and `{class_name, config}` dicts; a function
    found in `table` but neither public under `public_prefix` nor in `resolvable` raises TypeError."""
    custom_objects = custom_objects or {}
    if config is None:
        return None
    if isinstance(config, str) and custom_objects.get(config) is not None:
        return custom_objects[config]
    inner = None
    if isinstance(config, dict):
        if "class_name" not in config:
            raise ValueError(f"Unknown `config` as a `dict`, config={config}")
        inner = config.get("config")
        name = config["class_name"]
        if name in custom_objects:
            obj = custom_objects[name]
            return instantiate(obj, inner) if inspect.isclass(obj) else obj
        if name == "function":
            name = config["config"] if config.get("module") == "builtins" else config.get("registered_name")
            if name in custom_objects:
                return custom_objects[name]
    else:
        name = config
    if not isinstance(name, str) or name not in table:
        return name
    obj = table[name]
    if inspect.isclass(obj):
        return instantiate(obj, inner)
    if EXPORTS.get(public_prefix + name) is None and name not in resolvable:
        module = (
            "keras.metrics" if public_prefix == "keras.metrics." or name in ("bce", "BCE") else "keras.losses"
        )
        raise TypeError(
            f"Could not locate function '{name}'. Make sure custom classes are decorated with "
            f"`@keras.saving.register_keras_serializable()`. Full object config: "
            f"{{'module': '{module}', 'class_name': 'function', 'config': '{name}', "
            f"'registered_name': '{name}'}}"
        )
    return obj


def serialize_object(obj, module: str):
    if obj is None:
        return None
    if inspect.isfunction(obj) or inspect.isbuiltin(obj):
        return {
            "module": "builtins",
            "class_name": "function",
            "config": obj.__name__,
            "registered_name": "function",
        }
    config = obj.get_config()
    config = {k: serialize_object(v, module) if inspect.isfunction(v) else v for k, v in config.items()}
    return {"module": module, "class_name": type(obj).__name__, "config": config, "registered_name": None}


@tf_export("keras.losses.get", "losses.get")
def get(identifier):
    """A loss function or Loss object from a name ('mse', 'sparse_categorical_crossentropy', ...), a config
    dict, a Loss or a callable."""
    if identifier is None:
        return None
    if isinstance(identifier, str):
        if "module" in identifier:
            return deserialize(identifier)
        table = _module_objects()
        if identifier not in table:
            raise _unknown(identifier)
        obj = table[identifier]
        return obj() if inspect.isclass(obj) else obj
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret loss function identifier: {identifier}")


@tf_export("keras.losses.serialize", "losses.serialize")
def serialize(loss, use_legacy_format=False):
    if use_legacy_format and loss is not None and not inspect.isfunction(loss):
        return {"class_name": type(loss).__name__, "config": loss.get_config()}
    if use_legacy_format and loss is not None:
        return loss.__name__
    return serialize_object(loss, "keras.losses")


@tf_export("keras.losses.deserialize", "losses.deserialize")
def deserialize(name, custom_objects=None, use_legacy_format=False):
    return resolve(name, _module_objects(), "keras.losses.", custom_objects)


__all__ = ["get", "serialize", "deserialize", "Loss"]
