"""AutoGraph's runtime operators: the `ag__` module that converted code calls.

Each operator dispatches on its arguments: Python values keep Python semantics (an `if` on a Python
bool runs one branch, a `while` on a Python condition is unrolled), tensors being traced stage TF
control flow (`tf.cond`, `tf.while_loop`). The functional forms follow TF's AutoGraph:

    if_stmt(cond, body, orelse, get_state, set_state, symbol_names, nouts)
    while_stmt(test, body, get_state, set_state, symbol_names, opts)
    for_stmt(iter_, extra_test, body, get_state, set_state, symbol_names, opts)

`body`/`orelse` take no arguments (the for body takes the iterate) and communicate through the state:
`get_state()` returns the values of `symbol_names`, `set_state(values)` writes them back (the
converted code binds them with `nonlocal`).

The control-flow ops are looked up lazily by their public names (`tf.cond`, `tf.while_loop`), so this
module does not depend on where they are implemented.
"""

from __future__ import annotations

import functools
import logging

import numpy as np

from tensorweave._src.api_export import EXPORTS
from tensorweave._src.core import errors
from tensorweave._src.core.context import state
from tensorweave._src.core.shape import TensorShape
from tensorweave._src.core.tensor import Tensor
from tensorweave._src.graph.symbolic import SymbolicTensor
from tensorweave._src.util import nest

_logger = logging.getLogger("tensorweave")

LEGAL_LOOP_TYPES = "Tensor, int, float, bool or a list, tuple or dict thereof"


def _tf(name: str):
    """The public op `tf.<name>` (looked up at call time)."""
    try:
        return EXPORTS[name]
    except KeyError:
        raise NotImplementedError(f"AutoGraph needs tf.{name}, which is not available yet") from None


# ---- undefined symbols ------------------------------------------------------------------------------

class Undefined:
    """The value of a symbol that is not defined yet (so that it can be passed through the state)."""

    __slots__ = ("symbol_name",)

    def __init__(self, symbol_name):
        self.symbol_name = symbol_name

    def read(self):
        raise UnboundLocalError(f"'{self.symbol_name}' is used before assignment")

    def __repr__(self):
        return self.symbol_name

    def __getattribute__(self, name):
        try:
            return object.__getattribute__(self, name)
        except AttributeError:
            return self

    def __getitem__(self, i):
        return self


class UndefinedReturnValue:
    """The return value of a function that has not executed a return statement yet."""


def ld(v):
    """Load of a local variable: reading an undefined one raises UnboundLocalError."""
    if isinstance(v, Undefined):
        return v.read()
    return v


def ldu(local_values: dict, name: str):
    """The current value of local `name`, or Undefined when it is unbound (`locals()` is passed)."""
    return local_values[name] if name in local_values else Undefined(name)


def retval(value):
    """The function's return value (None when no return statement ran)."""
    if isinstance(value, (Undefined, UndefinedReturnValue)):
        return None
    return value


def _is_none_or_undef(value) -> bool:
    return value is None or isinstance(value, (Undefined, UndefinedReturnValue))


def _is_symbolic(x) -> bool:
    return isinstance(x, SymbolicTensor)


def _is_tensor(x) -> bool:
    return isinstance(x, Tensor)


def _to_tensor(x):
    return _tf("convert_to_tensor")(x)


def _python_to_tensors(values):
    """Python numbers/bools in a state become tensors (TF converts them when staging control flow)."""
    def conv(v):
        if isinstance(v, (bool, int, float, np.ndarray, np.generic)):
            return _to_tensor(v)
        return v
    return nest.map_structure(conv, values)


# ---- logical and conditional expressions ------------------------------------------------------------

def not_(a):
    if _is_tensor(a):
        return _tf("logical_not")(a)
    return not a


def and_(a, b):
    """`a and b` with lazy `b`: a tensor `a` stages tf.cond(a, b, lambda: a)."""
    a_val = a()
    if _is_symbolic(a_val):
        return _tf("cond")(a_val, b, lambda: a_val)
    if _is_tensor(a_val):
        return b() if bool(a_val) else a_val
    return a_val and b()


def or_(a, b):
    """`a or b` with lazy `b`: a tensor `a` stages tf.cond(a, lambda: a, b)."""
    a_val = a()
    if _is_symbolic(a_val):
        return _tf("cond")(a_val, lambda: a_val, b)
    if _is_tensor(a_val):
        return a_val if bool(a_val) else b()
    return a_val or b()


