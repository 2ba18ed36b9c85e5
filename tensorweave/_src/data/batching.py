"""batch, unbatch and padded_batch."""

from __future__ import annotations

from tensorweave._src.api_export import PublicNamespace
from tensorweave._src.data import structure
from tensorweave._src.data.dataset_ops import INFINITE, UNKNOWN, DatasetV2
from tensorweave._src.util import nest

tf = PublicNamespace()


class BatchDataset(DatasetV2):
    """Stacks `batch_size` consecutive elements per component with one kernel call."""

    def __init__(self, input_dataset, batch_size, drop_remainder=False):
        self._input = input_dataset
        self._batch_size = int(batch_size)
        if self._batch_size <= 0:
            raise tf.errors.InvalidArgumentError(None, None, f"Batch size must be greater than zero, got "
                                                             f"{self._batch_size}.")
        self._drop = bool(drop_remainder)
        n = input_dataset._cardinality()
        static = self._batch_size if self._drop or (n >= 0 and n % self._batch_size == 0 and False) else None
        self._element_spec = structure.batched_spec(input_dataset.element_spec, static)

    def _iterate(self):
        fast = self._input._batches(self._batch_size, self._drop)
        if fast is not None:
            yield from fast
            return
        spec = self._input.element_spec
        pending = []
        for element in self._input._iterate():
            pending.append(nest.flatten(element))
            if len(pending) == self._batch_size:
                yield _stack(spec, pending)
                pending = []
        if pending and not self._drop:
            yield _stack(spec, pending)

    def _cardinality(self) -> int:
        n = self._input._cardinality()
        if n in (INFINITE, UNKNOWN):
            return n
        return n // self._batch_size if self._drop else -(-n // self._batch_size)


def _stack(spec, rows):
    columns = list(zip(*rows))
    try:
        leaves = [tf.stack(list(column)) for column in columns]
    except tf.errors.InvalidArgumentError as e:
        raise tf.errors.InvalidArgumentError(
            None, None, f"Cannot batch tensors with different shapes in component 0. First element had shape "
                        f"{columns[0][0].shape} and element had shape {columns[0][-1].shape}. ({e})") from None
    return structure.pack(spec, leaves)


class UnbatchDataset(DatasetV2):
    def __init__(self, input_dataset):
        self._input = input_dataset
        self._element_spec = structure.unbatched_spec(input_dataset.element_spec)

    def _iterate(self):
        spec = self._element_spec
        for element in self._input._iterate():
            leaves = nest.flatten(element)
            n = leaves[0].shape[0]
            parts = [tf.unstack(t) for t in leaves]
            for i in range(n):
                yield structure.pack(spec, [p[i] for p in parts])

    def _cardinality(self) -> int:
        n = self._input._cardinality()
        return INFINITE if n == INFINITE else UNKNOWN


