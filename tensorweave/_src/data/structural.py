"""Transformations that restructure the stream: flat_map, interleave, window, scan, take_while,
group_by_window, bucket_by_sequence_length, shard, unique, ignore_errors, sample_from_datasets,
choose_from_datasets.

Functions returning datasets (flat_map, interleave, group_by_window's reduce_func) run eagerly in Python
per element; their output element_spec is found by calling them once while tracing on symbolic inputs
(datasets inside elements appear as spec-only datasets there), as TF traces them.
"""

from __future__ import annotations

import os
import random as _pyrandom

import numpy as np

from tensorweave._src.api_export import PublicNamespace
from tensorweave._src.data import structure
from tensorweave._src.data.dataset_ops import INFINITE, UNKNOWN, DatasetSpec, DatasetV2
from tensorweave._src.data.structured_function import StructuredFunction
from tensorweave._src.function.function import Function
from tensorweave._src.function.tensor_spec import TensorSpec
from tensorweave._src.util import nest

tf = PublicNamespace()


class _SpecDataset(DatasetV2):
    """A dataset known only by its element_spec (stands in for dataset leaves while probing)."""

    def __init__(self, element_spec):
        self._element_spec = element_spec

    def _iterate(self):
        raise TypeError("a dataset argument cannot be iterated while its function is traced")


class ListDataset(DatasetV2):
    """The elements of a Python list (windows, groups)."""

    def __init__(self, elements, element_spec):
        self._elements = elements
        self._element_spec = element_spec

    def _iterate(self):
        yield from self._elements

    def _cardinality(self) -> int:
        return len(self._elements)


def _call(fn, element, unpack):
    return fn(*element) if unpack else fn(element)


def _is_tuple(spec) -> bool:
    return isinstance(spec, tuple) and not hasattr(spec, "_fields")


def probe(fn, spec, unpack=None, extra_specs=()):
    """What `fn(element)` returns when called on symbolic tensors of `spec` (dataset leaves are
    spec-only datasets), inside a throwaway trace. `extra_specs` are leading arguments (keys, states)."""
    unpack = _is_tuple(spec) if unpack is None else unpack
    leaves = nest.flatten(spec)
    tensor_specs = [s for s in list(extra_specs) + leaves if isinstance(s, TensorSpec)]
    result = {}

    def body(*tensors):
        it = iter(tensors)
        extras = [next(it) if isinstance(s, TensorSpec) else s for s in extra_specs]
        vals = [next(it) if isinstance(s, TensorSpec) else
                _SpecDataset(s.element_spec) if isinstance(s, DatasetSpec) else s for s in leaves]
        element = structure.pack(spec, vals) if nest.is_nested(spec) else vals[0]
        args = list(extras) + (list(element) if unpack else [element])
        result["out"] = fn(*args)
        return None

    Function(body, name="probe", autograph=False).get_concrete_function(*tensor_specs)
    return result["out"]


def _eager_probe(fn, spec, fill, extra_specs=()):
    """`fn` called on eager tensors of `spec` filled with `fill` (unknown dims of size `fill`)."""
    def value(s):
        if isinstance(s, DatasetSpec):
            return _SpecDataset(s.element_spec)
        if not isinstance(s, TensorSpec):
            return s
        shape = [fill if d is None else d for d in (s.shape.as_list() if s.shape.rank is not None else [])]
        if s.dtype == tf.string:
            return tf.fill(shape, tf.constant(str(fill)))
        return tf.cast(tf.fill(shape, fill), s.dtype)
    leaves = [value(s) for s in nest.flatten(spec)]
    element = structure.pack(spec, leaves) if nest.is_nested(spec) else leaves[0]
    args = [value(s) for s in extra_specs] + (list(element) if _is_tuple(spec) else [element])
    return fn(*args)


