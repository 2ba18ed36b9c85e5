"""TensorList ops: the value-semantics list behind graph-mode `tf.TensorArray`.

A TensorList is a scalar tensor of dtype `variant` whose backend value is a `TensorListValue`: an
immutable tuple of element backend values (torch tensors, numpy object arrays for strings; `None`
for an element not written yet), the list's element dtype and its (possibly partial) element shape.
Every op that "modifies" a list returns a new `TensorListValue` (copy-on-write of the tuple; the
elements themselves are shared), so graphs stay pure: the executor, constant folding, tapes and
loop nodes (a `tf.while_loop` loop variable of dtype variant) treat a list like any other value.

The primitives carry TF's op names (TensorListReserve, TensorListSetItem, TensorListGetItem,
TensorListStack, TensorListGather, TensorListConcatV2, TensorListFromTensor,
TensorListScatterIntoExistingList, TensorListSplit, TensorListLength) and TF's kernel messages.
Element shapes are attrs (`TensorShape`, possibly partial), not tensors: TensorArray always knows
them statically. Element dtypes are attrs (`DType`).

Gradients: the gradient of a list is again a list (None elements are zeros); AddN sums two gradient
lists elementwise and ZerosLike of a list is a list of as many zeros (None). See `_grads` at the end
of this module. Elements may themselves be lists (element dtype variant): a traced while_loop's
gradient stores each iteration's TensorArray in such a list.
"""

from __future__ import annotations

import numpy as np
import torch

from tensorweave._src.core import dtypes as _dt
from tensorweave._src.core import errors
from tensorweave._src.core.backend import DTYPE_OF_TORCH, torch_dtype
from tensorweave._src.core.dispatch import bind
from tensorweave._src.core.primitive import AbstractValue, Primitive
from tensorweave._src.core.shape import TensorShape
from tensorweave._src.ops._common import invalid
from tensorweave._src.ops.array._util import tf_name

_CPU = torch.device("cpu")


class TensorListValue:
    """The backend value of a variant TensorList tensor (immutable)."""

    __slots__ = ("items", "element_shape", "element_dtype", "filled")

    # what EagerTensor and dispatch.wrap read from a backend value
    shape = ()
    ndim = 0
    device = _CPU
    dtype = None
    tensor_dtype = _dt.variant

    def __init__(self, items: tuple, element_shape: TensorShape, element_dtype: _dt.DType, filled=None):
        self.items = items
        self.element_shape = element_shape
        self.element_dtype = element_dtype
        # indices of the only set elements when known (a read's gradient sets one), so that summing
        # a loop's per-iteration read gradients costs O(1) per iteration instead of O(len)
        self.filled = filled

    def numpy(self):
        raise errors.InvalidArgumentError(None, None,
                                          "Cannot convert a Tensor of dtype variant to a NumPy array.")

    def __len__(self) -> int:
        return len(self.items)

    def __add__(self, other: "TensorListValue") -> "TensorListValue":
        """Elementwise sum of two lists (None: zero), as TF's AddN of TensorLists; for gradients."""
        a, b = self.items, other.items
        if len(a) < len(b):
            a = a + (None,) * (len(b) - len(a))
        elif len(b) < len(a):
            b = b + (None,) * (len(a) - len(b))
        if other.filled is not None or self.filled is not None:
            base, extra = (a, other.filled) if other.filled is not None else (b, self.filled)
            add = b if other.filled is not None else a
            items = list(base)
            for i in extra:
                x, y = items[i], add[i]
                items[i] = y if x is None else x if y is None else x + y
        else:
            items = [y if x is None else x if y is None else x + y for x, y in zip(a, b)]
        return TensorListValue(tuple(items), self.element_shape, self.element_dtype)

    def zeros_like(self) -> "TensorListValue":
        """ZerosLike of a list: same length, every element zero (None), as TF's TensorListZerosLike."""
        return TensorListValue((None,) * len(self.items), self.element_shape, self.element_dtype, filled=())

    def __repr__(self) -> str:
        return "<TensorList>"


# ---- helpers --------------------------------------------------------------------------------------

