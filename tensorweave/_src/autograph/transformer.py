"""The source-to-source passes of AutoGraph, on Python's `ast`.

`convert_function(fdef, namer)` rewrites a FunctionDef in place, in TF's order:
1. canonicalization: `break`/`continue` become flags (`break_`, `continue_`) guarding the rest of the
   loop body, loop `else` clauses are hoisted, `return` inside control flow becomes
   `do_return = True; retval_ = value` with the rest of the block guarded (statements after an `if`
   whose body returns move to its `else`), and `set_loop_options` directives are lifted into the loop;
2. liveness: which names are read after each if/loop (they become outputs/loop variables);
3. expressions: calls -> `ag__.converted_call`, `and`/`or`/`not` -> `ag__.and_`/`or_`/`not_`,
   `a if c else b` -> `ag__.if_exp`, loads of locals -> `ag__.ld`;
4. control flow: `if`/`while`/`for` -> `ag__.if_stmt`/`while_stmt`/`for_stmt` with body functions that
   bind the modified names with `nonlocal`, and `get_state`/`set_state` functions.
Nested function definitions are converted the same way, each in its own scope.
"""

from __future__ import annotations

import ast
from typing import Iterable, Optional

AG = "ag__"
_FLAG_PREFIXES = ("break_", "continue_", "do_return", "retval_")
_UNCONVERTED_CALLS = {"print", "super", "locals", "globals", "vars", "eval", "exec", "id", "type",
                      "isinstance", "issubclass", "hasattr", "getattr", "setattr", "callable"}
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


# ---- small AST builders ------------------------------------------------------------------------------

def _load(name: str) -> ast.Name:
    return ast.Name(id=name, ctx=ast.Load())


def _store(name: str) -> ast.Name:
    return ast.Name(id=name, ctx=ast.Store())


def _ag(attr: str) -> ast.Attribute:
    return ast.Attribute(value=_load(AG), attr=attr, ctx=ast.Load())


def _call(func, args=(), keywords=()) -> ast.Call:
    return ast.Call(func=func, args=list(args), keywords=list(keywords))


def _assign(name: str, value) -> ast.Assign:
    return ast.Assign(targets=[_store(name)], value=value, lineno=0)


def _const(value) -> ast.Constant:
    return ast.Constant(value=value)


def _lambda(body) -> ast.Lambda:
    return ast.Lambda(args=_no_args(), body=body)


def _no_args(*names) -> ast.arguments:
    return ast.arguments(posonlyargs=[], args=[ast.arg(arg=n) for n in names], vararg=None, kwonlyargs=[],
                         kw_defaults=[], kwarg=None, defaults=[])


def _fdef(name: str, params, body) -> ast.FunctionDef:
    return ast.FunctionDef(name=name, args=_no_args(*params), body=body or [ast.Pass()], decorator_list=[],
                           returns=None, type_comment=None, type_params=[])


def _not(expr):
    return ast.UnaryOp(op=ast.Not(), operand=expr)


def _copy_location(new, old):
    """Gives generated nodes the first line of `old` (an error raised by them is reported at the line
    where the original statement starts, as TF's source map does)."""
    for node in ast.walk(new):
        if not hasattr(node, "lineno") or getattr(node, "lineno", None) in (None, 0):
            if hasattr(old, "lineno"):
                ast.copy_location(node, old)
                node.end_lineno, node.end_col_offset = old.lineno, old.col_offset
    return new


class Namer:
    """Unique names for generated symbols (`if_body`, `if_body_1`, ...), avoiding the source's names."""

    def __init__(self, used: Iterable[str] = ()):
        self.used = set(used)
        self.counts: dict = {}

    def new(self, base: str) -> str:
        n = self.counts.get(base, 0)
        while True:
            name = base if n == 0 else f"{base}_{n}"
            n += 1
            if name not in self.used:
                self.counts[base] = n
                self.used.add(name)
                return name


# ---- scope analysis ----------------------------------------------------------------------------------

def _scope_walk(node, enter_root: bool = False):
    """Nodes of `node` in its own scope (nested functions, lambdas, classes and comprehensions are
    yielded but not entered; the root is entered only when `enter_root`)."""
    todo = [node]
    while todo:
        n = todo.pop()
        yield n
        if isinstance(n, _SCOPES + _COMPREHENSIONS) and not (n is node and enter_root):
            continue
        todo.extend(ast.iter_child_nodes(n))


