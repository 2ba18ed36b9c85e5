"""Elementwise and joining string ops: `tf.strings.lower`, `upper`, `length`, `strip`, `substr`,
`join`, `reduce_join`.

>>> import tensorweave as tf
>>> print(tf.strings.lower(tf.constant('Hello world')))
tf.Tensor(b'hello world', shape=(), dtype=string)
>>> print(tf.strings.length(tf.constant('Hello world')))
tf.Tensor(11, shape=(), dtype=int32)
"""

from __future__ import annotations

import numpy as np
import torch

from tensorweave._src.api_export import tf_export
from tensorweave._src.core import dtypes as _dt
from tensorweave._src.core import errors
from tensorweave._src.core.convert import convert_to_tensor
from tensorweave._src.core.dispatch import bind
from tensorweave._src.core.op_messages import mark_converted
from tensorweave._src.core.primitive import AbstractValue, Primitive
from tensorweave._src.core.shape import TensorShape
from tensorweave._src.core.tensor import Tensor
from tensorweave._src.ops._common import broadcast_shape, dims_str, invalid, tensor
from tensorweave._src.ops.strings._util import (
    STRING,
    check_unit,
    map_bytes,
    map_to,
    require_string,
    string_same_shape,
    string_tensor,
    utf8_chars,
    utf8_length,
)

# ---- lower / upper / strip -------------------------------------------------------------------


def _case_op(op_type: str, ascii_fn, unicode_fn) -> Primitive:
    prim = Primitive(op_type, allowed=STRING)

    @prim.def_kernel
    def kernel(input, encoding):
        if encoding == "":
            return map_bytes(ascii_fn, input)
        return map_bytes(lambda b: unicode_fn(b.decode(encoding, "replace")).encode(encoding), input)

    prim.def_abstract(string_same_shape(op_type))
    return prim


string_lower_p = _case_op("StringLower", bytes.lower, str.lower)
string_upper_p = _case_op("StringUpper", bytes.upper, str.upper)


@tf_export("strings.lower")
def lower(input, encoding="", name=None):
    """Lower-cases each string: ASCII only, or all of Unicode with `encoding='utf-8'`."""
    return bind(string_lower_p, tensor(input), encoding=encoding)


@tf_export("strings.upper")
def upper(input, encoding="", name=None):
    """Upper-cases each string: ASCII only, or all of Unicode with `encoding='utf-8'`."""
    return bind(string_upper_p, tensor(input), encoding=encoding)


string_strip_p = Primitive("StringStrip", allowed=STRING)
string_strip_p.def_kernel(lambda input: map_bytes(bytes.strip, input))
string_strip_p.def_abstract(string_same_shape("StringStrip"))


@tf_export("strings.strip")
def strip(input, name=None):
    """Removes leading and trailing ASCII whitespace."""
    return bind(string_strip_p, tensor(input))


# ---- length ----------------------------------------------------------------------------------

string_length_p = Primitive("StringLength", allowed=STRING)


@string_length_p.def_kernel
def _string_length(input, unit):
    check_unit("StringLength", unit)
    fn = len if unit == "BYTE" else utf8_length
    return torch.from_numpy(map_to(fn, input, np.int32))


@string_length_p.def_abstract
def _string_length_rule(input, unit):
    require_string("StringLength", input)
    check_unit("StringLength", unit)
    return AbstractValue(_dt.int32, input.shape)


@tf_export("strings.length")
def length(input, unit="BYTE", name=None):  # noqa: A002 - TF's argument name
    """The length of each string in bytes (`unit='BYTE'`) or UTF-8 characters (`'UTF8_CHAR'`), int32."""
    input = tensor(input)
    check_unit("StringLength", unit, input)
    return bind(string_length_p, input, unit=unit)


# ---- substr ----------------------------------------------------------------------------------

substr_p = Primitive("Substr", allowed=STRING)


@substr_p.def_kernel
def _substr(input, pos, len, unit):  # noqa: A002 - TF's argument name
    check_unit("Substr", unit)
    pos_np, len_np = pos.numpy(), len.numpy()
    shape = np.broadcast_shapes(input.shape, pos_np.shape, len_np.shape)
    strs = np.broadcast_to(input, shape).reshape(-1)
    ps = np.broadcast_to(pos_np, shape).reshape(-1)
    ls = np.broadcast_to(len_np, shape).reshape(-1)
    out = np.empty(strs.size, dtype=object)
    for i in range(strs.size):
        s = strs[i]
        units = s if unit == "BYTE" else utf8_chars(s)
        n, p, k = builtins_len(units), int(ps[i]), int(ls[i])
        if p > n or p < -n:
            raise invalid("Substr", f"pos {p} out of range for string b'{_escape(s)}' at index {i}")
        if p < 0:
            p += n
        piece = units[p:p + max(k, 0)]
        out[i] = piece if unit == "BYTE" else b"".join(piece)
    return out.reshape(shape)


builtins_len = len


def _escape(s: bytes) -> str:
    return repr(s)[2:-1]


@substr_p.def_abstract
def _substr_rule(input, pos, len, unit):  # noqa: A002
    require_string("Substr", input)
    check_unit("Substr", unit)
    if pos.dtype is not len.dtype or pos.dtype not in (_dt.int32, _dt.int64):
        raise invalid("Substr", "pos and len must be int32 or int64 tensors of the same dtype")
    shape = broadcast_shape("Substr", input.shape, pos.shape)
    return AbstractValue(_dt.string, broadcast_shape("Substr", shape, len.shape))


