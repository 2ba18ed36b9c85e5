"""`tf.custom_gradient` and `tf.recompute_grad`.

>>> import tensorweave as tf
>>> @tf.custom_gradient
... def log1pexp(x):
...     e = tf.exp(x)
...     def grad(upstream):
...         return upstream * (1 - 1 / (1 + e))
...     return tf.math.log(1 + e), grad
>>> x = tf.constant(100.0)
>>> with tf.GradientTape() as g:
...     g.watch(x)
...     y = log1pexp(x)
>>> print(g.gradient(y, x))
tf.Tensor(1.0, shape=(), dtype=float32)
"""

from __future__ import annotations

import functools
import inspect

from tensorweave._src.core.context import state
from tensorweave._src.core.tensor import Tensor
from tensorweave._src.core.variable import Variable
from tensorweave._src.util.nest import flatten, pack_sequence_as


class _CustomGradientOp:
    """Stands in for a Primitive on the tape: its gradient rule is the user's `grad_fn`."""

    name = "IdentityN"
    multiple_results = True

    def __init__(self, grad):
        self.grad = grad


class _VariableRecorder:
    """A tape-like observer collecting the trainable variables `f` reads (TF passes them to grad_fn)."""

    def __init__(self):
        self.variables: dict[int, Variable] = {}

    def record(self, prim, inputs, attrs, outputs) -> None:
        pass

    def variable_read(self, variable, value) -> None:
        if variable.trainable:
            self.variables.setdefault(id(variable), variable)


def custom_gradient(f=None):
    """Decorates `f(*x) -> (y, grad_fn)` so that tapes use `grad_fn(*dy)` as the gradient of `y`.

    When `f` reads trainable variables, `grad_fn` must take `variables=` and return
    `(input_grads, variable_grads)`, as in TF.
    """
    if f is None:
        return custom_gradient

    @functools.wraps(f)
    def decorated(*args, **kwargs):
        recorder = _VariableRecorder()
        saved = state.tapes
        state.tapes = (recorder,)  # nothing inside f is recorded by the caller's tapes
        try:
            result, grad_fn = f(*args, **kwargs)
        finally:
            state.tapes = saved
        if not saved:
            return result
        return _record(args, result, grad_fn, list(recorder.variables.values()))

    return decorated


def _record(args, result, grad_fn, variables):
    flat_inputs = [x for x in flatten(args) if isinstance(x, Tensor)]
    flat_outputs = flatten(result)
    if variables and "variables" not in inspect.signature(grad_fn).parameters and not any(
            p.kind is p.VAR_KEYWORD for p in inspect.signature(grad_fn).parameters.values()):
        raise TypeError("@tf.custom_gradient grad_fn must accept keyword argument 'variables', since function "
                        f"uses variables: {list(variables)}")
    n_in = len(flat_inputs)

    def rule(op, *dys):
        upstream = pack_sequence_as(result, list(dys))
        upstream = upstream if isinstance(upstream, (list, tuple)) else (upstream,)
        if variables:
            input_grads, var_grads = grad_fn(*upstream, variables=variables)
        else:
            input_grads, var_grads = grad_fn(*upstream), []
        input_grads = flatten(input_grads) if isinstance(input_grads, (list, tuple)) else [input_grads]
        if len(input_grads) != n_in:
            raise ValueError(f"Custom gradient function should return a list of {n_in} gradients (one per "
                             f"input tensor), got {len(input_grads)}.")
        return list(input_grads) + list(var_grads)

    inputs = tuple(flat_inputs) + tuple(v.value() for v in variables)  # fresh reads the tapes see
    outputs = tuple(o for o in flat_outputs if isinstance(o, Tensor))
    op = _CustomGradientOp(rule)
    for tape in state.tapes:
        tape.record(op, inputs, {}, outputs)
    return result


def recompute_grad(f):
    """Runs `f` without keeping its intermediates; the backward pass recomputes them."""
    from tensorweave._src.autodiff.tape import GradientTape  # the tape builds on this module's op

    @functools.wraps(f)
    def wrapped(*args, **kwargs):
        @custom_gradient
        def inner(*xs):
            result = f(*xs, **kwargs)

            def grad_fn(*dys, variables=None):
                variables = list(variables or [])
                with GradientTape() as tape:
                    tape.watch(list(xs))
                    out = f(*xs, **kwargs)
                grads = tape.gradient(out, list(xs) + variables, output_gradients=list(dys))
                return grads[:len(xs)], grads[len(xs):]

            return result, grad_fn

        return inner(*args)

    return wrapped
