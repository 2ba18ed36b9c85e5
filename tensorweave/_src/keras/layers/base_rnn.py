"""`tf.keras.layers.RNN`: runs a cell over the time axis (tf_keras `RNN` and `backend.rnn`), with masks,
`go_backwards`, `return_sequences`, `return_state`, `initial_state`, `stateful`, `time_major`, `unroll`.

The loop: with a static number of time steps (always the case eagerly) the steps are unrolled in Python,
which computes what TF's `tf.while_loop` computes; with an unknown number of steps (a functional model on
`Input((None, features))`, a relaxed tf.function) it runs as `tf.while_loop` over TensorArrays.

>>> import tensorweave as tf
>>> rnn = tf.keras.layers.RNN(tf.keras.layers.SimpleRNNCell(4), return_sequences=True)
>>> rnn(tf.ones([2, 3, 5])).shape
TensorShape([2, 3, 4])
"""

from __future__ import annotations

from tensorweave._src.api_export import PublicNamespace, tf_export
from tensorweave._src.core.shape import TensorShape
from tensorweave._src.keras.engine.base_layer import Layer
from tensorweave._src.keras.engine.input_spec import InputSpec
from tensorweave._src.keras.engine.keras_tensor import KerasTensor
from tensorweave._src.keras.layers import _utils
from tensorweave._src.util import nest

tf = PublicNamespace()


# ---- rnn_utils ------------------------------------------------------------------------------------------
def is_multiple_state(state_size) -> bool:
    return hasattr(state_size, "__len__") and not isinstance(state_size, TensorShape)


def generate_zero_filled_state(batch_size, state_size, dtype):
    def create_zeros(size):
        dims = TensorShape(size).as_list()
        return tf.zeros(
            tf.stack([batch_size] + dims) if not isinstance(batch_size, int) else [batch_size] + dims,
            dtype=dtype,
        )

    if nest.is_nested(state_size):
        return nest.map_structure(create_zeros, state_size)
    return create_zeros(state_size)


def generate_zero_filled_state_for_cell(cell, inputs, batch_size, dtype):
    if inputs is not None:
        batch_size = tf.shape(inputs)[0]
        dtype = inputs.dtype
    return generate_zero_filled_state(batch_size, cell.state_size, dtype)


class DropoutRNNCellMixin:
    """Dropout masks made once per RNN call (the same mask at every time step), as tf_keras's mixin."""

    def _init_dropout_masks(self):
        object.__setattr__(self, "_dropout_mask_cache", None)
        object.__setattr__(self, "_recurrent_dropout_mask_cache", None)

    def reset_dropout_mask(self):
        object.__setattr__(self, "_dropout_mask_cache", None)

    def reset_recurrent_dropout_mask(self):
        object.__setattr__(self, "_recurrent_dropout_mask_cache", None)

    def _make_mask(self, inputs, rate, training, count):
        if not _utils.training_value(training):
            return None
        ones = tf.ones_like(inputs)
        masks = [tf.nn.dropout(ones, rate=rate) for _ in range(count)]
        return masks if count > 1 else masks[0]

    def get_dropout_mask_for_cell(self, inputs, training, count=1):
        if self.dropout == 0:
            return None
        if getattr(self, "_dropout_mask_cache", None) is None:
            object.__setattr__(
                self, "_dropout_mask_cache", ("set", self._make_mask(inputs, self.dropout, training, count))
            )
        return self._dropout_mask_cache[1]

    def get_recurrent_dropout_mask_for_cell(self, inputs, training, count=1):
        if self.recurrent_dropout == 0:
            return None
        if getattr(self, "_recurrent_dropout_mask_cache", None) is None:
            object.__setattr__(
                self,
                "_recurrent_dropout_mask_cache",
                ("set", self._make_mask(inputs, self.recurrent_dropout, training, count)),
            )
        return self._recurrent_dropout_mask_cache[1]


# ---- backend.rnn ----------------------------------------------------------------------------------------
def _swap_batch_time(x):
    axes = list(range(x.shape.rank))
    axes[0], axes[1] = 1, 0
    return tf.transpose(x, axes)


def _expand_mask(mask_t, x):
    """[batch] bool mask -> broadcastable against `x` ([batch, ...])."""
    for _ in range(x.shape.rank - mask_t.shape.rank):
        mask_t = tf.expand_dims(mask_t, -1)
    return mask_t


