"""Shared pieces of the `tf.nn` ops: argument normalisation (TF's `_get_sequence`, `convert_padding`),
TF's window/padding arithmetic, layout helpers between TF layouts (NHWC, HWIO) and torch's (NCHW views
in channels_last memory, OIHW views), and lazy access to public ops for gradient rules.

Layouts: an NHWC tensor [N, H, W, C] is contiguous in torch memory; `permute(0, 3, 1, 2)` gives an
NCHW *view* whose memory is channels_last, which torch's oneDNN kernels take without a copy, and their
channels_last output permuted back is contiguous NHWC again. Filters: TF's [*k, I, O] -> torch's
[O, I, *k] is also just a view.
"""

from __future__ import annotations

import collections.abc

import torch

from tensorweave._src.api_export import EXPORTS
from tensorweave._src.core import errors
from tensorweave._src.ops._common import invalid


class _Ops:
    """Public ops looked up at call time (`T.reshape`, `T.reduce_sum`): no import cycles between op
    families, and gradient rules use exactly the ops user code would."""

    def __getattr__(self, name: str):
        fn = EXPORTS.get(name)
        if fn is None:
            fn = EXPORTS.get("math." + name) or EXPORTS["nn." + name]
        return fn


T = _Ops()

# Tests set this to exercise the NCHW code paths on CPU (TF's CPU kernels refuse NCHW; its GPU kernels
# take it, and so do ours on CUDA tensors).
ALLOW_CPU_NCHW = False


def get_sequence(value, n: int, channel_index: int, name: str) -> list:
    """TF's `_get_sequence`: an int or list of 1, n or n+2 values as a full n+2 list."""
    if value is None:
        return [1] * (n + 2)
    if isinstance(value, list):
        pass
    elif isinstance(value, tuple):
        value = list(value)
    elif isinstance(value, int):
        value = [value]
    elif not isinstance(value, collections.abc.Sized):
        value = [value]
    else:
        value = list(value)
    if len(value) == n + 2:
        return [int(v) for v in value]
    if len(value) == 1:
        value = value * n
    elif len(value) != n:
        raise ValueError(
            f"{name} should be of length 1, {n} or {n + 2}. Received: {name}={value} of length {len(value)}"
        )
    value = [int(v) for v in value]
    return [1, 1] + value if channel_index == 1 else [1] + value + [1]


def convert_padding(padding, expected_length: int = 4):
    """TF's `convert_padding`: a list of [before, after] pairs becomes ("EXPLICIT", flat list)."""
    explicit = []
    if padding == "EXPLICIT":
        raise ValueError(
            "'EXPLICIT' is not a valid value for `padding`. To use explicit padding, `padding` "
            "must be a list."
        )
    if isinstance(padding, (list, tuple)):
        for i, pair in enumerate(padding):
            if not isinstance(pair, (list, tuple)):
                raise ValueError(
                    "When `padding` is a list, each element of `padding` must be a list/tuple of "
                    f"size 2. Received: padding={padding} with element at index {i} of type "
                    f"{type(pair)}"
                )
            if len(pair) != 2:
                raise ValueError(
                    "When `padding` is a list, each element of `padding` must be a list/tuple of "
                    f"size 2. Received: padding={padding} with element at index {i} of size "
                    f"{len(pair)}"
                )
            explicit.extend(int(p) for p in pair)
        if len(padding) != expected_length:
            raise ValueError(
                f"When padding is a list, it must be of size {expected_length}. Received: "
                f"padding={padding} of size {len(padding)}"
            )
        padding = "EXPLICIT"
    return padding, explicit


def attr_error(op_name: str, attr: str, value, allowed) -> errors.OpError:
    names = ", ".join(f'"{a}"' for a in allowed)
    return invalid(
        op_name, f"Value for attr '{attr}' of \"{value}\" is not in the list of allowed values: {names}"
    )


def check_padding(op_name: str, padding, allow_explicit: bool = True):
    allowed = ("SAME", "VALID", "EXPLICIT") if allow_explicit else ("SAME", "VALID")
    if padding not in allowed:
        raise attr_error(op_name, "padding", padding, allowed)


def is_channels_last(data_format: str) -> bool:
    return not data_format.startswith("NC")


def spatial_axes(n: int, channels_last: bool) -> list:
    return list(range(1, n + 1)) if channels_last else list(range(2, n + 2))


def channel_axis(n: int, channels_last: bool) -> int:
    return n + 1 if channels_last else 1


def window_output(in_size, k: int, s: int, d: int, padding: str, pads=None):
    """(output size, pad_before, pad_after) along one spatial dim with TF's arithmetic: SAME pads
    `max((out - 1) * s + eff_k - in, 0)` in total, the extra one after (bottom/right)."""
    eff_k = (k - 1) * d + 1
    if in_size is None:
        return None, None, None
    if padding == "SAME":
        out = -(-in_size // s)
        total = max((out - 1) * s + eff_k - in_size, 0)
        return out, total // 2, total - total // 2
    if padding == "VALID":
        return max((in_size - eff_k + s) // s, 0), 0, 0
    before, after = pads
    return max((in_size + before + after - eff_k + s) // s, 0), before, after


def on_cpu_refusing_nchw(x: torch.Tensor, channels_last: bool) -> bool:
    return not channels_last and x.device.type == "cpu" and not ALLOW_CPU_NCHW


def to_torch(x: torch.Tensor, n: int, channels_last: bool) -> torch.Tensor:
    """TF layout -> torch's [N, C, *spatial] (a view; channels_last memory for channels-last input)."""
    if channels_last:
        return x.permute(0, n + 1, *range(1, n + 1))
    return x


def from_torch(y: torch.Tensor, n: int, channels_last: bool) -> torch.Tensor:
    """torch's [N, C, *spatial] -> TF layout, contiguous (no copy when `y` has the matching memory
    format)."""
    if channels_last:
        y = y.permute(0, *range(2, n + 2), 1)
    return y.contiguous()


def pad_tf_layout(x: torch.Tensor, n: int, channels_last: bool, pads, value=0.0) -> torch.Tensor:
    """Pads the spatial dims of a TF-layout tensor by `pads` [(before, after)] (one copy)."""
    spec = []
    dims = spatial_axes(n, channels_last)
    for axis in range(x.dim() - 1, -1, -1):
        if axis in dims:
            spec.extend(pads[dims.index(axis)])
        else:
            spec.extend((0, 0))
    while len(spec) >= 2 and spec[-1] == 0 and spec[-2] == 0:
        spec = spec[:-2]
    return torch.nn.functional.pad(x, spec, value=value)


def split_pads(pads):
    """(symmetric pads torch can apply itself, remaining asymmetric pads or None)."""
    sym = [min(b, a) for b, a in pads]
    rest = [(b - s, a - s) for (b, a), s in zip(pads, sym)]
    return sym, (rest if any(b or a for b, a in rest) else None)


def int_list(values) -> list:
    return [int(v) for v in values]
