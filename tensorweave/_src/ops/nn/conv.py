"""Convolution primitives: Conv2D/Conv3D, DepthwiseConv2dNative and their backprop ops (which are also
the transposed convolutions), each with TF's attrs (strides, padding, explicit_paddings, data_format,
dilations), shape rule, errors and gradient rule.

Kernels run torch's convolutions on views: NHWC input -> NCHW view in channels_last memory, HWIO
filter -> OIHW view, output permuted back to contiguous NHWC (see _util). The backprop ops call
`aten.convolution_backward` (what torch's autograd calls), so forward+backward costs what torch's does.
TF's asymmetric SAME padding is applied as torch's symmetric padding plus, only where needed, one
explicit pad of the remainder.
"""

from __future__ import annotations

import functools

import torch
import torch.nn.functional as F

from tensorweave._src.core import dtypes as _dt
from tensorweave._src.core import errors
from tensorweave._src.core.dispatch import bind
from tensorweave._src.core.primitive import AbstractValue, Primitive
from tensorweave._src.core.shape import TensorShape
from tensorweave._src.ops._common import invalid, wanted
from tensorweave._src.ops.nn import _util as U
from tensorweave._src.ops.nn.conv_shapes import (
    CONV2D,
    CONV3D,
    DEPTHWISE,
    Spec,
    _channels,
    _check_attrs,
    _check_ranks,
    _geometry,
    _out_shape,
    _tf_name,
)

_TORCH_CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}

# ---- torch plumbing ------------------------------------------------------------------------------


def _torch_filter(spec: Spec, w: torch.Tensor) -> torch.Tensor:
    """TF filter [*k, I, O] (depthwise [*k, C, M]) as torch's weight [O, I, *k] ([C*M, 1, *k]), a view."""
    n = spec.n
    if spec.depthwise:
        w = w.reshape(*w.shape[:n], 1, w.shape[n] * w.shape[n + 1])
    return w.permute(n + 1, n, *range(n))


def _tf_filter(spec: Spec, gw: torch.Tensor, fshape) -> torch.Tensor:
    n = spec.n
    gw = gw.permute(*range(2, n + 2), 1, 0)
    if spec.depthwise:
        return gw.reshape(fshape)
    return gw.contiguous()


def _compute_dtype(x: torch.Tensor):
    if x.dtype in (torch.int32,):
        return torch.float64
    return None


def _check_device_format(spec: Spec, op: str, x: torch.Tensor, cl: bool):
    if U.on_cpu_refusing_nchw(x, cl):
        if spec.depthwise:
            raise errors.op_error(
                errors.UnimplementedError,
                op,
                "Depthwise convolution on CPU is only supported for NHWC format",
            )
        if spec.n == 3:
            raise invalid(op, "CPU implementation of Conv3D currently only supports the NHWC tensor format.")
        if op == spec.fwd:
            raise errors.op_error(
                errors.UnimplementedError,
                op,
                "The Conv2D op currently only supports the "
                "NHWC tensor format on the CPU. The op was given "
                "the format: NCHW",
            )
        raise invalid(
            op, f"Conv2DCustomBackprop{'Input' if op == spec.bp_input else 'Filter'}Op only supports NHWC."
        )


def _prepare(spec: Spec, op: str, x_shape, attrs, x_device):
    cl, sp, s, d, pads = _check_attrs(spec, op, **attrs)
    if spec.n == 3 and x_device.type == "cpu" and any(v != 1 for v in d):
        raise invalid(op, "CPU implementation of Conv3D currently only supports dilated rates of 1.")
    return cl, sp, s, d, pads


@functools.lru_cache(maxsize=512)
def _forward_plan(
    spec: Spec, x_shape, w_shape, strides, padding, explicit_paddings, data_format, dilations, device_type
):
    """Everything the forward kernel needs that depends only on shapes and attrs (checked once, cached):
    (channels_last, strides, dilations, output dims, groups, torch's symmetric pads, remaining pads)."""
    attrs = dict(
        strides=strides,
        padding=padding,
        explicit_paddings=explicit_paddings,
        data_format=data_format,
        dilations=dilations,
    )
    op = spec.fwd
    cl, sp, s, d, pads = _check_attrs(spec, op, **attrs)
    if spec.n == 3 and device_type == "cpu" and any(v != 1 for v in d):
        raise invalid(op, "CPU implementation of Conv3D currently only supports dilated rates of 1.")
    dims = _out_shape(spec, op, list(x_shape), list(w_shape), attrs)
    n = spec.n
    _, groups = _channels(spec, op, x_shape[U.channel_axis(n, cl)], list(w_shape))
    _, all_pads = _geometry([x_shape[i] for i in sp], list(w_shape[:n]), s, d, padding, pads)
    sym, rest = U.split_pads(all_pads)
    empty = 0 in dims or 0 in x_shape or 0 in w_shape
    return cl, s, d, dims, groups, sym, rest, empty


