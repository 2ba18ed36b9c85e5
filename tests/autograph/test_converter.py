"""Unit tests of the AutoGraph converter: generated code, Python semantics of converted code on Python
values (no TF control flow needed), recursion rules, caching and the public helpers."""

import ast
import functools
import logging

import numpy as np
import pytest

import tensorweave as tf
from tensorweave._src.autograph import api, conversion, operators

# ---- sample functions (module level, so their source is available) ------------------------------------

_G = 0


def f_if(x):
    if x > 0:
        y = x * 2
    elif x < -10:
        y = 0
    else:
        y = -x
    return y


def f_while_break(n):
    i = 0
    s = 0
    while i < n:
        i += 1
        if i % 2 == 0:
            continue
        if i > 7:
            break
        s += i
    else:
        s = -1
    return s, i


def f_for_else(items):
    found = None
    for k, v in items:
        if v == 3:
            found = k
            break
    else:
        found = "none"
    return found


def f_return_in_loops(n):
    for i in range(n):
        for j in range(n):
            if i * j == 6:
                return i, j
    return None


def f_return_in_while(n):
    i = 0
    while True:
        if i >= n:
            return i * 10
        i += 1


def f_logic(a, b):
    return (a and b, a or b, not a, a if b else b, [x for x in range(4) if x and x % 2])


def f_short_circuit(items):
    return bool(items) and items[0] > 0


def f_try_with(x):
    import contextlib

    with contextlib.nullcontext():
        try:
            if x == 0:
                raise ZeroDivisionError("zero")
            y = 10 // x
        except ZeroDivisionError:
            y = -1
        finally:
            z = 1
    return y + z


def f_global():
    global _G
    for _ in range(3):
        if _G < 100:
            _G += 1
    return _G


def make_counter():
    count = 0

    def inc(n):
        nonlocal count
        for _ in range(n):
            if count < 5:
                count += 1
        return count

    return inc


def f_defaults(x, k=2, *args, bias=1, **kwargs):
    if kwargs:
        x = x + sum(kwargs.values())
    for a in args:
        x = x + a
    return x * k + bias


def f_helper(x):
    if x > 2:
        return x - 2
    return x


def f_calls_helper(x):
    return f_helper(x) + f_helper(x + 5)


def f_recursive(n):
    if n <= 1:
        return 1
    return n * f_recursive(n - 1)


def f_inner_def(x):
    def clip(v, hi=5):
        if v > hi:
            v = hi
        return v

    return [clip(v) for v in x]


def f_nested_loops_flags(n):
    out = []
    for i in range(n):
        j = 0
        while True:
            j += 1
            if j > i:
                break
            if (i + j) % 2:
                continue
            out.append((i, j))
    return out


def f_undefined(flag):
    if flag:
        y = 1
    return y


def f_loop_var_after(n):
    for i in range(n):
        pass
    return i


def f_loop_options(n):
    s = 0
    while s < n:
        tf.autograph.experimental.set_loop_options(maximum_iterations=100)
        s += 1
    return s


def f_generator(n):
    for i in range(n):
        yield i


def f_print(x):
    print("value", x)
    return x


class Base:
    def scale(self, x):
        return x * 2


class Derived(Base):
    def scale(self, x):
        if x > 0:
            return super().scale(x) + 1
        return 0

    def __call__(self, x):
        return self.scale(x) * 10