def _dtype_of(v) -> _dt.DType:
    if isinstance(v, np.ndarray):
        return _dt.string
    if isinstance(v, TensorListValue):  # lists of lists: a loop gradient's per-iteration accumulator
        return _dt.variant
    return DTYPE_OF_TORCH[v.dtype]


def _shape_of(v) -> TensorShape:
    return TensorShape._from_tuple(tuple(v.shape))


def _debug(shape: TensorShape) -> str:
    """PartialTensorShape::DebugString: `<unknown>`, `[2,?]`."""
    if shape.rank is None:
        return "<unknown>"
    return "[" + ",".join("?" if d is None else str(d) for d in shape.as_list()) + "]"


def _merge(op: str, a: TensorShape, b: TensorShape) -> TensorShape:
    if not a.is_compatible_with(b):
        raise invalid(op, "PartialTensorShape: Incompatible shapes during merge: "
                          f"{_debug(a)} vs. {_debug(b)}")
    return a.merge_with(b)


def _check_dtype(op: str, expected: _dt.DType, lst: TensorListValue) -> None:
    if expected is not lst.element_dtype:
        raise invalid(op, f"Invalid data types; op elements {tf_name(expected)} but list elements "
                          f"{tf_name(lst.element_dtype)}")


def zeros_value(shape, dtype: _dt.DType, like=None):
    """A backend zero tensor (empty strings for string lists)."""
    shape = tuple(shape)
    if dtype is _dt.string:
        return np.full(shape, b"", dtype=object)
    device = like.device if like is not None and not isinstance(like, np.ndarray) else _CPU
    return torch.zeros(shape, dtype=torch_dtype(dtype), device=device)


def _any_item(lst: TensorListValue):
    for v in lst.items:
        if v is not None:
            return v
    return None


def _stack_values(values, dtype):
    if dtype is _dt.string:
        return np.stack(values) if values else np.zeros((0,), dtype=object)
    return torch.stack(values)


def _concat_values(values, dtype):
    if dtype is _dt.string:
        return np.concatenate(values)
    return torch.cat(values)


def _int(v) -> int:
    return int(v.item()) if hasattr(v, "item") else int(v)


def _variant() -> AbstractValue:
    return AbstractValue(_dt.variant, ())


def _require_variant(op: str, lst) -> None:
    if lst.dtype is not _dt.variant:
        raise invalid(op, f"Expected input_handle to be a variant tensor, got {lst.dtype.name}")


def _require_list(op: str, value) -> TensorListValue:
    if not isinstance(value, TensorListValue):
        raise invalid(op, "Input handle is not a list. Saw: '" + repr(value) + "'")
    return value


def _scalar_rule(op: str, x, what: str) -> None:
    if x.shape.rank not in (None, 0):
        raise invalid(op, f"{what} must be a scalar, got shape {_debug(x.shape)}")


# ---- TensorListReserve ----------------------------------------------------------------------------

reserve_p = Primitive("TensorListReserve")


@reserve_p.def_kernel
def _reserve(num_elements, element_shape, element_dtype):
    n = _int(num_elements)
    if n < 0:
        raise invalid("TensorListReserve", f"The num_elements to reserve must be a non negative number, "
                                           f"but got {n}")
    return TensorListValue((None,) * n, element_shape, element_dtype)


@reserve_p.def_abstract
def _reserve_rule(num_elements, element_shape, element_dtype):
    _scalar_rule("TensorListReserve", num_elements, "num_elements")
    return _variant()


reserve_p.def_grad(lambda op, dy: [None])


def tensor_list_reserve(element_shape, num_elements, element_dtype):
    return bind(reserve_p, num_elements, element_shape=TensorShape(element_shape) if not isinstance(
        element_shape, TensorShape) else element_shape, element_dtype=element_dtype)


# ---- TensorListSetItem ----------------------------------------------------------------------------

set_item_p = Primitive("TensorListSetItem")


