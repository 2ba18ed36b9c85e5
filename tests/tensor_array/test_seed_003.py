"""Seed 003's tf.TensorArray examples print what real TF prints (dtype/shape of random tensors,
exact text otherwise). Expected output: tests/fixtures/seed_003.json (tools/record_seed_003.py)."""

import json
import os

import numpy as np
import pytest

from tests import fixture_format
from tests.tensor_array.seed_003_examples import EXAMPLES

_PATH = os.path.join(os.path.dirname(os.path.dirname(__file__)), "fixtures", "seed_003.json")
with open(_PATH, encoding="utf-8") as _f:
    EXPECTED = json.load(_f)


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_seed_003_example(name):
    import tensorweave as tf

    example = EXAMPLES[name]
    expected = EXPECTED.get(name)
    assert expected is not None and expected["code"] == example["code"], (
        "example not recorded or changed: run `../shared/tools/tf-oracle tools/record_seed_003.py`")
    actual = fixture_format.run_printing(example["code"], tf, np, summarize=example.get("random", False))
    assert "error" not in actual, f"tensorweave raised {actual['error']}: {actual['message']}\n{actual['traceback']}"
    assert "error" not in expected
    assert actual["stdout"] == expected["stdout"], (
        f"--- TF printed:\n{expected['stdout']}--- tensorweave printed:\n{actual['stdout']}")