def _decorator(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return fn(*args, **kwargs) + 1000

    return wrapper


@_decorator
def f_decorated(x):
    if x > 0:
        return x
    return -x


_SAMPLES = [
    (f_if, [(5,), (-3,), (-20,)]),
    (f_while_break, [(0,), (3,), (20,)]),
    (f_for_else, [([("a", 1), ("b", 3)],), ([("a", 1)],)]),
    (f_return_in_loops, [(2,), (5,)]),
    (f_return_in_while, [(0,), (4,)]),
    (f_logic, [(0, 1), (2, 0), (3, 4), ("", "x")]),
    (f_short_circuit, [([],), ([1],), ([-1],)]),
    (f_try_with, [(0,), (3,)]),
    (f_defaults, [(1,), (1, 3, 4, 5), (1, 2, 3)]),
    (f_calls_helper, [(0,), (4,)]),
    (f_recursive, [(1,), (6,)]),
    (f_inner_def, [([1, 7, 3],)]),
    (f_nested_loops_flags, [(5,)]),
    (f_loop_var_after, [(3,)]),
    (f_loop_options, [(5,)]),
]


@pytest.mark.parametrize("fn,arg_sets", _SAMPLES, ids=[s[0].__name__ for s in _SAMPLES])
def test_python_semantics_preserved(fn, arg_sets):
    converted = tf.autograph.to_graph(fn)
    assert converted is not fn
    for args in arg_sets:
        assert converted(*args) == fn(*args)


def test_kwargs_and_defaults():
    g = tf.autograph.to_graph(f_defaults)
    assert g(1, 2, 3, bias=0, extra=7) == f_defaults(1, 2, 3, bias=0, extra=7)
    assert g(2, bias=5) == f_defaults(2, bias=5)


def test_global_and_nonlocal_writes_reach_the_originals():
    global _G
    _G = 98
    assert tf.autograph.to_graph(f_global)() == 100
    assert _G == 100
    inc = make_counter()
    g = tf.autograph.to_graph(inc)
    assert g(3) == 3
    assert inc(1) == 4  # the same closure cell
    assert g(10) == 5


def test_undefined_variable_read_raises_unbound_local():
    g = tf.autograph.to_graph(f_undefined)
    assert g(True) == 1
    with pytest.raises(UnboundLocalError, match="'y' is used before assignment"):
        g(False)


def test_methods_super_and_callable_objects():
    d = Derived()
    assert api.convert(d.scale)(3) == 7
    assert api.convert(d.scale)(-3) == 0
    assert conversion.converted_target(d)(1) == 30
    assert tf.autograph.to_graph(Derived.scale)(d, 2) == 5


def test_decorated_function_keeps_decorator_behaviour():
    assert api.convert(f_decorated)(-4) == 1004


def test_generators_are_not_converted():
    assert api.convert(f_generator) is f_generator
    assert list(conversion.converted_target(f_generator)(3)) == [0, 1, 2]


def test_print_stays_python_print(capsys):
    tf.autograph.to_graph(f_print)(3)
    assert capsys.readouterr().out == "value 3\n"
    assert "print(ag__.ld(x))" in tf.autograph.to_code(f_print).replace("'value', ", "")


# ---- generated code -------------------------------------------------------------------------------

def test_to_code_if():
    code = tf.autograph.to_code(f_if)
    assert code.startswith("def tf__f_if(x):")
    assert "ag__.if_stmt(ag__.ld(x) > 0, if_body, else_body, get_state, set_state, ('y',), 1)" in code
    assert "nonlocal y" in code
    ast.parse(code)


def test_to_code_loops_and_jumps():
    code = tf.autograph.to_code(f_while_break)
    assert "ag__.while_stmt(" in code
    assert "break_ = True" in code and "continue_ = True" in code
    assert "ag__.not_(break_)" in code
    code = tf.autograph.to_code(f_for_else)
    assert "ag__.for_stmt(" in code and "'iterate_names': 'k, v'" in code
    assert "extra_test" in code


def test_to_code_return_lowering():
    code = tf.autograph.to_code(f_return_in_while)
    assert "do_return = False" in code and "retval_ = ag__.UndefinedReturnValue()" in code
    assert "return ag__.retval(retval_)" in code


def test_to_code_expressions():
    code = tf.autograph.to_code(f_logic)
    assert "ag__.and_(lambda: ag__.ld(a), lambda: ag__.ld(b))" in code
    assert "ag__.or_(" in code and "ag__.not_(ag__.ld(a))" in code
    assert "ag__.if_exp(ag__.ld(b), lambda: ag__.ld(a), lambda: ag__.ld(b), 'b')" in code


def test_to_code_calls():
    code = tf.autograph.to_code(f_calls_helper)
    assert "ag__.converted_call(f_helper, (ag__.ld(x),), None)" in code


def test_loop_options_directive_is_lifted():
    code = tf.autograph.to_code(f_loop_options)
    assert "set_loop_options" not in code
    assert "{'maximum_iterations': 100}" in code


def test_to_code_accepts_tf_function():
    f = tf.function(f_if)
    assert tf.autograph.to_code(f) == tf.autograph.to_code(f_if)


def test_branch_local_is_not_an_output():
    def g(x):
        if x > 0:
            tmp = x * 3
            y = tmp + 1
        else:
            y = x
        return y

    code = tf.autograph.to_code(g)
    assert "('y', 'tmp'), 1)" in code


# ---- recursion rules, caching, warnings -------------------------------------------------------------

def test_conversion_is_cached():
    assert api.convert(f_if) is api.convert(f_if)
    a, b = make_counter(), make_counter()
    ca, cb = api.convert(a), api.convert(b)
    assert ca.__code__ is cb.__code__  # one conversion per code object
    assert ca(2) == 2 and cb(1) == 1  # each keeps its own closure


def test_library_functions_are_not_converted():
    assert conversion.converted_target(np.sum) is np.sum
    assert conversion.converted_target(tf.reduce_sum) is tf.reduce_sum
    assert conversion.converted_target(functools.reduce) is functools.reduce
    assert conversion.converted_target(ast.parse) is ast.parse
    assert conversion.converted_target(len) is len
    assert conversion.converted_target(dict) is dict


def test_converted_functions_are_not_reconverted():
    g = api.convert(f_if)
    assert conversion.converted_target(g) is g


def test_partial_is_converted():
    p = functools.partial(f_defaults, k=3)
    target = conversion.converted_target(p)
    assert isinstance(target, functools.partial) and target.func is not f_defaults
    assert target(2) == f_defaults(2, k=3)


def test_no_source_warns_and_runs_unconverted(caplog):
    namespace = {}
    exec(compile("def nosrc(x):\n    if x:\n        return 1\n    return 2\n", "<nowhere>", "exec"), namespace)
    fn = namespace["nosrc"]
    with caplog.at_level(logging.WARNING, logger="tensorweave"):
        assert api.convert(fn) is fn
    assert "AutoGraph could not transform" in caplog.text
    assert "will run it as-is" in caplog.text


def test_source_registered_in_linecache_is_converted():
    src = "def from_cache(x):\n    if x:\n        y = 1\n    else:\n        y = 2\n    return y\n"
    conversion.register_source("<autograph_test_cache>", src)
    namespace = {}
    exec(compile(src, "<autograph_test_cache>", "exec"), namespace)
    fn = namespace["from_cache"]
    assert api.convert(fn) is not fn
    assert api.convert(fn)(0) == 2


def test_lambda_conversion():
    lam = lambda x: x * 2 if x > 0 else -x  # noqa: E731
    converted = api.convert(lam)
    assert converted is not lam
    assert converted(3) == 6 and converted(-3) == 3
    assert "ag__.if_exp" in tf.autograph.to_code(lam)


def test_do_not_convert():
    @tf.autograph.experimental.do_not_convert
    def g(x):
        if x > 0:
            return x
        return -x

    assert api.convert(g) is g
    assert conversion.converted_target(g) is g
    assert g(-2) == 2


def test_to_graph_rejects_unconvertible():
    namespace = {}
    exec(compile("def nosrc2(x):\n    return x\n", "<nowhere2>", "exec"), namespace)
    with pytest.raises(ValueError):
        tf.autograph.to_graph(namespace["nosrc2"])


def test_set_verbosity_and_trace(capsys):
    tf.autograph.set_verbosity(3)
    tf.autograph.set_verbosity(0)
    tf.autograph.trace("a", 1)
    assert capsys.readouterr().out == "a 1\n"


# ---- runtime operators on Python and eager values ---------------------------------------------------

def test_eager_tensor_conditions_take_python_paths():
    g = tf.autograph.to_graph(f_if)
    assert int(g(tf.constant(5))) == 10
    assert int(g(tf.constant(-3))) == 3
    w = tf.autograph.to_graph(f_while_break)
    s, i = w(tf.constant(20))
    assert (int(s), int(i)) == f_while_break(20)


def test_for_over_object_with_autograph_hook():
    calls = []

    class FakeDataset:
        def __init__(self, items):
            self.items = items

        def _autograph_for(self, extra_test, body, get_state, set_state, symbol_names, opts):
            calls.append(symbol_names)
            for item in self.items:
                if extra_test is not None and not extra_test():
                    break
                body(item)

        def __iter__(self):
            raise AssertionError("the hook must be used")

    def total(ds):
        s = 0
        for x in ds:
            if x > 10:
                break
            s += x
        return s

    assert tf.autograph.to_graph(total)(FakeDataset([1, 2, 3, 20, 4])) == 6
    assert calls and "s" in calls[0]


def test_for_over_plain_iterable_object():
    class Items:
        def __iter__(self):
            return iter([1, 2, 3])

    def total(ds):
        s = 0
        for x in ds:
            s += x
        return s

    assert tf.autograph.to_graph(total)(Items()) == 6


def test_operators_on_python_values():
    assert operators.and_(lambda: 0, lambda: 1 / 0) == 0
    assert operators.or_(lambda: 5, lambda: 1 / 0) == 5
    assert operators.not_(0) is True
    assert operators.if_exp(False, lambda: 1 / 0, lambda: 7, "c") == 7
    assert operators.retval(operators.UndefinedReturnValue()) is None
    assert repr(operators.Undefined("q")) == "q"


def test_py_while_error_when_condition_becomes_tensor():
    def body():
        pass

    with pytest.raises(NotImplementedError, match="started as non-Tensor, then changed to"):
        from tensorweave._src.graph.symbolic import SymbolicTensor

        class Fake(SymbolicTensor):
            def __init__(self):
                pass

        results = iter([True, Fake()])
        operators.while_stmt(lambda: next(results), body, lambda: (), lambda v: None, (), {})