@set_item_p.def_kernel
def _set_item(lst, index, item, resize_if_index_out_of_bounds=False):
    lst = _require_list("TensorListSetItem", lst)
    dtype = _dtype_of(item)
    if dtype is not lst.element_dtype:
        raise invalid("TensorListSetItem", f"Invalid data types; op elements {tf_name(dtype)} but list "
                                           f"elements {tf_name(lst.element_dtype)}")
    i = _int(index)
    items = list(lst.items)
    n = len(items)
    if resize_if_index_out_of_bounds and i >= n:
        items.extend([None] * (i + 1 - n))
    elif i < 0 or i >= n:
        raise invalid("TensorListSetItem", f"Trying to modify element {i} in a list with {n} elements.")
    shape = _shape_of(item)
    if not lst.element_shape.is_compatible_with(shape):
        raise invalid("TensorListSetItem", "Tried to set a tensor with incompatible shape at a list index. "
                                           f"Item element shape: {_debug(shape)} list shape: "
                                           f"{_debug(lst.element_shape)}")
    items[i] = item
    return TensorListValue(tuple(items), lst.element_shape, lst.element_dtype)


@set_item_p.def_abstract
def _set_item_rule(lst, index, item, resize_if_index_out_of_bounds=False):
    _require_variant("TensorListSetItem", lst)
    _scalar_rule("TensorListSetItem", index, "index")
    return _variant()


def tensor_list_set_item(lst, index, item, resize_if_index_out_of_bounds=False):
    return bind(set_item_p, lst, index, item,
                resize_if_index_out_of_bounds=bool(resize_if_index_out_of_bounds))


# ---- TensorListGetItem ----------------------------------------------------------------------------

get_item_p = Primitive("TensorListGetItem")


def _element_shape_from_input(op: str, lst: TensorListValue, element_shape: TensorShape) -> TensorShape:
    return _merge(op, lst.element_shape, element_shape)


@get_item_p.def_kernel
def _get_item(lst, index, element_shape, element_dtype):
    lst = _require_list("TensorListGetItem", lst)
    _check_dtype("TensorListGetItem", element_dtype, lst)
    i = _int(index)
    n = len(lst.items)
    if i < 0 or i >= n:
        raise invalid("TensorListGetItem", f"Trying to access element {i} in a list with {n} elements.")
    v = lst.items[i]
    if v is not None:
        return v
    shape = _element_shape_from_input("TensorListGetItem", lst, element_shape)
    if not shape.is_fully_defined():
        for t in lst.items:
            if t is not None:
                shape = _merge("TensorListGetItem", shape, _shape_of(t))
    if not shape.is_fully_defined():
        raise invalid("TensorListGetItem", f"Trying to read an uninitialized tensor but element_shape is not "
                                           f"fully defined: {_debug(shape)} and no list element is set.")
    return zeros_value(shape.as_list(), element_dtype, _any_item(lst))


@get_item_p.def_abstract
def _get_item_rule(lst, index, element_shape, element_dtype):
    _require_variant("TensorListGetItem", lst)
    _scalar_rule("TensorListGetItem", index, "index")
    return AbstractValue(element_dtype, element_shape)


def tensor_list_get_item(lst, index, element_shape, element_dtype):
    return bind(get_item_p, lst, index, element_shape=TensorShape(element_shape), element_dtype=element_dtype)


# ---- TensorListStack / TensorListGather -----------------------------------------------------------

stack_p = Primitive("TensorListStack")


def _full_items(op: str, lst: TensorListValue, element_shape: TensorShape, indices=None, empty_message=None):
    """The list's elements (at `indices`), uninitialized ones as zeros; TF's shape checks."""
    shape = _element_shape_from_input(op, lst, element_shape)
    if not shape.is_fully_defined() and not lst.items and empty_message:
        raise invalid(op, empty_message + _debug(shape))
    if not lst.element_shape.is_fully_defined():
        for t in lst.items:
            if t is not None:
                shape = _merge(op, shape, _shape_of(t))
    chosen = lst.items if indices is None else [lst.items[i] for i in indices]
    if any(v is None for v in chosen) or not chosen:
        if not shape.is_fully_defined():
            raise invalid(op, "Tried to stack list which only contains uninitialized tensors and has a "
                              f"non-fully-defined element_shape: {_debug(shape)}")
    like = _any_item(lst)
    values = [v if v is not None else zeros_value(shape.as_list(), lst.element_dtype, like) for v in chosen]
    return values, shape


