"""`tf.py_function` and `tf.numpy_function`: Python code as one stateful op, so that it also runs inside
traced functions (tf.function, Dataset.map). The op's kernel calls the Python function eagerly, with
EagerTensors (py_function) or numpy arrays (numpy_function).

>>> import tensorweave as tf
>>> ds = tf.data.Dataset.range(3).map(lambda x: tf.py_function(lambda v: v * 10, [x], tf.int64))
>>> [int(v) for v in ds]
[0, 10, 20]
"""

from __future__ import annotations

import numpy as np

from tensorweave._src.api_export import PublicNamespace, tf_export
from tensorweave._src.core import backend, errors
from tensorweave._src.core.dispatch import bind, wrap
from tensorweave._src.core.primitive import AbstractValue, Primitive
from tensorweave._src.core.shape import TensorShape

tf = PublicNamespace()


def _kernel(*values, func, Tout, numpy_mode, single):
    args = [wrap(v) for v in values]
    if numpy_mode:
        args = [a.numpy() for a in args]
    try:
        result = func(*args)
    except errors.OpError:
        raise
    except StopIteration:
        raise
    except Exception as e:  # surfaces as TF does, keeping the original exception as the cause
        raise _wrapped_error(e) from e
    results = [result] if single else (list(result) if isinstance(result, (list, tuple)) else [result])
    if not single and len(results) != len(Tout):
        raise errors.op_error(errors.InvalidArgumentError, "EagerPyFunc",
                              f"Expected {len(Tout)} values returned from the Python function, got "
                              f"{len(results)}")
    out = []
    for r, dtype in zip(results, Tout):
        if hasattr(r, "_value") and getattr(r, "dtype", None) is dtype:
            out.append(r._value)
            continue
        arr = np.asarray(r.numpy() if hasattr(r, "numpy") else r)
        if dtype is tf.string:
            arr = np.asarray(arr, dtype=object)
            arr = np.vectorize(lambda s: s.encode() if isinstance(s, str) else bytes(s),
                               otypes=[object])(arr) \
                if arr.size else arr
        else:
            if numpy_mode and arr.dtype != np.dtype(dtype.as_numpy_dtype):
                raise errors.op_error(errors.InvalidArgumentError, "PyFunc",
                                      f"0-th value returned by pyfunc_0 is {np.dtype(arr.dtype).name}, but "
                                      f"expects {dtype.name}")
            arr = arr.astype(dtype.as_numpy_dtype)
        out.append(backend.from_numpy(arr, dtype))
    return out[0] if single else tuple(out)


def _wrapped_error(e: Exception) -> Exception:
    """TF's error for a Python exception in the function: ValueError/TypeError -> InvalidArgumentError,
    anything else UnknownError; the message carries the original traceback, as TF's does."""
    import traceback

    kind = errors.InvalidArgumentError if isinstance(e, (ValueError, TypeError)) else errors.UnknownError
    tb = "".join(traceback.format_exception(type(e), e, e.__traceback__))
    return errors.op_error(kind, "EagerPyFunc", f"{type(e).__name__}: {e}\n{tb}")


def _rule(*values, func, Tout, numpy_mode, single):
    avals = [AbstractValue(d, TensorShape(None)) for d in Tout]
    return avals[0] if single else tuple(avals)


py_func_p = Primitive("EagerPyFunc", stateful=True)
py_func_p.def_kernel(_kernel)
py_func_p.def_abstract(_rule)
multi_py_func_p = Primitive("EagerPyFuncMulti", multiple_results=True, stateful=True)
multi_py_func_p.def_kernel(_kernel)
multi_py_func_p.def_abstract(_rule)


@py_func_p.def_grad
def _grad(op, *dys):
    return [None] * len(op.inputs)


@multi_py_func_p.def_grad
def _multi_grad(op, *dys):
    return [None] * len(op.inputs)


def _call(func, inp, Tout, numpy_mode):
    inp = [tf.convert_to_tensor(x) for x in (inp if isinstance(inp, (list, tuple)) else [inp])]
    single = not isinstance(Tout, (list, tuple))
    touts = [tf.as_dtype(Tout)] if single else [tf.as_dtype(t) for t in Tout]
    prim = py_func_p if single else multi_py_func_p
    out = bind(prim, *inp, func=func, Tout=tuple(touts), numpy_mode=numpy_mode, single=single)
    return out if single else list(out)


@tf_export("py_function")
def py_function(func=None, inp=None, Tout=None, name=None):
    """Runs `func(*inp)` (EagerTensors in, tensors or values out) as an op; Tout a dtype or list."""
    if func is None:
        return lambda f: (lambda *a: py_function(f, list(a), Tout, name))
    return _call(func, inp or [], Tout, numpy_mode=False)


@tf_export("numpy_function")
def numpy_function(func=None, inp=None, Tout=None, stateful=True, name=None):
    """Runs `func(*arrays)` on numpy arrays as an op; it must return arrays of the `Tout` dtypes."""
    if func is None:
        return lambda f: (lambda *a: numpy_function(f, list(a), Tout, stateful, name))
    return _call(func, inp or [], Tout, numpy_mode=True)
