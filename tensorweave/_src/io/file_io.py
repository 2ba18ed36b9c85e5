"""File ops usable inside traced functions: `tf.io.read_file`, `tf.io.write_file`,
`tf.io.matching_files`, and a small `tf.io.gfile` (exists, glob, makedirs, GFile, ...)."""

from __future__ import annotations

import glob as _glob
import os

import numpy as np

from tensorweave._src.api_export import PublicNamespace, tf_export
from tensorweave._src.core import backend, errors
from tensorweave._src.core import dtypes as _dt
from tensorweave._src.core.dispatch import bind
from tensorweave._src.core.primitive import AbstractValue, Primitive
from tensorweave._src.core.shape import TensorShape

tf = PublicNamespace()


def _text(value) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


read_file_p = Primitive("ReadFile", allowed={_dt.string}, stateful=True)


@read_file_p.def_kernel
def _read_file(filename):
    name = _text(filename[()] if filename.ndim == 0 else filename.reshape(-1)[0])
    try:
        with open(name, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        raise errors.op_error(errors.NotFoundError, "ReadFile",
                              f"{name}; No such file or directory") from None
    except IsADirectoryError:
        raise errors.op_error(errors.FailedPreconditionError, "ReadFile", f"{name}; Is a directory") from None
    out = np.empty((), dtype=object)
    out[()] = data
    return out


@read_file_p.def_abstract
def _read_file_rule(filename):
    return AbstractValue(_dt.string, TensorShape([]))


@tf_export("io.read_file")
def read_file(filename, name=None):
    """The contents of the file `filename` as a scalar string."""
    return bind(read_file_p, tf.convert_to_tensor(filename, dtype=tf.string))


write_file_p = Primitive("WriteFile", multiple_results=True, allowed={_dt.string}, stateful=True)


@write_file_p.def_kernel
def _write_file(filename, contents):
    name = _text(filename[()])
    d = os.path.dirname(name)
    if d:
        os.makedirs(d, exist_ok=True)
    with open(name, "wb") as f:
        f.write(contents[()])
    return ()


@write_file_p.def_abstract
def _write_file_rule(filename, contents):
    return ()


@tf_export("io.write_file")
def write_file(filename, contents, name=None):
    bind(write_file_p, tf.convert_to_tensor(filename, dtype=tf.string),
         tf.convert_to_tensor(contents, dtype=tf.string))


matching_files_p = Primitive("MatchingFiles", allowed={_dt.string}, stateful=True)


def match(patterns) -> list:
    out = []
    for p in patterns:
        out += sorted(_glob.glob(_text(p)))
    return out


@matching_files_p.def_kernel
def _matching_files(pattern):
    files = match(pattern.reshape(-1))
    arr = np.empty(len(files), dtype=object)
    arr[:] = [f.encode() for f in files]
    return backend.from_numpy(arr, _dt.string)


@matching_files_p.def_abstract
def _matching_files_rule(pattern):
    return AbstractValue(_dt.string, TensorShape([None]))


@tf_export("io.matching_files")
def matching_files(pattern, name=None):
    """The sorted file names matching glob `pattern` (a string or a vector of them)."""
    return bind(matching_files_p, tf.convert_to_tensor(pattern, dtype=tf.string))


# ---- tf.io.gfile ------------------------------------------------------------------------------------
@tf_export("io.gfile.exists")
def exists(path):
    return os.path.exists(_text(path))


@tf_export("io.gfile.glob")
def glob(pattern):
    return match(pattern if isinstance(pattern, (list, tuple)) else [pattern])


@tf_export("io.gfile.makedirs")
def makedirs(path):
    os.makedirs(_text(path), exist_ok=True)


@tf_export("io.gfile.mkdir")
def mkdir(path):
    os.mkdir(_text(path))


@tf_export("io.gfile.remove")
def remove(path):
    os.remove(_text(path))


@tf_export("io.gfile.isdir")
def isdir(path):
    return os.path.isdir(_text(path))


@tf_export("io.gfile.listdir")
def listdir(path):
    return os.listdir(_text(path))


@tf_export("io.gfile.GFile")
class GFile:
    """A Python file object (local files only)."""

    def __init__(self, name, mode="r"):
        self._f = open(_text(name), mode)

    def __getattr__(self, name):
        return getattr(self._f, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._f.close()

    def __iter__(self):
        return iter(self._f)
