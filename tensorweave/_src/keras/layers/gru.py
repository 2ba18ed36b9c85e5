"""`tf.keras.layers.GRUCell` and `GRU` (TF2 defaults: `reset_after=True`, a [2, 3 * units] bias of input and
recurrent parts; `reset_after=False` applies the reset gate before the recurrent matmul).

>>> import tensorweave as tf
>>> tf.keras.layers.GRU(4)(tf.ones([2, 3, 5])).shape
TensorShape([2, 4])
"""

from __future__ import annotations

from tensorweave._src.api_export import PublicNamespace, tf_export
from tensorweave._src.keras import activations
from tensorweave._src.keras.layers.base_recurrent import (
    CELL_ARGS,
    CellForwardingRNN,
    RNNCellBase,
    base_cell_args,
)
from tensorweave._src.util import nest

tf = PublicNamespace()


@tf_export("keras.layers.GRUCell")
class GRUCell(RNNCellBase):
    _gates = 3
    _config_keys = (
        CELL_ARGS[:2] + ("recurrent_activation",) + CELL_ARGS[2:] + ("implementation", "reset_after")
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
        kernel_regularizer=None,
        recurrent_regularizer=None,
        bias_regularizer=None,
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        dropout=0.0,
        recurrent_dropout=0.0,
        reset_after=True,
        **kwargs,
    ):
        implementation = kwargs.pop("implementation", 2)
        super().__init__(**base_cell_args(locals()))
        self.recurrent_activation = activations.get(recurrent_activation)
        self.implementation = 1 if self.recurrent_dropout != 0 and implementation != 1 else implementation
        self.reset_after = reset_after

    def _bias_shape(self) -> tuple:
        return (3 * self.units,) if not self.reset_after else (2, 3 * self.units)

    def call(self, inputs, states, training=None):
        h_tm1 = states[0] if nest.is_nested(states) else states
        dp_mask = self.get_dropout_mask_for_cell(inputs, training, count=3)
        rec_dp_mask = self.get_recurrent_dropout_mask_for_cell(h_tm1, training, count=3)
        u = self.units
        input_bias = recurrent_bias = None
        if self.use_bias:
            if not self.reset_after:
                input_bias = self.bias
            else:
                input_bias, recurrent_bias = tf.unstack(self.bias)
        if self.implementation == 1:
            xs = [inputs * m for m in dp_mask] if dp_mask is not None else [inputs] * 3
            x_z = tf.matmul(xs[0], self.kernel[:, :u])
            x_r = tf.matmul(xs[1], self.kernel[:, u : u * 2])
            x_h = tf.matmul(xs[2], self.kernel[:, u * 2 :])
            if self.use_bias:
                x_z = tf.nn.bias_add(x_z, input_bias[:u])
                x_r = tf.nn.bias_add(x_r, input_bias[u : u * 2])
                x_h = tf.nn.bias_add(x_h, input_bias[u * 2 :])
            hs = [h_tm1 * m for m in rec_dp_mask] if rec_dp_mask is not None else [h_tm1] * 3
            recurrent_z = tf.matmul(hs[0], self.recurrent_kernel[:, :u])
            recurrent_r = tf.matmul(hs[1], self.recurrent_kernel[:, u : u * 2])
            if self.reset_after and self.use_bias:
                recurrent_z = tf.nn.bias_add(recurrent_z, recurrent_bias[:u])
                recurrent_r = tf.nn.bias_add(recurrent_r, recurrent_bias[u : u * 2])
            z = self.recurrent_activation(x_z + recurrent_z)
            r = self.recurrent_activation(x_r + recurrent_r)
            if self.reset_after:
                recurrent_h = tf.matmul(hs[2], self.recurrent_kernel[:, u * 2 :])
                if self.use_bias:
                    recurrent_h = tf.nn.bias_add(recurrent_h, recurrent_bias[u * 2 :])
                recurrent_h = r * recurrent_h
            else:
                recurrent_h = tf.matmul(r * hs[2], self.recurrent_kernel[:, u * 2 :])
        else:
            if dp_mask is not None:
                inputs = inputs * dp_mask[0]
            matrix_x = tf.matmul(inputs, self.kernel)
            if self.use_bias:
                matrix_x = tf.nn.bias_add(matrix_x, input_bias)
            x_z, x_r, x_h = tf.split(matrix_x, 3, axis=-1)
            if self.reset_after:
                matrix_inner = tf.matmul(h_tm1, self.recurrent_kernel)
                if self.use_bias:
                    matrix_inner = tf.nn.bias_add(matrix_inner, recurrent_bias)
            else:
                matrix_inner = tf.matmul(h_tm1, self.recurrent_kernel[:, : 2 * u])
            recurrent_z, recurrent_r, recurrent_h = tf.split(matrix_inner, [u, u, -1], axis=-1)
            z = self.recurrent_activation(x_z + recurrent_z)
            r = self.recurrent_activation(x_r + recurrent_r)
            if self.reset_after:
                recurrent_h = r * recurrent_h
            else:
                recurrent_h = tf.matmul(r * h_tm1, self.recurrent_kernel[:, 2 * u :])
        hh = self.activation(x_h + recurrent_h)
        h = z * h_tm1 + (1 - z) * hh
        return h, ([h] if nest.is_nested(states) else h)


@tf_export("keras.layers.GRU")
class GRU(CellForwardingRNN):
    _cell_class = GRUCell
    _cell_name = "gru_cell"

    def __init__(
        self,
        units,
        activation="tanh",
        recurrent_activation="sigmoid",
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
        time_major=False,
        reset_after=True,
        **kwargs,
    ):
        self._init_with_cell(locals())  # the signature is Keras's; the forwarding is shared
