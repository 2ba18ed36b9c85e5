"""`tf.TensorArray` and `tf.TensorArraySpec`, with TF 2's two implementations.

- Eagerly (`_EagerTensorArray`): a Python list of EagerTensors, mutated in place; every "modifying"
  method returns the same TensorArray. `clear_after_read` (default True) clears an element when it is
  read; reading it again raises InvalidArgumentError. Gradients need nothing special: the elements
  are ordinary tensors that a GradientTape sees being stacked, split, read.
- While tracing (`_GraphTensorArrayV2`), or when built around a variant `flow`: a value-semantics
  TensorList (ops/tensor_array/list_ops.py). The list is the `flow` tensor (dtype variant, shape ());
  write/unstack/scatter/split return a *new* TensorArray whose flow is the op's output, sharing the
  static element shape with the old one. `clear_after_read` is ignored (as in TF).

Control flow protocol (for tf.while_loop / tf.cond / AutoGraph; mirrors TF's while_v2):
a TensorArray is not a Tensor and not a nest leaf that can be fed; it travels through a loop or a
branch as its `flow`. Use

    flows = to_flows(loop_vars)              # every TensorArray -> its flow (variant scalar tensor)
    ...loop over / trace with the flat tensors of `flows`...
    loop_vars = from_flows(loop_vars, flows) # every flow whose template was a TensorArray -> a
                                             # TensorArray (build_ta_with_new_flow(template, flow))

The body's TensorArrays are rebuilt the same way from the body graph's variant placeholders, so
`ta.write(i, x)` in the body yields the next flow. Eagerly a while_loop body just gets the
TensorArray objects themselves (eager arrays have a dummy int32 flow, as in TF).

A tf.function returning a TensorArray returns its flow (as TF does); `tf.TensorArray(dtype,
flow=that_flow)` wraps it again (eagerly too).
"""

from __future__ import annotations

import weakref

import numpy as np

from tensorweave._src.api_export import tf_export
from tensorweave._src.core import dtypes as _dt
from tensorweave._src.core import errors
from tensorweave._src.core.context import state
from tensorweave._src.core.convert import constant, convert_to_tensor
from tensorweave._src.core.shape import TensorShape, as_shape
from tensorweave._src.core.tensor import EagerTensor, Tensor
from tensorweave._src.ops.array.creation import zeros
from tensorweave._src.ops.array.join import concat as _concat_op
from tensorweave._src.ops.array.join import split as _split_op
from tensorweave._src.ops.array.join import stack as _stack_op
from tensorweave._src.ops.array.join import unstack as _unstack_op
from tensorweave._src.ops.array.queries import identity as _identity_op
from tensorweave._src.ops.cast import cast as _cast_op
from tensorweave._src.ops.tensor_array import list_ops
from tensorweave._src.util import nest


def _executing_eagerly() -> bool:
    return state.tracer is None


def _py_index(index):
    """An index as a Python int when it is an eager tensor (TF's `index.numpy()`)."""
    if isinstance(index, EagerTensor):
        return index.numpy()
    return index


def _zeros_of(shape: TensorShape, dtype):
    if not shape.is_fully_defined():
        raise ValueError(f"Cannot convert a partially known TensorShape {shape} to a Tensor.")
    return zeros(shape.as_list(), dtype=dtype)


def _int32(x) -> Tensor:
    if isinstance(x, Tensor):
        return x if x.dtype in (_dt.int32, _dt.int64) else _cast_op(x, _dt.int32)
    return convert_to_tensor(x, dtype=_dt.int32)


def _static_int(x):
    """`tensor_util.constant_value` of a size: a Python int, or None when unknown at trace time."""
    if x is None:
        return None
    if isinstance(x, Tensor):
        const = x.const if not isinstance(x, EagerTensor) else x.numpy()
        return None if const is None else int(const)
    return int(x)


# ---- eager -------------------------------------------------------------------------------------------

