"""`tf.constant` and `tf.convert_to_tensor`, with TF's dtype inference and conversion rules.

Python ints become int32 (int64 when they do not fit), floats float32, bools bool, str/bytes string;
numpy arrays keep their dtype. An explicit integer dtype wraps Python ints as TF does.

>>> import tensorweave as tf
>>> print(tf.constant(123456789, dtype=tf.int16))
tf.Tensor(-13035, shape=(), dtype=int16)
"""

from __future__ import annotations

import numbers

import numpy as np
import torch

from tensorweave._src.core import backend
from tensorweave._src.core import dtypes as _dt
from tensorweave._src.core.op_messages import tf_dtype_name
from tensorweave._src.core.tensor import EagerTensor, Tensor

_INT32_MIN, _INT32_MAX = -(2**31), 2**31 - 1
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1
_PY_SCALAR = (bool, int, float, complex, str, bytes)


def convert_to_tensor(value, dtype=None, dtype_hint=None, name=None) -> Tensor:
    """Converts a Python value, numpy array, Tensor or Variable to a Tensor (`tf.convert_to_tensor`)."""
    if isinstance(value, Tensor):
        if dtype is not None and value.dtype is not _dt.as_dtype(dtype):
            raise ValueError(f"Tensor conversion requested dtype {_dt.as_dtype(dtype).name} for Tensor "
                             f"with dtype {value.dtype.name}: {value!r}")
        return value
    kind = type(value)
    if kind is float or kind is int:
        fast = _scalar_fast_path(value, kind, dtype if dtype is not None else dtype_hint)
        if fast is not None:
            return fast
    convert = getattr(value, "_as_tensor", None)
    if convert is not None:
        return convert(dtype)
    if dtype is not None:
        dtype = _dt.as_dtype(dtype)
    elif dtype_hint is not None:
        try:
            return _eager_from_python(value, _dt.as_dtype(dtype_hint))
        except (TypeError, ValueError):
            pass
    return _eager_from_python(value, dtype)


_FLOAT_TORCH = {_dt.float32: torch.float32, _dt.float64: torch.float64, _dt.float16: torch.float16,
                _dt.bfloat16: torch.bfloat16}
_INT_TORCH = {_dt.int32: torch.int32, _dt.int64: torch.int64}


def _scalar_fast_path(value, kind, dtype):
    """A Python int/float scalar in the common dtypes, without the general nested-list machinery.
    Returns None when the general path must decide (other dtypes, wrapping, errors)."""
    if dtype is None:
        if kind is float:
            return EagerTensor(torch.tensor(value, dtype=torch.float32), _dt.float32)
        if _INT32_MIN <= value <= _INT32_MAX:
            return EagerTensor(torch.tensor(value, dtype=torch.int32), _dt.int32)
        return None
    if not isinstance(dtype, _dt.DType):
        return None
    target = _FLOAT_TORCH.get(dtype)
    if target is not None:
        return EagerTensor(torch.tensor(value, dtype=target), dtype)
    target = _INT_TORCH.get(dtype)
    if target is not None and kind is int and _INT32_MIN <= value <= _INT32_MAX:
        return EagerTensor(torch.tensor(value, dtype=target), dtype)
    return None


_SCALARS: dict = {}  # (dtype, hint?, value) -> tensor, for Python scalars used as operands


def scalar_operand(value, dtype, hint: bool = False) -> Tensor:
    """`value` converted to `dtype` for use as an op's operand (strictly, or as a dtype hint).

    Python int/float scalars are cached: tensors are immutable, and `x * 2.0` or `0.01 * g` in a loop
    should not build a new constant every time. The cached tensors never reach users (only ops see
    them), so nobody can watch one on a tape."""
    kind = type(value)
    if kind is float:
        key = (dtype, hint, value.hex())
    elif kind is int:
        key = (dtype, hint, value)
    else:
        return convert_to_tensor(value, dtype_hint=dtype) if hint else convert_to_tensor(value, dtype=dtype)
    t = _SCALARS.get(key)
    if t is None:
        t = convert_to_tensor(value, dtype_hint=dtype) if hint else convert_to_tensor(value, dtype=dtype)
        if len(_SCALARS) >= 4096:
            _SCALARS.clear()
        _SCALARS[key] = t
    return t


