"""`tf.Module`: a named container of variables and sub-modules, found by walking attributes.

>>> import tensorweave as tf
>>> class Scale(tf.Module):
...     def __init__(self):
...         super().__init__()
...         self.w = tf.Variable(2.0, name="w")
>>> m = Scale()
>>> m.name, [v.name for v in m.trainable_variables]
('scale', ['w:0'])
"""

from __future__ import annotations

import functools
import re

from tensorweave._src.api_export import tf_export
from tensorweave._src.core.name_scope import name_scope as _name_scope
from tensorweave._src.core.variable import Variable


def camel_to_snake(name: str) -> str:
    s1 = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", s1).lower()


@tf_export("Module")
class Module:
    """Base class of things that own variables: `variables`, `trainable_variables`, `submodules`."""

    def __init__(self, name: str | None = None):
        if name is None:
            name = camel_to_snake(type(self).__name__)
        elif not re.match(r"^[A-Za-z_][\w.\-]*$", name):
            raise ValueError(f"'{name}' is not a valid module name. Module names must be valid Python "
                             f"identifiers (e.g. a valid class name).")
        self._name = name
        with _name_scope(name) as scope:
            self._scope_name = scope

    @property
    def name(self) -> str:
        return self._name

    @property
    def name_scope(self):
        """A name scope re-entering this module's scope."""
        return _name_scope(self._scope_name)

    @property
    def variables(self) -> tuple:
        return tuple(_walk(self, lambda x: isinstance(x, Variable)))

    @property
    def trainable_variables(self) -> tuple:
        return tuple(_walk(self, lambda x: isinstance(x, Variable) and x.trainable))

    @property
    def non_trainable_variables(self) -> tuple:
        return tuple(_walk(self, lambda x: isinstance(x, Variable) and not x.trainable))

    @property
    def submodules(self) -> tuple:
        return tuple(_walk(self, lambda x: isinstance(x, Module)))

    @classmethod
    def with_name_scope(cls, method):
        """Decorates a method so it runs inside the module's name scope."""
        @functools.wraps(method)
        def wrapped(self, *args, **kwargs):
            with self.name_scope:
                return method(self, *args, **kwargs)
        return wrapped


def _children(obj):
    if isinstance(obj, Module):
        d = vars(obj)
        return [d[k] for k in sorted(d)]
    if isinstance(obj, dict):
        return [obj[k] for k in sorted(obj, key=repr)]
    if isinstance(obj, (list, tuple)):
        return list(obj)
    return []


def _walk(root, predicate) -> list:
    """Depth-first over attributes (sorted names, as TF), each object once, root excluded."""
    seen = {id(root)}
    out = []

    def visit(obj):
        for child in _children(obj):
            if id(child) in seen:
                continue
            if isinstance(child, (Module, Variable, list, tuple, dict)):
                seen.add(id(child))
            if predicate(child):
                out.append(child)
            if isinstance(child, (Module, list, tuple, dict)):
                visit(child)

    visit(root)
    return out
