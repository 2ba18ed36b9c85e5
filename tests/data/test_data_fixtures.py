"""tf.data against fixtures recorded from real TF: see tests/fixtures/cases/data.py."""

import pytest

from tests.harness import check_fixture, fixture_params


@pytest.mark.parametrize("case", fixture_params("data"))
def test_data(case):
    check_fixture("data", case)