class _EagerTensorArray:
    """Eager TensorArray: a Python list of tensors (None: not written yet)."""

    def __init__(self, dtype, size=None, dynamic_size=None, clear_after_read=None, tensor_array_name=None,
                 handle=None, flow=None, infer_shape=True, element_shape=None,
                 colocate_with_first_write_call=True, name=None):
        if handle is not None:
            raise ValueError("TensorArray handles are not supported when eager execution is enabled.")
        if size is None:
            raise ValueError("Size must be declared for TensorArrays when eager execution is enabled.")
        self._handle = None
        self._flow = constant(0, dtype=_dt.int32)  # TF's dummy flow
        self._infer_shape = infer_shape
        self._element_shape = as_shape(element_shape)
        self._colocate_with_first_write_call = colocate_with_first_write_call
        self._dtype = _dt.as_dtype(dtype).base_dtype
        self._dynamic_size = dynamic_size or False
        self._clear_after_read = True if clear_after_read is None else clear_after_read
        self._previously_read_indices = []
        if isinstance(size, EagerTensor):
            size = size.numpy()
        self._tensor_array = [None for _ in range(size)]

    flow = property(lambda self: self._flow)
    dtype = property(lambda self: self._dtype)
    handle = property(lambda self: self._handle)
    element_shape = property(lambda self: self._element_shape)

    def identity(self):
        return self.parent()

    def grad(self, source, flow=None, name=None):
        raise NotImplementedError(
            "TensorArray.grad is not supported when executing eagerly; eager's gradient implementation does "
            "not use/need this function to compute gradients of operations that use TensorArrays.")

    def read(self, index, name=None):
        index = _py_index(index)
        if index < 0:
            raise errors.OutOfRangeError(
                None, None, "Reading from negative indices (index %d) is not allowed." % index)
        if index >= len(self._tensor_array):
            raise errors.OutOfRangeError(None, None, "Tried to read from index %d but array size is: %d " %
                                         (index, len(self._tensor_array)))
        tensor = self._tensor_array[index]
        if tensor is None:
            if index in self._previously_read_indices:
                raise errors.InvalidArgumentError(
                    None, None, "Could not read index %d twice because it was cleared after a previous read "
                                "(perhaps try setting clear_after_read = false?)" % index)
            tensor = self._maybe_zero(index)
        if self._clear_after_read:
            self._tensor_array[index] = None
            self._previously_read_indices.append(index)
        return tensor

    def _write(self, index, value):
        index = _py_index(index)
        if index < 0:
            raise errors.OutOfRangeError(
                None, None, "Writing to negative indices (index %d) is not allowed." % index)
        size = len(self._tensor_array)
        if index >= size:
            if not self._dynamic_size:
                raise errors.OutOfRangeError(
                    None, None, "Tried to write to index %d but array is not resizeable and size is: %d " %
                                (index, size))
            self._tensor_array.extend(None for _ in range(index - size + 1))
        if not isinstance(value, Tensor):
            value = convert_to_tensor(value, dtype_hint=self._dtype)
        if self._dtype is not value.dtype:
            raise errors.InvalidArgumentError(
                None, None, "TensorArray dtype is %s but Op is trying to write dtype %s " %
                            (self._dtype.name, value.dtype.name))
        if not self._element_shape.is_compatible_with(value.shape):
            raise ValueError("Incompatible shape for value (%s), expected (%s)" %
                             (value.shape, self._element_shape))
        if self._infer_shape:
            self._element_shape = self._element_shape.merge_with(value.shape)
        self._tensor_array[index] = value

    def write(self, index, value, name=None):
        self._write(index, value)
        return self.parent()

    def _maybe_zero(self, ix):
        val = self._tensor_array[ix]
        if val is None:
            val = self._tensor_array[ix] = _zeros_of(self._element_shape, self._dtype)
        return val

    def stack(self, name=None):
        if self._tensor_array:
            for ix in range(len(self._tensor_array)):
                self._maybe_zero(ix)
        if not self._tensor_array and self._element_shape.is_fully_defined():
            return zeros([0] + self._element_shape.as_list(), dtype=self._dtype)
        if not self._tensor_array:
            return convert_to_tensor([], dtype=self._dtype)
        if any(t.dtype is not self._dtype for t in self._tensor_array):
            # TF converts the list with dtype=self.dtype: elements of another dtype (unstack does not
            # convert) go through numpy, as TF's conversion does
            return convert_to_tensor(np.stack([t.numpy() for t in self._tensor_array]), dtype=self._dtype)
        return _stack_op(self._tensor_array, name="packed")  # TF packs the list (named "packed" eagerly)

    def gather(self, indices, name=None):
        indices = _py_index(indices)
        return _stack_op([self._maybe_zero(i) for i in indices])

    def concat(self, name=None):
        try:
            return _concat_op([self._maybe_zero(ix) for ix in range(len(self._tensor_array))], 0)
        except errors.OpError:
            ndims = [t.shape.ndims for t in self._tensor_array]
            if 0 in ndims:
                raise errors.InvalidArgumentError(
                    None, None, "Concat saw a scalar shape at index %d but requires at least vectors." %
                                ndims.index(0)) from None
            raise

    def unstack(self, value, name=None):
        tensors = _unstack_op(value)
        if len(tensors) > len(self._tensor_array) and not self._dynamic_size:
            raise ValueError("Cannot unstack %d tensors into a TensorArray of static size %d " %
                             (len(tensors), len(self._tensor_array)))
        self._tensor_array = tensors
        return self.parent()

    def scatter(self, indices, value, name=None):
        indices = _py_index(indices)
        for index, val in zip(indices, _unstack_op(value)):
            self._write(index, val)
        return self.parent()

    def split(self, value, lengths, name=None):
        value = convert_to_tensor(value, dtype_hint=self._dtype)
        lengths = convert_to_tensor(lengths)
        sum_lengths = int(np.sum(lengths.numpy()))
        if lengths.shape.ndims != 1:
            raise errors.InvalidArgumentError(
                None, None, "Expected lengths to be a vector, received shape: %s " % lengths.shape.as_list())
        elif value.shape.ndims == 0:
            raise errors.InvalidArgumentError(
                None, None, "Expected value to be at least a vector, but received shape: %s " %
                            value.shape.as_list())
        elif sum_lengths != value.shape.as_list()[0]:
            raise errors.InvalidArgumentError(
                None, None, "Expected sum of lengths to be equal to values.shape[0], but sum of lengths is "
                            "%d and value's shape is: %s " % (sum_lengths, value.shape.as_list()))
        elif not self._dynamic_size and lengths.shape[0] != len(self._tensor_array):
            raise errors.InvalidArgumentError(
                None, None, "TensorArray's size is not equal to the size of lengths (%d vs. %d), and the "
                            "TensorArray is not marked as dynamically resizeable." %
                            (len(self._tensor_array), lengths.shape[0]))
        self._tensor_array = list(_split_op(value, lengths))
        return self.parent()

    def size(self, name=None):
        return constant(len(self._tensor_array))

    def close(self, name=None):
        del self._tensor_array[:]


