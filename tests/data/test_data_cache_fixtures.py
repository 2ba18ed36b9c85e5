"""Dataset.cache(filename) against fixtures recorded from real TF: see tests/fixtures/cases/data_cache.py."""

import pytest

from tests.harness import check_fixture, fixture_params


@pytest.mark.parametrize("case", fixture_params("data_cache"))
def test_data_cache(case):
    check_fixture("data_cache", case)