def conv_forward(spec: Spec, x, w, strides, padding, explicit_paddings, data_format, dilations):
    cl, s, d, dims, groups, sym, rest, empty = _forward_plan(
        spec,
        tuple(x.shape),
        tuple(w.shape),
        tuple(strides),
        padding,
        tuple(explicit_paddings),
        data_format,
        tuple(dilations),
        x.device.type,
    )
    n = spec.n
    _check_device_format(spec, spec.fwd, x, cl)
    if empty:
        return torch.zeros(dims, dtype=x.dtype, device=x.device)
    if rest is not None:
        x = U.pad_tf_layout(x, n, cl, rest)
    xt, wt = U.to_torch(x, n, cl), _torch_filter(spec, w)
    if (
        x.dtype is torch.int32
    ):  # no integer convolutions in torch: exact in float64 for TF's int32 range of use
        return U.from_torch(
            _TORCH_CONV[n](xt.double(), wt.double(), None, s, sym, d, groups).round().int(), n, cl
        )
    return U.from_torch(_TORCH_CONV[n](xt, wt, None, s, sym, d, groups), n, cl)


def _sizes(spec: Spec, op: str, input_sizes, other_dims, cl, which: str):
    """Full TF-layout sizes from an `input_sizes` of n+2 values (or n spatial values, for 2-D)."""
    n = spec.n
    vals = [int(v) for v in input_sizes]
    if len(vals) == n + 2:
        return vals
    if n == 2 and len(vals) == 2 and which == "input":
        batch, depth = other_dims
        return [batch] + vals + [depth] if cl else [batch, depth] + vals
    if n == 2:
        raise invalid(
            op, f"{op} requires {which}_sizes to contain 4 values or 2 values, but got: {len(vals)}"
        )
    raise invalid(op, f"{which}_sizes must have {n + 2} elements")


def _check_backprop(spec: Spec, op: str, in_dims, f_dims, dy_dims, attrs, kind: str):
    """TF's checks relating input, filter and out_backprop shapes (dims may hold None)."""
    cl, sp, s, d, pads = _check_attrs(spec, op, **attrs)
    n = spec.n
    label = (
        ("Conv2DCustomBackpropInput" if kind == "input" else "Conv2DCustomBackpropFilter") if n == 2 else op
    )
    if spec.depthwise:
        label = op
    c = U.channel_axis(n, cl)
    if in_dims is not None and f_dims is not None:
        out_c, _ = _channels(spec, op, in_dims[c], f_dims)
        if dy_dims is not None and out_c is not None and dy_dims[c] is not None and out_c != dy_dims[c]:
            raise invalid(op, f"{label}: filter and out_backprop must have the same out_depth")
        outs, _ = _geometry([in_dims[i] for i in sp], f_dims[:n], s, d, attrs["padding"], pads)
        if dy_dims is not None:
            for j, i in enumerate(sp):
                if outs[j] is not None and dy_dims[i] is not None and outs[j] != dy_dims[i]:
                    raise invalid(
                        op,
                        f"{label}: Size of out_backprop doesn't match computed: actual = "
                        f"{dy_dims[i]}, computed = {outs[j]} spatial_dim: {i} input: "
                        f"{in_dims[i]} filter: {f_dims[j]} output: {dy_dims[i]} stride: "
                        f"{s[j]} dilation: {d[j]}",
                    )
    return cl, sp, s, d, pads


def _conv_backward(spec, x_t, w_t, dy_t, s, sym, d, groups, mask):
    n = spec.n
    return torch.ops.aten.convolution_backward(dy_t, x_t, w_t, None, s, sym, d, False, [0] * n, groups, mask)