def eq(a, b):
    return a == b


def not_eq(a, b):
    return a != b


def if_exp(cond, if_true, if_false, expr_repr):
    """`if_true() if cond else if_false()`; a symbolic `cond` stages tf.cond."""
    if not _is_symbolic(cond):
        return if_true() if cond else if_false()
    cond = _verify_tf_condition(cond, "if expression")
    true_val, false_val = [], []

    def true_fn():
        true_val.append(if_true())
        if false_val:
            verify_single_cond_var(expr_repr, true_val[0], false_val[0])
        return true_val[0]

    def false_fn():
        false_val.append(if_false())
        if true_val:
            verify_single_cond_var(expr_repr, true_val[0], false_val[0])
        return false_val[0]

    return _tf("cond")(cond, true_fn, false_fn)


# ---- verification (TF's messages) -------------------------------------------------------------------

def _verify_tf_condition(cond, tag):
    extra_hint = "to check for None, use `is not None`"
    cond = _to_tensor(cond)
    if cond.dtype.name != "bool":
        raise ValueError(f"condition of {tag} expected to be `tf.bool` scalar, got {cond}; to use as boolean "
                         f"Tensor, use `tf.cast`; {extra_hint}")
    if cond.shape.rank is None:
        cond = _tf("reshape")(cond, ())
    elif cond.shape.rank > 0:
        known = [d for d in cond.shape.as_list() if d is not None]
        if np.prod(known) > 1:
            raise ValueError(f"condition of {tag} expected to be `tf.bool` scalar, got {cond}; {extra_hint}")
        cond = _tf("reshape")(cond, ())
    return cond


def verify_single_cond_var(name, body_var, orelse_var):
    if body_var is None:
        raise ValueError(f"'{name}' is None at the end of the main branch.")
    if orelse_var is None:
        raise ValueError(f"'{name}' is None at the end of the else branch.")
    if isinstance(body_var, (bool, int, float, str, np.ndarray)):
        body_var = _to_tensor(body_var)
    if isinstance(orelse_var, (bool, int, float, str, np.ndarray)):
        orelse_var = _to_tensor(orelse_var)
    if not _is_tensor(body_var) or not _is_tensor(orelse_var):
        return
    if body_var.dtype != orelse_var.dtype:
        raise TypeError(f"'{name}' has dtype {body_var.dtype.name} in the main branch, but dtype "
                        f"{orelse_var.dtype.name} in the else branch")


def _verify_tf_cond_branch_vars(vars_, symbol_names, branch_name):
    for name, var in zip(symbol_names, vars_):
        if isinstance(var, Undefined):
            raise ValueError(f"'{name}' must also be initialized in the {branch_name} branch")
        if isinstance(var, UndefinedReturnValue):
            raise ValueError(f"the {branch_name} branch must also have a return statement.")


def _values_as_tensors(x):
    from tensorweave._src.core.variable import Variable
    return nest.map_structure(lambda v: v.value() if isinstance(v, Variable) else v, x)


def _verify_tf_cond_vars(body_vars, orelse_vars, symbol_names):
    for name, body_var, orelse_var in zip(symbol_names, body_vars, orelse_vars):
        try:
            nest.assert_same_structure(body_var, orelse_var)
        except (ValueError, TypeError):
            try:
                nest.assert_same_structure(_values_as_tensors(body_var), _values_as_tensors(orelse_var))
            except (ValueError, TypeError) as e:
                raise TypeError(f"'{name}' must have the same nested structure in the main and else "
                                f"branches:\n\n{e}") from e
        nest.map_structure(functools.partial(verify_single_cond_var, name), body_var, orelse_var)


def _is_subshape(left: TensorShape, right: TensorShape) -> bool:
    """True if `left` is at least as specific as `right`."""
    if right.rank is None:
        return True
    if left.rank != right.rank:
        return False
    return all(r is None or l == r for l, r in zip(left.as_list(), right.as_list()))


