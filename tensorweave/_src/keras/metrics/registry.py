"""`tf.keras.metrics.get/serialize/deserialize`, resolving names as tf_keras 2.21 does: a class name gives
an instance with the default config, a function name the function; names tf_keras's metrics module does
not hold (e.g. 'auc', 'kld') come back unchanged, and private aliases ('bce') raise TypeError.

>>> import tensorweave as tf
>>> type(tf.keras.metrics.get("AUC")).__name__, tf.keras.metrics.get("acc").__name__
('AUC', 'accuracy')
"""

from __future__ import annotations

from tensorweave._src.api_export import EXPORTS, tf_export
from tensorweave._src.keras.losses import hinge as _hinge_losses
from tensorweave._src.keras.losses.registry import resolve, serialize_object
from tensorweave._src.keras.metrics import accuracy as _accuracy
from tensorweave._src.keras.metrics import base_metric, regression

# public keras.metrics names that tf_keras's metrics module does not itself hold
_NOT_IN_MODULE = {
    "get",
    "serialize",
    "deserialize",
    "experimental",
    "kld",
    "KLD",
    "kl_divergence",
    "binary_focal_crossentropy",
    "categorical_focal_crossentropy",
}

# functions tf_keras resolves by name although tf.keras.metrics does not export them
_RESOLVABLE = {"acc", "ACC", "accuracy", "categorical_hinge", "cosine_similarity", "cosine_proximity"}


def _module_objects() -> dict:
    table = {
        k.split(".", 2)[2]: v
        for k, v in EXPORTS.items()
        if k.startswith("keras.metrics.") and k.count(".") == 2
    }
    for name in _NOT_IN_MODULE:
        table.pop(name, None)
    table.update(
        {
            "accuracy": _accuracy.accuracy,
            "acc": _accuracy.accuracy,
            "ACC": _accuracy.accuracy,
            "bce": table["binary_crossentropy"],
            "BCE": table["binary_crossentropy"],
            "categorical_hinge": _hinge_losses.categorical_hinge,
            "cosine_similarity": regression.cosine_similarity,
            "cosine_proximity": regression.cosine_similarity,
            "Reduce": base_metric.Reduce,
            "SumOverBatchSize": base_metric.SumOverBatchSize,
            "SumOverBatchSizeMetricWrapper": base_metric.SumOverBatchSizeMetricWrapper,
        }
    )
    return table


@tf_export("keras.metrics.get", "metrics.get")
def get(identifier):
    """A metric function or Metric from a name, config dict, Metric or callable."""
    if isinstance(identifier, (dict, str)):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret metric identifier: {identifier}")


@tf_export("keras.metrics.serialize", "metrics.serialize")
def serialize(metric, use_legacy_format=False):
    return serialize_object(metric, "keras.metrics")


@tf_export("keras.metrics.deserialize", "metrics.deserialize")
def deserialize(config, custom_objects=None, use_legacy_format=False):
    if isinstance(config, dict) and config.get("class_name") == "MeanMetricWrapper":
        inner = dict(config.get("config") or {})
        fn = inner.pop("fn", None)
        fn = deserialize(fn, custom_objects) if isinstance(fn, (dict, str)) else fn
        if fn is None:
            raise ValueError("Could not interpret metric identifier: None")
        return base_metric.MeanMetricWrapper(fn, **inner)
    if config == "MeanMetricWrapper":
        raise ValueError("Could not interpret metric identifier: None")
    return resolve(config, _module_objects(), "keras.metrics.", custom_objects, resolvable=_RESOLVABLE)
