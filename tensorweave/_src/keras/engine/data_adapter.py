"""Turns what `fit`/`evaluate`/`predict` accept (numpy arrays, tensors, nested structures of them,
`tf.data.Dataset`s, Python generators and iterators) into an epoch-by-epoch stream of
`(x, y, sample_weight)` batches, with Keras 2's checks (cardinality, class_weight, empty input) and
its step semantics (`steps_per_epoch` smaller than the data keeps one iterator across epochs; running
out of data stops training with a warning).
"""

from __future__ import annotations

import itertools
import math
import warnings

import numpy as np

from tensorweave._src.api_export import PublicNamespace, tf_export
from tensorweave._src.util import nest

tf = PublicNamespace()


@tf_export("keras.utils.unpack_x_y_sample_weight")
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


@tf_export("keras.utils.pack_x_y_sample_weight")
def pack_x_y_sample_weight(x, y=None, sample_weight=None):
    """Keras's packing: x alone (unless it is a tuple), `(x, y)` or `(x, y, sample_weight)`."""
    if y is None:
        return (x,) if isinstance(x, tuple) else x
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)


def _pack(x, y=None, sample_weight=None) -> tuple:
    if y is None:
        return (x,)
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)


def _is_dataset(x) -> bool:
    return hasattr(x, "element_spec") and hasattr(x, "__iter__")


def _is_generator(x) -> bool:
    if x is None or isinstance(x, (np.ndarray, list, tuple, dict, str, bytes)) or hasattr(x, "shape"):
        return False
    return hasattr(x, "__next__") or hasattr(x, "__iter__")


def is_dataset_or_generator(x) -> bool:
    return _is_dataset(x) or _is_generator(x)


def _as_array(a):
    if a is None:
        return None
    if isinstance(a, np.ndarray):
        return a
    if hasattr(a, "numpy"):
        return np.asarray(a.numpy())
    if isinstance(a, (list, float, int)):
        return np.asarray(a)
    return np.asarray(a)


def _to_arrays(structure):
    """numpy arrays for every leaf; lists of arrays stay lists (several inputs), as Keras treats them."""
    if structure is None:
        return None
    return nest.map_structure(_as_array, structure)


def _check_data_cardinality(data: tuple) -> None:
    sizes = {int(np.shape(a)[0]) for a in nest.flatten(data) if a is not None}
    if len(sizes) > 1:
        msg = "Data cardinality is ambiguous:\n"
        for label, single in zip(["x", "y", "sample_weight"], data):
            msg += f"  {label} sizes: {', '.join(str(np.shape(a)[0]) for a in nest.flatten(single))}\n"
        msg += "Make sure all arrays contain the same number of samples."
        raise ValueError(msg)


