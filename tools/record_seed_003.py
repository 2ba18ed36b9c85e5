"""Records what real TF prints for the seed 003 tf.TensorArray examples
(tests/tensor_array/seed_003_examples.py) into tests/fixtures/seed_003.json. Run under the oracle:

    ../shared/tools/tf-oracle tools/record_seed_003.py
"""

from __future__ import annotations

import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))
sys.path.insert(0, os.path.join(ROOT, "tests", "tensor_array"))

import fixture_format  # noqa: E402
import seed_003_examples  # noqa: E402


def main() -> int:
    import numpy as np
    import tensorflow as tf

    out = {}
    for name, example in seed_003_examples.EXAMPLES.items():
        rec = fixture_format.run_printing(example["code"], tf, np, summarize=example.get("random", False))
        rec.pop("traceback", None)
        rec["code"] = example["code"]
        out[name] = rec
    path = os.path.join(ROOT, "tests", "fixtures", "seed_003.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1, sort_keys=True, ensure_ascii=False)
        f.write("\n")
    print(f"{len(out)} examples -> {os.path.relpath(path, ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
