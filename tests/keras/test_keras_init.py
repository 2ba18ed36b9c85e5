import pytest

from tests.harness import check_fixture, fixture_params


@pytest.mark.parametrize("case", fixture_params("keras_init"))
def test_keras_init(case):
    check_fixture("keras_init", case)
