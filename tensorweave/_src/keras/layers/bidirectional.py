"""`tf.keras.layers.Bidirectional`: a forward and a backward copy of an RNN layer, outputs merged by
`merge_mode` ('concat', 'sum', 'mul', 'ave' or None for a list); weights named
`bidirectional/forward_lstm/lstm_cell/kernel:0`, ...

>>> import tensorweave as tf
>>> tf.keras.layers.Bidirectional(tf.keras.layers.LSTM(4))(tf.ones([2, 3, 5])).shape
TensorShape([2, 8])
"""

from __future__ import annotations

import copy
import inspect

from tensorweave._src.api_export import PublicNamespace, tf_export
from tensorweave._src.core.shape import TensorShape
from tensorweave._src.keras.engine.base_layer import Layer
from tensorweave._src.keras.engine.keras_tensor import KerasTensor
from tensorweave._src.keras.layers.base_rnn import _standardize_args
from tensorweave._src.keras.layers.base_wrapper import Wrapper
from tensorweave._src.util import nest

tf = PublicNamespace()


class _Hidden:
    """Holds the layer Bidirectional was given without tracking it (tf_keras does not track it either)."""

    def __init__(self, layer):
        self.layer = layer


def _has_arg(fn, name) -> bool:
    return name in inspect.signature(fn).parameters


