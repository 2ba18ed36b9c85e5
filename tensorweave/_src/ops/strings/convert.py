"""String <-> number conversion and formatting: `tf.strings.to_number`, `as_string`, `format`.

>>> import tensorweave as tf
>>> print(tf.strings.to_number(['1.5', '-2']))
tf.Tensor([ 1.5 -2. ], shape=(2,), dtype=float32)
>>> print(tf.strings.as_string([1, 20], width=3))
tf.Tensor([b'  1' b' 20'], shape=(2,), dtype=string)
"""

from __future__ import annotations

import math
import re

import numpy as np
import torch

from tensorweave._src.api_export import tf_export
from tensorweave._src.core import dtypes as _dt
from tensorweave._src.core import errors
from tensorweave._src.core.backend import DTYPE_OF_TORCH, to_numpy
from tensorweave._src.core.dispatch import bind
from tensorweave._src.core.op_messages import fallback_if
from tensorweave._src.core.primitive import AbstractValue, Primitive
from tensorweave._src.core.tensor import Tensor
from tensorweave._src.ops._common import invalid, tensor
from tensorweave._src.ops.strings._util import STRING, require_string

# ---- to_number -------------------------------------------------------------------------------

_NUMBER_TYPES = (_dt.float32, _dt.float64, _dt.int32, _dt.int64, _dt.uint32, _dt.uint64)
_INT_RE = re.compile(rb"^\s*([+-]?\d+)\s*$")
_FLOAT_RE = re.compile(rb"^\s*([+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf(?:inity)?|nan))\s*$",
                       re.IGNORECASE)
string_to_number_p = Primitive("StringToNumber", allowed=STRING)


def _parse(s: bytes, out_type: _dt.DType):
    bad = invalid("StringToNumber", f"StringToNumberOp could not correctly convert string: "
                                    f"{s.decode('utf-8', 'backslashreplace')}")
    if out_type.is_integer:
        m = _INT_RE.match(s)
        if not m:
            raise bad
        v = int(m.group(1))
        if not out_type.min <= v <= out_type.max:
            raise bad
        return v
    m = _FLOAT_RE.match(s)
    if not m:
        raise bad
    v = float(m.group(1))
    if out_type is _dt.float32 and math.isfinite(v) and abs(v) > float(np.finfo(np.float32).max):
        raise bad
    return v


@string_to_number_p.def_kernel
def _string_to_number(string_tensor, out_type):
    _check_out_type(out_type)
    flat = string_tensor.reshape(-1)
    values = [_parse(flat[i], out_type) for i in range(flat.size)]
    arr = np.array(values, dtype=out_type.as_numpy_dtype).reshape(string_tensor.shape)
    return torch.from_numpy(arr)


def _check_out_type(out_type):
    if out_type not in _NUMBER_TYPES:
        raise invalid("StringToNumber", f"Value for attr 'out_type' of {out_type.name} is not in the list of "
                                        "allowed values: float, double, int32, int64, uint32, uint64")


@string_to_number_p.def_abstract
def _string_to_number_rule(string_tensor, out_type):
    require_string("StringToNumber", string_tensor)
    _check_out_type(out_type)
    return AbstractValue(out_type, string_tensor.shape)


@tf_export("strings.to_number")
def to_number(input, out_type=_dt.float32, name=None):
    """Parses each string as a number of `out_type`; unparsable strings raise InvalidArgumentError."""
    out_type = _dt.as_dtype(out_type)
    input = tensor(input)
    try:
        _check_out_type(out_type)
    except errors.OpError as e:
        raise fallback_if(e, input)  # TF passes input to its op as given
    return bind(string_to_number_p, input, out_type=out_type)


# ---- as_string -------------------------------------------------------------------------------

as_string_p = Primitive("AsString")
_AS_STRING_TYPES = (_dt.float16, _dt.bfloat16, _dt.float32, _dt.float64, _dt.int8, _dt.int16, _dt.int32,
                    _dt.int64, _dt.uint8, _dt.uint16, _dt.uint32, _dt.uint64, _dt.complex64,
                    _dt.complex128, _dt.bool, _dt.string)


def _as_string_format(dtype, precision, scientific, shortest, width, fill) -> str:
    if scientific and shortest:
        raise invalid("AsString", "Cannot select both scientific and shortest notation")
    if fill and fill not in (" ", "0"):
        raise invalid("AsString", f"Fill argument not supported: \"{fill}\"")
    is_float = dtype.is_floating or dtype.is_complex
    if not is_float:
        if precision > -1:
            raise invalid("AsString", f"precision not supported for datatype {dtype.name}")
        if scientific:
            raise invalid("AsString", f"scientific not supported for datatype {dtype.name}")
        if shortest:
            raise invalid("AsString", f"shortest not supported for datatype {dtype.name}")
    if (dtype.is_bool or dtype is _dt.string) and (fill or width > -1):
        raise invalid("AsString", f"width and fill not supported for datatype {dtype.name}")
    spec = "%"
    if fill == "0":
        spec += "0"
    if width > -1:
        spec += str(width)
    if is_float:
        if precision > -1:
            spec += "." + str(precision)
        spec += "g" if shortest else "e" if scientific else "f"
    else:
        spec += "d"
    return spec


