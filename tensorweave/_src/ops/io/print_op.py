"""`tf.print`: prints tensors the way TF's PrintV2 formats them (not numpy's format).

>>> import tensorweave as tf
>>> tf.print(tf.constant([1.0, 2.5, 3.0]), "done")
[1 2.5 3] done
"""

from __future__ import annotations

import os
import sys

import numpy as np

from tensorweave._src.api_export import tf_export
from tensorweave._src.core import backend
from tensorweave._src.core.context import state
from tensorweave._src.core.convert import convert_to_tensor
from tensorweave._src.core.dispatch import bind
from tensorweave._src.core.primitive import Primitive
from tensorweave._src.core.tensor import is_tensor
from tensorweave._src.util.nest import flatten, pack_sequence_as

_OUTPUT_STREAMS = {"stdout": sys.stdout, "stderr": sys.stderr}


def _scalar_text(v, dtype: np.dtype) -> str:
    if dtype == np.bool_:
        return "1" if v else "0"
    if dtype.kind == "O":
        return '"' + (v.decode("utf-8", "backslashreplace") if isinstance(v, bytes) else str(v)) + '"'
    if dtype.kind == "f":
        return _float_text(v, dtype)
    if dtype.kind == "c":
        return f"({_scalar_text(v.real, np.dtype(np.float64))},{_scalar_text(v.imag, np.dtype(np.float64))})"
    return str(int(v))


def _float_text(v, dtype: np.dtype) -> str:
    """The shortest of TF's two precisions (6 then 9 digits for float32, 15 then 17 for float64)
    that reads back as the same value."""
    short, full = (15, 17) if dtype.itemsize >= 8 else (6, 9)
    value = dtype.type(v) if dtype.itemsize >= 4 else np.float32(v)
    text = "%.*g" % (short, float(value))
    if type(value)(text) != value:
        text = "%.*g" % (full, float(value))
    return text


def format_array(arr: np.ndarray, summarize: int = 3) -> str:
    """TF's text for a tensor value: nested brackets, `...` beyond `summarize` items per dimension."""
    if arr.ndim == 0:
        return _scalar_text(arr[()], arr.dtype)
    return _format(arr, summarize, 0)


def _format(arr: np.ndarray, summarize: int, depth: int) -> str:
    n = arr.shape[0]
    if summarize is None or summarize < 0 or n <= 2 * summarize:
        indices, cut = list(range(n)), None
    else:
        indices, cut = list(range(summarize)) + list(range(n - summarize, n)), summarize
    if arr.ndim == 1:
        items = [_scalar_text(arr[i], arr.dtype) for i in indices]
        if cut is not None:
            items.insert(cut, "...")
        return "[" + " ".join(items) + "]"
    parts = [_format(arr[i], summarize, depth + 1) for i in indices]
    if cut is not None:
        parts.insert(cut, "...")
    sep = "\n" * (arr.ndim - 1) + " " * (depth + 1)
    return "[" + sep.join(parts) + "]"


def _text(obj, summarize: int) -> str:
    if isinstance(obj, _Value):
        return format_array(obj.array, summarize)
    if is_tensor(obj):
        return format_array(np.asarray(obj), summarize)
    if isinstance(obj, dict):
        return "{" + ", ".join(f"{k!r}: {_text(v, summarize)}" for k, v in obj.items()) + "}"
    if isinstance(obj, list):
        return "[" + ", ".join(_text(v, summarize) for v in obj) + "]"
    if isinstance(obj, tuple):
        return "(" + ", ".join(_text(v, summarize) for v in obj) + ("," if len(obj) == 1 else "") + ")"
    return str(obj)


print_p = Primitive("PrintV2", multiple_results=True, stateful=True)


@print_p.def_kernel
def _print_kernel(*values, template, output_stream, summarize, sep, end):
    it = iter(values)
    leaves = [_Value(backend.to_numpy(next(it))) if leaf is _TENSOR else leaf for leaf in template[1]]
    _write(pack_sequence_as(template[0], leaves), output_stream, summarize, sep, end)
    return ()


@print_p.def_abstract
def _print_rule(*values, **attrs):
    return ()


class _Value:
    """A printed tensor's value inside the template (printed with TF's tensor format)."""

    def __init__(self, array):
        self.array = array


_TENSOR = object()  # marks where a tensor sits in the flattened template


@tf_export("print", dispatch=False)
def print_(*inputs, **kwargs):
    """Prints `inputs` with TF's tensor formatting (to stderr by default, as TF). Inside a tf.function
    it becomes a stateful PrintV2 node, so it prints each time the function runs.

    Keyword arguments, as TF's (which takes them as `**kwargs`): output_stream=sys.stderr, summarize=3,
    sep=" ", end=os.linesep, name=None."""
    output_stream = kwargs.pop("output_stream", sys.stderr)
    kwargs.pop("name", None)
    summarize = kwargs.pop("summarize", 3)
    sep = kwargs.pop("sep", " ")
    end = kwargs.pop("end", os.linesep)
    if kwargs:
        raise ValueError(f"Unrecognized keyword arguments for tf.print: {kwargs}")
    if isinstance(output_stream, str):
        output_stream = _OUTPUT_STREAMS.get(output_stream, sys.stderr)
    leaves = flatten(list(inputs))
    tensors = [x for x in leaves if is_tensor(x)]
    if state.tracer is None:
        _write(inputs, output_stream, summarize, sep, end)
        return None
    template = (list(inputs), [_TENSOR if is_tensor(x) else x for x in leaves])
    bind(print_p, *[convert_to_tensor(t) for t in tensors], template=template, output_stream=output_stream,
         summarize=summarize, sep=sep, end=end)
    return None


def _write(inputs, output_stream, summarize, sep, end) -> None:
    stream = sys.stderr if output_stream is sys.stderr else output_stream
    stream.write(sep.join(_text(x, summarize) for x in inputs) + end)
    if hasattr(stream, "flush"):
        stream.flush()
