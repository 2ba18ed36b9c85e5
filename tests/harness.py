"""Replays oracle-recorded fixture cases under tensorweave and compares the outcomes.

A test file is just::

    import pytest
    from tests.harness import fixture_params, check_fixture

    @pytest.mark.parametrize("case", fixture_params("core"))
    def test_core(case):
        check_fixture("core", case)

Cases live in `tests/fixtures/cases/<family>.py` (`CASES = {"case_id": "code"}`, optionally
`XFAIL = {"case_id": "reason"}` for known, reported gaps); expected outcomes in
`tests/fixtures/<family>.json`, recorded by `tools/record_fixtures.py` under the TF oracle.

What is compared (see tests/fixture_format.py for the encoding):
- tensors/variables/numpy values: kind, dtype, shape, values (exact for ints, bools and strings;
  float32 rtol 1e-5/atol 1e-6, float64 rtol 1e-12/atol 1e-12, float16 and bfloat16 rtol/atol 1e-2;
  NaN matches NaN; complex compared per component);
- `str(result)` when the case id starts with `print_`, `repr(result)` when it starts with `repr_`;
- what the case printed (stdout), when it printed anything;
- raised errors: the exception class name and the message exactly, except for the cases listed in
  tests/fixtures/known_message_differences.json (written by tools/compare_error_messages.py
  --write; a listed case whose message now matches is reported with a warning, so the list only
  shrinks);
- other Python values (bool, int, str, TensorShape, DType, ...): `repr`.

A case whose code uses a tensorweave API that does not exist yet (AttributeError: module
'tensorweave...' has no attribute ...) xfails (non-strict) instead of failing, so fixtures for ops
in progress can be written first.
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
import os
import re
import warnings

import numpy as np
import pytest

from tests import fixture_format

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "tests", "fixtures")

_TOLERANCE = {  # dtype name -> (rtol, atol)
    "float32": (1e-5, 1e-6), "complex64": (1e-5, 1e-6),
    "float64": (1e-12, 1e-12), "complex128": (1e-12, 1e-12),
    "float16": (1e-2, 1e-2), "bfloat16": (1e-2, 1e-2),
}
_MISSING_API = re.compile(r"module 'tensorweave[\w.]*' has no attribute '(\w+)'")
KNOWN_DIFFERENCES = os.path.join(FIXTURES, "known_message_differences.json")
_TF_PREFIX = re.compile(r"^\{\{function_node [^}]*\}\} ")


def strip_tf_prefix(message: str) -> str:
    """TF's message without the `{{function_node __wrapped__Op_device_...}} ` prefix of eager kernels."""
    return _TF_PREFIX.sub("", message, count=1)


def messages_match(expected: str, actual: str) -> bool:
    """Whether tensorweave's error message is TF's."""
    return expected == actual


@functools.lru_cache(maxsize=None)
def known_differences() -> frozenset:
    """Ids (`family/case`) of cases whose error message is known to differ from TF's (the ratchet list
    written by tools/compare_error_messages.py --write)."""
    if not os.path.exists(KNOWN_DIFFERENCES):
        return frozenset()
    with open(KNOWN_DIFFERENCES, encoding="utf-8") as f:
        return frozenset(json.load(f)["cases"])


def write_known_differences(ids) -> None:
    data = {"about": "Fixture cases whose error message still differs from TF's (same class). "
                     "tests/harness.py fails a case that differs and is not listed here. Regenerate with "
                     "`.venv/bin/python tools/compare_error_messages.py --write`; the list should only shrink.",
            "cases": sorted(ids)}
    with open(KNOWN_DIFFERENCES, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=1)
        f.write("\n")


@functools.lru_cache(maxsize=None)
def load_cases(family: str) -> tuple[dict, dict]:
    """`(CASES, XFAIL)` from tests/fixtures/cases/<family>.py."""
    path = os.path.join(FIXTURES, "cases", family + ".py")
    namespace: dict = {"__file__": path, "__name__": f"cases_{family}"}
    with open(path, encoding="utf-8") as f:
        exec(compile(f.read(), path, "exec"), namespace)
    return namespace["CASES"], namespace.get("XFAIL", {})


