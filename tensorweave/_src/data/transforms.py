"""Element-wise and ordering transformations: filter, shuffle, repeat, take, skip, prefetch, cache
(map is in map_ops.py)."""

from __future__ import annotations

import queue
import random as _pyrandom
import threading

from tensorweave._src.api_export import PublicNamespace
from tensorweave._src.data.dataset_ops import INFINITE, UNKNOWN, DatasetV2
from tensorweave._src.data.structured_function import StructuredFunction

tf = PublicNamespace()


class FilterDataset(DatasetV2):
    def __init__(self, input_dataset, predicate):
        self._input = input_dataset
        self._fn = StructuredFunction(predicate, input_dataset.element_spec, name="filter_fn")
        spec = self._fn.output_spec
        if getattr(spec, "dtype", None) != tf.bool or spec.shape.rank not in (0, None):
            raise ValueError(f"Invalid `predicate`. `predicate` must return a `tf.bool` scalar tensor, but its "  # noqa: E501
                             f"return type was {spec}.")
        self._element_spec = input_dataset.element_spec

    def _iterate(self):
        for element in self._input._iterate():
            if bool(self._fn(element)):
                yield element

    def _iterate_tolerant(self):
        from tensorweave._src.data.structural import ErrorMarker

        for element in self._input._iterate_tolerant():
            if isinstance(element, ErrorMarker):
                yield element
                continue
            try:
                keep = bool(self._fn(element))
            except Exception as e:  # noqa: BLE001 - ignore_errors drops it
                yield ErrorMarker(e)
                continue
            if keep:
                yield element

    def _cardinality(self) -> int:
        n = self._input._cardinality()
        return INFINITE if n == INFINITE else UNKNOWN


class ShuffleDataset(DatasetV2):
    """TF's buffer semantics: fill `buffer_size` elements, then repeatedly emit a random buffer slot and
    refill it from the input; drain the buffer at the end."""

    def __init__(self, input_dataset, buffer_size, seed=None, reshuffle_each_iteration=None):
        self._input = input_dataset
        self._buffer_size = int(buffer_size)
        if self._buffer_size <= 0 and self._buffer_size != -1:
            raise ValueError(f"buffer_size must be greater than zero, got {buffer_size}")
        self._reshuffle = True if reshuffle_each_iteration is None else reshuffle_each_iteration
        self._seed_source = _seed_source(seed)
        self._fixed_seed = None if self._reshuffle else self._seed_source()
        self._element_spec = input_dataset.element_spec

    def _iterate(self):
        rng = _pyrandom.Random(self._fixed_seed if self._fixed_seed is not None else self._seed_source())
        buffer = []
        size = self._buffer_size
        for element in self._input._iterate():
            if len(buffer) < size or size == -1:  # -1 (AUTOTUNE-like): buffer everything
                buffer.append(element)
                continue
            i = rng.randrange(len(buffer))
            out, buffer[i] = buffer[i], element
            yield out
        while buffer:
            i = rng.randrange(len(buffer))
            buffer[i], buffer[-1] = buffer[-1], buffer[i]
            yield buffer.pop()

    def _index_order(self, n):
        """The order in which the buffer algorithm emits input positions 0..n-1."""
        rng = _pyrandom.Random(self._fixed_seed if self._fixed_seed is not None else self._seed_source())
        size = n if self._buffer_size == -1 else min(self._buffer_size, n)
        buffer = list(range(size))
        order = []
        randrange = rng.randrange
        for i in range(size, n):
            j = randrange(size)
            order.append(buffer[j])
            buffer[j] = i
        while buffer:
            j = randrange(len(buffer))
            buffer[j], buffer[-1] = buffer[-1], buffer[j]
            order.append(buffer.pop())
        return order

    def _batches(self, batch_size, drop_remainder):
        ra = self._input._random_access()
        if ra is None:
            return None
        n, gather = ra

        def gen():
            import numpy as np

            order = np.asarray(self._index_order(n), dtype=np.int64)
            stop = n - (n % batch_size if drop_remainder else 0)
            for start in range(0, stop, batch_size):
                yield gather(order[start:start + batch_size])
        return gen()

    def _cardinality(self) -> int:
        return self._input._cardinality()


