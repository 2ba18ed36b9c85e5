"""tf.keras.metrics against TF 2.21 recordings (tests/fixtures/cases/metrics.py)."""

import pytest

from tests.harness import check_fixture, fixture_params


@pytest.mark.parametrize("case", fixture_params("metrics"))
def test_metrics(case):
    check_fixture("metrics", case)
