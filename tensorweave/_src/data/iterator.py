"""The Python iterator over a dataset (`iter(dataset)`): `next` gives the next element or raises
StopIteration; `get_next` raises OutOfRangeError at the end, as TF's iterator does."""

from __future__ import annotations

from tensorweave._src.api_export import PublicNamespace

tf = PublicNamespace()


class OwnedIterator:
    def __init__(self, dataset):
        self._dataset = dataset
        self._it = dataset._iterate()
        self.element_spec = dataset.element_spec

    def __iter__(self):
        return self

    def __next__(self):
        return next(self._it)

    def get_next(self):
        try:
            return next(self._it)
        except StopIteration:
            raise tf.errors.OutOfRangeError(None, None, "End of sequence") from None

    def get_next_as_optional(self):
        try:
            return next(self._it)
        except StopIteration:
            return None
