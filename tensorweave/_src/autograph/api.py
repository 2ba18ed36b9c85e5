"""AutoGraph's public API: `convert(fn)` returns the function tf.function traces, with Python control
flow on tensors rewritten into TF control flow (see transformer.py for the passes, operators.py for the
runtime they call).

>>> import tensorweave as tf
>>> @tf.function
... def f(x):
...     if x > 0:
...         y = x
...     else:
...         y = -x
...     return y
>>> print(f(tf.constant(-3)))
tf.Tensor(3, shape=(), dtype=int32)
"""

from __future__ import annotations

import enum
import functools
import logging
import types

from tensorweave._src.api_export import tf_export
from tensorweave._src.autograph import conversion

_logger = logging.getLogger("tensorweave")


def convert(fn, recursive: bool = True):
    """The AutoGraph-converted version of `fn` (functions, methods, partials and callable objects);
    `fn` itself when it cannot or must not be converted."""
    if conversion.do_not_convert_marked(fn):
        return fn
    if isinstance(fn, types.FunctionType):
        return conversion.convert_function(fn, user_requested=True)
    if isinstance(fn, types.MethodType) and isinstance(fn.__func__, types.FunctionType):
        converted = conversion.convert_function(fn.__func__, user_requested=True)
        return fn if converted is fn.__func__ else types.MethodType(converted, fn.__self__)
    if isinstance(fn, functools.partial):
        target = convert(fn.func, recursive)
        return fn if target is fn.func else functools.partial(target, *fn.args, **fn.keywords)
    return conversion.converted_target(fn)


def _python_function(entity):
    from tensorweave._src.function.function import Function

    if isinstance(entity, Function):
        entity = entity.python_function
    if isinstance(entity, types.MethodType):
        entity = entity.__func__
    if not isinstance(entity, types.FunctionType):
        call = getattr(type(entity), "__call__", None)
        if isinstance(call, types.FunctionType):
            return call
    return entity


@tf_export("autograph.to_code")
def to_code(entity, recursive: bool = True, experimental_optional_features=None) -> str:
    """The source code of the converted version of `entity`, with its `ag__` runtime calls."""
    try:
        return conversion.converted_source(_python_function(entity)) + "\n"
    except conversion.ConversionError as e:
        raise ConversionError(f"converting {entity!r}: {e}") from None


@tf_export("autograph.to_graph")
def to_graph(entity, recursive: bool = True, experimental_optional_features=None):
    """The converted version of `entity`, a Python function that builds TF control flow when called on
    tensors while tracing (and behaves like the original eagerly)."""
    from tensorweave._src.function.function import Function

    if isinstance(entity, Function):
        entity = entity.python_function
    fn = _python_function(entity)
    try:
        conversion.convert_code(fn.__code__)
    except (conversion.ConversionError, AttributeError) as e:
        raise ConversionError(f"converting {entity!r}: {e}") from None
    return convert(entity, recursive)


class ConversionError(ValueError):
    """Raised when AutoGraph cannot convert an entity that was explicitly asked for."""


@tf_export("autograph.experimental.do_not_convert")
def do_not_convert(func=None):
    """Decorator: the function is called as written, never converted (nor the functions it calls)."""
    if func is None:
        return do_not_convert

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        return func(*args, **kwargs)

    wrapper.__ag_do_not_convert__ = True
    return wrapper


@tf_export("autograph.set_verbosity")
def set_verbosity(level, alsologtostdout: bool = False) -> None:
    """Sets AutoGraph's logging verbosity (0 = quiet; higher levels log conversions)."""
    conversion.VERBOSITY[0] = int(level)


@tf_export("autograph.trace")
def trace(*args) -> None:
    """Prints `args` (at trace time inside tf.function), as `print` does."""
    print(*args)


@tf_export("autograph.experimental.set_loop_options")
def set_loop_options(parallel_iterations=None, swap_memory=None, maximum_iterations=None,
                     shape_invariants=None) -> None:
    """Loop options for the enclosing loop (a directive read by the converter; a no-op when called)."""
    del parallel_iterations, swap_memory, maximum_iterations, shape_invariants


class Feature(enum.Enum):
    """Optional AutoGraph conversion features (accepted; the standard conversions are always applied)."""

    ALL = "ALL"
    AUTO_CONTROL_DEPS = "AUTO_CONTROL_DEPS"
    ASSERT_STATEMENTS = "ASSERT_STATEMENTS"
    BUILTIN_FUNCTIONS = "BUILTIN_FUNCTIONS"
    EQUALITY_OPERATORS = "EQUALITY_OPERATORS"
    LISTS = "LISTS"
    NAME_SCOPES = "NAME_SCOPES"


tf_export("autograph.experimental.Feature")(Feature)