def constant(value, dtype=None, shape=None, name="Const") -> EagerTensor:
    """Creates a constant tensor from a Python value, numpy array or tensor (`tf.constant`).

    `shape` either fills (a scalar value is broadcast) or reshapes a value with as many elements.

    >>> import tensorweave as tf
    >>> print(tf.constant(7, shape=[2, 2]))
    tf.Tensor(
    [[7 7]
     [7 7]], shape=(2, 2), dtype=int32)
    """
    dtype = None if dtype is None else _dt.as_dtype(dtype)
    if isinstance(value, Tensor) or hasattr(value, "_as_tensor"):
        t = convert_to_tensor(value)
        if dtype is not None and t.dtype is not dtype:
            raise TypeError(f"Expected tensor {t.numpy()} with dtype {dtype!r}, but got dtype {t.dtype!r}.")
        arr = t.numpy()
    else:
        if isinstance(value, (list, tuple)) and _holds_tensor(value):
            # TF's tf.constant cannot take tensors inside a list (tf.convert_to_tensor/tf.stack can)
            raise ValueError("TypeError: Scalar tensor has no `len()`")
        arr = to_numpy(value, dtype)
    if shape is not None:
        arr = _fit_shape(arr, value, shape)
    dtype = dtype or _dt.as_dtype(arr.dtype)
    return EagerTensor(backend.from_numpy(np.asarray(arr), dtype, copy=False), dtype)


def _holds_tensor(value) -> bool:
    return any(isinstance(v, Tensor) or hasattr(v, "_as_tensor") or
               (isinstance(v, (list, tuple)) and _holds_tensor(v)) for v in value)


def _fit_shape(arr: np.ndarray, value, shape) -> np.ndarray:
    shape = tuple(int(d) for d in (shape.as_list() if hasattr(shape, "as_list") else
                                   ([shape] if isinstance(shape, numbers.Integral) else shape)))
    n = int(np.prod(shape, dtype=np.int64))
    if arr.size == 1:
        return np.broadcast_to(arr.reshape(()), shape).copy()
    if arr.size == n:
        return arr.reshape(shape)
    raise TypeError(f"Eager execution of tf.constant with unsupported shape. Tensor {arr} (converted from "
                    f"{value}) has {arr.size} elements, but got `shape` {shape} with {n} elements).")


def _eager_from_python(value, dtype) -> EagerTensor:
    arr = to_numpy(value, dtype)
    dtype = dtype or _dt.as_dtype(arr.dtype)
    return EagerTensor(backend.from_numpy(arr, dtype, copy=False), dtype)


def to_numpy(value, dtype=None) -> np.ndarray:
    """A fresh numpy array for `value` with TF's inferred dtype, or converted to `dtype`."""
    if isinstance(value, (np.ndarray, np.generic)):
        return _numpy_to(np.asarray(value), dtype, value)
    if isinstance(value, Tensor) or hasattr(value, "_as_tensor"):
        return np.asarray(convert_to_tensor(value))
    if isinstance(value, _PY_SCALAR) or isinstance(value, (list, tuple)):
        return _python_to(value, dtype)
    if hasattr(value, "__array__"):
        return _numpy_to(np.asarray(value), dtype, value)
    if value is None or not isinstance(value, numbers.Number):
        raise ValueError(f"Attempt to convert a value ({value!r}) with an unsupported type "
                         f"({type(value)}) to a Tensor.")
    return _python_to(value, dtype)


