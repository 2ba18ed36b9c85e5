"""Normalization: `tf.nn.moments`, `weighted_moments`, `normalize_moments`, `batch_normalization`,
`tf.compat.v1.nn.fused_batch_norm` (training and inference, TF's Bessel-corrected running variance and
exponential averaging) and `local_response_normalization`/`lrn`, all composites of public ops (so
their gradients follow from those ops' rules).

>>> import tensorweave as tf
>>> [float(t) for t in tf.nn.moments(tf.constant([1.0, 2.0, 3.0, 4.0]), axes=[0])]
[2.5, 1.25]
"""

from __future__ import annotations

from tensorweave._src.api_export import tf_export
from tensorweave._src.core import dtypes as _dt
from tensorweave._src.core import errors
from tensorweave._src.core.op_messages import fallback, fallback_if
from tensorweave._src.core.tensor import Tensor
from tensorweave._src.ops._common import dims_str, tensor
from tensorweave._src.ops.nn._util import T


@tf_export("nn.moments")
def moments(x, axes, shift=None, keepdims=False, name=None):
    """(mean, variance) of `x` over `axes` (float16 computed in float32)."""
    x = tensor(x)
    y = T.cast(x, _dt.float32) if x.dtype is _dt.float16 else x
    mean = T.reduce_mean(y, axes, keepdims=True)
    variance = T.reduce_mean(T.squared_difference(y, T.stop_gradient(mean)), axes, keepdims=True)
    if not keepdims:
        mean = T.squeeze(mean, axes)
        variance = T.squeeze(variance, axes)
    if x.dtype is _dt.float16:
        return T.cast(mean, _dt.float16), T.cast(variance, _dt.float16)
    return mean, variance


@tf_export("nn.weighted_moments")
def weighted_moments(x, axes, frequency_weights, keepdims=False, name=None):
    """Frequency-weighted (mean, variance) of `x` over `axes`."""
    x = tensor(x)
    w = (
        frequency_weights
        if isinstance(frequency_weights, Tensor)
        else tensor(frequency_weights, dtype=x.dtype)
    )
    half = x.dtype is _dt.float16
    if half:
        x, w = T.cast(x, _dt.float32), T.cast(w, _dt.float32)
    w = T.cast(w, x.dtype)
    weighted_input_sum = T.reduce_sum(T.multiply(w, x), axes, keepdims=True)
    broadcast_w = T.add(w, T.zeros_like(x))
    sum_of_weights = T.reduce_sum(broadcast_w, axes, keepdims=True)
    divisor = T.reciprocal(sum_of_weights)
    mean = T.multiply(weighted_input_sum, divisor)
    weighted_distsq = T.reduce_sum(T.multiply(w, T.squared_difference(x, mean)), axes, keepdims=True)
    variance = T.multiply(weighted_distsq, divisor)
    if not keepdims:
        mean, variance = T.squeeze(mean, axes), T.squeeze(variance, axes)
    if half:
        return T.cast(mean, _dt.float16), T.cast(variance, _dt.float16)
    return mean, variance


@tf_export("nn.normalize_moments")
def normalize_moments(counts, mean_ss, variance_ss, shift, name=None):
    """(mean, variance) from sufficient statistics."""
    counts = tensor(counts)
    divisor = T.reciprocal(counts)
    mean_ss = tensor(mean_ss, dtype=counts.dtype)
    if shift is not None:
        shifted_mean = T.multiply(mean_ss, divisor)
        mean = T.add(shifted_mean, shift)
    else:
        shifted_mean = T.multiply(mean_ss, divisor)
        mean = shifted_mean
    variance = T.subtract(
        T.multiply(tensor(variance_ss, dtype=counts.dtype), divisor), T.square(shifted_mean)
    )
    return mean, variance


@tf_export("nn.batch_normalization")
def batch_normalization(x, mean, variance, offset, scale, variance_epsilon, name=None):
    """(x - mean) * scale / sqrt(variance + variance_epsilon) + offset, as TF computes it."""
    x = tensor(x)
    variance = tensor(variance)
    inv = T.rsqrt(T.add(variance, tensor(variance_epsilon, dtype=variance.dtype)))
    if scale is not None:
        inv = T.multiply(inv, scale)
    mean = mean if isinstance(mean, Tensor) else tensor(mean, dtype=inv.dtype)
    shift = (
        T.subtract(offset, T.multiply(mean, inv)) if offset is not None else T.negative(T.multiply(mean, inv))
    )
    return T.add(T.multiply(x, T.cast(inv, x.dtype)), T.cast(shift, x.dtype))


_FBN_X = (_dt.float16, _dt.bfloat16, _dt.float32)
_FBN_U = (_dt.bfloat16, _dt.float32)


def _fbn_error(message):
    return errors.op_error(errors.InvalidArgumentError, "FusedBatchNormV3", message)


def _fbn_type_check(attr, dtype, allowed, names):
    if dtype not in allowed:
        name = {"float64": "double", "float32": "float", "float16": "half"}.get(dtype.name, dtype.name)
        raise _fbn_error(f"Value for attr '{attr}' of {name} is not in the list of allowed values: {names}")


