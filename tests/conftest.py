"""Puts the repository root on sys.path so tests import `tests.harness` and the local `tensorweave`."""

import os
import sys

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)
