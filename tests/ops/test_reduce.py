"""Reduction-family ops against oracle-recorded fixtures (tests/fixtures/cases/reduce.py)."""

import pytest

from tests.harness import check_fixture, fixture_params


@pytest.mark.parametrize("case", fixture_params("reduce"))
def test_reduce(case):
    check_fixture("reduce", case)
