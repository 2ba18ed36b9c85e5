"""`tf.keras.datasets.{mnist, fashion_mnist, cifar10, cifar100}.load_data()`: the published files, read
from Keras's cache (`~/.keras/datasets`, or `$KERAS_HOME/datasets`), downloaded when missing and online.

Formats: mnist.npz (x_train, y_train, x_test, y_test); Fashion-MNIST's gzipped IDX files; CIFAR's
python pickles in cifar-10-batches-py / cifar-100-python (from their .tar.gz archives, which Keras caches
as cifar-10-batches-py.tar.gz / cifar-100-python.tar.gz). Unlike Keras, the archives' sha256 is not
checked and any number of images is read, so small made-up files in these formats work too.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import pickle
import tarfile
import types
import urllib.error
import urllib.parse
import urllib.request
import zipfile

import numpy as np

from tensorweave._src.api_export import export

_KERAS_BASE = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"


def _keras_dir(cache_dir=None) -> str:
    """Keras's cache root: `cache_dir`, else `$KERAS_HOME`, else `~/.keras`."""
    if cache_dir:
        return os.path.expanduser(cache_dir)
    return os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")


def _hash_matches(path: str, file_hash: str, algorithm: str) -> bool:
    if algorithm == "sha256" or (algorithm == "auto" and len(file_hash) == 64):
        hasher = hashlib.sha256()
    else:
        hasher = hashlib.md5()  # noqa: S324 - Keras's md5 option
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            hasher.update(chunk)
    return hasher.hexdigest() == str(file_hash)


def _extract_archive(path: str, directory: str, archive_format="auto") -> bool:
    """Extracts a tar or zip archive into `directory` (Keras's `archive_format`: 'auto', 'tar', 'zip', a
    list of them, or None); whether it was one of those."""
    if archive_format is None:
        return False
    formats = ["tar", "zip"] if archive_format == "auto" else (
        [archive_format] if isinstance(archive_format, str) else list(archive_format))
    for fmt in formats:
        if fmt == "tar" and tarfile.is_tarfile(path):
            with tarfile.open(path) as tar:
                tar.extractall(directory, filter="data")
            return True
        if fmt == "zip" and zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                archive.extractall(directory)
            return True
    return False


def _download(origin: str, path: str) -> None:
    try:
        with urllib.request.urlopen(origin, timeout=60) as response, open(path + ".part", "wb") as out:
            while True:
                chunk = response.read(1 << 20)
                if not chunk:
                    break
                out.write(chunk)
    except (urllib.error.URLError, OSError) as e:
        if os.path.exists(path + ".part"):
            os.remove(path + ".part")
        raise Exception(f"URL fetch failure on {origin}: {e}. The dataset is not in the cache ({path}) and "
                        f"could not be downloaded: this machine seems to be offline. Copy the file there to "
                        f"use it offline.") from None
    os.replace(path + ".part", path)


def get_file(fname=None, origin=None, untar=False, md5_hash=None, file_hash=None, cache_subdir="datasets",
             hash_algorithm="auto", extract=False, archive_format="auto", cache_dir=None) -> str:
    """The cached file `fname` (under `cache_dir`/`cache_subdir`), downloaded from `origin` first if it is
    missing or does not match `file_hash`; `untar` / `extract` unpack it next to it, as Keras 2's."""
    if origin is None:
        raise ValueError('Please specify the "origin" argument (URL of the file to download).')
    if md5_hash is not None and file_hash is None:
        file_hash, hash_algorithm = md5_hash, "md5"
    directory = os.path.join(_keras_dir(cache_dir), cache_subdir)
    os.makedirs(directory, exist_ok=True)
    fname = os.fspath(fname) if fname else os.path.basename(urllib.parse.urlsplit(origin).path)
    if not fname:
        raise ValueError(f"Can't parse the file name from the origin provided: '{origin}'.Please specify the "
                         f"`fname` as the input param.")
    if untar:
        if fname.endswith(".tar.gz"):
            fname = fname[: -len(".tar.gz")]
        untar_path = os.path.join(directory, fname)
        path = untar_path + ".tar.gz"
    else:
        path = os.path.join(directory, fname)
    download = not os.path.exists(path)
    if not download and file_hash is not None and not _hash_matches(path, file_hash, hash_algorithm):
        print(f"A local file was found, but it seems to be incomplete or outdated because the "
              f"{hash_algorithm} file hash does not match the original value of {file_hash} so we will "
              f"re-download the data.")
        download = True
    if download:
        _download(origin, path)
        if file_hash is not None and not _hash_matches(path, file_hash, hash_algorithm):
            raise ValueError(f"Incomplete or corrupted file detected. The {hash_algorithm} file hash does "
                             f"not match the provided value of {file_hash}.")
    if untar:
        if not os.path.exists(untar_path):
            _extract_archive(path, directory, archive_format="tar")
        return untar_path
    if extract:
        _extract_archive(path, directory, archive_format)
    return path


