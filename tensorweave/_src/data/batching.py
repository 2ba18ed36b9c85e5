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
        static = self._batch_size if self._drop else None
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
                        f"{columns[0][0].shape} and element had shape {columns[0][-1].shape}. ({e})") from None  # noqa: E501
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




def _as_shape_list(shape):
    if hasattr(shape, "numpy"):
        shape = shape.numpy().tolist()
    return tf.TensorShape(shape).as_list() if shape is not None else None


class PaddedBatchDataset(DatasetV2):
    """Batches elements padded (at the end of each dimension) to `padded_shapes`, whose unknown dims
    pad to the longest element of the batch."""

    def __init__(self, input_dataset, batch_size, padded_shapes=None, padding_values=None,
                 drop_remainder=False):
        self._input = input_dataset
        self._batch_size = int(batch_size)
        if self._batch_size <= 0:
            raise tf.errors.InvalidArgumentError(None, None, f"Batch size must be greater than zero, got "
                                                             f"{self._batch_size}.")
        self._drop = bool(drop_remainder)
        spec = input_dataset.element_spec
        flat_specs = nest.flatten(spec)
        if padded_shapes is None:
            shapes = [s.shape.as_list() if s.shape.rank is not None else None for s in flat_specs]
            if any(sh is None for sh in shapes):
                raise ValueError("You must provide `padded_shapes` argument because component 0 has unknown "
                                 "rank.")
        else:
            if nest.is_nested(spec):
                shapes = [_as_shape_list(s) for s in _flatten_shapes(spec, padded_shapes)]
            else:
                shapes = [_as_shape_list(padded_shapes)]
        for s, sh in zip(flat_specs, shapes):
            if s.shape.rank is not None and len(sh) != s.shape.rank:
                raise ValueError(f"The padded shape {tf.TensorShape(sh)} is not compatible with the shape "
                                 f"{s.shape} of the corresponding input component.")
        self._shapes = shapes
        if padding_values is None:
            pads = [None] * len(flat_specs)
        elif nest.is_nested(spec):
            pads = _flatten_shapes(spec, padding_values)
        else:
            pads = [padding_values]
        self._pads = []
        for s, p in zip(flat_specs, pads):
            if p is None:
                p = b"" if s.dtype == tf.string else 0
            p = tf.convert_to_tensor(p, dtype=s.dtype) if not hasattr(p, "dtype") else p
            if p.dtype != s.dtype:
                raise TypeError(f"Padding value {p} has dtype {p.dtype.name}, but the component has dtype "
                                f"{s.dtype.name}.")
            self._pads.append(p)
        static = self._batch_size if self._drop else None
        out = [tf.TensorSpec([static] + [d if d is not None and d >= 0 else None for d in sh], s.dtype)
               for s, sh in zip(flat_specs, shapes)]
        self._element_spec = structure.pack(spec, out)

    def _iterate(self):
        spec = self._input.element_spec
        pending = []
        for element in self._input._iterate():
            pending.append(nest.flatten(element))
            if len(pending) == self._batch_size:
                yield self._pad_stack(spec, pending)
                pending = []
        if pending and not self._drop:
            yield self._pad_stack(spec, pending)

    def _pad_stack(self, spec, rows):
        leaves = []
        for c, column in enumerate(zip(*rows)):
            target = list(self._shapes[c])
            for d in range(len(target)):
                longest = max(int(t.shape[d]) for t in column)
                if target[d] is None or target[d] == -1:
                    target[d] = longest
                elif longest > target[d]:
                    raise tf.errors.InvalidArgumentError(
                        None, None, "Attempted to pad to a smaller size than the input element.")
            padded = []
            for t in column:
                extra = [[0, target[d] - int(t.shape[d])] for d in range(len(target))]
                padded.append(t if not any(e[1] for e in extra) else
                              tf.pad(t, extra, constant_values=self._pads[c]))
            leaves.append(tf.stack(padded))
        return structure.pack(spec, leaves)

    def _cardinality(self) -> int:
        n = self._input._cardinality()
        if n in (INFINITE, UNKNOWN):
            return n
        return n // self._batch_size if self._drop else -(-n // self._batch_size)


def _flatten_shapes(spec, shapes):
    """Leaves of `shapes` matched against `spec`'s structure (a shape is a list, not a structure)."""
    if isinstance(spec, dict):
        return [x for k in sorted(spec) for x in _flatten_shapes(spec[k], shapes[k])]
    if isinstance(spec, (tuple, list)):
        return [x for s, v in zip(spec, shapes) for x in _flatten_shapes(s, v)]
    return [shapes]


class RebatchDataset(DatasetV2):
    """Re-slices batches into batches of `batch_size` (as unbatch().batch(batch_size))."""

    def __init__(self, input_dataset, batch_size, drop_remainder=False):
        self._input = input_dataset
        self._batch_size = int(batch_size)
        if self._batch_size <= 0:
            raise tf.errors.InvalidArgumentError(None, None, "batch_size must be greater than zero.")
        self._drop = bool(drop_remainder)
        spec = input_dataset.element_spec
        dims = [s.shape[0] if s.shape.rank else None for s in nest.flatten(spec)]
        static = self._batch_size if self._drop or (dims and all(d is not None and d % self._batch_size == 0
                                                                   for d in dims)) else None
        self._element_spec = structure.batched_spec(structure.unbatched_spec(spec), static)

    def _iterate(self):
        spec = self._input.element_spec
        pending = None  # flat leaves of the rows not yet emitted
        for element in self._input._iterate():
            leaves = nest.flatten(element)
            pending = leaves if pending is None else [tf.concat([p, x], 0) for p, x in zip(pending, leaves)]
            while int(pending[0].shape[0]) >= self._batch_size:
                yield structure.pack(spec, [p[:self._batch_size] for p in pending])
                pending = [p[self._batch_size:] for p in pending]
        if pending is not None and int(pending[0].shape[0]) and not self._drop:
            yield structure.pack(spec, pending)

    def _cardinality(self) -> int:
        return UNKNOWN if self._input._cardinality() != INFINITE else INFINITE
