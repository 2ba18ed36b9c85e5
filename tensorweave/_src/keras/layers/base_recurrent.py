"""What SimpleRNN, LSTM and GRU share: `RNNCellBase` (their cells' arguments, weights and config) and
`CellForwardingRNN` (the layer that builds its cell from its own arguments and exposes them as its own).

Each public cell / layer keeps its Keras signature spelled out in its own file; the bodies live here.
"""

from __future__ import annotations

from tensorweave._src.keras import activations, constraints, initializers, regularizers
from tensorweave._src.keras.engine.base_layer import Layer
from tensorweave._src.keras.engine.input_spec import InputSpec
from tensorweave._src.keras.layers.base_conv import maybe_serialize
from tensorweave._src.keras.layers.base_rnn import (
    RNN,
    DropoutRNNCellMixin,
    generate_zero_filled_state_for_cell,
)

# The arguments every Keras RNN cell takes (and its layer forwards), in Keras's config order.
CELL_ARGS = (
    "units",
    "activation",
    "use_bias",
    "kernel_initializer",
    "recurrent_initializer",
    "bias_initializer",
    "kernel_regularizer",
    "recurrent_regularizer",
    "bias_regularizer",
    "kernel_constraint",
    "recurrent_constraint",
    "bias_constraint",
    "dropout",
    "recurrent_dropout",
)
# The layer arguments that go to `RNN.__init__` rather than to the cell.
_RNN_ARGS = ("return_sequences", "return_state", "go_backwards", "stateful", "unroll", "time_major")


def check_units(units) -> None:
    if units <= 0:
        raise ValueError(
            f"Received an invalid value for argument `units`, expected a positive integer, got {units}."
        )


def serialize_arg(key: str, value):
    """One cell / layer argument as Keras writes it into get_config (chosen by the argument's name)."""
    if key in ("activation", "recurrent_activation"):
        return activations.serialize(value)
    if key.endswith("_initializer"):
        return initializers.serialize(value)
    if key.endswith("_regularizer"):
        return maybe_serialize(regularizers.serialize, value)
    if key.endswith("_constraint"):
        return maybe_serialize(constraints.serialize, value)
    return value


def base_cell_args(args: dict) -> dict:
    """From a cell's `locals()`: the arguments `RNNCellBase.__init__` takes, with its **kwargs."""
    return {**{key: args[key] for key in CELL_ARGS}, **args["kwargs"]}


class RNNCellBase(DropoutRNNCellMixin, Layer):
    """What SimpleRNNCell, LSTMCell and GRUCell share: argument handling, weights and get_config."""

    _gates = 1  # kernels are [input_dim, units * _gates]
    _config_keys: tuple = CELL_ARGS  # get_config entries, in Keras's order

    def __init__(
        self,
        units,
        activation,
        use_bias,
        kernel_initializer,
        recurrent_initializer,
        bias_initializer,
        kernel_regularizer,
        recurrent_regularizer,
        bias_regularizer,
        kernel_constraint,
        recurrent_constraint,
        bias_constraint,
        dropout,
        recurrent_dropout,
        **kwargs,
    ):
        check_units(units)
        kwargs.pop("enable_caching_device", None)
        super().__init__(**kwargs)
        self._init_dropout_masks()
        self.units = units
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.dropout = min(1.0, max(0.0, dropout))
        self.recurrent_dropout = min(1.0, max(0.0, recurrent_dropout))
        self.state_size = self.units
        self.output_size = self.units

    def build(self, input_shape):
        self._add_kernels(input_shape[-1])
        self.bias = self._add_bias() if self.use_bias else None
        self.built = True

    def _add_kernels(self, input_dim):
        self.kernel = self.add_weight(
            shape=(input_dim, self.units * self._gates),
            name="kernel",
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        self.recurrent_kernel = self.add_weight(
            shape=(self.units, self.units * self._gates),
            name="recurrent_kernel",
            initializer=self.recurrent_initializer,
            regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint,
        )

    def _add_bias(self):
        return self.add_weight(
            shape=self._bias_shape(),
            name="bias",
            initializer=self._bias_initializer(),
            regularizer=self.bias_regularizer,
            constraint=self.bias_constraint,
        )

    def _bias_shape(self) -> tuple:
        return (self.units * self._gates,)

    def _bias_initializer(self):
        return self.bias_initializer

    def get_initial_state(self, inputs=None, batch_size=None, dtype=None):
        return generate_zero_filled_state_for_cell(self, inputs, batch_size, dtype)

    def get_config(self):
        config = {key: serialize_arg(key, getattr(self, key)) for key in self._config_keys}
        return {**super().get_config(), **config}


def cell_kwargs(kwargs) -> dict:
    return {"dtype": kwargs.get("dtype"), "trainable": kwargs.get("trainable", True)}


class CellForwardingRNN(RNN):
    """SimpleRNN / LSTM / GRU: an RNN owning one cell whose arguments it exposes as its own."""

    _cell_class: type[RNNCellBase]  # the cell this layer builds
    _cell_name: str  # the cell's layer name ("gru_cell", ...)

    def __getattr__(self, name):
        if name in type(self)._cell_class._config_keys and "cell" in self.__dict__:
            return getattr(self.__dict__["cell"], name)
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def _init_with_cell(self, args: dict) -> None:
        """`args` is the subclass __init__'s `locals()`: every argument goes either to the cell or to RNN."""
        kwargs = dict(args["kwargs"])
        implementation = kwargs.pop("implementation", 2)
        cell_keys = self._cell_class._config_keys
        cell_args = {key: args[key] for key in cell_keys if key in args}
        if "implementation" in cell_keys:  # 0 is an old alias of 1; SimpleRNN ignores the argument
            cell_args["implementation"] = 1 if implementation == 0 else implementation
        cell = self._cell_class(**cell_args, name=self._cell_name, **cell_kwargs(kwargs))
        rnn_args = {key: args[key] for key in _RNN_ARGS if key in args}
        RNN.__init__(self, cell, **rnn_args, **kwargs)
        self.activity_regularizer = regularizers.get(args["activity_regularizer"])
        self.input_spec = [InputSpec(ndim=3)]

    def call(self, inputs, mask=None, training=None, initial_state=None):
        return super().call(inputs, mask=mask, training=training, initial_state=initial_state)

    def get_config(self):
        # The cell's entries, with the layer's own activity_regularizer after bias_regularizer.
        keys = list(self._cell_class._config_keys)
        keys.insert(keys.index("bias_regularizer") + 1, "activity_regularizer")
        config = {key: serialize_arg(key, getattr(self, key)) for key in keys}
        base = RNN.get_config(self)
        del base["cell"]
        return {**base, **config}

    @classmethod
    def from_config(cls, config):
        # __init__ already maps implementation=0 to 1 (and SimpleRNN drops it).
        return cls(**config)
