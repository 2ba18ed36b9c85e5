"""Converting Python functions: source -> AST -> converted AST -> a function object.

The converted function is rebuilt from the converted code object with the original function's
globals, closure cells (so `nonlocal` writes reach the original cells), defaults and kw-defaults.
Converted code objects are cached per original code object. Functions of tensorweave itself, of the
standard library and of installed third-party packages are called unconverted, as are functions whose
source is unavailable (with TF's warning).
"""

from __future__ import annotations

import ast
import functools
import inspect
import linecache
import logging
import os
import sys
import sysconfig
import textwrap
import types
import weakref

from tensorweave._src.autograph import operators, transformer

_logger = logging.getLogger("tensorweave")

# Code objects compare by value (not file name), so the caches are keyed by identity; they keep the
# code objects alive so that ids are not reused.
_CODE_CACHE: dict = {}  # id(original code) -> (original code, (converted code, converted source) or None)
_CONVERTED_CODES: dict = {}  # id -> every code object produced by conversion (nested ones included)
_FUNCTION_CACHE: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_WARNED: dict = {}
VERBOSITY = [0]

_SKIPPED_MODULES = ("tensorweave", "numpy", "torch", "builtins", "functools", "collections", "abc", "typing",
                    "inspect", "itertools", "operator", "contextlib", "copy", "math", "random", "re",
                    "logging", "weakref", "dataclasses", "enum", "pytest", "_pytest")
_LIBRARY_DIRS = tuple(os.path.realpath(p) + os.sep for p in
                      {sysconfig.get_paths().get(k) for k in ("stdlib", "platstdlib", "purelib", "platlib")} if p)


class ConversionError(Exception):
    pass


def _module_name(fn) -> str:
    return getattr(fn, "__module__", None) or ""


def is_library_function(fn) -> bool:
    """True for functions of tensorweave, the standard library and third-party packages."""
    module = _module_name(fn)
    if module.split(".")[0] in _SKIPPED_MODULES:
        return True
    code = getattr(fn, "__code__", None)
    if code is None:
        return True
    filename = os.path.realpath(code.co_filename) if not code.co_filename.startswith("<") else code.co_filename
    if filename.startswith(_LIBRARY_DIRS) or "site-packages" in filename or "dist-packages" in filename:
        return True
    return False


def _is_generator_code(code) -> bool:
    return bool(code.co_flags & (inspect.CO_GENERATOR | inspect.CO_COROUTINE | inspect.CO_ASYNC_GENERATOR))


def do_not_convert_marked(fn) -> bool:
    return bool(getattr(fn, "__ag_do_not_convert__", False))


# ---- source to AST -----------------------------------------------------------------------------------

def _source_of(code):
    try:
        lines, lnum = inspect.getsourcelines(code)
    except (OSError, TypeError) as e:
        raise ConversionError(str(e) or "could not get source code") from None
    if not lines:
        raise ConversionError("could not get source code")
    return "".join(lines), max(lnum, 1)


def _parse(source: str):
    """Parses a (possibly indented, possibly partial) block of source; returns (module, line offset)."""
    try:
        return ast.parse(textwrap.dedent(source)), 0
    except SyntaxError:
        pass
    try:
        return ast.parse("if 1:\n" + source), -1
    except SyntaxError as e:
        raise ConversionError(f"could not parse the source code: {e}") from None


def _lambda_source_node(tree, code):
    """The lambda of `tree` whose parameters match `code` (best effort, as TF)."""
    argnames = list(code.co_varnames[:code.co_argcount + code.co_kwonlyargcount])
    candidates = [n for n in ast.walk(tree) if isinstance(n, ast.Lambda)
                  and [a.arg for a in n.args.posonlyargs + n.args.args + n.args.kwonlyargs] == argnames]
    if len(candidates) != 1:
        raise ConversionError("could not identify the lambda's source code (it must be the only lambda with "
                              "these parameters on its lines)")
    return candidates[0]


