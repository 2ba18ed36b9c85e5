"""Oracle fixtures of the Keras layers batch B (family keras_layers_b): convolutions, pooling, recurrent
layers, wrappers and attention."""

import pytest

from tests.harness import fixture_params
from tests.keras.layer_test_utils import check_keras_fixture


@pytest.mark.parametrize("case", fixture_params("keras_layers_b"))
def test_keras_layers_b(case):
    check_keras_fixture("keras_layers_b", case)
