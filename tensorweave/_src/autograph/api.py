"""AutoGraph entry points. `convert(fn)` returns the function tf.function traces.

(The source-to-source converter lives in this package; until a function needs conversion it is
traced as written.)
"""

from __future__ import annotations


def convert(fn, recursive: bool = True):
    """The AutoGraph-converted version of `fn` (currently `fn` itself)."""
    return fn
