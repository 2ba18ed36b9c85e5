"""`tf.keras.layers.SimpleRNNCell` and `SimpleRNN`:
`h_t = activation(x_t @ kernel + h_{t-1} @ recurrent_kernel + bias)`.

>>> import tensorweave as tf
>>> tf.keras.layers.SimpleRNN(4)(tf.ones([2, 3, 5])).shape
TensorShape([2, 4])
"""

from __future__ import annotations

from tensorweave._src.api_export import PublicNamespace, tf_export
from tensorweave._src.keras import activations, constraints, initializers, regularizers
from tensorweave._src.keras.engine.base_layer import Layer
from tensorweave._src.keras.engine.input_spec import InputSpec
from tensorweave._src.keras.layers.base_conv import maybe_serialize
from tensorweave._src.keras.layers.base_rnn import (
    RNN,
    DropoutRNNCellMixin,
    generate_zero_filled_state_for_cell,
)
from tensorweave._src.util import nest

tf = PublicNamespace()


def check_units(units):
    if units <= 0:
        raise ValueError(
            f"Received an invalid value for argument `units`, expected a positive integer, got {units}."
        )


def cell_common_config(cell) -> dict:
    """The initializer / regularizer / constraint entries every Keras RNN cell serializes."""
    return {
        "kernel_initializer": initializers.serialize(cell.kernel_initializer),
        "recurrent_initializer": initializers.serialize(cell.recurrent_initializer),
        "bias_initializer": initializers.serialize(cell.bias_initializer),
    }


def reg(value):
    return maybe_serialize(regularizers.serialize, value)


def con(value):
    return maybe_serialize(constraints.serialize, value)


class RNNCellBase(DropoutRNNCellMixin, Layer):
    """What SimpleRNNCell, LSTMCell and GRUCell share: argument handling and weights."""

    def _init_cell(
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
    ):
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

    def _add_kernels(self, input_dim, gates):
        self.kernel = self.add_weight(
            shape=(input_dim, self.units * gates),
            name="kernel",
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        self.recurrent_kernel = self.add_weight(
            shape=(self.units, self.units * gates),
            name="recurrent_kernel",
            initializer=self.recurrent_initializer,
            regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint,
        )

    def get_initial_state(self, inputs=None, batch_size=None, dtype=None):
        return generate_zero_filled_state_for_cell(self, inputs, batch_size, dtype)


@tf_export("keras.layers.SimpleRNNCell")
class SimpleRNNCell(RNNCellBase):
    def __init__(
        self,
        units,
        activation="tanh",
        use_bias=True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        kernel_regularizer=None,
        recurrent_regularizer=None,
        bias_regularizer=None,
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        dropout=0.0,
        recurrent_dropout=0.0,
        **kwargs,
    ):
        check_units(units)
        kwargs.pop("enable_caching_device", None)
        super().__init__(**kwargs)
        self._init_cell(
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
        )
        self.state_size = self.units
        self.output_size = self.units

    def build(self, input_shape):
        self._add_kernels(input_shape[-1], 1)
        self.bias = (
            self.add_weight(
                shape=(self.units,),
                name="bias",
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )
            if self.use_bias
            else None
        )
        self.built = True

    def call(self, inputs, states, training=None):
        prev_output = states[0] if nest.is_nested(states) else states
        dp_mask = self.get_dropout_mask_for_cell(inputs, training)
        rec_dp_mask = self.get_recurrent_dropout_mask_for_cell(prev_output, training)
        h = tf.matmul(inputs * dp_mask if dp_mask is not None else inputs, self.kernel)
        if self.bias is not None:
            h = tf.nn.bias_add(h, self.bias)
        if rec_dp_mask is not None:
            prev_output = prev_output * rec_dp_mask
        output = h + tf.matmul(prev_output, self.recurrent_kernel)
        if self.activation is not None:
            output = self.activation(output)
        return output, ([output] if nest.is_nested(states) else output)

    def get_config(self):
        config = {
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
        }
        config.update(cell_common_config(self))
        config.update(
            {
                "kernel_regularizer": reg(self.kernel_regularizer),
                "recurrent_regularizer": reg(self.recurrent_regularizer),
                "bias_regularizer": reg(self.bias_regularizer),
                "kernel_constraint": con(self.kernel_constraint),
                "recurrent_constraint": con(self.recurrent_constraint),
                "bias_constraint": con(self.bias_constraint),
                "dropout": self.dropout,
                "recurrent_dropout": self.recurrent_dropout,
            }
        )
        base = super().get_config()
        return dict(list(base.items()) + list(config.items()))


class CellForwardingRNN(RNN):
    """SimpleRNN / LSTM / GRU: an RNN owning one cell whose arguments it exposes as its own."""

    _cell_attrs = (
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

    def __getattr__(self, name):
        if name in type(self)._cell_attrs and "cell" in self.__dict__:
            return getattr(self.__dict__["cell"], name)
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def _after_init(self, activity_regularizer):
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.input_spec = [InputSpec(ndim=3)]

    def call(self, inputs, mask=None, training=None, initial_state=None):
        return super().call(inputs, mask=mask, training=training, initial_state=initial_state)

    def _layer_config(self, keys):
        config = {}
        for key in keys:
            value = getattr(self, key)
            if key in ("activation", "recurrent_activation"):
                value = activations.serialize(value)
            elif key.endswith("_initializer"):
                value = initializers.serialize(value)
            elif key.endswith("_regularizer"):
                value = reg(value)
            elif key.endswith("_constraint"):
                value = con(value)
            config[key] = value
        base = RNN.get_config(self)
        del base["cell"]
        return dict(list(base.items()) + list(config.items()))

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if cls is SimpleRNN:
            config.pop("implementation", None)
        return cls(**config)


def cell_kwargs(kwargs) -> dict:
    return {"dtype": kwargs.get("dtype"), "trainable": kwargs.get("trainable", True)}


@tf_export("keras.layers.SimpleRNN")
class SimpleRNN(CellForwardingRNN):
    def __init__(
        self,
        units,
        activation="tanh",
        use_bias=True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        kernel_regularizer=None,
        recurrent_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        dropout=0.0,
        recurrent_dropout=0.0,
        return_sequences=False,
        return_state=False,
        go_backwards=False,
        stateful=False,
        unroll=False,
        **kwargs,
    ):
        kwargs.pop("implementation", None)
        cell = SimpleRNNCell(
            units,
            activation=activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint,
            dropout=dropout,
            recurrent_dropout=recurrent_dropout,
            name="simple_rnn_cell",
            **cell_kwargs(kwargs),
        )
        super().__init__(
            cell,
            return_sequences=return_sequences,
            return_state=return_state,
            go_backwards=go_backwards,
            stateful=stateful,
            unroll=unroll,
            **kwargs,
        )
        self._after_init(activity_regularizer)

    def get_config(self):
        return self._layer_config(
            [
                "units",
                "activation",
                "use_bias",
                "kernel_initializer",
                "recurrent_initializer",
                "bias_initializer",
                "kernel_regularizer",
                "recurrent_regularizer",
                "bias_regularizer",
                "activity_regularizer",
                "kernel_constraint",
                "recurrent_constraint",
                "bias_constraint",
                "dropout",
                "recurrent_dropout",
            ]
        )