@stack_p.def_kernel
def _stack(lst, element_shape, element_dtype, num_elements=-1):
    lst = _require_list("TensorListStack", lst)
    _check_dtype("TensorListStack", element_dtype, lst)
    n = len(lst.items)
    if num_elements != -1 and n != num_elements:
        raise invalid("TensorListStack", f"Operation expected a list with {num_elements} elements but got a "
                                         f"list with {n} elements.")
    values, shape = _full_items("TensorListStack", lst, element_shape,
                                empty_message="Tried to stack elements of an empty list with "
                                              "non-fully-defined element_shape: ")
    if not values:
        return zeros_value([0] + shape.as_list(), element_dtype)
    return _stack_values(values, element_dtype)


@stack_p.def_abstract
def _stack_rule(lst, element_shape, element_dtype, num_elements=-1):
    _require_variant("TensorListStack", lst)
    if element_shape.rank is None:
        return AbstractValue(element_dtype, None)
    lead = None if num_elements == -1 else num_elements
    return AbstractValue(element_dtype, [lead] + element_shape.as_list())


def tensor_list_stack(lst, element_dtype, num_elements=-1, element_shape=None):
    return bind(stack_p, lst, element_shape=TensorShape(element_shape), element_dtype=element_dtype,
                num_elements=int(num_elements))


gather_p = Primitive("TensorListGather")


@gather_p.def_kernel
def _gather(lst, indices, element_shape, element_dtype):
    lst = _require_list("TensorListGather", lst)
    _check_dtype("TensorListGather", element_dtype, lst)
    idx = [int(i) for i in indices.reshape(-1).tolist()]
    n = len(lst.items)
    for i in idx:
        if i < 0 or i >= n:
            raise invalid("TensorListGather", f"Index {i} out o range; list only has {n} elements.")
    values, shape = _full_items("TensorListGather", lst, element_shape, indices=idx)
    if not values:
        return zeros_value([0] + shape.as_list(), element_dtype)
    return _stack_values(values, element_dtype)


@gather_p.def_abstract
def _gather_rule(lst, indices, element_shape, element_dtype):
    _require_variant("TensorListGather", lst)
    if indices.shape.rank not in (None, 1):
        raise invalid("TensorListGather", f"indices must be a vector, got shape {_debug(indices.shape)}")
    if element_shape.rank is None:
        return AbstractValue(element_dtype, None)
    n = indices.shape[0] if indices.shape.rank == 1 else None
    return AbstractValue(element_dtype, [n] + element_shape.as_list())


def tensor_list_gather(lst, indices, element_shape, element_dtype):
    return bind(gather_p, lst, indices, element_shape=TensorShape(element_shape), element_dtype=element_dtype)


# ---- TensorListConcatV2 ---------------------------------------------------------------------------

concat_p = Primitive("TensorListConcatV2", multiple_results=True)


@concat_p.def_kernel
def _concat(lst, element_shape, element_dtype):
    op = "TensorListConcatV2"
    lst = _require_list(op, lst)
    _check_dtype(op, element_dtype, lst)
    shape = _element_shape_from_input(op, lst, element_shape)
    if shape.rank == 0 or lst.element_shape.rank == 0:
        raise invalid(op, "Concat requires elements to be at least vectors, found scalars instead.")
    rest = None if shape.rank is None else TensorShape(shape.as_list()[1:])
    values, lengths = [], []
    for i, v in enumerate(lst.items):
        if v is None:
            continue
        if v.ndim == 0:
            raise invalid(op, f"Concat saw a scalar shape at index {i} but requires at least vectors.")
        tail = TensorShape(list(v.shape)[1:])
        if rest is None:
            rest = tail
        elif not rest.is_compatible_with(tail):
            raise invalid(op, f"Tried to concat tensors with unequal shapes: {_debug(rest)} vs "
                              f"{_debug(tail)}")
        else:
            rest = rest.merge_with(tail)
    for v in lst.items:
        if v is None:
            if rest is None or not rest.is_fully_defined():
                known = rest if rest is not None else shape
                raise invalid(op, "Trying to concat list with only uninitialized tensors but "
                                  f"element_shape_except_first_dim is not fully defined: {_debug(known)}")
            v = zeros_value([0] + rest.as_list(), element_dtype, _any_item(lst))
        values.append(v)
        lengths.append(int(v.shape[0]))
    if not values:
        if rest is None or not rest.is_fully_defined():
            raise invalid(op, "All except the first dimension must be fully defined when concating an empty "
                              f"tensor list. element_shape: {_debug(shape)}")
        out = zeros_value([0] + rest.as_list(), element_dtype)
    else:
        out = _concat_values(values, element_dtype)
    return out, torch.tensor(lengths, dtype=torch.int64)


