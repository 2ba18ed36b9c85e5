"""`tf.Variable`: mutable state. Assignment replaces the stored value (never mutates it in place), so
tensors read earlier keep their values.

>>> import tensorweave as tf
>>> v = tf.Variable([1, 2, 3, 4])
>>> v
<tf.Variable 'Variable:0' shape=(4,) dtype=int32, numpy=array([1, 2, 3, 4], dtype=int32)>
>>> _ = v[0].assign(9); print(v.numpy())
[9 2 3 4]
"""

from __future__ import annotations

import enum
import sys

import numpy as np

from tensorweave._src.core import backend
from tensorweave._src.core import dtypes as _dt
from tensorweave._src.core.context import init_scope, state
from tensorweave._src.core.convert import convert_to_tensor
from tensorweave._src.core.operators import IMPLS, TensorOperators
from tensorweave._src.core.printing import numpy_text
from tensorweave._src.core.shape import TensorShape, as_shape
from tensorweave._src.core.tensor import CPU_DEVICE, EagerTensor, Reference, Tensor


class VariableAggregation(enum.Enum):
    """How a distributed variable's updates combine (`tf.VariableAggregation`, an Enum as in TF)."""

    NONE, SUM, MEAN, ONLY_FIRST_REPLICA = 0, 1, 2, 3


class VariableSynchronization(enum.Enum):
    """When a distributed variable synchronizes (`tf.VariableSynchronization`, an Enum as in TF)."""

    AUTO, NONE, ON_WRITE, ON_READ = 0, 1, 2, 3