class DataHandler:
    """Epoch/step iteration over the data of one `fit`/`evaluate`/`predict` call."""

    def __init__(self, x, y=None, sample_weight=None, batch_size=None, steps_per_epoch=None, initial_epoch=0,
                 epochs=1, shuffle=False, class_weight=None, model=None, predict=False):
        self._epochs = epochs
        self._initial_epoch = initial_epoch
        self._steps_per_epoch = steps_per_epoch
        self._class_weight = class_weight
        self._dataset = None
        self._iterator = None  # kept across epochs when steps_per_epoch cuts the data
        self._arrays = None
        self.ran_out = False
        if class_weight:
            _check_class_weight(class_weight, model)
        if _is_dataset(x):
            if y is not None:
                raise ValueError("`y` argument is not supported when using dataset as input.")
            if sample_weight is not None:
                raise ValueError("`sample_weight` argument is not supported when using dataset as input.")
            self._dataset = x
            card = _cardinality(x)
            if card == 0:
                raise ValueError("Expected input data to be non-empty.")
            if steps_per_epoch is None and card is not None and card < 0:
                raise ValueError("When passing an infinitely repeating dataset, please specify a "
                                 "`steps_per_epoch` value so that epoch level callbacks continue to "
                                 "work. The "
                                 "value can be arbitrary, or a number that you think correctly defines "
                                 "the size "
                                 "of an epoch. Epoch-level callbacks will then be called at this interval.")
            self._recreate = steps_per_epoch is None or (card is not None and card == steps_per_epoch)
            self._inferred_steps = steps_per_epoch if steps_per_epoch is not None else card
        elif _is_generator(x):
            if y is not None:
                raise ValueError("`y` argument is not supported when using python generator as input.")
            if sample_weight is not None:
                raise ValueError("`sample_weight` argument is not supported when using python generator as "
                                 "input.")
            self._iterator = _build_on_first_batch(iter(x), model)
            self._recreate = False
            self._inferred_steps = steps_per_epoch
        else:
            if x is None:
                self._arrays = None
                self._inferred_steps = 0
                self._recreate = True
                return
            x, y, sw = _to_arrays(x), _to_arrays(y), _to_arrays(sample_weight)
            data = _pack(x, y, sw)
            _check_data_cardinality(data)
            n = int(np.shape(nest.flatten(x)[0])[0])
            if n == 0 and predict:
                raise ValueError("Expected input data to be non-empty.")
            self._arrays = (x, y, sw)
            self._n = n
            self._batch_size = batch_size or 32
            self._shuffle = shuffle
            full = math.ceil(n / self._batch_size) if n else 0
            self._full_steps = full
            self._recreate = steps_per_epoch is None or steps_per_epoch == full
            self._inferred_steps = steps_per_epoch if steps_per_epoch is not None else full

    @property
    def inferred_steps(self):
        return self._inferred_steps

    def enumerate_epochs(self):
        for epoch in range(self._initial_epoch, self._epochs):
            if self.ran_out:
                break
            yield epoch, self._epoch_steps()

    # ---- batches -----------------------------------------------------------------------------------
    def _fresh_iterator(self):
        if self._arrays is not None:
            return self._array_batches()
        if self._dataset is not None:
            return iter(self._dataset)
        return iter(())

    def _epoch_steps(self):
        if self._dataset is not None or self._arrays is not None:
            if self._recreate or self._iterator is None:
                self._iterator = self._fresh_iterator()
        elif self._iterator is None:
            self._iterator = iter(())
        steps = self._inferred_steps
        step = 0
        while steps is None or step < steps:
            try:
                batch = next(self._iterator)
            except StopIteration:
                if steps is not None or step == 0:
                    self._out_of_data(steps)
                else:  # an unknown-length dataset or generator: its first epoch tells the step count
                    self._inferred_steps = step
                    if self._dataset is None:
                        self._iterator = iter(())
                return
            yield step, self._prepare(batch)
            step += 1

    def batch_spec(self, batch):
        """The TensorSpecs Keras's step functions are traced for: they run on the iterator of a dataset, so
        they see its element spec (batch dimension unknown unless the dataset fixes it, as
        `batch(..., drop_remainder=True)` does); arrays are batched by a dataset whose batch dimension is
        known when all batches are full; generators give unknown dimensions. None when a leaf is not a
        dense tensor."""
        leaves = nest.flatten(batch)
        if not all(leaf is None or type(leaf).__name__ == "EagerTensor" for leaf in leaves):
            return None
        dims = [None if leaf is None else leaf.shape.as_list() for leaf in leaves]
        dataset_shapes = self._dataset_shapes(len(leaves))
        if dataset_shapes is not None:
            dims = [None if d is None else s for d, s in zip(dims, dataset_shapes)]
        elif self._arrays is None:  # a generator
            dims = [None if d is None else [None] * len(d) for d in dims]
        else:
            full = self._n >= self._batch_size and self._n % self._batch_size == 0
            dims = [None if d is None else [self._batch_size if full else None] + d[1:] for d in dims]
        specs = [None if leaf is None else tf.TensorSpec(d, leaf.dtype) for leaf, d in zip(leaves, dims)]
        return nest.pack_sequence_as(batch, specs)

    def _dataset_shapes(self, n: int):
        """The shapes of the dataset's elements, when they map one to one on the batch's leaves."""
        if self._dataset is None or self._class_weight:
            return None
        specs = nest.flatten(self._dataset.element_spec)
        if len(specs) != n or not all(type(s).__name__ == "TensorSpec" for s in specs):
            return None
        return [s.shape.as_list() if s.shape.rank is not None else None for s in specs]

    def _out_of_data(self, steps) -> None:
        warnings.warn(f"Your input ran out of data; interrupting training. Make sure that your dataset or "
                      f"generator can generate at least `steps_per_epoch * epochs` batches (in this case, "
                      f"{(steps or 0) * self._epochs} batches). You may need to use the repeat() "
                      f"function when "
                      f"building your dataset.", stacklevel=4)
        self.ran_out = True

    def _prepare(self, batch):
        if not isinstance(batch, tuple) and isinstance(batch, list):
            batch = tuple(batch)
        if not isinstance(batch, tuple):
            batch = (batch,)
        batch = nest.map_structure(_as_tensor_leaf, batch)
        if self._class_weight:
            batch = _apply_class_weight(batch, self._class_weight)
        return batch

    def _array_batches(self):
        x, y, sw = self._arrays
        index = np.random.permutation(self._n) if self._shuffle else np.arange(self._n)
        bs = self._batch_size
        for _ in range(1 if self._recreate else max(1, self._epochs)):
            for start in range(0, self._n, bs):
                chunk = index[start:start + bs]

                def take(a, chunk=chunk):
                    return None if a is None else tf.convert_to_tensor(a[chunk])

                yield _pack(nest.map_structure(take, x), None if y is None else nest.map_structure(take, y),
                            None if sw is None else take(sw))
            if self._shuffle:
                index = np.random.permutation(self._n)


