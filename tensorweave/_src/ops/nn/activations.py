"""Activations: `tf.nn.relu6`, `leaky_relu`, `elu`, `selu`, `softsign`, `softmax`, `log_softmax`
(primitives with TF's op names and gradient rules), and the composites `gelu`, `silu`/`swish`, `crelu`.
(`relu`, `sigmoid`, `tanh` and `softplus` live with the unary math ops.)

>>> import tensorweave as tf
>>> tf.nn.relu6([-1.0, 3.0, 9.0]).numpy().tolist()
[0.0, 3.0, 6.0]
"""

from __future__ import annotations

import numpy as np
import torch

from tensorweave._src.api_export import tf_export
from tensorweave._src.core import dtypes as _dt
from tensorweave._src.core import errors
from tensorweave._src.core.convert import convert_to_tensor
from tensorweave._src.core.dispatch import bind
from tensorweave._src.core.primitive import AbstractValue, Primitive
from tensorweave._src.core.tensor import Tensor
from tensorweave._src.ops._common import dims_str, invalid, same_as_input, tensor
from tensorweave._src.ops.nn._util import T

F = frozenset({_dt.float16, _dt.bfloat16, _dt.float32, _dt.float64})
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _mask(cond, dtype):
    return T.cast(cond, dtype)


# ---- Relu6 ---------------------------------------------------------------------------------------
relu6_p = Primitive("Relu6", allowed=_dt.REAL)
relu6_p.def_abstract(same_as_input)


@relu6_p.def_kernel
def _relu6(x):
    return torch.clamp(x, 0, 6).to(x.dtype)


@relu6_p.def_grad
def _relu6_grad(op, dy):
    y = op.outputs[0]
    return [T.multiply(dy, _mask(T.logical_and(T.greater(y, 0), T.less(y, 6)), dy.dtype))]


@tf_export("nn.relu6")
def relu6(features, name=None):
    """min(max(features, 0), 6)."""
    return bind(relu6_p, tensor(features))


def _f32(value: float) -> float:
    """A float attr as TF stores it (32 bits)."""
    return float(np.float32(value))


# ---- LeakyRelu -----------------------------------------------------------------------------------
leaky_relu_p = Primitive("LeakyRelu", allowed=F)
leaky_relu_p.def_abstract(same_as_input)


@leaky_relu_p.def_kernel
def _leaky_relu(x, alpha):
    return torch.where(x > 0, x, x * _f32(alpha))


@leaky_relu_p.def_grad
def _leaky_relu_grad(op, dy):
    x = op.inputs[0]
    alpha = op.attrs["alpha"]
    return [T.where(T.greater(x, 0), dy, T.multiply(dy, tensor(_f32(alpha), dtype=dy.dtype)))]


@tf_export("nn.leaky_relu")
def leaky_relu(features, alpha=0.2, name=None):
    """features where positive, else alpha * features (integer input is cast to float32)."""
    x = tensor(features)
    if x.dtype.is_integer:
        x = T.cast(x, _dt.float32)
    if hasattr(alpha, "item"):
        alpha = alpha.item()
    return bind(leaky_relu_p, x, alpha=float(alpha))


# ---- Elu / Selu / Softsign -----------------------------------------------------------------------
elu_p = Primitive("Elu", allowed=F)
elu_p.def_abstract(same_as_input)
elu_p.def_kernel(lambda x: torch.where(x > 0, x, torch.expm1(x)))


@elu_p.def_grad
def _elu_grad(op, dy):
    y = op.outputs[0]
    return [T.where(T.less(y, 0), T.multiply(dy, T.add(y, tensor(1, dtype=y.dtype))), dy)]


@tf_export("nn.elu")
def elu(features, name=None):
    """features where positive, else exp(features) - 1."""
    return bind(elu_p, tensor(features))


selu_p = Primitive("Selu", allowed=F)
selu_p.def_abstract(same_as_input)
selu_p.def_kernel(lambda x: torch.where(x > 0, x * _SELU_SCALE, torch.expm1(x) * (_SELU_SCALE * _SELU_ALPHA)))


@selu_p.def_grad
def _selu_grad(op, dy):
    y = op.outputs[0]
    scale = tensor(_SELU_SCALE, dtype=y.dtype)
    return [
        T.where(
            T.less(y, 0),
            T.multiply(dy, T.add(y, tensor(_SELU_SCALE * _SELU_ALPHA, dtype=y.dtype))),
            T.multiply(dy, scale),
        )
    ]


@tf_export("nn.selu")
def selu(features, name=None):
    """scale * (features if positive else alpha * (exp(features) - 1)), the self-normalising constants."""
    return bind(selu_p, tensor(features))


softsign_p = Primitive("Softsign", allowed=F)
softsign_p.def_abstract(same_as_input)
softsign_p.def_kernel(lambda x: x / (1 + torch.abs(x)))


