"""Losses: `tf.nn.softmax_cross_entropy_with_logits`, `sparse_softmax_cross_entropy_with_logits` (TF's
fused primitives, whose second output is the backprop), `sigmoid_cross_entropy_with_logits`,
`weighted_cross_entropy_with_logits`, `log_poisson_loss`, `l2_loss`, `compute_average_loss` and
`scale_regularization_loss`.

>>> import tensorweave as tf
>>> round(float(tf.nn.sparse_softmax_cross_entropy_with_logits([0], [[0.0, 0.0]])[0]), 4)
0.6931
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
from tensorweave._src.core.tensor import EagerTensor, Tensor
from tensorweave._src.ops._common import broadcast_shape, dims_str, invalid, tensor
from tensorweave._src.ops.nn._util import T
from tensorweave._src.ops.nn.activations import log_softmax_p, softmax_p

F = frozenset({_dt.float16, _dt.bfloat16, _dt.float32, _dt.float64})


def _known_zero(g) -> bool:
    """Whether an upstream gradient is known to be all zeros (eagerly: looked at; traced: assumed not)."""
    return type(g) is EagerTensor and not np.any(g.numpy())


def _softmax_grad_term(logits, grad_grad):
    """The second-order term TF adds when the backprop output itself receives a gradient."""
    softmax = bind(softmax_p, logits)
    inner = T.squeeze(T.matmul(T.expand_dims(grad_grad, 1), T.expand_dims(softmax, 2)), axis=1)
    return T.multiply(T.subtract(grad_grad, inner), softmax)


# ---- SoftmaxCrossEntropyWithLogits ---------------------------------------------------------------
softmax_xent_p = Primitive("SoftmaxCrossEntropyWithLogits", multiple_results=True, allowed=F)


@softmax_xent_p.def_kernel
def _softmax_xent(features, labels):
    f32 = features.dtype in (torch.float16, torch.bfloat16)
    f, lab = (features.float(), labels.float()) if f32 else (features, labels)
    f, lab = torch.broadcast_tensors(f, lab)
    logp = torch.log_softmax(f, -1)
    loss = -(lab * logp).sum(-1)
    backprop = torch.exp(logp) - lab
    return (loss.to(features.dtype), backprop.to(features.dtype)) if f32 else (loss, backprop)


@softmax_xent_p.def_abstract
def _softmax_xent_rule(features, labels):
    op = "SoftmaxCrossEntropyWithLogits"
    if features.dtype is not labels.dtype:
        raise invalid(
            op,
            "cannot compute SoftmaxCrossEntropyWithLogits as input #1(zero-based) was expected to "
            f"be a {features.dtype.name} tensor but is a {labels.dtype.name} tensor",
        )
    fs, ls = features.shape, labels.shape
    try:
        shape = broadcast_shape(op, fs, ls)
    except errors.InvalidArgumentError:
        raise invalid(
            op,
            f"logits and labels must be broadcastable: logits_size={dims_str(fs)} labels_size={dims_str(ls)}",
        ) from None
    if shape.rank is not None and shape.rank != 2:
        raise invalid(
            op, "logits and labels must be either 2-dimensional, or broadcasted to be 2-dimensional"
        )
    dims = shape.dims if shape.rank is not None else [None, None]
    return AbstractValue(features.dtype, [dims[0]]), AbstractValue(features.dtype, dims)


@softmax_xent_p.def_grad
def _softmax_xent_grad(op, grad_loss, grad_grad):
    logits = op.inputs[0]
    backprop = op.outputs[1]
    g = T.expand_dims(grad_loss, -1)
    grad = T.multiply(g, backprop)
    if not _known_zero(grad_grad):
        grad = T.add(grad, _softmax_grad_term(logits, grad_grad))
    return [grad, T.multiply(g, T.negative(bind(log_softmax_p, logits)))]


def _move_axis_to_end(x, axis, rank):
    perm = [i for i in range(rank) if i != axis] + [axis]
    return T.transpose(x, perm)


def _flatten_outer(x):
    dims = x.shape.as_list()
    return T.reshape(x, [-1, dims[-1]])


@tf_export("nn.softmax_cross_entropy_with_logits")
def softmax_cross_entropy_with_logits(labels, logits, axis=-1, name=None):
    """-sum(labels * log_softmax(logits), axis): one loss per example."""
    logits = tensor(logits)
    labels = tensor(labels)
    to_f32 = logits.dtype in (_dt.float16, _dt.bfloat16)
    precise = T.cast(logits, _dt.float32) if to_f32 else logits
    labels = T.cast(labels, precise.dtype)
    rank = precise.shape.rank
    if rank == 0:
        raise errors.op_error(
            errors.InvalidArgumentError,
            "Slice",
            "Expected begin[0] == 0 (got -1) and size[0] == 0 (got 1) when input.dim_size(0) == 0",
        )
    if axis != -1 and axis != rank - 1:
        if axis < 0:
            axis += rank
        precise = _move_axis_to_end(precise, axis, rank)
        labels = _move_axis_to_end(labels, axis, rank)
    out_dims = precise.shape.as_list()[:-1]
    if None in out_dims:  # a traced batch dimension: the output shape is known only at run time
        out_dims = T.shape(precise)[:-1]
    cost, _ = bind(softmax_xent_p, _flatten_outer(precise), _flatten_outer(labels))
    cost = T.reshape(cost, out_dims)
    return T.cast(cost, logits.dtype) if to_f32 else cost


# ---- SparseSoftmaxCrossEntropyWithLogits ---------------------------------------------------------
sparse_xent_p = Primitive("SparseSoftmaxCrossEntropyWithLogits", multiple_results=True, allowed=F)


@sparse_xent_p.def_kernel
def _sparse_xent(features, labels):
    op = "SparseSoftmaxCrossEntropyWithLogits"
    n, c = features.shape
    if c == 0 and n > 0:
        raise invalid(op, f"Must have at least one class, but got logits shape [{n},{c}]")
    bad = (labels < 0) | (labels >= c)
    if bool(bad.any()):
        first = int(labels[bad][0])
        values = " ".join(str(int(v)) for v in labels.tolist())
        raise invalid(
            op,
            f"Received a label value of {first} which is outside the valid range of [0, {c}).  "
            f"Label values: {values}",
        )
    f32 = features.dtype in (torch.float16, torch.bfloat16)
    f = features.float() if f32 else features
    logp = torch.log_softmax(f, -1)
    idx = labels.long().unsqueeze(-1)
    loss = -logp.gather(-1, idx).squeeze(-1)
    backprop = torch.exp(logp)
    backprop.scatter_add_(-1, idx, torch.full_like(idx, -1, dtype=backprop.dtype))
    return (loss.to(features.dtype), backprop.to(features.dtype)) if f32 else (loss, backprop)


@sparse_xent_p.def_abstract
def _sparse_xent_rule(features, labels):
    op = "SparseSoftmaxCrossEntropyWithLogits"
    if labels.dtype not in (_dt.int32, _dt.int64):
        name = {"float32": "float", "float64": "double"}.get(labels.dtype.name, labels.dtype.name)
        raise invalid(
            op, f"Value for attr 'Tlabels' of {name} is not in the list of allowed values: int32, int64"
        )
    fd, ld = features.shape.dims, labels.shape.dims
    if fd is not None and len(fd) != 2:
        raise invalid(op, f"logits must be 2-D, but got shape {dims_str(fd)}")
    if ld is not None and len(ld) != 1:
        raise invalid(op, f"labels must be 1-D, but got shape {dims_str(ld)}")
    batch = fd[0] if fd is not None else None
    if ld is not None:
        if batch is not None and ld[0] is not None and batch != ld[0]:
            raise invalid(
                op,
                "logits and labels must have the same first dimension, got logits shape "
                f"{dims_str(fd)} and labels shape {dims_str(ld)}",
            )
        batch = batch if batch is not None else ld[0]
    classes = fd[1] if fd is not None else None
    return AbstractValue(features.dtype, [batch]), AbstractValue(features.dtype, [batch, classes])


@sparse_xent_p.def_grad
def _sparse_xent_grad(op, grad_loss, grad_grad):
    grad = T.multiply(T.expand_dims(grad_loss, -1), op.outputs[1])
    if not _known_zero(grad_grad):
        grad = T.add(grad, _softmax_grad_term(op.inputs[0], grad_grad))
    return [grad, None]


@tf_export("nn.sparse_softmax_cross_entropy_with_logits")
def sparse_softmax_cross_entropy_with_logits(labels, logits, name=None):
    """-log_softmax(logits)[labels] per example; labels are class indices (int32/int64)."""
    labels = convert_to_tensor(labels)  # TF converts both first
    logits = convert_to_tensor(logits)
    precise = T.cast(logits, _dt.float32) if logits.dtype is _dt.float16 else logits
    ls, lg = labels.shape, logits.shape
    if lg.rank == 0:
        raise ValueError(f"`logits` cannot be a scalar. Received logits={logits}`")
    if lg.rank is not None and ls.rank is not None and ls.rank != lg.rank - 1:
        raise ValueError(
            "`labels.shape.rank` must equal `logits.shape.rank - 1`. Received: labels.shape="
            f"{ls} of rank {ls.rank} and logits.shape={lg} of rank {lg.rank}"
        )
    if ls.is_fully_defined() and lg[:-1].is_fully_defined() and ls != lg[:-1]:
        raise ValueError(
            "`labels.shape` must equal `logits.shape` except for the last dimension. Received: "
            f"labels.shape={ls} and logits.shape={lg}"
        )
    if lg.rank == 2:
        cost, _ = bind(sparse_xent_p, precise, labels)
    else:
        cost, _ = bind(sparse_xent_p, T.reshape(precise, [-1, lg.as_list()[-1]]), T.reshape(labels, [-1]))
        cost = T.reshape(cost, ls.as_list())
    return T.cast(cost, _dt.float16) if logits.dtype is _dt.float16 else cost


# ---- composite losses ----------------------------------------------------------------------------


def _same_shape(labels, logits):
    if not labels.shape.is_compatible_with(logits.shape):
        raise ValueError(
            f"`logits` and `labels` must have the same shape, received ({logits.shape} vs {labels.shape})."
        )


@tf_export("nn.sigmoid_cross_entropy_with_logits")
def sigmoid_cross_entropy_with_logits(labels=None, logits=None, name=None):
    """max(logits, 0) - logits * labels + log(1 + exp(-abs(logits))), elementwise."""
    if labels is None or logits is None:
        raise ValueError("Both `labels` and `logits` must be provided. Received: labels=None and logits=None")
    logits = tensor(logits)
    labels = tensor(labels)
    _same_shape(labels, logits)
    zeros = T.zeros_like(logits)
    cond = T.greater_equal(logits, zeros)
    relu_logits = T.where(cond, logits, zeros)
    neg_abs_logits = T.where(cond, T.negative(logits), logits)
    return T.add(T.subtract(relu_logits, T.multiply(logits, labels)), T.log1p(T.exp(neg_abs_logits)))


@tf_export("nn.weighted_cross_entropy_with_logits")
def weighted_cross_entropy_with_logits(labels, logits, pos_weight, name=None):
    """Sigmoid cross entropy with the positive term weighted by `pos_weight`."""
    logits = tensor(logits)
    labels = tensor(labels)
    _same_shape(labels, logits)
    one = tensor(1, dtype=logits.dtype)
    log_weight = T.add(one, T.multiply(T.subtract(pos_weight, one), labels))
    return T.add(
        T.multiply(T.subtract(one, labels), logits),
        T.multiply(log_weight, T.add(T.log1p(T.exp(T.negative(T.abs(logits)))), T.relu(T.negative(logits)))),
    )


@tf_export("nn.log_poisson_loss")
def log_poisson_loss(targets, log_input, compute_full_loss=False, name=None):
    """exp(log_input) - log_input * targets (plus Stirling's term with `compute_full_loss`)."""
    log_input = tensor(log_input)
    targets = targets if isinstance(targets, Tensor) else tensor(targets, dtype=log_input.dtype)
    if not targets.shape.is_compatible_with(log_input.shape):
        raise ValueError(
            f"`log_input` and `targets` must have the same shape, received ({log_input.shape} vs "
            f"{targets.shape})."
        )
    result = T.subtract(T.exp(log_input), T.multiply(log_input, targets))
    if compute_full_loss:
        dt = targets.dtype
        point_five, two_pi = tensor(0.5, dtype=dt), tensor(2 * np.pi, dtype=dt)
        stirling = T.add(
            T.subtract(T.multiply(targets, T.log(targets)), targets),
            T.multiply(point_five, T.log(T.multiply(two_pi, targets))),
        )
        zeros, ones = T.zeros_like(targets), T.ones_like(targets)
        cond = T.logical_and(T.greater_equal(targets, zeros), T.less_equal(targets, ones))
        result = T.add(result, T.where(cond, zeros, stirling))
    return result


# ---- L2Loss --------------------------------------------------------------------------------------
l2_loss_p = Primitive("L2Loss", allowed=F)


@l2_loss_p.def_kernel
def _l2_loss(x):
    xc = x.float() if x.dtype in (torch.float16, torch.bfloat16) else x
    return (torch.sum(xc * xc) / 2).to(x.dtype)


l2_loss_p.def_abstract(lambda x: AbstractValue(x.dtype, []))
l2_loss_p.def_grad(lambda op, dy: [T.multiply(op.inputs[0], dy)])


@tf_export("nn.l2_loss")
def l2_loss(t, name=None):
    """sum(t ** 2) / 2."""
    return bind(l2_loss_p, tensor(t))


@tf_export("nn.compute_average_loss")
def compute_average_loss(per_example_loss, sample_weight=None, global_batch_size=None):
    """sum(per_example_loss * sample_weight) / global_batch_size (default: the batch size; one replica),
    0 when global_batch_size is 0."""
    loss = convert_to_tensor(per_example_loss)  # TF converts its arguments first
    input_dtype = loss.dtype
    if loss.shape.rank == 0:
        raise ValueError(
            "Invalid value passed for `per_example_loss`. Expected a tensor with at least rank 1. "
            f"Received per_example_loss={per_example_loss} with rank 0"
        )
    if sample_weight is not None:
        weight = T.cast(convert_to_tensor(sample_weight), _dt.float32)
        loss = T.cast(loss, _dt.float32)
        wr, lr = weight.shape.rank, loss.shape.rank
        if wr not in (None, 0) and lr is not None:
            if wr - lr == 1:
                weight = T.squeeze(weight, [-1])
            elif lr - wr == 1:
                weight = T.expand_dims(weight, -1)
        loss = T.cast(T.multiply(loss, weight), input_dtype)
    if global_batch_size is None:
        global_batch_size = T.shape(loss)[0]
    else:
        gbs = tensor(global_batch_size)
        if not gbs.dtype.is_integer:
            raise TypeError(
                'global_batch_size must be an integer..  Expected "x" to be integer type.  Found: '
                f"tensor of dtype {gbs.dtype}"
            )
        if gbs.shape.rank not in (None, 0):
            raise errors.InvalidArgumentError(None, None, "global_batch_size must be scalar.")
        if int(gbs.numpy()) < 0:
            raise errors.InvalidArgumentError(None, None, "global_batch_size must be non-negative.")
        global_batch_size = gbs
    total = T.reduce_sum(loss)
    denom = T.cast(global_batch_size, input_dtype)
    if not input_dtype.is_floating:
        total, denom = T.cast(total, _dt.float64), T.cast(denom, _dt.float64)
    return T.divide_no_nan(total, denom)


@tf_export("nn.scale_regularization_loss")
def scale_regularization_loss(regularization_loss):
    """The regularization loss divided by the number of replicas (one here)."""
    return T.reduce_sum(tensor(regularization_loss))