def _mnist_load_data(path="mnist.npz", cache_dir=None):
    path = get_file(path, _KERAS_BASE + "mnist.npz", cache_dir=cache_dir)
    with np.load(path, allow_pickle=True) as f:
        return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])


def _read_idx(path: str, offset: int) -> np.ndarray:
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), np.uint8, offset=offset)


def _fashion_mnist_load_data(cache_dir=None):
    names = ["train-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz",
             "t10k-images-idx3-ubyte.gz"]
    subdir = os.path.join("datasets", "fashion-mnist")
    paths = [get_file(n, _KERAS_BASE + "fashion-mnist/" + n, cache_subdir=subdir, cache_dir=cache_dir)
             for n in names]
    y_train = _read_idx(paths[0], 8)
    x_train = _read_idx(paths[1], 16).reshape(len(y_train), 28, 28)
    y_test = _read_idx(paths[2], 8)
    x_test = _read_idx(paths[3], 16).reshape(len(y_test), 28, 28)
    return (x_train, y_train), (x_test, y_test)


def _extracted(dirname: str, origin: str, cache_dir=None) -> str:
    """The dataset's directory in the cache, extracted from its archive first if needed. Keras caches the
    archive as `<dirname>.tar.gz`; one saved under the published name (the origin's) is used as well."""
    datasets = os.path.join(_keras_dir(cache_dir), "datasets")
    directory = os.path.join(datasets, dirname)
    if not os.path.isdir(directory):
        names = [dirname + ".tar.gz", os.path.basename(origin)]
        name = next((n for n in names if os.path.exists(os.path.join(datasets, n))), names[0])
        archive = get_file(name, origin, cache_dir=cache_dir)
        with tarfile.open(archive) as tar:
            tar.extractall(datasets, filter="data")
    return directory


def _load_batch(path: str, label_key: str = "labels"):
    with open(path, "rb") as f:
        d = pickle.load(f, encoding="bytes")
    d = {k.decode("utf8") if isinstance(k, bytes) else k: v for k, v in d.items()}
    data = np.asarray(d["data"], dtype=np.uint8).reshape(-1, 3, 32, 32)
    return data, np.asarray(d[label_key])


def _channels_last(x: np.ndarray) -> np.ndarray:
    return x.transpose(0, 2, 3, 1)


def _cifar10_load_data(cache_dir=None):
    directory = _extracted("cifar-10-batches-py", "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",
                           cache_dir)
    xs, ys = [], []
    for i in range(1, 6):
        x, y = _load_batch(os.path.join(directory, f"data_batch_{i}"))
        xs.append(x)
        ys.append(y)
    x_test, y_test = _load_batch(os.path.join(directory, "test_batch"))
    x_train = np.concatenate(xs)
    y_train = np.concatenate(ys).reshape(-1, 1).astype(np.uint8)
    return (_channels_last(x_train), y_train), (_channels_last(x_test), y_test.reshape(-1, 1).astype(np.uint8))


def _cifar100_load_data(label_mode="fine", cache_dir=None):
    if label_mode not in ("fine", "coarse"):
        raise ValueError(f'`label_mode` must be one of `"fine"`, `"coarse"`. Received: label_mode={label_mode}.')
    directory = _extracted("cifar-100-python", "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz",
                           cache_dir)
    key = label_mode + "_labels"
    x_train, y_train = _load_batch(os.path.join(directory, "train"), key)
    x_test, y_test = _load_batch(os.path.join(directory, "test"), key)
    return ((_channels_last(x_train), y_train.reshape(-1, 1).astype(np.int64)),
            (_channels_last(x_test), y_test.reshape(-1, 1).astype(np.int64)))


mnist = types.SimpleNamespace(load_data=_mnist_load_data)
fashion_mnist = types.SimpleNamespace(load_data=_fashion_mnist_load_data)
cifar10 = types.SimpleNamespace(load_data=_cifar10_load_data)
cifar100 = types.SimpleNamespace(load_data=_cifar100_load_data)

export("keras.datasets.mnist.load_data", _mnist_load_data)
export("keras.datasets.fashion_mnist.load_data", _fashion_mnist_load_data)
export("keras.datasets.cifar10.load_data", _cifar10_load_data)
export("keras.datasets.cifar100.load_data", _cifar100_load_data)
export("keras.utils.get_file", get_file)