def _verify_single_loop_var(name, check_shape, init, entry, exit_, shape_invariant):
    if exit_ is None:
        raise ValueError(f"'{name}' is None at the end of the iteration.")
    if isinstance(init, (bool, int, float, str, np.ndarray)):
        init = _to_tensor(init)
    if isinstance(entry, (bool, int, float, str, np.ndarray)):
        entry = _to_tensor(entry)
    if isinstance(exit_, (bool, int, float, str, np.ndarray)):
        exit_ = _to_tensor(exit_)
    if not _is_tensor(entry) or not _is_tensor(exit_):
        return
    if entry.dtype != exit_.dtype:
        raise TypeError(f"'{name}' has dtype {entry.dtype.name} before the loop, but dtype {exit_.dtype.name} "
                        f"after one iteration")
    if check_shape:
        exit_shape = exit_.shape
        if shape_invariant is None:
            if not _is_subshape(exit_shape, entry.shape):
                raise ValueError(f"'{name}' has shape {entry.shape} before the loop, but shape {exit_shape} "
                                 f"after one iteration. Use tf.autograph.experimental.set_loop_options to set "
                                 f"shape invariants.")
        else:
            shape_invariant = TensorShape(shape_invariant)
            if _is_tensor(init) and not _is_subshape(init.shape, shape_invariant):
                raise ValueError(f"'{name}' has shape {init.shape} before the loop, which does not conform with "
                                 f"the shape invariant {shape_invariant}.")
            if not _is_subshape(exit_shape, shape_invariant):
                raise ValueError(f"'{name}' has shape {exit_shape} after one iteration, which does not conform "
                                 f"with the shape invariant {shape_invariant}.")


def verify_tf_loop_vars(init_vars, entry_vars, exit_vars, symbol_names, shape_invariants):
    for name, init, entry, exit_, invariant in zip(symbol_names, init_vars, entry_vars, exit_vars,
                                                    shape_invariants):
        for a, b in ((init, entry), (entry, exit_)):
            try:
                nest.assert_same_structure(a, b)
            except (ValueError, TypeError):
                try:
                    nest.assert_same_structure(_values_as_tensors(a), _values_as_tensors(b))
                except (ValueError, TypeError) as e:
                    raise TypeError(f"'{name}' does not have the same nested structure after one iteration."
                                    f"\n\n{e}") from e
        if invariant is not None and nest.is_nested(init):
            try:
                nest.assert_same_structure(init, invariant)
            except (ValueError, TypeError) as e:
                raise TypeError(f"'{name}' does not have the same nested structure as its corresponding shape "
                                f"invariant.\n\n{e}") from e
        flat_inv = nest.flatten(invariant) if nest.is_nested(init) else [invariant]
        if invariant is None:
            flat_inv = [None] * len(nest.flatten(init))
        for i, e, x, inv in zip(nest.flatten(init), nest.flatten(entry), nest.flatten(exit_), flat_inv):
            _verify_single_loop_var(name, True, i, e, x, inv)


def verify_loop_init_vars(init_vars, symbol_names, first_iter_vars=None, extra_message=None):
    if first_iter_vars is None:
        first_iter_vars = (None,) * len(symbol_names)
    for name, val, fi_val in zip(symbol_names, init_vars, first_iter_vars):
        if isinstance(val, UndefinedReturnValue):
            if fi_val:
                raise ValueError(f"the return value from a TensorFlow loop may only be a {LEGAL_LOOP_TYPES}; "
                                 f"got {type(fi_val)}")
            raise NotImplementedError("a return statement cannot be placed inside this TensorFlow loop; this "
                                      "may happen if a return statement depends on a static Python condition "
                                      "such as a hyperparameter")
        error_msg = None
        if val is None:
            error_msg = f"'{name}' is not allowed to be None before the loop"
        elif isinstance(val, Undefined):
            error_msg = f"'{name}' must be defined before the loop"
            if extra_message:
                error_msg += "\n" + extra_message
        if error_msg is not None:
            raise ValueError(error_msg)


# ---- if -----------------------------------------------------------------------------------------------

def if_stmt(cond, body, orelse, get_state, set_state, symbol_names, nouts):
    """An `if` statement; the first `nouts` symbols are the outputs of a staged tf.cond."""
    if _is_symbolic(cond):
        _tf_if_stmt(cond, body, orelse, get_state, set_state, symbol_names, nouts)
    elif cond:
        body()
    else:
        orelse()


