"""`tf.TensorSpec`: the type of a tensor argument (dtype and a possibly partial shape).

>>> import tensorweave as tf
>>> tf.TensorSpec([None, 3], tf.float32)
TensorSpec(shape=(None, 3), dtype=tf.float32, name=None)
"""

from __future__ import annotations

from typing import Optional

from tensorweave._src.api_export import tf_export
from tensorweave._src.core import dtypes as _dt
from tensorweave._src.core.shape import TensorShape, as_shape


@tf_export("TensorSpec")
class TensorSpec:
    """Describes a tensor: `shape` (None dims allowed), `dtype` (default float32) and an optional name."""

    __slots__ = ("_shape", "_dtype", "_name")

    def __init__(self, shape, dtype=_dt.float32, name: Optional[str] = None):
        self._shape = as_shape(shape)
        self._dtype = _dt.as_dtype(dtype)
        self._name = name

    shape = property(lambda self: self._shape)
    dtype = property(lambda self: self._dtype)
    name = property(lambda self: self._name)

    @classmethod
    def from_tensor(cls, tensor, name: Optional[str] = None) -> "TensorSpec":
        return cls(tensor.shape, tensor.dtype, name)

    def is_compatible_with(self, spec_or_tensor) -> bool:
        """True when `spec_or_tensor` has the same dtype and a compatible shape."""
        return self._dtype == spec_or_tensor.dtype and self._shape.is_compatible_with(spec_or_tensor.shape)

    def is_subtype_of(self, other: "TensorSpec") -> bool:
        return self._dtype == other.dtype and self._shape.is_subtype_of(other.shape)

    def most_specific_common_supertype(self, others) -> Optional["TensorSpec"]:
        shape = self._shape
        for o in others:
            if o.dtype != self._dtype:
                return None
            shape = shape.most_specific_compatible_shape(o.shape)
        return TensorSpec(shape, self._dtype, self._name)

    def __eq__(self, other) -> bool:
        return (isinstance(other, TensorSpec) and self._shape == other._shape and self._dtype == other._dtype
                and self._name == other._name)

    def __hash__(self) -> int:
        return hash((self._shape, self._dtype, self._name))

    def __repr__(self) -> str:
        name = "None" if self._name is None else repr(self._name)
        return f"TensorSpec(shape={self._shape}, dtype={self._dtype!r}, name={name})"


def shape_from_spec(spec) -> TensorShape:
    return spec.shape
