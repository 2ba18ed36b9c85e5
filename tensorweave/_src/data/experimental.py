"""`tf.data.experimental`: the functional aliases TF 2.21 still exports (transformations that return a
function to pass to `Dataset.apply`, and sources)."""

from __future__ import annotations

from tensorweave._src.api_export import PublicNamespace, tf_export
from tensorweave._src.data.dataset_ops import DatasetV2

tf = PublicNamespace()


@tf_export("data.experimental.sample_from_datasets")
def sample_from_datasets(datasets, weights=None, seed=None, stop_on_empty_dataset=False):
    return DatasetV2.sample_from_datasets(datasets, weights, seed, stop_on_empty_dataset)


@tf_export("data.experimental.choose_from_datasets")
def choose_from_datasets(datasets, choice_dataset, stop_on_empty_dataset=False):
    return DatasetV2.choose_from_datasets(datasets, choice_dataset, stop_on_empty_dataset)


@tf_export("data.experimental.Counter")
def Counter(start=0, step=1, dtype=tf.int64):  # noqa: N802 - TF's name
    return DatasetV2.counter(start, step, dtype)


@tf_export("data.experimental.from_list")
def from_list(elements, name=None):
    """A dataset of the given Python list of elements (all of one structure)."""
    from tensorweave._src.util import nest

    elements = list(elements)
    if not elements:
        raise ValueError("Invalid `elements`. `elements` should not be empty.")
    first = elements[0]
    if not nest.is_nested(first) or isinstance(first, list):
        return DatasetV2.from_tensor_slices(tf.stack([tf.convert_to_tensor(e) for e in elements]))
    columns = list(zip(*[nest.flatten(e) for e in elements]))
    stacked = [tf.stack([tf.convert_to_tensor(v) for v in col]) for col in columns]
    return DatasetV2.from_tensor_slices(nest.pack_sequence_as(first, stacked))


@tf_export("data.experimental.get_single_element")
def get_single_element(dataset):
    return dataset.get_single_element()


@tf_export("data.experimental.cardinality")
def cardinality(dataset):
    return dataset.cardinality()


@tf_export("data.experimental.get_structure")
def get_structure(dataset_or_iterator):
    return dataset_or_iterator.element_spec


@tf_export("data.experimental.assert_cardinality")
def assert_cardinality(expected_cardinality):
    def apply(dataset):
        from tensorweave._src.data.structural import AssertCardinalityDataset

        return AssertCardinalityDataset(dataset, int(expected_cardinality))
    return apply


@tf_export("data.experimental.ignore_errors")
def ignore_errors(log_warning=False):
    return lambda dataset: dataset.ignore_errors(log_warning)


@tf_export("data.experimental.unique")
def unique():
    return lambda dataset: dataset.unique()


@tf_export("data.experimental.take_while")
def take_while(predicate):
    return lambda dataset: dataset.take_while(predicate)


@tf_export("data.experimental.scan")
def scan(initial_state, scan_func):
    return lambda dataset: dataset.scan(initial_state, scan_func)


@tf_export("data.experimental.unbatch")
def unbatch():
    return lambda dataset: dataset.unbatch()


@tf_export("data.experimental.enumerate_dataset")
def enumerate_dataset(start=0):
    return lambda dataset: dataset.enumerate(start)


@tf_export("data.experimental.group_by_window")
def group_by_window(key_func, reduce_func, window_size=None, window_size_func=None):
    return lambda dataset: dataset.group_by_window(key_func, reduce_func, window_size, window_size_func)


@tf_export("data.experimental.bucket_by_sequence_length")
def bucket_by_sequence_length(element_length_func, bucket_boundaries, bucket_batch_sizes, padded_shapes=None,
                              padding_values=None, pad_to_bucket_boundary=False, no_padding=False,
                              drop_remainder=False):
    return lambda dataset: dataset.bucket_by_sequence_length(
        element_length_func, bucket_boundaries, bucket_batch_sizes, padded_shapes, padding_values,
        pad_to_bucket_boundary, no_padding, drop_remainder)


@tf_export("data.experimental.map_and_batch")
def map_and_batch(map_func, batch_size, num_parallel_batches=None, drop_remainder=False,
                  num_parallel_calls=None):
    return lambda dataset: dataset.map(map_func, num_parallel_calls).batch(batch_size, drop_remainder)


@tf_export("data.experimental.parallel_interleave")
def parallel_interleave(map_func, cycle_length, block_length=1, sloppy=False, buffer_output_elements=None,
                        prefetch_input_elements=None):
    return lambda dataset: dataset.interleave(map_func, cycle_length, block_length,
                                              num_parallel_calls=cycle_length)


@tf_export("data.experimental.shuffle_and_repeat")
def shuffle_and_repeat(buffer_size, count=None, seed=None):
    return lambda dataset: dataset.shuffle(buffer_size, seed).repeat(count)


@tf_export("data.experimental.dense_to_ragged_batch")
def dense_to_ragged_batch(batch_size, drop_remainder=False, row_splits_dtype=tf.int64):
    return lambda dataset: dataset.batch(batch_size, drop_remainder)


@tf_export("data.experimental.parse_example_dataset")
def parse_example_dataset(features, num_parallel_calls=1, deterministic=None):
    return lambda dataset: dataset.map(lambda s: tf.io.parse_example(s, features), num_parallel_calls)


@tf_export("data.experimental.get_next_as_optional")
def get_next_as_optional(iterator):
    return iterator.get_next_as_optional()


@tf_export("data.experimental.make_batched_features_dataset")
def make_batched_features_dataset(file_pattern, batch_size, features, reader=None, label_key=None,
                                  reader_args=None, num_epochs=None, shuffle=True, shuffle_buffer_size=10000,
                                  shuffle_seed=None, prefetch_buffer_size=None, reader_num_threads=None,
                                  parser_num_threads=None, sloppy_ordering=False, drop_final_batch=False):
    ds = DatasetV2.list_files(file_pattern, shuffle=shuffle, seed=shuffle_seed)
    reader = reader or tf.data.TFRecordDataset
    ds = ds.flat_map(lambda f: reader(f, *(reader_args or [])))
    if num_epochs != 1:
        ds = ds.repeat(num_epochs)
    if shuffle:
        ds = ds.shuffle(shuffle_buffer_size, shuffle_seed)
    ds = ds.batch(batch_size, drop_final_batch).map(lambda s: tf.io.parse_example(s, features))
    if label_key is not None:
        ds = ds.map(lambda d: (d, d.pop(label_key)))
    return ds.prefetch(prefetch_buffer_size or -1)


@tf_export("data.experimental.TFRecordWriter")
class TFRecordWriter:
    """Writes a dataset of scalar strings to a TFRecord file: `writer.write(dataset)`."""

    def __init__(self, filename, compression_type=None):
        self._filename = filename
        self._compression = compression_type

    def write(self, dataset):
        from tensorweave._src.io.tfrecord import TFRecordOptions
        from tensorweave._src.io.tfrecord import TFRecordWriter as _Writer

        spec = dataset.element_spec
        if getattr(spec, "dtype", None) != tf.string or spec.shape.rank != 0:
            raise TypeError(f"Invalid `dataset.` Expected a`dataset` that produces scalar `tf.string` "
                            f"elements, but got a dataset which produces elements with shapes {spec.shape} and "  # noqa: E501
                            f"types {spec.dtype}.")
        with _Writer(self._filename, TFRecordOptions(self._compression)) as w:
            for record in dataset:
                w.write(record.numpy())
