"""`tf.keras.layers.StackedRNNCells`: several cells run as one (each feeds the next), used by
`RNN([cell1, cell2])`.

>>> import tensorweave as tf
>>> cells = [tf.keras.layers.LSTMCell(3), tf.keras.layers.GRUCell(2)]
>>> tf.keras.layers.RNN(cells)(tf.ones([1, 4, 5])).shape
TensorShape([1, 2])
"""

from __future__ import annotations

import inspect

from tensorweave._src.api_export import PublicNamespace, tf_export
from tensorweave._src.core.shape import TensorShape
from tensorweave._src.keras.engine.base_layer import Layer
from tensorweave._src.keras.layers.base_rnn import generate_zero_filled_state_for_cell, is_multiple_state
from tensorweave._src.util import nest

tf = PublicNamespace()


@tf_export("keras.layers.StackedRNNCells")
class StackedRNNCells(Layer):
    def __init__(self, cells, **kwargs):
        for cell in cells:
            if "call" not in dir(cell):
                raise ValueError(
                    f"All cells must have a `call` method. Received cell without a `call` method: {cell}"
                )
            if "state_size" not in dir(cell):
                raise ValueError(
                    f"All cells must have a `state_size` attribute. Received cell without a "
                    f"`state_size`: {cell}"
                )
        self.reverse_state_order = kwargs.pop("reverse_state_order", False)
        super().__init__(**kwargs)
        self.cells = cells

    @property
    def state_size(self):
        return tuple(c.state_size for c in (self.cells[::-1] if self.reverse_state_order else self.cells))

    @property
    def output_size(self):
        last = self.cells[-1]
        if getattr(last, "output_size", None) is not None:
            return last.output_size
        if is_multiple_state(last.state_size):
            return last.state_size[0]
        return last.state_size

    def get_initial_state(self, inputs=None, batch_size=None, dtype=None):
        states = []
        for cell in self.cells[::-1] if self.reverse_state_order else self.cells:
            fn = getattr(cell, "get_initial_state", None)
            states.append(
                fn(inputs=inputs, batch_size=batch_size, dtype=dtype)
                if fn
                else generate_zero_filled_state_for_cell(cell, inputs, batch_size, dtype)
            )
        return tuple(states)

    def call(self, inputs, states, constants=None, training=None, **kwargs):
        state_size = self.state_size[::-1] if self.reverse_state_order else self.state_size
        nested_states = nest.pack_sequence_as(state_size, nest.flatten(states))
        new_nested_states = []
        for cell, cell_states in zip(self.cells, nested_states):
            cell_states = cell_states if nest.is_nested(cell_states) else [cell_states]
            params = inspect.signature(cell.call).parameters
            if "training" in params:
                kwargs["training"] = training
            else:
                kwargs.pop("training", None)
            if "constants" in params:
                inputs, cell_states = cell(inputs, cell_states, constants=constants, **kwargs)
            else:
                inputs, cell_states = cell(inputs, cell_states, **kwargs)
            new_nested_states.append(cell_states)
        return inputs, nest.pack_sequence_as(state_size, nest.flatten(new_nested_states))

    def build(self, input_shape):
        if isinstance(input_shape, list):
            input_shape = input_shape[0]
        input_shape = TensorShape(input_shape)
        for cell in self.cells:
            if isinstance(cell, Layer) and not cell.built:
                with tf.name_scope(cell.name):
                    cell.build(input_shape)
                    cell.built = True
            if getattr(cell, "output_size", None) is not None:
                output_dim = cell.output_size
            elif is_multiple_state(cell.state_size):
                output_dim = cell.state_size[0]
            else:
                output_dim = cell.state_size
            input_shape = TensorShape([input_shape[0]] + TensorShape(output_dim).as_list())
        self.built = True

    def get_config(self):
        from tensorweave._src.keras.engine.serialization import serialize_layer

        config = {"cells": [serialize_layer(cell) for cell in self.cells]}
        base = super().get_config()
        return dict(list(base.items()) + list(config.items()))

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from tensorweave._src.keras.engine.serialization import deserialize_layer

        config = dict(config)
        cells = [deserialize_layer(c, custom_objects=custom_objects) for c in config.pop("cells")]
        return cls(cells, **config)
