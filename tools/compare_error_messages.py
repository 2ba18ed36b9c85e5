"""Compares TF's recorded error messages with tensorweave's, over every fixture case that raises.

    .venv/bin/python tools/compare_error_messages.py               # summary by family + diff list
    .venv/bin/python tools/compare_error_messages.py core nn       # only these families
    .venv/bin/python tools/compare_error_messages.py --summary     # summary only
    .venv/bin/python tools/compare_error_messages.py --write       # rewrite the ratchet list

Every case of `tests/fixtures/cases/<family>.py` whose recording (tests/fixtures/<family>.json) is
an error runs under tensorweave as the harness runs it (`TENSORWEAVE_CHECK_RULES=1`, as in
tests/conftest.py). Where both raise the same class the messages are compared: identical, identical
once TF's `{{function_node __wrapped__...}} ` prefix is removed from TF's message, or different.

`--write` stores the ids (`family/case`) whose messages still differ in
tests/fixtures/known_message_differences.json, the list tests/harness.py tolerates; it should only
ever shrink. With no family arguments `--check` exits 1 when a case not on that list differs, or
when a case on it now matches (so the list can be shortened).
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import difflib
import io
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
os.environ.setdefault("TENSORWEAVE_CHECK_RULES", "1")  # as the test suite runs (tests/conftest.py)
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

from tests import fixture_format, harness  # noqa: E402

IDENTICAL, PREFIX, DIFFERENT = "identical", "identical without TF's prefix", "different"


def families() -> list:
    cases_dir = os.path.join(harness.FIXTURES, "cases")
    return sorted(f[:-3] for f in os.listdir(cases_dir) if f.endswith(".py") and not f.startswith("_"))


def run_family(tf, family: str) -> list:
    """(case_id, expected, actual) for each case of `family` recorded as raising."""
    cases, _ = harness.load_cases(family)
    expected_all = harness.load_expected(family)
    out = []
    for case_id, code in cases.items():
        expected = expected_all.get(case_id)
        if not expected or "error" not in expected or expected.get("code") != code:
            continue
        with contextlib.redirect_stderr(io.StringIO()):
            actual = fixture_format.run_case(code, tf, np)
        out.append((case_id, expected, actual))
    return out


def classify(expected: dict, actual: dict) -> str | None:
    """None when the classes differ (or tensorweave does not raise); else how the messages compare."""
    if actual.get("error") != expected["error"]:
        return None
    if harness.messages_match(expected["message"], actual["message"]):
        return IDENTICAL
    if harness.strip_tf_prefix(expected["message"]) == actual["message"]:
        return PREFIX
    return DIFFERENT


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("families", nargs="*", help="families to compare (default: all)")
    parser.add_argument("--summary", action="store_true", help="print only the summary")
    parser.add_argument("--write", action="store_true",
                        help="write the differing ids to " + os.path.relpath(harness.KNOWN_DIFFERENCES, ROOT))
    parser.add_argument("--check", action="store_true",
                        help="exit 1 when the comparison disagrees with the checked-in list")
    args = parser.parse_args(argv)
    chosen = args.families or families()
    if args.write and args.families:
        parser.error("--write needs every family (run without family arguments)")

    import tensorweave as tf

    counts = collections.OrderedDict()
    differing, other_class = [], []
    for family in chosen:
        c = counts[family] = collections.Counter()
        for case_id, expected, actual in run_family(tf, family):
            kind = classify(expected, actual)
            if kind is None:
                c["other outcome"] += 1
                other_class.append((f"{family}/{case_id}", expected, actual))
                continue
            c[kind] += 1
            if kind != IDENTICAL:
                differing.append((f"{family}/{case_id}", kind, expected, actual))

    kinds = (IDENTICAL, PREFIX, DIFFERENT, "other outcome")
    width = max(len(f) for f in chosen)
    print(f"{'family':<{width}}  " + "  ".join(f"{k[:14]:>14}" for k in kinds))
    total = collections.Counter()
    for family, c in counts.items():
        total.update(c)
        print(f"{family:<{width}}  " + "  ".join(f"{c[k]:>14}" for k in kinds))
    print(f"{'TOTAL':<{width}}  " + "  ".join(f"{total[k]:>14}" for k in kinds))
    same_class = total[IDENTICAL] + total[PREFIX] + total[DIFFERENT]
    print(f"\n{same_class} cases raise the class TF raises: {total[IDENTICAL]} identical messages, "
          f"{total[PREFIX] + total[DIFFERENT]} differing ({total[PREFIX]} only by TF's prefix); "
          f"{total['other outcome']} cases raise another class or nothing")

    if not args.summary:
        for where, kind, expected, actual in differing:
            print(f"\n=== {where} ({kind}): {expected['code'].splitlines()[0][:100]}")
            print(f"  TF: {expected['message']!r}")
            print(f"  tw: {actual['message']!r}")
            if kind == DIFFERENT:
                _print_diff(expected["message"], actual["message"])

    ids = sorted(where for where, *_ in differing)
    if args.write:
        harness.write_known_differences(ids)
        print(f"\nwrote {len(ids)} ids to {os.path.relpath(harness.KNOWN_DIFFERENCES, ROOT)}")
    if args.check:
        known = harness.known_differences()
        scope = set(chosen)
        known = {k for k in known if k.split("/", 1)[0] in scope}
        new = sorted(set(ids) - known)
        fixed = sorted(known - set(ids))
        for k in new:
            print(f"NEW DIFFERENCE: {k}")
        for k in fixed:
            print(f"NOW MATCHES (remove from the list): {k}")
        return 1 if new or fixed else 0
    return 0


def _print_diff(expected: str, actual: str) -> None:
    matcher = difflib.SequenceMatcher(None, expected, actual, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            print(f"    {tag}: TF {expected[i1:i2]!r} -> tw {actual[j1:j2]!r}")


if __name__ == "__main__":
    sys.exit(main())
