"""Hinge metrics (tf_keras 2.21): Hinge, SquaredHinge, CategoricalHinge (means of the hinge losses).

>>> import tensorweave as tf
>>> m = tf.keras.metrics.Hinge()
>>> _ = m.update_state([[0.0, 1.0]], [[0.6, 0.4]])
>>> print(m.result())
tf.Tensor(1.1, shape=(), dtype=float32)
"""

from __future__ import annotations

from tensorweave._src.api_export import export
from tensorweave._src.keras.losses import hinge as losses
from tensorweave._src.keras.metrics.base_metric import MeanMetricWrapper


class Hinge(MeanMetricWrapper):
    def __init__(self, name="hinge", dtype=None):
        super().__init__(losses.hinge, name, dtype=dtype)


class SquaredHinge(MeanMetricWrapper):
    def __init__(self, name="squared_hinge", dtype=None):
        super().__init__(losses.squared_hinge, name, dtype=dtype)


class CategoricalHinge(MeanMetricWrapper):
    def __init__(self, name="categorical_hinge", dtype=None):
        super().__init__(losses.categorical_hinge, name, dtype=dtype)


for _cls in (Hinge, SquaredHinge, CategoricalHinge):
    export("keras.metrics." + _cls.__name__, _cls)
    export("metrics." + _cls.__name__, _cls)