def _tf_if_stmt(cond, body, orelse, get_state, set_state, symbol_names, nouts):
    cond = _verify_tf_condition(cond, "if statement")
    init_vars = get_state()
    results = {}

    def branch(fn, name):
        def staged():
            set_state(init_vars)
            fn()
            new_vars = tuple(get_state()[:nouts])
            results[name] = new_vars
            _verify_tf_cond_branch_vars(new_vars, symbol_names, name)
            other = results.get("else" if name == "main" else "main")
            if other is not None:
                pair = (new_vars, other) if name == "main" else (other, new_vars)
                _verify_tf_cond_vars(pair[0], pair[1], symbol_names)
            return _python_to_tensors(new_vars)
        return staged

    if nouts:
        outs = _tf("cond")(cond, branch(body, "main"), branch(orelse, "else"))
        outs = tuple(outs) if isinstance(outs, (list, tuple)) else (outs,)
    else:  # no outputs: the branches still run for their side effects
        def wrap(fn, name):
            staged = branch(fn, name)
            return lambda: (staged(), 0)[1]
        _tf("cond")(cond, wrap(body, "main"), wrap(orelse, "else"))
        outs = ()
    set_state(tuple(outs) + tuple(init_vars[nouts:]))


# ---- while --------------------------------------------------------------------------------------------

def while_stmt(test, body, get_state, set_state, symbol_names, opts):
    """A `while` loop: a tensor condition stages tf.while_loop; a Python one runs (unrolls) in Python."""
    init_test = _scratch_call(test)
    if _is_symbolic(init_test):
        _tf_while_stmt(test, body, get_state, set_state, symbol_names, opts)
        return
    if not init_test:
        return
    body()
    _py_while_stmt(test, body)


def _scratch_call(fn):
    """Calls `fn` in a throwaway graph when tracing (so that a probe leaves no ops behind)."""
    if state.tracer is None:
        return fn()
    from tensorweave._src.graph.ir import Graph
    from tensorweave._src.graph.tracer import Tracer

    saved = state.tracer
    state.tracer = Tracer(Graph("tmp"), outer=saved)
    try:
        result = fn()
    finally:
        state.tracer = saved
    return result  # a symbolic result is only used for its kind


_CHANGED_TO_TENSOR = (
    "The condition of while loop started as non-Tensor, then changed to Tensor. This may happen either "
    "because variables changed type, or when a break or return statement inside the loop depends on a "
    "Tensor condition. In both cases, changing to a TF loop should remove the error.\nSee "
    "https://github.com/tensorflow/tensorflow/blob/master/tensorflow/python/autograph/g3doc/reference/"
    "limitations.md#consistency-of-control-flow-types for more info.")


def _py_while_stmt(test, body):
    def guarded_test():
        result = test()
        try:
            return bool(result)
        except errors.OperatorNotAllowedInGraphError as e:
            raise NotImplementedError(_CHANGED_TO_TENSOR) from e

    while guarded_test():
        body()


def _shape_invariants_for(opts, init_vars):
    """Shape invariants by position (None where the user gave none), matched by identity."""
    mapping = {id(k): (k, v) for k, v in opts.get("shape_invariants", ())}
    result = []
    for v in init_vars:
        key, inv = mapping.get(id(v), (None, None))
        result.append(inv if key is v else None)
    return result


def _placeholder_value(like, invariant, original):
    """A zero value shaped like the first iteration's `like` for a variable undefined before the loop."""
    if like is None or isinstance(like, (Undefined, UndefinedReturnValue)):
        return original, None
    if isinstance(like, (bool, int, float)):
        return type(like)(0), None
    if _is_tensor(like):
        like_shape = TensorShape(invariant) if invariant is not None else like.shape
        if like_shape.rank is None:
            return _tf("zeros")((), like.dtype), like_shape
        dims, dynamic = [], False
        for s, i in zip(like.shape.as_list(), like_shape.as_list()):
            if s is None:
                dims.append(0 if i is None else i)
                dynamic = True
            else:
                dims.append(s)
        return _tf("zeros")(dims, like.dtype), (like_shape if dynamic else None)
    if isinstance(like, (list, tuple, dict)):
        flat = nest.flatten(like)
        invs = nest.flatten(invariant) if invariant is not None else [None] * len(flat)
        pairs = [_placeholder_value(v, i, None) for v, i in zip(flat, invs)]
        return (nest.pack_sequence_as(like, [p[0] for p in pairs]),
                nest.pack_sequence_as(like, [p[1] for p in pairs]))
    raise TypeError(f"Found an unsupported type '{type(like).__name__}' while creating placeholder for {like}. "
                    f"Supported types include Tensor, int, float, bool, list, tuple or dict.")


