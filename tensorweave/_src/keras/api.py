"""Imports the Keras modules so their exports register (one line per module)."""

from tensorweave._src.keras import activations, backend, constraints, initializers, regularizers  # noqa: F401
from tensorweave._src.keras.engine import base_layer, functional, input_layer, sequential, training  # noqa: F401
from tensorweave._src.keras.engine import tf_op_layer  # noqa: F401  (registers the KerasTensor dispatcher)
from tensorweave._src.keras.layers import dense  # noqa: F401
from tensorweave._src.keras import optimizers  # noqa: F401
from tensorweave._src.keras.layers import activation, elu, leaky_relu, prelu, relu, softmax  # noqa: F401
from tensorweave._src.keras.layers import dropout, gaussian_noise, spatial_dropout  # noqa: F401
from tensorweave._src.keras.layers import cropping, flatten, lambda_layer, permute, repeat_vector  # noqa: F401
from tensorweave._src.keras.layers import reshape, up_sampling, zero_padding  # noqa: F401
from tensorweave._src.keras.layers import merge  # noqa: F401
from tensorweave._src.keras.layers import category_encoding, embedding, normalization, rescaling  # noqa: F401
from tensorweave._src.keras.layers import batch_normalization, group_normalization  # noqa: F401
from tensorweave._src.keras.layers import layer_normalization, unit_normalization  # noqa: F401
from tensorweave._src.keras.callbacks import base as _callbacks_base  # noqa: F401
from tensorweave._src.keras.losses import base as _losses_base, probabilistic, registry as _losses_registry  # noqa: F401,E501
from tensorweave._src.keras.losses import hinge as _losses_hinge, regression as _losses_regression  # noqa: F401
from tensorweave._src.keras.metrics import accuracy, base_metric, registry as _metrics_registry  # noqa: F401
from tensorweave._src.keras.metrics import confusion, f_score, hinge as _metrics_hinge, iou  # noqa: F401
from tensorweave._src.keras.metrics import probabilistic as _metrics_prob, regression as _metrics_regression  # noqa: F401,E501
from tensorweave._src.keras.utils import progbar  # noqa: F401
from tensorweave._src.keras.callbacks import training_callbacks  # noqa: F401
from tensorweave._src.keras.datasets import loaders as _datasets  # noqa: F401
from tensorweave._src.keras.layers import conv1d, conv2d, conv3d, conv1d_transpose, conv2d_transpose  # noqa: F401
from tensorweave._src.keras.layers import conv3d_transpose, depthwise_conv1d, depthwise_conv2d  # noqa: F401
from tensorweave._src.keras.layers import separable_conv1d, separable_conv2d, pooling, global_pooling  # noqa: F401
from tensorweave._src.keras.layers import base_rnn, simple_rnn, lstm, gru, base_wrapper, bidirectional  # noqa: F401
from tensorweave._src.keras.layers import time_distributed, stacked_rnn_cells  # noqa: F401
from tensorweave._src.keras.layers import einsum_dense, attention, multi_head_attention  # noqa: F401
