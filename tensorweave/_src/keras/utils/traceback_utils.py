"""The call-argument context Keras adds to an error raised inside a layer's `call`.

tf_keras re-raises such an error (same class, same traceback) with the layer and the arguments it
received, once, at the innermost failing layer:

    ValueError: Exception encountered when calling layer 'dense' (type Dense).

    <the original message>

    Call arguments received by layer 'dense' (type Dense):
      • inputs=tf.Tensor(shape=(2, 3), dtype=float32)
"""

from __future__ import annotations

import inspect

from tensorweave._src.core.errors import OpError
from tensorweave._src.core.tensor import Tensor
from tensorweave._src.util import nest


def call_with_argument_info(fn, display_name: str, args: tuple, kwargs: dict):
    """Calls `fn(*args, **kwargs)`; an exception it raises comes back with the argument context."""
    try:
        return fn(*args, **kwargs)
    except Exception as e:  # noqa: BLE001 - every error class is re-raised as itself
        if getattr(e, "_keras_call_info_injected", False):
            raise  # an inner layer already said which call failed
        new = _with_argument_info(e, fn, display_name, args, kwargs)
        if new is e:
            raise
        raise new.with_traceback(e.__traceback__) from None


def _with_argument_info(e: Exception, fn, display_name: str, args: tuple, kwargs: dict) -> Exception:
    try:
        signature = inspect.signature(fn)
        bound = signature.bind(*args, **kwargs)
    except (TypeError, ValueError):
        return e  # the call itself did not fit the signature: that error speaks for itself
    lines = []
    for param in signature.parameters.values():
        if param.name in bound.arguments:
            value = nest.map_structure(_format_value, bound.arguments[param.name])
        else:
            value = param.default
        lines.append(f"  \u2022 {param.name}={value}")
    if not lines:
        return e
    if isinstance(e, OpError):
        message = e.message
    else:
        message = e.args[0] if e.args else ""
    message = (f"Exception encountered when calling {display_name}.\n\n{message}\n\n"
               f"Call arguments received by {display_name}:\n" + "\n".join(lines))
    if isinstance(e, OpError):
        new = e.__class__(e.node_def, e.op, message, e.error_code)
    else:
        try:
            new = e.__class__(message)
        except TypeError:  # an exception class with a constructor of its own
            new = RuntimeError(message)
    new._keras_call_info_injected = True
    return new


def _format_value(value) -> str:
    if isinstance(value, Tensor):
        return f"tf.Tensor(shape={value.shape}, dtype={value.dtype.name})"
    return repr(value)