class Variable(TensorOperators):
    """A tensor-valued mutable variable (`tf.Variable`)."""

    _is_tensor_like = True

    def __init__(self, initial_value=None, trainable=None, validate_shape=True, caching_device=None,
                 name=None, variable_def=None, dtype=None, import_scope=None, constraint=None,
                 synchronization=VariableSynchronization.AUTO, aggregation=VariableAggregation.NONE,
                 shape=None, experimental_enable_variable_lifting=True):
        if initial_value is None:
            raise ValueError("The `initial_value` arg to `tf.Variable` must be specified except when you "
                             "are not providing a `variable_def`. You provided neither.")
        tracer = state.tracer
        if tracer is not None:
            tracer.variable_created(self)  # tf.function allows this on its first trace only
            if isinstance(initial_value, Tensor) and not isinstance(initial_value, EagerTensor):
                initial_value = tracer.lift(initial_value)  # computed from constants only: evaluate now
        with init_scope():  # the variable lives outside any graph being traced: its value is eager
            if callable(initial_value):
                initial_value = initial_value()
            value = _convert_initial(_eager_initial(initial_value), dtype)
        self._dtype = value.dtype
        self._value = value._value
        self._shape = value.shape if shape is None else as_shape(shape)
        if not validate_shape:
            self._shape = TensorShape(None)
        if not self._shape.is_compatible_with(value.shape):
            raise ValueError(f"The initial value's shape ({value.shape}) is not compatible with the "
                             f"explicitly supplied `shape` argument ({self._shape}).")
        if trainable is None:
            trainable = synchronization != VariableSynchronization.ON_READ
        self._trainable = bool(trainable)
        self._name = state.name_scope + (name or "Variable") + ":0"
        if constraint is not None and not callable(constraint):
            raise ValueError(f"The `constraint` argument must be a callable. Received: {constraint}")
        self._constraint = constraint
        self._synchronization = synchronization
        self._aggregation = aggregation

    # ---- reading -------------------------------------------------------------------------------
    def value(self) -> EagerTensor:
        """The current value as a tensor (recorded on active tapes and traced graphs)."""
        st = state
        if st.tracer is not None:
            return st.tracer.read_variable(self)
        t = EagerTensor(self._value, self._dtype)
        if st.tapes:
            for tape in st.tapes:
                tape.variable_read(self, t)
        return t

    def read_value(self) -> EagerTensor:
        return self.value()

    def _as_tensor(self, dtype=None):
        if dtype is not None and _dt.as_dtype(dtype) is not self._dtype:
            raise ValueError(f"Incompatible type conversion requested to type {_dt.as_dtype(dtype).name} for "
                             f"`tf.Variable of type {self._dtype.name}. (Variable: {self!r})")
        return self.value()

    def numpy(self):
        return self.value().numpy()

    def __array__(self, dtype=None, copy=None):
        return np.asarray(self.value(), dtype=dtype)

    # ---- writing -------------------------------------------------------------------------------
    def assign(self, value, use_locking=False, name=None, read_value=True):
        """Sets the variable to `value` (same dtype, compatible shape); returns the variable unread."""
        value = self._checked_value(value)
        self._write(value)
        return _UnreadVariable(self) if read_value else None

    def assign_add(self, delta, use_locking=False, name=None, read_value=True):
        if self._updated_in_place(delta, backend.add_in_place):
            return _UnreadVariable(self) if read_value else None
        return self.assign(IMPLS["add"](self.value(), delta), read_value=read_value)

    def assign_sub(self, delta, use_locking=False, name=None, read_value=True):
        if self._updated_in_place(delta, backend.sub_in_place):
            return _UnreadVariable(self) if read_value else None
        return self.assign(IMPLS["sub"](self.value(), delta), read_value=read_value)

    def _updated_in_place(self, delta, update) -> bool:
        """Applies `delta` to the current buffer in place when nobody can tell: eagerly, with no tape
        recording, and no tensor but this variable holding the buffer (TF's own copy-on-write rule for
        resource variables). A large weight then costs no fresh allocation per training step."""
        if state.tracer is not None or state.tapes or type(delta) is not EagerTensor:
            return False
        value = self._value
        if delta._dtype is not self._dtype or delta._value.shape != value.shape:
            return False
        if sys.getrefcount(value) > 3 or not backend.sole_owner(value):  # refs: _value, `value`, the call
            return False
        update(value, delta._value)
        return True

    def scatter_nd_update(self, indices, updates, name=None):
        return self.assign(IMPLS["scatter_nd_update"](self.value(), indices, updates))

    def scatter_nd_add(self, indices, updates, name=None):
        return self.assign(IMPLS["scatter_nd_add"](self.value(), indices, updates))

    def scatter_nd_sub(self, indices, updates, name=None):
        return self.assign(IMPLS["scatter_nd_sub"](self.value(), indices, updates))

    def _checked_value(self, value):
        if (type(value) is EagerTensor and value._dtype is self._dtype
                and value._value.shape == self._value.shape):
            return value  # the common eager update: same dtype and shape as now, nothing to check
        value = convert_to_tensor(value, dtype=self._dtype)
        if not self._shape.is_compatible_with(value.shape):
            raise ValueError(f"Cannot assign value to variable ' {self._name}': Shape mismatch.The variable "
                             f"shape {self._shape}, and the assigned value shape {value.shape} are "
                             f"incompatible.")
        return value

    def _write(self, value) -> None:
        st = state
        if st.tracer is not None:
            st.tracer.assign_variable(self, value)
        else:
            self._value = value._value

    # ---- properties ----------------------------------------------------------------------------
    dtype = property(lambda self: self._dtype)
    shape = property(lambda self: self._shape if self._shape.rank is None
                     else TensorShape._from_tuple(tuple(self._value.shape)))
    name = property(lambda self: self._name)
    trainable = property(lambda self: self._trainable)
    constraint = property(lambda self: self._constraint)
    synchronization = property(lambda self: self._synchronization)
    aggregation = property(lambda self: self._aggregation)
    device = property(lambda self: CPU_DEVICE)
    ndim = property(lambda self: len(self._value.shape))

    @property
    def initial_value(self):
        raise RuntimeError("This property is not supported when eager execution is enabled.")

    def get_shape(self) -> TensorShape:
        return self.shape

    def ref(self) -> Reference:
        return Reference(self)

    experimental_ref = ref

    def __hash__(self):
        raise TypeError(f"Variable is unhashable. Instead, use variable.ref() as the key. "
                        f"(Variable: {self!r})")

    def __getitem__(self, key):
        sliced = IMPLS["getitem"](self.value(), key)
        if not isinstance(sliced, EagerTensor):
            return sliced  # inside a traced graph: a symbolic slice (slice assignment is eager-only)
        out = _VariableSlice(self, key, sliced)
        for tape in state.tapes:  # `out` is the tensor the user holds: link it to the recorded slice
            tape.record(_IDENTITY, (sliced,), {}, out)
        return out

    def __iter__(self):
        return iter(self.value())

    def __bool__(self):
        return bool(self.value())

    def __int__(self):
        return int(self.value())

    def __float__(self):
        return float(self.value())

    def __index__(self):
        return self.value().__index__()

    def __format__(self, spec):
        if not spec:  # TF's variables format as str() (f"{v}" is the repr-like summary, not the value)
            return str(self)
        return format(self.value(), spec)

    def __repr__(self):
        arr = np.asarray(self.value())
        return (f"<tf.Variable '{self._name}' shape={self.shape} dtype={self._dtype.name}, "
                f"numpy={numpy_text(arr, is_repr=True)}>")

    __str__ = __repr__

    def __deepcopy__(self, memo):
        copy = Variable(self.value(), trainable=self._trainable, name=self._name[:-2],
                        constraint=self._constraint)
        copy._name = self._name
        return copy


