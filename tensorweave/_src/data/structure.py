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
    """The TensorSpec structure of an element."""
    return nest.map_structure(lambda t: TensorSpec(t.shape, t.dtype) if isinstance(t, Tensor) else
                              getattr(t, "spec", t), element)


def batched_spec(spec, batch_size):
    return nest.map_structure(lambda s: TensorSpec([batch_size] + s.shape.as_list(), s.dtype), spec)


def unbatched_spec(spec):
    return nest.map_structure(lambda s: TensorSpec(s.shape.as_list()[1:], s.dtype), spec)


def flatten(element) -> list:
    return nest.flatten(element)


def pack(spec, leaves):
    return nest.pack_sequence_as(spec, list(leaves)) if nest.is_nested(spec) else leaves[0]


def most_specific_common(spec_a, spec_b):
    """A spec compatible with both (differing dims become None); raises when structures differ."""
    nest.assert_same_structure(spec_a, spec_b, check_types=False)
    return nest.map_structure(_common, spec_a, spec_b)


def _common(a, b):
    if a.dtype != b.dtype:
        raise TypeError(f"Incompatible dataset elements: {a} vs. {b}")
    return TensorSpec(a.shape.most_specific_compatible_shape(b.shape), a.dtype)
