"""A minimal `tf.RaggedTensor`: `values` partitioned into rows by int64 `row_splits` (nestable).

>>> import tensorweave as tf
>>> rt = tf.ragged.constant([[1, 2], [3]])
>>> rt
<tf.RaggedTensor [[1, 2], [3]]>
>>> rt.shape, rt.row_splits.numpy().tolist()
(TensorShape([2, None]), [0, 2, 3])
>>> print(rt.to_tensor())
tf.Tensor(
[[1 2]
 [3 0]], shape=(2, 2), dtype=int32)
"""

from __future__ import annotations

import numpy as np

from tensorweave._src.api_export import tf_export
from tensorweave._src.core import dtypes as _dt
from tensorweave._src.core import errors
from tensorweave._src.core.convert import constant, convert_to_tensor
from tensorweave._src.core.shape import TensorShape
from tensorweave._src.core.tensor import Tensor


def _np(x) -> np.ndarray:
    return np.asarray(x.numpy()) if hasattr(x, "numpy") else np.asarray(x)


def _splits_tensor(splits, name="row_splits") -> Tensor:
    if isinstance(splits, Tensor):
        if splits.dtype not in (_dt.int32, _dt.int64):
            raise ValueError(f"{name} must have dtype int32 or int64")
        return splits
    return constant(np.asarray(splits, dtype=np.int64).reshape(-1), dtype=_dt.int64)


def _invalid_partition(x, y) -> errors.OpError:
    return errors.InvalidArgumentError(
        None, None, "Arguments to _from_row_partition do not form a valid RaggedTensor\n"
        f"Condition x == y did not hold.\nFirst 1 elements of x:\n[{x}]\nFirst 1 elements of y:\n[{y}]")