class _IdentityLink:
    """Tape entry type for `v[key]` (the returned slice object is the recorded slice's value)."""

    name = "Identity"
    multiple_results = False

    @staticmethod
    def grad(op, dy):
        return dy


_IDENTITY = _IdentityLink()


class _UnreadVariable(Variable):
    """What `assign` returns: a view of the same variable, named 'UnreadVariable' as in TF."""

    def __init__(self, parent: Variable):  # super().__init__ is deliberately not called
        self._parent = parent
        self._name = "UnreadVariable"
        self._dtype = parent._dtype
        self._shape = parent._shape
        self._trainable = parent._trainable
        self._constraint = parent._constraint
        self._synchronization = parent._synchronization
        self._aggregation = parent._aggregation

    @property
    def _value(self):
        return self._parent._value

    def _write(self, value) -> None:
        self._parent._write(value)


class _VariableSlice(EagerTensor):
    """`v[key]`: the sliced value, whose `assign` writes the slice back into the variable."""

    __slots__ = ("_variable", "_key")

    def __init__(self, variable: Variable, key, sliced):
        super().__init__(sliced._value, sliced._dtype)
        self._variable = variable
        self._key = key

    def assign(self, value, use_locking=False, name=None, read_value=True):
        var = self._variable
        updated = IMPLS["slice_update"](var.value(), self._key, convert_to_tensor(value, dtype=var.dtype))
        return var.assign(updated, read_value=read_value)


def _eager_initial(value):
    """A traced initial value must be known at trace time (a constant expression)."""
    if isinstance(value, Tensor) and not isinstance(value, EagerTensor):
        const = getattr(value, "const", None)
        if const is None:
            raise ValueError(f"The initial value of a tf.Variable created inside a tf.function must be "
                             f"computable outside the function; got the graph tensor {value!r}. Pass a "
                             f"callable (e.g. `lambda: tf.zeros(shape)`) instead.")
        return EagerTensor(backend.from_numpy(np.asarray(const), value.dtype), value.dtype)
    return value


def _convert_initial(initial_value, dtype):
    if dtype is not None:
        dtype = _dt.as_dtype(dtype)
    return convert_to_tensor(initial_value, dtype=dtype)
