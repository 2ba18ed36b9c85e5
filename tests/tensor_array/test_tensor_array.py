"""tf.TensorArray: oracle-recorded fixtures (family "tensor_array": eager, tf.function, errors, loops,
gradients)."""

import pytest

from tests.harness import check_fixture, fixture_params

FAMILY = "tensor_array"


@pytest.mark.parametrize("case", fixture_params(FAMILY))
def test_tensor_array(case):
    check_fixture(FAMILY, case)
