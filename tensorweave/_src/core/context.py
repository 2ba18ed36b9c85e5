"""Per-thread execution state read by the single dispatch point (`dispatch.bind`).

Higher layers plug interpreters in here instead of the core importing them: the graph tracer sets
`tracer`, and GradientTape pushes itself onto `tapes`.
"""

from __future__ import annotations

import contextlib
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


@contextlib.contextmanager
def init_scope():
    """Leaves any graph being traced (and pauses tapes): code inside runs eagerly, as TF's init_scope.
    Variable initial values are computed here, so variables created while tracing hold real values."""
    saved = (state.tracer, state.tapes, state.name_scope)
    state.tracer, state.tapes = None, ()
    try:
        yield
    finally:
        state.tracer, state.tapes, state.name_scope = saved
