"""`tf.keras.layers.EinsumDense`: a dense layer written as an einsum (`equation` like "ab,bc->ac"), used by
MultiHeadAttention's projections.

>>> import tensorweave as tf
>>> tf.keras.layers.EinsumDense("abc,cde->abde", output_shape=(None, 2, 4), bias_axes="de")(
...     tf.ones([1, 3, 5])).shape
TensorShape([1, 3, 2, 4])
"""

from __future__ import annotations

import re

from tensorweave._src.api_export import PublicNamespace, tf_export
from tensorweave._src.core.shape import TensorShape
from tensorweave._src.keras import activations, constraints, initializers, regularizers
from tensorweave._src.keras.engine.base_layer import Layer
from tensorweave._src.keras.layers.base_conv import maybe_serialize

tf = PublicNamespace()


@tf_export("keras.layers.EinsumDense")
class EinsumDense(Layer):
    def __init__(
        self,
        equation,
        output_shape,
        activation=None,
        bias_axes=None,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
        **kwargs,
    ):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.equation = equation
        self.partial_output_shape = [output_shape] if isinstance(output_shape, int) else list(output_shape)
        self.bias_axes = bias_axes
        self.activation = activations.get(activation)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)

    def build(self, input_shape):
        input_shape = TensorShape(input_shape)
        kernel_shape, bias_shape, self.full_output_shape = _analyze_einsum_string(
            self.equation, self.bias_axes, input_shape, self.partial_output_shape
        )
        self.kernel = self.add_weight(
            "kernel",
            shape=kernel_shape,
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
            dtype=self.dtype,
            trainable=True,
        )
        if bias_shape is not None:
            self.bias = self.add_weight(
                "bias",
                shape=bias_shape,
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
                dtype=self.dtype,
                trainable=True,
            )
        else:
            self.bias = None
        self.built = True

    def compute_output_shape(self, _):
        return TensorShape(self.full_output_shape)

    def get_config(self):
        config = {
            "output_shape": tuple(self.partial_output_shape),  # tf_keras tracks it as a ListWrapper
            "equation": self.equation,
            "activation": activations.serialize(self.activation),
            "bias_axes": self.bias_axes,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": maybe_serialize(regularizers.serialize, self.kernel_regularizer),
            "bias_regularizer": maybe_serialize(regularizers.serialize, self.bias_regularizer),
            "activity_regularizer": maybe_serialize(regularizers.serialize, self.activity_regularizer),
            "kernel_constraint": maybe_serialize(constraints.serialize, self.kernel_constraint),
            "bias_constraint": maybe_serialize(constraints.serialize, self.bias_constraint),
        }
        base = super().get_config()
        return dict(list(base.items()) + list(config.items()))

    def call(self, inputs):
        ret = tf.einsum(self.equation, inputs, self.kernel)
        if self.bias is not None:
            ret += self.bias
        if self.activation is not None:
            ret = self.activation(ret)
        return ret


def _analyze_einsum_string(equation, bias_axes, input_shape, output_shape):
    dot_replaced = re.sub(r"\.\.\.", "0", equation)
    split = re.match("([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)", dot_replaced)
    if split:
        return _analyze_split_string(split, bias_axes, input_shape, output_shape)
    split = re.match("0([a-zA-Z]+),([a-zA-Z]+)->0([a-zA-Z]+)", dot_replaced)
    if split:
        return _analyze_split_string(split, bias_axes, input_shape, output_shape, left_elided=True)
    split = re.match("([a-zA-Z]{2,})0,([a-zA-Z]+)->([a-zA-Z]+)0", dot_replaced)
    if split:
        return _analyze_split_string(split, bias_axes, input_shape, output_shape)
    raise ValueError(
        f"Invalid einsum equation '{equation}'. Equations must be in the form [X],[Y]->[Z], "
        "...[X],[Y]->...[Z], or [X]...,[Y]->[Z]...."
    )


def _analyze_split_string(split_string, bias_axes, input_shape, output_shape, left_elided=False):
    input_spec, weight_spec, output_spec = split_string.group(1), split_string.group(2), split_string.group(3)
    input_shape = TensorShape(input_shape).as_list()
    elided = len(input_shape) - len(input_spec)
    output_shape = [output_shape] if isinstance(output_shape, int) else list(output_shape)
    output_shape.insert(0, input_shape[0])
    if elided > 0 and left_elided:
        for i in range(1, elided):
            output_shape.insert(1, input_shape[i])
    elif elided > 0 and not left_elided:
        for i in range(len(input_shape) - elided, len(input_shape)):
            output_shape.append(input_shape[i])
    if left_elided:
        input_dim_map = {dim: (i + elided) - len(input_shape) for i, dim in enumerate(input_spec)}
        output_dim_map = {dim: (i + elided) for i, dim in enumerate(output_spec)}
    else:
        input_dim_map = {dim: i for i, dim in enumerate(input_spec)}
        output_dim_map = {dim: i for i, dim in enumerate(output_spec)}
    for dim in input_spec:
        input_at = input_shape[input_dim_map[dim]]
        if dim in output_dim_map:
            output_at = output_shape[output_dim_map[dim]]
            if output_at is not None and output_at != input_at:
                raise ValueError(
                    f"Input shape and output shape do not match at shared dimension '{dim}'. Input "
                    f"shape is {input_at}, and output shape is {output_shape[output_dim_map[dim]]}."
                )
    for dim in output_spec:
        if dim not in input_spec and dim not in weight_spec:
            raise ValueError(
                f"Dimension '{dim}' was specified in the output '{output_spec}' but has no "
                f"corresponding dim in the input spec '{input_spec}' or weight spec '{output_spec}'"
            )
    weight_shape = []
    for dim in weight_spec:
        if dim in input_dim_map:
            weight_shape.append(input_shape[input_dim_map[dim]])
        elif dim in output_dim_map:
            weight_shape.append(output_shape[output_dim_map[dim]])
        else:
            raise ValueError(
                f"Weight dimension '{dim}' did not have a match in either the input spec "
                f"'{input_spec}' or the output spec '{output_spec}'. For this layer, the weight must "
                "be fully specified."
            )
    if bias_axes is not None:
        num_left_elided = elided if left_elided else 0
        idx_map = {char: output_shape[i + num_left_elided] for i, char in enumerate(output_spec)}
        for char in bias_axes:
            if char not in output_spec:
                raise ValueError(
                    f"Bias dimension '{char}' was requested, but is not part of the output spec "
                    f"'{output_spec}'"
                )
        first = min(output_spec.find(char) for char in bias_axes)
        bias_shape = [idx_map[char] if char in bias_axes else 1 for char in output_spec[first:]]
        if not left_elided:
            bias_shape += [1] * elided
    else:
        bias_shape = None
    return weight_shape, bias_shape, output_shape
