"""Oracle fixtures of the Keras 2 engine (family keras_engine): layer naming, variable names of nested
layers and subclassed models, weight order, trainable toggling, get/set_weights and count_params errors,
Sequential / functional / subclassed summaries (stdout), model configs, from_config, get_layer."""

import pytest

from tests.harness import fixture_params
from tests.keras.layer_test_utils import check_keras_fixture


@pytest.mark.parametrize("case", fixture_params("keras_engine"))
def test_keras_engine(case):
    check_keras_fixture("keras_engine", case)