@tf_export("keras.layers.Bidirectional")
class Bidirectional(Wrapper):
    def __init__(self, layer, merge_mode="concat", weights=None, backward_layer=None, **kwargs):
        from tensorweave._src.keras.engine.serialization import serialize_layer

        if not isinstance(layer, Layer):
            raise ValueError(
                f"Please initialize `Bidirectional` layer with a `tf.keras.layers.Layer` instance. "
                f"Received: {layer}"
            )
        if backward_layer is not None and not isinstance(backward_layer, Layer):
            raise ValueError(
                f"`backward_layer` need to be a `tf.keras.layers.Layer` instance. Received: {backward_layer}"
            )
        if merge_mode not in ["sum", "mul", "ave", "concat", None]:
            raise ValueError(
                f"Invalid merge mode. Received: {merge_mode}. Merge mode should be one of "
                '{"sum", "mul", "ave", "concat", None}'
            )
        Layer.__init__(self, **kwargs)
        self._hidden = _Hidden(layer)
        self.forward_layer = self._recreate_layer_from_config(layer)
        if backward_layer is None:
            self.backward_layer = self._recreate_layer_from_config(layer, go_backwards=True)
        else:
            self.backward_layer = backward_layer
            self._backward_layer_config = serialize_layer(backward_layer)
            self._backward_layer_config.pop("build_config", None)
        self.forward_layer._name = "forward_" + self.forward_layer.name
        self.backward_layer._name = "backward_" + self.backward_layer.name
        self._verify_layer_config()
        for sub in (self.forward_layer, self.backward_layer):
            if getattr(sub, "zero_output_for_mask", None) is not None:
                sub.zero_output_for_mask = sub.return_sequences
        self.merge_mode = merge_mode
        if weights:
            nw = len(weights)
            self.forward_layer._initial_weights = weights[: nw // 2]
            self.backward_layer._initial_weights = weights[nw // 2 :]
        self.stateful = layer.stateful
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.supports_masking = True
        self._trainable = kwargs.get("trainable", layer.trainable)
        self._num_constants = 0
        self.input_spec = layer.input_spec

    @property
    def layer(self):
        return self._hidden.layer

    def _verify_layer_config(self):
        if self.forward_layer.go_backwards == self.backward_layer.go_backwards:
            raise ValueError(
                "Forward layer and backward layer should have different `go_backwards` value.forward_layer."
                f"go_backwards = {self.forward_layer.go_backwards},backward_layer.go_backwards = "
                f"{self.backward_layer.go_backwards}"
            )
        for a in ("stateful", "return_sequences", "return_state"):
            fv, bv = getattr(self.forward_layer, a), getattr(self.backward_layer, a)
            if fv != bv:
                raise ValueError(
                    f"Forward layer and backward layer are expected to have the same value for "
                    f'attribute "{a}", got "{fv}" for forward layer and "{bv}" for backward layer'
                )

    def _recreate_layer_from_config(self, layer, go_backwards=False):
        config = layer.get_config()
        if go_backwards:
            config["go_backwards"] = not config["go_backwards"]
        if "custom_objects" in inspect.signature(type(layer).from_config).parameters:
            custom_objects = {}
            cell = getattr(layer, "cell", None)
            if cell is not None:
                custom_objects[type(cell).__name__] = type(cell)
                for c in getattr(cell, "cells", []):
                    custom_objects[type(c).__name__] = type(c)
            return type(layer).from_config(config, custom_objects=custom_objects)
        return type(layer).from_config(config)

    def compute_output_shape(self, input_shape):
        output_shape = self.forward_layer.compute_output_shape(input_shape)
        if self.return_state:
            state_shape = [TensorShape(s) for s in output_shape[1:]]
            output_shape = TensorShape(output_shape[0])
        else:
            output_shape = TensorShape(output_shape)
        if self.merge_mode == "concat":
            dims = output_shape.as_list()
            dims[-1] = None if dims[-1] is None else dims[-1] * 2
            output_shape = TensorShape(dims)
        elif self.merge_mode is None:
            output_shape = [output_shape, copy.copy(output_shape)]
        if self.return_state:
            if self.merge_mode is None:
                return output_shape + state_shape + copy.copy(state_shape)
            return [output_shape] + state_shape + copy.copy(state_shape)
        return output_shape

    def __call__(self, inputs, initial_state=None, constants=None, **kwargs):
        inputs, initial_state, constants = _standardize_args(
            inputs, initial_state, constants, self._num_constants
        )
        if isinstance(inputs, list):
            if len(inputs) > 1:
                initial_state = inputs[1:]
            inputs = inputs[0]
        if initial_state is None and constants is None:
            return super().__call__(inputs, **kwargs)
        additional = []
        if initial_state is not None:
            if len(initial_state) % 2 > 0:
                raise ValueError(
                    "When passing `initial_state` to a Bidirectional RNN, the state should be a list "
                    f"containing the states of the underlying RNNs. Received: {initial_state}"
                )
            additional += initial_state
        if constants is not None:
            additional += constants
            self._num_constants = len(constants)
            self.forward_layer._num_constants = self._num_constants
            self.backward_layer._num_constants = self._num_constants
        is_keras = [isinstance(t, KerasTensor) for t in nest.flatten(additional)]
        if any(is_keras) and not all(is_keras):
            raise ValueError(
                "The initial state of a Bidirectional layer cannot be specified with a mix of TF-Keras "
                'tensors and non-Keras tensors (a "Keras tensor" is a tensor that was returned by a '
                "TF-Keras layer, or by `Input`)"
            )
        if all(is_keras):
            if not self.built:
                self._maybe_build(inputs)
            spec = self.input_spec
            self.input_spec = None
            try:
                return super().__call__([inputs] + additional, **kwargs)
            finally:
                self.input_spec = spec
        if initial_state is not None:
            kwargs["initial_state"] = initial_state
        if constants is not None:
            kwargs["constants"] = constants
        return super().__call__(inputs, **kwargs)

    def _maybe_build(self, inputs):
        if isinstance(inputs, list) and not self.built:
            inputs = inputs[0]
        super()._maybe_build(inputs)

    def call(self, inputs, training=None, mask=None, initial_state=None, constants=None):
        kwargs = {}
        if _has_arg(self.layer.call, "training"):
            kwargs["training"] = training
        if _has_arg(self.layer.call, "mask"):
            kwargs["mask"] = nest.flatten(mask)[0] if isinstance(mask, list) else mask
        if _has_arg(self.layer.call, "constants"):
            kwargs["constants"] = constants
        if _has_arg(self.layer.call, "initial_state"):
            if isinstance(inputs, list) and len(inputs) > 1:
                forward_inputs, backward_inputs = [inputs[0]], [inputs[0]]
                pivot = (len(inputs) - self._num_constants) // 2 + 1
                forward_inputs += inputs[1:pivot]
                if not self._num_constants:
                    backward_inputs += inputs[pivot:]
                else:
                    backward_inputs += inputs[pivot : -self._num_constants]
                    forward_inputs += inputs[-self._num_constants :]
                    backward_inputs += inputs[-self._num_constants :]
                forward_state = backward_state = None
                if "constants" in kwargs:
                    kwargs["constants"] = None
            elif initial_state is not None:
                forward_inputs = backward_inputs = inputs
                half = len(initial_state) // 2
                forward_state, backward_state = initial_state[:half], initial_state[half:]
            else:
                forward_inputs = backward_inputs = inputs
                forward_state = backward_state = None
            y = self.forward_layer(forward_inputs, initial_state=forward_state, **kwargs)
            y_rev = self.backward_layer(backward_inputs, initial_state=backward_state, **kwargs)
        else:
            y = self.forward_layer(inputs, **kwargs)
            y_rev = self.backward_layer(inputs, **kwargs)
        if self.return_state:
            states = list(y[1:]) + list(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            time_dim = 0 if getattr(self.forward_layer, "time_major", False) else 1
            y_rev = tf.reverse(y_rev, [time_dim])
        if self.merge_mode == "concat":
            output = tf.concat([y, y_rev], axis=-1)
        elif self.merge_mode == "sum":
            output = y + y_rev
        elif self.merge_mode == "ave":
            output = (y + y_rev) / 2
        elif self.merge_mode == "mul":
            output = y * y_rev
        else:
            output = [y, y_rev]
        if self.return_state:
            if self.merge_mode is None:
                return output + states
            return [output] + states
        return output

    def reset_states(self, states=None):
        if not self.stateful:
            raise AttributeError("Layer must be stateful.")
        if states is None:
            self.forward_layer.reset_states()
            self.backward_layer.reset_states()
        else:
            if not isinstance(states, (list, tuple)):
                raise ValueError(
                    f"Unrecognized value for `states`. Expected `states` to be list or tuple. "
                    f"Received: {states}"
                )
            half = len(states) // 2
            self.forward_layer.reset_states(states[:half])
            self.backward_layer.reset_states(states[half:])

    def build(self, input_shape):
        with tf.name_scope(self.forward_layer.name):
            self.forward_layer.build(input_shape)
        with tf.name_scope(self.backward_layer.name):
            self.backward_layer.build(input_shape)
        self.built = True

    def compute_mask(self, inputs, mask):
        if isinstance(mask, list):
            mask = mask[0]
        if self.return_sequences:
            output_mask = [mask, mask] if not self.merge_mode else mask
        else:
            output_mask = [None, None] if not self.merge_mode else None
        if self.return_state:
            state_mask = [None for _ in self.forward_layer.states]
            if isinstance(output_mask, list):
                return output_mask + state_mask * 2
            return [output_mask] + state_mask * 2
        return output_mask

    def get_config(self):
        config = {"merge_mode": self.merge_mode}
        if self._num_constants:
            config["num_constants"] = self._num_constants
        if hasattr(self, "_backward_layer_config"):
            config["backward_layer"] = self._backward_layer_config
        base = super().get_config()
        return dict(list(base.items()) + list(config.items()))

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from tensorweave._src.keras.engine.serialization import deserialize_layer

        config = copy.deepcopy(config)
        num_constants = config.pop("num_constants", 0)
        config["layer"] = deserialize_layer(config["layer"], custom_objects=custom_objects)
        backward = config.pop("backward_layer", None)
        if backward is not None:
            config["backward_layer"] = deserialize_layer(backward, custom_objects=custom_objects)
        layer = cls(**config)
        layer._num_constants = num_constants
        return layer
