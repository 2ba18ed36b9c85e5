"""Puts the repository root on sys.path so tests import `tests.harness` and the local `tensorweave`."""

import os
import sys

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

# Every eager op also checks its abstract (dtype/shape) rule against the kernel's result; see dispatch.py.
os.environ.setdefault("TENSORWEAVE_CHECK_RULES", "1")