@as_string_p.def_kernel
def _as_string(input, precision, scientific, shortest, width, fill):
    if isinstance(input, np.ndarray):
        return input.copy()
    dtype = DTYPE_OF_TORCH[input.dtype]
    spec = _as_string_format(dtype, precision, scientific, shortest, width, fill)
    arr = to_numpy(input)
    out = np.empty(arr.shape, dtype=object)
    flat, flat_out = arr.reshape(-1), out.reshape(-1)
    for i in range(flat.size):
        v = flat[i]
        if dtype.is_bool:
            text = "true" if v else "false"
        elif dtype.is_complex:
            text = f"({spec % v.real},{spec % v.imag})"
        elif dtype.is_floating:
            text = spec % float(v)
        else:
            text = spec % int(v)
        flat_out[i] = text.encode()
    return out


@as_string_p.def_abstract
def _as_string_rule(input, precision, scientific, shortest, width, fill):
    if input.dtype is not _dt.string:
        _as_string_format(input.dtype, precision, scientific, shortest, width, fill)
    return AbstractValue(_dt.string, input.shape)


@tf_export("strings.as_string", "as_string")
def as_string(input, precision=-1, scientific=False, shortest=False, width=-1, fill="", name=None):
    """Formats each element as a string (printf-style `%f`/`%e`/`%g`/`%d` with width and fill)."""
    return bind(as_string_p, tensor(input), precision=int(precision), scientific=bool(scientific),
                shortest=bool(shortest), width=int(width), fill=fill)


# ---- format ----------------------------------------------------------------------------------

string_format_p = Primitive("StringFormat")


def _float_text(v, dtype) -> str:
    """TF's shortest round-trip float printing (%.6g/%.9g for float, %.15g/%.17g for double)."""
    v = float(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    if dtype in (_dt.float64,):
        text = "%.15g" % v
        return text if float(text) == v else "%.17g" % v
    np_type = np.float32 if dtype is _dt.float32 else dtype.as_numpy_dtype
    text = "%.6g" % v
    return text if np_type(float(text)) == np_type(v) else "%.9g" % v


def _element_text(v, dtype) -> str:
    if dtype is _dt.string:
        return '"' + _c_escape(v) + '"'
    if dtype.is_bool:
        return "1" if v else "0"
    if dtype.is_floating:
        return _float_text(v, dtype)
    if dtype.is_complex:
        return f"({_float_text(v.real, dtype.real_dtype)},{_float_text(v.imag, dtype.real_dtype)})"
    return str(int(v))


def _c_escape(b: bytes) -> str:
    out = []
    for c in b:
        ch = chr(c)
        if ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif ch in "\"'\\":
            out.append("\\" + ch)
        elif 32 <= c < 127:
            out.append(ch)
        else:
            out.append("\\%03o" % c)
    return "".join(out)


def summarize(arr: np.ndarray, dtype, limit: int) -> str:
    """A tensor's value as TF's print_v2 summarizes it (`limit` elements at each end of every dim)."""
    if limit < 0:
        limit = arr.size
    limit = min(limit, arr.size)
    if arr.ndim == 0:
        return _element_text(arr[()], dtype)
    ndim = arr.ndim
    parts: list = []

    def spacing(dim):
        if dim == ndim - 1:
            parts.append(" ")
        else:
            parts.append("\n" * (ndim - dim - 1) + " " * (dim + 1))

    def one_dim(dim, sub):
        if dim == ndim:
            parts.append(_element_text(sub[()] if isinstance(sub, np.ndarray) else sub, dtype))
            return
        parts.append("[")
        count = sub.shape[0]
        start_of_end = max(limit, count - limit)
        for i in range(min(limit, count)):
            if i > 0:
                spacing(dim)
            one_dim(dim + 1, sub[i])
        if count > 2 * limit:
            spacing(dim)
            parts.append("...")
        for i in range(start_of_end, count):
            spacing(dim)
            one_dim(dim + 1, sub[i])
        parts.append("]")

    one_dim(0, arr)
    return "".join(parts)


@string_format_p.def_kernel
def _string_format(*inputs, template, placeholder, summarize):  # noqa: F811 - attr name is TF's
    pieces = template.split(placeholder)
    if len(pieces) - 1 != len(inputs):
        raise invalid("StringFormat", f"num placeholders in template and num inputs must match: "
                                      f"{len(pieces) - 1} vs. {len(inputs)}")
    out = [pieces[0]]
    for x, piece in zip(inputs, pieces[1:]):
        if isinstance(x, np.ndarray):
            out.append(_summarize(x, _dt.string, summarize))
        else:
            out.append(_summarize(to_numpy(x), DTYPE_OF_TORCH[x.dtype], summarize))
        out.append(piece)
    return np.array("".join(out).encode(), dtype=object)


_summarize = summarize


@string_format_p.def_abstract
def _string_format_rule(*inputs, template, placeholder, summarize):  # noqa: F811
    return AbstractValue(_dt.string, [])


@tf_export("strings.format")
def format(template, inputs, placeholder="{}", summarize=3, name=None):  # noqa: A001 - TF's name
    """Formats `template`, replacing each `placeholder` with the next input tensor printed as TF does.

    >>> import tensorweave as tf
    >>> print(tf.strings.format('x = {}', tf.constant([1, 2])))
    tf.Tensor(b'x = [1 2]', shape=(), dtype=string)
    """
    if isinstance(inputs, Tensor) or hasattr(inputs, "_as_tensor"):
        inputs = [inputs]
    len(inputs)  # TF raises TypeError for a non-sequence (e.g. a Python int)
    inputs = [tensor(x) for x in inputs]
    count = template.count(placeholder)
    if count != len(inputs):
        raise ValueError(f"The template expects {count} tensors, but the inputs only has {len(inputs)}. "
                         "Please ensure the number of placeholders in template matches inputs length.")
    return bind(string_format_p, *inputs, template=template, placeholder=placeholder,
                summarize=int(summarize))