def _build_on_first_batch(iterator, model):
    """As Keras: a model not built yet is built on a generator's first batch (eagerly), since the step
    functions see a generator's batches with every dimension unknown. Returns the whole iterator again."""
    try:
        first = next(iterator)
    except StopIteration:
        return iter(())
    if model is not None and not model.built:
        x, _, _ = unpack_x_y_sample_weight(first if isinstance(first, tuple) else (first,))
        try:
            model(x, training=False)
        except NotImplementedError:  # a container model without its own forward pass
            pass
    return itertools.chain([first], iterator)


def _as_tensor_leaf(a):
    if a is None or hasattr(a, "_as_tensor") or type(a).__name__ in ("EagerTensor",):
        return a
    if isinstance(a, (np.ndarray, np.generic, float, int, list)):
        return tf.convert_to_tensor(a)
    return a


def _cardinality(dataset):
    card = getattr(dataset, "cardinality", None)
    if card is None:
        return None
    value = int(np.asarray(card()))
    if value == -2:  # unknown
        return None
    return value  # -1: infinite


def _check_class_weight(class_weight, model) -> None:
    outputs = getattr(model, "outputs", None)
    if outputs is not None and len(nest.flatten(outputs)) > 1:
        raise ValueError("`class_weight` is only supported for Models with a single output.")
    keys = sorted(class_weight)
    if keys != list(range(len(keys))):
        raise ValueError(f"Expected `class_weight` to be a dict with keys from 0 to one less than the "
                         f"number of "
                         f"classes, found {class_weight}")


def _apply_class_weight(batch, class_weight):
    x, y, sw = unpack_x_y_sample_weight(batch)
    if y is None:
        return batch
    if nest.is_nested(y):
        raise ValueError("`class_weight` is only supported for Models with a single output.")
    table = tf.constant([class_weight[i] for i in range(len(class_weight))], dtype="float32")
    rank = y.shape.rank
    if rank is not None and rank > 2:
        raise ValueError("`class_weight` not supported for 3+ dimensional targets.")
    if rank == 2 and y.shape[1] is not None and y.shape[1] > 1:
        classes = tf.argmax(y, axis=1)
    else:
        classes = tf.cast(tf.reshape(y, (-1,)), "int64")
    cw = tf.gather(table, classes)
    if sw is not None:
        cw = tf.cast(cw, sw.dtype)
        if sw.shape.rank == 1 and cw.shape.rank == 1:
            sw = sw * cw
        else:
            sw = tf.reshape(sw, (-1,)) * cw if sw.shape.rank == 2 and sw.shape[1] == 1 else sw * cw
    else:
        sw = cw
    return (x, y, sw)


def single_batch(x, y=None, sample_weight=None, class_weight=None) -> tuple:
    """One batch for `train_on_batch` / `test_on_batch` / `predict_on_batch`."""
    def conv(a):
        return None if a is None else nest.map_structure(_as_tensor_leaf, _to_arrays(a) if not hasattr(
            a, "dtype") or isinstance(a, np.ndarray) else a)

    x, y, sample_weight = conv(x), conv(y), conv(sample_weight)
    _check_data_cardinality(_pack(x, y, sample_weight))
    batch = _pack(x, y, sample_weight)
    if class_weight:
        batch = _apply_class_weight(batch, class_weight)
    return batch


def train_validation_split(arrays, validation_split: float):
    """Splits numpy structures, keeping the last `validation_split` fraction for validation (as Keras)."""
    flat = [a for a in nest.flatten(arrays) if a is not None]
    n = int(np.shape(flat[0])[0])
    split = int(math.floor(n * (1.0 - validation_split)))
    if split == 0 or split == n:
        raise ValueError(f"Training data contains {n} samples, which is not sufficient to split it into a "
                         f"validation and training set as specified by "
                         f"`validation_split={validation_split}`. "
                         f"Either provide more data, or a different value for the `validation_split` "
                         f"argument.")
    train = nest.map_structure(lambda a: None if a is None else _as_array(a)[:split], arrays)
    val = nest.map_structure(lambda a: None if a is None else _as_array(a)[split:], arrays)
    return train, val
