"""Seed 004's examples (basic commands and math) print what real TF prints.

Expected output is recorded from the oracle (tools/record_seed_examples.py); examples with random
values compare only the dtype and shape of each printed tensor. An example using an API that does not
exist yet xfails (non-strict) until it is implemented.
"""

import json
import os

import numpy as np
import pytest

from tests import fixture_format
from tests.fixtures.seed_004_examples import EXAMPLES
from tests.harness import xfail_if_missing_api

with open(os.path.join(os.path.dirname(__file__), "fixtures", "seed_004.json"), encoding="utf-8") as _f:
    EXPECTED = json.load(_f)


@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")  # np.matrix in one example
@pytest.mark.parametrize("name", list(EXAMPLES))
def test_seed_004_example(name):
    import tensorweave as tf

    example = EXAMPLES[name]
    expected = EXPECTED.get(name)
    assert expected is not None and expected["code"] == example["code"], (
        "example not recorded or changed: run `../shared/tools/tf-oracle tools/record_seed_examples.py`")
    actual = fixture_format.run_printing(example["code"], tf, np, summarize=example.get("random", False))
    xfail_if_missing_api(actual, expected)
    if "error" in expected:
        assert actual.get("error") == expected["error"], (
            f"TF raised {expected['error']}: {expected['message']}\n"
            f"tensorweave: {actual.get('error')}: {actual.get('message')}\n{actual.get('traceback', '')}")
        assert actual["message"].strip()
    else:
        assert "error" not in actual, f"tensorweave raised {actual['error']}: {actual['message']}\n{actual['traceback']}"
    assert actual["stdout"] == expected["stdout"], (
        f"--- TF printed:\n{expected['stdout']}--- tensorweave printed:\n{actual['stdout']}")
