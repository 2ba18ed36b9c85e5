"""`tf.keras.datasets.{mnist, fashion_mnist, cifar10, cifar100}.load_data()`: the published files, read
from Keras's cache (`~/.keras/datasets`, or `$KERAS_HOME/datasets`), downloaded when missing and online.

Formats: mnist.npz (x_train, y_train, x_test, y_test); Fashion-MNIST's gzipped IDX files; CIFAR's
python pickles in cifar-10-batches-py / cifar-100-python (from their .tar.gz archives, which Keras caches
as cifar-10-batches-py.tar.gz / cifar-100-python.tar.gz). Unlike Keras, the archives' sha256 is not
checked and any number of images is read, so small made-up files in these formats work too.
"""

from __future__ import annotations

import gzip
import os
import pickle
import tarfile
import types
import urllib.error
import urllib.request

import numpy as np

from tensorweave._src.api_export import export

_KERAS_BASE = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"


def cache_dir() -> str:
    base = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return os.path.join(base, "datasets")


def get_file(fname: str, origin: str, cache_subdir: str = "") -> str:
    """The cached file `fname`, downloading it from `origin` first if it is missing."""
    directory = os.path.join(cache_dir(), cache_subdir)
    path = os.path.join(directory, fname)
    if os.path.exists(path):
        return path
    os.makedirs(directory, exist_ok=True)
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
    return path


def _mnist_load_data(path: str = "mnist.npz"):
    path = get_file(path, _KERAS_BASE + "mnist.npz")
    with np.load(path, allow_pickle=True) as f:
        return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])


def _read_idx(path: str, offset: int) -> np.ndarray:
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), np.uint8, offset=offset)


def _fashion_mnist_load_data():
    names = ["train-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz",
             "t10k-images-idx3-ubyte.gz"]
    paths = [get_file(n, _KERAS_BASE + "fashion-mnist/" + n, cache_subdir="fashion-mnist") for n in names]
    y_train = _read_idx(paths[0], 8)
    x_train = _read_idx(paths[1], 16).reshape(len(y_train), 28, 28)
    y_test = _read_idx(paths[2], 8)
    x_test = _read_idx(paths[3], 16).reshape(len(y_test), 28, 28)
    return (x_train, y_train), (x_test, y_test)


def _extracted(dirname: str, origin: str) -> str:
    """The dataset's directory in the cache, extracted from its archive first if needed. Keras caches the
    archive as `<dirname>.tar.gz`; one saved under the published name (the origin's) is used as well."""
    directory = os.path.join(cache_dir(), dirname)
    if not os.path.isdir(directory):
        names = [dirname + ".tar.gz", os.path.basename(origin)]
        name = next((n for n in names if os.path.exists(os.path.join(cache_dir(), n))), names[0])
        archive = get_file(name, origin)
        with tarfile.open(archive) as tar:
            tar.extractall(cache_dir(), filter="data")
    return directory


def _load_batch(path: str, label_key: str = "labels"):
    with open(path, "rb") as f:
        d = pickle.load(f, encoding="bytes")
    d = {k.decode("utf8") if isinstance(k, bytes) else k: v for k, v in d.items()}
    data = np.asarray(d["data"], dtype=np.uint8).reshape(-1, 3, 32, 32)
    return data, np.asarray(d[label_key])


def _channels_last(x: np.ndarray) -> np.ndarray:
    return x.transpose(0, 2, 3, 1)


def _cifar10_load_data():
    directory = _extracted("cifar-10-batches-py", "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz")
    xs, ys = [], []
    for i in range(1, 6):
        x, y = _load_batch(os.path.join(directory, f"data_batch_{i}"))
        xs.append(x)
        ys.append(y)
    x_test, y_test = _load_batch(os.path.join(directory, "test_batch"))
    x_train = np.concatenate(xs)
    y_train = np.concatenate(ys).reshape(-1, 1).astype(np.uint8)
    return (_channels_last(x_train), y_train), (_channels_last(x_test), y_test.reshape(-1, 1).astype(np.uint8))


def _cifar100_load_data(label_mode: str = "fine"):
    if label_mode not in ("fine", "coarse"):
        raise ValueError(f'`label_mode` must be one of `"fine"`, `"coarse"`. Received: label_mode={label_mode}.')
    directory = _extracted("cifar-100-python", "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz")
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
