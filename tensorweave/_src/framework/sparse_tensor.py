"""A minimal `tf.sparse.SparseTensor` (indices int64 [N, rank], values [N], dense_shape int64 [rank]) with
`tf.SparseTensorSpec`, `tf.sparse.to_dense` and `tf.sparse.from_dense`: what parsing VarLenFeatures and
tf.data need.

>>> import tensorweave as tf
>>> st = tf.sparse.SparseTensor(indices=[[0, 1]], values=[5], dense_shape=[2, 2])
>>> tf.sparse.to_dense(st).numpy().tolist()
[[0, 5], [0, 0]]
"""

from __future__ import annotations

from tensorweave._src.api_export import PublicNamespace, tf_export
from tensorweave._src.core import dtypes as _dt
from tensorweave._src.core.shape import TensorShape

tf = PublicNamespace()


@tf_export("sparse.SparseTensor", "SparseTensor")
class SparseTensor:
    """Sparse representation: `values[i]` sits at `indices[i]` of a `dense_shape` tensor."""

    def __init__(self, indices, values, dense_shape):
        self._indices = tf.convert_to_tensor(indices, dtype=tf.int64)
        self._values = tf.convert_to_tensor(values)
        self._dense_shape = tf.convert_to_tensor(dense_shape, dtype=tf.int64)
        if self._indices.shape.rank not in (None, 2):
            raise ValueError(f"Shape {self._indices.shape} must have rank 2")
        if self._values.shape.rank not in (None, 1):
            raise ValueError(f"Shape {self._values.shape} must have rank 1")

    indices = property(lambda self: self._indices)
    values = property(lambda self: self._values)
    dense_shape = property(lambda self: self._dense_shape)
    dtype = property(lambda self: self._values.dtype)

    @property
    def shape(self) -> TensorShape:
        const = getattr(self._dense_shape, "const", None)
        if const is not None:
            return TensorShape([int(d) for d in const])
        n = self._dense_shape.shape[0] if self._dense_shape.shape.rank == 1 else None
        return TensorShape(None if n is None else [None] * n)

    def get_shape(self) -> TensorShape:
        return self.shape

    @property
    def spec(self):
        return SparseTensorSpec(self.shape, self.dtype)

    def _to_components(self):
        return [self._indices, self._values, self._dense_shape]

    def with_values(self, new_values):
        return SparseTensor(self._indices, new_values, self._dense_shape)

    def __repr__(self) -> str:
        return (f"SparseTensor(indices={str(self._indices)}, values={str(self._values)}, "
                f"dense_shape={str(self._dense_shape)})")

    __str__ = __repr__

    @staticmethod
    def from_value(sparse_tensor_value):
        return sparse_tensor_value


@tf_export("SparseTensorSpec")
class SparseTensorSpec:
    """The type of a SparseTensor: dense shape and value dtype."""

    def __init__(self, shape=None, dtype=_dt.float32):
        self._shape = TensorShape(shape)
        self._dtype = tf.as_dtype(dtype)

    shape = property(lambda self: self._shape)
    dtype = property(lambda self: self._dtype)
    value_type = property(lambda self: SparseTensor)

    def component_specs(self):
        rank = self._shape.rank
        return [tf.TensorSpec([None, rank], tf.int64), tf.TensorSpec([None], self._dtype),
                tf.TensorSpec([rank], tf.int64)]

    def from_components(self, components):
        return SparseTensor(*components)

    def is_compatible_with(self, spec_or_value) -> bool:
        other_spec = getattr(spec_or_value, "spec", spec_or_value)
        return isinstance(other_spec, SparseTensorSpec) and self._dtype == other_spec.dtype and \
            self._shape.is_compatible_with(other_spec.shape)

    def most_specific_compatible_type(self, other):
        return SparseTensorSpec(self._shape.most_specific_compatible_shape(other.shape), self._dtype)

    def __eq__(self, other) -> bool:
        return isinstance(other, SparseTensorSpec) and self._dtype == other._dtype and \
            self._shape.as_list() == other._shape.as_list() if self._shape.rank is not None \
            else isinstance(other,
                            SparseTensorSpec) and other._shape.rank is None and self._dtype == other._dtype

    def __hash__(self):
        return hash((str(self._shape), self._dtype))

    def __repr__(self) -> str:
        dims = self._shape.as_list() if self._shape.rank is not None else None
        return f"SparseTensorSpec(TensorShape({dims}), tf.{self._dtype.name})"


@tf_export("sparse.to_dense")
def sparse_to_dense(sp_input, default_value=None, validate_indices=True, name=None):
    """The dense tensor of `sp_input` (`default_value` where no value is given)."""
    values = sp_input.values
    shape = tf.cast(sp_input.dense_shape, tf.int32)
    if default_value is None:
        default_value = b"" if values.dtype == tf.string else 0
    base = tf.fill(shape, tf.constant(default_value, dtype=values.dtype))
    return tf.tensor_scatter_nd_update(base, sp_input.indices, values)


@tf_export("sparse.from_dense")
def sparse_from_dense(tensor, name=None):
    tensor = tf.convert_to_tensor(tensor)
    zero = tf.constant(b"" if tensor.dtype == tf.string else 0, dtype=tensor.dtype)
    indices = tf.where(tf.not_equal(tensor, zero))
    return SparseTensor(indices, tf.gather_nd(tensor, indices), tf.shape(tensor, out_type=tf.int64))
