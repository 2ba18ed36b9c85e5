"""keras.datasets loaders read the real published formats from the Keras cache (files made here)."""

import gzip
import os
import pickle
import tarfile

import numpy as np
import pytest

import tensorweave as tf


@pytest.fixture()
def keras_home(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    (tmp_path / "datasets").mkdir()
    return tmp_path / "datasets"


def test_mnist_npz(keras_home):
    rng = np.random.default_rng(0)
    arrays = {"x_train": rng.integers(0, 255, (6, 28, 28), dtype=np.uint8), "y_train": np.arange(6, dtype=np.uint8),
              "x_test": rng.integers(0, 255, (2, 28, 28), dtype=np.uint8), "y_test": np.arange(2, dtype=np.uint8)}
    np.savez(keras_home / "mnist.npz", **arrays)
    (x, y), (xt, yt) = tf.keras.datasets.mnist.load_data()
    assert x.shape == (6, 28, 28) and x.dtype == np.uint8 and (y == arrays["y_train"]).all()
    assert (xt == arrays["x_test"]).all()


def _idx(path, header: bytes, data: np.ndarray):
    with gzip.open(path, "wb") as f:
        f.write(header + data.tobytes())


def test_fashion_mnist_idx(keras_home):
    d = keras_home / "fashion-mnist"
    d.mkdir()
    images = np.arange(3 * 28 * 28, dtype=np.uint32).astype(np.uint8).reshape(3, 28, 28)
    labels = np.array([1, 2, 3], np.uint8)
    for prefix in ("train", "t10k"):
        _idx(d / f"{prefix}-labels-idx1-ubyte.gz", b"\x00\x00\x08\x01" + (3).to_bytes(4, "big"), labels)
        _idx(d / f"{prefix}-images-idx3-ubyte.gz",
             b"\x00\x00\x08\x03" + (3).to_bytes(4, "big") + (28).to_bytes(4, "big") * 2, images)
    (x, y), (xt, yt) = tf.keras.datasets.fashion_mnist.load_data()
    assert (x == images).all() and (y == labels).all() and xt.shape == (3, 28, 28)


def test_cifar10_pickles(keras_home, tmp_path):
    src = tmp_path / "cifar-10-batches-py"
    src.mkdir()
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        batch = {b"data": np.full((2, 3072), 7, np.uint8), b"labels": [1, 2]}
        with open(src / name, "wb") as f:
            pickle.dump(batch, f)
    with tarfile.open(keras_home / "cifar-10-python.tar.gz", "w:gz") as tar:
        tar.add(src, arcname="cifar-10-batches-py")
    (x, y), (xt, yt) = tf.keras.datasets.cifar10.load_data()
    assert x.shape == (10, 32, 32, 3) and y.shape == (10, 1) and xt.shape == (2, 32, 32, 3)


def test_offline_message(keras_home, monkeypatch):
    def refuse(*a, **k):
        raise OSError("network unreachable")

    monkeypatch.setattr("urllib.request.urlopen", refuse)
    with pytest.raises(Exception, match="offline"):
        tf.keras.datasets.mnist.load_data()
    assert not os.path.exists(keras_home / "mnist.npz.part")
