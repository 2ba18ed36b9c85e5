"""Records what real TF prints running seed 004's CIFAR training scripts (tests/fixtures/
seed_training_scripts.py) into tests/fixtures/seed_training_scripts.json: the models' summaries, and the
error of the VGG13 listing as transcribed. Run under the oracle:

    ../shared/tools/tf-oracle tools/record_seed_training_scripts.py

tf_keras's CIFAR loaders accept only the full published archives (their sha256 is checked, and CIFAR10's
five batches of 10000 images are assumed), so here `load_data` returns made-up arrays of the loaders'
shapes and dtypes; the test reads the same sizes from small archives in the published format.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "fixtures"))

import seed_training_scripts  # noqa: E402

# images in the training / test files made by the test (tests/keras/test_seed_training_scripts.py)
SIZES = {"vgg13_cifar100": (72, 12), "resnet18_cifar10": (20, 3), "vgg13_as_transcribed": (72, 12)}
TRAINING_PRINTS = ("epoch: ", "test accuracy: ")


def _fake(n_train: int, n_test: int, classes: int, label_dtype):
    import numpy as np

    rng = np.random.default_rng(0)

    def split(n):
        return (rng.integers(0, 256, (n, 32, 32, 3), dtype=np.uint8),
                rng.integers(0, classes, (n, 1)).astype(label_dtype))
    return split(n_train), split(n_test)


def run(name: str, script: str) -> dict:
    import numpy as np
    import tensorflow as tf

    n_train, n_test = SIZES[name]
    tf.keras.datasets.cifar100.load_data = lambda label_mode="fine": _fake(n_train, n_test, 100, np.int64)
    tf.keras.datasets.cifar10.load_data = lambda: _fake(n_train, n_test, 10, np.uint8)
    tf.keras.backend.clear_session()
    out, record = io.StringIO(), {}
    try:
        with contextlib.redirect_stdout(out):
            exec(compile(script, "<seed 004>", "exec"), {"__name__": "__seed__", "EPOCHS": 1})  # noqa: S102
    except Exception as e:  # noqa: BLE001 - recorded
        record.update(error=type(e).__name__, message=str(e))
    lines = out.getvalue().splitlines(keepends=True)
    record["summary"] = "".join(ln for ln in lines if not ln.startswith(TRAINING_PRINTS))
    return record


def main() -> int:
    out = {name: run(name, script) for name, script in seed_training_scripts.SCRIPTS.items()}
    path = os.path.join(ROOT, "tests", "fixtures", "seed_training_scripts.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1, sort_keys=True, ensure_ascii=False)
        f.write("\n")
    print(f"{len(out)} scripts -> {os.path.relpath(path, ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
