"""`CodegenPrimitive`: a primitive that writes its own Python code into a generated graph function."""

from __future__ import annotations

from tensorweave._src.core.primitive import AbstractValue, Primitive


class CodegenPrimitive(Primitive):
    """A Primitive whose nodes the executor compiles with `emit(node, n, args, env, defs)`: it returns the
    expression computing the node's output from the argument names `args`, may bind globals into `env`
    and append helper function definitions (source text) to `defs`."""

    def emit(self, node, n: int, args: list, env: dict, defs: list) -> str:  # pragma: no cover - abstract
        raise NotImplementedError


def stored_abstract(*inputs, out_dtype, out_shape, **attrs):
    """Fused nodes carry their output's dtype and shape (they are made from already typed nodes)."""
    return AbstractValue(out_dtype, out_shape)