def _target_names(target) -> set:
    return {n.id for n in ast.walk(target) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}


def assigned(stmts) -> set:
    """Names bound by `stmts` in their scope."""
    names = set()
    for stmt in stmts:
        for n in _scope_walk(stmt):
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
                names.add(n.id)
            elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(n.name)
            elif isinstance(n, (ast.Import, ast.ImportFrom)):
                for alias in n.names:
                    names.add((alias.asname or alias.name).split(".")[0])
            elif isinstance(n, ast.ExceptHandler) and n.name:
                names.add(n.name)
            elif isinstance(n, ast.NamedExpr):
                names.add(n.target.id)
    return names


def declared(stmts, kind) -> set:
    names = set()
    for stmt in stmts:
        for n in _scope_walk(stmt):
            if isinstance(n, kind):
                names.update(n.names)
    return names


def loads(node) -> set:
    """Every name read in `node`, nested scopes included (an over-approximation of its uses)."""
    if node is None:
        return set()
    if isinstance(node, list):
        out = set()
        for n in node:
            out |= loads(n)
        return out
    names = set()
    for n in ast.walk(node):
        if isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Load, ast.Del)):
            names.add(n.id)
        elif isinstance(n, ast.AugAssign) and isinstance(n.target, ast.Name):
            names.add(n.target.id)
    return names


def nested_scope_loads(stmts) -> set:
    """Names read by nested functions/lambdas of this scope: treated as live everywhere."""
    names = set()
    for stmt in stmts:
        for n in _scope_walk(stmt):
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                names |= loads(n.body)
    return names


def _has(stmts, types, *, into_loops: bool) -> bool:
    """Whether `stmts` contain a node of `types` (not inside nested scopes, nor loops unless asked)."""
    todo = list(stmts)
    while todo:
        n = todo.pop()
        if isinstance(n, types):
            return True
        if isinstance(n, _SCOPES):
            continue
        if isinstance(n, (ast.For, ast.While, ast.AsyncFor)) and not into_loops:
            continue
        todo.extend(ast.iter_child_nodes(n))
    return False


# ---- 1. canonicalization -----------------------------------------------------------------------------

def _is_loop_options(stmt) -> Optional[ast.Call]:
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
        func = stmt.value.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if name == "set_loop_options":
            return stmt.value
    return None


def _replace_jumps(stmts, jump_type, flag: str) -> list:
    out = []
    for i, s in enumerate(stmts):
        if isinstance(s, jump_type):
            out.append(_copy_location(_assign(flag, _const(True)), s))
            return out  # the rest of the block is unreachable
        if _has([s], jump_type, into_loops=False):
            if isinstance(s, ast.If):
                s.body = _replace_jumps(s.body, jump_type, flag) or [ast.Pass()]
                s.orelse = _replace_jumps(s.orelse, jump_type, flag)
            elif isinstance(s, (ast.With, ast.AsyncWith)):
                s.body = _replace_jumps(s.body, jump_type, flag)
            elif isinstance(s, ast.Try):
                s.body = _replace_jumps(s.body, jump_type, flag)
                for h in s.handlers:
                    h.body = _replace_jumps(h.body, jump_type, flag) or [ast.Pass()]
                s.orelse = _replace_jumps(s.orelse, jump_type, flag)
                s.finalbody = _replace_jumps(s.finalbody, jump_type, flag)
            out.append(s)
            rest = stmts[i + 1:]
            if rest:
                out.append(_copy_location(ast.If(test=_not(_load(flag)), body=_replace_jumps(rest, jump_type, flag),
                                                  orelse=[]), rest[0]))
            return out
        out.append(s)
    return out


