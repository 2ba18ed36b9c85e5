"""tf.keras.losses against TF 2.21 recordings (tests/fixtures/cases/losses.py)."""

import pytest

from tests.harness import check_fixture, fixture_params


@pytest.mark.parametrize("case", fixture_params("losses"))
def test_losses(case):
    check_fixture("losses", case)
