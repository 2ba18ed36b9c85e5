"""Records test fixtures from real TensorFlow. Run under the oracle, never under tensorweave:

    ../shared/tools/tf-oracle tools/record_fixtures.py            # every family
    ../shared/tools/tf-oracle tools/record_fixtures.py core math  # only these families

For each `tests/fixtures/cases/<family>.py` (which defines `CASES = {"case_id": "code"}`), every case
runs with `tf` and `np` in its namespace; the code is a single expression or statements assigning
`result`. The outcome is written to `tests/fixtures/<family>.json` (see `encode` for the format).
A failing case records its error; nothing aborts the run.

The encoding lives in tests/fixture_format.py, shared with the harness that replays the cases.
"""

from __future__ import annotations

import json
import os
import sys
import traceback

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))

import fixture_format  # noqa: E402  (tests/fixture_format.py: imports neither TF nor tensorweave)

CASES_DIR = os.path.join(ROOT, "tests", "fixtures", "cases")
OUT_DIR = os.path.join(ROOT, "tests", "fixtures")


def load_cases(family: str) -> dict:
    path = os.path.join(CASES_DIR, family + ".py")
    namespace: dict = {"__file__": path, "__name__": f"cases_{family}"}
    with open(path, encoding="utf-8") as f:
        exec(compile(f.read(), path, "exec"), namespace)
    return namespace["CASES"]


def record_family(tf, np, family: str) -> dict:
    cases = load_cases(family)
    out = {}
    for case_id, code in cases.items():
        try:
            out[case_id] = fixture_format.run_case(code, tf, np, is_reference=True)
        except BaseException as e:  # noqa: BLE001 - the recorder must never stop on a case
            if isinstance(e, KeyboardInterrupt):
                raise
            out[case_id] = {"error": type(e).__name__, "message": f"recorder failure: {e}",
                            "traceback": traceback.format_exc(limit=3)}
    return out


def main(argv: list) -> int:
    import numpy as np
    import tensorflow as tf

    families = argv or sorted(f[:-3] for f in os.listdir(CASES_DIR)
                              if f.endswith(".py") and not f.startswith("_"))
    for family in families:
        try:
            data = record_family(tf, np, family)
        except Exception:  # noqa: BLE001 - a broken cases file must not stop the other families
            print(f"{family}: could not load cases\n{traceback.format_exc()}", file=sys.stderr)
            continue
        path = os.path.join(OUT_DIR, family + ".json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=1, sort_keys=True, ensure_ascii=False)
            f.write("\n")
        errors = sum(1 for v in data.values() if isinstance(v, dict) and "error" in v)
        print(f"{family}: {len(data)} cases ({errors} raise) -> {os.path.relpath(path, ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
