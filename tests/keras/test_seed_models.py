"""The seeds' convolutional models (LeNet-5, VGG13's conv stack, ResNet18 and its BasicBlock, ChannelShuffle,
a MobileNet depthwise block) build with TF's parameter counts, weight names and `model.summary()` output,
and compute TF's values on fixed weights (oracle fixtures, family keras_seed_models)."""

import pytest

from tests.harness import fixture_params
from tests.keras.layer_test_utils import check_keras_fixture


@pytest.mark.parametrize("case", fixture_params("keras_seed_models"))
def test_keras_seed_models(case):
    check_keras_fixture("keras_seed_models", case)