# ---- graph (TensorList) ------------------------------------------------------------------------------

class _GraphTensorArrayV2:
    """TensorArray over a variant TensorList `flow` (see list_ops.py); each write makes a new flow."""

    def __init__(self, dtype, size=None, dynamic_size=None, clear_after_read=None, tensor_array_name=None,
                 handle=None, flow=None, infer_shape=True, element_shape=None,
                 colocate_with_first_write_call=True, name=None):
        self._dynamic_size = dynamic_size
        self._size = size
        if flow is not None and (not isinstance(flow, Tensor) or flow.dtype is not _dt.variant):
            raise TypeError(f"Expected `flow` to be a variant tensor, but received `{flow.dtype}` instead.")
        if flow is None and size is None:
            raise ValueError("Argument `size` must be provided if argument `flow` is not provided.")
        if flow is not None and size is not None:
            raise ValueError("Cannot provide both `flow` and `size` arguments at the same time.")
        if flow is not None and element_shape is not None:
            raise ValueError("Cannot provide both `flow` and `element_shape` argumentsat the same time.")
        self._dtype = _dt.as_dtype(dtype).base_dtype
        # The static element shape: `element_shape`, refined by writes when infer_shape. A one-element
        # list shared by every TensorArray built from this one (build_ta_with_new_flow), as in TF.
        self._element_shape = [as_shape(element_shape)]
        self._infer_shape = infer_shape
        if flow is None:
            self._flow = list_ops.tensor_list_reserve(self._element_shape[0], _int32(size), self._dtype)
        else:
            self._flow = flow
        self._colocate_with_first_write_call = None
        self._colocate_with = None

    flow = property(lambda self: self._flow)
    dtype = property(lambda self: self._dtype)
    element_shape = property(lambda self: self._element_shape[0])
    handle = property(lambda self: None)

    def _check_element_shape(self, shape):
        if not shape.is_compatible_with(self.element_shape):
            raise ValueError("Inconsistent shapes: saw %s but expected %s " % (shape, self.element_shape))
        if self._infer_shape:
            self._element_shape[0] = self.element_shape.merge_with(shape)

    def identity(self):
        return build_ta_with_new_flow(self, _identity_op(self._flow))

    def grad(self, source, flow=None, name=None):
        raise NotImplementedError()

    def read(self, index, name=None):
        return list_ops.tensor_list_get_item(self._flow, _int32(index), self.element_shape, self._dtype)

    def write(self, index, value, name=None):
        value = convert_to_tensor(value, dtype_hint=self._dtype)
        self._check_element_shape(value.shape)
        flow_out = list_ops.tensor_list_set_item(self._flow, _int32(index), value,
                                                 resize_if_index_out_of_bounds=bool(self._dynamic_size))
        return build_ta_with_new_flow(self, flow_out)

    def stack(self, name=None):
        if not self._dynamic_size and self._size is not None:
            ta_size = _static_int(self._size)
            ta_size = -1 if ta_size is None else ta_size
        else:
            ta_size = -1
        return list_ops.tensor_list_stack(self._flow, self._dtype, num_elements=ta_size,
                                          element_shape=self.element_shape)

    def gather(self, indices, name=None):
        return list_ops.tensor_list_gather(self._flow, _int32(indices), self.element_shape, self._dtype)

    def concat(self, name=None):
        element_shape = ([None] + self.element_shape.dims[1:]) if self.element_shape else None
        return list_ops.tensor_list_concat(self._flow, self._dtype, element_shape=element_shape)[0]

    def unstack(self, value, name=None):
        value = convert_to_tensor(value, dtype_hint=self._dtype)
        self._check_element_shape(value.shape[1:])
        flow_out = list_ops.tensor_list_from_tensor(value, element_shape=value.shape[1:])
        return build_ta_with_new_flow(self, flow_out)

    def scatter(self, indices, value, name=None):
        value = convert_to_tensor(value, dtype_hint=self._dtype)
        self._check_element_shape(value.shape[1:])
        flow_out = list_ops.tensor_list_scatter(self._flow, value, _int32(indices))
        return build_ta_with_new_flow(self, flow_out)

    def split(self, value, lengths, name=None):
        value = convert_to_tensor(value, dtype_hint=self._dtype)
        lengths_64 = _cast_op(convert_to_tensor(lengths), _dt.int64)
        if not _executing_eagerly():
            clengths = lengths_64.const
            if value.shape.dims is not None and clengths is not None:
                clengths = np.asarray(clengths)
                if clengths.shape and clengths.size and clengths.max() == clengths.min():
                    self._check_element_shape(TensorShape([int(clengths[0])]).concatenate(value.shape[1:]))
        flow_out = list_ops.tensor_list_split(value, lengths_64, element_shape=self.element_shape)
        return build_ta_with_new_flow(self, flow_out)

    def size(self, name=None):
        if not self._dynamic_size and self._size is not None:
            return convert_to_tensor(self._size, dtype=_dt.int32)
        return list_ops.tensor_list_length(self._flow)

    def close(self, name=None):
        return None