def _numpy_to(arr: np.ndarray, dtype, original) -> np.ndarray:
    if arr.dtype.kind in "USO":
        if dtype is not None and dtype is not _dt.string:
            raise TypeError(f"Cannot convert {original!r} to EagerTensor of dtype "
                            f"{tf_dtype_name(dtype.name)}")
        return _to_bytes_array(arr)
    if dtype is None:
        _dt.as_dtype(arr.dtype)  # rejects dtypes TF has no counterpart for
        return np.array(arr, copy=True)
    if dtype is _dt.string:
        raise TypeError(f"Cannot convert {original!r} to EagerTensor of dtype string")
    return np.array(arr, dtype=dtype.as_numpy_dtype, copy=True)


def _to_bytes_array(arr: np.ndarray) -> np.ndarray:
    if arr.dtype == object and set(map(type, arr.reshape(-1).tolist())) <= {bytes}:
        return arr.copy()  # already bytes (e.g. a batch of records): no conversion per element
    out = np.empty(arr.shape, dtype=object)
    flat = out.reshape(-1)
    for i, item in enumerate(arr.reshape(-1)):
        flat[i] = _as_bytes(item)
    return out


def _as_bytes(item) -> bytes:
    if isinstance(item, bytes):
        return item
    if isinstance(item, str):
        return item.encode("utf-8")
    if isinstance(item, np.ndarray) and item.ndim == 0:
        return _as_bytes(item[()])
    raise TypeError(f"Cannot convert {item!r} to EagerTensor of dtype string")


def _leaves(value, shape: list, depth: int, out: list) -> None:
    """Flattens a nested list, recording its (rectangular) shape. Numpy arrays inside contribute
    numpy scalars (their dtype matters to inference); tensors a `_Forced` dtype marker first."""
    if isinstance(value, (list, tuple)):
        if len(shape) <= depth:
            shape.append(len(value))
        elif shape[depth] != len(value):
            raise ValueError("Can't convert non-rectangular Python sequence to Tensor.")
        for v in value:
            _leaves(v, shape, depth + 1, out)
        return
    is_tensor = isinstance(value, Tensor) or hasattr(value, "_as_tensor")
    if is_tensor or (isinstance(value, np.ndarray) and value.ndim > 0):
        arr = np.asarray(convert_to_tensor(value)) if is_tensor else value
        if len(shape) != depth and len(shape) != depth + arr.ndim:
            raise ValueError("Can't convert non-rectangular Python sequence to Tensor.")
        for i, n in enumerate(arr.shape):
            if len(shape) <= depth + i:
                shape.append(n)
            elif shape[depth + i] != n:
                raise ValueError("Can't convert non-rectangular Python sequence to Tensor.")
        if is_tensor:
            out.append(_Forced(convert_to_tensor(value).dtype))
        out.extend(arr.reshape(-1))
        return
    if len(shape) > depth:
        raise ValueError("Can't convert non-rectangular Python sequence to Tensor.")
    out.append(value)


class _Forced:
    """Marks the elements of a tensor inside a nested list: the tensor's dtype is the result's."""

    def __init__(self, dtype):
        self.dtype = dtype


def _kind(v):
    """An element's inference kind and, for numpy floats/complex, its dtype: ('b'|'i'|'f'|'c'|'s', dt)."""
    if isinstance(v, bool):
        return "b", None
    if isinstance(v, np.bool_):
        return "B", None  # numpy bools mix with nothing but bools
    if isinstance(v, (np.floating, np.complexfloating)) or (
            isinstance(v, np.generic) and v.dtype == _dt.bfloat16.as_numpy_dtype):
        return ("c" if isinstance(v, np.complexfloating) else "f"), _dt.as_dtype(v.dtype)
    if isinstance(v, numbers.Integral):
        return "i", None
    if isinstance(v, numbers.Real):
        return "f", None
    if isinstance(v, numbers.Complex):
        return "c", None
    if isinstance(v, (str, bytes, np.str_, np.bytes_)):
        return "s", None
    return None, None


