"""`tf.data.Options` (deterministic, threading, optimization switches) — accepted and kept."""

from __future__ import annotations

from tensorweave._src.api_export import tf_export


class _Group:
    def __init__(self, **defaults):
        self.__dict__.update(defaults)


@tf_export("data.Options")
class Options:
    def __init__(self):
        self.deterministic = None
        self.experimental_deterministic = None
        self.threading = _Group(private_threadpool_size=None, max_intra_op_parallelism=None)
        self.experimental_optimization = _Group(map_parallelization=None, parallel_batch=None,
                                                apply_default_optimizations=None)
        self.autotune = _Group(enabled=None, cpu_budget=None, ram_budget=None)
        self.experimental_distribute = _Group(auto_shard_policy=None)

    def merge(self, options) -> "Options":
        merged = Options()
        merged.__dict__.update(self.__dict__)
        merged.__dict__.update({k: v for k, v in options.__dict__.items() if v is not None})
        return merged