def dataset_fn_spec(fn, spec, what="map_func", extra_specs=()):
    """The element_spec of the datasets `fn` returns: traced on symbolic inputs, or (when the function
    needs concrete values, e.g. `Dataset.range(x)`) called on two different eager inputs, the specs
    generalized where they differ."""
    try:
        out = probe(fn, spec, extra_specs=extra_specs)
    except Exception:  # noqa: BLE001 - fall back to eager probing
        outs = [_eager_probe(fn, spec, fill, extra_specs) for fill in (1, 2)]
        for o in outs:
            if not isinstance(o, DatasetV2):
                raise TypeError(f"The `{what}` argument must return a `Dataset` object. Got {type(o)}.") from None  # noqa: E501
        return structure.most_specific_common(outs[0].element_spec, outs[1].element_spec)
    if not isinstance(out, DatasetV2):
        raise TypeError(f"The `{what}` argument must return a `Dataset` object. Got {type(out)}.")
    return out.element_spec


class FlatMapDataset(DatasetV2):
    def __init__(self, input_dataset, map_func):
        self._input = input_dataset
        self._func = map_func
        self._unpack = _is_tuple(input_dataset.element_spec)
        self._element_spec = dataset_fn_spec(map_func, input_dataset.element_spec)

    def _iterate(self):
        for element in self._input._iterate():
            yield from _call(self._func, element, self._unpack)._iterate()