# ---- the public class ---------------------------------------------------------------------------------

@tf_export("TensorArray")
class TensorArray:
    """Class wrapping dynamic-sized, per-time-step, Tensor arrays (`tf.TensorArray`).

    >>> import tensorweave as tf
    >>> ta = tf.TensorArray(tf.float32, size=0, dynamic_size=True, clear_after_read=False)
    >>> ta = ta.write(0, 10)
    >>> ta = ta.write(1, 20)
    >>> ta.stack()
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([10., 20.], dtype=float32)>

    Always use the returned TensorArray (`ta = ta.write(...)`): in graphs each write returns a new
    TensorArray whose `flow` carries the updated list. See the module docstring for how control flow
    carries TensorArrays (`to_flows` / `from_flows`).
    """

    def __init__(self, dtype, size=None, dynamic_size=None, clear_after_read=None, tensor_array_name=None,
                 handle=None, flow=None, infer_shape=True, element_shape=None,
                 colocate_with_first_write_call=True, name=None):
        if _executing_eagerly() and (flow is None or getattr(flow, "dtype", None) is not _dt.variant):
            implementation = _EagerTensorArray
        else:
            implementation = _GraphTensorArrayV2
        self._implementation = implementation(
            dtype, size=size, dynamic_size=dynamic_size, clear_after_read=clear_after_read,
            tensor_array_name=tensor_array_name, handle=handle, flow=flow, infer_shape=infer_shape,
            element_shape=element_shape, colocate_with_first_write_call=colocate_with_first_write_call,
            name=name)
        self._implementation.parent = weakref.ref(self)

    @property
    def flow(self):
        """The flow `Tensor`: in graphs the variant TensorList holding the array's elements."""
        return self._implementation._flow

    @property
    def dtype(self):
        return self._implementation._dtype

    @property
    def handle(self):
        return self._implementation.handle

    @property
    def element_shape(self):
        return self._implementation.element_shape

    @property
    def dynamic_size(self):
        return self._implementation._dynamic_size

    @property
    def _infer_shape(self):
        return self._implementation._infer_shape

    def identity(self):
        """A TensorArray with the same content and properties."""
        return self._implementation.identity()

    def grad(self, source, flow=None, name=None):
        return self._implementation.grad(source, flow=flow, name=name)

    def read(self, index, name=None):
        """The tensor at location `index`."""
        return self._implementation.read(index, name=name)

    def write(self, index, value, name=None):
        """Writes `value` at `index`; returns the TensorArray to use from now on."""
        return self._implementation.write(index, value, name=name)

    def stack(self, name=None):
        """All the elements stacked into one tensor (unwritten elements are zeros)."""
        return self._implementation.stack(name=name)

    def gather(self, indices, name=None):
        """The elements at `indices`, stacked."""
        return self._implementation.gather(indices, name=name)

    def concat(self, name=None):
        """All the elements concatenated along their first dimension."""
        return self._implementation.concat(name=name)

    def unstack(self, value, name=None):
        """Writes the slices `value[i]` as the elements."""
        return self._implementation.unstack(value, name=name)

    def scatter(self, indices, value, name=None):
        """Writes `value[i]` at `indices[i]`."""
        return self._implementation.scatter(indices, value, name=name)

    def split(self, value, lengths, name=None):
        """Splits `value` along its first dimension into pieces of `lengths` as the elements."""
        return self._implementation.split(value, lengths, name=name)

    def size(self, name=None):
        """The number of elements (int32 scalar)."""
        return self._implementation.size(name=name)

    def close(self, name=None):
        return self._implementation.close(name=name)

    @property
    def _type_spec(self):
        return TensorArraySpec.from_value(self)


