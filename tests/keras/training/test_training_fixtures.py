"""Oracle fixtures of Keras 2 models and the training loop (family keras_training): see
tests/fixtures/cases/keras_training.py."""

import pytest

from tests.harness import fixture_params
from tests.keras.layer_test_utils import check_keras_fixture


@pytest.mark.parametrize("case", fixture_params("keras_training"))
def test_keras_training(case):
    check_keras_fixture("keras_training", case)
