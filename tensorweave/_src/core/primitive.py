"""The op definition: one `Primitive` per op, holding its kernel, shape rule and gradient rule.

Each op module defines a primitive and fills its slots side by side::

    exp_p = Primitive("Exp")

    @exp_p.def_kernel
    def _exp(x):
        return torch.exp(x)

    exp_p.def_abstract(same_as_input)

    @exp_p.def_grad
    def _exp_grad(op, dy):
        return [dy * op.outputs[0]]

The kernel receives backend values (torch tensors, or numpy object arrays for strings) and attrs;
the abstract rule receives `AbstractValue`s (or tensors, which have dtype and shape) and the same
attrs and returns the output AbstractValue(s), raising TF's error for bad input. The gradient slot
is filled by the autodiff layer's rules.
"""

from __future__ import annotations

from typing import Callable, Optional

from tensorweave._src.core import dtypes as _dt
from tensorweave._src.core.shape import TensorShape

REGISTRY: dict = {}


class AbstractValue:
    """What tracing knows of a tensor: dtype, static shape, and its value when it is a constant."""

    __slots__ = ("dtype", "shape", "const")

    def __init__(self, dtype: _dt.DType, shape, const=None):
        self.dtype = dtype
        self.shape = shape if isinstance(shape, TensorShape) else TensorShape(shape)
        self.const = const

    def __repr__(self):
        return f"AbstractValue({self.dtype!r}, {self.shape})"


class Primitive:
    """One op: TF op type name, kernel, abstract (dtype/shape) rule and gradient rule."""

    __slots__ = ("name", "kernel", "abstract", "grad", "jvp", "multiple_results", "allowed",
                 "stateful", "__weakref__")

    def __init__(self, name: str, *, multiple_results: bool = False, allowed=None, stateful=False):
        if name in REGISTRY:
            raise ValueError(f"op {name!r} is defined twice")
        self.name = name
        self.kernel: Optional[Callable] = None
        self.abstract: Optional[Callable] = None
        self.grad: Optional[Callable] = None
        self.jvp: Optional[Callable] = None
        self.multiple_results = multiple_results
        # dtypes allowed for the op's first (type-polymorphic) input, checked on the eager fast path
        self.allowed = frozenset(allowed) if allowed is not None else None
        self.stateful = stateful
        REGISTRY[name] = self

    def def_kernel(self, fn: Callable) -> Callable:
        self.kernel = fn
        return fn

    def def_abstract(self, fn: Callable) -> Callable:
        self.abstract = fn
        return fn

    def def_grad(self, fn: Callable) -> Callable:
        self.grad = fn
        return fn

    def def_jvp(self, fn: Callable) -> Callable:
        self.jvp = fn
        return fn

    def __repr__(self):
        return f"<Primitive {self.name}>"
