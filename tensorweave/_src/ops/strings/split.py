"""The `StringSplitV2` primitive: splits a 1-D string tensor into a sparse (indices, values, shape)
triple. The public `tf.strings.split` (which returns a RaggedTensor) lives in
`tensorweave/_src/ragged/ragged_string_ops.py`, as in TF."""

from __future__ import annotations

import numpy as np
import torch

from tensorweave._src.core import dtypes as _dt
from tensorweave._src.core.primitive import AbstractValue, Primitive
from tensorweave._src.ops._common import dims_str, invalid
from tensorweave._src.ops.strings._util import STRING, require_string

string_split_v2_p = Primitive("StringSplitV2", multiple_results=True, allowed=STRING)


def split_one(s: bytes, sep: bytes, maxsplit: int) -> list:
    """TF's split of one string: whitespace (collapsing, no empty pieces) when `sep` is empty."""
    if not sep:
        return s.split(None, maxsplit) if maxsplit >= 0 else s.split()
    return s.split(sep, maxsplit) if maxsplit >= 0 else s.split(sep)


@string_split_v2_p.def_kernel
def _string_split_v2(input, sep, maxsplit):
    if input.ndim != 1:
        raise invalid("StringSplitV2", f"input must be a vector, got shape: {dims_str(list(input.shape))}")
    if sep.ndim != 0:
        raise invalid("StringSplitV2", f"sep must be a scalar, got shape: {dims_str(list(sep.shape))}")
    separator = sep[()]
    rows, cols, values = [], [], []
    longest = 0
    for i in range(input.shape[0]):
        pieces = split_one(input[i], separator, maxsplit)
        longest = max(longest, len(pieces))
        for j, p in enumerate(pieces):
            rows.append(i)
            cols.append(j)
            values.append(p)
    indices = torch.tensor(np.stack([np.asarray(rows, np.int64), np.asarray(cols, np.int64)], axis=1)
                           .reshape(-1, 2))
    vals = np.empty(len(values), dtype=object)
    vals[:] = values
    shape = torch.tensor([input.shape[0], longest], dtype=torch.int64)
    return indices, vals, shape


@string_split_v2_p.def_abstract
def _string_split_v2_rule(input, sep, maxsplit):
    require_string("StringSplitV2", input)
    if input.shape.rank not in (None, 1):
        raise invalid("StringSplitV2", f"input must be a vector, got shape: {dims_str(input.shape)}")
    return (AbstractValue(_dt.int64, [None, 2]), AbstractValue(_dt.string, [None]),
            AbstractValue(_dt.int64, [2]))