@concat_p.def_abstract
def _concat_rule(lst, element_shape, element_dtype):
    _require_variant("TensorListConcatV2", lst)
    out = AbstractValue(element_dtype, None if element_shape.rank is None else
                        [None] + element_shape.as_list()[1:])
    return out, AbstractValue(_dt.int64, [None])


def tensor_list_concat(lst, element_dtype, element_shape=None):
    return bind(concat_p, lst, element_shape=TensorShape(element_shape), element_dtype=element_dtype)


# ---- TensorListFromTensor / TensorListScatterIntoExistingList / TensorListSplit -------------------

from_tensor_p = Primitive("TensorListFromTensor")


@from_tensor_p.def_kernel
def _from_tensor(tensor, element_shape):
    op = "TensorListFromTensor"
    if tensor.ndim < 1:
        raise invalid(op, "Tensor must be at least a vector, but saw shape: []")
    tail = TensorShape(list(tensor.shape)[1:])
    shape = _merge(op, element_shape, tail)
    if isinstance(tensor, np.ndarray):
        items = tuple(tensor[i] for i in range(tensor.shape[0]))
    else:
        items = tuple(torch.unbind(tensor, 0))
    return TensorListValue(items, shape, _dtype_of(tensor))


@from_tensor_p.def_abstract
def _from_tensor_rule(tensor, element_shape):
    if tensor.shape.rank == 0:
        raise invalid("TensorListFromTensor", "Tensor must be at least a vector, but saw shape: []")
    return _variant()


def tensor_list_from_tensor(tensor, element_shape):
    return bind(from_tensor_p, tensor, element_shape=TensorShape(element_shape))


scatter_p = Primitive("TensorListScatterIntoExistingList")


@scatter_p.def_kernel
def _scatter(lst, tensor, indices):
    op = "TensorListScatterIntoExistingList"
    lst = _require_list(op, lst)
    dtype = _dtype_of(tensor)
    if dtype is not lst.element_dtype:
        raise invalid(op, f"Invalid data types; op elements {tf_name(dtype)} but list elements "
                          f"{tf_name(lst.element_dtype)}")
    if tensor.ndim < 1:
        raise invalid(op, "Tensor must be at least a vector, but saw shape: []")
    idx = [int(i) for i in indices.reshape(-1).tolist()]
    if len(idx) != tensor.shape[0]:
        raise invalid(op, f"Invalid number of rows in input tensor. Expected: {len(idx)} Actual: "
                          f"{tensor.shape[0]}")
    tail = TensorShape(list(tensor.shape)[1:])
    if not lst.element_shape.is_compatible_with(tail):
        raise invalid(op, "PartialTensorShape: Incompatible shapes during merge: "
                          f"{_debug(lst.element_shape)} vs. "
                          f"{_debug(tail)}")
    items = list(lst.items)
    for i in idx:
        if i < 0:
            raise invalid(op, f"Indices for TensorListScatter must all be non-negative. Saw: {i}")
    top = max(idx, default=-1)
    if top >= len(items):
        items.extend([None] * (top + 1 - len(items)))
    for row, i in enumerate(idx):
        items[i] = tensor[row]
    return TensorListValue(tuple(items), lst.element_shape, lst.element_dtype)


@scatter_p.def_abstract
def _scatter_rule(lst, tensor, indices):
    _require_variant("TensorListScatterIntoExistingList", lst)
    if tensor.shape.rank == 0:
        raise invalid("TensorListScatterIntoExistingList",
                      "Tensor must be at least a vector, but saw shape: []")
    return _variant()


def tensor_list_scatter(lst, tensor, indices):
    return bind(scatter_p, lst, tensor, indices)


