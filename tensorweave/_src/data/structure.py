"""Element structures of datasets: nested tuples/dicts of tensors and their TensorSpecs."""

from __future__ import annotations

from tensorweave._src.api_export import PublicNamespace
from tensorweave._src.core.tensor import Tensor
from tensorweave._src.function.tensor_spec import TensorSpec
from tensorweave._src.util import nest

tf = PublicNamespace()


def normalize_element(element):
    """Converts every leaf to a tensor (lists count as values, not structure, as in tf.data)."""
    if isinstance(element, list):
        return tf.convert_to_tensor(element)
    if hasattr(element, "_iterate") and hasattr(element, "element_spec"):  # a dataset (window, flat_map)
        return element
    if isinstance(element, tuple) and not hasattr(element, "_fields"):
        return tuple(normalize_element(e) for e in element)
    if hasattr(element, "_fields"):
        return type(element)(*[normalize_element(e) for e in element])
    if isinstance(element, dict):
        return {k: normalize_element(v) for k, v in element.items()}
    if isinstance(element, Tensor) or hasattr(element, "_as_tensor") or hasattr(element, "_to_components"):
        return element if isinstance(element, Tensor) or hasattr(element, "_to_components") \
            else tf.convert_to_tensor(element)
    return tf.convert_to_tensor(element)


def spec_of(element):
    """The TensorSpec structure of an element (SparseTensorSpec / DatasetSpec for those leaves)."""
    def one(t):
        if isinstance(t, Tensor):
            return TensorSpec(t.shape, t.dtype)
        if hasattr(t, "_iterate") and hasattr(t, "element_spec"):
            from tensorweave._src.data.dataset_ops import DatasetSpec

            return DatasetSpec(t.element_spec)
        return getattr(t, "spec", t)
    return nest.map_structure(one, element)


def _with_shape(s, shape):
    if isinstance(s, TensorSpec):
        return TensorSpec(shape, s.dtype)
    return type(s)(shape, s.dtype)


def _dims(s):
    return s.shape.as_list() if s.shape.rank is not None else None


def batched_spec(spec, batch_size):
    return nest.map_structure(
        lambda s: _with_shape(s, None if _dims(s) is None else [batch_size] + _dims(s)), spec)


def unbatched_spec(spec):
    return nest.map_structure(lambda s: _with_shape(s, None if _dims(s) is None else _dims(s)[1:]), spec)


def flatten(element) -> list:
    return nest.flatten(element)


def pack(spec, leaves):
    return nest.pack_sequence_as(spec, list(leaves)) if nest.is_nested(spec) else leaves[0]


def most_specific_common(spec_a, spec_b):
    """A spec compatible with both (differing dims become None); raises when structures differ."""
    nest.assert_same_structure(spec_a, spec_b, check_types=False)
    return nest.map_structure(_common, spec_a, spec_b)


def _common(a, b):
    if a.dtype != b.dtype or type(a) is not type(b):
        raise TypeError(f"Incompatible dataset elements: {a} vs. {b}")
    return _with_shape(a, a.shape.most_specific_compatible_shape(b.shape))
