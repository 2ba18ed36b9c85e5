"""`tf.IndexedSlices`: a sparse set of slices of a dense tensor, as gradients of gathers are.

`values[i]` is the slice of the dense tensor at row `indices[i]`; `dense_shape` is the dense tensor's
shape. Duplicate indices add up when the slices are made dense (`tf.convert_to_tensor(slices)`).
Built on public tensorweave ops only (looked up lazily), so densifying is recorded by tapes.

>>> import tensorweave as tf
>>> s = tf.IndexedSlices(tf.constant([[1.0, 2.0], [3.0, 4.0]]), tf.constant([2, 2]), tf.constant([3, 2]))
>>> print(tf.convert_to_tensor(s))
tf.Tensor(
[[0. 0.]
 [0. 0.]
 [4. 6.]], shape=(3, 2), dtype=float32)
"""

from __future__ import annotations

from tensorweave._src.api_export import EXPORTS, export
from tensorweave._src.core import dtypes as _dt
from tensorweave._src.core.shape import TensorShape
from tensorweave._src.core.tensor import Tensor


def _op(name: str):
    return EXPORTS[name]


class IndexedSlices:
    """A sparse representation of a set of tensor slices at given indices (`tf.IndexedSlices`).

    Like TF's, the constructor stores its arguments as given (no conversion), `str()` shows the three
    components and `repr()` is Python's default object form.
    """

    _is_tensor_like = True  # tf.is_tensor(slices) is True, as in TF

    def __init__(self, values, indices, dense_shape=None):
        self._values = values
        self._indices = indices
        self._dense_shape = dense_shape

    # ---- components ---------------------------------------------------------------------------
    @property
    def values(self):
        """The slices: a tensor of shape `[len(indices)] + dense_shape[1:]`."""
        return self._values

    @property
    def indices(self):
        """The 1-D integer row of the dense tensor each slice belongs to."""
        return self._indices

    @property
    def dense_shape(self):
        """The shape of the dense tensor (a 1-D integer tensor), or None when unknown."""
        return self._dense_shape

    @property
    def dtype(self) -> _dt.DType:
        return self._values.dtype

    @property
    def shape(self) -> TensorShape:
        """The static shape of the dense tensor (`<unknown>` without a dense_shape)."""
        if self._dense_shape is None:
            return TensorShape(None)
        ds = self._dense_shape
        if not isinstance(ds, Tensor):
            raise AttributeError(f"{type(ds).__name__!r} object has no attribute 'get_shape'")
        value = getattr(ds, "const", None)  # eager value, or a traced constant
        if value is not None:
            return TensorShape([int(d) for d in value.reshape(-1)])
        n = ds.shape.as_list()[0] if ds.shape.rank == 1 else None
        return TensorShape(None if n is None else [None] * n)

    @property
    def name(self):
        return self._values.name

    @property
    def device(self):
        return self._values.device

    @property
    def op(self):
        return self._values.op

    @property
    def graph(self):
        return self._values.graph

    def consumers(self) -> list:
        return []

    # ---- printing and operators -----------------------------------------------------------------
    def __str__(self) -> str:
        shape = "" if self._dense_shape is None else f", dense_shape={self._dense_shape!s}"
        return f"IndexedSlices(indices={self._indices!s}, values={self._values!s}{shape})"

    def __neg__(self) -> "IndexedSlices":
        return IndexedSlices(_op("negative")(self._values), self._indices, self._dense_shape)

    # ---- conversion -----------------------------------------------------------------------------
    def _as_tensor(self, dtype=None):
        """The dense tensor (duplicates summed); what `tf.convert_to_tensor(slices)` returns."""
        if dtype is not None and _dt.as_dtype(dtype) is not self.dtype:
            raise ValueError(f"Incompatible tensor conversion requested to `dtype` "
                             f"{_dt.as_dtype(dtype).name} for IndexedSlices ({self}) with dtype "
                             f"{self.dtype.name}")
        if self._dense_shape is None:
            raise ValueError(f"Tensor conversion requested for IndexedSlices for argument `value` without "
                             f"dense_shape: {self!s}")
        return self._as_dense()

    def _as_dense(self):
        """The dense tensor: `unsorted_segment_sum(values, indices, dense_shape[0])`, as TF converts.

        Negative indices are dropped (as TF's UnsortedSegmentSum drops them); indices past the first
        dimension raise InvalidArgumentError."""
        convert = _op("convert_to_tensor")
        values = convert(self._values)
        indices = convert(self._indices)
        if indices.dtype not in (_dt.int32, _dt.int64):  # int16 gather indices
            indices = _op("cast")(indices, _dt.int32)
        dense_shape = convert(self._dense_shape)
        rows = _op("gather")(dense_shape, 0)
        return _op("math.unsorted_segment_sum")(values, indices, rows)


def aggregate(grads: list):
    """Sums gradients for one tensor as TF's eager backprop does: dense if any is dense, otherwise one
    IndexedSlices with the values and indices concatenated in order (indices cast to int64 when their
    dtypes differ). `grads` holds tensors and IndexedSlices (no None)."""
    if len(grads) == 1:
        return grads[0]
    if any(not isinstance(g, IndexedSlices) for g in grads):
        total = None
        for g in grads:
            g = g._as_dense() if isinstance(g, IndexedSlices) else g
            total = g if total is None else _op("add")(total, g)
        return total
    convert = _op("convert_to_tensor")
    indices = [convert(g.indices) for g in grads]
    if len({i.dtype for i in indices}) > 1:
        indices = [i if i.dtype is _dt.int64 else _op("cast")(i, _dt.int64) for i in indices]
    values = _op("concat")([convert(g.values) for g in grads], 0)
    return IndexedSlices(values, _op("concat")(indices, 0), grads[0].dense_shape)


export("IndexedSlices", IndexedSlices)
