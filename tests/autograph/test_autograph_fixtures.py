import pytest

from tests.harness import check_fixture, fixture_params


@pytest.mark.parametrize("case", fixture_params("autograph"))
def test_autograph(case):
    check_fixture("autograph", case)
