"""`tf.keras.layers.SimpleRNNCell` and `SimpleRNN`:
`h_t = activation(x_t @ kernel + h_{t-1} @ recurrent_kernel + bias)`.

>>> import tensorweave as tf
>>> tf.keras.layers.SimpleRNN(4)(tf.ones([2, 3, 5])).shape
TensorShape([2, 4])
"""

from __future__ import annotations

from tensorweave._src.api_export import PublicNamespace, tf_export
from tensorweave._src.keras.layers.base_recurrent import CellForwardingRNN, RNNCellBase, base_cell_args
from tensorweave._src.util import nest

tf = PublicNamespace()


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
        super().__init__(**base_cell_args(locals()))

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


@tf_export("keras.layers.SimpleRNN")
class SimpleRNN(CellForwardingRNN):
    _cell_class = SimpleRNNCell
    _cell_name = "simple_rnn_cell"

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
        self._init_with_cell(locals())  # the signature is Keras's; the forwarding is shared