def _try_handling_undefineds(body, get_state, set_state, init_vars, nulls, invariants, symbol_names):
    """Stages one iteration in a scratch graph to give variables first defined in the loop a zero value
    of the right dtype and shape (as TF does)."""
    from tensorweave._src.graph.ir import Graph
    from tensorweave._src.graph.tracer import Tracer

    first_iter_vars = None
    failure_message = None
    new_init, extra_invariants = init_vars, (None,) * len(init_vars)
    saved = state.tracer
    state.tracer = Tracer(Graph("tmp"), outer=saved)
    modified = False
    try:
        def autocast(v):
            if isinstance(v, (int, float, bool, np.ndarray, np.generic)):
                t = _to_tensor(v)
                return state.tracer.placeholder(t.dtype, t.shape)
            return v
        set_state(tuple(nest.map_structure(autocast, v) if nest.is_nested(v) else autocast(v)
                        for v in init_vars))
        modified = True
        body()
        first_iter_vars = get_state()
    except (UnboundLocalError, TypeError, ValueError, KeyError) as e:
        failure_message = (f"Note: AutoGraph tried to define it automatically, but ran into a "
                           f"{type(e).__name__}: {e}")
    finally:
        state.tracer = saved
        if modified:
            set_state(init_vars)
    if first_iter_vars is not None:
        pairs = [(_placeholder_value(fv, inv, v) if n else (v, None))
                 for v, n, fv, inv in zip(init_vars, nulls, first_iter_vars, invariants)]
        new_init = tuple(p[0] for p in pairs)
        extra_invariants = tuple(p[1] for p in pairs)
    verify_loop_init_vars(new_init, symbol_names, first_iter_vars, extra_message=failure_message)
    return new_init, extra_invariants


def _tf_while_stmt(test, body, get_state, set_state, symbol_names, opts):
    init_vars = tuple(get_state())
    invariants = _shape_invariants_for(opts, init_vars)
    nulls = tuple(_is_none_or_undef(v) for v in init_vars)
    if any(nulls):
        init_vars, extra = _try_handling_undefineds(body, get_state, set_state, init_vars, nulls, invariants,
                                                    symbol_names)
        invariants = [i if i is not None else e for i, e in zip(invariants, extra)]
    else:
        verify_loop_init_vars(init_vars, symbol_names)
    init_vars = _python_to_tensors(init_vars)

    def aug_test(*loop_vars):
        set_state(loop_vars)
        return _verify_tf_condition(test(), "while loop")

    def aug_body(*loop_vars):
        set_state(loop_vars)
        body()
        new_vars = tuple(get_state())
        verify_tf_loop_vars(init_vars, loop_vars, new_vars, symbol_names, invariants)
        return _python_to_tensors(new_vars)

    kwargs = {}
    for key in ("maximum_iterations", "parallel_iterations", "swap_memory"):
        if opts.get(key) is not None:
            kwargs[key] = opts[key]
    if any(i is not None for i in invariants):
        kwargs["shape_invariants"] = tuple(
            i if i is not None else nest.map_structure(lambda t: getattr(t, "shape", None), v)
            for v, i in zip(init_vars, invariants))
    final = _tf("while_loop")(aug_test, aug_body, tuple(init_vars), **kwargs)
    if len(init_vars) == 1 and not (isinstance(final, (tuple, list)) and len(final) == 1):
        final = (final,)
    set_state(tuple(final))


# ---- for ----------------------------------------------------------------------------------------------

_BREAK_IN_PY_LOOP = (
    "break and return statements which depend on a TF condition are not supported in Python for loops. "
    "Did you intend to make it a TF loop?\nSee https://github.com/tensorflow/tensorflow/blob/master/"
    "tensorflow/python/autograph/g3doc/reference/limitations.md#consistency-of-control-flow-types for more "
    "info.")


def for_stmt(iter_, extra_test, body, get_state, set_state, symbol_names, opts):
    """A `for` loop. Over a traced tensor it stages tf.while_loop (over `tf.range` without building the
    range); over an object with an `_autograph_for` hook (datasets) the object runs the loop; otherwise it
    is a Python loop (unrolled when tracing)."""
    hook = getattr(type(iter_), "_autograph_for", None)
    if hook is not None:
        iter_._autograph_for(extra_test, body, get_state, set_state, symbol_names, opts)
    elif _is_symbolic(iter_):
        if iter_.node.type == "Range":
            _tf_range_for_stmt(iter_, extra_test, body, get_state, set_state, symbol_names, opts)
        else:
            _known_len_tf_for_stmt(iter_, extra_test, body, get_state, set_state, symbol_names, opts)
    else:
        _py_for_stmt(iter_, extra_test, body)


