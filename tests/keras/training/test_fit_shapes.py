"""Keras's step functions are traced for the data's TensorSpecs, as tf_keras traces them on the dataset
iterator: a smaller last batch reuses the trace; models called or fitted on wrong shapes raise TF's
ValueError (oracle fixtures, family keras_fit_shapes)."""

import pytest

from tests.harness import fixture_params
from tests.keras.layer_test_utils import check_keras_fixture


@pytest.mark.parametrize("case", fixture_params("keras_fit_shapes"))
def test_keras_fit_shapes(case):
    check_keras_fixture("keras_fit_shapes", case)
