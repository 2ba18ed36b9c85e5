import pytest

from tests.harness import check_fixture, fixture_params


@pytest.mark.parametrize("case", fixture_params("control_flow"))
def test_control_flow(case):
    check_fixture("control_flow", case)
