"""FusedElementwise: a chain (or small DAG) of elementwise float ops run by one generated function.

The graph pass (graph/passes/fusion.py) describes the work as `steps`, a tuple of
`(op_type, args, inplace, name)`: `op_type` is a key of UNARY/BINARY, `args` names the operands
(`"x3"`: the fused node's input 3, `"v1"`: the result of step 1), `inplace` is the index of the operand
the step may overwrite (a previous step's result that is not used afterwards and has the result's
shape), or None, and `name` is the original node's name (kept as a comment). The last step's result is
the node's output. The generated function reads like the ops it replaces::

    def fused12(x0, x1):  # AddV2, Mul, Tanh
        v0 = torch.add(x0, x1)
        v0.mul_(x1)
        v0.tanh_()
        return v0

A graph whose fused nodes do the same work (same steps, names aside) gets one such function.

Every op listed here runs exactly the torch function its primitive's kernel runs for floating dtypes,
and every such call returns a fresh tensor, so overwriting a previous step's result is safe.
"""

from __future__ import annotations

import torch

from tensorweave._src.core import dtypes as _dt
from tensorweave._src.ops.fused._codegen import CodegenPrimitive, stored_abstract

# op type -> torch function name (torch.<name>, Tensor.<name>_ for the in-place form)
UNARY = {
    "Neg": "neg", "Abs": "abs", "Square": "square", "Sqrt": "sqrt", "Rsqrt": "rsqrt", "Exp": "exp",
    "Expm1": "expm1", "Log": "log", "Log1p": "log1p", "Sin": "sin", "Cos": "cos", "Tan": "tan",
    "Asin": "asin", "Acos": "acos", "Atan": "atan", "Sinh": "sinh", "Cosh": "cosh", "Tanh": "tanh",
    "Asinh": "asinh", "Acosh": "acosh", "Atanh": "atanh", "Sigmoid": "sigmoid", "Relu": "relu",
    "Floor": "floor", "Ceil": "ceil", "Erf": "erf", "Erfc": "erfc", "Reciprocal": "reciprocal",
    "Sign": "sign", "Round": "round",
}
# op type -> (torch function name, commutative, has an in-place method)
BINARY = {
    "AddV2": ("add", True, True), "Sub": ("sub", False, True), "Mul": ("mul", True, True),
    "RealDiv": ("div", False, True), "Maximum": ("maximum", True, False),
    "Minimum": ("minimum", True, False), "Pow": ("pow", False, True),
}
FUSIBLE_DTYPES = frozenset({_dt.float16, _dt.bfloat16, _dt.float32, _dt.float64})


def _step_code(op_type: str, args: list, inplace):
    """(code, result-variable-is-operand-index) for one step; `args` are variable names."""
    if op_type in UNARY:
        fn = UNARY[op_type]
        if inplace is not None:
            return f"{args[0]}.{fn}_()"
        return f"torch.{fn}({args[0]})"
    fn, commutative, has_method = BINARY[op_type]
    if inplace is None:
        return f"torch.{fn}({args[0]}, {args[1]})"
    target, other = args[inplace], args[1 - inplace]
    if has_method and (inplace == 0 or commutative):
        return f"{target}.{fn}_({other})"
    return f"torch.{fn}({args[0]}, {args[1]}, out={target})"


def program_source(fn_name: str, steps, n_inputs: int) -> str:
    """The Python source of the function that runs `steps` (see the module docstring)."""
    params = ", ".join(f"x{i}" for i in range(n_inputs))
    ops = ", ".join(s[0] for s in steps)
    lines = [f"def {fn_name}({params}):  # {ops}"]
    var = {}  # step result "v<j>" -> the Python variable holding it
    for j, (op_type, args, inplace, _name) in enumerate(steps):
        names = [var.get(a, a) for a in args]
        code = _step_code(op_type, names, inplace)
        if inplace is not None:
            var[f"v{j}"] = names[inplace]
            lines.append(f"    {code}")
        else:
            var[f"v{j}"] = f"v{j}"
            lines.append(f"    v{j} = {code}")
    lines.append(f"    return {var[f'v{len(steps) - 1}']}")
    return "\n".join(lines) + "\n"


class Steps(tuple):
    """The `steps` attr: a tuple that prints as the op types it runs (graph listings stay short)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "[" + ", ".join(s[0] for s in self) + "]"


_PROGRAMS: dict = {}


def _work(steps) -> tuple:
    """The steps without their node names: what the generated code depends on."""
    return tuple(s[:3] for s in steps)


def _program(steps, n_inputs: int):
    key = (_work(steps), n_inputs)
    fn = _PROGRAMS.get(key)
    if fn is None:
        env = {"torch": torch}
        source = program_source("fused", steps, n_inputs)
        exec(compile(source, "<tensorweave fused elementwise>", "exec"), env)
        fn = _PROGRAMS[key] = env["fused"]
    return fn


class _FusedElementwise(CodegenPrimitive):
    def emit(self, node, n, args, env, defs):
        env["torch"] = torch
        emitted = env.setdefault("_fused_programs", {})  # one def per distinct program in a graph
        key = (_work(node.attrs["steps"]), len(node.inputs))
        fn_name = emitted.get(key)
        if fn_name is None:
            fn_name = emitted[key] = f"fused{n}"
            defs.append(program_source(fn_name, node.attrs["steps"], len(node.inputs)))
        return f"{fn_name}({', '.join(args)})"


fused_elementwise_p = _FusedElementwise("FusedElementwise")


@fused_elementwise_p.def_kernel
def _fused_elementwise(*xs, steps, out_dtype, out_shape):
    return _program(steps, len(xs))(*xs)


fused_elementwise_p.def_abstract(stored_abstract)
