"""tf.strings and tf.RaggedTensor: oracle-recorded fixtures, plus abstract-rule consistency."""

import numpy as np
import pytest

import tensorweave as tf
from tensorweave._src.core.primitive import AbstractValue
from tests.harness import check_fixture, fixture_params


@pytest.mark.parametrize("case", fixture_params("strings"))
def test_strings(case):
    check_fixture("strings", case)


def _abstract(x):
    return AbstractValue(x.dtype, x.shape, x.numpy() if hasattr(x, "numpy") else None)


def _check_rule(prim, inputs, attrs):
    from tensorweave._src.core.dispatch import bind
    eager = bind(prim, *inputs, **attrs)
    rule = prim.abstract(*[_abstract(x) for x in inputs], **attrs)
    outs = eager if prim.multiple_results else (eager,)
    rules = rule if prim.multiple_results else (rule,)
    for e, r in zip(outs, rules):
        assert r.dtype is e.dtype, (prim, r.dtype, e.dtype)
        assert r.shape.is_compatible_with(e.shape), (prim, r.shape, e.shape)


def _s(x):
    return tf.constant(x)


RULE_CASES = [
    ("basic", "string_lower_p", lambda: ([_s(["A", "b"])], {"encoding": ""})),
    ("basic", "string_upper_p", lambda: ([_s([["a"], ["b"]])], {"encoding": "utf-8"})),
    ("basic", "string_strip_p", lambda: ([_s([" a "])], {})),
    ("basic", "string_length_p", lambda: ([_s(["ab", "c"])], {"unit": "UTF8_CHAR"})),
    ("basic", "substr_p", lambda: ([_s(["abc", "de"]), _s(1), _s([1, 2])], {"unit": "BYTE"})),
    ("basic", "string_join_p", lambda: ([_s(["a", "b"]), _s("c")], {"separator": b"-"})),
    ("basic", "reduce_join_p", lambda: ([_s([["a", "b"], ["c", "d"]]), _s([1])],
                                        {"keep_dims": True, "separator": b""})),
    ("basic", "reduce_join_p", lambda: ([_s([["a", "b"], ["c", "d"]]), _s([1, 0])],
                                        {"keep_dims": False, "separator": b","})),
    ("convert", "string_to_number_p", lambda: ([_s(["1", "2"])], {"out_type": tf.int64})),
    ("convert", "as_string_p", lambda: ([_s([1.5, 2.0])], {"precision": 2, "scientific": False,
                                                            "shortest": False, "width": -1, "fill": ""})),
    ("convert", "string_format_p", lambda: ([_s([1, 2])], {"template": "x{}", "placeholder": "{}",
                                                           "summarize": 3})),
    ("regex", "static_regex_replace_p", lambda: ([_s(["ab"])], {"pattern": b"a", "rewrite": b"x",
                                                                "replace_global": True})),
    ("regex", "static_regex_full_match_p", lambda: ([_s(["ab"])], {"pattern": b"a."})),
    ("split", "string_split_v2_p", lambda: ([_s(["a b", "c"]), _s("")], {"maxsplit": -1})),
]


@pytest.mark.parametrize("module,prim,make", RULE_CASES, ids=[f"{c[1]}-{i}" for i, c in enumerate(RULE_CASES)])
def test_abstract_rule_matches_eager(module, prim, make):
    import importlib
    mod = importlib.import_module(f"tensorweave._src.ops.strings.{module}")
    inputs, attrs = make()
    _check_rule(getattr(mod, prim), inputs, attrs)


def test_split_result_types():
    assert isinstance(tf.strings.split(["a b", "c"]), tf.RaggedTensor)
    assert isinstance(tf.strings.split("a b"), tf.Tensor)


def test_ragged_round_trip():
    rt = tf.ragged.constant([[1, 2], [], [3]])
    assert rt.to_list() == [[1, 2], [], [3]]
    back = tf.RaggedTensor.from_row_splits(rt.values, rt.row_splits)
    assert back.to_list() == rt.to_list()
    np.testing.assert_array_equal(rt.to_tensor(default_value=-1).numpy(), [[1, 2], [-1, -1], [3, -1]])
