"""KerasTensor: the symbolic value flowing through functional model construction (`keras.Input`).

It knows its TensorSpec and where it came from (`_keras_history`: layer, node index, tensor index),
so `keras.Model(inputs, outputs)` can walk back from outputs to inputs.
"""

from __future__ import annotations

from tensorweave._src.core.shape import TensorShape


class KerasHistory:
    __slots__ = ("layer", "node_index", "tensor_index")

    def __init__(self, layer, node_index: int, tensor_index: int):
        self.layer = layer
        self.node_index = node_index
        self.tensor_index = tensor_index

    def __iter__(self):
        return iter((self.layer, self.node_index, self.tensor_index))


class KerasTensor:
    """A symbolic tensor of a functional model under construction: shape, dtype, history."""

    def __init__(self, shape, dtype, name: str | None = None, history: KerasHistory | None = None,
                 description: str = ""):
        self._shape = TensorShape(shape)
        self._dtype = dtype
        self._name = name
        self._keras_history = history
        self._description = description
        self._keras_mask = None

    shape = property(lambda self: self._shape)
    dtype = property(lambda self: self._dtype)
    name = property(lambda self: self._name)
    node = property(lambda self: self._keras_history.layer._inbound_nodes[self._keras_history.node_index])

    @property
    def type_spec(self):
        from tensorweave._src.function.tensor_spec import TensorSpec

        is_input = self._keras_history is not None and not self._keras_history.layer._inbound_nodes[
            self._keras_history.node_index].keras_inputs and type(self._keras_history.layer).__name__ == \
            "InputLayer"
        return TensorSpec(self._shape, self._dtype, self._name if is_input else None)

    def get_shape(self) -> TensorShape:
        return self._shape

    @property
    def ndim(self):
        return self._shape.rank

    def ref(self):
        from tensorweave._src.core.tensor import Reference

        return Reference(self)

    def __len__(self):
        raise TypeError("Keras symbolic inputs/outputs do not implement `__len__`. You may be trying to pass "
                        "Keras symbolic inputs/outputs to a TF API that does not register dispatching, "
                        "preventing Keras from automatically converting the API call to a lambda layer "
                        "in the Functional Model.")

    def __bool__(self):
        raise TypeError("Using a symbolic KerasTensor as a Python `bool` is not allowed.")

    def __hash__(self):
        return id(self)

    def __repr__(self) -> str:
        return (f"<KerasTensor: shape={self._shape} dtype={self._dtype.name} "
                f"({self._description})>")

    def __str__(self) -> str:
        return (f"KerasTensor(type_spec={self.type_spec!r}, name={self._name!r}, "
                f"description=\"{self._description}\")")
