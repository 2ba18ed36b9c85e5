"""The graph's own ops: Placeholder (inputs), Const (captured eager values), and the variable ops.

They are primitives like any other, so the executor, passes and interpreters treat them uniformly.
Their kernels move backend values around and need no kernel library.
"""

from __future__ import annotations

from tensorweave._src.core.primitive import AbstractValue, Primitive

placeholder_p = Primitive("Placeholder")


@placeholder_p.def_kernel
def _placeholder():
    raise RuntimeError("a Placeholder is fed by the caller, never run")


const_p = Primitive("Const")


@const_p.def_kernel
def _const(value, dtype):
    return value


@const_p.def_abstract
def _const_rule(value, dtype):
    raise RuntimeError("Const nodes are created with their abstract value")


read_variable_p = Primitive("ReadVariableOp", stateful=True)


@read_variable_p.def_kernel
def _read_variable(variable):
    return variable._value


@read_variable_p.def_abstract
def _read_variable_rule(variable):
    return AbstractValue(variable.dtype, variable.shape)


assign_variable_p = Primitive("AssignVariableOp", multiple_results=True, stateful=True)


@assign_variable_p.def_kernel
def _assign_variable(value, variable):
    variable._value = value
    return ()


@assign_variable_p.def_abstract
def _assign_variable_rule(value, variable):
    return ()
