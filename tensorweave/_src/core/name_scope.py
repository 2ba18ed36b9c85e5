"""`tf.name_scope`: a context manager prefixing the names of variables (and, in graphs, ops).

>>> import tensorweave as tf
>>> with tf.name_scope("block") as scope:
...     print(scope, tf.Variable(1.0, name="w").name)
block/ block/w:0
"""

from __future__ import annotations

from tensorweave._src.core.context import state


class name_scope:  # noqa: N801 - TF's public name
    """Opens `name` under the current scope; `as` gives the full prefix, e.g. 'outer/inner/'."""

    def __init__(self, name: str):
        if name and not isinstance(name, str):
            raise TypeError(f"name_scope name must be a string, got {name!r}")
        self._name = name
        self._saved = None

    @property
    def name(self) -> str:
        return self._name

    def __enter__(self) -> str:
        self._saved = state.name_scope
        if not self._name:
            state.name_scope = ""
        elif self._name.endswith("/"):
            state.name_scope = self._name  # an absolute scope, as TF allows
        else:
            state.name_scope = self._saved + self._name + "/"
        return state.name_scope

    def __exit__(self, *exc) -> None:
        state.name_scope = self._saved