def build_ta_with_new_flow(old_ta, flow):
    """A TensorArray like `old_ta` (dtype, sizes, shared static element shape) around `flow`."""
    impl = old_ta._implementation if isinstance(old_ta, TensorArray) else old_ta
    if not _executing_eagerly() and not isinstance(impl, _GraphTensorArrayV2):
        raise NotImplementedError(
            "Attempting to build a graph-mode TF2-style TensorArray from either an eager-mode TensorArray or "
            "a TF1-style TensorArray.  This is not currently supported.  You may be attempting to capture a "
            "TensorArray inside a tf.function or tf.data map function. Instead, construct a new TensorArray "
            "inside the function.")
    new_ta = TensorArray(dtype=impl.dtype, handle=impl.handle, flow=flow, infer_shape=impl._infer_shape,
                         colocate_with_first_write_call=impl._colocate_with_first_write_call)
    new_impl = new_ta._implementation
    new_impl._dynamic_size = impl._dynamic_size
    new_impl._size = impl._size
    new_impl._colocate_with = getattr(impl, "_colocate_with", None)
    new_impl._element_shape = impl._element_shape  # shared (graph implementation: a one-element list)
    return new_ta


@tf_export("TensorArraySpec")
class TensorArraySpec:
    """Type specification for a `tf.TensorArray`: one component, the variant flow."""

    __slots__ = ["_element_shape", "_dtype", "_dynamic_size", "_infer_shape"]

    value_type = property(lambda self: TensorArray)

    def __init__(self, element_shape=None, dtype=_dt.float32, dynamic_size=False, infer_shape=True):
        self._element_shape = as_shape(element_shape)
        self._dtype = _dt.as_dtype(dtype)
        self._dynamic_size = dynamic_size
        self._infer_shape = infer_shape

    element_shape = property(lambda self: self._element_shape)
    dtype = property(lambda self: self._dtype)

    def is_subtype_of(self, other) -> bool:
        return (isinstance(other, TensorArraySpec) and self._dtype == other._dtype
                and self._dynamic_size == other._dynamic_size)

    def is_compatible_with(self, other) -> bool:
        if isinstance(other, TensorArray):
            other = TensorArraySpec.from_value(other)
        return (isinstance(other, TensorArraySpec) and self._dtype.is_compatible_with(other._dtype)
                and self._element_shape.is_compatible_with(other._element_shape)
                and self._dynamic_size == other._dynamic_size)

    def _serialize(self):
        return (self._element_shape, self._dtype, self._dynamic_size, self._infer_shape)

    def _to_components(self, value):
        if not isinstance(value, TensorArray):
            raise TypeError("Expected value to be a TensorArray, but got: `{}`".format(type(value)))
        if value.flow is not None and value.flow.dtype is _dt.variant:
            return [value.flow]
        return [list_ops.tensor_list_from_tensor(value.stack(), element_shape=value.element_shape)]

    def _from_components(self, tensor_list):
        ret = TensorArray(dtype=self._dtype, flow=tensor_list[0], dynamic_size=self._dynamic_size,
                          infer_shape=self._infer_shape)
        ret._implementation._element_shape = [self._element_shape]
        return ret

    @staticmethod
    def from_value(value):
        if not isinstance(value, TensorArray):
            raise TypeError("Expected value to be a TensorArray, but got: `{}`".format(type(value)))
        return TensorArraySpec(dtype=value.dtype, element_shape=value.element_shape,
                               dynamic_size=value.dynamic_size, infer_shape=value._infer_shape)

    def __eq__(self, other):
        return type(other) is type(self) and self._serialize() == other._serialize()

    def __hash__(self):
        return hash((self._element_shape, self._dtype, self._dynamic_size, self._infer_shape))

    def __repr__(self):
        return (f"TensorArraySpec({self._element_shape!r}, {self._dtype!r}, {self._dynamic_size!r}, "
                f"{self._infer_shape!r})")


# ---- control-flow helpers ------------------------------------------------------------------------------

def is_tensor_array(x) -> bool:
    return isinstance(x, TensorArray)


def tensor_array_to_flow(x):
    """`x.flow` for a TensorArray, `x` itself otherwise."""
    return x.flow if isinstance(x, TensorArray) else x


def flow_to_tensor_array(flow, template):
    """A TensorArray around `flow` when `template` is one (sharing its static properties), else `flow`."""
    if isinstance(template, TensorArray) and not isinstance(flow, TensorArray):
        return build_ta_with_new_flow(template, flow)
    return flow


def to_flows(structure):
    """`structure` with every TensorArray replaced by its flow tensor."""
    return nest.map_structure(tensor_array_to_flow, structure)


def from_flows(template, structure):
    """`structure` (shaped like `template`) with each flow whose template leaf is a TensorArray wrapped
    back into a TensorArray."""
    flat_t = nest.flatten(template)
    flat_s = nest.flatten(structure)
    return nest.pack_sequence_as(template, [flow_to_tensor_array(s, t) for s, t in zip(flat_s, flat_t)])
