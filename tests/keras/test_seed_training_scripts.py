"""Seed 004's CIFAR training scripts (VGG13 on CIFAR100, ResNet18 on CIFAR10; tests/fixtures/
seed_training_scripts.py) run end to end: the dataset read by `datasets.cifar10/cifar100.load_data()` from
small archives in the published format (python pickles in .tar.gz, in a temporary Keras cache), the
tf.data pipeline, the models with TF's summaries, and the GradientTape training loop (plus VGG13's test
loop), as the seed writes them. Only the size differs: a few dozen made-up images, one epoch.

What TF prints is recorded by tools/record_seed_training_scripts.py (seed_training_scripts.json).
`layers.Sequential` and `optimizers.adam`, spellings in the seed that TF 2.21 lacks, raise AttributeError.
"""

from __future__ import annotations

import json
import os
import pickle
import sys
import tarfile

import numpy as np
import pytest

import tensorweave
from tests.fixtures.seed_training_scripts import SCRIPTS

with open(os.path.join(os.path.dirname(__file__), "..", "fixtures", "seed_training_scripts.json"),
          encoding="utf-8") as _f:
    EXPECTED = json.load(_f)
TRAINING_PRINTS = ("epoch: ", "test accuracy: ")  # lines with values from random data

@pytest.fixture()
def keras_cache(tmp_path, monkeypatch):
    """An empty Keras cache ($KERAS_HOME/datasets) and `import tensorflow` giving tensorweave."""
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    (tmp_path / "datasets").mkdir()
    monkeypatch.setitem(sys.modules, "tensorflow", tensorweave)
    monkeypatch.setitem(sys.modules, "tensorflow.keras", tensorweave.keras)
    tensorweave.keras.backend.clear_session()  # layer names as in a fresh program
    return tmp_path / "datasets"


def _pickle(path, batch: dict) -> None:
    with open(path, "wb") as f:
        pickle.dump(batch, f)


def _images(rng, n: int) -> np.ndarray:
    """n CIFAR images as the pickles store them: rows of 3072 bytes, the R, G and B planes in turn."""
    return rng.integers(0, 256, (n, 3072), dtype=np.uint8)


def make_cifar10(cache, tmp_path, per_batch: int, n_test: int) -> None:
    """The published cifar-10-python.tar.gz (cached by Keras as cifar-10-batches-py.tar.gz): data_batch_1..5
    and test_batch, each a pickled {b'data', b'labels', ...}."""
    rng = np.random.default_rng(10)
    src = tmp_path / "cifar10_src" / "cifar-10-batches-py"
    src.mkdir(parents=True)
    for name, n in [(f"data_batch_{i}", per_batch) for i in range(1, 6)] + [("test_batch", n_test)]:
        _pickle(src / name, {b"batch_label": name.encode(), b"labels": rng.integers(0, 10, n).tolist(),
                             b"data": _images(rng, n), b"filenames": [b"img%d.png" % i for i in range(n)]})
    _pickle(src / "batches.meta", {b"label_names": [b"class%d" % i for i in range(10)],
                                   b"num_cases_per_batch": per_batch, b"num_vis": 3072})
    with tarfile.open(cache / "cifar-10-batches-py.tar.gz", "w:gz") as tar:  # as Keras caches it
        tar.add(src, arcname="cifar-10-batches-py")


def make_cifar100(cache, tmp_path, n_train: int, n_test: int) -> None:
    """cifar-100-python.tar.gz: train and test, each a pickled {b'data', b'fine_labels', b'coarse_labels',
    ...}."""
    rng = np.random.default_rng(100)
    src = tmp_path / "cifar100_src" / "cifar-100-python"
    src.mkdir(parents=True)
    for name, n in (("train", n_train), ("test", n_test)):
        _pickle(src / name, {b"filenames": [b"img%d.png" % i for i in range(n)], b"batch_label": name.encode(),
                             b"fine_labels": rng.integers(0, 100, n).tolist(),
                             b"coarse_labels": rng.integers(0, 20, n).tolist(), b"data": _images(rng, n)})
    _pickle(src / "meta", {b"fine_label_names": [b"f%d" % i for i in range(100)],
                           b"coarse_label_names": [b"c%d" % i for i in range(20)]})
    with tarfile.open(cache / "cifar-100-python.tar.gz", "w:gz") as tar:
        tar.add(src, arcname="cifar-100-python")


def _run(name: str, capsys) -> dict:
    """Runs the script; checks that it prints TF's summaries; returns its global namespace."""
    namespace = {"__name__": "__seed__", "EPOCHS": 1}
    exec(compile(SCRIPTS[name], "<seed 004>", "exec"), namespace)  # noqa: S102 - the seed's script
    out = capsys.readouterr().out
    summary = "".join(ln for ln in out.splitlines(keepends=True) if not ln.startswith(TRAINING_PRINTS))
    assert summary == EXPECTED[name]["summary"]
    return namespace


def test_vgg13_cifar100_script(keras_cache, tmp_path, capsys):
    make_cifar100(keras_cache, tmp_path, n_train=72, n_test=12)  # batches of 64 and 8
    ns = _run("vgg13_cifar100", capsys)
    assert ns["step"] == 1 and ns["total"] == 12 and 0 <= ns["correct"] <= 12
    assert np.isfinite(float(ns["loss"]))
    assert ns["x"].shape == (12, 32, 32, 3) and ns["x"].dtype == tensorweave.float32


def test_vgg13_as_transcribed_fails_as_in_tf(keras_cache, tmp_path, capsys):
    """Without its fifth block the listing's features are 2x2x512: TF's ValueError at the loss."""
    make_cifar100(keras_cache, tmp_path, n_train=72, n_test=12)
    with pytest.raises(ValueError) as info:
        _run("vgg13_as_transcribed", capsys)
    assert str(info.value) == EXPECTED["vgg13_as_transcribed"]["message"]


def test_resnet18_cifar10_script(keras_cache, tmp_path, capsys):
    make_cifar10(keras_cache, tmp_path, per_batch=4, n_test=3)  # 20 training images, one batch
    ns = _run("resnet18_cifar10", capsys)
    assert ns["step"] == 0 and np.isfinite(float(ns["loss"]))
    assert ns["x"].shape == (20, 32, 32, 3)
    assert all(g is not None for g in ns["grads"]) and len(ns["grads"]) == len(ns["model"].trainable_variables)
    assert int(ns["optimizer"].iterations) == 1


def test_seed_spellings_tf_lacks(keras_cache):
    """`layers.Sequential` (seed 004's text) and `optimizers.adam` do not exist in TF 2.21's tf.keras."""
    from tensorflow.keras import layers, optimizers

    with pytest.raises(AttributeError):
        layers.Sequential([layers.Dense(2)])
    with pytest.raises(AttributeError):
        optimizers.adam(0.01)
