"""Convolution geometry shared by the conv kernels and shape rules: the op families (`Spec`), TF's
attribute checks and error messages, output sizes and per-dimension pads (TF's SAME puts the extra pad
after), channel/group arithmetic and rank checks."""

from __future__ import annotations

from tensorweave._src.core import dtypes as _dt
from tensorweave._src.core import errors
from tensorweave._src.ops._common import dims_str, invalid
from tensorweave._src.ops.nn import _util as U

_CONV_TYPES = {
    2: frozenset({_dt.float16, _dt.bfloat16, _dt.float32, _dt.float64, _dt.int32}),
    3: frozenset({_dt.float16, _dt.bfloat16, _dt.float32, _dt.float64}),
}
_DW_TYPES = frozenset({_dt.float16, _dt.bfloat16, _dt.float32, _dt.float64})
_FORMATS = {2: ("NHWC", "NCHW"), 3: ("NDHWC", "NCDHW")}


class Spec:
    """One convolution family: `n` spatial dims, depthwise or not, and its TF op names."""

    def __init__(self, n: int, depthwise: bool, fwd: str, bp_input: str, bp_filter: str):
        self.n, self.depthwise = n, depthwise
        self.fwd, self.bp_input, self.bp_filter = fwd, bp_input, bp_filter
        self.types = _DW_TYPES if depthwise else _CONV_TYPES[n]


CONV2D = Spec(2, False, "Conv2D", "Conv2DBackpropInput", "Conv2DBackpropFilter")
CONV3D = Spec(3, False, "Conv3D", "Conv3DBackpropInputV2", "Conv3DBackpropFilterV2")
DEPTHWISE = Spec(
    2,
    True,
    "DepthwiseConv2dNative",
    "DepthwiseConv2dNativeBackpropInput",
    "DepthwiseConv2dNativeBackpropFilter",
)


def _tf_name(dtype):
    return {"float32": "float", "float64": "double", "float16": "half"}.get(dtype.name, dtype.name)


# ---- attribute checks and geometry (shared by kernels and rules) ---------------------------------


def _check_attrs(spec: Spec, op: str, strides, padding, explicit_paddings, data_format, dilations):
    n = spec.n
    if data_format not in _FORMATS[n]:
        raise U.attr_error(op, "data_format", data_format, _FORMATS[n])
    U.check_padding(op, padding, allow_explicit=(n == 2))
    for name, vals in (("strides", strides), ("dilations", dilations)):
        if len(vals) < n + 2:
            raise invalid(op, f"Length for attr '{name}' of {len(vals)} must be at least minimum {n + 2}")
        if len(vals) != n + 2:
            raise invalid(op, f"Sliding window {name} field must specify {n + 2} dimensions")
    cl = U.is_channels_last(data_format)
    c = U.channel_axis(n, cl)
    sp = U.spatial_axes(n, cl)
    if strides[0] != 1 or strides[c] != 1:
        raise errors.op_error(
            errors.UnimplementedError,
            op,
            "Current implementation does not yet support strides in the batch and depth dimensions.",
        )
    if dilations[0] != 1 or dilations[c] != 1:
        raise errors.op_error(
            errors.UnimplementedError,
            op,
            "Current implementation does not yet support dilations in the batch and depth dimensions.",
        )
    if any(strides[i] <= 0 for i in sp):
        raise invalid(
            op,
            "Row and column strides should be larger than 0."
            if n == 2
            else "Sliding window strides field must specify 5 dimensions",
        )
    if any(dilations[i] <= 0 for i in sp):
        raise invalid(op, "Dilated rates should be larger than 0.")
    if spec.depthwise and strides[sp[0]] != strides[sp[1]]:
        raise invalid(
            op, "Current implementation only supports equal length strides in the row and column dimensions."
        )
    pads = None
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
        pads = [(explicit_paddings[2 * i], explicit_paddings[2 * i + 1]) for i in sp]
    return cl, sp, [strides[i] for i in sp], [dilations[i] for i in sp], pads


def _geometry(in_spatial, k_spatial, s, d, padding, pads):
    """Output spatial sizes and per-dim (before, after) pads (None entries where unknown)."""
    outs, all_pads = [], []
    for i, (size, k) in enumerate(zip(in_spatial, k_spatial)):
        if k is None:
            outs.append(None)
            all_pads.append(None)
            continue
        out, b, a = U.window_output(size, k, s[i], d[i], padding, pads[i] if pads else None)
        outs.append(out)
        all_pads.append(None if b is None else (b, a))
    return outs, all_pads


def _channels(spec: Spec, op: str, in_depth, fshape):
    """(output depth, groups) from the input depth and the filter's shape; checks they fit."""
    f_in, f_out = fshape[-2], fshape[-1]
    if spec.depthwise:
        if in_depth is not None and f_in is not None and in_depth != f_in:
            raise invalid(op, f"input and filter must have the same depth: {in_depth} vs {f_in}")
        return (None if f_in is None or f_out is None else f_in * f_out), in_depth
    if in_depth is not None and f_in is not None:
        if f_in == 0 or in_depth % f_in:
            raise invalid(op, f"input depth must be evenly divisible by filter depth: {in_depth} vs {f_in}")
        return f_out, in_depth // f_in
    return f_out, None


def _check_ranks(spec: Spec, op: str, x_dims, f_dims, what="input"):
    n = spec.n
    if x_dims is not None and len(x_dims) != n + 2:
        raise invalid(
            op,
            f"convolution {what} must be {n + 2}-dimensional: {dims_str(x_dims)}"
            if n == 2
            else f"{what} must be {n + 2}-dimensional",
        )
    if f_dims is not None and len(f_dims) != n + 2:
        raise invalid(
            op,
            f"convolution filter must be {n + 2}-dimensional: {dims_str(f_dims)}"
            if n == 2
            else f"filter must be {n + 2}-dimensional",
        )


def _out_shape(spec, op, x_dims, f_dims, attrs):
    cl, sp, s, d, pads = _check_attrs(spec, op, **attrs)
    n = spec.n
    _check_ranks(spec, op, x_dims, f_dims)
    if x_dims is None:
        x_dims = [None] * (n + 2)
    if f_dims is None:
        f_dims = [None] * (n + 2)
    c = U.channel_axis(n, cl)
    out_c, _ = _channels(spec, op, x_dims[c], f_dims)
    outs, _ = _geometry([x_dims[i] for i in sp], f_dims[:n], s, d, attrs["padding"], pads)
    dims = [x_dims[0]] + outs + [out_c] if cl else [x_dims[0], out_c] + outs
    return dims