def rnn(
    step_function,
    inputs,
    initial_states,
    go_backwards=False,
    mask=None,
    constants=None,
    unroll=False,
    input_length=None,
    time_major=False,
    zero_output_for_mask=False,
    return_all_outputs=True,
):
    """`backend.rnn`: returns (last_output, outputs, new_states); outputs batch-major unless time_major."""
    if not time_major:
        inputs = nest.map_structure(_swap_batch_time, inputs)
    flat_inputs = nest.flatten(inputs)
    time_steps = flat_inputs[0].shape[0]
    if mask is not None:
        if mask.dtype != tf.bool:
            mask = tf.cast(mask, tf.bool)
        if mask.shape.rank == 2:
            mask = tf.expand_dims(mask, -1)
        if not time_major:
            mask = _swap_batch_time(mask)
        mask = mask[..., 0] if mask.shape.rank == 3 and mask.shape[-1] == 1 else mask
    constants = list(constants or [])
    if go_backwards:
        flat_inputs = [tf.reverse(x, [0]) for x in flat_inputs]
        if mask is not None:
            mask = tf.reverse(mask, [0])
    states = tuple(initial_states)

    def one_step(inputs_t, mask_t, states, prev_output):
        output, new_states = step_function(
            nest.pack_sequence_as(inputs, inputs_t), tuple(states) + tuple(constants)
        )
        if mask_t is not None:
            masked_prev = tf.zeros_like(output) if zero_output_for_mask else prev_output
            if masked_prev is None:
                masked_prev = tf.zeros_like(output)
            output = tf.where(_expand_mask(mask_t, output), output, masked_prev)
            flat_states = nest.flatten(states)
            flat_new = nest.flatten(new_states)
            final = [tf.where(_expand_mask(mask_t, s), s, ps) for s, ps in zip(flat_new, flat_states)]
            new_states = nest.pack_sequence_as(new_states, final)
        return output, new_states

    if time_steps is not None:
        per_step = [tf.unstack(x, num=time_steps) for x in flat_inputs]
        masks = tf.unstack(mask, num=time_steps) if mask is not None else [None] * time_steps
        outputs_list = []
        prev_output = None
        for t in range(time_steps):
            output, states = one_step([p[t] for p in per_step], masks[t], states, prev_output)
            states = tuple(nest.flatten(states)) if nest.is_nested(states) else (states,)
            prev_output = output
            if return_all_outputs or t == time_steps - 1:
                outputs_list.append(output)
        last_output = outputs_list[-1]
        outputs = tf.stack(outputs_list)
    else:
        n = tf.shape(flat_inputs[0])[0]
        input_tas = [tf.TensorArray(x.dtype, size=n).unstack(x) for x in flat_inputs]
        mask_ta = tf.TensorArray(tf.bool, size=n).unstack(mask) if mask is not None else None
        output_zero, _ = step_function(
            nest.pack_sequence_as(inputs, [x[0] for x in flat_inputs]), states + tuple(constants)
        )
        out_ta = tf.TensorArray(
            output_zero.dtype, size=n if return_all_outputs else 1, element_shape=output_zero.shape
        )

        def body(t, out_ta, prev_output, *states):
            inputs_t = [ta.read(t) for ta in input_tas]
            mask_t = mask_ta.read(t) if mask_ta is not None else None
            output, new_states = one_step(inputs_t, mask_t, states, prev_output)
            new_states = tuple(nest.flatten(new_states))
            new_states = tuple(tf.ensure_shape(s, old.shape) for s, old in zip(new_states, states))
            out_ta = out_ta.write(t if return_all_outputs else 0, output)
            return (t + 1, out_ta, output) + new_states

        final = tf.while_loop(
            lambda t, *_: t < n, body, (tf.constant(0), out_ta, tf.zeros_like(output_zero)) + states
        )
        states = tuple(final[3:])
        outputs = final[1].stack()
        last_output = outputs[-1]
    if not time_major:
        outputs = _swap_batch_time(outputs)
    return last_output, outputs, list(states)


