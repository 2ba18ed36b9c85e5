"""Core behaviour (dtypes, TensorShape, conversion, printing, operators, errors, hashing) against
fixtures recorded from real TF: see tests/fixtures/cases/core.py."""

import pytest

from tests.harness import check_fixture, fixture_params


@pytest.mark.parametrize("case", fixture_params("core"))
def test_core(case):
    check_fixture("core", case)