@softsign_p.def_grad
def _softsign_grad(op, dy):
    x = op.inputs[0]
    return [T.truediv(dy, T.square(T.add(T.abs(x), tensor(1, dtype=x.dtype))))]


@tf_export("nn.softsign", "math.softsign")
def softsign(features, name=None):
    """features / (abs(features) + 1)."""
    return bind(softsign_p, tensor(features))


# ---- Softmax / LogSoftmax (last axis; other axes by transposing, as TF does) ---------------------


def _softmax_rule(op_type):
    def rule(x):
        if x.shape.rank == 0:
            raise invalid(op_type, f"logits must have >= 1 dimension, got {dims_str(x.shape)}")
        return AbstractValue(x.dtype, x.shape)

    return rule


def _softmax_kernel(fn):
    def kernel(x):
        if x.dim() == 0:
            raise ValueError("rank 0")
        if x.dtype in (torch.float16, torch.bfloat16):
            return fn(x.float(), -1).to(x.dtype)
        return fn(x, -1)

    return kernel


softmax_p = Primitive("Softmax", allowed=F)
softmax_p.def_kernel(_softmax_kernel(torch.softmax))
softmax_p.def_abstract(_softmax_rule("Softmax"))
log_softmax_p = Primitive("LogSoftmax", allowed=F)
log_softmax_p.def_kernel(_softmax_kernel(torch.log_softmax))
log_softmax_p.def_abstract(_softmax_rule("LogSoftmax"))


@softmax_p.def_grad
def _softmax_grad(op, dy):
    y = op.outputs[0]
    return [T.multiply(T.subtract(dy, T.reduce_sum(T.multiply(dy, y), -1, keepdims=True)), y)]


@log_softmax_p.def_grad
def _log_softmax_grad(op, dy):
    y = op.outputs[0]
    return [T.subtract(dy, T.multiply(T.reduce_sum(dy, -1, keepdims=True), T.exp(y)))]


def wrap_last_axis(x, prim, axis):
    """Runs `prim` (which works on the last axis) along `axis`: TF's `_wrap_2d_function`."""
    rank = x.shape.rank
    if axis is None or axis == -1 or (rank is not None and axis == rank - 1):
        return bind(prim, x)
    if isinstance(axis, Tensor):
        axis = int(axis.numpy())
    if not -rank <= axis < rank:
        raise errors.InvalidArgumentError(
            None,
            None,
            f"`dim` must be in the range [{-rank}, {rank}) where {rank} is the number of dimensions "
            f"in the input. Received: dim={axis}",
        )
    if axis < 0:
        axis += rank
    perm = list(range(rank))
    perm[axis], perm[-1] = perm[-1], perm[axis]
    return T.transpose(bind(prim, T.transpose(x, perm)), perm)


@tf_export("nn.softmax", "math.softmax")
def softmax(logits, axis=None, name=None):
    """exp(logits) / sum(exp(logits), axis), along the last axis by default."""
    return wrap_last_axis(convert_to_tensor(logits), softmax_p, axis)  # TF converts logits first


@tf_export("nn.log_softmax", "math.log_softmax")
def log_softmax(logits, axis=None, name=None):
    """logits - log(sum(exp(logits), axis)), along the last axis by default."""
    return wrap_last_axis(convert_to_tensor(logits), log_softmax_p, axis)  # TF converts logits first


# ---- composites ----------------------------------------------------------------------------------


@tf_export("nn.gelu")
def gelu(features, approximate=False, name=None):
    """x * P(X <= x) for standard normal X; with `approximate`, the tanh approximation."""
    x = tensor(features)
    if not x.dtype.is_floating:
        raise ValueError(
            f"`features.dtype` must be a floating point tensor.Received:features.dtype={x.dtype}"
        )
    half = tensor(0.5, dtype=x.dtype)
    one = tensor(1.0, dtype=x.dtype)
    if approximate:
        coeff = T.cast(tensor(0.044715), x.dtype)  # TF casts a float32 constant
        inner = T.multiply(
            tensor(0.7978845608028654, dtype=x.dtype),
            T.add(x, T.multiply(coeff, T.pow(x, tensor(3, dtype=x.dtype)))),
        )
        return T.multiply(T.multiply(half, x), T.add(one, T.tanh(inner)))
    return T.multiply(
        T.multiply(half, x), T.erfc(T.multiply(T.negative(x), T.cast(tensor(0.7071067811865476), x.dtype)))
    )


@tf_export("nn.silu", "nn.swish")
def silu(features, beta=1.0):
    """features * sigmoid(beta * features)."""
    x = tensor(features)
    b = T.cast(tensor(beta), x.dtype)
    return T.multiply(x, T.sigmoid(T.multiply(b, x)))


@tf_export("nn.crelu")
def crelu(features, axis=-1, name=None):
    """concat([relu(features), relu(-features)], axis)."""
    x = tensor(features)
    return T.relu(T.concat([x, T.negative(x)], axis))