def _py_for_stmt(iter_, extra_test, body):
    if extra_test is None:
        for target in iter_:
            body(target)
        return

    def guarded_extra_test():
        result = extra_test()
        try:
            return bool(result)
        except errors.OperatorNotAllowedInGraphError as e:
            raise NotImplementedError(_BREAK_IN_PY_LOOP) from e

    if guarded_extra_test():
        for target in iter_:
            body(target)
            if not guarded_extra_test():
                break


def _staged_test(main_test, extra_test):
    if extra_test is None:
        return main_test
    return _tf("cond")(main_test, lambda: _to_tensor(extra_test()), lambda: _to_tensor(False))


def _value_or(name, var, default, iterate_names):
    if name == iterate_names and isinstance(var, Undefined):
        return default
    return var


def _tf_range_for_stmt(iter_, extra_test, body, get_state, set_state, symbol_names, opts):
    start, limit, delta = iter_.node.inputs
    iterate = start
    iterate_names = opts.get("iterate_names")

    def aug_get_state():
        values = tuple(_value_or(n, v, iterate, iterate_names) for n, v in zip(symbol_names, get_state()))
        return (iterate,) + values

    def aug_set_state(values):
        nonlocal iterate
        iterate, *rest = values
        set_state(tuple(rest))

    def aug_body():
        nonlocal iterate
        body(iterate)
        iterate = iterate + delta

    def aug_test():
        d = delta.const
        if d is not None:
            main = iterate < limit if d >= 0 else iterate > limit
        else:
            land, lor = _tf("logical_and"), _tf("logical_or")
            main = lor(land(delta >= 0, iterate < limit), land(delta < 0, iterate > limit))
        return _staged_test(main, extra_test)

    _tf_while_stmt(aug_test, aug_body, aug_get_state, aug_set_state, ("<internal iterate>",) + tuple(symbol_names),
                   dict(opts))


def _known_len_tf_for_stmt(iter_, extra_test, body, get_state, set_state, symbol_names, opts):
    if iter_.shape.rank == 0:
        raise ValueError(f"len requires a non-scalar tensor, got one of shape {iter_.shape}")
    n = iter_.shape[0] if iter_.shape.rank is not None and iter_.shape[0] is not None else None
    if n is None:
        n = _tf("shape")(iter_)[0]
    index = 0

    def aug_get_state():
        return (index,) + tuple(get_state())

    def aug_set_state(values):
        nonlocal index
        index, *rest = values
        set_state(tuple(rest))

    def aug_body():
        nonlocal index
        body(_tf("gather")(iter_, index))
        index = index + 1

    def aug_test():
        return _staged_test(index < n, extra_test)

    _tf_while_stmt(aug_test, aug_body, aug_get_state, aug_set_state, ("<internal iterate>",) + tuple(symbol_names),
                   dict(opts))


# ---- calls --------------------------------------------------------------------------------------------

def _len(x):
    if _is_tensor(x):
        if x.shape.rank == 0:
            raise ValueError(f"len requires a non-scalar tensor, got one of shape {x.shape}")
        if x.shape.rank is not None and x.shape[0] is not None:
            return x.shape[0]
        return _tf("shape")(x)[0]
    return len(x)


def _range(*args):
    if any(_is_symbolic(a) for a in args):
        return _tf("range")(*args)
    return range(*args)


def _abs(x):
    return _tf("abs")(x) if _is_tensor(x) else abs(x)


def _float(x=0.0):
    return _tf("cast")(x, "float32") if _is_symbolic(x) else float(x)


def _int(x=0, base=None):
    if _is_symbolic(x):
        return _tf("cast")(x, "int32")
    return int(x) if base is None else int(x, base)


_BUILTIN_OVERLOADS = {len: _len, range: _range, abs: _abs, float: _float, int: _int}


def converted_call(f, args, kwargs, options=None):
    """Calls `f`, converting it first when it is user code (see conversion.should_convert)."""
    from tensorweave._src.autograph import conversion

    if kwargs is None:
        kwargs = {}
    overload = _BUILTIN_OVERLOADS.get(f) if _hashable(f) else None
    if overload is not None:
        return overload(*args, **kwargs)
    target = conversion.converted_target(f)
    return target(*args, **kwargs)


def _hashable(f) -> bool:
    try:
        hash(f)
        return True
    except TypeError:
        return False


class FunctionScope:
    """Context for a converted function body (kept for parity with TF's generated code)."""

    def __init__(self, name, scope_name=None, options=None):
        self.name = name

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    @staticmethod
    def ret(value, did_return):
        return retval(value)