def backprop_input(spec: Spec, input_sizes, w, dy, **attrs):
    op = spec.bp_input
    cl, sp, s, d, pads = _prepare(spec, op, dy.shape, attrs, dy.device)
    _check_device_format(spec, op, dy, cl)
    n = spec.n
    c = U.channel_axis(n, cl)
    f_in = w.shape[n]
    in_shape = _sizes(spec, op, input_sizes.tolist(), (dy.shape[0], f_in), cl, "input")
    _check_ranks(spec, op, list(dy.shape), list(w.shape), what="out_backprop")
    _check_backprop(spec, op, in_shape, list(w.shape), list(dy.shape), attrs, "input")
    _, groups = _channels(spec, op, in_shape[c], list(w.shape))
    if 0 in in_shape or 0 in dy.shape or 0 in w.shape:
        return torch.zeros(in_shape, dtype=dy.dtype, device=dy.device)
    _, all_pads = _geometry([in_shape[i] for i in sp], list(w.shape[:n]), s, d, attrs["padding"], pads)
    sym, rest = U.split_pads(all_pads)
    padded = list(in_shape)
    if rest is not None:
        for j, i in enumerate(sp):
            padded[i] += rest[j][0] + rest[j][1]
    cdt = _compute_dtype(dy) or dy.dtype
    x_t = U.to_torch(torch.empty(padded, dtype=cdt, device=dy.device), n, cl)
    gx = _conv_backward(
        spec,
        x_t,
        _torch_filter(spec, w).to(cdt),
        U.to_torch(dy, n, cl).to(cdt),
        s,
        sym,
        d,
        groups,
        [True, False, False],
    )[0]
    gx = gx.permute(0, *range(2, n + 2), 1) if cl else gx
    if rest is not None:
        for j, i in enumerate(sp):
            gx = gx.narrow(i, rest[j][0], in_shape[i])
    if cdt is not dy.dtype:
        gx = gx.round().to(dy.dtype)
    return gx.contiguous()


def backprop_filter(spec: Spec, x, filter_sizes, dy, **attrs):
    op = spec.bp_filter
    cl, sp, s, d, pads = _prepare(spec, op, x.shape, attrs, x.device)
    _check_device_format(spec, op, x, cl)
    n = spec.n
    fshape = _sizes(spec, op, filter_sizes.tolist(), None, cl, "filter")
    _check_ranks(spec, op, list(x.shape), fshape)
    _check_backprop(spec, op, list(x.shape), fshape, list(dy.shape), attrs, "filter")
    _, groups = _channels(spec, op, x.shape[U.channel_axis(n, cl)], fshape)
    if 0 in x.shape or 0 in dy.shape or 0 in fshape:
        return torch.zeros(fshape, dtype=x.dtype, device=x.device)
    _, all_pads = _geometry([x.shape[i] for i in sp], fshape[:n], s, d, attrs["padding"], pads)
    sym, rest = U.split_pads(all_pads)
    if rest is not None:
        x = U.pad_tf_layout(x, n, cl, rest)
    cdt = _compute_dtype(x) or x.dtype
    w_t = _torch_filter(spec, torch.empty(fshape, dtype=cdt, device=x.device))
    gw = _conv_backward(
        spec,
        U.to_torch(x, n, cl).to(cdt),
        w_t,
        U.to_torch(dy, n, cl).to(cdt),
        s,
        sym,
        d,
        groups,
        [False, True, False],
    )[1]
    gw = _tf_filter(spec, gw, fshape)
    if cdt is not x.dtype:
        gw = gw.round().to(x.dtype)
    return gw


# ---- primitives ----------------------------------------------------------------------------------


def _dtype_pair(op, a, b, index=1):
    if a.dtype is not b.dtype:
        raise invalid(
            op,
            f"cannot compute {op} as input #{index}(zero-based) was expected to be a "
            f"{_tf_name(a.dtype)} tensor but is a {_tf_name(b.dtype)} tensor",
        )


_TYPE_ORDER = (
    (_dt.float16, "half"),
    (_dt.bfloat16, "bfloat16"),
    (_dt.float32, "float"),
    (_dt.float64, "double"),
    (_dt.int32, "int32"),
)


def _type_names(types) -> str:
    return ", ".join(name for dt, name in _TYPE_ORDER if dt in types)


def _sizes_value(t):
    c = getattr(t, "const", None)
    return None if c is None else [int(v) for v in c.reshape(-1)]


