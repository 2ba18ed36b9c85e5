"""`tf.keras.optimizers` (tf_keras 2.21's optimizers): the `Optimizer` base, SGD, Adam, AdamW, RMSprop,
Adagrad, Adadelta, Adamax, Nadam, Ftrl, Lion, Adafactor, learning-rate `schedules`, and
`get` / `serialize` / `deserialize`.

>>> import tensorweave as tf
>>> type(tf.keras.optimizers.get("adam")).__name__
'Adam'
"""

from __future__ import annotations

import warnings

from tensorweave._src.api_export import tf_export
from tensorweave._src.keras.optimizers import schedules
from tensorweave._src.keras.optimizers.adadelta import Adadelta
from tensorweave._src.keras.optimizers.adafactor import Adafactor
from tensorweave._src.keras.optimizers.adagrad import Adagrad
from tensorweave._src.keras.optimizers.adam import Adam
from tensorweave._src.keras.optimizers.adamax import Adamax
from tensorweave._src.keras.optimizers.adamw import AdamW
from tensorweave._src.keras.optimizers.base import Optimizer
from tensorweave._src.keras.optimizers.ftrl import Ftrl
from tensorweave._src.keras.optimizers.lion import Lion
from tensorweave._src.keras.optimizers.nadam import Nadam
from tensorweave._src.keras.optimizers.rmsprop import RMSprop
from tensorweave._src.keras.optimizers.sgd import SGD

# what `get("name")` / `deserialize` resolve (lower-cased class names, as tf_keras; Lion and Adafactor
# are reachable only through a config carrying their module)
_BY_NAME = {"adadelta": Adadelta, "adagrad": Adagrad, "adam": Adam, "adamw": AdamW, "adamax": Adamax,
            "experimentaladadelta": Adadelta, "experimentaladagrad": Adagrad, "experimentaladam": Adam,
            "experimentalsgd": SGD, "nadam": Nadam, "rmsprop": RMSprop, "sgd": SGD, "ftrl": Ftrl}
_BY_CLASS = {c.__name__: c for c in (Adadelta, Adafactor, Adagrad, Adam, Adamax, AdamW, Ftrl, Lion, Nadam,
                                     RMSprop, SGD)}


@tf_export("keras.optimizers.serialize", "optimizers.serialize")
def serialize(optimizer, use_legacy_format=False):
    """`{'module': 'keras.optimizers', 'class_name', 'config', 'registered_name'}` of an optimizer."""
    if optimizer is None:
        return None
    if not isinstance(optimizer, Optimizer):
        warnings.warn("The `keras.optimizers.serialize()` API should only be used for objects of type "
                      f"`keras.optimizers.Optimizer`. Found an instance of type {type(optimizer)}, which may "
                      "lead to improper serialization.")
    config = {k: _python_value(v) for k, v in optimizer.get_config().items()}
    if use_legacy_format:
        return {"class_name": type(optimizer).__name__, "config": config}
    cls = type(optimizer)
    if _BY_CLASS.get(cls.__name__) is cls:
        return {"module": "keras.optimizers", "class_name": cls.__name__, "config": config,
                "registered_name": None}
    return {"module": None if cls.__module__ == "__main__" else cls.__module__, "class_name": cls.__name__,
            "config": config, "registered_name": cls.__name__}


def _python_value(value):
    item = getattr(value, "item", None)  # numpy scalars become Python numbers, as Keras serializes them
    return item() if item is not None and getattr(value, "shape", None) == () else value


@tf_export("keras.optimizers.deserialize", "optimizers.deserialize")
def deserialize(config, custom_objects=None, use_legacy_format=False, **kwargs):
    """The optimizer described by `config` (from `serialize`, or `{'class_name', 'config'}`)."""
    kwargs.pop("use_legacy_optimizer", None)
    if kwargs:
        raise TypeError(f"Invalid keyword arguments: {kwargs}")
    name = config["class_name"]
    cls = (custom_objects or {}).get(name) or _BY_NAME.get(name.lower())
    if cls is None and config.get("module") == "keras.optimizers":
        cls = _BY_CLASS.get(name)
    if cls is None:
        raise ValueError(f"Unknown optimizer: '{name}'. Please ensure you are using a `keras.utils."
                         f"custom_object_scope` and that this object is included in the scope. See "
                         f"https://www.tensorflow.org/guide/keras/save_and_serialize#registering_the_custom_"
                         f"object for details.")
    inner = dict(config.get("config", {}))
    try:
        return cls.from_config(inner, custom_objects=custom_objects)
    except TypeError:
        return cls.from_config(inner)


@tf_export("keras.optimizers.get", "optimizers.get")
def get(identifier, **kwargs):
    """An optimizer from an instance, a name ('adam', 'sgd', 'rmsprop', ...) or a config dict."""
    kwargs.pop("use_legacy_optimizer", None)
    if kwargs:
        raise TypeError(f"Invalid keyword arguments: {kwargs}")
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        return deserialize({"class_name": str(identifier), "config": {}})
    raise ValueError(f"Could not interpret optimizer identifier: {identifier}")


__all__ = ["Adadelta", "Adafactor", "Adagrad", "Adam", "Adamax", "AdamW", "Ftrl", "Lion", "Nadam",
           "Optimizer", "RMSprop", "SGD", "deserialize", "get", "schedules", "serialize"]
