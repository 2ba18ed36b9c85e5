"""Per-thread execution state read by the single dispatch point (`dispatch.bind`).

Higher layers plug interpreters in here instead of the core importing them: the graph tracer sets
`tracer`, and GradientTape pushes itself onto `tapes`.
"""

from __future__ import annotations

import threading


class _State(threading.local):
    def __init__(self):
        self.tracer = None  # the graph being traced, or None when running eagerly
        self.tapes = ()  # active gradient tapes, innermost last
        self.name_scope = ""  # current tf.name_scope prefix, '' or 'outer/inner/'
        self.device = None


state = _State()


def executing_eagerly() -> bool:
    """True outside tf.function tracing, as `tf.executing_eagerly()`."""
    return state.tracer is None
