"""`tf.keras.Input` and `InputLayer`: the entry points of functional models.

>>> import tensorweave as tf
>>> x = tf.keras.Input(shape=(5,), name="inp")
>>> x
<KerasTensor: shape=(None, 5) dtype=float32 (created by layer 'inp')>
"""

from __future__ import annotations

from tensorweave._src.api_export import tf_export
from tensorweave._src.core import dtypes as _dt
from tensorweave._src.keras import backend
from tensorweave._src.keras.engine.base_layer import Layer
from tensorweave._src.keras.engine.keras_tensor import KerasHistory, KerasTensor
from tensorweave._src.keras.engine.node import Node


@tf_export("keras.layers.InputLayer")
class InputLayer(Layer):
    """A layer that only holds the model's input placeholder."""

    def __init__(self, input_shape=None, batch_size=None, dtype=None, input_tensor=None, sparse=None,
                 name=None, ragged=None, type_spec=None, optional=False, **kwargs):
        batch_input_shape = kwargs.pop("batch_input_shape", None)
        if kwargs:
            raise ValueError(f"Unrecognized keyword arguments: {list(kwargs.keys())}")
        name = name or f"input_{backend.get_uid('input')}"  # Keras 2: input_1, input_2, ...
        if batch_input_shape is None:
            if input_shape is None:
                raise ValueError("An InputLayer needs an `input_shape` or a `batch_input_shape`.")
            batch_input_shape = (batch_size,) + tuple(input_shape)
        dtype = _dt.as_dtype(dtype or backend.floatx()).name
        super().__init__(name=name, dtype=dtype)
        self._batch_input_shape = tuple(batch_input_shape)
        self.optional = optional
        self.built = True
        self.is_placeholder = True
        tensor = KerasTensor(self._batch_input_shape, _dt.as_dtype(dtype), name=name,
                             history=KerasHistory(self, 0, 0), description=f"created by layer '{name}'")
        Node(self, (), {}, tensor)

    def get_config(self) -> dict:
        return {"batch_input_shape": self._batch_input_shape, "dtype": self.dtype, "sparse": False,
                "ragged": False, "name": self.name, "optional": self.optional}

    @classmethod
    def from_config(cls, config: dict):
        config = dict(config)
        config.pop("sparse", None)
        config.pop("ragged", None)
        return cls(**config)


@tf_export("keras.Input", "keras.layers.Input")
def Input(shape=None, batch_size=None, name=None, dtype=None, sparse=None, tensor=None, ragged=None,  # noqa: N802
          type_spec=None, optional=False, **kwargs) -> KerasTensor:
    """A symbolic input of a functional model: shape excludes the batch dimension (or `batch_shape=`
    gives the whole shape, as Keras accepts among `kwargs`)."""
    batch_shape = kwargs.pop("batch_shape", None)
    batch_input_shape = kwargs.pop("batch_input_shape", None)
    if kwargs:
        raise ValueError(f"Unrecognized keyword arguments: {list(kwargs.keys())}")
    if batch_shape is None:
        batch_shape = batch_input_shape
    if shape is None and batch_shape is None:
        raise ValueError("Please provide to Input a `shape` or a `tensor` or a `type_spec` argument. Note "
                         "that `shape` does not include the batch dimension.")
    if batch_shape is None:
        shape = (shape,) if isinstance(shape, int) else tuple(shape)
        batch_shape = (batch_size,) + shape
    layer = InputLayer(batch_input_shape=batch_shape, dtype=dtype, name=name, optional=optional)
    return layer._inbound_nodes[0].outputs
