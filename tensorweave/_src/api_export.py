"""The one declaration of tensorweave's public API.

Implementation modules mark each public symbol with `@tf_export("math.add", "add")`; the package's
`__init__` then builds every public namespace (`tf`, `tf.math`, `tf.nn`, ...) from this table.
"""

from __future__ import annotations

import sys
import types
from typing import Any

EXPORTS: dict[str, Any] = {}


def tf_export(*names: str):
    """Decorator naming the public aliases of a function or class, e.g. `tf_export("math.exp", "exp")`."""
    def decorate(obj):
        for name in names:
            export(name, obj)
        return obj
    return decorate


def export(name: str, value: Any) -> None:
    """Declares `value` public under dotted `name` (use for constants such as dtypes)."""
    if name in EXPORTS and EXPORTS[name] is not value:
        raise ValueError(f"public name {name!r} is exported twice")
    EXPORTS[name] = value


def build_namespaces(root: types.ModuleType) -> None:
    """Fills `root` (the `tensorweave` module) and creates its public submodules from EXPORTS."""
    modules = {"": root}
    for dotted in sorted(EXPORTS):
        *path, leaf = dotted.split(".")
        module = root
        for i in range(len(path)):
            key = ".".join(path[: i + 1])
            if key not in modules:
                child = types.ModuleType(f"{root.__name__}.{key}", f"Public namespace tf.{key}.")
                modules[key] = child
                sys.modules[child.__name__] = child
                setattr(module, path[i], child)
            module = modules[key]
        setattr(module, leaf, EXPORTS[dotted])


class PublicNamespace:
    """Attribute access to the exported API without importing the `tensorweave` package itself:
    `tf = PublicNamespace()` then `tf.matmul`, `tf.nn.relu`. Higher layers (Keras, data, ...) use it so
    they call public ops only, with the same spelling as user code, and no import cycles."""

    def __init__(self, prefix: str = ""):
        self._prefix = prefix
        self._cache: dict = {}

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        cache = self.__dict__["_cache"]
        if name in cache:
            return cache[name]
        dotted = self._prefix + name
        if dotted in EXPORTS:
            value = EXPORTS[dotted]
        elif any(k.startswith(dotted + ".") for k in EXPORTS):
            value = PublicNamespace(dotted + ".")
        else:
            raise AttributeError(f"tensorweave has no public name tf.{dotted}")
        cache[name] = value
        return value