@tf_export("RaggedTensor")
class RaggedTensor:
    """A tensor with ragged (variable-length) dimensions: `values` split into rows by `row_splits`."""

    def __init__(self, values, row_splits, internal=False):
        if not internal:
            raise ValueError("RaggedTensor constructor is private; please use one of the factory methods "
                             "instead (e.g., RaggedTensor.from_row_lengths())")
        self._values = values
        self._row_splits = row_splits

    # -- factories ------------------------------------------------------------------------------
    @classmethod
    def from_row_splits(cls, values, row_splits, name=None, validate=True):
        if not isinstance(values, RaggedTensor):
            values = convert_to_tensor(values)
        splits = _splits_tensor(row_splits)
        if validate:
            s = _np(splits)
            if s.ndim != 1 or s.size == 0:
                raise ValueError("row_splits must be a non-empty vector")
            if s[0] != 0:
                raise errors.InvalidArgumentError(None, None, "Arguments to from_row_splits do not form a "
                                                  "valid RaggedTensor:zeroth element of row_splits must be 0")
            if np.any(np.diff(s) < 0):
                raise errors.InvalidArgumentError(None, None, "Arguments to from_row_splits do not form a "
                                                  "valid RaggedTensor:monotonic")
            nvals = _nrows_of(values)
            if s[-1] != nvals:
                raise _invalid_partition(int(s[-1]), nvals)
        return cls(values, splits, internal=True)

    @classmethod
    def from_row_lengths(cls, values, row_lengths, name=None, validate=True):
        lengths = _np(row_lengths).astype(np.int64).reshape(-1)
        if np.any(lengths < 0):
            raise errors.InvalidArgumentError(None, None, "Arguments to from_row_lengths do not form a valid "
                                              "RaggedTensor")
        return cls.from_row_splits(values, np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64),
                                   validate=validate)

    @classmethod
    def from_value_rowids(cls, values, value_rowids, nrows=None, name=None, validate=True):
        ids = _np(value_rowids).astype(np.int64).reshape(-1)
        if nrows is None:
            nrows = int(ids[-1]) + 1 if ids.size else 0
        nrows = int(_np(nrows))
        if np.any(np.diff(ids) < 0) or (ids.size and (ids[0] < 0 or ids[-1] >= nrows)):
            raise errors.InvalidArgumentError(None, None, "Arguments to from_value_rowids do not form a valid "
                                              "RaggedTensor")
        lengths = np.bincount(ids, minlength=nrows).astype(np.int64)
        return cls.from_row_lengths(values, lengths, validate=validate)

    @classmethod
    def from_nested_row_splits(cls, flat_values, nested_row_splits, name=None, validate=True):
        result = flat_values
        for splits in reversed(list(nested_row_splits)):
            result = cls.from_row_splits(result, splits, validate=validate)
        return result

    @classmethod
    def from_uniform_rows(cls, values, nrows, row_length):
        """Rows of equal length (stored with row_splits; the shape shows the ragged dim as None)."""
        return cls.from_row_splits(values, np.arange(nrows + 1, dtype=np.int64) * row_length)

    # -- structure ------------------------------------------------------------------------------
    @property
    def values(self):
        return self._values

    @property
    def row_splits(self) -> Tensor:
        return self._row_splits

    @property
    def flat_values(self) -> Tensor:
        v = self._values
        while isinstance(v, RaggedTensor):
            v = v._values
        return v

    @property
    def nested_row_splits(self) -> tuple:
        out, rt = [], self
        while isinstance(rt, RaggedTensor):
            out.append(rt._row_splits)
            rt = rt._values
        return tuple(out)

    @property
    def ragged_rank(self) -> int:
        return 1 + (self._values.ragged_rank if isinstance(self._values, RaggedTensor) else 0)

    @property
    def dtype(self) -> _dt.DType:
        return self.flat_values.dtype

    @property
    def row_splits_dtype(self) -> _dt.DType:
        return self._row_splits.dtype

    @property
    def shape(self) -> TensorShape:
        nrows = int(_np(self._row_splits).shape[0]) - 1
        inner = self._values.shape
        return TensorShape([nrows, None] + inner.as_list()[1:])

    def get_shape(self) -> TensorShape:
        return self.shape

    @property
    def ndim(self) -> int:
        return self.shape.rank

    def row_lengths(self, axis=1, name=None) -> Tensor:
        s = _np(self._row_splits)
        return constant(np.diff(s).astype(s.dtype), dtype=self._row_splits.dtype)

    def nrows(self, out_type=None, name=None) -> Tensor:
        dtype = self._row_splits.dtype if out_type is None else _dt.as_dtype(out_type)
        return constant(_np(self._row_splits).shape[0] - 1, dtype=dtype)

    def value_rowids(self, name=None) -> Tensor:
        s = _np(self._row_splits)
        return constant(np.repeat(np.arange(s.size - 1), np.diff(s)).astype(s.dtype), dtype=self._row_splits.dtype)

    def with_values(self, new_values):
        return RaggedTensor(new_values, self._row_splits, internal=True)

    def with_flat_values(self, new_values):
        if isinstance(self._values, RaggedTensor):
            return self.with_values(self._values.with_flat_values(new_values))
        return self.with_values(new_values)

    def bounding_shape(self, axis=None, name=None, out_type=None) -> Tensor:
        dims = _bounding(self)
        dtype = self._row_splits.dtype if out_type is None else _dt.as_dtype(out_type)
        arr = np.asarray(dims, dtype=dtype.as_numpy_dtype)
        return constant(arr if axis is None else arr[axis], dtype=dtype)

    # -- conversion -----------------------------------------------------------------------------
    def to_list(self) -> list:
        values = self._values.to_list() if isinstance(self._values, RaggedTensor) else (
            _np(self._values).tolist())
        s = _np(self._row_splits)
        return [values[s[i]:s[i + 1]] for i in range(s.size - 1)]

    def numpy(self) -> np.ndarray:
        """As TF: an object array of row arrays (rows of equal length combine into one array)."""
        values = self._values.numpy() if isinstance(self._values, RaggedTensor) else _np(self._values)
        splits = _np(self._row_splits)
        rows = [values[splits[i]:splits[i + 1]] for i in range(len(splits) - 1)]
        if not rows:
            return np.zeros((0, 0) + values.shape[1:], dtype=values.dtype)
        has_variable_length_rows = any(len(row) != len(rows[0]) for row in rows)
        if has_variable_length_rows:
            out = np.empty(len(rows), dtype=object)
            for i, r in enumerate(rows):
                out[i] = r
            return out
        try:
            return np.array(rows)
        except ValueError:  # rows of ragged rows: keep them as objects
            out = np.empty((len(rows), len(rows[0])), dtype=object)
            for i, r in enumerate(rows):
                for j, item in enumerate(r):
                    out[i, j] = item
            return out

    def to_tensor(self, default_value=None, name=None, shape=None) -> Tensor:
        dtype = self.dtype
        dims = _bounding(self)
        if shape is not None:
            shape = TensorShape(shape).as_list()
            dims = [d if s is None else s for d, s in zip(dims, shape)]
        if default_value is None:
            fill = b"" if dtype is _dt.string else np.zeros((), dtype.as_numpy_dtype)
        else:
            fill = _np(convert_to_tensor(default_value, dtype=dtype))
        out = np.empty(dims, dtype=object if dtype is _dt.string else dtype.as_numpy_dtype)
        out[...] = fill
        _fill(out, self.to_list() if dtype is not _dt.string else self.to_list())
        return constant(out, dtype=dtype)

    # -- indexing ---------------------------------------------------------------------------------
    def __getitem__(self, key):
        if isinstance(key, (int, np.integer)) or (isinstance(key, Tensor) and key.shape.rank == 0):
            key = int(key)
            s = _np(self._row_splits)
            n = s.size - 1
            if not -n <= key < n:
                raise errors.InvalidArgumentError(None, None, f"slice index {key} of dimension 0 out of bounds.")
            key = key + n if key < 0 else key
            start, stop = int(s[key]), int(s[key + 1])
            if isinstance(self._values, RaggedTensor):
                return self._values._row_slice(start, stop)
            return constant(_np(self._values)[start:stop], dtype=self._values.dtype)
        if isinstance(key, slice) and key.step in (None, 1):
            start, stop, _ = key.indices(_np(self._row_splits).size - 1)
            return self._row_slice(start, max(start, stop))
        raise NotImplementedError("only integer and unit-step slice indexing of RaggedTensor is supported")

    def _row_slice(self, start: int, stop: int):
        s = _np(self._row_splits)
        lo, hi = int(s[start]), int(s[stop])
        new_splits = (s[start:stop + 1] - lo).astype(s.dtype)
        if isinstance(self._values, RaggedTensor):
            values = self._values._row_slice(lo, hi)
        else:
            values = constant(_np(self._values)[lo:hi], dtype=self._values.dtype)
        return RaggedTensor(values, constant(new_splits, dtype=self._row_splits.dtype), internal=True)

    def __iter__(self):
        for i in range(_np(self._row_splits).size - 1):
            yield self[i]

    # -- printing -------------------------------------------------------------------------------
    def __repr__(self) -> str:
        with np.printoptions(formatter={"all": _formatter}):
            value_text = _formatter(self.numpy())
        return f"<tf.RaggedTensor {value_text}>"

    __str__ = __repr__

    def __bool__(self):
        raise TypeError("RaggedTensor may not be used as a boolean.")


