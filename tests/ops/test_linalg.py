"""Matrix products and tf.linalg ops against oracle-recorded fixtures (tests/fixtures/cases/linalg.py)."""

import pytest

from tests.harness import check_fixture, fixture_params


@pytest.mark.parametrize("case", fixture_params("linalg"))
def test_linalg(case):
    check_fixture("linalg", case)
