"""Symbolic tensors: the values of a graph being traced. They carry dtype, static shape (unknown dims
allowed) and, when known at trace time, a constant value; they have no numbers.

>>> import tensorweave as tf
>>> @tf.function
... def f(x):
...     y = x * 2.0
...     print(y)
...     return y
>>> _ = f.get_concrete_function(tf.TensorSpec([None, 3], tf.float32))
Tensor("Mul:0", shape=(None, 3), dtype=float32)
"""

from __future__ import annotations

from tensorweave._src.core import errors
from tensorweave._src.core.shape import TensorShape
from tensorweave._src.core.tensor import Tensor

_BOOL_MESSAGE = (
    "Using a symbolic `tf.Tensor` as a Python `bool` is not allowed. You can attempt the following "
    "resolutions to the problem: If you are running in Graph mode, use Eager execution mode or decorate "
    "this function with @tf.function. If you are using AutoGraph, you can try decorating this function "
    "with @tf.function. If that does not work, then you may be using an unsupported feature or your "
    "source code may not be visible to AutoGraph. See https://github.com/tensorflow/tensorflow/blob/master/"
    "tensorflow/python/autograph/g3doc/reference/limitations.md#access-to-source-code for more "
    "information.")
_ITER_MESSAGE = (
    "Iterating over a symbolic `tf.Tensor` is not allowed. You can attempt the following resolutions to "
    "the problem: If you are running in Graph mode, use Eager execution mode or decorate this function "
    "with @tf.function. If you are using AutoGraph, you can try decorating this function with "
    "@tf.function. If that does not work, then you may be using an unsupported feature or your source "
    "code may not be visible to AutoGraph.")


class SymbolicTensor(Tensor):
    """Output `index` of graph node `node`."""

    __slots__ = ("node", "index", "_dtype", "_shape", "const", "_keras_mask", "__weakref__")

    def __init__(self, node, index: int, dtype, shape, const=None):
        self.node = node
        self.index = index
        self._dtype = dtype
        self._shape = shape if isinstance(shape, TensorShape) else TensorShape(shape)
        self.const = const  # numpy value when known while tracing (constant propagation), else None

    @property
    def dtype(self):
        return self._dtype

    @property
    def shape(self) -> TensorShape:
        return self._shape

    @property
    def name(self) -> str:
        return f"{self.node.name}:{self.index}"

    @property
    def op(self):
        return self.node

    @property
    def graph(self):
        return self.node.graph

    @property
    def device(self) -> str:
        return ""

    def set_shape(self, shape) -> None:
        self._shape = self._shape.merge_with(shape)

    def __bool__(self):
        raise errors.OperatorNotAllowedInGraphError(_BOOL_MESSAGE)

    def __iter__(self):
        raise errors.OperatorNotAllowedInGraphError(_ITER_MESSAGE)

    def __len__(self):
        raise TypeError(f"len is not well defined for a symbolic Tensor ({self.name}). Please call `x.shape` "
                        f"rather than `len(x)` for shape information.")

    def __index__(self):
        raise TypeError(f"Tensor {self.name} is symbolic: it cannot be used as a Python integer.")

    def __array__(self, dtype=None, copy=None):
        raise NotImplementedError(f"Cannot convert a symbolic tf.Tensor ({self.name}) to a numpy array. This "
                                  f"error may indicate that you're trying to pass a Tensor to a NumPy call, "
                                  f"which is not supported.")

    def __str__(self) -> str:
        return f'Tensor("{self.name}", shape={self._shape}, dtype={self._dtype.name})'

    def __repr__(self) -> str:
        return f"<tf.Tensor '{self.name}' shape={self._shape} dtype={self._dtype.name}>"

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self