# which element kinds each inferred kind accepts; an int sequence meeting a float becomes float32
_ACCEPTS = {"b": "bB", "B": "bB", "i": "ib", "f": "ibf", "c": "ibfc", "s": "s"}


def _unsupported(v) -> ValueError:
    return ValueError(f"Attempt to convert a value ({v!r}) with an unsupported type ({type(v)}) to a Tensor.")


def _infer(items: list):
    """TF's dtype inference for a flattened Python sequence: the first element fixes the kind
    (bool, int, float, complex or string) and every later one must fit it, except that ints
    meeting a float become float32. Python floats give float32; numpy floats keep their dtype."""
    kind, dtype = None, None
    for v in items:
        if isinstance(v, _Forced):
            return v.dtype
        k, d = _kind(v)
        if kind is None:
            if k is None:
                raise _unsupported(v)
            kind, dtype = k, d
        elif k is None or k not in _ACCEPTS[kind]:
            if kind == "i" and k == "f":
                kind, dtype = "f", _dt.float32
            else:
                raise ValueError("Can't convert Python sequence with mixed types to Tensor.")
    if kind is None:
        return _dt.float32  # an empty list
    if kind in "bB":
        return _dt.bool
    if kind == "s":
        return _dt.string
    if kind == "c":
        return _dt.complex128  # even for numpy complex64 elements
    if kind == "f":
        return dtype or _dt.float32
    lo = min(int(v) for v in items)
    hi = max(int(v) for v in items)
    if lo < _INT64_MIN or hi > _INT64_MAX:
        raise ValueError("Can't convert Python sequence with out-of-range integer to Tensor.")
    return _dt.int32 if _INT32_MIN <= lo and hi <= _INT32_MAX else _dt.int64


def _loose_kind(items: list):
    """The widest kind among `items` (for checking a conversion to an explicit dtype)."""
    kinds = set()
    for v in items:
        if isinstance(v, _Forced):
            continue
        k, _ = _kind(v)
        if k is None:
            raise _unsupported(v)
        kinds.add("b" if k == "B" else k)
    if "s" in kinds:
        return _dt.string
    for k, d in (("c", _dt.complex128), ("f", _dt.float32), ("i", _dt.int64), ("b", _dt.bool)):
        if k in kinds:
            return d
    return _dt.float32


def _python_to(value, dtype) -> np.ndarray:
    shape: list = []
    items: list = []
    _leaves(value, shape, 0, items)
    if dtype is None:
        inferred = dtype = _infer(items)
        items = [v for v in items if not isinstance(v, _Forced)]
    else:
        items = [v for v in items if not isinstance(v, _Forced)]
        inferred = _loose_kind(items)
    if not _convertible(inferred, dtype, items):
        raise TypeError(f"Cannot convert {value!r} to EagerTensor of dtype {tf_dtype_name(dtype.name)}")
    if dtype is _dt.string:
        out = np.empty(len(items), dtype=object)
        for i, v in enumerate(items):
            out[i] = _as_bytes(v)
        return out.reshape(shape)
    if dtype.is_integer and inferred.is_integer:
        bits = dtype.size * 8  # Python ints wrap modulo 2**bits as TF's conversion does
        items = [int(v) & ((1 << bits) - 1) for v in items]
        arr = np.array(items, dtype=np.uint64 if bits == 64 else np.int64).astype(dtype.as_numpy_dtype)
        return arr.reshape(shape)
    with np.errstate(over="ignore"):  # e.g. 2**40 into float16 is inf, as in TF
        return np.array(items, dtype=dtype.as_numpy_dtype).reshape(shape)


def _convertible(inferred: _dt.DType, dtype: _dt.DType, items) -> bool:
    if not items:
        return True
    if dtype is _dt.string or inferred is _dt.string:
        return dtype is inferred
    if dtype.is_bool:
        return inferred.is_bool
    if dtype.is_integer:
        return inferred.is_integer or inferred.is_bool
    if dtype.is_floating:
        return not inferred.is_complex
    return True