# ---- the layer ------------------------------------------------------------------------------------------
@tf_export("keras.layers.RNN")
class RNN(Layer):
    def __init__(
        self,
        cell,
        return_sequences=False,
        return_state=False,
        go_backwards=False,
        stateful=False,
        unroll=False,
        time_major=False,
        **kwargs,
    ):
        if isinstance(cell, (list, tuple)):
            from tensorweave._src.keras.layers.stacked_rnn_cells import StackedRNNCells

            cell = StackedRNNCells(cell)
        if "call" not in dir(cell):
            raise ValueError(f"Argument `cell` should have a `call` method. The RNN was passed: cell={cell}")
        if "state_size" not in dir(cell):
            raise ValueError(
                "The RNN cell should have a `state_size` attribute (tuple of integers, one integer "
                f"per RNN state). Received: cell={cell}"
            )
        self.zero_output_for_mask = kwargs.pop("zero_output_for_mask", False)
        if "input_shape" not in kwargs and ("input_dim" in kwargs or "input_length" in kwargs):
            kwargs["input_shape"] = (kwargs.pop("input_length", None), kwargs.pop("input_dim", None))
        super().__init__(**kwargs)
        self.cell = cell
        self.return_sequences = return_sequences
        self.return_state = return_state
        self.go_backwards = go_backwards
        self.stateful = stateful
        self.unroll = unroll
        self.time_major = time_major
        self.supports_masking = True
        self.input_spec = None
        self.state_spec = None
        self._states = None
        self.constants_spec = None
        self._num_constants = 0

    @property
    def states(self):
        if self._states is None:
            state = nest.map_structure(lambda _: None, self.cell.state_size)
            return state if nest.is_nested(self.cell.state_size) else [state]
        return self._states

    @states.setter
    def states(self, states):
        object.__setattr__(self, "_states", states)  # not tracked as weights (as tf_keras)

    def _state_sizes(self):
        return (
            list(self.cell.state_size) if is_multiple_state(self.cell.state_size) else [self.cell.state_size]
        )

    def compute_output_shape(self, input_shape):
        if (
            isinstance(input_shape, list)
            and input_shape
            and not isinstance(input_shape[0], (int, type(None)))
        ):
            input_shape = input_shape[0]
        input_shape = TensorShape(input_shape)
        batch, time_step = input_shape[0], input_shape[1]
        if self.time_major:
            batch, time_step = time_step, batch
        state_size = self._state_sizes()

        def output_shape_for(size):
            dims = TensorShape(size).as_list()
            if self.return_sequences:
                return TensorShape(
                    [time_step, batch] + dims if self.time_major else [batch, time_step] + dims
                )
            return TensorShape([batch] + dims)

        if getattr(self.cell, "output_size", None) is not None:
            out = nest.flatten(nest.map_structure(output_shape_for, self.cell.output_size))
            out = out[0] if len(out) == 1 else out
        else:
            out = output_shape_for(state_size[0])
        if self.return_state:
            states = [TensorShape([batch] + TensorShape(s).as_list()) for s in nest.flatten(state_size)]
            return (out if isinstance(out, list) else [out]) + states
        return out

    def compute_mask(self, inputs, mask):
        mask = nest.flatten(mask)[0] if mask is not None else None
        output_mask = mask if self.return_sequences else None
        if self.return_state:
            return [output_mask] + [None for _ in self.states]
        return output_mask

    def build(self, input_shape):
        if isinstance(input_shape, (list, tuple)) and input_shape and isinstance(input_shape[0], TensorShape):
            input_shape = input_shape[0]
        input_shape = TensorShape(input_shape)
        spec_shape = input_shape.as_list()
        batch_index, time_index = (1, 0) if self.time_major else (0, 1)
        if not self.stateful:
            spec_shape[batch_index] = None
        spec_shape[time_index] = None
        self.input_spec = [InputSpec(shape=tuple(spec_shape))]
        dims = input_shape.as_list()
        step_input_shape = TensorShape(dims[1:] if self.time_major else [dims[0]] + dims[2:])
        if isinstance(self.cell, Layer) and not self.cell.built:
            with tf.name_scope(self.cell.name):
                self.cell.build(step_input_shape)
                self.cell.built = True
        if self.stateful:
            self.reset_states()
        self.built = True

    def get_initial_state(self, inputs):
        get_initial_state_fn = getattr(self.cell, "get_initial_state", None)
        if nest.is_nested(inputs):
            inputs = nest.flatten(inputs)[0]
        shape = tf.shape(inputs)
        batch_size = shape[1] if self.time_major else shape[0]
        if get_initial_state_fn:
            init_state = get_initial_state_fn(inputs=None, batch_size=batch_size, dtype=inputs.dtype)
        else:
            init_state = generate_zero_filled_state(batch_size, self.cell.state_size, inputs.dtype)
        if not nest.is_nested(init_state):
            init_state = [init_state]
        return list(init_state)

    def __call__(self, inputs, initial_state=None, constants=None, **kwargs):
        inputs, initial_state, constants = _standardize_args(
            inputs, initial_state, constants, self._num_constants
        )
        if initial_state is None and constants is None:
            return super().__call__(inputs, **kwargs)
        additional = list(initial_state or []) + list(constants or [])
        if constants is not None:
            self._num_constants = len(constants)
        is_keras = [isinstance(t, KerasTensor) for t in nest.flatten(additional)]
        if any(is_keras) and not all(is_keras):
            raise ValueError(
                "The initial state or constants of an RNN layer cannot be specified via a mix of TF-Keras "
                "tensors "
                'and non-Keras tensors (a "Keras tensor" is a tensor that was returned by a TF-Keras layer  '
                'or '
                "by `Input` during Functional model construction). Received: "
                f"initial_state={initial_state}, constants={constants}"
            )
        if all(is_keras) and (is_keras or isinstance(inputs, KerasTensor)):
            # states and constants travel as extra inputs of the node, as tf_keras does
            if not self.built:
                self._maybe_build(inputs)
            spec = self.input_spec
            self.input_spec = None
            try:
                return super().__call__([inputs] + additional, **kwargs)
            finally:
                self.input_spec = spec
        if initial_state is not None:
            kwargs["initial_state"] = initial_state
        if constants is not None:
            kwargs["constants"] = constants
        return super().__call__(inputs, **kwargs)

    def _maybe_build(self, inputs):
        if isinstance(inputs, list) and not self.built:
            inputs = inputs[0]
        super()._maybe_build(inputs)

    def _process_inputs(self, inputs, initial_state, constants):
        if isinstance(inputs, list):
            if not self._num_constants:
                initial_state = inputs[1:]
            else:
                initial_state = inputs[1 : -self._num_constants]
                constants = inputs[-self._num_constants :]
            if len(initial_state) == 0:
                initial_state = None
            inputs = inputs[0]
        if self.stateful:
            if initial_state is None:
                initial_state = self.states
            initial_state = [
                tf.cast(tf.convert_to_tensor(v), self.dtype) for v in nest.flatten(initial_state)
            ]
        elif initial_state is None:
            initial_state = self.get_initial_state(inputs)
        object.__setattr__(
            self,
            "_state_structure",
            list(initial_state) if isinstance(initial_state, (list, tuple)) else [initial_state],
        )
        initial_state = list(nest.flatten(initial_state))
        if len(initial_state) != len(nest.flatten(self.states)):
            raise ValueError(
                f"Layer has {len(nest.flatten(self.states))} states but was passed "
                f"{len(initial_state)} initial states. Received: initial_state={initial_state}"
            )
        return inputs, initial_state, constants

    def _maybe_reset_cell_dropout_mask(self, cell):
        if isinstance(cell, DropoutRNNCellMixin):
            cell.reset_dropout_mask()
            cell.reset_recurrent_dropout_mask()

    def _step_kwargs(self, training):
        import inspect

        params = inspect.signature(self.cell.call).parameters
        return {"training": training} if "training" in params else {}

    def call(self, inputs, mask=None, training=None, initial_state=None, constants=None):
        inputs, initial_state, constants = self._process_inputs(inputs, initial_state, constants)
        self._maybe_reset_cell_dropout_mask(self.cell)
        for cell in getattr(self.cell, "cells", []):
            self._maybe_reset_cell_dropout_mask(cell)
        if mask is not None:
            mask = nest.flatten(mask)[0]
        input_shape = nest.flatten(inputs)[0].shape.as_list()
        timesteps = input_shape[0] if self.time_major else input_shape[1]
        if self.unroll and timesteps is None:
            raise ValueError(
                "Cannot unroll a RNN if the time dimension is undefined. \n- If using a Sequential model, "
                "specify "
                "the time dimension by passing an `input_shape` or `batch_input_shape` argument to your "
                "first "
                "layer. If your first layer is an Embedding, you can also use the `input_length` "
                "argument.\n- If "
                "using the functional API, specify the time dimension by passing a `shape` or `batch_shape` "
                "argument to your Input layer."
            )
        kwargs = self._step_kwargs(training)
        num_constants = self._num_constants
        cell = self.cell

        def step(step_inputs, states):
            if constants:
                consts = states[-num_constants:]
                states = states[:-num_constants]
                output, new_states = cell(step_inputs, list(states), constants=list(consts), **kwargs)
            else:
                output, new_states = cell(step_inputs, list(states), **kwargs)
            if not nest.is_nested(new_states):
                new_states = [new_states]
            return output, new_states

        last_output, outputs, states = rnn(
            step,
            inputs,
            initial_state,
            constants=constants,
            go_backwards=self.go_backwards,
            mask=mask,
            unroll=self.unroll,
            input_length=timesteps,
            time_major=self.time_major,
            zero_output_for_mask=self.zero_output_for_mask,
            return_all_outputs=self.return_sequences,
        )
        if self.stateful:
            for var, state in zip(nest.flatten(self.states), nest.flatten(states)):
                var.assign(tf.cast(state, var.dtype))
        output = outputs if self.return_sequences else last_output
        if self.return_state:
            return [output] + list(nest.pack_sequence_as(self._state_structure, nest.flatten(states)))
        return output

    def reset_states(self, states=None):
        if not self.stateful:
            raise AttributeError("Layer must be stateful.")
        spec_shape = None
        if self.input_spec is not None:
            spec_shape = nest.flatten(self.input_spec[0])[0].shape
        batch_size = None if spec_shape is None else (spec_shape[1] if self.time_major else spec_shape[0])
        if not batch_size:
            raise ValueError(
                "If a RNN is stateful, it needs to know its batch size. Specify the batch size of your input "
                "tensors: \n- If using a Sequential model, specify the batch size by passing a "
                "`batch_input_shape` "
                "argument to your first layer.\n- If using the functional API, specify the batch size by "
                "passing a "
                "`batch_shape` argument to your Input layer."
            )
        sizes = nest.flatten(self.cell.state_size)
        if nest.flatten(self.states)[0] is None:
            self.states = [
                tf.Variable(
                    tf.zeros([batch_size] + TensorShape(s).as_list(), dtype=self.dtype), trainable=False
                )
                for s in sizes
            ]
        elif states is None:
            for var, size in zip(nest.flatten(self.states), sizes):
                var.assign(tf.zeros([batch_size] + TensorShape(size).as_list(), dtype=var.dtype))
        else:
            states = nest.flatten(states)
            current = nest.flatten(self.states)
            if len(states) != len(current):
                raise ValueError(
                    f"Layer {self.name} expects {len(current)} states, but it received "
                    f"{len(states)} state values. States received: {states}"
                )
            for index, (value, var) in enumerate(zip(states, current)):
                var.assign(value)

    def get_config(self):
        from tensorweave._src.keras.engine.serialization import serialize_layer

        config = {
            "return_sequences": self.return_sequences,
            "return_state": self.return_state,
            "go_backwards": self.go_backwards,
            "stateful": self.stateful,
            "unroll": self.unroll,
            "time_major": self.time_major,
        }
        if self._num_constants:
            config["num_constants"] = self._num_constants
        if self.zero_output_for_mask:
            config["zero_output_for_mask"] = self.zero_output_for_mask
        config["cell"] = _serialize_cell(self.cell, serialize_layer)
        base = super().get_config()
        return dict(list(base.items()) + list(config.items()))

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from tensorweave._src.keras.engine.serialization import deserialize_layer

        config = dict(config)
        cell = deserialize_layer(config.pop("cell"), custom_objects=custom_objects)
        num_constants = config.pop("num_constants", 0)
        layer = cls(cell, **config)
        layer._num_constants = num_constants
        return layer


def _serialize_cell(cell, serialize_layer):
    out = serialize_layer(cell)
    out.pop("build_config", None)
    return out


def _standardize_args(inputs, initial_state, constants, num_constants):
    """`rnn_utils.standardize_args`: a list input carries [inputs, *initial_state, *constants]."""
    if isinstance(inputs, list):
        if initial_state is not None or constants is not None:
            raise ValueError(
                f"When passing `inputs` as a list, `initial_state` and `constants` must be None. "
                f"Received: initial_state={initial_state}, constants={constants}"
            )
        if num_constants:
            constants = inputs[-num_constants:]
            inputs = inputs[:-num_constants]
        if len(inputs) > 1:
            initial_state = inputs[1:]
            inputs = inputs[:1]
        if len(inputs) > 1:
            inputs = tuple(inputs)
        else:
            inputs = inputs[0]

    def to_list_or_none(x):
        if x is None or isinstance(x, list):
            return x
        if isinstance(x, tuple):
            return list(x)
        return [x]

    return inputs, to_list_or_none(initial_state), to_list_or_none(constants)