def _seed_source(seed):
    """Per-iteration shuffle seeds from tf.random's rules: with a global or op seed the sequence of
    orders is fixed (different each epoch when reshuffling), otherwise nondeterministic."""
    global_seed, op_seed = tf.compat.v1.random.get_seed(seed)
    if global_seed is None and op_seed is None:
        return lambda: _pyrandom.getrandbits(63)
    sequence = _pyrandom.Random(hash((global_seed, op_seed)))
    return lambda: sequence.getrandbits(63)


class RepeatDataset(DatasetV2):
    def __init__(self, input_dataset, count=None):
        self._input = input_dataset
        self._count = -1 if count is None else int(count)
        self._element_spec = input_dataset.element_spec

    def _iterate(self):
        n = 0
        while self._count < 0 or n < self._count:
            any_element = False
            for element in self._input._iterate():
                any_element = True
                yield element
            n += 1
            if not any_element:
                return

    def _cardinality(self) -> int:
        n = self._input._cardinality()
        if self._count < 0:
            return 0 if n == 0 else INFINITE
        if n in (INFINITE, UNKNOWN):
            return n if self._count else 0
        return n * self._count


class TakeDataset(DatasetV2):
    def __init__(self, input_dataset, count):
        self._input = input_dataset
        self._count = int(count)
        self._element_spec = input_dataset.element_spec

    def _iterate(self):
        if self._count == 0:
            return
        for i, element in enumerate(self._input._iterate()):
            yield element
            if self._count >= 0 and i + 1 >= self._count:
                return

    def _cardinality(self) -> int:
        n = self._input._cardinality()
        if self._count < 0:
            return n
        if n == INFINITE:
            return self._count
        if n == UNKNOWN:
            return UNKNOWN
        return min(n, self._count)


class SkipDataset(DatasetV2):
    def __init__(self, input_dataset, count):
        self._input = input_dataset
        self._count = int(count)
        self._element_spec = input_dataset.element_spec

    def _iterate(self):
        for i, element in enumerate(self._input._iterate()):
            if self._count < 0 or i < self._count:
                continue
            yield element

    def _cardinality(self) -> int:
        n = self._input._cardinality()
        if n in (INFINITE, UNKNOWN):
            return n
        return 0 if self._count < 0 else max(0, n - self._count)


class PrefetchDataset(DatasetV2):
    """Produces elements ahead in a background thread (`buffer_size` of them; AUTOTUNE picks 2)."""

    def __init__(self, input_dataset, buffer_size):
        self._input = input_dataset
        self._buffer_size = 2 if buffer_size in (None, -1) else max(1, int(buffer_size))
        self._element_spec = input_dataset.element_spec

    def _iterate(self):
        q: queue.Queue = queue.Queue(maxsize=self._buffer_size)
        done = object()
        stop = threading.Event()

        def produce():
            try:
                for element in self._input._iterate():
                    while not stop.is_set():
                        try:
                            q.put(("ok", element), timeout=0.1)
                            break
                        except queue.Full:
                            continue
                    if stop.is_set():
                        return
                q.put(("ok", done))
            except BaseException as e:  # surfaced to the consumer with its traceback
                q.put(("error", e))

        thread = threading.Thread(target=produce, daemon=True)
        thread.start()
        try:
            while True:
                kind, item = q.get()
                if kind == "error":
                    raise item
                if item is done:
                    return
                yield item
        finally:
            stop.set()

    def _cardinality(self) -> int:
        return self._input._cardinality()


class CacheDataset(DatasetV2):
    """Caches the elements of the first complete pass: in memory, or with a filename in files that
    later passes and later datasets with the same filename read (cache_file.py)."""

    def __init__(self, input_dataset, filename=""):
        self._input = input_dataset
        self._cache: list | None = None
        if hasattr(filename, "numpy"):
            filename = filename.numpy()
        self._filename = filename.decode() if isinstance(filename, bytes) else str(filename)
        self._element_spec = input_dataset.element_spec

    def _iterate(self):
        if self._filename:
            yield from self._iterate_file()
            return
        if self._cache is not None:
            yield from self._cache
            return
        seen = []
        for element in self._input._iterate():
            seen.append(element)
            yield element
        self._cache = seen

    def _iterate_file(self):
        from tensorweave._src.data import cache_file

        if cache_file.is_complete(self._filename):
            yield from cache_file.read(self._filename, self._element_spec)
        else:
            yield from cache_file.write_through(self._filename, self._input._iterate())

    def _cardinality(self) -> int:
        return self._input._cardinality()
