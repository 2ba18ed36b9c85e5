"""The one place an op runs: `bind(prim, *inputs, **attrs)`.

Eagerly it calls the primitive's kernel on the inputs' backend values and wraps the results; while
a graph is being traced it hands the op to the tracer; either way it then lets every active
gradient tape record the op. Eager, tracing and taping are interpreters over the same primitives.
"""

from __future__ import annotations

import os

import numpy as np
import torch

from tensorweave._src.core import dtypes as _dt
from tensorweave._src.core import errors, op_messages
from tensorweave._src.core.backend import DTYPE_OF_TORCH
from tensorweave._src.core.context import state
from tensorweave._src.core.primitive import Primitive
from tensorweave._src.core.tensor import EagerTensor

_Tensor = torch.Tensor
_ndarray = np.ndarray

# With TENSORWEAVE_CHECK_RULES=1 (the test suite sets it) every eager op also runs its abstract rule
# first and checks the result against it: the rules that tracing relies on are exercised by every test.
CHECK_RULES = os.environ.get("TENSORWEAVE_CHECK_RULES") == "1"


def wrap(value) -> EagerTensor:
    """An EagerTensor around a kernel result (torch tensor, or numpy object array of bytes)."""
    if type(value) is _Tensor:
        return EagerTensor(value, DTYPE_OF_TORCH[value.dtype])
    if type(value) is _ndarray and value.dtype == object:
        return EagerTensor(value, _dt.string)
    dtype = getattr(type(value), "tensor_dtype", None)  # other backend values (variant TensorLists)
    if dtype is not None:
        return EagerTensor(value, dtype)
    raise TypeError(f"kernel returned {type(value).__name__}, expected a torch tensor or bytes array")


def bind(prim: Primitive, *inputs, **attrs):
    """Runs `prim` on tensors `inputs` with `attrs`: eagerly, or into the graph being traced."""
    st = state
    if st.tracer is not None:
        outputs = st.tracer.bind(prim, inputs, attrs)
    else:
        outputs = run_eager(prim, inputs, attrs)
    if st.tapes:
        for tape in st.tapes:
            tape.record(prim, inputs, attrs, outputs)
    return outputs


def run_eager(prim: Primitive, inputs, attrs):
    try:
        if CHECK_RULES and prim.abstract is not None:
            return _run_checked(prim, inputs, attrs)
        return _run_kernel(prim, inputs, attrs)
    except errors.OpError as e:
        op_messages.refine(e, prim.name, inputs, attrs)  # TF's wording needs the inputs (op_messages.py)
        raise


def check_rule(prim: Primitive, *inputs, **attrs):
    """Runs `prim`'s abstract rule on eager `inputs`, for ops that must report TF's shape errors
    before their kernel runs; an error is worded as dispatch words the op's own."""
    try:
        return prim.abstract(*inputs, **attrs)
    except errors.OpError as e:
        op_messages.refine(e, prim.name, inputs, attrs)
        raise


def _run_kernel(prim: Primitive, inputs, attrs):
    allowed = prim.allowed
    if allowed is not None and inputs and inputs[0]._dtype not in allowed:
        raise _bad_dtype(prim, inputs[0]._dtype)
    try:
        n = len(inputs)  # unpacked by hand for the common arities (a list comprehension costs more)
        if n == 2:
            out = prim.kernel(inputs[0]._value, inputs[1]._value, **attrs)
        elif n == 1:
            out = prim.kernel(inputs[0]._value, **attrs)
        else:
            out = prim.kernel(*[x._value for x in inputs], **attrs)
    except errors.OpError:
        raise
    except (RuntimeError, ValueError, IndexError, TypeError, OverflowError) as e:
        raise _kernel_failure(prim, inputs, attrs, e) from None
    if prim.multiple_results:
        return tuple(wrap(v) for v in out)
    return wrap(out)


def _run_checked(prim: Primitive, inputs, attrs):
    expected = prim.abstract(*inputs, **attrs)
    out = _run_kernel(prim, inputs, attrs)
    outs = out if prim.multiple_results else (out,)
    avals = expected if isinstance(expected, (tuple, list)) else (expected,)
    if len(avals) != len(outs):
        raise AssertionError(f"{prim.name}: abstract rule gave {len(avals)} outputs, kernel {len(outs)}")
    for aval, o in zip(avals, outs):
        if aval.dtype is not o.dtype or not aval.shape.is_compatible_with(o.shape):
            raise AssertionError(f"{prim.name}: abstract rule says {aval.dtype.name}{aval.shape}, kernel "
                                 f"gave {o.dtype.name}{o.shape}")
    return out


def _bad_dtype(prim: Primitive, dtype: _dt.DType) -> errors.OpError:
    """TF's error for input 0 of a dtype its type attr does not allow (TF's list and order when the op
    is one of TF's, see op_messages.py)."""
    attr, names = "T", None
    op_def = op_messages.op_def(prim.name)
    if op_def is not None and op_def["inputs"]:
        attr = op_def["inputs"][0].get("type_attr", attr)
        allowed = op_messages.allowed_dtypes(prim.name, attr)
        names = None if allowed is None else ", ".join(allowed)
    if names is None:
        names = ", ".join(_TF_NAME.get(d.name, d.name) for d in _TF_ORDER if d in prim.allowed)
    return errors.op_error(
        errors.InvalidArgumentError, prim.name,
        f"Value for attr '{attr}' of {_TF_NAME.get(dtype.name, dtype.name)} is not in the list of allowed "
        f"values: {names}")


_TF_ORDER = (_dt.bfloat16, _dt.float16, _dt.float32, _dt.float64, _dt.uint8, _dt.uint16, _dt.uint32,
             _dt.uint64, _dt.int8, _dt.int16, _dt.int32, _dt.int64, _dt.complex64, _dt.complex128,
             _dt.bool, _dt.string)
_TF_NAME = {"float16": "half", "float32": "float", "float64": "double"}


def _kernel_failure(prim: Primitive, inputs, attrs, exc: Exception) -> Exception:
    """Turns a raw backend exception into TF's error: the shape rule words it when it can."""
    if prim.abstract is not None:
        try:
            prim.abstract(*inputs, **attrs)
        except (errors.OpError, ValueError, TypeError) as rule_error:
            return rule_error
    shapes = ", ".join(f"{x.dtype.name}{list(x.shape)}" for x in inputs)
    return errors.op_error(errors.InvalidArgumentError, prim.name, f"{exc} (inputs: {shapes})")
