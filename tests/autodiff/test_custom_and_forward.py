import pytest

from tests.harness import check_fixture, fixture_params


@pytest.mark.parametrize("case", fixture_params("autodiff_extra"))
def test_autodiff_extra(case):
    check_fixture("autodiff_extra", case)
