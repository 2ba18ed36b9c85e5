"""The one declaration of tensorweave's public API.

Implementation modules mark each public symbol with `@tf_export("math.add", "add")`; the package's
`__init__` then builds every public namespace (`tf`, `tf.math`, `tf.nn`, ...) from this table.

Dispatch (TF's `add_dispatch_support`, fallback flavour): the public op functions users see are thin
wrappers that call the implementation and, only when it raises TypeError or ValueError, offer the call
to the handlers registered with `register_dispatcher` (Keras turns a call on KerasTensors into a
TFOpLambda layer). The happy path costs one Python frame; internal code keeps calling the bare
implementations (`EXPORTS`), so ops calling ops never dispatch halfway.
"""

from __future__ import annotations

import functools
import inspect
import sys
import types
from typing import Any, Callable

EXPORTS: dict[str, Any] = {}  # public name -> implementation (what internal code looks up)

# implementation -> its public dispatching wrapper; and the handlers offered a failed call
_WRAPPERS: dict[Callable, Callable] = {}
_DISPATCHERS: list[Callable] = []
_OP_MODULES = "tensorweave._src.ops."  # functions exported from here dispatch unless told otherwise


def tf_export(*names: str, dispatch: bool | None = None):
    """Decorator naming the public aliases of a function or class, e.g. `tf_export("math.exp", "exp")`.

    `dispatch`: whether the public function supports dispatch (TF's `add_dispatch_support`); by default
    the functions of the op library (tensorweave._src.ops) do. The first name is the canonical one.
    """
    def decorate(obj):
        for name in names:
            export(name, obj)
        if names and inspect.isfunction(obj) and obj not in _WRAPPERS and (
                dispatch or (dispatch is None and obj.__module__.startswith(_OP_MODULES))):
            _WRAPPERS[obj] = _dispatching(obj, names[0])
        return obj
    return decorate


def export(name: str, value: Any) -> None:
    """Declares `value` public under dotted `name` (use for constants such as dtypes)."""
    if name in EXPORTS and EXPORTS[name] is not value:
        raise ValueError(f"public name {name!r} is exported twice")
    EXPORTS[name] = value


def register_dispatcher(handler: Callable) -> None:
    """Adds `handler(api_name, args, kwargs)`, offered every dispatchable call that raised TypeError or
    ValueError; it returns the call's result, or NotImplemented to let the error propagate."""
    _DISPATCHERS.append(handler)


def _dispatching(fn: Callable, api_name: str) -> Callable:
    """`fn` behind a wrapper with its exact signature (generated: passing arguments straight through costs
    far less than `*args, **kwargs`), which offers a call failing with TypeError/ValueError to the
    registered handlers."""
    sig = inspect.signature(fn)
    params, call = _signature_source(sig)
    source = (f"def {fn.__name__}({', '.join(params)}):\n"
              f"    try:\n"
              f"        return __tw_fn({', '.join(call)})\n"
              f"    except (TypeError, ValueError):\n"
              f"        __tw_result = __tw_offer(locals())\n"
              f"        if __tw_result is NotImplemented:\n"
              f"            raise\n"
              f"        return __tw_result\n")
    namespace = {"__tw_fn": fn, "__tw_offer": functools.partial(_offer, api_name, sig)}
    namespace.update((f"__tw_d{i}", p.default) for i, p in enumerate(sig.parameters.values()))
    exec(compile(source, f"<dispatch {api_name}>", "exec"), namespace)  # noqa: S102 - generated above
    wrapper = functools.update_wrapper(namespace[fn.__name__], fn)
    wrapper._tf_api_name = api_name
    # found under its public name (pickle looks functions up by module and qualified name)
    *path, wrapper.__qualname__ = api_name.split(".")
    wrapper.__module__ = ".".join(["tensorweave"] + path)
    return wrapper


def _signature_source(sig: inspect.Signature) -> tuple[list, list]:
    """The wrapper's parameter list (defaults as `__tw_d<i>`) and the call passing each one on."""
    params, call = [], []
    star_seen = False
    for i, p in enumerate(sig.parameters.values()):
        if p.kind is p.VAR_POSITIONAL:
            params.append("*" + p.name)
            call.append("*" + p.name)
            star_seen = True
        elif p.kind is p.VAR_KEYWORD:
            params.append("**" + p.name)
            call.append("**" + p.name)
        else:
            if p.kind is p.KEYWORD_ONLY and not star_seen:
                params.append("*")
                star_seen = True
            params.append(p.name if p.default is p.empty else f"{p.name}=__tw_d{i}")
            call.append(f"{p.name}={p.name}" if p.kind is p.KEYWORD_ONLY else p.name)
        if p.kind is p.POSITIONAL_ONLY and _last_positional_only(sig, p):
            params.append("/")
    return params, call


def _last_positional_only(sig: inspect.Signature, param: inspect.Parameter) -> bool:
    kinds = [p.kind for p in sig.parameters.values()]
    index = list(sig.parameters).index(param.name)
    return index + 1 == len(kinds) or kinds[index + 1] is not param.POSITIONAL_ONLY


def _offer(api_name: str, sig: inspect.Signature, values: dict):
    """Hands a failed call to the dispatch handlers: arguments still at their default objects count as
    not passed (the wrapper cannot tell `f(x, name=None)` from `f(x)`)."""
    if not _DISPATCHERS:
        return NotImplemented
    args, kwargs = [], {}
    for p in sig.parameters.values():
        value = values[p.name]
        if p.kind is p.VAR_POSITIONAL:
            args.extend(value)
        elif p.kind is p.VAR_KEYWORD:
            kwargs.update(value)
        elif p.default is p.empty and p.kind is not p.KEYWORD_ONLY and not kwargs:
            args.append(value)
        elif p.default is p.empty or value is not p.default:
            kwargs[p.name] = value
    for handler in _DISPATCHERS:
        result = handler(api_name, tuple(args), kwargs)
        if result is not NotImplemented:
            return result
    return NotImplemented


def public(value: Any) -> Any:
    """What users see for an exported object: its dispatching wrapper, if it has one."""
    try:
        return _WRAPPERS.get(value, value)
    except TypeError:  # unhashable constant
        return value


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
        setattr(module, leaf, public(EXPORTS[dotted]))


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
            value = public(EXPORTS[dotted])
        elif any(k.startswith(dotted + ".") for k in EXPORTS):
            value = PublicNamespace(dotted + ".")
        else:
            raise AttributeError(f"tensorweave has no public name tf.{dotted}")
        cache[name] = value
        return value
