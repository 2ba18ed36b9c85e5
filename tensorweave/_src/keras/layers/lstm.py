"""`tf.keras.layers.LSTMCell` and `LSTM` (TF2's LSTM: gates i, f, c, o; `unit_forget_bias`;
`implementation` 1 splits the gates, 2 fuses them into one matmul).

>>> import tensorweave as tf
>>> tf.keras.layers.LSTM(4, return_sequences=True)(tf.ones([2, 3, 5])).shape
TensorShape([2, 3, 4])
"""

from __future__ import annotations

from tensorweave._src.api_export import PublicNamespace, tf_export
from tensorweave._src.keras import activations, initializers
from tensorweave._src.keras.layers.base_recurrent import (
    CELL_ARGS,
    CellForwardingRNN,
    RNNCellBase,
    base_cell_args,
)

tf = PublicNamespace()


@tf_export("keras.layers.LSTMCell")
class LSTMCell(RNNCellBase):
    _gates = 4
    _config_keys = (
        CELL_ARGS[:2]
        + ("recurrent_activation",)
        + CELL_ARGS[2:6]
        + ("unit_forget_bias",)
        + CELL_ARGS[6:]
        + ("implementation",)
    )

    def __init__(
        self,
        units,
        activation="tanh",
        recurrent_activation="sigmoid",
        use_bias=True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        unit_forget_bias=True,
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
        implementation = kwargs.pop("implementation", 2)
        super().__init__(**base_cell_args(locals()))
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = unit_forget_bias
        self.implementation = 1 if self.recurrent_dropout != 0 and implementation != 1 else implementation
        self.state_size = [self.units, self.units]

    def _bias_initializer(self):
        if not self.unit_forget_bias:
            return self.bias_initializer
        init = self.bias_initializer
        units = self.units

        def bias_initializer(_, *args, **kwargs):  # the forget gate's bias starts at one
            return tf.concat(
                [
                    init((units,), *args, **kwargs),
                    initializers.get("ones")((units,), *args, **kwargs),
                    init((units * 2,), *args, **kwargs),
                ],
                0,
            )

        return bias_initializer

    def call(self, inputs, states, training=None):
        h_tm1, c_tm1 = states[0], states[1]
        dp_mask = self.get_dropout_mask_for_cell(inputs, training, count=4)
        rec_dp_mask = self.get_recurrent_dropout_mask_for_cell(h_tm1, training, count=4)
        u = self.units
        if self.implementation == 1:
            xs = [inputs * m for m in dp_mask] if dp_mask is not None else [inputs] * 4
            k = tf.split(self.kernel, num_or_size_splits=4, axis=1)
            x = [tf.matmul(xi, ki) for xi, ki in zip(xs, k)]
            if self.use_bias:
                b = tf.split(self.bias, num_or_size_splits=4, axis=0)
                x = [tf.nn.bias_add(xi, bi) for xi, bi in zip(x, b)]
            hs = [h_tm1 * m for m in rec_dp_mask] if rec_dp_mask is not None else [h_tm1] * 4
            rk = self.recurrent_kernel
            i = self.recurrent_activation(x[0] + tf.matmul(hs[0], rk[:, :u]))
            f = self.recurrent_activation(x[1] + tf.matmul(hs[1], rk[:, u : u * 2]))
            c = f * c_tm1 + i * self.activation(x[2] + tf.matmul(hs[2], rk[:, u * 2 : u * 3]))
            o = self.recurrent_activation(x[3] + tf.matmul(hs[3], rk[:, u * 3 :]))
        else:
            if dp_mask is not None:
                inputs = inputs * dp_mask[0]
            z = tf.matmul(inputs, self.kernel)
            z += tf.matmul(h_tm1, self.recurrent_kernel)
            if self.use_bias:
                z = tf.nn.bias_add(z, self.bias)
            z0, z1, z2, z3 = tf.split(z, num_or_size_splits=4, axis=1)
            i = self.recurrent_activation(z0)
            f = self.recurrent_activation(z1)
            c = f * c_tm1 + i * self.activation(z2)
            o = self.recurrent_activation(z3)
        h = o * self.activation(c)
        return h, [h, c]

    def get_initial_state(self, inputs=None, batch_size=None, dtype=None):
        return list(super().get_initial_state(inputs, batch_size, dtype))


@tf_export("keras.layers.LSTM")
class LSTM(CellForwardingRNN):
    _cell_class = LSTMCell
    _cell_name = "lstm_cell"

    def __init__(
        self,
        units,
        activation="tanh",
        recurrent_activation="sigmoid",
        use_bias=True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        unit_forget_bias=True,
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
        time_major=False,
        unroll=False,
        **kwargs,
    ):
        self._init_with_cell(locals())  # the signature is Keras's; the forwarding is shared
