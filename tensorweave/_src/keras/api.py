"""Imports the Keras modules so their exports register (one line per module)."""

from tensorweave._src.keras import (  # noqa: F401
    activations,
    backend,
    constraints,
    initializers,
    optimizers,  # noqa: F401
    regularizers,
)
from tensorweave._src.keras.callbacks import base as _callbacks_base  # noqa: F401
from tensorweave._src.keras.callbacks import training_callbacks  # noqa: F401
from tensorweave._src.keras.datasets import loaders as _datasets  # noqa: F401
from tensorweave._src.keras.engine import base_layer, functional, input_layer, sequential, training  # noqa: F401
from tensorweave._src.keras.layers import (  # noqa: F401  # noqa: F401  # noqa: F401  # noqa: F401  # noqa: F401  # noqa: F401  # noqa: F401  # noqa: F401  # noqa: F401  # noqa: F401  # noqa: F401  # noqa: F401  # noqa: F401
    activation,
    attention,
    base_rnn,
    base_wrapper,
    batch_normalization,
    bidirectional,
    category_encoding,
    conv1d,
    conv1d_transpose,
    conv2d,
    conv2d_transpose,
    conv3d,
    conv3d_transpose,
    cropping,
    dense,  # noqa: F401
    depthwise_conv1d,
    depthwise_conv2d,
    dropout,
    einsum_dense,
    elu,
    embedding,
    flatten,
    gaussian_noise,
    global_pooling,
    group_normalization,
    gru,
    lambda_layer,
    layer_normalization,
    leaky_relu,
    lstm,
    merge,  # noqa: F401
    multi_head_attention,
    normalization,
    permute,
    pooling,
    prelu,
    relu,
    repeat_vector,
    rescaling,
    reshape,
    separable_conv1d,
    separable_conv2d,
    simple_rnn,
    softmax,
    spatial_dropout,
    stacked_rnn_cells,
    time_distributed,
    unit_normalization,
    up_sampling,
    zero_padding,
)
from tensorweave._src.keras.losses import base as _losses_base  # noqa: F401,E501
from tensorweave._src.keras.losses import hinge as _losses_hinge  # noqa: F401
from tensorweave._src.keras.metrics import accuracy, base_metric, confusion, f_score, iou  # noqa: F401  # noqa: F401
from tensorweave._src.keras.metrics import probabilistic as _metrics_prob  # noqa: F401,E501
from tensorweave._src.keras.utils import progbar  # noqa: F401
