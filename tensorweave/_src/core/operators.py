"""Python operators (`+`, `@`, `[]`, ...) shared by Tensor and Variable.

The core cannot import the op library (imports point downward), so the op layer registers the
functions behind each operator here once at import; the dunder methods look them up.
"""

from __future__ import annotations

from typing import Callable

IMPLS: dict[str, Callable] = {}


def register(name: str, fn: Callable) -> None:
    IMPLS[name] = fn


def _binary(name: str, reflected: bool = False):
    if reflected:
        def method(self, other):
            # TF converts the left operand to the tensor's dtype strictly (`1.5 + int_tensor` is a
            # TypeError), then applies the op
            return IMPLS[name](IMPLS["scalar_operand"](other, self.dtype), self)
    else:
        def method(self, other):
            return IMPLS[name](self, other)
    method.__name__ = f"__{'r' if reflected else ''}{name}__"
    return method


def _unary(name: str):
    def method(self):
        return IMPLS[name](self)
    method.__name__ = f"__{name}__"
    return method


class TensorOperators:
    """Mixin giving a tensor-like class TF's operator overloads (elementwise comparisons included)."""

    __slots__ = ()
    __array_priority__ = 100  # numpy defers `ndarray + tensor` to us

    __add__, __radd__ = _binary("add"), _binary("add", True)
    __sub__, __rsub__ = _binary("sub"), _binary("sub", True)
    __mul__, __rmul__ = _binary("mul"), _binary("mul", True)
    __truediv__, __rtruediv__ = _binary("truediv"), _binary("truediv", True)
    __floordiv__, __rfloordiv__ = _binary("floordiv"), _binary("floordiv", True)
    __mod__, __rmod__ = _binary("mod"), _binary("mod", True)
    __pow__, __rpow__ = _binary("pow"), _binary("pow", True)
    __matmul__, __rmatmul__ = _binary("matmul"), _binary("matmul", True)
    __and__, __rand__ = _binary("and"), _binary("and", True)
    __or__, __ror__ = _binary("or"), _binary("or", True)
    __xor__, __rxor__ = _binary("xor"), _binary("xor", True)
    __lt__, __le__ = _binary("lt"), _binary("le")
    __gt__, __ge__ = _binary("gt"), _binary("ge")
    __neg__, __abs__, __invert__ = _unary("neg"), _unary("abs"), _unary("invert")

    def __eq__(self, other):
        return IMPLS["eq"](self, other)

    def __ne__(self, other):
        return IMPLS["ne"](self, other)

    def __getitem__(self, key):
        return IMPLS["getitem"](self, key)

    def __hash__(self):
        raise TypeError("Tensor is unhashable. Instead, use tensor.ref() as the key.")
