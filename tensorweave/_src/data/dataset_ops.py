"""`tf.data.Dataset`: an immutable description of a stream of elements (nested structures of tensors);
iterating it runs the pipeline. Transformations return new datasets.

>>> import tensorweave as tf
>>> ds = tf.data.Dataset.range(6).map(lambda x: x * 2).batch(4)
>>> [b.numpy().tolist() for b in ds]
[[0, 2, 4, 6], [8, 10]]
"""

from __future__ import annotations

import numpy as np

from tensorweave._src.api_export import PublicNamespace, export, tf_export

tf = PublicNamespace()

INFINITE = -1
UNKNOWN = -2


@tf_export("data.Dataset")
class DatasetV2:
    """Base class: subclasses define `element_spec`, `_iterate()` and `_cardinality()`."""

    # ---- what subclasses provide -------------------------------------------------------------------
    @property
    def element_spec(self):
        return self._element_spec

    def _iterate(self):
        raise NotImplementedError

    def _cardinality(self) -> int:
        return UNKNOWN

    def _batches(self, batch_size: int, drop_remainder: bool):
        """Batches of this dataset, or None when the dataset cannot batch faster than element by element."""
        return None

    def _iterate_tolerant(self):
        """Like `_iterate`, but an element whose computation raised comes out as an ErrorMarker
        (map and filter override it; for ignore_errors)."""
        return self._iterate()

    def _random_access(self):
        """(length, gather(int64 index array) -> batch of those elements), or None when the dataset
        cannot produce arbitrary elements directly."""
        return None

    # ---- iteration ---------------------------------------------------------------------------------
    def __iter__(self):
        from tensorweave._src.data.iterator import OwnedIterator  # the iterator builds on datasets

        return OwnedIterator(self)

    def as_numpy_iterator(self):
        """Iterates elements as numpy values (structure preserved)."""
        from tensorweave._src.util import nest

        for element in self:
            yield nest.map_structure(lambda t: t.numpy() if hasattr(t, "numpy") else t, element)

    def cardinality(self):
        """The number of elements: a scalar int64, or INFINITE_CARDINALITY / UNKNOWN_CARDINALITY."""
        return tf.constant(self._cardinality(), dtype="int64")

    def __len__(self) -> int:
        n = self._cardinality()
        if n == INFINITE:
            raise TypeError("The dataset is infinite.")
        if n == UNKNOWN:
            raise TypeError("The dataset length is unknown.")
        return n

    def __bool__(self) -> bool:
        return True

    def __repr__(self) -> str:
        return f"<_{type(self).__name__} element_spec={self.element_spec!r}>"

    # ---- sources -----------------------------------------------------------------------------------
    @staticmethod
    def from_tensor_slices(tensors, name=None) -> "DatasetV2":
        """Slices each component along its first dimension (all must have the same length)."""
        from tensorweave._src.data import sources

        return sources.TensorSliceDataset(tensors)

    @staticmethod
    def from_tensors(tensors, name=None) -> "DatasetV2":
        from tensorweave._src.data import sources

        return sources.TensorDataset(tensors)

    @staticmethod
    def range(*args, **kwargs) -> "DatasetV2":
        from tensorweave._src.data import sources

        return sources.RangeDataset(*args, **kwargs)

    @staticmethod
    def from_generator(generator, output_types=None, output_shapes=None, args=None, output_signature=None,
                       name=None) -> "DatasetV2":
        from tensorweave._src.data import sources

        return sources.GeneratorDataset(generator, output_types, output_shapes, args, output_signature)

    @staticmethod
    def zip(*args, datasets=None, name=None) -> "DatasetV2":
        from tensorweave._src.data import combine

        if not args and datasets is None:
            raise TypeError("Must pass at least one dataset to `zip`.")
        if args and datasets is not None:
            raise TypeError("Both `*args` and `datasets` cannot be set.")
        if len(args) == 1:
            datasets = args[0]
        elif args:
            datasets = args
        return combine.ZipDataset(datasets)

    @staticmethod
    def counter(start=0, step=1, dtype=tf.int64, name=None) -> "DatasetV2":
        from tensorweave._src.data import sources

        return sources.RangeDataset(start, None, step, dtype=dtype)

    # ---- transformations ---------------------------------------------------------------------------
    def map(self, map_func, num_parallel_calls=None, deterministic=None, synchronous=None,
            use_unbounded_threadpool=False, name=None) -> "DatasetV2":
        """Applies `map_func` (traced once, like a tf.function) to each element; with
        `num_parallel_calls` elements are mapped in a thread pool (in order unless deterministic=False)."""
        from tensorweave._src.data import map_ops

        return map_ops.MapDataset(self, map_func, num_parallel_calls, deterministic)

    def filter(self, predicate, name=None) -> "DatasetV2":
        from tensorweave._src.data import transforms

        return transforms.FilterDataset(self, predicate)

    def batch(self, batch_size, drop_remainder=False, num_parallel_calls=None, deterministic=None,
              name=None) -> "DatasetV2":
        """Stacks consecutive elements; the batch dimension is None unless drop_remainder makes it static."""
        from tensorweave._src.data import batching

        return batching.BatchDataset(self, batch_size, drop_remainder)

    def padded_batch(self, batch_size, padded_shapes=None, padding_values=None, drop_remainder=False,
                     name=None) -> "DatasetV2":
        """Batches elements padded to a common (or given) shape with `padding_values` (0 / b"")."""
        from tensorweave._src.data import batching

        return batching.PaddedBatchDataset(self, batch_size, padded_shapes, padding_values, drop_remainder)

    def rebatch(self, batch_size, drop_remainder=False, name=None) -> "DatasetV2":
        from tensorweave._src.data import batching

        return batching.RebatchDataset(self, batch_size, drop_remainder)

    def shuffle(self, buffer_size, seed=None, reshuffle_each_iteration=True, name=None) -> "DatasetV2":
        from tensorweave._src.data import transforms

        return transforms.ShuffleDataset(self, buffer_size, seed, reshuffle_each_iteration)

    def repeat(self, count=None, name=None) -> "DatasetV2":
        from tensorweave._src.data import transforms

        return transforms.RepeatDataset(self, count)

    def take(self, count, name=None) -> "DatasetV2":
        from tensorweave._src.data import transforms

        return transforms.TakeDataset(self, count)

    def skip(self, count, name=None) -> "DatasetV2":
        from tensorweave._src.data import transforms

        return transforms.SkipDataset(self, count)

    def take_while(self, predicate, name=None) -> "DatasetV2":
        from tensorweave._src.data import structural

        return structural.TakeWhileDataset(self, predicate)

    def prefetch(self, buffer_size, name=None) -> "DatasetV2":
        from tensorweave._src.data import transforms

        return transforms.PrefetchDataset(self, buffer_size)

    def cache(self, filename="", name=None) -> "DatasetV2":
        from tensorweave._src.data import transforms

        return transforms.CacheDataset(self, filename)

    def enumerate(self, start=0, name=None) -> "DatasetV2":
        return DatasetV2.zip((DatasetV2.range(start, np.iinfo(np.int64).max), self))

    def concatenate(self, dataset, name=None) -> "DatasetV2":
        from tensorweave._src.data import combine

        return combine.ConcatenateDataset(self, dataset)

    def apply(self, transformation_func) -> "DatasetV2":
        return transformation_func(self)

    def unbatch(self, name=None) -> "DatasetV2":
        from tensorweave._src.data import batching

        return batching.UnbatchDataset(self)

    def flat_map(self, map_func, name=None) -> "DatasetV2":
        """Maps each element to a dataset and concatenates them."""
        from tensorweave._src.data import structural

        return structural.FlatMapDataset(self, map_func)

    def interleave(self, map_func, cycle_length=None, block_length=None, num_parallel_calls=None,
                   deterministic=None, name=None) -> "DatasetV2":
        """Cycles over `cycle_length` datasets made by `map_func`, `block_length` elements from each."""
        from tensorweave._src.data import structural

        return structural.InterleaveDataset(self, map_func, cycle_length, block_length, num_parallel_calls)

    def window(self, size, shift=None, stride=1, drop_remainder=False, name=None) -> "DatasetV2":
        """A dataset of windows, each a dataset (structure preserved) of `size` elements."""
        from tensorweave._src.data import structural

        return structural.WindowDataset(self, size, shift, stride, drop_remainder)

    def scan(self, initial_state, scan_func, name=None) -> "DatasetV2":
        from tensorweave._src.data import structural

        return structural.ScanDataset(self, initial_state, scan_func)

    def group_by_window(self, key_func, reduce_func, window_size=None, window_size_func=None,
                        name=None) -> "DatasetV2":
        from tensorweave._src.data import structural

        return structural.GroupByWindowDataset(self, key_func, reduce_func, window_size, window_size_func)

    def bucket_by_sequence_length(self, element_length_func, bucket_boundaries, bucket_batch_sizes,
                                  padded_shapes=None, padding_values=None, pad_to_bucket_boundary=False,
                                  no_padding=False, drop_remainder=False, name=None) -> "DatasetV2":
        from tensorweave._src.data import structural

        return structural.bucket_by_sequence_length(self, element_length_func, bucket_boundaries,
                                                    bucket_batch_sizes, padded_shapes, padding_values,
                                                    pad_to_bucket_boundary, no_padding, drop_remainder)

    def shard(self, num_shards, index, name=None) -> "DatasetV2":
        from tensorweave._src.data import structural

        return structural.ShardDataset(self, num_shards, index)

    def unique(self, name=None) -> "DatasetV2":
        from tensorweave._src.data import structural

        return structural.UniqueDataset(self)

    def ignore_errors(self, log_warning=False, name=None) -> "DatasetV2":
        from tensorweave._src.data import structural

        return structural.IgnoreErrorsDataset(self, log_warning)

    def reduce(self, initial_state, reduce_func, name=None):
        """Folds `reduce_func(state, element)` over the dataset, returning the final state."""
        from tensorweave._src.util import nest

        state = nest.map_structure(tf.convert_to_tensor, initial_state)
        for element in self:
            elem = element if isinstance(element, tuple) else (element,)
            state = reduce_func(state, *elem)
            state = nest.map_structure(tf.convert_to_tensor, state)
        return state

    def get_single_element(self, name=None):
        """The only element of the dataset (InvalidArgumentError when empty or longer)."""
        it = self._iterate()
        try:
            element = next(it)
        except StopIteration:
            raise tf.errors.InvalidArgumentError(None, None, "Dataset was empty.") from None
        try:
            next(it)
        except StopIteration:
            return element
        raise tf.errors.InvalidArgumentError(None, None, "Dataset had more than one element.")

    def with_options(self, options, name=None) -> "DatasetV2":
        from tensorweave._src.data.options import OptionsDataset

        return OptionsDataset(self, options)

    def options(self):
        from tensorweave._src.data.options import Options

        return getattr(self, "_options", None) or getattr(getattr(self, "_input", None), "_options", None) \
            or Options()

    @staticmethod
    def list_files(file_pattern, shuffle=None, seed=None, name=None) -> "DatasetV2":
        """The files matching glob pattern(s), shuffled unless shuffle=False."""
        from tensorweave._src.data import readers

        return readers.list_files(file_pattern, shuffle, seed)

    @staticmethod
    def sample_from_datasets(datasets, weights=None, seed=None, stop_on_empty_dataset=False,
                             rerandomize_each_iteration=None) -> "DatasetV2":
        from tensorweave._src.data import structural

        return structural.sample_from_datasets(datasets, weights, seed, stop_on_empty_dataset)

    @staticmethod
    def choose_from_datasets(datasets, choice_dataset, stop_on_empty_dataset=True) -> "DatasetV2":
        from tensorweave._src.data import structural

        return structural.ChooseFromDatasets(datasets, choice_dataset, stop_on_empty_dataset)



@tf_export("data.DatasetSpec")
class DatasetSpec:
    """The type of a dataset-valued element (window, group_by_window): its element_spec."""

    def __init__(self, element_spec, dataset_shape=()):
        self._element_spec = element_spec
        from tensorweave._src.core.shape import TensorShape

        self._dataset_shape = TensorShape(dataset_shape)

    element_spec = property(lambda self: self._element_spec)
    shape = property(lambda self: self._dataset_shape)
    dtype = property(lambda self: tf.variant)
    value_type = property(lambda self: DatasetV2)

    def __eq__(self, other):
        return isinstance(other, DatasetSpec) and self._element_spec == other._element_spec

    def __hash__(self):
        return hash(repr(self))

    def __repr__(self):
        return f"DatasetSpec({self._element_spec!r}, {self._dataset_shape!r})"


export("data.INFINITE_CARDINALITY", INFINITE)
export("data.UNKNOWN_CARDINALITY", UNKNOWN)
export("data.AUTOTUNE", -1)
export("data.experimental.AUTOTUNE", -1)
export("data.experimental.INFINITE_CARDINALITY", INFINITE)
export("data.experimental.UNKNOWN_CARDINALITY", UNKNOWN)
