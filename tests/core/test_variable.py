import pytest

from tests.harness import check_fixture, fixture_params


@pytest.mark.parametrize("case", fixture_params("variable"))
def test_variable(case):
    check_fixture("variable", case)