def lower_loops(stmts, namer: Namer) -> list:
    """Lowers break/continue (bottom-up), hoists loop else clauses, lifts loop-option directives."""
    out = []
    for s in stmts:
        if isinstance(s, ast.If):
            s.body = lower_loops(s.body, namer)
            s.orelse = lower_loops(s.orelse, namer)
        elif isinstance(s, (ast.With, ast.AsyncWith)):
            s.body = lower_loops(s.body, namer)
        elif isinstance(s, ast.Try):
            s.body = lower_loops(s.body, namer)
            for h in s.handlers:
                h.body = lower_loops(h.body, namer)
            s.orelse = lower_loops(s.orelse, namer)
            s.finalbody = lower_loops(s.finalbody, namer)
        elif isinstance(s, (ast.While, ast.For)):
            s._ag_extra = []
            s._ag_opts = []
            body = []
            for b in s.body:
                directive = _is_loop_options(b)
                if directive is not None:
                    s._ag_opts.extend(directive.keywords)
                else:
                    body.append(b)
            s.body = lower_loops(body, namer) or [ast.Pass()]
            orelse = lower_loops(s.orelse, namer)
            s.orelse = []
            pre, post = [], []
            if _has(s.body, ast.Break, into_loops=False):
                flag = namer.new("break_")
                s.body = _replace_jumps(s.body, ast.Break, flag)
                pre.append(_copy_location(_assign(flag, _const(False)), s))
                s._ag_extra.append(flag)
                if orelse:
                    post.append(_copy_location(ast.If(test=_not(_load(flag)), body=orelse, orelse=[]), orelse[0]))
            elif orelse:
                post.extend(orelse)
            if _has(s.body, ast.Continue, into_loops=False):
                flag = namer.new("continue_")
                s.body = [_copy_location(_assign(flag, _const(False)), s.body[0])] + \
                    _replace_jumps(s.body, ast.Continue, flag)
            out.extend(pre + [s] + post)
            continue
        out.append(s)
    return out


def _nested_return(stmts) -> bool:
    for s in stmts:
        if not isinstance(s, ast.Return) and _has([s], ast.Return, into_loops=True):
            return True
    return False


def _lower_returns(stmts) -> tuple:
    """(new statements, whether they definitely return)."""
    out = []
    for i, s in enumerate(stmts):
        rest = stmts[i + 1:]
        if isinstance(s, ast.Return):
            out.append(_copy_location(_assign("do_return", _const(True)), s))
            out.append(_copy_location(_assign("retval_", s.value if s.value is not None else _const(None)), s))
            return out, True
        if not _has([s], ast.Return, into_loops=True):
            out.append(s)
            continue
        if isinstance(s, ast.If):
            body, body_returns = _lower_returns(s.body)
            orelse, orelse_returns = _lower_returns(s.orelse)
            if body_returns and orelse_returns:
                s.body, s.orelse = body, orelse
                out.append(s)
                return out, True
            if body_returns:
                orelse, orelse_returns = _lower_returns(orelse + rest)
                s.body, s.orelse = body, orelse
                out.append(s)
                return out, orelse_returns
            if orelse_returns:
                body, body_returns = _lower_returns(body + rest)
                s.body, s.orelse = body or [ast.Pass()], orelse
                out.append(s)
                return out, body_returns
            s.body, s.orelse = body or [ast.Pass()], orelse
        elif isinstance(s, (ast.While, ast.For)):
            s.body = _lower_returns(s.body)[0] or [ast.Pass()]
            s._ag_extra = getattr(s, "_ag_extra", []) + ["do_return"]
        elif isinstance(s, (ast.With, ast.AsyncWith)):
            s.body, definitely = _lower_returns(s.body)
            if definitely:
                out.append(s)
                return out, True
        elif isinstance(s, ast.Try):
            s.body = _lower_returns(s.body)[0] or [ast.Pass()]
            for h in s.handlers:
                h.body = _lower_returns(h.body)[0] or [ast.Pass()]
            s.orelse = _lower_returns(s.orelse)[0]
            s.finalbody = _lower_returns(s.finalbody)[0]
        out.append(s)
        if rest:
            guarded, _ = _lower_returns(rest)
            out.append(_copy_location(ast.If(test=_not(_load("do_return")), body=guarded, orelse=[]), rest[0]))
        return out, False
    return out, False


def lower_returns(fdef) -> None:
    if not _nested_return(fdef.body):
        return
    body, _ = _lower_returns(fdef.body)
    first = fdef.body[0]
    fdef.body = ([_copy_location(_assign("do_return", _const(False)), first),
                  _copy_location(_assign("retval_", _call(_ag("UndefinedReturnValue"))), first)]
                 + body + [_copy_location(ast.Return(value=_call(_ag("retval"), [_load("retval_")])), body[-1])])


# ---- 2. liveness -------------------------------------------------------------------------------------

def _live_block(stmts, out: set) -> set:
    live = set(out)
    for s in reversed(stmts):
        live = _live_stmt(s, live)
    return live


