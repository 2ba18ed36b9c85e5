"""`Dataset.cache(filename)`: the elements of the first complete pass, written to files that later
passes, and later datasets caching to the same filename, read instead of computing the input.

Files (our own format; TF's names): `FILENAME.data-00000-of-00001` is a TFRecord file of serialized
TensorProtos, the flattened components of every element in order (as in TF's cache, a flat stream:
a reader takes as many components per element as its own element_spec has); `FILENAME.index` holds
the component count and marks the cache complete (an empty dataset writes only the index). While a
pass writes, `FILENAME_0.lockfile` exists and the data goes to a temporary file; a pass that stops
early (or fails) removes both, and a second pass started meanwhile raises AlreadyExistsError, as TF.
"""

from __future__ import annotations

import os
import random
import time

from tensorweave._src.api_export import PublicNamespace
from tensorweave._src.data import structure
from tensorweave._src.util import nest

tf = PublicNamespace()

_FORMAT = "tensorweave-cache 1"


def _paths(filename: str) -> dict:
    return {"index": filename + ".index", "data": filename + ".data-00000-of-00001",
            "lock": filename + "_0.lockfile",
            "temp": f"{filename}_0.data-00000-of-00001.tempstate{random.getrandbits(63)}"}


def is_complete(filename: str) -> bool:
    return os.path.exists(filename + ".index")


# ---- components of elements ------------------------------------------------------------------------
def component_specs(spec) -> list:
    """The flat TensorSpecs of an element_spec (a SparseTensorSpec counts as its three components)."""
    out = []
    for s in nest.flatten(spec):
        out += list(s.component_specs) if hasattr(s, "component_specs") else [s]
    return out


def _components(element) -> list:
    out = []
    for t in nest.flatten(element):
        out += list(t._to_components()) if hasattr(t, "_to_components") else [t]
    return out


def _from_components(spec, components: list):
    leaves, i = [], 0
    for s in nest.flatten(spec):
        if hasattr(s, "component_specs"):
            k = len(s.component_specs)
            leaves.append(s.from_components(components[i:i + k]))
            i += k
        else:
            leaves.append(components[i])
            i += 1
    return structure.pack(spec, leaves)


# ---- reading ---------------------------------------------------------------------------------------
def read(filename: str, spec):
    """Yields the cached elements, checked against `spec` component by component as TF does."""
    from tensorweave._src.io.parsing_ops import _decode_tensor_proto
    from tensorweave._src.io.tfrecord import iter_records

    paths = _paths(filename)
    with open(paths["index"], encoding="utf-8") as f:
        count = int(f.read().split("\n")[1])
    if not count:
        return
    expected = component_specs(spec)
    pending: list = []
    for record in iter_records(paths["data"]):
        array, dtype = _decode_tensor_proto(record)
        _check(len(pending), expected[len(pending)], dtype, array.shape)
        pending.append(tf.constant(array, dtype=dtype))
        if len(pending) == len(expected):
            yield _from_components(spec, pending)
            pending = []


def _check(j: int, want, dtype, shape) -> None:
    if dtype != want.dtype:
        raise tf.errors.InvalidArgumentError(
            None, None, f"Data type mismatch at component {j}: expected {want.dtype.name} but got "
                        f"{dtype.name}.")
    if not want.shape.is_compatible_with(shape):
        raise tf.errors.InvalidArgumentError(
            None, None, f"Incompatible shapes at component {j}: expected {_shape_str(want.shape)} but got "
                        f"{_shape_str(tf.TensorShape(shape))}.")


def _shape_str(shape) -> str:
    if shape.rank is None:
        return "<unknown>"
    return "[" + ",".join("?" if d is None else str(d) for d in shape.as_list()) + "]"


# ---- writing ---------------------------------------------------------------------------------------
def _lock(path: str) -> None:
    try:
        with open(path, "x", encoding="utf-8") as f:
            f.write(f"Created at: {int(time.time())}")
    except FileExistsError:
        with open(path, encoding="utf-8") as f:
            contents = f.read()
        raise tf.errors.AlreadyExistsError(
            None, None, f"There appears to be a concurrent caching iterator running - cache lockfile already "
                        f"exists ('{path}'). If you are sure no other running TF computations are using this "
                        f"cache prefix, delete the lockfile and re-initialize the iterator. Lockfile "
                        f"contents: {contents}") from None
    except FileNotFoundError:
        raise tf.errors.NotFoundError(None, None, f"{path}; No such file or directory") from None


def write_through(filename: str, elements):
    """Yields `elements` while writing them; the cache is complete (renamed into place, index written)
    only when they are exhausted. Stopping early, or an error, discards what was written."""
    paths = _paths(filename)
    _lock(paths["lock"])
    writer = None
    complete = False
    try:
        writer = tf.io.TFRecordWriter(paths["temp"])
        count = 0
        for element in elements:
            for t in _components(element):
                writer.write(tf.io.serialize_tensor(t).numpy())
                count += 1
            yield element
        writer.close()
        if count:
            os.replace(paths["temp"], paths["data"])
        else:  # as TF: an empty cache is only its index
            os.remove(paths["temp"])
        with open(paths["index"] + ".tmp", "w", encoding="utf-8") as f:
            f.write(f"{_FORMAT}\n{count}\n")
        os.replace(paths["index"] + ".tmp", paths["index"])
        complete = True
    finally:
        if writer is not None:
            writer.close()
        for key in ("lock",) if complete else ("temp", "lock"):
            if os.path.exists(paths[key]):
                os.remove(paths[key])