def _formatter(x) -> str:
    if isinstance(x, np.ndarray):
        if x.size != 0:
            return np.array2string(x, separator=", ")
        return repr(x.tolist())
    return str(x)


def _nrows_of(values) -> int:
    if isinstance(values, RaggedTensor):
        return _np(values._row_splits).size - 1
    shape = values.shape
    if shape.rank == 0:
        raise ValueError("values must have rank at least 1")
    return shape[0]


def _bounding(rt) -> list:
    lists = rt.to_list()
    dims: list = []

    def walk(x, depth):
        if isinstance(x, list):
            if len(dims) <= depth:
                dims.append(0)
            dims[depth] = max(dims[depth], len(x))
            for item in x:
                walk(item, depth + 1)

    walk(lists, 0)
    inner = rt.flat_values.shape.as_list()[1:]
    return dims[: rt.ragged_rank + 1] + inner


def _fill(out: np.ndarray, rows) -> None:
    for i, row in enumerate(rows):
        if isinstance(row, list) and out.ndim > 1 and row and isinstance(row[0], list):
            _fill(out[i], row)
        else:
            n = len(row)
            if n:
                out[i, :n] = row if out.dtype != object else _obj(row)


def _obj(row):
    arr = np.empty(len(row), dtype=object)
    arr[:] = row
    return arr


# ---- tf.ragged.constant -------------------------------------------------------------------------

def _depth(x) -> int:
    if isinstance(x, (list, tuple)):
        return 1 + max((_depth(v) for v in x), default=0)
    if isinstance(x, np.ndarray):
        return x.ndim
    return 0


@tf_export("ragged.constant")
def ragged_constant(pylist, dtype=None, ragged_rank=None, inner_shape=None, name=None,
                    row_splits_dtype=_dt.int64):
    """A RaggedTensor from a nested Python list (a plain Tensor when nothing is nested).

    >>> import tensorweave as tf
    >>> tf.ragged.constant([['a'], ['b', 'c']])
    <tf.RaggedTensor [[b'a'], [b'b', b'c']]>
    """
    row_splits_dtype = _dt.as_dtype(row_splits_dtype)
    depth = _depth(pylist)
    if ragged_rank is None:
        ragged_rank = max(0, depth - 1 - (len(inner_shape) if inner_shape else 0))
    if ragged_rank == 0:
        return constant(pylist, dtype=dtype)
    levels = []
    current = list(pylist)
    for _ in range(ragged_rank):
        splits = [0]
        flat = []
        for row in current:
            row = list(row)
            flat.extend(row)
            splits.append(len(flat))
        levels.append(splits)
        current = flat
    if current:
        values = constant(current, dtype=dtype)
    else:
        values = constant(np.zeros([0], dtype=(dtype or _dt.float32).as_numpy_dtype if dtype is not _dt.string
                                   else object), dtype=dtype or _dt.float32)
    result = values
    for splits in reversed(levels):
        result = RaggedTensor(result, constant(np.asarray(splits, row_splits_dtype.as_numpy_dtype),
                                               dtype=row_splits_dtype), internal=True)
    return result