@functools.lru_cache(maxsize=None)
def load_expected(family: str) -> dict:
    path = os.path.join(FIXTURES, family + ".json")
    if not os.path.exists(path):
        return {}
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def fixture_params(family: str) -> list:
    """One pytest param per case of `family` (id = case id); cases listed in XFAIL are marked."""
    cases, xfail = load_cases(family)
    params = []
    for case_id in cases:
        marks = ()
        if case_id in xfail:
            marks = (pytest.mark.xfail(reason=xfail[case_id], strict=False),)
        params.append(pytest.param(case_id, id=case_id, marks=marks))
    return params


def tensorweave():
    import tensorweave
    return tensorweave


def check_fixture(family: str, case_id: str) -> None:
    """Runs case `case_id` of `family` under tensorweave and asserts it matches the recording."""
    cases, _ = load_cases(family)
    code = cases[case_id]
    expected = load_expected(family).get(case_id)
    if expected is None:
        pytest.fail(f"case {family}/{case_id} is not recorded: run "
                    f"`../shared/tools/tf-oracle tools/record_fixtures.py {family}`")
    if expected.get("code") != code:
        pytest.fail(f"case {family}/{case_id} changed since it was recorded: run "
                    f"`../shared/tools/tf-oracle tools/record_fixtures.py {family}`")
    actual = fixture_format.run_case(code, tensorweave(), np)
    xfail_if_missing_api(actual, expected)
    where = f"{family}/{case_id}: {code}"
    compare(expected, actual, where, check_str=case_id.startswith("print_"),
            check_repr=case_id.startswith("repr_"))
    if "error" in expected:
        check_message(f"{family}/{case_id}", expected["message"], actual["message"], where)


def check_message(case: str, expected: str, actual: str, where: str) -> None:
    """Our error message must be TF's, unless `case` is on the list of known differences (then a
    match is reported, so that the list only shrinks)."""
    known = case in known_differences()
    if messages_match(expected, actual):
        if known:
            warnings.warn(f"{case}: the error message now matches TF's; remove it from "
                          f"{os.path.relpath(KNOWN_DIFFERENCES, ROOT)} (tools/compare_error_messages.py --write)")
        return
    if not known:
        pytest.fail(f"{where}\nerror message differs from TF's\nTF:          {expected!r}\n"
                    f"tensorweave: {actual!r}\nWord it as TF does (docs/ARCHITECTURE.md, error wording); "
                    "`.venv/bin/python tools/compare_error_messages.py` lists every difference, and with "
                    "--write records the ones left in tests/fixtures/known_message_differences.json")


def xfail_if_missing_api(actual: dict, expected: dict) -> None:
    """Xfails a case that uses an API not implemented yet (a missing `tf.x`, or a Python operator
    whose implementation is not registered in core/operators.IMPLS)."""
    if actual.get("error") == "AttributeError" and expected.get("error") != "AttributeError":
        m = _MISSING_API.search(actual.get("message", ""))
        if m:
            pytest.xfail(f"tf.{m.group(1)} is not implemented yet")
    if actual.get("error") == "KeyError" and expected.get("error") != "KeyError" and (
            os.path.join("core", "operators.py") in actual.get("traceback", "")):
        pytest.xfail(f"Tensor operator {actual['message']} is not registered yet")


def compare(expected: dict, actual: dict, where: str, check_str: bool = False,
            check_repr: bool = False) -> None:
    """Asserts that encoded outcome `actual` (tensorweave) matches `expected` (TF)."""
    if "error" in expected:
        if "error" not in actual:
            pytest.fail(f"{where}\nTF raised {expected['error']}: {expected['message']}\n"
                        f"tensorweave returned {_short(actual)}")
        if actual["error"] != expected["error"]:
            pytest.fail(f"{where}\nTF raised {expected['error']}: {expected['message']}\n"
                        f"tensorweave raised {actual['error']}: {actual['message']}\n"
                        f"{actual.get('traceback', '')}")
        assert actual["message"].strip(), f"{where}\ntensorweave raised {actual['error']} with an empty message"
    else:
        if "error" in actual:
            pytest.fail(f"{where}\nTF returned {_short(expected)}\n"
                        f"tensorweave raised {actual['error']}: {actual['message']}\n"
                        f"{actual.get('traceback', '')}")
        _compare_value(expected, actual, where, check_str, check_repr)
    if "stdout" in expected or "stdout" in actual:
        assert actual.get("stdout", "") == expected.get("stdout", ""), (
            f"{where}\nprinted output differs\n--- TF:\n{expected.get('stdout', '')}"
            f"--- tensorweave:\n{actual.get('stdout', '')}")