def _function_node(code):
    source, lnum = _source_of(code)
    tree, offset = _parse(source)
    ast.increment_lineno(tree, lnum - 1 + offset)
    if code.co_name == "<lambda>":
        lam = _lambda_source_node(tree, code)
        node = ast.FunctionDef(name="lambda_", args=lam.args, body=[ast.Return(value=lam.body)], decorator_list=[],
                               returns=None, type_comment=None, type_params=[])
        return ast.copy_location(node, lam)
    if isinstance(tree.body[0], ast.If) and offset == -1:
        tree = ast.Module(body=tree.body[0].body, type_ignores=[])
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == code.co_name:
            return node
    raise ConversionError(f"could not find the definition of {code.co_name} in its source code")


def convert_code(code):
    """(converted code object, converted source text) for a function's code object; cached."""
    entry = _CODE_CACHE.get(id(code))
    if entry is not None and entry[0] is code:
        if entry[1] is None:
            raise ConversionError("conversion failed earlier")
        return entry[1]
    try:
        node = _function_node(code)
        if isinstance(node, ast.AsyncFunctionDef):
            raise ConversionError("async functions are not converted")
        original_name = node.name
        node.name = "tf__" + (original_name if code.co_name != "<lambda>" else "lam")
        node.decorator_list = []
        node.returns = None
        for a in node.args.posonlyargs + node.args.args + node.args.kwonlyargs:
            a.annotation = None
        used = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)} | {node.name}
        transformer.convert_function(node, transformer.Namer(used))
        factory_body = [ast.Assign(targets=[ast.Name(id=transformer.AG, ctx=ast.Store())],
                                   value=ast.Constant(value=None), lineno=0)]
        for name in code.co_freevars:
            factory_body.append(ast.Assign(targets=[ast.Name(id=name, ctx=ast.Store())],
                                           value=ast.Constant(value=None), lineno=0))
        factory_body += [node, ast.Return(value=ast.Name(id=node.name, ctx=ast.Load()))]
        factory = ast.FunctionDef(name="__ag_factory", args=transformer._no_args(), body=factory_body,
                                  decorator_list=[], returns=None, type_comment=None, type_params=[])
        ast.copy_location(factory, node)
        module = ast.Module(body=[factory], type_ignores=[])
        _fix_locations(module, node.lineno)
        compiled = compile(module, code.co_filename, "exec", dont_inherit=True)
        factory_code = next(c for c in compiled.co_consts if isinstance(c, types.CodeType))
        inner = next(c for c in factory_code.co_consts if isinstance(c, types.CodeType) and c.co_name == node.name)
        text = ast.unparse(node)
    except ConversionError:
        _CODE_CACHE[id(code)] = (code, None)
        raise
    except Exception as e:  # noqa: BLE001 - a converter failure must not break the program: run as is
        _CODE_CACHE[id(code)] = (code, None)
        raise ConversionError(f"{type(e).__name__}: {e}") from e
    _mark_converted(inner)
    _CODE_CACHE[id(code)] = (code, (inner, text))
    return inner, text


def _fix_locations(tree, default_line: int) -> None:
    """Fills missing line numbers from the nearest enclosing node that has one."""
    def visit(node, line):
        if isinstance(node, (ast.stmt, ast.expr, ast.excepthandler, ast.arg, ast.keyword)):
            if getattr(node, "lineno", None) in (None, 0):
                node.lineno = line
                node.col_offset = 0
            line = node.lineno
            if getattr(node, "end_lineno", None) is None or node.end_lineno < node.lineno:
                node.end_lineno = node.lineno
                node.end_col_offset = node.col_offset
        for child in ast.iter_child_nodes(node):
            visit(child, line)
    visit(tree, default_line)


def _mark_converted(code) -> None:
    _CONVERTED_CODES[id(code)] = code
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            _mark_converted(c)


def is_converted(fn) -> bool:
    code = getattr(fn, "__code__", None)
    return code is not None and _CONVERTED_CODES.get(id(code)) is code


def is_converted_code(code) -> bool:
    """Whether code object `code` was produced by conversion."""
    return _CONVERTED_CODES.get(id(code)) is code


