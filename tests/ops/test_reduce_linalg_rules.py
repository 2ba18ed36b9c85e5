"""Every reduction/matmul/linalg primitive's abstract rule agrees with its kernel: on the eager inputs
it gives the outputs' dtypes and shapes; with unknown input values or dims it still runs and gives
compatible shapes."""

import importlib

import numpy as np
import pytest

from tests.harness import load_cases, load_expected

_MODULES = ("math.reduce", "math.scan", "math.clip", "math.predicates", "math.complex", "math.matmul",
            "linalg.decomp", "linalg.solve", "linalg.matrix")


def _primitives():
    from tensorweave._src.core.primitive import Primitive
    prims = set()
    for name in _MODULES:
        module = importlib.import_module(f"tensorweave._src.ops.{name}")
        prims.update(v for v in vars(module).values() if isinstance(v, Primitive))
    return prims


def _record_binds(monkeypatch, code):
    import tensorweave as tf
    from tensorweave._src.core import dispatch

    prims = _primitives()
    calls = []
    original = dispatch.run_eager

    def recording(prim, inputs, attrs):
        out = original(prim, inputs, attrs)
        if prim in prims:
            calls.append((prim, inputs, attrs, out))
        return out

    monkeypatch.setattr(dispatch, "run_eager", recording)
    try:
        exec(compile(code if "result" in code else f"result = {code}", "<case>", "exec"), {"tf": tf, "np": np})
    finally:
        monkeypatch.setattr(dispatch, "run_eager", original)
    return calls


def _as_tuple(x):
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _value_cases():
    out = []
    for family in ("reduce", "linalg"):
        cases, _ = load_cases(family)
        expected = load_expected(family)
        out += [pytest.param(family, k, id=f"{family}-{k}") for k in cases
                if k in expected and "error" not in expected[k]]
    return out


@pytest.mark.parametrize("family,case", _value_cases())
def test_abstract_rule_matches_kernel(family, case, monkeypatch):
    from tensorweave._src.core.primitive import AbstractValue
    from tensorweave._src.core.shape import TensorShape

    code = load_cases(family)[0][case]
    for prim, inputs, attrs, outputs in _record_binds(monkeypatch, code):
        outs = _as_tuple(outputs)
        rule = _as_tuple(prim.abstract(*inputs, **attrs))
        assert len(rule) == len(outs), prim
        for r, o in zip(rule, outs):
            assert r.dtype is o.dtype, (prim, r, o)
            assert r.shape == o.shape, (prim, r, o)
        blind = [AbstractValue(x.dtype, x.shape) for x in inputs]  # constant values unknown
        for r, o in zip(_as_tuple(prim.abstract(*blind, **attrs)), outs):
            assert r.dtype is o.dtype and r.shape.is_compatible_with(o.shape), (prim, r, o)
        if inputs and inputs[0].shape.rank:  # the data input's dims unknown
            partial = [AbstractValue(inputs[0].dtype, TensorShape([None] * inputs[0].shape.rank))]
            partial += [AbstractValue(x.dtype, x.shape, x.const) for x in inputs[1:]]
            for r, o in zip(_as_tuple(prim.abstract(*partial, **attrs)), outs):
                assert r.dtype is o.dtype and r.shape.is_compatible_with(o.shape), (prim, r, o)
        unknown_rank = [AbstractValue(x.dtype, None) for x in inputs]  # nothing known
        for r, o in zip(_as_tuple(prim.abstract(*unknown_rank, **attrs)), outs):
            assert r.dtype is o.dtype and r.shape.is_compatible_with(o.shape), (prim, r, o)
