"""User functions of `map`, `filter`, `flat_map`, ... traced once like a tf.function, as tf.data does:
the function sees symbolic tensors shaped like the dataset's elements, and runs as a graph per element.
A tuple element is passed as positional arguments; any other structure as one argument."""

from __future__ import annotations

from tensorweave._src.function.function import Function
from tensorweave._src.util import nest


class StructuredFunction:
    """`fn` traced for elements of `input_spec`; call it on an element (a structure of tensors)."""

    def __init__(self, fn, input_spec, name: str = "map_fn", autograph: bool = True, use_graph: bool = True):
        self._fn = fn
        self._spec = input_spec
        self._unpack = isinstance(input_spec, tuple) and not hasattr(input_spec, "_fields")
        self._concrete = None
        if use_graph:
            self._function = Function(self._call_user, name=name, autograph=autograph)
            self._concrete = self._function.get_concrete_function(input_spec)
            self.output_spec = _spec_of_structured(self._concrete.structured_outputs)
        else:
            self._function = None
            self.output_spec = None

    def _call_user(self, element):
        out = self._fn(*element) if self._unpack else self._fn(element)
        return tuple(out) if isinstance(out, list) else out  # tf.data treats a returned list as a tuple

    def __call__(self, element):
        if self._concrete is None:
            return self._call_user(element)
        return self._concrete._call_flat([t for t in nest.flatten(element)])


def _spec_of_structured(structure):
    from tensorweave._src.data.structure import spec_of  # structure imports nothing from here

    return spec_of(structure)
