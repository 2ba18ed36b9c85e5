"""`tf.Tensor`: the immutable tensor. `EagerTensor` holds a concrete value; graph tensors come later.

>>> import tensorweave as tf
>>> x = tf.constant([1, 2, 3])
>>> print(x)
tf.Tensor([1 2 3], shape=(3,), dtype=int32)
>>> x
<tf.Tensor: shape=(3,), dtype=int32, numpy=array([1, 2, 3], dtype=int32)>
"""

from __future__ import annotations

import numpy as np

from tensorweave._src.core import backend
from tensorweave._src.core import dtypes as _dt
from tensorweave._src.core.operators import TensorOperators
from tensorweave._src.core.printing import numpy_text
from tensorweave._src.core.shape import TensorShape

CPU_DEVICE = "/job:localhost/replica:0/task:0/device:CPU:0"


class Tensor(TensorOperators):
    """The base class of tensors, eager and symbolic: `isinstance(x, tf.Tensor)` holds for both."""

    __slots__ = ()

    @property
    def ndim(self) -> int:
        return self.shape.rank

    def get_shape(self) -> TensorShape:
        return self.shape

    def ref(self) -> "Reference":
        return Reference(self)

    experimental_ref = ref

    def __len__(self) -> int:
        rank = self.shape.rank
        if rank == 0:
            raise TypeError("Scalar tensor has no `len()`")
        n = self.shape[0]
        if n is None:
            raise TypeError("len is not well defined for a symbolic Tensor whose first dim is unknown.")
        return n

    def __iter__(self):
        if self.shape.rank == 0:
            raise TypeError("Cannot iterate over a scalar tensor.")
        for i in range(len(self)):
            yield self[i]


class EagerTensor(Tensor):
    """A tensor with a value: a torch tensor, or a numpy object array of bytes for strings."""

    # `_keras_mask`: Keras attaches a layer output's mask to the tensor, as TF allows on its tensors;
    # `_tw_converted`: set on an op input converted from a Python list/str (core/op_messages.py)
    __slots__ = ("_value", "_dtype", "_keras_mask", "_tw_converted", "__weakref__")

    def __init__(self, value, dtype: _dt.DType):
        self._value = value
        self._dtype = dtype

    @property
    def dtype(self) -> _dt.DType:
        return self._dtype

    @property
    def shape(self) -> TensorShape:
        return TensorShape._from_tuple(tuple(self._value.shape))

    @property
    def ndim(self) -> int:
        return self._value.ndim

    @property
    def device(self) -> str:
        return CPU_DEVICE if self._dtype is _dt.string or self._value.device.type == "cpu" else (
            f"/job:localhost/replica:0/task:0/device:GPU:{self._value.device.index or 0}")

    backing_device = device

    @property
    def const(self):
        """The value as numpy, for shape rules that need constant inputs (matches AbstractValue)."""
        return self.numpy()

    def numpy(self):
        """A numpy copy of the value; a numpy scalar for rank-0 tensors, as TF returns."""
        arr = backend.to_numpy(self._value)
        return arr[()] if arr.ndim == 0 else arr

    def _numpy_view(self) -> np.ndarray:
        return self._value if self._dtype is _dt.string else backend.to_numpy(self._value)

    def __array__(self, dtype=None, copy=None):
        arr = self._numpy_view()
        return arr if dtype is None else arr.astype(dtype)

    def set_shape(self, shape) -> None:
        if not self.shape.is_compatible_with(shape):
            raise ValueError(f"Tensor's shape {self.shape} is not compatible with supplied shape {shape}.")

    @property
    def name(self):
        raise AttributeError("Tensor.name is undefined when eager execution is enabled.")

    @property
    def op(self):
        raise AttributeError("Tensor.op is undefined when eager execution is enabled.")

    @property
    def graph(self):
        raise AttributeError("Tensor.graph is undefined when eager execution is enabled.")

    def _scalar(self):
        arr = self._numpy_view()
        if arr.size != 1 and arr.ndim != 0:
            raise ValueError("The truth value of an array with more than one element is ambiguous. "
                             "Use a.any() or a.all()")
        return arr

    def __bool__(self) -> bool:
        return bool(self._scalar())

    def __float__(self) -> float:
        return float(self._numpy_view())

    def __int__(self) -> int:
        return int(self._numpy_view())

    def __complex__(self) -> complex:
        return complex(self._numpy_view())

    def __index__(self) -> int:
        return self.numpy().__index__()  # as TF: float tensors raise numpy's AttributeError

    def __format__(self, spec: str) -> str:
        return format(self.numpy(), spec)

    def __str__(self) -> str:
        if self._dtype is _dt.variant:  # no numpy form: TF shows the value's own summary
            return f"tf.Tensor({self._value!r}, shape={self.shape}, dtype=variant)"
        return f"tf.Tensor({numpy_text(self._numpy_view())}, shape={self.shape}, dtype={self._dtype.name})"

    def __repr__(self) -> str:
        if self._dtype is _dt.variant:
            return f"<tf.Tensor: shape={self.shape}, dtype=variant, value={self._value!r}>"
        return (f"<tf.Tensor: shape={self.shape}, dtype={self._dtype.name}, "
                f"numpy={numpy_text(self._numpy_view(), is_repr=True)}>")

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    def __reduce__(self):
        from tensorweave._src.core.convert import constant  # pickling is rare; keep import local
        return constant, (self.numpy(), self._dtype)

    def cpu(self):
        return self

    def _shape_tuple(self) -> tuple:
        return tuple(self._value.shape)


class Reference:
    """A hashable reference to a tensor or variable (`x.ref()`); `deref()` gives it back."""

    __slots__ = ("_wrapped", "_id")

    def __init__(self, wrapped):
        self._wrapped = wrapped
        self._id = id(wrapped)

    def deref(self):
        return self._wrapped

    def __hash__(self):
        return self._id

    def __eq__(self, other):
        return isinstance(other, Reference) and self._wrapped is other._wrapped

    def __repr__(self):
        return f"<Reference wrapping {self._wrapped!r}>"


def is_tensor(x) -> bool:
    """True for tensors, variables and other tensor-likes (`tf.is_tensor`)."""
    return isinstance(x, Tensor) or getattr(x, "_is_tensor_like", False)


