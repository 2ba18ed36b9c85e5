import pytest

from tests.harness import check_fixture, fixture_params


@pytest.mark.parametrize("case", fixture_params("autodiff"))
def test_autodiff(case):
    check_fixture("autodiff", case)
