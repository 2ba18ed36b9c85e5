"""How TF prints a tensor's values: numpy's `str`/`repr` of the value, scalars without numpy's prefix."""

from __future__ import annotations

import numpy as np


def numpy_text(arr: np.ndarray, is_repr: bool = False) -> str:
    if arr.ndim == 0:
        item = arr[()]
        if isinstance(item, (bytes, str)):
            text = repr(item)
        elif is_repr:
            text = repr(_python_scalar(item, arr.dtype))  # TF shows the Python value: 0.1f -> 0.10000000149011612
        else:
            text = str(item)
    else:
        text = repr(arr) if is_repr else str(arr)
    if "\n" in text:
        text = "\n" + text
    return text


def _python_scalar(item, dtype: np.dtype):
    kind = dtype.kind
    if kind == "b":
        return bool(item)
    if kind in "iu":
        return int(item)
    if kind == "c":
        return complex(item)
    return float(item)  # float16/32/64 and ml_dtypes' bfloat16
