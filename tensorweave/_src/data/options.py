"""`tf.data.Options` (deterministic, threading, optimization switches) — accepted and kept."""

from __future__ import annotations

from tensorweave._src.api_export import tf_export
from tensorweave._src.data.dataset_ops import DatasetV2


class _Group:
    def __init__(self, **defaults):
        self.__dict__.update(defaults)


@tf_export("data.ThreadingOptions", "data.experimental.ThreadingOptions")
class ThreadingOptions:
    def __init__(self):
        self.private_threadpool_size = None
        self.max_intra_op_parallelism = None


@tf_export("data.experimental.OptimizationOptions")
class OptimizationOptions:
    def __init__(self):
        self.map_parallelization = None
        self.parallel_batch = None
        self.apply_default_optimizations = None
        self.map_and_batch_fusion = None
        self.noop_elimination = None


@tf_export("data.Options")
class Options:
    def __init__(self):
        self.deterministic = None
        self.experimental_deterministic = None
        self.threading = ThreadingOptions()
        self.experimental_optimization = OptimizationOptions()
        self.autotune = _Group(enabled=None, cpu_budget=None, ram_budget=None)
        self.experimental_distribute = _Group(auto_shard_policy=None)

    def merge(self, options) -> "Options":
        merged = Options()
        merged.__dict__.update(self.__dict__)
        merged.__dict__.update({k: v for k, v in options.__dict__.items() if v is not None})
        return merged


class OptionsDataset(DatasetV2):
    """`dataset.with_options(options)`: the same elements, with options merged into the dataset's."""

    def __init__(self, input_dataset, options):
        self._input = input_dataset
        self._options = input_dataset.options().merge(options)
        self._element_spec = input_dataset.element_spec

    def _iterate(self):
        return self._input._iterate()

    def _iterate_tolerant(self):
        return self._input._iterate_tolerant()

    def _batches(self, batch_size, drop_remainder):
        return self._input._batches(batch_size, drop_remainder)

    def _random_access(self):
        return self._input._random_access()

    def _cardinality(self):
        return self._input._cardinality()
