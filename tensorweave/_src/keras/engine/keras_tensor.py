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

    # ---- operators: each records a TFOpLambda layer, as Keras 2 ----------------------------------------
    __array_priority__ = 100

    def _op(self, symbol, *args, reverse=False):
        from tensorweave._src.keras.engine.tf_op_layer import apply_op  # the layer module imports this one

        return apply_op(symbol, self, *args, reverse=reverse)

    def __add__(self, other): return self._op("__operators__.add", other)  # noqa: E704
    def __radd__(self, other): return self._op("__operators__.add", other, reverse=True)  # noqa: E704
    def __sub__(self, other): return self._op("math.subtract", other)  # noqa: E704
    def __rsub__(self, other): return self._op("math.subtract", other, reverse=True)  # noqa: E704
    def __mul__(self, other): return self._op("math.multiply", other)  # noqa: E704
    def __rmul__(self, other): return self._op("math.multiply", other, reverse=True)  # noqa: E704
    def __truediv__(self, other): return self._op("math.truediv", other)  # noqa: E704
    def __rtruediv__(self, other): return self._op("math.truediv", other, reverse=True)  # noqa: E704
    def __floordiv__(self, other): return self._op("math.floordiv", other)  # noqa: E704
    def __rfloordiv__(self, other): return self._op("math.floordiv", other, reverse=True)  # noqa: E704
    def __mod__(self, other): return self._op("math.floormod", other)  # noqa: E704
    def __rmod__(self, other): return self._op("math.floormod", other, reverse=True)  # noqa: E704
    def __pow__(self, other): return self._op("math.pow", other)  # noqa: E704
    def __rpow__(self, other): return self._op("math.pow", other, reverse=True)  # noqa: E704
    def __matmul__(self, other): return self._op("linalg.matmul", other)  # noqa: E704
    def __rmatmul__(self, other): return self._op("linalg.matmul", other, reverse=True)  # noqa: E704
    def __lt__(self, other): return self._op("math.less", other)  # noqa: E704
    def __le__(self, other): return self._op("math.less_equal", other)  # noqa: E704
    def __gt__(self, other): return self._op("math.greater", other)  # noqa: E704
    def __ge__(self, other): return self._op("math.greater_equal", other)  # noqa: E704
    def __and__(self, other): return self._op("math.logical_and", other)  # noqa: E704
    def __or__(self, other): return self._op("math.logical_or", other)  # noqa: E704
    def __xor__(self, other): return self._op("math.logical_xor", other)  # noqa: E704
    def __neg__(self): return self._op("math.negative")  # noqa: E704
    def __abs__(self): return self._op("math.abs")  # noqa: E704
    def __invert__(self): return self._op("math.logical_not")  # noqa: E704
    def __getitem__(self, key): return self._op("__operators__.getitem", key)  # noqa: E704

    def _symbolic_error(self) -> TypeError:
        return TypeError(
            f"You are passing {self}, an intermediate TF-Keras symbolic input/output, to a TF API that does "
            f"not allow registering custom dispatchers, such as `tf.cond`, `tf.function`, gradient tapes, or "
            f"`tf.map_fn`. TF-Keras Functional model construction only supports TF API calls that *do* "
            f"support dispatching, such as `tf.math.add` or `tf.reshape`. Other APIs cannot be called "
            f"directly on symbolic Kerasinputs/outputs. You can work around this limitation by putting the "
            f"operation in a custom TF-Keras layer `call` and calling that layer on this symbolic "
            f"input/output.")

    def _as_tensor(self, dtype=None):
        raise self._symbolic_error()

    def __array__(self, dtype=None, copy=None):
        raise self._symbolic_error()

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
