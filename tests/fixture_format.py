"""The fixture format, shared by the recorder (tools/record_fixtures.py, under real TF) and the
harness (tests/harness.py, under tensorweave). It imports neither: the `tf` module is passed in.

A case is code run with `tf` and `np` in its namespace: a single expression, or statements that assign
`result`. Its outcome is encoded as JSON:

- a raised exception: `{"error": class name, "message": str(e)}`
- a tensor or variable: `{"kind": "tensor"|"variable", "dtype": "float32", "shape": [2, None],
  "value": nested lists, "str": str(x), "repr": repr(x)}`; string elements are latin-1 decoded bytes
  (the tensor carries `"bytes": "latin-1"`), non-finite floats are "nan", "inf", "-inf", complex
  numbers are [real, imag]
- a numpy array or numpy scalar: `{"kind": "ndarray"|"numpy_scalar", "dtype", "shape", "value", "repr"}`
- a list, tuple or dict: `{"kind": "list"|"tuple"|"dict", "items": [...] or {key: ...}}`
- any other value (bool, int, float, str, None, TensorShape, DType, ...):
  `{"kind": "python", "type": type name, "repr": repr(x)}`

Whatever the case printed is kept under "stdout" (when it printed anything).
"""

from __future__ import annotations

import contextlib
import io
import math
import traceback

import numpy as np


def run_case(code: str, tf, np_module=np, *, is_reference: bool = False) -> dict:
    """Runs one case with `tf` and returns its encoded outcome (exceptions are recorded, not raised).

    Under the reference (`is_reference`) a failure to encode is recorded too; under tensorweave it
    propagates, since then it is a bug of ours (e.g. `str(tensor)` raising)."""
    namespace = {"tf": tf, "np": np_module}
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            result = execute(code, namespace)
    except Exception as e:  # noqa: BLE001 - recording what the code raises is the point
        encoded = {"error": type(e).__name__, "message": str(e)}
        if not is_reference:
            encoded["traceback"] = traceback.format_exc()
    else:
        if is_reference:
            try:
                encoded = encode(result, tf)
            except Exception as e:  # noqa: BLE001
                encoded = {"error": type(e).__name__, "message": f"while encoding the result: {e}"}
        else:
            encoded = encode(result, tf)
    encoded["code"] = code
    if out.getvalue():
        encoded["stdout"] = out.getvalue()
    return encoded


def execute(code: str, namespace: dict):
    """Evaluates an expression, or executes statements and returns their `result` (None if unset)."""
    try:
        compiled = compile(code, "<case>", "eval")
    except SyntaxError:
        exec(compile(code, "<case>", "exec"), namespace)
        return namespace.get("result")
    return eval(compiled, namespace)


def _is_tensor_like(x, tf) -> bool:
    if isinstance(x, (np.ndarray, np.generic, type)):
        return False
    if isinstance(x, getattr(tf, "Tensor", ())):
        return True
    variable = getattr(tf, "Variable", None)
    return variable is not None and isinstance(x, variable)


def encode(x, tf) -> dict:
    """The JSON form of a case result (see the module docstring)."""
    if _is_tensor_like(x, tf):
        variable = getattr(tf, "Variable", None)
        kind = "variable" if variable is not None and isinstance(x, variable) else "tensor"
        arr = np.asarray(x.numpy())
        dtype = x.dtype.name
        shape = x.shape
        out = {"kind": kind, "dtype": dtype,
               "shape": None if shape.rank is None else list(shape.as_list()),
               "value": encode_array(arr, dtype == "string"), "str": str(x), "repr": repr(x)}
        if dtype == "string":
            out["bytes"] = "latin-1"
        return out
    if isinstance(x, np.ndarray):
        is_str = x.dtype.kind in "OSU"
        return {"kind": "ndarray", "dtype": str(x.dtype), "shape": list(x.shape),
                "value": encode_array(x, is_str), "repr": repr(x)}
    if isinstance(x, np.generic):
        arr = np.asarray(x)
        is_str = arr.dtype.kind in "OSU"
        return {"kind": "numpy_scalar", "dtype": str(arr.dtype), "shape": [],
                "value": encode_array(arr, is_str), "repr": repr(x)}
    if isinstance(x, (list, tuple)):
        return {"kind": type(x).__name__ if type(x) in (list, tuple) else "tuple",
                "items": [encode(v, tf) for v in x]}
    if isinstance(x, dict):
        return {"kind": "dict", "items": {str(k): encode(v, tf) for k, v in x.items()}}
    return {"kind": "python", "type": type(x).__name__, "repr": repr(x)}


def encode_array(arr: np.ndarray, is_string: bool):
    if is_string:
        return _map_nested(arr, _encode_bytes)
    kind = arr.dtype.kind
    if kind == "b":
        return arr.tolist()
    if kind in "iu":
        return arr.tolist()
    if kind == "c":
        return _map_nested(arr.astype(np.complex128), lambda v: [_encode_float(v.real), _encode_float(v.imag)])
    # floats, including float16 and ml_dtypes' bfloat16 (kind 'V' or 'f')
    return _map_nested(arr.astype(np.float64), _encode_float)


def _map_nested(arr: np.ndarray, fn):
    return _map_list(arr.tolist(), fn)


def _map_list(value, fn):
    if isinstance(value, list):
        return [_map_list(v, fn) for v in value]
    return fn(value)


def _encode_bytes(v) -> str:
    if isinstance(v, bytes):
        return v.decode("latin-1")
    return str(v)


def _encode_float(v):
    v = float(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


def decode_float(v) -> float:
    return float(v) if isinstance(v, str) else v


def run_printing(code: str, tf, np_module=np, *, summarize: bool = False) -> dict:
    """Runs example code and returns what it printed: `{"stdout": text}`, plus `"error"` (class
    name) and `"message"` when it raised. With `summarize`, each printed tensor is shown only as
    `<tensor dtype=float32 shape=(2, 2)>` (for examples whose values are random)."""
    out = io.StringIO()

    def summary_print(*args, sep=" ", end="\n", file=None, flush=False):
        parts = [f"<{'variable' if not isinstance(a, tf.Tensor) else 'tensor'} dtype={a.dtype.name} "
                 f"shape={a.shape}>" if _is_tensor_like(a, tf) else str(a) for a in args]
        (file or out).write(sep.join(parts) + end)

    namespace = {"tf": tf, "np": np_module}
    if summarize:
        namespace["print"] = summary_print
    result: dict = {}
    try:
        with contextlib.redirect_stdout(out):
            exec(compile(code, "<example>", "exec"), namespace)
    except Exception as e:  # noqa: BLE001 - recording what the example raises is the point
        result.update(error=type(e).__name__, message=str(e), traceback=traceback.format_exc())
    result["stdout"] = out.getvalue()
    return result
