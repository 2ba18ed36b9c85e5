"""Oracle fixtures of the Keras layers (family keras_layers_a): values, shapes, weight names, configs, errors."""

import pytest

from tests.harness import fixture_params
from tests.keras.layer_test_utils import check_keras_fixture


@pytest.mark.parametrize("case", fixture_params("keras_layers_a"))
def test_keras_layers_a(case):
    check_keras_fixture("keras_layers_a", case)

