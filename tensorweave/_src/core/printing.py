"""How TF prints a tensor's values: numpy's `str`/`repr` of the value, scalars without numpy's prefix."""

from __future__ import annotations

import numpy as np


def numpy_text(arr: np.ndarray, is_repr: bool = False) -> str:
    if arr.ndim == 0:
        item = arr[()]
        if isinstance(item, (bytes, str)):
            text = repr(item)
        elif is_repr:
            with np.printoptions(legacy="1.25"):
                text = repr(item)
        else:
            text = str(item)
    else:
        text = repr(arr) if is_repr else str(arr)
    if "\n" in text:
        text = "\n" + text
    return text
