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
