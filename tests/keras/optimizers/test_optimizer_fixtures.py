"""tf.keras.optimizers and schedules against TF 2.21 recordings (tests/fixtures/cases/optimizers.py)."""

import pytest

from tests.harness import check_fixture, fixture_params


@pytest.mark.parametrize("case", fixture_params("optimizers"))
def test_optimizers(case):
    check_fixture("optimizers", case)
