"""Oracle fixtures (family keras_call_errors): Keras's call-argument context on errors raised in `call`."""

import pytest

from tests.harness import check_fixture, fixture_params


@pytest.mark.parametrize("case", fixture_params("keras_call_errors"))
def test_keras_call_errors(case):
    check_fixture("keras_call_errors", case)
