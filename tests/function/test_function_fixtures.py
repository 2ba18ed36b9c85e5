import pytest

from tests.harness import check_fixture, fixture_params


@pytest.mark.parametrize("case", fixture_params("function"))
def test_function(case):
    check_fixture("function", case)