def _define(spec: Spec):
    fwd_p = Primitive(spec.fwd, allowed=spec.types)
    bpi_p = Primitive(spec.bp_input, allowed={_dt.int32})  # input 0 is input_sizes
    bpf_p = Primitive(spec.bp_filter, allowed=spec.types)

    fwd_p.def_kernel(lambda x, w, **attrs: conv_forward(spec, x, w, **attrs))
    bpi_p.def_kernel(lambda sizes, w, dy, **attrs: backprop_input(spec, sizes, w, dy, **attrs))
    bpf_p.def_kernel(lambda x, sizes, dy, **attrs: backprop_filter(spec, x, sizes, dy, **attrs))

    def _check_type(op, x):
        if x.dtype not in spec.types:
            raise invalid(
                op,
                f"Value for attr 'T' of {x.dtype.name} is not in the list of allowed values: "
                f"{_type_names(spec.types)}",
            )

    @fwd_p.def_abstract
    def _fwd_rule(x, w, **attrs):
        _dtype_pair(spec.fwd, x, w)
        _check_type(spec.fwd, x)
        dims = _out_shape(spec, spec.fwd, x.shape.dims, w.shape.dims, attrs)
        return AbstractValue(x.dtype, dims)

    @bpi_p.def_abstract
    def _bpi_rule(sizes, w, dy, **attrs):
        _dtype_pair(spec.bp_input, w, dy, 2)
        _check_type(spec.bp_input, w)
        cl, *_ = _check_attrs(spec, spec.bp_input, **attrs)
        vals = _sizes_value(sizes)
        if vals is None:
            n_sizes = sizes.shape.dims[0] if sizes.shape.rank == 1 else None
            return AbstractValue(
                w.dtype, TensorShape([None] * spec.n + [None, None]) if n_sizes in (None, 4, 5) else None
            )
        f_in = w.shape.dims[spec.n] if w.shape.rank is not None else None
        batch = dy.shape.dims[0] if dy.shape.rank is not None else None
        in_shape = _sizes(spec, spec.bp_input, vals, (batch, f_in), cl, "input")
        _check_ranks(spec, spec.bp_input, dy.shape.dims, w.shape.dims, what="out_backprop")
        _check_backprop(spec, spec.bp_input, in_shape, w.shape.dims, dy.shape.dims, attrs, "input")
        return AbstractValue(w.dtype, in_shape)

    @bpf_p.def_abstract
    def _bpf_rule(x, sizes, dy, **attrs):
        _dtype_pair(spec.bp_filter, x, dy, 2)
        _check_type(spec.bp_filter, x)
        cl, *_ = _check_attrs(spec, spec.bp_filter, **attrs)
        vals = _sizes_value(sizes)
        if vals is None:
            return AbstractValue(x.dtype, TensorShape([None] * (spec.n + 2)))
        fshape = _sizes(spec, spec.bp_filter, vals, None, cl, "filter")
        _check_ranks(spec, spec.bp_filter, x.shape.dims, fshape)
        _check_backprop(spec, spec.bp_filter, x.shape.dims, fshape, dy.shape.dims, attrs, "filter")
        return AbstractValue(x.dtype, fshape)

    shape = lambda t: U.T.shape(t)  # noqa: E731 - int32 shape tensors, traced in graphs

    @fwd_p.def_grad
    def _fwd_grad(op, dy):
        x, w = op.inputs
        # skip the input gradient of a data batch
        return [bind(bpi_p, shape(x), w, dy, **op.attrs) if wanted(op, 0) else None,
                bind(bpf_p, x, shape(w), dy, **op.attrs) if wanted(op, 1) else None]

    @bpi_p.def_grad
    def _bpi_grad(op, g):
        sizes, w, dy = op.inputs
        return [None, bind(bpf_p, g, shape(w), dy, **op.attrs), bind(fwd_p, g, w, **op.attrs)]

    @bpf_p.def_grad
    def _bpf_grad(op, g):
        x, sizes, dy = op.inputs
        return [bind(bpi_p, shape(x), g, dy, **op.attrs), None, bind(fwd_p, x, g, **op.attrs)]

    return fwd_p, bpi_p, bpf_p


conv2d_p, conv2d_backprop_input_p, conv2d_backprop_filter_p = _define(CONV2D)
conv3d_p, conv3d_backprop_input_p, conv3d_backprop_filter_p = _define(CONV3D)
depthwise_p, depthwise_backprop_input_p, depthwise_backprop_filter_p = _define(DEPTHWISE)

PRIMS = {
    "Conv2D": (conv2d_p, conv2d_backprop_input_p, conv2d_backprop_filter_p),
    "Conv3D": (conv3d_p, conv3d_backprop_input_p, conv3d_backprop_filter_p),
    "Depthwise": (depthwise_p, depthwise_backprop_input_p, depthwise_backprop_filter_p),
}