# ---- instantiation -----------------------------------------------------------------------------------

def _instantiate(fn, code):
    original = fn.__code__
    cells = dict(zip(original.co_freevars, fn.__closure__ or ()))
    closure = []
    for name in code.co_freevars:
        if name == transformer.AG:
            closure.append(types.CellType(operators))
        elif name in cells:
            closure.append(cells[name])
        else:
            closure.append(types.CellType())
    new = types.FunctionType(code, fn.__globals__, code.co_name, fn.__defaults__, tuple(closure) or None)
    new.__kwdefaults__ = fn.__kwdefaults__
    new.__module__ = fn.__module__
    new.__doc__ = fn.__doc__
    new.__qualname__ = fn.__qualname__
    new.__ag_original__ = fn
    return new


def _warn_unconverted(fn, cause: str) -> None:
    key = id(getattr(fn, "__code__", fn))
    if key in _WARNED:
        return
    _WARNED[key] = getattr(fn, "__code__", fn)
    if "source" in cause or "could not get" in cause:
        cause = (f"Unable to locate the source code of {fn!r}. Note that functions defined in certain "
                 f"environments, like the interactive Python shell, do not expose their source code. If that is "
                 f"the case, you should define them in a .py source file. If you are certain the code is "
                 f"graph-compatible, wrap the call using @tf.autograph.experimental.do_not_convert. Original "
                 f"error: {cause}")
    _logger.warning("AutoGraph could not transform %r and will run it as-is.\nCause: %s\nTo silence this "
                    "warning, decorate the function with @tf.autograph.experimental.do_not_convert", fn, cause)


def convert_function(fn, *, user_requested: bool = False):
    """The converted version of plain function `fn`, or `fn` itself when it is not converted."""
    try:
        cached = _FUNCTION_CACHE.get(fn)
    except TypeError:
        cached = None
    if cached is not None:
        return cached
    code = getattr(fn, "__code__", None)
    if code is None or is_converted(fn) or do_not_convert_marked(fn) or _is_generator_code(code):
        return fn
    if not user_requested and is_library_function(fn):
        return fn
    if user_requested and _module_name(fn).split(".")[0] == "tensorweave":
        return fn
    try:
        converted_code, _ = convert_code(code)
    except ConversionError as e:
        _warn_unconverted(fn, str(e))
        converted = fn
    else:
        converted = _instantiate(fn, converted_code)
    try:
        _FUNCTION_CACHE[fn] = converted
    except TypeError:
        pass
    return converted


def converted_target(f):
    """What `ag__.converted_call` should call for callable `f`."""
    from tensorweave._src.function.function import Function

    if isinstance(f, Function) or do_not_convert_marked(f):
        return f
    if isinstance(f, types.FunctionType):
        return convert_function(f)
    if isinstance(f, types.MethodType):
        func = f.__func__
        if isinstance(func, types.FunctionType) and not do_not_convert_marked(func):
            converted = convert_function(func)
            if converted is not func:
                return types.MethodType(converted, f.__self__)
        return f
    if isinstance(f, functools.partial):
        target = converted_target(f.func)
        return f if target is f.func else functools.partial(target, *f.args, **f.keywords)
    if isinstance(f, type) or isinstance(f, (types.BuiltinFunctionType, types.BuiltinMethodType)):
        return f
    call = getattr(type(f), "__call__", None)
    if isinstance(call, types.FunctionType) and not is_library_function(call):
        converted = convert_function(call)
        if converted is not call:
            return types.MethodType(converted, f)
    return f


def converted_source(fn) -> str:
    """The source text of `fn`'s converted version."""
    fn = inspect.unwrap(fn) if not hasattr(fn, "__code__") else fn
    code = getattr(fn, "__code__", None)
    if code is None:
        raise ConversionError(f"{fn!r} is not a Python function")
    return convert_code(code)[1]


def register_source(filename: str, source: str) -> None:
    """Makes `source` visible to inspect under `filename` (for code compiled from strings)."""
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)


del sys