@tf_export("strings.substr")
def substr(input, pos, len, unit="BYTE", name=None):  # noqa: A002
    """Substrings `input[pos:pos + len]` in bytes or UTF-8 characters (negative `pos` counts from the end).

    >>> import tensorweave as tf
    >>> print(tf.strings.substr('Hello World', 0, 5))
    tf.Tensor(b'Hello', shape=(), dtype=string)
    """
    input = tensor(input)
    pos = tensor(pos)
    len = tensor(len, pos.dtype)  # noqa: A001
    check_unit("Substr", unit, input, pos, len)
    return bind(substr_p, input, pos, len, unit=unit)


# ---- join ------------------------------------------------------------------------------------

string_join_p = Primitive("StringJoin")


def _join_shape(shapes) -> TensorShape:
    out = None
    for s in shapes:
        if s.rank == 0:
            continue
        if out is None:
            out = s
        elif s.is_fully_defined() and out.is_fully_defined() and s.as_list() != out.as_list():
            raise invalid("StringJoin", f"Input shapes do not match: {dims_str(out)} vs. {dims_str(s)}")
    return out if out is not None else TensorShape([])


@string_join_p.def_kernel
def _string_join(*inputs, separator):
    shape = _join_shape([TensorShape(list(x.shape)) for x in inputs])
    dims = tuple(shape.as_list())
    cols = [np.broadcast_to(x, dims).reshape(-1) for x in inputs]
    n = int(np.prod(dims, dtype=np.int64))
    out = np.empty(n, dtype=object)
    for i in range(n):
        out[i] = separator.join(c[i] for c in cols)
    return out.reshape(dims)


@string_join_p.def_abstract
def _string_join_rule(*inputs, separator):
    for i, x in enumerate(inputs):
        require_string("StringJoin", x, i)
    return AbstractValue(_dt.string, _join_shape([x.shape for x in inputs]))


@tf_export("strings.join")
def join(inputs, separator="", name=None):
    """Joins same-shape string tensors (scalars broadcast) elementwise with `separator`.

    >>> import tensorweave as tf
    >>> print(tf.strings.join(['abc', 'def'], separator='-'))
    tf.Tensor(b'abc-def', shape=(), dtype=string)
    """
    inputs = [string_tensor(x) if isinstance(x, Tensor) else mark_converted(x, string_tensor(x))
              for x in inputs]
    sep = separator.encode() if isinstance(separator, str) else bytes(separator)
    return bind(string_join_p, *inputs, separator=sep)


# ---- reduce_join -----------------------------------------------------------------------------

reduce_join_p = Primitive("ReduceJoin", allowed=STRING)


def _reduce_axes(rank: int, axes) -> list:
    out = []
    for a in axes:
        a = int(a)
        if not -rank <= a < rank:
            raise errors.op_error(errors.OutOfRangeError, "ReduceJoin",
                                  f"Invalid reduction dimension {a} for input with {rank} dimension(s)")
        a = a + rank if a < 0 else a
        if a in out:
            raise invalid("ReduceJoin", f"Duplicate reduction dimension {a}")
        out.append(a)
    return out


@reduce_join_p.def_kernel
def _reduce_join(inputs, reduction_indices, keep_dims, separator):
    axes = _reduce_axes(inputs.ndim, reduction_indices.numpy().reshape(-1).tolist())
    arr = inputs
    for a in axes:  # reduce one axis at a time, in the order given, keeping dims
        moved = np.moveaxis(arr, a, -1)
        flat = moved.reshape(-1, moved.shape[-1]) if moved.size else np.empty((int(np.prod(moved.shape[:-1])),
                                                                                  0), dtype=object)
        joined = np.empty(flat.shape[0], dtype=object)
        for i in range(flat.shape[0]):
            joined[i] = separator.join(flat[i])
        arr = np.expand_dims(joined.reshape(moved.shape[:-1]), a)
    if not keep_dims:
        arr = arr.reshape([d for i, d in enumerate(arr.shape) if i not in axes])
    return np.asarray(arr, dtype=object).copy()


@reduce_join_p.def_abstract
def _reduce_join_rule(inputs, reduction_indices, keep_dims, separator):
    require_string("ReduceJoin", inputs)
    rank = inputs.shape.rank
    axes = reduction_indices.const
    if rank is None or axes is None:
        return AbstractValue(_dt.string, None)
    axes = _reduce_axes(rank, np.asarray(axes).reshape(-1).tolist())
    dims = inputs.shape.as_list()
    out = [1 if i in axes else d for i, d in enumerate(dims)] if keep_dims else [
        d for i, d in enumerate(dims) if i not in axes]
    return AbstractValue(_dt.string, out)


@tf_export("strings.reduce_join")
def reduce_join(inputs, axis=None, keepdims=False, separator="", name=None):
    """Joins the strings along `axis` (all axes when None) with `separator`.

    >>> import tensorweave as tf
    >>> print(tf.strings.reduce_join([['a', 'b'], ['c', 'd']], axis=1))
    tf.Tensor([b'ab' b'cd'], shape=(2,), dtype=string)
    """
    inputs = convert_to_tensor(inputs)  # TF's reduce_join converts first
    if axis is None:
        rank = inputs.shape.rank
        axis = list(range(rank - 1, -1, -1))
    elif isinstance(axis, int) or np.ndim(axis) == 0:
        axis = [int(axis)]
    axis_t = tensor(np.asarray(axis, dtype=np.int32).reshape(-1))
    sep = separator.encode() if isinstance(separator, str) else bytes(separator)
    return bind(reduce_join_p, inputs, axis_t, keep_dims=bool(keepdims), separator=sep)
