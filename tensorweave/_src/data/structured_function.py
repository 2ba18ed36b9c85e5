"""User functions of `map`, `filter`, `flat_map`, ... traced once like a tf.function, as tf.data does:
the function sees symbolic tensors shaped like the dataset's elements, and runs as a graph per element.
A tuple element is passed as positional arguments; any other structure as one argument.

Composite leaves (SparseTensor) travel through the graph as their component tensors. Functions whose
inputs or outputs cannot live in a graph (datasets, for flat_map/interleave/window) run eagerly in
Python (`use_graph=False`), with EagerTensors.

`batched()` gives the map+batch fused form of the function when vectorize.py can rewrite its graph.
"""

from __future__ import annotations

from tensorweave._src.api_export import PublicNamespace
from tensorweave._src.function.function import Function
from tensorweave._src.function.tensor_spec import TensorSpec
from tensorweave._src.util import nest

tf = PublicNamespace()


def _is_composite_spec(s) -> bool:
    return hasattr(s, "component_specs") and hasattr(s, "from_components")


def _flat_specs(spec) -> list:
    """Tensor specs of every component of `spec`'s leaves (composites expanded)."""
    out = []
    for s in nest.flatten(spec):
        if _is_composite_spec(s):
            out += s.component_specs()
        else:
            out.append(s)
    return out


def flatten_components(element) -> list:
    out = []
    for leaf in nest.flatten(element):
        comps = getattr(leaf, "_to_components", None)
        out += comps() if comps is not None else [leaf]
    return out


def pack_components(spec, tensors):
    it = iter(tensors)
    leaves = []
    for s in nest.flatten(spec):
        if _is_composite_spec(s):
            leaves.append(s.from_components([next(it) for _ in s.component_specs()]))
        else:
            leaves.append(next(it))
    return nest.pack_sequence_as(spec, leaves) if nest.is_nested(spec) else leaves[0]


class StructuredFunction:
    """`fn` traced for elements of `input_spec`; call it on an element (a structure of tensors)."""

    def __init__(self, fn, input_spec, name: str = "map_fn", autograph: bool = True, use_graph: bool = True):
        self._fn = fn
        self._spec = input_spec
        self._name = name
        self._autograph = autograph
        self._unpack = isinstance(input_spec, tuple) and not hasattr(input_spec, "_fields")
        self._concrete = None
        self._out_structure = None
        self._batched_cache: dict = {}
        has_composite = any(_is_composite_spec(s) for s in nest.flatten(input_spec))
        if use_graph and all(isinstance(s,
                                        TensorSpec) or _is_composite_spec(s) for s in nest.flatten(input_spec)):  # noqa: E501
            self._function = Function(self._call_components, name=name, autograph=autograph)
            flat = _flat_specs(input_spec)
            self._concrete = self._function.get_concrete_function(*flat)
            self.output_spec = self._out_spec
            self._has_composite = has_composite
        else:
            self._function = None
            self.output_spec = None

    def _call_user(self, element):
        out = self._fn(*element) if self._unpack else self._fn(element)
        return tuple(out) if isinstance(out, list) else out  # tf.data treats a returned list as a tuple

    def _call_components(self, *tensors):
        element = pack_components(self._spec, tensors)
        out = self._call_user(element)
        from tensorweave._src.data.structure import normalize_element, spec_of

        out = normalize_element(out)
        self._out_spec = spec_of(out)
        return tuple(flatten_components(out))

    def __call__(self, element):
        if self._concrete is None:
            return self._call_user(element)
        outs = self._concrete._call_flat(flatten_components(element))
        return pack_components(self.output_spec, outs)

    @property
    def stateful(self) -> bool:
        if self._concrete is None:
            return True
        return any(n.stateful for n in self._concrete.graph.nodes)

    def batched(self, batch_input_spec):
        """A function of a batch of elements (structured like `batch_input_spec`) computing the stacked
        results of this function on each element, or None when the graph is not vectorizable."""
        if self._concrete is None or any(_is_composite_spec(s) for s in nest.flatten(self._spec)) \
                or any(_is_composite_spec(s) for s in nest.flatten(self.output_spec)):
            return None
        key = tuple(s.shape.as_list()[0] if s.shape.rank else None for s in nest.flatten(batch_input_spec))
        if key in self._batched_cache:
            return self._batched_cache[key]
        from tensorweave._src.data import vectorize

        fused = None
        try:
            run = vectorize.vectorize(self._concrete.graph)
            fn = Function(lambda *xs: tuple(run(*xs)), name=self._name + "_batched", autograph=False)
            flat = _flat_specs(batch_input_spec)
            concrete = fn.get_concrete_function(*flat)
            outs = concrete.outputs
            want = nest.flatten(self.output_spec)
            if len(outs) == len(want) and all(
                    o.dtype == w.dtype and o.shape.rank == w.shape.rank + 1
                    and o.shape[1:].is_compatible_with(w.shape) for o, w in zip(outs, want)):
                out_spec = self.output_spec

                def fused(batch):
                    return nest.pack_sequence_as(out_spec, concrete._call_flat(nest.flatten(batch))) \
                        if nest.is_nested(out_spec) else concrete._call_flat(nest.flatten(batch))[0]
        except vectorize.NotVectorizable:
            fused = None
        except Exception:  # noqa: BLE001 - any failure to rewrite means: map element by element
            fused = None
        self._batched_cache[key] = fused
        return fused