def _max_parallelism() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _cycle_length(cycle_length, block_length, num_parallel_calls) -> tuple[int, str | None]:
    """(cycle length, error raised when iterating or None) as TF's interleave kernels pick them: AUTOTUNE
    means the core count, for a parallel interleave min(num_parallel_calls, cores), or cores / 3 rounded
    up when both are AUTOTUNE. Elements come in the deterministic order either way, computed in turn."""
    cycle = -1 if cycle_length is None else int(cycle_length)
    block = 1 if block_length is None else int(block_length)
    parallel = None if num_parallel_calls is None else int(num_parallel_calls)
    if cycle != -1 and cycle <= 0:
        raise tf.errors.InvalidArgumentError(None, None, "cycle_length must be greater than zero.")
    if block <= 0:
        raise tf.errors.InvalidArgumentError(None, None, "block_length must be greater than zero.")
    if parallel is None:
        return (_max_parallelism() if cycle == -1 else cycle), None
    if parallel != -1 and parallel <= 0:
        raise tf.errors.InvalidArgumentError(None, None, "num_parallel_calls must be greater than zero.")
    fixed = cycle != -1
    if cycle == -1:
        cycle = min(parallel, _max_parallelism()) if parallel != -1 else -(-_max_parallelism() // 3)
    if parallel == -1 or parallel <= cycle:
        return cycle, None
    message = (f"If `cycle_length` is set to a fixed value, `num_parallel_calls` must be either "
               f"`tf.data.AUTOTUNE` or a value less than or equal to `cycle_length`. However, "
               f"`num_parallel_calls` is {parallel} and `cycle_length` is {cycle}")
    if fixed:
        raise tf.errors.InvalidArgumentError(None, None, message)
    return cycle, message


class InterleaveDataset(DatasetV2):
    """TF's interleave order: `cycle_length` open datasets, `block_length` elements from each in turn;
    an exhausted dataset's slot takes the next input element's dataset."""

    def __init__(self, input_dataset, map_func, cycle_length=None, block_length=None,
                 num_parallel_calls=None):
        self._input = input_dataset
        self._func = map_func
        self._unpack = _is_tuple(input_dataset.element_spec)
        self._parallel = num_parallel_calls
        self._cycle, self._iter_error = _cycle_length(cycle_length, block_length, num_parallel_calls)
        self._block = 1 if block_length is None else int(block_length)
        self._element_spec = dataset_fn_spec(map_func, input_dataset.element_spec)

    def __repr__(self) -> str:
        name = "ParallelInterleaveDataset" if self._parallel else "InterleaveDataset"
        return f"<_{name} element_spec={self.element_spec!r}>"

    def _iterate(self):
        if self._iter_error is not None:  # TF: when the iterator is made
            raise tf.errors.InvalidArgumentError(None, None, self._iter_error)
        it = self._input._iterate()
        slots = [None] * self._cycle
        idx = block = 0
        end = False
        while True:
            current = slots[idx]
            if current is not None:
                try:
                    x = next(current)
                except StopIteration:
                    slots[idx] = None
                    idx, block = (idx + 1) % self._cycle, 0
                    continue
                yield x
                block += 1
                if block == self._block:
                    idx, block = (idx + 1) % self._cycle, 0
            elif not end:
                try:
                    element = next(it)
                except StopIteration:
                    end = True
                    continue
                slots[idx] = _call(self._func, element, self._unpack)._iterate()
            else:
                if all(s is None for s in slots):
                    return
                idx, block = (idx + 1) % self._cycle, 0


class WindowDataset(DatasetV2):
    def __init__(self, input_dataset, size, shift=None, stride=1, drop_remainder=False):
        self._input = input_dataset
        self._size = int(size)
        self._shift = self._size if shift is None else int(shift)
        self._stride = int(stride)
        for name, v in (("size", self._size), ("shift", self._shift), ("stride", self._stride)):
            if v <= 0:
                raise tf.errors.InvalidArgumentError(None, None, f"Window {name} must be greater than zero, "
                                                                 f"but got {v}.")
        self._drop = bool(drop_remainder)
        self._element_spec = nest.map_structure(DatasetSpec, input_dataset.element_spec)

    def _iterate(self):
        spec = self._input.element_spec
        it = self._input._iterate()
        buf: list = []
        base = 0  # input index of buf[0]
        exhausted = False
        start = 0
        while True:
            last = start + (self._size - 1) * self._stride
            while not exhausted and base + len(buf) <= last:
                try:
                    buf.append(next(it))
                except StopIteration:
                    exhausted = True
            window = [buf[i - base] for i in range(start, min(last, base + len(buf) - 1) + 1, self._stride)]
            if not window or (self._drop and len(window) < self._size):
                return
            columns = list(zip(*[nest.flatten(e) for e in window]))
            datasets = [ListDataset(list(col), s) for col, s in zip(columns, nest.flatten(spec))]
            yield structure.pack(spec, datasets) if nest.is_nested(spec) else datasets[0]
            start += self._shift
            if start > base:
                drop = min(start - base, len(buf))
                del buf[:drop]
                base += drop
            if exhausted and start >= base + len(buf):
                return

    def _cardinality(self) -> int:
        n = self._input._cardinality()
        if n < 0:
            return n
        if self._drop:
            span = (self._size - 1) * self._stride + 1
            return 0 if n < span else (n - span) // self._shift + 1
        return -(-n // self._shift)


class ScanDataset(DatasetV2):
    def __init__(self, input_dataset, initial_state, scan_func):
        self._input = input_dataset
        self._initial = nest.map_structure(tf.convert_to_tensor, initial_state)
        self._func = scan_func
        spec = input_dataset.element_spec
        unpack = _is_tuple(spec)
        state_spec = structure.spec_of(self._initial)

        def body(state, element):
            out = scan_func(state, *element) if unpack else scan_func(state, element)
            if not isinstance(out, (tuple, list)) or len(out) != 2:
                raise TypeError("The scan function must return a pair comprising the new state and the "
                                "output value.")
            return tuple(out)

        for _ in range(3):  # relax the state's shape until the traced function keeps it
            fn = StructuredFunction(body, (state_spec, spec), name="scan_fn")
            new_state_spec = fn.output_spec[0]
            try:
                nest.assert_same_structure(state_spec, new_state_spec, check_types=False)
            except (ValueError, TypeError):
                raise TypeError(f"The element types for the new state must match the initial state. Expected "
                                f"{state_spec}; got {new_state_spec}.") from None
            for a, b in zip(nest.flatten(state_spec), nest.flatten(new_state_spec)):
                if a.dtype != b.dtype:
                    raise TypeError(f"The element types for the new state must match the initial state. "
                                    f"Expected {state_spec}; got {new_state_spec}.")
            if all(b.shape.is_compatible_with(a.shape) and a.shape.is_compatible_with(b.shape)
                   and a.shape.as_list() == b.shape.as_list() if a.shape.rank is not None else True
                   for a, b in zip(nest.flatten(state_spec), nest.flatten(new_state_spec))):
                break
            state_spec = structure.most_specific_common(state_spec, new_state_spec)
        self._fn = fn
        self._element_spec = fn.output_spec[1]

    def _iterate(self):
        state = self._initial
        for element in self._input._iterate():
            state, out = self._fn((state, element))
            yield out

    def _cardinality(self) -> int:
        return self._input._cardinality()


class TakeWhileDataset(DatasetV2):
    def __init__(self, input_dataset, predicate):
        self._input = input_dataset
        self._fn = StructuredFunction(predicate, input_dataset.element_spec, name="take_while_fn")
        spec = self._fn.output_spec
        if getattr(spec, "dtype", None) != tf.bool or spec.shape.rank not in (0, None):
            raise ValueError(f"Invalid `predicate`. `predicate` must return a `tf.bool` scalar tensor, but its "  # noqa: E501
                             f"return type was {spec}.")
        self._element_spec = input_dataset.element_spec

    def _iterate(self):
        for element in self._input._iterate():
            if not bool(self._fn(element)):
                return
            yield element

    def _cardinality(self) -> int:
        n = self._input._cardinality()
        return INFINITE if n == INFINITE else UNKNOWN


class ShardDataset(DatasetV2):
    def __init__(self, input_dataset, num_shards, index):
        self._input = input_dataset
        self._num, self._index = int(num_shards), int(index)
        if self._num <= 0:
            raise tf.errors.InvalidArgumentError(None, None, f"Number of shards must be greater than zero "
                                                             f"(currently num_shards = {self._num}).")
        if not 0 <= self._index < self._num:
            raise tf.errors.InvalidArgumentError(None, None, f"Index must be between 0 and {self._num - 1} "
                                                             f"(currently index = {self._index}).")
        self._element_spec = input_dataset.element_spec

    def _iterate(self):
        for i, element in enumerate(self._input._iterate()):
            if i % self._num == self._index:
                yield element

    def _cardinality(self) -> int:
        n = self._input._cardinality()
        if n < 0:
            return n
        return n // self._num + (1 if self._index < n % self._num else 0)


class UniqueDataset(DatasetV2):
    def __init__(self, input_dataset):
        spec = input_dataset.element_spec
        if not isinstance(spec, TensorSpec) or spec.dtype not in (tf.int32, tf.int64, tf.string) or \
                spec.shape.rank not in (0, None):
            raise TypeError(f"`tf.data.Dataset.unique()` only supports inputs with a single `tf.int32`, "
                            f"`tf.int64`, or `tf.string` component. Got {spec}.")
        self._input = input_dataset
        self._element_spec = spec

    def _iterate(self):
        seen = set()
        for element in self._input._iterate():
            key = element.numpy().item() if element.dtype != tf.string else element.numpy()
            if key not in seen:
                seen.add(key)
                yield element

    def _cardinality(self) -> int:
        n = self._input._cardinality()
        return INFINITE if n == INFINITE else UNKNOWN


class IgnoreErrorsDataset(DatasetV2):
    """Drops elements whose computation raised (map/filter errors); an error inside a source ends the
    stream there."""

    def __init__(self, input_dataset, log_warning=False):
        self._input = input_dataset
        self._log = log_warning
        self._element_spec = input_dataset.element_spec

    def _iterate(self):
        it = self._input._iterate_tolerant()
        while True:
            try:
                element = next(it)
            except StopIteration:
                return
            except Exception as e:  # noqa: BLE001 - the source itself failed: stop, as its state is lost
                if self._log:
                    import logging

                    logging.getLogger("tensorweave").warning("ignore_errors: %s", e)
                return
            if isinstance(element, ErrorMarker):
                if self._log:
                    import logging

                    logging.getLogger("tensorweave").warning("ignore_errors: %s", element.error)
                continue
            yield element

    def _cardinality(self) -> int:
        n = self._input._cardinality()
        return INFINITE if n == INFINITE else UNKNOWN


class ErrorMarker:
    """Stands in for an element whose computation raised (see DatasetV2._iterate_tolerant)."""

    def __init__(self, error):
        self.error = error


class GroupByWindowDataset(DatasetV2):
    def __init__(self, input_dataset, key_func, reduce_func, window_size=None, window_size_func=None,
                 probe_reduce=None):
        if (window_size is None) == (window_size_func is None):
            raise ValueError("Either the `window_size` argument or the `window_size_func` argument must be "
                             "specified.")
        self._input = input_dataset
        spec = input_dataset.element_spec
        self._unpack = _is_tuple(spec)
        self._key_fn = StructuredFunction(key_func, spec, name="key_func")
        kspec = self._key_fn.output_spec
        if getattr(kspec, "dtype", None) != tf.int64 or kspec.shape.rank != 0:
            raise ValueError(f"Invalid `key_func`. `key_func` must return a single tf.int64 scalar tensor but "  # noqa: E501
                             f"its return type is {kspec}.")
        self._window_size = window_size
        self._window_size_func = window_size_func
        self._reduce = reduce_func
        self._element_spec = dataset_fn_spec(probe_reduce or reduce_func, DatasetSpec(spec), "reduce_func",
                                             extra_specs=(TensorSpec([], tf.int64),))

    def _size_of(self, key):
        if self._window_size_func is None:
            return int(self._window_size)
        n = int(self._window_size_func(key))
        if n <= 0:
            raise tf.errors.InvalidArgumentError(None, None, f"Window size must be greater than zero, but "
                                                             f"got {n}.")
        return n

    def _emit(self, key, elements):
        group = ListDataset(elements, self._input.element_spec)
        yield from self._reduce(tf.constant(key, dtype=tf.int64), group)._iterate()

    def _iterate(self):
        groups: dict = {}
        for element in self._input._iterate():
            key = int(self._key_fn(element))
            group = groups.setdefault(key, [])
            group.append(element)
            if len(group) >= self._size_of(tf.constant(key, dtype=tf.int64)):
                del groups[key]
                yield from self._emit(key, group)
        for key in sorted(groups):
            yield from self._emit(key, groups[key])


def bucket_by_sequence_length(dataset, element_length_func, bucket_boundaries, bucket_batch_sizes,
                              padded_shapes=None, padding_values=None, pad_to_bucket_boundary=False,
                              no_padding=False, drop_remainder=False):
    """Batches elements of similar length together (group_by_window keyed by bucket, padded_batch)."""
    boundaries = list(bucket_boundaries)
    sizes = list(bucket_batch_sizes)
    if len(sizes) != len(boundaries) + 1:
        raise ValueError(f"len(bucket_batch_sizes) must equal len(bucket_boundaries) + 1 but "
                         f"len(bucket_batch_sizes)={len(sizes)} and len(bucket_boundaries)={len(boundaries)}")
    lows = np.array([np.iinfo(np.int32).min] + boundaries, np.int64)
    highs = np.array(boundaries + [np.iinfo(np.int32).max], np.int64)
    unpack = _is_tuple(dataset.element_spec)

    def key_func(*args):
        length = tf.cast(element_length_func(*args), tf.int64)
        cond = tf.logical_and(tf.less_equal(tf.constant(lows), length), tf.less(length, tf.constant(highs)))
        return tf.reduce_min(tf.where(cond))

    def reduce_func(bucket_id, group):
        b = int(bucket_id)
        size = sizes[b]
        if no_padding:
            return group.batch(size, drop_remainder=drop_remainder)
        shapes = padded_shapes
        if pad_to_bucket_boundary:
            if b >= len(boundaries):
                raise tf.errors.InvalidArgumentError(
                    None, None, "When pad_to_bucket_boundary=True, elements must have length < "
                                "max(bucket_boundaries).")
            filler = boundaries[b] - 1
            base = padded_shapes if padded_shapes is not None else nest.map_structure(
                lambda s: s.shape, group.element_spec)
            shapes = nest.map_structure(lambda s: [filler if d is None else d for d in s.as_list()]
                                        if hasattr(s, "as_list") else s, base)
        return group.padded_batch(size, shapes, padding_values, drop_remainder)

    def probe_reduce(key, group):  # the bucket is unknown while tracing: any batch size gives the spec
        if no_padding:
            return group.batch(sizes[0], drop_remainder=drop_remainder)
        return group.padded_batch(sizes[0], padded_shapes, padding_values, drop_remainder)

    def window_size_func(key):
        return tf.constant(sizes[int(key)], dtype=tf.int64)

    return GroupByWindowDataset(dataset, key_func if unpack else (lambda x: key_func(x)), reduce_func,
                                window_size_func=window_size_func, probe_reduce=probe_reduce)


def _common_spec(datasets):
    spec = datasets[0].element_spec
    for d in datasets[1:]:
        try:
            spec = structure.most_specific_common(spec, d.element_spec)
        except (TypeError, ValueError):
            raise TypeError(f"Invalid `datasets`. `datasets` must have compatible element specs.\n "
                            f"dataset[0].element_spec={datasets[0].element_spec!r}.\n"
                            f"dataset[i].element_spec={d.element_spec!r}.") from None
    return spec


class SampleFromDatasets(DatasetV2):
    def __init__(self, datasets, weights, seed, stop_on_empty_dataset):
        datasets = list(datasets)
        if not datasets:
            raise ValueError("Invalid `datasets`. `datasets` should not be empty.")
        self._datasets = datasets
        if weights is None:
            w = np.full(len(datasets), 1.0 / len(datasets))
        else:
            w = np.asarray(weights.numpy() if hasattr(weights, "numpy") else weights, dtype=np.float64)
            if w.shape != (len(datasets),):
                raise ValueError(f"Invalid `weights`. The shape of `weights` should be compatible with "
                                 f"`[len(datasets)]` but is {list(w.shape)}.")
        self._weights = w
        self._stop = stop_on_empty_dataset
        from tensorweave._src.data.transforms import _seed_source

        self._seed_source = _seed_source(seed)
        self._element_spec = _common_spec(datasets)

    def _iterate(self):
        rng = _pyrandom.Random(self._seed_source())
        iters = [d._iterate() for d in self._datasets]
        live = [True] * len(iters)
        while any(live):
            w = np.where(live, self._weights, 0.0)
            total = w.sum()
            if total <= 0:
                return
            i = int(np.searchsorted(np.cumsum(w) / total, rng.random(), side="right"))
            i = min(i, len(iters) - 1)
            try:
                yield next(iters[i])
            except StopIteration:
                if self._stop:
                    return
                live[i] = False

    def _cardinality(self) -> int:
        ns = [d._cardinality() for d in self._datasets]
        if all(n == INFINITE for n in ns):
            return INFINITE
        return UNKNOWN


def sample_from_datasets(datasets, weights=None, seed=None, stop_on_empty_dataset=False):
    return SampleFromDatasets(datasets, weights, seed, stop_on_empty_dataset)


class ChooseFromDatasets(DatasetV2):
    def __init__(self, datasets, choice_dataset, stop_on_empty_dataset=True):
        datasets = list(datasets)
        if not datasets:
            raise ValueError("Invalid `datasets`. `datasets` should not be empty.")
        cspec = choice_dataset.element_spec
        if not isinstance(cspec, TensorSpec) or cspec.dtype != tf.int64 or cspec.shape.rank != 0:
            raise TypeError(f"Invalid `choice_dataset`. Elements of `choice_dataset` must be scalar `tf.int64` "  # noqa: E501
                            f"tensors but are {cspec}.")
        self._datasets = datasets
        self._choice = choice_dataset
        self._stop = stop_on_empty_dataset
        self._element_spec = _common_spec(datasets)

    def _iterate(self):
        iters = [d._iterate() for d in self._datasets]
        live = [True] * len(iters)
        for choice in self._choice._iterate():
            i = int(choice)
            if not 0 <= i < len(iters):
                raise tf.errors.InvalidArgumentError(None, None, f"Selector index out of range: {i} >= "
                                                                 f"{len(iters)}")
            if not live[i]:
                continue
            try:
                yield next(iters[i])
            except StopIteration:
                if self._stop:
                    return
                live[i] = False
                if not any(live):
                    return

    def _cardinality(self) -> int:
        return UNKNOWN if self._choice._cardinality() != INFINITE else INFINITE


class AssertCardinalityDataset(DatasetV2):
    def __init__(self, input_dataset, expected):
        self._input = input_dataset
        self._expected = expected
        self._element_spec = input_dataset.element_spec

    def _iterate(self):
        n = 0
        for element in self._input._iterate():
            n += 1
            if self._expected >= 0 and n > self._expected:
                raise tf.errors.FailedPreconditionError(
                    None, None,
                    f"Input dataset was expected to contain {self._expected} elements but contained "
                                f"at least {n} elements.")
            yield element
        if n < self._expected or self._expected == INFINITE:
            raise tf.errors.FailedPreconditionError(
                None, None, f"Input dataset was expected to contain {self._expected} elements but contained "
                            f"only {n} elements.")

    def _cardinality(self) -> int:
        return self._expected