def _live_stmt(s, out: set) -> set:
    if isinstance(s, ast.If):
        s._ag_live_out = set(out)
        return loads(s.test) | _live_block(s.body, out) | _live_block(s.orelse, out)
    if isinstance(s, ast.While):
        s._ag_live_out = set(out)
        test_uses = loads(s.test) | set(getattr(s, "_ag_extra", ()))
        head = set(out) | test_uses
        for _ in range(10):
            new = set(out) | test_uses | _live_block(s.body, head)
            if new == head:
                break
            head = new
        s._ag_head_live = head
        return head
    if isinstance(s, ast.For):
        s._ag_live_out = set(out)
        targets = _target_names(s.target)
        out = set(out) | set(getattr(s, "_ag_extra", ()))  # the extra test reads the flags
        head = set(out)
        for _ in range(10):
            body_in = _live_block(s.body, head)
            new = set(out) | (body_in - targets)
            if new == head:
                break
            head = new
        s._ag_head_live = set(out) | _live_block(s.body, head)
        return loads(s.iter) | head
    if isinstance(s, ast.Return):
        return loads(s.value)
    if isinstance(s, (ast.With, ast.AsyncWith)):
        return _live_block(s.body, out) | loads(s.items)
    if isinstance(s, ast.Try):
        everything = set(out) | loads(s)
        for block in [s.body, s.orelse, s.finalbody] + [h.body for h in s.handlers]:
            _live_block(block, everything)
        return everything
    if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return (set(out) - {s.name}) | loads(s)
    return (set(out) - assigned([s])) | loads(s)


# ---- 3. expressions ----------------------------------------------------------------------------------

class _Expressions(ast.NodeTransformer):
    def __init__(self, local_names: set, first_arg: Optional[str]):
        self.local_names = local_names
        self.first_arg = first_arg

    def visit_FunctionDef(self, node):
        return node  # converted separately, in its own scope

    visit_AsyncFunctionDef = visit_ClassDef = visit_FunctionDef

    def visit_Global(self, node):
        return node

    def visit_Name(self, node):
        if isinstance(node.ctx, ast.Load) and node.id in self.local_names and not node.id.startswith(_FLAG_PREFIXES):
            return ast.copy_location(_call(_ag("ld"), [node]), node)
        return node

    def visit_Call(self, node):
        func = node.func
        if isinstance(func, ast.Name) and func.id == "super" and not node.args and self.first_arg:
            node.args = [_load("__class__"), _load(self.first_arg)]  # zero-argument super, made explicit
            return node
        self.generic_visit(node)
        if isinstance(func, ast.Name) and func.id in _UNCONVERTED_CALLS:
            return node
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == AG:
            return node
        args = ast.Tuple(elts=list(node.args), ctx=ast.Load())
        if node.keywords:
            kwargs = ast.Dict(keys=[k.arg and _const(k.arg) for k in node.keywords],
                              values=[k.value for k in node.keywords])
        else:
            kwargs = _const(None)
        return ast.copy_location(_call(_ag("converted_call"), [node.func, args, kwargs]), node)

    def visit_BoolOp(self, node):
        self.generic_visit(node)
        op = "and_" if isinstance(node.op, ast.And) else "or_"
        values = node.values
        result = values[-1]
        for value in reversed(values[:-1]):
            result = _call(_ag(op), [_lambda(value), _lambda(result)])
        return ast.copy_location(result, node)

    def visit_UnaryOp(self, node):
        self.generic_visit(node)
        if isinstance(node.op, ast.Not):
            return ast.copy_location(_call(_ag("not_"), [node.operand]), node)
        return node

    def visit_IfExp(self, node):
        text = ast.unparse(node.test)
        self.generic_visit(node)
        return ast.copy_location(_call(_ag("if_exp"), [node.test, _lambda(node.body), _lambda(node.orelse),
                                                        _const(text)]), node)


# ---- 4. control flow ---------------------------------------------------------------------------------

class _Scope:
    def __init__(self, bound: set, possibly: set, globals_: set):
        self.bound = set(bound)
        self.possibly = set(possibly)
        self.globals_ = globals_


