"""zip and concatenate."""

from __future__ import annotations

from tensorweave._src.data import structure
from tensorweave._src.data.dataset_ops import INFINITE, UNKNOWN, DatasetV2
from tensorweave._src.util import nest


class ZipDataset(DatasetV2):
    def __init__(self, datasets):
        for d in nest.flatten(datasets):
            if not isinstance(d, DatasetV2):
                raise TypeError(f"Invalid `datasets`. `datasets` is expected to be a (nested) structure of "
                                f"`tf.data.Dataset` objects. Python `list` is not supported and you should use "  # noqa: E501
                                f"`tuple` instead. Received: {d!r}")
        self._datasets = datasets
        self._element_spec = nest.map_structure(lambda d: d.element_spec, datasets)

    def _iterate(self):
        flat = nest.flatten(self._datasets)
        iterators = [d._iterate() for d in flat]
        while True:
            items = []
            for it in iterators:
                try:
                    items.append(next(it))
                except StopIteration:
                    return
            yield nest.pack_sequence_as(self._datasets, items)

    def _cardinality(self) -> int:
        ns = [d._cardinality() for d in nest.flatten(self._datasets)]
        finite = [n for n in ns if n >= 0]
        if finite:
            return min(finite)
        return UNKNOWN if UNKNOWN in ns else INFINITE


class ConcatenateDataset(DatasetV2):
    def __init__(self, first, second):
        self._first, self._second = first, second
        try:
            self._element_spec = structure.most_specific_common(first.element_spec, second.element_spec)
        except (TypeError, ValueError) as e:
            raise TypeError(f"Incompatible dataset elements:\n  {first.element_spec} vs. \n  "
                            f"{second.element_spec}") from e

    def _iterate(self):
        yield from self._first._iterate()
        yield from self._second._iterate()

    def _cardinality(self) -> int:
        a, b = self._first._cardinality(), self._second._cardinality()
        if INFINITE in (a, b):
            return INFINITE
        if UNKNOWN in (a, b):
            return UNKNOWN
        return a + b
