"""`tf.autodiff.ForwardAccumulator`: forward-mode autodiff (Jacobian-vector products).

Each op run inside the accumulator that has an input with a tangent gets its output tangents at once:
from the primitive's `jvp` rule when it has one, otherwise by transposing its gradient rule (the
gradient rule is linear in the upstream gradient `u`, so d/du <vjp(u), t> = J t).

>>> import tensorweave as tf
>>> x = tf.constant([1.0, 2.0])
>>> with tf.autodiff.ForwardAccumulator(x, tf.constant([1.0, 0.0])) as acc:
...     y = x * x
>>> print(acc.jvp(y))
tf.Tensor([2. 0.], shape=(2,), dtype=float32)
"""

from __future__ import annotations

from tensorweave._src.api_export import EXPORTS
from tensorweave._src.autodiff.backprop import unbroadcast
from tensorweave._src.core.context import state
from tensorweave._src.core.convert import convert_to_tensor
from tensorweave._src.core.variable import Variable
from tensorweave._src.util.nest import flatten, pack_sequence_as


class ForwardAccumulator:
    """Computes Jacobian-vector products of everything computed from `primals` inside its context."""

    def __init__(self, primals, tangents):
        flat_p, flat_t = flatten(primals), flatten(tangents)
        if len(flat_p) != len(flat_t):
            raise ValueError("primals and tangents must have the same structure")
        self._tangents: dict[int, object] = {}
        self._keep: list = []  # keeps keyed tensors alive so their ids stay unique
        self._var_tangents: dict[int, object] = {}
        for p, t in zip(flat_p, flat_t):
            t = convert_to_tensor(t)
            if isinstance(p, Variable):
                self._var_tangents[id(p)] = t
            else:
                self._set(p, t)
        self._active = False

    def _set(self, x, t) -> None:
        self._tangents[id(x)] = t
        self._keep.append(x)

    def __enter__(self) -> "ForwardAccumulator":
        state.tapes = state.tapes + (self,)
        self._active = True
        return self

    def __exit__(self, *exc) -> None:
        state.tapes = tuple(t for t in state.tapes if t is not self)
        self._active = False

    # ---- what dispatch and variables call ------------------------------------------------------
    def variable_read(self, variable, value) -> None:
        t = self._var_tangents.get(id(variable))
        if t is not None:
            self._set(value, t)

    def record(self, prim, inputs, attrs, outputs) -> None:
        tangents = [self._tangents.get(id(x)) for x in inputs]
        if all(t is None for t in tangents):
            return
        outs = outputs if isinstance(outputs, tuple) else (outputs,)
        saved = state.tapes
        state.tapes = tuple(t for t in saved if t is not self)  # the tangent maths is not re-entered
        try:
            out_tangents = _jvp(prim, inputs, attrs, outs, tangents)
        finally:
            state.tapes = saved
        for o, t in zip(outs, out_tangents):
            if t is not None and (o.dtype.is_floating or o.dtype.is_complex):
                self._set(o, t)

    # ---- public API ----------------------------------------------------------------------------
    def jvp(self, primals, unconnected_gradients="none"):
        """The tangents of `primals` (a tensor or structure); None (or zeros) where unconnected."""
        zero = getattr(unconnected_gradients, "value", unconnected_gradients) == "zero"
        result = []
        for p in flatten(primals):
            t = self._tangents.get(id(p))
            if t is None and isinstance(p, Variable):
                t = self._var_tangents.get(id(p))
            if t is None and zero:
                t = EXPORTS["zeros_like"](p)
            result.append(t)
        return pack_sequence_as(primals, result)


class _Op:
    __slots__ = ("prim", "inputs", "attrs", "outputs")

    def __init__(self, prim, inputs, attrs, outputs):
        self.prim, self.inputs, self.attrs, self.outputs = prim, inputs, attrs, outputs

    @property
    def type(self) -> str:
        return self.prim.name

    def get_attr(self, name):
        return self.attrs[name]


def _jvp(prim, inputs, attrs, outs, tangents):
    if prim.jvp is not None:
        result = prim.jvp(_Op(prim, inputs, attrs, outs), *tangents)
        return result if isinstance(result, (list, tuple)) else (result,)
    if prim.grad is None:
        raise LookupError(f"No gradient or jvp rule for op {prim.name}")
    return _transposed_vjp(prim, inputs, attrs, outs, tangents)


def _transposed_vjp(prim, inputs, attrs, outs, tangents):
    from tensorweave._src.autodiff.tape import GradientTape  # the tape imports this layer's siblings

    zeros_like = EXPORTS["zeros_like"]
    op = _Op(prim, inputs, attrs, outs)
    us = [zeros_like(o) for o in outs]
    targets, seeds = [], []
    with GradientTape(persistent=True) as tape:
        tape.watch(us)
        in_grads = prim.grad(op, *us)
        in_grads = in_grads if isinstance(in_grads, (list, tuple)) else (in_grads,)
        for x, g, t in zip(inputs, in_grads, tangents):
            if g is None or t is None:
                continue
            g = unbroadcast(g, x)
            targets.append(g._as_dense() if hasattr(g, "_as_dense") else g)
            seeds.append(t)
    if not targets:
        return [None] * len(outs)
    # d/du sum_i <g_i(u), t_i> = J t, since each g_i is linear in u
    return tape.gradient(targets, us, output_gradients=seeds)