def _short(encoded: dict) -> str:
    text = json.dumps({k: v for k, v in encoded.items() if k not in ("code", "traceback")})
    return text if len(text) < 600 else text[:600] + "..."


def _compare_value(exp: dict, act: dict, where: str, check_str: bool, check_repr: bool) -> None:
    kind = exp["kind"]
    assert act.get("kind") == kind, f"{where}\nexpected a {kind}: {_short(exp)}\ngot {_short(act)}"
    if kind in ("list", "tuple"):
        assert len(act["items"]) == len(exp["items"]), (
            f"{where}\nexpected {len(exp['items'])} items, got {len(act['items'])}")
        for i, (e, a) in enumerate(zip(exp["items"], act["items"])):
            _compare_value(e, a, f"{where} [item {i}]", check_str, check_repr)
        return
    if kind == "dict":
        assert sorted(act["items"]) == sorted(exp["items"]), f"{where}\nkeys differ"
        for k in exp["items"]:
            _compare_value(exp["items"][k], act["items"][k], f"{where} [key {k}]", check_str, check_repr)
        return
    if kind == "python":
        assert act["repr"] == exp["repr"], f"{where}\nexpected {exp['repr']}\ngot      {act['repr']}"
        return
    assert act["dtype"] == exp["dtype"], f"{where}\nexpected dtype {exp['dtype']}, got {act['dtype']}"
    assert act["shape"] == exp["shape"], f"{where}\nexpected shape {exp['shape']}, got {act['shape']}"
    assert_values_close(exp["value"], act["value"], exp["dtype"], where)
    if check_str and "str" in exp:
        assert act["str"] == exp["str"], f"{where}\nstr differs\nTF:\n{exp['str']}\ntensorweave:\n{act['str']}"
    if check_repr and "repr" in exp:
        assert act["repr"] == exp["repr"], (
            f"{where}\nrepr differs\nTF:\n{exp['repr']}\ntensorweave:\n{act['repr']}")


def _as_array(value, dtype: str) -> np.ndarray:
    """Encoded nested lists back to a numpy array (float64/complex128 for inexact dtypes)."""
    if dtype.startswith("complex"):
        arr = np.array(_decode_nested(value), dtype=np.float64)
        return arr[..., 0] + 1j * arr[..., 1]
    if _is_inexact(dtype):
        return np.array(_decode_nested(value), dtype=np.float64)
    return np.array(value, dtype=object)


def _decode_nested(value):
    if isinstance(value, list):
        return [_decode_nested(v) for v in value]
    return fixture_format.decode_float(value)


def _is_inexact(dtype: str) -> bool:
    return dtype in _TOLERANCE or dtype.startswith(("float", "complex")) or dtype == "bfloat16"


def assert_values_close(expected, actual, dtype: str, where: str = "") -> None:
    """Encoded values equal: exactly for ints/bools/strings, within the dtype's tolerance for floats."""
    if not _is_inexact(dtype):
        assert actual == expected, f"{where}\nexpected {expected}\ngot      {actual}"
        return
    e, a = _as_array(expected, dtype), _as_array(actual, dtype)
    assert e.shape == a.shape, f"{where}\nvalue shapes differ: {e.shape} vs {a.shape}"
    rtol, atol = _TOLERANCE.get(dtype, (1e-5, 1e-6))
    np.testing.assert_allclose(a, e, rtol=rtol, atol=atol, equal_nan=True, err_msg=where)


def run_printing(code: str, namespace: dict | None = None) -> str:
    """Runs `code` under tensorweave and returns what it printed."""
    ns = {"tf": tensorweave(), "np": np}
    if namespace:
        ns.update(namespace)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "<check_str>", "exec"), ns)
    return out.getvalue()


def check_str(code: str, expected: str) -> None:
    """Asserts that `code` run under tensorweave prints exactly `expected` (a trailing newline is
    optional in `expected`). Record `expected` from the oracle, e.g.
    `tf-oracle -c 'print(tf.constant([1, 2]))'`."""
    printed = run_printing(code)
    if not expected.endswith("\n") and printed.endswith("\n"):
        printed = printed[:-1]
    assert printed == expected, f"{code}\n--- expected:\n{expected}\n--- tensorweave printed:\n{printed}"
