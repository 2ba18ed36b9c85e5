"""Dataset sources: from_tensor_slices, from_tensors, range, from_generator."""

from __future__ import annotations

import numpy as np

from tensorweave._src.api_export import PublicNamespace
from tensorweave._src.data import structure
from tensorweave._src.data.dataset_ops import INFINITE, DatasetV2
from tensorweave._src.function.tensor_spec import TensorSpec
from tensorweave._src.util import nest

tf = PublicNamespace()


class TensorDataset(DatasetV2):
    """One element: the whole structure."""

    def __init__(self, element):
        self._element = structure.normalize_element(element)
        self._element_spec = structure.spec_of(self._element)

    def _iterate(self):
        yield self._element

    def _cardinality(self) -> int:
        return 1


class TensorSliceDataset(DatasetV2):
    """Element i is component[i] of every component."""

    def __init__(self, element):
        element = _normalize_slices(element)
        self._element = element
        leaves = nest.flatten(element)
        if not leaves:
            raise ValueError("Invalid `element`: an empty structure cannot be sliced.")
        sizes = []
        for t in leaves:
            if t.shape.rank == 0:
                raise ValueError(f"Unbatching a tensor is only supported for rank >= 1, got {t!r}")
            sizes.append(t.shape[0])
        known = [s for s in sizes if s is not None]
        if len(set(known)) > 1:
            other = next(s for s in known if s != known[0])
            raise ValueError(f"Dimensions {known[0]} and {other} are not compatible")
        self._n = sizes[0]
        self._element_spec = structure.unbatched_spec(structure.spec_of(element))

    def _iterate(self):
        leaves = nest.flatten(self._element)
        spec = self._element_spec
        unstacked = [tf.unstack(t) if self._n else [] for t in leaves]
        for i in range(self._n):
            yield structure.pack(spec, [u[i] for u in unstacked])

    def _batches(self, batch_size: int, drop_remainder: bool):
        leaves = nest.flatten(self._element)
        spec = self._element_spec
        stop = self._n - (self._n % batch_size if drop_remainder else 0)

        def gen():
            for start in range(0, stop, batch_size):
                yield structure.pack(spec, [t[start:start + batch_size] for t in leaves])
        return gen()

    def _random_access(self):
        leaves = nest.flatten(self._element)
        spec = self._element_spec

        def gather(idx):
            idx = tf.constant(idx, dtype=tf.int64)
            return structure.pack(spec, [tf.gather(t, idx) for t in leaves])
        return self._n, gather

    def _cardinality(self) -> int:
        return self._n


def _normalize_slices(element):
    """Leaves become tensors; lists of Python values are tensors, lists of arrays too (as TF)."""
    if isinstance(element, dict):
        return {k: _normalize_slices(v) for k, v in element.items()}
    if isinstance(element, tuple):
        items = [_normalize_slices(e) for e in element]
        return type(element)(*items) if hasattr(element, "_fields") else tuple(items)
    if hasattr(element, "values") and hasattr(element, "dtype") and hasattr(element, "to_numpy"):
        element = element.to_numpy()  # a pandas Series
    if isinstance(element, np.ndarray) and element.dtype == object:
        element = element.astype(str)
    return tf.convert_to_tensor(element)


class RangeDataset(DatasetV2):
    """`range(stop)`, `range(start, stop[, step])` as int64 (or `dtype`); stop None counts forever."""

    def __init__(self, *args, dtype="int64", output_type=None, name=None):
        if output_type is not None:
            dtype = output_type
        args = tuple(int(a) if hasattr(a, "numpy") else a for a in args)
        if len(args) == 1:
            start, stop, step = 0, args[0], 1
        elif len(args) == 2:
            (start, stop), step = args, 1
        elif len(args) == 3:
            start, stop, step = args
        else:
            raise ValueError(f"Invalid arguments to RangeDataset: {args}")
        if step == 0:
            raise tf.errors.InvalidArgumentError(None, None, "step must be a non-zero integer.")
        self._start, self._stop, self._step = int(start), None if stop is None else int(stop), int(step)
        self._dtype = tf.as_dtype(dtype)
        self._element_spec = TensorSpec([], self._dtype)

    def _iterate(self):
        value = self._start
        dtype = self._dtype
        while self._stop is None or (value < self._stop if self._step > 0 else value > self._stop):
            yield tf.constant(value, dtype=dtype)
            value += self._step

    def _cardinality(self) -> int:
        if self._stop is None:
            return INFINITE
        return max(0, -(-(self._stop - self._start) // self._step))


class GeneratorDataset(DatasetV2):
    """Elements produced by calling a Python generator (once per iteration)."""

    def __init__(self, generator, output_types, output_shapes, args, output_signature):
        if not callable(generator):
            raise TypeError("`generator` must be a Python callable.")
        if output_signature is None:
            if output_types is None:
                raise TypeError("The `output_types` argument can not be None.")
            types = nest.flatten(output_types)
            if output_shapes is None:
                shape_leaves = [None] * len(types)
            else:
                shape_leaves = _flatten_like(output_types, output_shapes)
            specs = [TensorSpec(s, t) for t, s in zip(types, shape_leaves)]
            output_signature = structure.pack(output_types, specs) if nest.is_nested(output_types) else specs[0]  # noqa: E501
        self._generator = generator
        self._args = tuple(args or ())
        self._element_spec = output_signature

    def _iterate(self):
        spec = self._element_spec
        for item in self._generator(*self._args):
            item = tuple(item) if isinstance(item, list) and isinstance(spec, tuple) else item
            specs = nest.flatten(spec)
            try:
                leaves = _flatten_like(spec, item)
            except (TypeError, ValueError, KeyError):
                leaves = None
            if leaves is None or len(leaves) != len(specs):
                raise TypeError(f"`generator` yielded an element that did not match the expected structure. "
                                f"The expected structure was {spec}, but the yielded element was {item}.")
            tensors = []
            for value, s in zip(leaves, specs):
                t = tf.convert_to_tensor(value, dtype_hint=s.dtype)
                if t.dtype != s.dtype:
                    t = tf.cast(t, s.dtype) if t.dtype.is_integer == s.dtype.is_integer else t
                if t.dtype != s.dtype:
                    raise TypeError(f"`generator` yielded an element of type {t.dtype} where an element of type "  # noqa: E501
                                    f"{s.dtype} was expected.")
                if not s.shape.is_compatible_with(t.shape):
                    raise ValueError(f"`generator` yielded an element of shape {t.shape} where an element of "
                                     f"shape {s.shape} was expected.")
                tensors.append(t)
            yield structure.pack(spec, tensors)


def _flatten_like(structure_, value) -> list:
    """Leaves of `value` down to the leaves of `structure_` (lists inside `value` stay values)."""
    if isinstance(structure_, dict):
        if not isinstance(value, dict) or set(value) != set(structure_):
            raise ValueError("structure mismatch")
        return [x for k in sorted(structure_) for x in _flatten_like(structure_[k], value[k])]
    if isinstance(structure_, tuple):
        if not isinstance(value, (tuple, list)) or len(value) != len(structure_):
            raise ValueError("structure mismatch")
        return [x for s, v in zip(structure_, value) for x in _flatten_like(s, v)]
    return [value]
