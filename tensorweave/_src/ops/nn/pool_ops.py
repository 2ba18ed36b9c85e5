"""Pooling primitives: MaxPool/MaxPool3D, AvgPool/AvgPool3D and their gradient ops (MaxPoolGrad,
MaxPoolGradGrad, AvgPoolGrad, ...), with TF's window arithmetic.

TF's SAME padding is asymmetric (the extra row/column goes after) and AvgPool's SAME excludes padding
from the count. Kernels use torch's pooling on NCHW views of NHWC tensors (channels_last memory, no
copies); when the pads are symmetric and at most half the window torch pads by itself (with -inf for
max, excluded from the count for avg), otherwise the input is padded once and the average divided by
TF's per-window counts.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from tensorweave._src.core import dtypes as _dt
from tensorweave._src.core import errors
from tensorweave._src.core.dispatch import bind
from tensorweave._src.core.primitive import AbstractValue, Primitive
from tensorweave._src.core.shape import TensorShape
from tensorweave._src.ops._common import invalid
from tensorweave._src.ops.nn import _util as U

FLOATS = frozenset({_dt.float16, _dt.bfloat16, _dt.float32, _dt.float64})
_MAX_TYPES = FLOATS | {_dt.int8, _dt.int16, _dt.int32, _dt.int64, _dt.uint8, _dt.uint16}
_FORMATS = {2: ("NHWC", "NCHW"), 3: ("NDHWC", "NCDHW")}
_MAX_POOL = {2: F.max_pool2d, 3: F.max_pool3d}
_AVG_POOL = {2: F.avg_pool2d, 3: F.avg_pool3d}
_MAX_BWD = {
    2: torch.ops.aten.max_pool2d_with_indices_backward,
    3: torch.ops.aten.max_pool3d_with_indices_backward,
}
_AVG_BWD = {2: torch.ops.aten.avg_pool2d_backward, 3: torch.ops.aten.avg_pool3d_backward}


def _window(op: str, n: int, dims, ksize, strides, padding, explicit_paddings, data_format, explicit_ok):
    """Checks the attrs; returns (channels_last, spatial axes, k, s, output dims, pads per dim)."""
    if data_format not in _FORMATS[n]:
        raise U.attr_error(op, "data_format", data_format, _FORMATS[n])
    U.check_padding(op, padding, allow_explicit=explicit_ok)
    for name, vals in (("ksize", ksize), ("strides", strides)):
        if len(vals) < n + 2:
            raise invalid(op, f"Length for attr '{name}' of {len(vals)} must be at least minimum {n + 2}")
        if len(vals) != n + 2:
            raise invalid(op, f"Sliding window {name} field must specify {n + 2} dimensions")
    cl = U.is_channels_last(data_format)
    sp = U.spatial_axes(n, cl)
    c = U.channel_axis(n, cl)
    if any(k <= 0 for k in ksize):
        raise invalid(
            op,
            "Sliding window ksize must be positive. The specified or inferred ksize is: "
            + ",".join(str(k) for k in ksize),
        )
    if any(s <= 0 for s in strides):
        raise invalid(op, f"Stride must be > 0, but got {min(strides)}")
    if ksize[0] != 1 or strides[0] != 1:
        raise errors.op_error(
            errors.UnimplementedError, op, "Pooling is not yet supported on the batch dimension."
        )
    if ksize[c] != 1 or strides[c] != 1:
        raise errors.op_error(
            errors.UnimplementedError,
            op,
            "Depthwise max pooling is currently only implemented for CPU devices.",
        )
    if dims is not None and len(dims) != n + 2:
        raise invalid(
            op,
            f"tensor_in_shape must have {n} spatial dimensions. {len(dims)} 0"
            if n == 2
            else f"tensor_in must be {n + 2}-dimensional",
        )
    explicit = None
    if padding == "EXPLICIT":
        if len(explicit_paddings) != 2 * (n + 2):
            raise invalid(
                op,
                f"explicit_paddings attribute must contain {2 * (n + 2)} values, but got: "
                f"{len(explicit_paddings)}",
            )
        if any(p < 0 for p in explicit_paddings):
            raise invalid(op, "All elements of explicit_paddings must be nonnegative")
        if any(explicit_paddings[2 * i] or explicit_paddings[2 * i + 1] for i in (0, c)):
            raise invalid(op, "Nonzero explicit padding in the batch or depth dimensions is not supported")
        explicit = [(explicit_paddings[2 * i], explicit_paddings[2 * i + 1]) for i in sp]
        sides = (("Front", "Back"), ("Top", "Bottom"), ("Left", "Right"))[-n:]
        for (b, a), i, (sb, sa) in zip(explicit, sp, sides):
            for side, p in ((sb, b), (sa, a)):
                if p >= ksize[i]:
                    raise invalid(
                        op, f"{side} padding {p} needs to be smaller than the window size {ksize[i]}"
                    )
    k, s = [ksize[i] for i in sp], [strides[i] for i in sp]
    if dims is None:
        return cl, sp, k, s, None, None
    out = list(dims)
    pads = []
    for j, i in enumerate(sp):
        o, b, a = U.window_output(dims[i], k[j], s[j], 1, padding, explicit[j] if explicit else None)
        out[i] = o
        pads.append(None if b is None else (b, a))
    return cl, sp, k, s, out, pads


def _torch_pads(k, pads):
    """Symmetric pads torch applies itself (each at most half the window), else None."""
    if all(b == a and b <= kk // 2 for (b, a), kk in zip(pads, k)):
        return [b for b, _ in pads]
    return None


def _fill_min(dtype):
    if dtype.is_floating_point:
        return float("-inf")
    return torch.iinfo(dtype).min


def _as_poolable(x):
    return x.to(torch.int64) if x.dtype in (torch.uint16, torch.int8, torch.int16) else x


def _max_pool_indices(n, x, cl, k, s, pads):
    """(output, indices, padded input or None, pads torch applied) for TF-layout `x`."""
    sym = _torch_pads(k, pads)
    padded = None
    if sym is None:
        padded = U.pad_tf_layout(x, n, cl, pads, value=_fill_min(x.dtype))
        sym = [0] * n
    xt = U.to_torch(_as_poolable(padded if padded is not None else x), n, cl)
    y, idx = _MAX_POOL[n](xt, k, s, sym, return_indices=True)
    return y, idx, xt, sym


def max_pool_kernel(n, op):
    def kernel(x, ksize, strides, padding, data_format, explicit_paddings=()):
        cl, sp, k, s, out, pads = _window(
            op, n, list(x.shape), ksize, strides, padding, explicit_paddings, data_format, n == 2
        )
        _refuse_nchw(op, x, cl)
        if 0 in out or 0 in x.shape:
            return torch.zeros(out, dtype=x.dtype, device=x.device)
        sym = _torch_pads(k, pads)
        if sym is None:
            x = U.pad_tf_layout(x, n, cl, pads, value=_fill_min(x.dtype))
            sym = [0] * n
        src = _as_poolable(x)
        y = _MAX_POOL[n](U.to_torch(src, n, cl), k, s, sym)
        return U.from_torch(y, n, cl).to(x.dtype)

    return kernel


def _refuse_nchw(op, x, cl):
    if U.on_cpu_refusing_nchw(x, cl):
        kind = "MaxPooling" if op.startswith("MaxPool") else "AvgPooling"
        raise invalid(op, f"Default {kind}Op only supports NHWC on device type CPU")


def _pool_rule(op, n, types):
    def rule(x, ksize, strides, padding, data_format, explicit_paddings=()):
        if x.dtype not in types:
            raise _type_error(op, x.dtype, types)
        _, _, _, _, out, _ = _window(
            op,
            n,
            x.shape.dims,
            ksize,
            strides,
            padding,
            explicit_paddings,
            data_format,
            n == 2 and op.startswith("MaxPool"),
        )
        return AbstractValue(x.dtype, TensorShape(out) if out is not None else TensorShape(None))

    return rule


_NAMES = (
    (_dt.float16, "half"),
    (_dt.bfloat16, "bfloat16"),
    (_dt.float32, "float"),
    (_dt.float64, "double"),
    (_dt.int32, "int32"),
    (_dt.int64, "int64"),
    (_dt.uint8, "uint8"),
    (_dt.int16, "int16"),
    (_dt.int8, "int8"),
    (_dt.uint16, "uint16"),
)


def _type_error(op, dtype, types):
    names = ", ".join(name for dt, name in _NAMES if dt in types)
    return invalid(op, f"Value for attr 'T' of {dtype.name} is not in the list of allowed values: {names}")


def _counts(n, in_spatial, out_spatial, k, s, pads, like):
    """TF's per-window element counts (padding excluded), shaped to broadcast over torch's NC* layout."""
    total = None
    for j in range(n):
        o = torch.arange(out_spatial[j], device=like.device, dtype=torch.float64)
        start = o * s[j] - pads[j][0]
        cnt = torch.clamp(
            torch.minimum(start + k[j], torch.tensor(float(in_spatial[j]), dtype=torch.float64))
            - torch.clamp(start, min=0),
            min=1,
        )
        shape = [1] * n
        shape[j] = out_spatial[j]
        cnt = cnt.reshape(shape)
        total = cnt if total is None else total * cnt
    return total.to(like.dtype)


def _compute(x):
    return x.float() if x.dtype in (torch.float16, torch.bfloat16) else x


def avg_pool_kernel(n, op):
    def kernel(x, ksize, strides, padding, data_format):
        cl, sp, k, s, out, pads = _window(
            op, n, list(x.shape), ksize, strides, padding, (), data_format, False
        )
        _refuse_nchw(op, x, cl)
        if 0 in out or 0 in x.shape:
            return torch.zeros(out, dtype=x.dtype, device=x.device)
        xc = _compute(x)
        sym = _torch_pads(k, pads)
        if sym is not None:
            y = _AVG_POOL[n](U.to_torch(xc, n, cl), k, s, sym, count_include_pad=False)
        else:
            xp = U.pad_tf_layout(xc, n, cl, pads)
            y = _AVG_POOL[n](U.to_torch(xp, n, cl), k, s, 0, divisor_override=1)
            y = y / _counts(n, [x.shape[i] for i in sp], [out[i] for i in sp], k, s, pads, y)
        return U.from_torch(y, n, cl).to(x.dtype)

    return kernel


def avg_pool_grad_kernel(n, op):
    def kernel(sizes, g, ksize, strides, padding, data_format):
        in_dims = [int(v) for v in sizes.tolist()]
        cl, sp, k, s, out, pads = _window(op, n, in_dims, ksize, strides, padding, (), data_format, False)
        _refuse_nchw(op, g, cl)
        if 0 in in_dims or 0 in g.shape:
            return torch.zeros(in_dims, dtype=g.dtype, device=g.device)
        gc = _compute(g)
        gt = U.to_torch(gc, n, cl)
        sym = _torch_pads(k, pads)
        if sym is not None:
            dummy = U.to_torch(torch.empty(in_dims, dtype=gc.dtype, device=g.device), n, cl)
            gx = _AVG_BWD[n](gt, dummy, k, s, sym, False, False, None)
            return U.from_torch(gx, n, cl).to(g.dtype)
        padded = list(in_dims)
        for j, i in enumerate(sp):
            padded[i] += pads[j][0] + pads[j][1]
        gt = gt / _counts(n, [in_dims[i] for i in sp], [out[i] for i in sp], k, s, pads, gt)
        dummy = U.to_torch(torch.empty(padded, dtype=gc.dtype, device=g.device), n, cl)
        gx = _AVG_BWD[n](gt, dummy, k, s, [0] * n, False, True, 1)
        gx = gx.permute(0, *range(2, n + 2), 1) if cl else gx
        for j, i in enumerate(sp):
            gx = gx.narrow(i, pads[j][0], in_dims[i])
        return gx.contiguous().to(g.dtype)

    return kernel


def max_pool_grad_kernel(n, op, fwd_op):
    def kernel(x, y, g, ksize, strides, padding, data_format, explicit_paddings=()):
        cl, sp, k, s, out, pads = _window(
            op, n, list(x.shape), ksize, strides, padding, explicit_paddings, data_format, n == 2
        )
        _refuse_nchw(op, x, cl)
        if 0 in out or 0 in x.shape:
            return torch.zeros(x.shape, dtype=g.dtype, device=x.device)
        _, idx, xt, sym = _max_pool_indices(n, x, cl, k, s, pads)
        gx = _MAX_BWD[n](U.to_torch(g, n, cl).to(xt.dtype), xt, k, s, sym, [1] * n, False, idx)
        gx = gx.permute(0, *range(2, n + 2), 1) if cl else gx
        if _torch_pads(k, pads) is None:
            for j, i in enumerate(sp):
                gx = gx.narrow(i, pads[j][0], x.shape[i])
        return gx.contiguous().to(g.dtype)

    return kernel


def max_pool_grad_grad_kernel(n, op):
    def kernel(x, y, gg, ksize, strides, padding, data_format, explicit_paddings=()):
        cl, sp, k, s, out, pads = _window(
            op, n, list(x.shape), ksize, strides, padding, explicit_paddings, data_format, n == 2
        )
        _refuse_nchw(op, x, cl)
        if 0 in out or 0 in x.shape:
            return torch.zeros(out, dtype=gg.dtype, device=x.device)
        yt, idx, xt, sym = _max_pool_indices(n, x, cl, k, s, pads)
        if _torch_pads(k, pads) is None:
            gg = U.pad_tf_layout(gg, n, cl, pads)
        ggt = U.to_torch(gg, n, cl)
        flat = ggt.reshape(ggt.shape[0], ggt.shape[1], -1)
        res = flat.gather(2, idx.reshape(idx.shape[0], idx.shape[1], -1)).reshape(idx.shape)
        return U.from_torch(res, n, cl)

    return kernel


def _define_max(n, name, grad_name, gg_name, types):
    fwd = Primitive(name, allowed=types)
    grad = Primitive(grad_name, allowed=types)
    gg = Primitive(gg_name, allowed=types)
    fwd.def_kernel(max_pool_kernel(n, name))
    fwd.def_abstract(_pool_rule(name, n, types))
    grad.def_kernel(max_pool_grad_kernel(n, grad_name, name))
    grad.def_abstract(lambda x, y, g, **attrs: AbstractValue(g.dtype, x.shape))
    gg.def_kernel(max_pool_grad_grad_kernel(n, gg_name))
    gg.def_abstract(lambda x, y, g, **attrs: AbstractValue(g.dtype, y.shape))

    @fwd.def_grad
    def _fwd_grad(op, dy):
        return [bind(grad, op.inputs[0], op.outputs[0], dy, **op.attrs)]

    @grad.def_grad
    def _grad_grad(op, ddx):
        x, y, _ = op.inputs
        return [U.T.zeros_like(x), U.T.zeros_like(y), bind(gg, x, y, ddx, **op.attrs)]

    @gg.def_grad
    def _gg_grad(op, d):
        x, y, _ = op.inputs
        return [U.T.zeros_like(x), U.T.zeros_like(y), bind(grad, x, y, d, **op.attrs)]

    return fwd, grad, gg


def _define_avg(n, name, grad_name, types):
    fwd = Primitive(name, allowed=types)
    grad = Primitive(grad_name, allowed={_dt.int32})
    fwd.def_kernel(avg_pool_kernel(n, name))
    fwd.def_abstract(_pool_rule(name, n, types))
    grad.def_kernel(avg_pool_grad_kernel(n, grad_name))

    @grad.def_abstract
    def _grad_rule(sizes, g, **attrs):
        c = getattr(sizes, "const", None)
        if c is None:
            return AbstractValue(g.dtype, TensorShape([None] * (n + 2)))
        return AbstractValue(g.dtype, [int(v) for v in c.reshape(-1)])

    @fwd.def_grad
    def _fwd_grad(op, dy):
        return [bind(grad, U.T.shape(op.inputs[0]), dy, **op.attrs)]

    @grad.def_grad
    def _grad_grad(op, d):
        return [None, bind(fwd, d, **op.attrs)]

    return fwd, grad


_F3 = frozenset({_dt.float16, _dt.bfloat16, _dt.float32})
max_pool_p, max_pool_grad_p, max_pool_grad_grad_p = _define_max(
    2, "MaxPool", "MaxPoolGrad", "MaxPoolGradGrad", _MAX_TYPES
)
max_pool3d_p, max_pool3d_grad_p, max_pool3d_grad_grad_p = _define_max(
    3, "MaxPool3D", "MaxPool3DGrad", "MaxPool3DGradGrad", _F3
)
avg_pool_p, avg_pool_grad_p = _define_avg(2, "AvgPool", "AvgPoolGrad", FLOATS)
avg_pool3d_p, avg_pool3d_grad_p = _define_avg(3, "AvgPool3D", "AvgPool3DGrad", _F3)
