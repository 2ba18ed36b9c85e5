"""Turns what `fit`/`evaluate`/`predict` accept (numpy arrays, tensors, nested structures of them,
`tf.data.Dataset`s, Python generators) into an epoch-by-epoch stream of `(x, y, sample_weight)` batches.
"""

from __future__ import annotations

import math

import numpy as np

from tensorweave._src.api_export import PublicNamespace
from tensorweave._src.util import nest

tf = PublicNamespace()


def unpack_x_y_sample_weight(data):
    """`(x,)`, `(x, y)` or `(x, y, sample_weight)` -> the three (missing ones None)."""
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if len(data) == 1:
        return data[0], None, None
    if len(data) == 2:
        return data[0], data[1], None
    if len(data) == 3:
        return data
    raise ValueError(f"Data is expected to be in format `x`, `(x,)`, `(x, y)`, or `(x, y, sample_weight)`, "
                     f"found: {data}")


def pack_x_y_sample_weight(x, y=None, sample_weight=None):
    if y is None:
        return (x,) if not isinstance(x, tuple) else (x,)
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)


def _is_dataset(x) -> bool:
    return hasattr(x, "element_spec") and hasattr(x, "__iter__")


def _is_generator(x) -> bool:
    return hasattr(x, "__next__") or (hasattr(x, "__iter__") and not isinstance(
        x, (np.ndarray, list, tuple, dict)) and not hasattr(x, "shape"))


def _num_samples(structure) -> int:
    sizes = {int(np.shape(a)[0]) for a in nest.flatten(structure) if a is not None}
    if len(sizes) > 1:
        raise ValueError(f"Data cardinality is ambiguous:\n  x sizes: ...\nMake sure all arrays contain the "
                         f"same number of samples. Received sizes: {sorted(sizes)}")
    return sizes.pop() if sizes else 0


def _as_array(a):
    if a is None:
        return None
    if hasattr(a, "numpy") and not isinstance(a, np.ndarray):
        return a.numpy()
    return np.asarray(a) if not isinstance(a, np.ndarray) else a


class DataHandler:
    """Epoch/step iteration over the data of one `fit`/`evaluate`/`predict` call."""

    def __init__(self, x, y=None, sample_weight=None, batch_size=None, steps_per_epoch=None, initial_epoch=0,
                 epochs=1, shuffle=False, class_weight=None, model=None):
        self._epochs = epochs
        self._initial_epoch = initial_epoch
        self._class_weight = class_weight
        self._steps_per_epoch = steps_per_epoch
        self._dataset = None
        self._generator = None
        if _is_dataset(x):
            if y is not None:
                raise ValueError("`y` argument is not supported when using dataset as input.")
            self._dataset = x
            self._inferred_steps = steps_per_epoch if steps_per_epoch is not None else _cardinality(x)
            self._arrays = None
        elif _is_generator(x):
            self._generator = x
            self._inferred_steps = steps_per_epoch
            self._arrays = None
        else:
            x = nest.map_structure(_as_array, x)
            y = nest.map_structure(_as_array, y) if y is not None else None
            sw = _as_array(sample_weight)
            n = _num_samples([x] + ([y] if y is not None else []) + ([sw] if sw is not None else []))
            _check_lengths(x, y, sw)
            self._arrays = (x, y, sw)
            self._n = n
            self._batch_size = batch_size or 32
            self._shuffle = shuffle
            self._inferred_steps = steps_per_epoch or max(1, math.ceil(n / self._batch_size)) if n else 0

    @property
    def inferred_steps(self):
        return self._inferred_steps

    def enumerate_epochs(self):
        for epoch in range(self._initial_epoch, self._epochs):
            yield epoch, self._epoch_batches()

    def _epoch_batches(self):
        if self._arrays is not None:
            return self._array_batches()
        if self._dataset is not None:
            return self._limited(iter(self._dataset))
        return self._limited(self._generator)

    def _limited(self, iterator):
        steps = self._steps_per_epoch
        for i, batch in enumerate(iterator):
            if steps is not None and i >= steps:
                break
            yield self._with_class_weight(batch)

    def _array_batches(self):
        x, y, sw = self._arrays
        index = np.random.permutation(self._n) if self._shuffle else np.arange(self._n)
        steps = self._inferred_steps
        for step in range(steps):
            chunk = index[step * self._batch_size:(step + 1) * self._batch_size]
            if len(chunk) == 0:
                break
            take = (lambda a: tf.convert_to_tensor(a[chunk]) if a is not None else None)
            batch = pack_x_y_sample_weight(nest.map_structure(take, x),
                                           None if y is None else nest.map_structure(take, y),
                                           take(sw) if sw is not None else None)
            yield self._with_class_weight(batch)

    def _with_class_weight(self, batch):
        if not self._class_weight:
            return batch
        x, y, sw = unpack_x_y_sample_weight(batch)
        labels = np.asarray(y)
        if labels.ndim > 1 and labels.shape[-1] > 1:
            labels = labels.argmax(axis=-1)
        labels = labels.reshape(-1)
        weights = np.array([self._class_weight.get(int(c), 1.0) for c in labels], dtype=np.float32)
        if sw is not None:
            weights = weights * np.asarray(sw).reshape(-1)
        return x, y, tf.convert_to_tensor(weights)


def _cardinality(dataset):
    card = getattr(dataset, "cardinality", None)
    if card is None:
        return None
    value = int(card())
    return value if value >= 0 else None


def _check_lengths(x, y, sw) -> None:
    xs = {int(np.shape(a)[0]) for a in nest.flatten(x)}
    ys = {int(np.shape(a)[0]) for a in nest.flatten(y)} if y is not None else set()
    if y is not None and xs and ys and xs != ys:
        raise ValueError(f"Data cardinality is ambiguous:\n  x sizes: {', '.join(map(str, sorted(xs)))}\n  "
                         f"y sizes: {', '.join(map(str, sorted(ys)))}\nMake sure all arrays contain the same "
                         f"number of samples.")
    if sw is not None and int(np.shape(sw)[0]) not in xs:
        raise ValueError(f"Data cardinality is ambiguous: x sizes {sorted(xs)}, sample_weight size "
                         f"{np.shape(sw)[0]}. Make sure all arrays contain the same number of samples.")


def train_validation_split(arrays, validation_split: float):
    """Splits numpy structures, keeping the last `validation_split` fraction for validation (as Keras)."""
    flat = [a for a in nest.flatten(arrays) if a is not None]
    n = int(np.shape(flat[0])[0])
    split = int(math.floor(n * (1.0 - validation_split)))
    if split == 0 or split == n:
        raise ValueError(f"Training data contains {n} samples, which is not sufficient to split it into a "
                         f"validation and training set as specified by `validation_split={validation_split}`. "
                         f"Either provide more data, or a different value for the `validation_split` argument.")
    train = nest.map_structure(lambda a: None if a is None else _as_array(a)[:split], arrays)
    val = nest.map_structure(lambda a: None if a is None else _as_array(a)[split:], arrays)
    return train, val
