"""Imports the Keras modules so their exports register (one line per module)."""

from tensorweave._src.keras import activations, backend, constraints, initializers, regularizers  # noqa: F401
from tensorweave._src.keras.engine import base_layer, functional, input_layer, sequential, training  # noqa: F401
from tensorweave._src.keras.layers import dense  # noqa: F401
