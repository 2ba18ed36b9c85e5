"""Array, shape and creation ops: oracle-recorded fixtures, plus checks that every primitive's
abstract (shape) rule agrees with what its kernel produced."""

import numpy as np
import pytest

from tests.harness import check_fixture, fixture_params, load_cases, load_expected

FAMILY = "array"


@pytest.mark.parametrize("case", fixture_params(FAMILY))
def test_array(case):
    check_fixture(FAMILY, case)


# ---- abstract rules ------------------------------------------------------------------------------

_MODULES = ("creation", "join", "pad_slice", "queries", "shape_ops", "strided_slice", "structured")


def _array_primitives():
    import importlib

    from tensorweave._src.core.primitive import Primitive
    prims = set()
    for name in _MODULES:
        module = importlib.import_module(f"tensorweave._src.ops.array.{name}")
        prims.update(v for v in vars(module).values() if isinstance(v, Primitive))
    return prims


def _record_binds(monkeypatch, code):
    """Runs `code` and returns (primitive, inputs, attrs, outputs) for each array primitive run."""
    import tensorweave as tf
    from tensorweave._src.core import dispatch

    prims = _array_primitives()
    calls = []
    original = dispatch.run_eager

    def recording(prim, inputs, attrs):
        out = original(prim, inputs, attrs)
        if prim in prims:
            calls.append((prim, inputs, attrs, out))
        return out

    monkeypatch.setattr(dispatch, "run_eager", recording)
    ns = {"tf": tf, "np": np}
    try:
        exec(compile(code if "result" in code else f"result = {code}", "<case>", "exec"), ns)
    except AttributeError as e:
        if "has no attribute" not in str(e):
            raise
        pytest.skip(f"API not implemented: {e}")
    finally:
        monkeypatch.setattr(dispatch, "run_eager", original)
    return calls


def _as_tuple(x):
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _value_cases():
    cases, _ = load_cases(FAMILY)
    expected = load_expected(FAMILY)
    return [k for k in cases if k in expected and "error" not in expected[k]]


@pytest.mark.parametrize("case", _value_cases())
def test_abstract_rule_matches_kernel(case, monkeypatch):
    """The rule on the eager inputs gives the kernel's dtypes and shapes; on inputs whose values
    (`const`) or dims are unknown it still runs and gives compatible shapes."""
    from tensorweave._src.core.primitive import AbstractValue
    from tensorweave._src.core.shape import TensorShape

    code = load_cases(FAMILY)[0][case]
    for prim, inputs, attrs, outputs in _record_binds(monkeypatch, code):
        outs = _as_tuple(outputs)
        rule = _as_tuple(prim.abstract(*inputs, **attrs))
        assert len(rule) == len(outs), prim
        for r, o in zip(rule, outs):
            assert r.dtype is o.dtype, (prim, r, o)
            assert r.shape == o.shape, (prim, r, o)
        # values unknown (as when traced without constant inputs)
        blind = [AbstractValue(x.dtype, x.shape) for x in inputs]
        for r, o in zip(_as_tuple(prim.abstract(*blind, **attrs)), outs):
            assert r.dtype is o.dtype and r.shape.is_compatible_with(o.shape), (prim, r, o)
        # the data input's dims unknown
        if inputs and inputs[0].shape.rank:
            partial = [AbstractValue(inputs[0].dtype, TensorShape([None] * inputs[0].shape.rank))]
            partial += [AbstractValue(x.dtype, x.shape, x.const) for x in inputs[1:]]
            for r, o in zip(_as_tuple(prim.abstract(*partial, **attrs)), outs):
                assert r.dtype is o.dtype and r.shape.is_compatible_with(o.shape), (prim, r, o)