class _ControlFlow:
    def __init__(self, namer: Namer, always_live: set):
        self.namer = namer
        self.always_live = always_live

    # -- helpers
    def _init_undefined(self, names, scope: _Scope, where) -> list:
        out = []
        for n in names:
            if n in scope.bound or n in scope.globals_:
                continue
            if n in scope.possibly:
                value = _call(_ag("ldu"), [_call(_load("locals")), _const(n)])
            else:
                value = _call(_ag("Undefined"), [_const(n)])
            out.append(_copy_location(_assign(n, value), where))
        return out

    def _decl(self, names, scope: _Scope) -> list:
        out = []
        globals_ = [n for n in names if n in scope.globals_]
        nonlocals = [n for n in names if n not in scope.globals_]
        if globals_:
            out.append(ast.Global(names=globals_))
        if nonlocals:
            out.append(ast.Nonlocal(names=nonlocals))
        return out

    def _state_fns(self, names, scope: _Scope, where):
        get_name, set_name = self.namer.new("get_state"), self.namer.new("set_state")
        values = ast.Tuple(elts=[_load(n) for n in names], ctx=ast.Load())
        getter = _fdef(get_name, [], [ast.Return(value=values)])
        if names:
            target = ast.Tuple(elts=[_store(n) for n in names], ctx=ast.Store())
            setter = _fdef(set_name, ["vars_"], self._decl(names, scope)
                           + [ast.Assign(targets=[target], value=_load("vars_"))])
        else:
            setter = _fdef(set_name, ["vars_"], [ast.Pass()])
        return get_name, set_name, [_copy_location(getter, where), _copy_location(setter, where)]

    def _names_tuple(self, names):
        return ast.Tuple(elts=[_const(n) for n in names], ctx=ast.Load())

    def _extra_test(self, flags):
        tests = [_call(_ag("not_"), [_load(f)]) for f in flags]
        result = tests[-1]
        for t in reversed(tests[:-1]):
            result = _call(_ag("and_"), [_lambda(t), _lambda(result)])
        return result

    def _opts(self, node, extra: dict) -> ast.Dict:
        keys, values = [], []
        for k, v in extra.items():
            keys.append(_const(k))
            values.append(_const(v))
        for kw in getattr(node, "_ag_opts", []):
            keys.append(_const(kw.arg))
            values.append(kw.value)
        return ast.Dict(keys=keys, values=values)

    # -- blocks
    def block(self, stmts, scope: _Scope) -> list:
        out = []
        for s in stmts:
            if isinstance(s, ast.If):
                out.extend(self.if_stmt(s, scope))
            elif isinstance(s, ast.While):
                out.extend(self.while_stmt(s, scope))
            elif isinstance(s, ast.For):
                out.extend(self.for_stmt(s, scope))
            elif isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if isinstance(s, ast.FunctionDef) and not _is_generator(s):
                    convert_function(s, self.namer)
                out.append(s)
                scope.bound.add(s.name)
                scope.possibly.add(s.name)
            elif isinstance(s, (ast.With, ast.AsyncWith)):
                s.body = self.block(s.body, scope)
                out.append(s)
            elif isinstance(s, ast.Try):
                bound = set(scope.bound)
                s.body = self.block(s.body, scope)
                for h in s.handlers:
                    h.body = self.block(h.body, scope)
                s.orelse = self.block(s.orelse, scope)
                scope.bound = bound
                s.finalbody = self.block(s.finalbody, scope)
                scope.possibly |= assigned([s])
                out.append(s)
            else:
                out.append(s)
                names = assigned([s])
                scope.bound |= names
                scope.possibly |= names
        return out

    def if_stmt(self, node, scope: _Scope) -> list:
        modified = assigned(node.body + node.orelse)
        live = node._ag_live_out | self.always_live if hasattr(node, "_ag_live_out") else modified
        outs = sorted(n for n in modified if n in live)
        names = outs + sorted(n for n in modified if n not in live)
        pre = self._init_undefined(names, scope, node)
        get_name, set_name, state_fns = self._state_fns(names, scope, node)
        body_name, else_name = self.namer.new("if_body"), self.namer.new("else_body")
        inner = set(names)
        body = self.block(node.body, _Scope(inner, inner, scope.globals_))
        orelse = self.block(node.orelse, _Scope(inner, inner, scope.globals_))
        body_fn = _fdef(body_name, [], self._decl(names, scope) + (body or [ast.Pass()]))
        else_fn = _fdef(else_name, [], self._decl(names, scope) + (orelse or [ast.Pass()]))
        call = ast.Expr(value=_call(_ag("if_stmt"), [node.test, _load(body_name), _load(else_name), _load(get_name),
                                                      _load(set_name), self._names_tuple(names),
                                                      _const(len(outs))]))
        scope.bound |= set(names)
        scope.possibly |= set(names)
        return [_copy_location(s, node) for s in pre + state_fns + [body_fn, else_fn, call]]

    def _loop_vars(self, node, modified, extra=()):
        head = getattr(node, "_ag_head_live", modified) | self.always_live
        return sorted(n for n in modified if n in head) + sorted(extra)

    def while_stmt(self, node, scope: _Scope) -> list:
        modified = assigned(node.body)
        names = self._loop_vars(node, modified)
        pre = self._init_undefined(names, scope, node)
        get_name, set_name, state_fns = self._state_fns(names, scope, node)
        body_name, test_name = self.namer.new("loop_body"), self.namer.new("loop_test")
        body = self.block(node.body, _Scope(set(names), set(names), scope.globals_))
        body_fn = _fdef(body_name, [], self._decl(names, scope) + (body or [ast.Pass()]))
        test = node.test
        flags = getattr(node, "_ag_extra", [])
        if flags:
            test = _call(_ag("and_"), [_lambda(self._extra_test(flags)), _lambda(test)])
        test_fn = _fdef(test_name, [], [ast.Return(value=test)])
        call = ast.Expr(value=_call(_ag("while_stmt"), [_load(test_name), _load(body_name), _load(get_name),
                                                         _load(set_name), self._names_tuple(names),
                                                         self._opts(node, {})]))
        scope.bound |= set(names)
        scope.possibly |= set(names)
        return [_copy_location(s, node) for s in pre + state_fns + [body_fn, test_fn, call]]

    def for_stmt(self, node, scope: _Scope) -> list:
        modified = assigned(node.body)
        targets = _target_names(node.target)
        live_out = node._ag_live_out | self.always_live if hasattr(node, "_ag_live_out") else set()
        names = self._loop_vars(node, modified, [t for t in targets if t in live_out and t not in modified])
        pre = self._init_undefined(names, scope, node)
        get_name, set_name, state_fns = self._state_fns(names, scope, node)
        body_name = self.namer.new("loop_body")
        itr = self.namer.new("itr")
        inner = set(names) | targets
        body = self.block(node.body, _Scope(inner, inner, scope.globals_))
        target_assign = ast.Assign(targets=[node.target], value=_load(itr))
        body_fn = _fdef(body_name, [itr], self._decl(names, scope) + [target_assign] + body)
        fns = [body_fn]
        extra = _const(None)
        flags = getattr(node, "_ag_extra", [])
        if flags:
            extra_name = self.namer.new("extra_test")
            fns.append(_fdef(extra_name, [], [ast.Return(value=self._extra_test(flags))]))
            extra = _load(extra_name)
        iterate_names = ", ".join(sorted(targets)) if not isinstance(node.target, ast.Name) else node.target.id
        call = ast.Expr(value=_call(_ag("for_stmt"), [node.iter, extra, _load(body_name), _load(get_name),
                                                       _load(set_name), self._names_tuple(names),
                                                       self._opts(node, {"iterate_names": iterate_names})]))
        scope.bound |= set(names)
        scope.possibly |= set(names)
        return [_copy_location(s, node) for s in pre + state_fns + fns + [call]]