@tf_export("compat.v1.nn.fused_batch_norm")
def fused_batch_norm(
    x,
    scale,
    offset,
    mean=None,
    variance=None,
    epsilon=0.001,
    data_format="NHWC",
    is_training=True,
    name=None,
    exponential_avg_factor=1.0,
):
    """Batch normalization over all axes but the channel one; returns (y, running mean, running variance).

    Training: normalizes with the batch statistics and returns the batch mean and the Bessel-corrected
    batch variance (blended into `mean`/`variance` when `exponential_avg_factor` != 1). Inference:
    normalizes with the given `mean` and `variance`."""
    if (not is_training or exponential_avg_factor != 1.0) and (mean is None or variance is None):
        raise ValueError(
            "Both `mean` and `variance` must be a 1D tensor when `is_training` is False or "
            f"`exponential_avg_factor` != 1.0. Received: `mean` {mean} and `variance` {variance}"
        )
    x = tensor(x)
    scale, offset = tensor(scale), tensor(offset)
    _fbn_type_check("T", x.dtype, _FBN_X, "half, bfloat16, float")
    _fbn_type_check("U", scale.dtype, _FBN_U, "bfloat16, float")
    rank = x.shape.rank
    if rank not in (4, 5):
        raise _fbn_error(f"input must be 4 or 5-dimensional{dims_str(x.shape)}")
    if data_format not in ("NHWC", "NCHW", "NDHWC", "NCDHW"):
        raise _fbn_error(f"Invalid data format: {data_format}")
    c_axis = 1 if data_format.startswith("NC") else rank - 1
    channels = x.shape[c_axis]
    for label, t in (("scale", scale), ("offset", offset)):
        n = t.shape.num_elements()
        if t.shape.rank != 1:
            raise _fbn_error(f"{label} must be 1-dimensional{dims_str(t.shape)}")
        if channels is not None and n is not None and n != channels:
            raise _fbn_error(
                f"{label} must have the same number of elements as the channels of x, got {n} and {channels}"
            )
    axes = [i for i in range(rank) if i != c_axis]
    bshape = [1] * rank
    bshape[c_axis] = -1
    xf = T.cast(x, scale.dtype) if x.dtype is not scale.dtype else x
    eps = tensor(epsilon, dtype=scale.dtype)

    def b(v):
        return T.reshape(v, bshape)

    if is_training:
        batch_mean = T.reduce_mean(xf, axes)
        batch_var = T.reduce_mean(T.squared_difference(xf, T.stop_gradient(b(batch_mean))), axes)
        inv = T.multiply(T.rsqrt(T.add(batch_var, eps)), scale)
        y = T.add(T.multiply(T.subtract(xf, b(batch_mean)), b(inv)), b(offset))
        count = 1
        for i in axes:
            count *= x.shape[i]
        corrected = T.multiply(batch_var, tensor(count / max(count - 1, 1), dtype=scale.dtype))
        out_mean, out_var = batch_mean, corrected
        if exponential_avg_factor != 1.0:
            f = tensor(exponential_avg_factor, dtype=scale.dtype)
            keep = tensor(1.0 - exponential_avg_factor, dtype=scale.dtype)
            out_mean = T.add(T.multiply(keep, tensor(mean, dtype=scale.dtype)), T.multiply(f, batch_mean))
            out_var = T.add(T.multiply(keep, tensor(variance, dtype=scale.dtype)), T.multiply(f, corrected))
    else:
        mean = tensor(mean, dtype=scale.dtype)
        variance = tensor(variance, dtype=scale.dtype)
        inv = T.multiply(T.rsqrt(T.add(variance, eps)), scale)
        y = T.add(T.multiply(T.subtract(xf, b(mean)), b(inv)), b(offset))
        out_mean, out_var = mean, variance
    if y.dtype is not x.dtype:
        y = T.cast(y, x.dtype)
    return y, out_mean, out_var


def _lrn_sqr_sum(x, depth_radius):
    """sum of squares over a channel window of 2 * depth_radius + 1 (zero padded), as a 1-D convolution."""
    dims = x.shape.as_list()
    c = dims[-1]
    sq = T.reshape(T.square(x), [-1, c, 1])
    width = 2 * depth_radius + 1
    ones = T.ones([width, 1, 1], dtype=x.dtype)
    padded = T.pad(sq, [[0, 0], [depth_radius, depth_radius], [0, 0]])
    return T.reshape(T.conv1d(padded, ones, 1, "VALID"), dims)


def lrn_compute(x, depth_radius=5, bias=1.0, alpha=1.0, beta=0.5):
    """LRN without the dtype check (the gradient tests run it in float64)."""
    x = tensor(x)
    sqr_sum = _lrn_sqr_sum(x, int(depth_radius))
    base = T.add(tensor(bias, dtype=x.dtype), T.multiply(tensor(alpha, dtype=x.dtype), sqr_sum))
    return T.multiply(x, T.pow(base, tensor(-beta, dtype=x.dtype)))


@tf_export("nn.local_response_normalization", "nn.lrn")
def local_response_normalization(
    input,
    depth_radius=5,
    bias=1,
    alpha=1,
    beta=0.5,  # noqa: A002
    name=None,
):
    """input / (bias + alpha * sum of squares over nearby channels) ** beta (4-D NHWC input)."""
    x = tensor(input)
    try:
        if x.dtype not in (_dt.float16, _dt.bfloat16, _dt.float32):
            name_ = {"float64": "double"}.get(x.dtype.name, x.dtype.name)
            raise errors.op_error(
                errors.InvalidArgumentError,
                "LRN",
                f"Value for attr 'T' of {name_} is not in the list of allowed values: half, bfloat16, float",
            )
        if x.shape.rank != 4:
            raise errors.op_error(errors.InvalidArgumentError, "LRN", "in must be 4-dimensional")
    except errors.OpError as e:
        if not all(isinstance(v, float) for v in (bias, alpha, beta)):
            fallback(e)  # TF's fast path takes no int for a float attr (bias=1 by default)
        raise fallback_if(e, x)
    if x.dtype is not _dt.float32:
        return T.cast(lrn_compute(T.cast(x, _dt.float32), depth_radius, bias, alpha, beta), x.dtype)
    return lrn_compute(x, depth_radius, bias, alpha, beta)