split_p = Primitive("TensorListSplit")


@split_p.def_kernel
def _split(tensor, lengths, element_shape):
    op = "TensorListSplit"
    if tensor.ndim < 1:
        raise invalid(op, "Tensor must be at least a vector, but saw shape: []")
    if lengths.ndim != 1:
        raise invalid(op, f"Expected lengths to be a vector, received shape: {_debug(_shape_of(lengths))}")
    total = tensor.shape[0]
    start = 0
    items = []
    for length in [int(v) for v in lengths.tolist()]:
        if length < 0:
            raise invalid(op, f"Invalid value in lengths: {length}")
        end = start + length
        if end > total:
            raise invalid(op, f"Attempting to slice [{start}, {end}] from tensor with length {total}")
        items.append(tensor[start:end])
        start = end
    if start != total:
        raise invalid(op, f"Unused values in tensor. Length of tensor: {total} Values used: {start}")
    shape = element_shape
    if shape.rank is None:
        shape = TensorShape([None] + list(tensor.shape)[1:])
    return TensorListValue(tuple(items), shape, _dtype_of(tensor))


@split_p.def_abstract
def _split_rule(tensor, lengths, element_shape):
    if tensor.shape.rank == 0:
        raise invalid("TensorListSplit", "Tensor must be at least a vector, but saw shape: []")
    return _variant()


def tensor_list_split(tensor, lengths, element_shape):
    return bind(split_p, tensor, lengths, element_shape=TensorShape(element_shape))


# ---- TensorListLength -----------------------------------------------------------------------------

length_p = Primitive("TensorListLength")


@length_p.def_kernel
def _length(lst):
    lst = _require_list("TensorListLength", lst)
    return torch.tensor(len(lst.items), dtype=torch.int32)


@length_p.def_abstract
def _length_rule(lst):
    _require_variant("TensorListLength", lst)
    return AbstractValue(_dt.int32, ())


length_p.def_grad(lambda op, dy: [None])


def tensor_list_length(lst):
    return bind(length_p, lst)


# ---- gradients ------------------------------------------------------------------------------------
# The gradient of a list is a list of the same length whose None elements are zeros. The helper
# primitives below build and read such lists; they take the forward tensors they need for lengths and
# zero shapes as inputs, so they work when shapes are only known at run time.

_grad_item_p = Primitive("TensorListGradItem")  # GetItem's gradient: zeros-list with dy at `index`


@_grad_item_p.def_kernel
def _grad_item(lst, index, dy):
    items = [None] * len(lst.items)
    i = _int(index)
    items[i] = dy
    return TensorListValue(tuple(items), lst.element_shape, _dtype_of(dy), filled=(i,))


_grad_item_p.def_abstract(lambda lst, index, dy: _variant())

_grad_read_p = Primitive("TensorListGradRead")  # an element of a gradient list, zeros when absent


@_grad_read_p.def_kernel
def _grad_read(dlist, index, like):
    i = _int(index)
    v = dlist.items[i] if 0 <= i < len(dlist.items) else None
    if v is None:
        if isinstance(like, TensorListValue):  # an element of a list of lists
            return like.zeros_like()
        return zeros_value(tuple(like.shape), _dtype_of(like), like)
    return v


_grad_read_p.def_abstract(lambda dlist, index, like: AbstractValue(like.dtype, like.shape))

_grad_clear_p = Primitive("TensorListGradClear")  # gradient list for `like` with `indices` zeroed


@_grad_clear_p.def_kernel
def _grad_clear(dlist, like, indices):
    n = len(like.items)
    items = list(dlist.items[:n]) + [None] * max(0, n - len(dlist.items))
    for i in indices.reshape(-1).tolist():
        if 0 <= int(i) < n:
            items[int(i)] = None
    return TensorListValue(tuple(items), like.element_shape, like.element_dtype)


_grad_clear_p.def_abstract(lambda dlist, like, indices: _variant())

_grad_rows_p = Primitive("TensorListGradRows")  # rows `indices` of a gradient list, stacked like `tensor`


