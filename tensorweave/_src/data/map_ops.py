"""`Dataset.map`: the function is traced once (structured_function.py) and run per element, or in a
thread pool with `num_parallel_calls` (results in input order unless `deterministic=False`).

Fast paths, used when the result is the same as mapping element by element:
- `_batches`: map then batch runs the map function once per batch when its graph vectorizes
  (vectorize.py), on batches the input builds with one kernel call per component;
- `_random_access`: over a random-access input (from_tensor_slices, possibly through other maps) a
  stateless map is random-access too, so shuffle+batch can gather shuffled batches directly.
"""

from __future__ import annotations

import collections
import concurrent.futures
import os

from tensorweave._src.api_export import PublicNamespace
from tensorweave._src.data import structure
from tensorweave._src.data.dataset_ops import DatasetV2
from tensorweave._src.data.structured_function import StructuredFunction
from tensorweave._src.util import nest

tf = PublicNamespace()

AUTOTUNE = -1
_POOL = None


def thread_pool():
    """One shared pool for parallel map/interleave (threads: kernels release the GIL)."""
    global _POOL
    if _POOL is None:
        _POOL = concurrent.futures.ThreadPoolExecutor(max_workers=max(4, os.cpu_count() or 4),
                                                      thread_name_prefix="tw_data")
    return _POOL


class MapDataset(DatasetV2):
    def __init__(self, input_dataset, map_func, num_parallel_calls=None, deterministic=None):
        self._input = input_dataset
        self._fn = StructuredFunction(map_func, input_dataset.element_spec, name="map_fn")
        self._element_spec = self._fn.output_spec
        if num_parallel_calls is not None:
            n = int(num_parallel_calls)
            if n <= 0 and n != AUTOTUNE:
                raise ValueError(f"num_parallel_calls must be positive or tf.data.AUTOTUNE, got {n}")
            self._parallel = (os.cpu_count() or 4) if n == AUTOTUNE else n
        else:
            self._parallel = None
        self._deterministic = deterministic

    def __repr__(self) -> str:
        name = "ParallelMapDataset" if self._parallel else "MapDataset"
        return f"<_{name} element_spec={self.element_spec!r}>"

    def _iterate(self):
        fn = self._fn
        if not self._parallel or self._parallel == 1:
            for element in self._input._iterate():
                yield fn(element)
            return
        pool = thread_pool()
        ordered = self._deterministic is not False and \
            self.options().deterministic is not False
        window = collections.deque()
        it = self._input._iterate()
        exhausted = False
        while True:
            while not exhausted and len(window) < self._parallel:
                try:
                    element = next(it)
                except StopIteration:
                    exhausted = True
                    break
                window.append(pool.submit(fn, element))
            if not window:
                return
            if ordered:
                yield window.popleft().result()
            else:
                done = next((f for f in window if f.done()), None)
                if done is None:
                    concurrent.futures.wait(list(window), return_when=concurrent.futures.FIRST_COMPLETED)
                    done = next(f for f in window if f.done())
                window.remove(done)
                yield done.result()

    def _iterate_tolerant(self):
        from tensorweave._src.data.structural import ErrorMarker

        fn = self._fn
        for element in self._input._iterate_tolerant():
            if isinstance(element, ErrorMarker):
                yield element
                continue
            try:
                yield fn(element)
            except Exception as e:  # noqa: BLE001 - ignore_errors drops it
                yield ErrorMarker(e)

    def _batched_fn(self):
        spec = structure.batched_spec(self._input.element_spec, None)
        return self._fn.batched(spec)

    def _batches(self, batch_size, drop_remainder):
        fused = self._batched_fn()
        if fused is None:
            return None
        source = self._input._batches(batch_size, drop_remainder)
        if source is None:
            return None
        return (fused(b) for b in source)

    def _random_access(self):
        if self._fn.stateful:
            return None
        ra = self._input._random_access()
        if ra is None:
            return None
        n, gather = ra
        fused = self._batched_fn()
        fn = self._fn
        spec = self._element_spec
        if fused is not None:
            return n, lambda idx: fused(gather(idx))

        def per_element(idx):  # map each gathered row, then stack: still one gather per component
            batch = gather(idx)
            leaves = nest.flatten(batch)
            rows = [fn(structure.pack(self._input.element_spec, [t[i] for t in leaves]))
                    for i in range(len(idx))]
            return structure.pack(spec,
                                  [tf.stack(list(col)) for col in zip(*[nest.flatten(r) for r in rows])])
        if not all(hasattr(s, "shape") and type(s).__name__ == "TensorSpec" for s in nest.flatten(spec)):
            return None
        return n, per_element

    def _cardinality(self) -> int:
        return self._input._cardinality()
