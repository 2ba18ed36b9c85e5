"""Merge layers: `Add`, `Subtract`, `Multiply`, `Average`, `Maximum`, `Minimum`, `Concatenate`, `Dot`, and
their functional forms (`tf.keras.layers.add([a, b])`, `concatenate`, ...). Element-wise merges
broadcast inputs of different ranks by inserting axes after the batch axis, as Keras 2 does.

>>> import tensorweave as tf
>>> a, b = tf.keras.Input((3,)), tf.keras.Input((3,))
>>> tf.keras.layers.concatenate([a, b]).shape
TensorShape([None, 6])
"""

from __future__ import annotations

import operator

from tensorweave._src.api_export import PublicNamespace, tf_export
from tensorweave._src.core.shape import TensorShape
from tensorweave._src.keras.engine.base_layer import Layer

tf = PublicNamespace()


def _as_tuple(shape):
    shape = TensorShape(shape)
    return None if shape.rank is None else tuple(shape.as_list())


def _shape_list(input_shape):
    """A merge layer's input shapes as a list of tuples (or the argument itself when not a list)."""
    if (
        isinstance(input_shape, (list, tuple))
        and input_shape
        and not all(d is None or isinstance(d, int) for d in input_shape)
    ):
        return [_as_tuple(s) for s in input_shape]
    return input_shape


def _fold(inputs, op):
    """`op(...op(op(x0, x1), x2)..., xn)` over the merged inputs."""
    output = inputs[0]
    for x in inputs[1:]:
        output = op(output, x)
    return output


def _checked_masks(inputs, mask, received="Received: "):
    """`mask` after Keras's checks (a list as long as `inputs`), or None when no input has a mask.
    `received` is how the message introduces the mask (Concatenate writes it without the colon)."""
    if mask is None:
        return None
    if not isinstance(mask, (tuple, list)):
        raise ValueError(f"`mask` should be a list. {received}mask={mask}")
    if not isinstance(inputs, (tuple, list)):
        raise ValueError(f"`inputs` should be a list. Received: inputs={inputs}")
    if len(mask) != len(inputs):
        raise ValueError(
            f"The lists `inputs` and `mask` should have the same length. Received: "
            f"inputs={inputs} of length {len(inputs)}, and mask={mask} of length "
            f"{len(mask)}"
        )
    if all(m is None for m in mask):
        return None
    return mask