@_grad_rows_p.def_kernel
def _grad_rows(dlist, indices, tensor):
    idx = [int(i) for i in indices.reshape(-1).tolist()]
    rows = []
    for r, i in enumerate(idx):
        v = dlist.items[i] if 0 <= i < len(dlist.items) else None
        rows.append(v if v is not None else zeros_value(tuple(tensor.shape[1:]), _dtype_of(tensor), tensor))
    if not rows:
        return zeros_value(tuple(tensor.shape), _dtype_of(tensor), tensor)
    return _stack_values(rows, _dtype_of(tensor))


_grad_rows_p.def_abstract(lambda dlist, indices, tensor: AbstractValue(tensor.dtype, tensor.shape))

# Gather's gradient: TF scatters dy's rows into a new list (TensorListScatterV2), so for an index
# gathered twice the last row wins instead of the rows being summed; reproduced as TF computes it.
_grad_scatter_rows_p = Primitive("TensorListGradScatterRows")


@_grad_scatter_rows_p.def_kernel
def _grad_scatter_rows(lst, indices, dy):
    items = [None] * len(lst.items)
    for r, i in enumerate(int(i) for i in indices.reshape(-1).tolist()):
        items[i] = dy[r]
    return TensorListValue(tuple(items), lst.element_shape, _dtype_of(dy))


_grad_scatter_rows_p.def_abstract(lambda lst, indices, dy: _variant())

_grad_concat_p = Primitive("TensorListGradConcat")  # Split's gradient: the pieces concatenated like `tensor`


@_grad_concat_p.def_kernel
def _grad_concat(dlist, lengths, tensor):
    pieces = []
    for i, n in enumerate(int(v) for v in lengths.tolist()):
        v = dlist.items[i] if i < len(dlist.items) else None
        pieces.append(v if v is not None else
                      zeros_value((n,) + tuple(tensor.shape[1:]), _dtype_of(tensor), tensor))
    if not pieces:
        return zeros_value(tuple(tensor.shape), _dtype_of(tensor), tensor)
    return _concat_values(pieces, _dtype_of(tensor))


_grad_concat_p.def_abstract(lambda dlist, lengths, tensor: AbstractValue(tensor.dtype, tensor.shape))


def _no_grad(op, *dys):
    return [None] * len(op.inputs)


for _p in (_grad_item_p, _grad_read_p, _grad_clear_p, _grad_rows_p, _grad_scatter_rows_p, _grad_concat_p):
    _p.def_grad(_no_grad)  # used only in backward passes (no higher-order gradients through lists yet)


@set_item_p.def_grad
def _set_item_grad(op, dlist):
    lst, index, item = op.inputs
    return [bind(_grad_clear_p, dlist, lst, index), None, bind(_grad_read_p, dlist, index, item)]


@get_item_p.def_grad
def _get_item_grad(op, dy):
    lst, index = op.inputs
    return [bind(_grad_item_p, lst, index, dy), None]


@stack_p.def_grad
def _stack_grad(op, dy):
    return [bind(from_tensor_p, dy, element_shape=op.attrs["element_shape"])]


@gather_p.def_grad
def _gather_grad(op, dy):
    lst, indices = op.inputs
    return [bind(_grad_scatter_rows_p, lst, indices, dy), None]


@concat_p.def_grad
def _concat_grad(op, dy, dlengths):
    return [bind(split_p, dy, op.outputs[1], element_shape=TensorShape(None))]


@from_tensor_p.def_grad
def _from_tensor_grad(op, dlist):
    tensor = op.inputs[0]
    return [bind(_grad_rows_p, dlist, _row_indices(tensor), tensor)]


def _row_indices(tensor):
    from tensorweave._src.ops.array.creation import range as _range
    from tensorweave._src.ops.array.queries import shape as _shape

    return _range(_shape(tensor)[0])


@scatter_p.def_grad
def _scatter_grad(op, dlist):
    lst, tensor, indices = op.inputs
    return [bind(_grad_clear_p, dlist, lst, indices), bind(_grad_rows_p, dlist, indices, tensor), None]


@split_p.def_grad
def _split_grad(op, dlist):
    tensor, lengths = op.inputs
    return [bind(_grad_concat_p, dlist, lengths, tensor), None]