def _is_generator(fdef) -> bool:
    for n in _scope_walk(fdef, enter_root=True):
        if isinstance(n, (ast.Yield, ast.YieldFrom, ast.Await)):
            return True
    return False


def _params(fdef) -> list:
    a = fdef.args
    names = [x.arg for x in a.posonlyargs + a.args + a.kwonlyargs]
    if a.vararg:
        names.append(a.vararg.arg)
    if a.kwarg:
        names.append(a.kwarg.arg)
    return names


def convert_function(fdef: ast.FunctionDef, namer: Namer) -> ast.FunctionDef:
    """Converts `fdef` (and the functions nested in it) in place."""
    fdef.body = lower_loops(fdef.body, namer)
    lower_returns(fdef)
    always_live = nested_scope_loads(fdef.body)
    _live_block(fdef.body, set())
    params = _params(fdef)
    globals_ = declared(fdef.body, ast.Global)
    nonlocals = declared(fdef.body, ast.Nonlocal)
    local_names = (set(params) | assigned(fdef.body)) - globals_ - nonlocals
    first_arg = params[0] if params and (fdef.args.posonlyargs or fdef.args.args) else None
    expressions = _Expressions(local_names, first_arg)
    fdef.body = [expressions.visit(s) for s in fdef.body]
    scope = _Scope(set(params) | globals_ | nonlocals, set(params), globals_)
    fdef.body = _ControlFlow(namer, always_live).block(fdef.body, scope)
    return fdef