class _Merge(Layer):
    """Shared logic of the element-wise merge layers."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self._reshape_required = False

    def _merge_function(self, inputs):
        raise NotImplementedError

    def _compute_elemwise_op_output_shape(self, shape1, shape2):
        if None in [shape1, shape2]:
            return None
        if len(shape1) < len(shape2):
            return self._compute_elemwise_op_output_shape(shape2, shape1)
        if not shape2:
            return shape1
        output_shape = list(shape1[: -len(shape2)])
        for i, j in zip(shape1[-len(shape2) :], shape2):
            if i is None or j is None:
                output_shape.append(None)
            elif i == 1:
                output_shape.append(j)
            elif j == 1:
                output_shape.append(i)
            else:
                if i != j:
                    raise ValueError(
                        f"Inputs have incompatible shapes. Received shapes {shape1} and {shape2}"
                    )
                output_shape.append(i)
        return tuple(output_shape)

    def _merged_shape(self, input_shape):
        """The broadcast shape of the inputs without their batch axis."""
        output_shape = None if input_shape[0] is None else input_shape[0][1:]
        for shape in input_shape[1:]:
            output_shape = self._compute_elemwise_op_output_shape(
                output_shape, None if shape is None else shape[1:]
            )
        return output_shape

    def build(self, input_shape) -> None:
        input_shape = _shape_list(input_shape)
        if not isinstance(input_shape, list) or not isinstance(input_shape[0], tuple):
            raise ValueError(
                f"A merge layer should be called on a list of inputs. Received: "
                f"input_shape={_as_tuple(input_shape)} (not a list of shapes)"
            )
        if len(input_shape) < 1:
            raise ValueError(
                f"A merge layer should be called on a list of at least 1 input. Got "
                f"{len(input_shape)} inputs. Full input_shape received: {input_shape}"
            )
        batch_sizes = {s[0] for s in input_shape if s} - {None}
        if len(batch_sizes) > 1:
            raise ValueError(
                f"Cannot merge tensors with different batch sizes. Got tensors with shapes {input_shape}"
            )
        self._merged_shape(input_shape)  # raises on incompatible shapes
        self._reshape_required = not (None not in input_shape and len(set(map(len, input_shape))) == 1)
        self.built = True

    def call(self, inputs):
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(
                f"A merge layer should be called on a list of inputs. Received: inputs={inputs} "
                f"(not a list of tensors)"
            )
        if not self._reshape_required:
            return self._merge_function(inputs)
        ndims = [x.shape.rank for x in inputs]
        if None not in ndims:
            max_ndim = max(ndims)
            reshaped = []
            for x in inputs:
                for _ in range(max_ndim - x.shape.rank):
                    x = tf.expand_dims(x, axis=1)
                reshaped.append(x)
            return self._merge_function(reshaped)
        raise NotImplementedError("merging inputs of unknown rank")

    def compute_output_shape(self, input_shape):
        input_shape = _shape_list(input_shape)
        output_shape = self._merged_shape(input_shape)
        batch_sizes = {s[0] for s in input_shape if s is not None} - {None}
        batch = list(batch_sizes)[0] if len(batch_sizes) == 1 else None
        return TensorShape((batch,) + tuple(output_shape))

    def compute_mask(self, inputs, mask=None):
        mask = _checked_masks(inputs, mask)
        if mask is None:
            return None
        masks = [tf.expand_dims(m, axis=0) for m in mask if m is not None]
        return tf.reduce_all(tf.concat(masks, axis=0), axis=0)


@tf_export("keras.layers.Add")
class Add(_Merge):
    def _merge_function(self, inputs):
        return _fold(inputs, operator.add)


@tf_export("keras.layers.Subtract")
class Subtract(_Merge):
    def build(self, input_shape) -> None:
        super().build(input_shape)
        if len(input_shape) != 2:
            raise ValueError(
                f"A `Subtract` layer should be called on exactly 2 inputs. Received: "
                f"input_shape={_shape_list(input_shape)}"
            )

    def _merge_function(self, inputs):
        if len(inputs) != 2:
            raise ValueError(
                f"A `Subtract` layer should be called on exactly 2 inputs. Received: inputs={inputs}"
            )
        return inputs[0] - inputs[1]


@tf_export("keras.layers.Multiply")
class Multiply(_Merge):
    def _merge_function(self, inputs):
        return _fold(inputs, operator.mul)


@tf_export("keras.layers.Average")
class Average(_Merge):
    def _merge_function(self, inputs):
        return _fold(inputs, operator.add) / len(inputs)


@tf_export("keras.layers.Maximum")
class Maximum(_Merge):
    def _merge_function(self, inputs):
        return _fold(inputs, tf.maximum)


@tf_export("keras.layers.Minimum")
class Minimum(_Merge):
    def _merge_function(self, inputs):
        return _fold(inputs, tf.minimum)


@tf_export("keras.layers.Concatenate")
class Concatenate(_Merge):
    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def build(self, input_shape) -> None:
        input_shape = _shape_list(input_shape)
        if not isinstance(input_shape, list) or len(input_shape) < 1 or not isinstance(input_shape[0], tuple):
            raise ValueError(
                f"A `Concatenate` layer should be called on a list of at least 1 input. "
                f"Received: "
                f"input_shape={input_shape if isinstance(input_shape, list) else _as_tuple(input_shape)}"
            )
        self.built = True
        if all(shape is None for shape in input_shape):
            return
        reduced = [list(shape) for shape in input_shape]
        shape_set = set()
        for shape in reduced:
            del shape[self.axis]
            shape_set.add(tuple(shape))
        if len(shape_set) != 1:
            err_msg = (
                f"A `Concatenate` layer requires inputs with matching shapes except for the "
                f"concatenation "
                f"axis. Received: input_shape={input_shape}"
            )
            ranks = {len(shape) for shape in shape_set}
            if len(ranks) != 1:
                raise ValueError(err_msg)
            (rank,) = ranks
            for axis in range(rank):
                if len({shape[axis] for shape in shape_set if shape[axis] is not None}) > 1:
                    raise ValueError(err_msg)

    def _merge_function(self, inputs):
        return tf.concat(list(inputs), axis=self.axis)

    def compute_output_shape(self, input_shape):
        input_shape = _shape_list(input_shape)
        if not isinstance(input_shape, list) or not isinstance(input_shape[0], (tuple, list)):
            raise ValueError(
                f"A `Concatenate` layer should be called on a list of inputs. Received: "
                f"input_shape={input_shape}"
            )
        output_shape = list(input_shape[0])
        for shape in input_shape[1:]:
            if output_shape[self.axis] is None or shape[self.axis] is None:
                output_shape[self.axis] = None
                break
            output_shape[self.axis] += shape[self.axis]
        return TensorShape(output_shape)

    def compute_mask(self, inputs, mask=None):
        mask = _checked_masks(inputs, mask, received="Received ")
        if mask is None:
            return None
        masks = []
        for input_i, mask_i in zip(inputs, mask):
            if mask_i is None:
                masks.append(tf.ones_like(input_i, dtype=tf.bool))
            elif mask_i.shape.rank < input_i.shape.rank:
                masks.append(tf.expand_dims(mask_i, axis=-1))
            else:
                masks.append(mask_i)
        return tf.reduce_all(tf.concat(masks, axis=self.axis), axis=-1)

    def get_config(self) -> dict:
        config = super().get_config()
        config["axis"] = self.axis
        return config


def batch_dot(x, y, axes=None):
    """`keras.backend.batch_dot`: per-sample dot product of `x` and `y` over `axes`."""
    x_shape = tuple(x.shape.as_list())
    y_shape = tuple(y.shape.as_list())
    x_ndim, y_ndim = len(x_shape), len(y_shape)
    if x_ndim < 2 or y_ndim < 2:
        raise ValueError(
            f"Cannot do batch_dot on inputs with rank < 2. Received inputs with shapes "
            f"{x_shape} and "
            f"{y_shape}."
        )
    if x_shape[0] is not None and y_shape[0] is not None and x_shape[0] != y_shape[0]:
        raise ValueError(
            f"Cannot do batch_dot on inputs with different batch sizes. Received inputs with "
            f"shapes "
            f"{x_shape} and {y_shape}."
        )
    if isinstance(axes, int):
        axes = [axes, axes]
    if axes is None:
        axes = [x_ndim - 1, y_ndim - 1] if y_ndim == 2 else [x_ndim - 1, y_ndim - 2]
    axes = list(axes)
    if axes[0] < 0:
        axes[0] += x_ndim
    if axes[1] < 0:
        axes[1] += y_ndim
    if 0 in axes:
        raise ValueError(
            "Cannot perform batch_dot over axis 0. If your inputs are not batched, add a dummy "
            "batch "
            "dimension to your inputs using K.expand_dims(x, 0)"
        )
    a0, a1 = axes
    d1, d2 = x_shape[a0], y_shape[a1]
    if d1 is not None and d2 is not None and d1 != d2:
        raise ValueError(
            f"Cannot do batch_dot on inputs with shapes {x_shape} and {y_shape} with "
            f"axes={axes}. "
            f"x.shape[{axes[0]}] != y.shape[{axes[1]}] ({d1} != {d2})."
        )
    orig_x_ndim, orig_y_ndim = x_ndim, y_ndim
    if x_ndim == 2:
        x = tf.expand_dims(x, 1)
        a0 += 1
        x_ndim += 1
    if y_ndim == 2:
        y = tf.expand_dims(y, 2)
        y_ndim += 1
    if a0 != x_ndim - 1:
        pattern = list(range(x_ndim))
        for i in range(a0, x_ndim - 1):
            pattern[i] = pattern[i + 1]
        pattern[-1] = a0
        x = tf.transpose(x, pattern)
    if a1 != 1:
        pattern = list(range(y_ndim))
        for i in range(a1, 1, -1):
            pattern[i] = pattern[i - 1]
        pattern[1] = a1
        y = tf.transpose(y, pattern)
    x_squashed = y_squashed = False
    if x_ndim > 3:
        xs = tf.shape(x)
        x_mid_dims = xs[1:-1]
        x = tf.reshape(x, tf.stack([xs[0], tf.constant(-1), xs[-1]]))
        x_squashed = True
    if y_ndim > 3:
        ys = tf.shape(y)
        y_trail_dims = ys[2:]
        y = tf.reshape(y, tf.stack([ys[0], ys[1], tf.constant(-1)]))
        y_squashed = True
    result = tf.matmul(x, y)
    output_shape = tf.shape(result)
    if x_squashed or y_squashed:
        if x_squashed:
            output_shape = tf.concat([output_shape[:1], x_mid_dims, output_shape[-1:]], 0)
        if y_squashed:
            output_shape = tf.concat([output_shape[:-1], y_trail_dims], 0)
        result = tf.reshape(result, output_shape)
    if orig_x_ndim == 2:
        result = tf.squeeze(result, 1)
    elif orig_y_ndim == 2:
        result = tf.squeeze(result, -1)
    return result


@tf_export("keras.layers.Dot")
class Dot(_Merge):
    def __init__(self, axes, normalize=False, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(axes, int):
            if not isinstance(axes, (list, tuple)):
                raise TypeError(
                    f"Invalid type for argument `axes`: it should be a list or an int. Received: axes={axes}"
                )
            if len(axes) != 2:
                raise ValueError(
                    f"Invalid format for argument `axes`: it should contain two elements. "
                    f"Received: "
                    f"axes={axes}"
                )
            if not isinstance(axes[0], int) or not isinstance(axes[1], int):
                raise ValueError(
                    f"Invalid format for argument `axes`: list elements should be integers. "
                    f"Received: axes={axes}"
                )
        self.axes = axes
        self.normalize = normalize

    def _axes_for(self, ndim1, ndim2):
        if isinstance(self.axes, int):
            return [self.axes % ndim1, self.axes % ndim2] if self.axes < 0 else [self.axes] * 2
        return [a % n if a < 0 else a for a, n in zip(self.axes, (ndim1, ndim2))]

    def build(self, input_shape) -> None:
        input_shape = _shape_list(input_shape)
        if (
            not isinstance(input_shape, list)
            or not isinstance(input_shape[0], tuple)
            or len(input_shape) != 2
        ):
            raise ValueError(
                f"A `Dot` layer should be called on a list of 2 inputs. Received: "
                f"input_shape={input_shape if isinstance(input_shape, list) else _as_tuple(input_shape)}"
            )
        self.built = True
        shape1, shape2 = input_shape
        if shape1 is None or shape2 is None:
            return
        axes = self._axes_for(len(shape1), len(shape2)) if isinstance(self.axes, int) else self.axes
        if shape1[axes[0]] != shape2[axes[1]]:
            raise ValueError(
                f"Incompatible input shapes: axis values {shape1[axes[0]]} (at axis {axes[0]}) "
                f"!= "
                f"{shape2[axes[1]]} (at axis {axes[1]}). Full input shapes: {shape1}, {shape2}"
            )

    def _merge_function(self, inputs):
        if len(inputs) != 2:
            raise ValueError(f"A `Dot` layer should be called on exactly 2 inputs. Received: inputs={inputs}")
        x1, x2 = inputs
        axes = self._axes_for(x1.shape.rank, x2.shape.rank)
        if self.normalize:
            x1 = tf.linalg.l2_normalize(x1, axis=axes[0])
            x2 = tf.linalg.l2_normalize(x2, axis=axes[1])
        return batch_dot(x1, x2, axes)

    def compute_output_shape(self, input_shape):
        input_shape = _shape_list(input_shape)
        if not isinstance(input_shape, list) or len(input_shape) != 2:
            raise ValueError(
                f"A `Dot` layer should be called on a list of 2 inputs. Received: input_shape={input_shape}"
            )
        shape1, shape2 = list(input_shape[0]), list(input_shape[1])
        axes = self._axes_for(len(shape1), len(shape2)) if isinstance(self.axes, int) else self.axes
        shape1.pop(axes[0])
        shape2.pop(axes[1])
        shape2.pop(0)
        output_shape = shape1 + shape2
        if len(output_shape) == 1:
            output_shape += [1]
        return TensorShape(output_shape)

    def compute_mask(self, inputs, mask=None):
        return None

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"axes": self.axes, "normalize": self.normalize})
        return config


def _functional(layer_cls: type, name: str):
    """`keras.layers.<name>(inputs, **kwargs)`: the functional interface to `layer_cls`."""

    def merge(inputs, **kwargs):
        return layer_cls(**kwargs)(inputs)

    merge.__name__ = merge.__qualname__ = name
    merge.__doc__ = f"Functional interface to `{layer_cls.__name__}`."
    return tf_export(f"keras.layers.{name}")(merge)


add = _functional(Add, "add")
subtract = _functional(Subtract, "subtract")
multiply = _functional(Multiply, "multiply")
average = _functional(Average, "average")
maximum = _functional(Maximum, "maximum")
minimum = _functional(Minimum, "minimum")


@tf_export("keras.layers.concatenate")
def concatenate(inputs, axis=-1, **kwargs):
    """Functional interface to `Concatenate`."""
    return Concatenate(axis=axis, **kwargs)(inputs)


@tf_export("keras.layers.dot")
def dot(inputs, axes, normalize=False, **kwargs):
    """Functional interface to `Dot`."""
    return Dot(axes=axes, normalize=normalize, **kwargs)(inputs)
