"""TF's wording of eager op errors, around the op's own message.

TF 2.21 words an error raised while an eager op runs as (one line)

    {{function_node __wrapped__ConcatV2_N_2_device_/job:localhost/replica:0/task:0/device:CPU:0}}
    <message> [Op:ConcatV2] name: concat

- The `{{function_node ...}} ` prefix: eager kernels run wrapped in a function named after the op and
  the lengths of its variadic args (attrs sorted by name, e.g. `_N_2`, `_num_split_3`). Checks done
  before the kernel runs (attr values, input dtypes, kernel lookup) have no prefix.
- Attr-validation errors ("Value for attr 'T' of bool is not in the list of allowed values: ...")
  continue with `\\n\\t; NodeDef: {{node AddV2}}; Op<name=AddV2; signature=...>`: the op's registered
  definition (SummarizeOpDef), recorded from TF in op_defs.json (tools/record_op_defs.py).
- The ` name: <name>` suffix is added by TF's Python op wrapper on its fast path, with the name the
  Python API passed (None for most, so ` name: `; `"concat"` for tf.concat, ...). An input given as a
  Python list, tuple, string or numpy scalar sends TF down its fallback path instead, which adds no
  suffix: `tf.reshape(x, [2, 4])` ends in `[Op:Reshape]`, `tf.reshape(x, tf.constant([2, 4]))` in
  `[Op:Reshape] name: `.

`errors.op_error` words an error with the defaults (prefix without variadic lengths, suffix ` name: `);
`dispatch.bind` rewords an error raised by the primitive it runs with what only it knows (the inputs:
variadic lengths, and whether one was converted from a Python sequence, see `mark_converted`); a few
public functions then put their op name into the suffix (`with_name`).
"""

from __future__ import annotations

import functools
import json
import os
import re

import numpy as np

DEVICE = "/job:localhost/replica:0/task:0/device:CPU:0"
_OP_DEFS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "op_defs.json")
_OP_KERNELS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "op_kernels.json")

# Errors TF raises before the kernel runs: no function_node prefix.
_BEFORE_KERNEL = ("Value for attr ", "Length for attr ", "cannot compute ", "OpKernel '",
                  "Could not find device", "No OpKernel was registered", "NodeDef mentions attr",
                  "NodeDef missing attr", "Input '")
_ATTR_CHECK = ("Value for attr ", "Length for attr ")


@functools.lru_cache(maxsize=None)
def op_defs() -> dict:
    with open(_OP_DEFS, encoding="utf-8") as f:
        return json.load(f)["ops"]


@functools.lru_cache(maxsize=None)
def op_kernels() -> dict:
    with open(_OP_KERNELS, encoding="utf-8") as f:
        return json.load(f)["kernels"]


def attr_summary(value) -> str:
    """A Python attr value as TF summarizes it in a NodeDef (SummarizeAttrValue)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, float):
        return "%g" % float(np.float32(value))
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    if isinstance(value, str):
        return '"' + value.encode("unicode_escape").decode("ascii").replace('"', '\\"') + '"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(attr_summary(v) for v in value) + "]"
    name = getattr(value, "name", None)  # a DType
    if isinstance(name, str):
        return "DT_" + tf_dtype_name(name).upper()
    return str(value)


def no_kernel(op_name: str, attrs: dict) -> str:
    """TF's message when no kernel fits a call of `op_name` with `attrs` (TF attr names; the op's
    defaults fill in the others): the NodeDef, then every registered kernel."""
    d = op_def(op_name) or {}
    values = dict(d.get("defaults", {}))
    values.update((k, attr_summary(v)) for k, v in attrs.items())
    node = ", ".join(f"{k}={values[k]}" for k in sorted(values))
    kernels = op_kernels().get(op_name)
    listed = "".join(f"  {line}\n" for line in kernels) if kernels else "  <no registered kernels>\n"
    return (f"Could not find device for node: {{{{node {op_name}}}}} = {op_name}[{node}]\n"
            f"All kernels registered for op {op_name}:\n{listed}")


def op_def(op_name: str):
    """TF's definition of op `op_name` (inputs, outputs, summary, allowed dtypes), or None."""
    return op_defs().get(op_name)


def allowed_dtypes(op_name: str, attr: str):
    """The dtype names TF allows for type attr `attr` of `op_name`, in TF's order, or None."""
    d = op_def(op_name)
    return None if d is None else d.get("allowed", {}).get(attr)


def runs_kernel(message: str) -> bool:
    """Whether TF raises `message` from the kernel (else from a check before it)."""
    return not message.startswith(_BEFORE_KERNEL)


def variadic_attrs(op_name: str) -> list:
    """The attrs giving the lengths of `op_name`'s variadic args, sorted (as TF names the function)."""
    d = op_def(op_name)
    if d is None:
        return []
    names = set()
    for arg in d["inputs"] + d["outputs"]:
        for key in ("number_attr", "type_list_attr"):
            if key in arg:
                names.add(arg[key])
    return sorted(names)


def variadic_lengths(op_name: str, inputs, attrs: dict) -> dict:
    """The variadic lengths of a call of primitive `op_name`: from its attrs when it has them (`num`,
    `num_split`, type lists), else, for a variadic input, the number of tensor inputs."""
    out = {}
    for attr in variadic_attrs(op_name):
        value = attrs.get(attr)
        if isinstance(value, (list, tuple)):
            out[attr] = len(value)
        elif isinstance(value, (int, np.integer)) and not isinstance(value, bool):
            out[attr] = int(value)
        elif any(arg.get("number_attr") == attr or arg.get("type_list_attr") == attr
                 for arg in op_def(op_name)["inputs"]):
            out[attr] = len(inputs)
    return out


def kernel_prefix(op_name: str, lengths) -> str:
    """`{{function_node __wrapped__Op_<attr>_<len>..._device_...}} `; "" when a length is unknown."""
    name = "__wrapped__" + op_name
    for attr in variadic_attrs(op_name):
        if lengths is None or attr not in lengths:
            return ""
        name += f"_{attr}_{lengths[attr]}"
    return f"{{{{function_node {name}_device_{DEVICE}}}}} "


def node_def_details(op_name: str) -> str:
    """What TF adds to an attr-validation error: `\\n\\t; NodeDef: {{node Op}}; Op<...>`."""
    d = op_def(op_name)
    if d is None or "summary" not in d:
        return ""
    return f"\n\t; NodeDef: {{{{node {op_name}}}}}; {d['summary']}"


_NOT_ALLOWED = re.compile(r"Value for attr '(\w+)' of (\w+) is not in the list of allowed values: [\w, ]*$")
_INPUT_DTYPE = re.compile(r"(cannot compute \w+ as input #\d+\(zero-based\) was expected to be a )(\w+)"
                          r"( tensor but is a )(\w+)( tensor)$")
_TF_DTYPE_NAMES = {"float32": "float", "float64": "double", "float16": "half"}


def tf_dtype_name(name: str) -> str:
    """A dtype name as TF's C++ words it (DataTypeString): float32 -> float, float64 -> double."""
    return _TF_DTYPE_NAMES.get(name, name)


def compose(op_name: str, message: str, lengths=None, fast: bool = True, name=None) -> str:
    """The full text of an eager error of `op_name` whose own message is `message`. The dtype checks
    done before the kernel are worded from TF's op definition (allowed list and order, dtype names)."""
    if message.startswith(_ATTR_CHECK) and "; NodeDef: " not in message:
        m = _NOT_ALLOWED.match(message)
        if m:
            allowed = allowed_dtypes(op_name, m.group(1))
            listed = ", ".join(allowed) if allowed else message[message.index(": ") + 2:]
            message = (f"Value for attr '{m.group(1)}' of {tf_dtype_name(m.group(2))} is not in the list "
                       f"of allowed values: {listed}")
        message += node_def_details(op_name)
    elif message.startswith("cannot compute "):
        message = _INPUT_DTYPE.sub(lambda m: m.group(1) + tf_dtype_name(m.group(2)) + m.group(3) +
                                   tf_dtype_name(m.group(4)) + m.group(5), message)
    prefix = kernel_prefix(op_name, lengths) if runs_kernel(message) else ""
    suffix = f" name: {'' if name is None else name}" if fast else ""
    return f"{prefix}{message} [Op:{op_name}]{suffix}"


class Parts:
    """What an error's text was composed from, kept on the error so that it can be reworded."""

    __slots__ = ("op_name", "message", "lengths", "fast", "name", "final")

    def __init__(self, op_name, message, lengths=None, fast=True, name=None):
        self.op_name, self.message, self.lengths, self.fast, self.name = op_name, message, lengths, fast, name
        self.final = False

    def text(self) -> str:
        return compose(self.op_name, self.message, self.lengths, self.fast, self.name)


def attach(error, parts: Parts):
    error._tw_parts = parts
    _set_text(error, parts.text())
    return error


def _set_text(error, text: str) -> None:
    error._message = text
    error.args = (text,)


def refine(error, op_name: str, inputs, attrs) -> None:
    """Rewords `error`, raised while primitive `op_name` ran eagerly on `inputs`, as TF would: with the
    variadic lengths, and without the name suffix when an input came from a Python sequence."""
    parts = getattr(error, "_tw_parts", None)
    if parts is None or parts.final or parts.op_name != op_name:
        return
    parts.final = True
    parts.lengths = variadic_lengths(op_name, inputs, attrs)
    if parts.fast:
        parts.fast = not any(getattr(x, "_tw_converted", False) for x in inputs)
    _set_text(error, parts.text())


def own_message(error) -> str:
    """The op's own message of `error` (without prefix, `[Op:...]` and suffix), e.g. to reword it as
    another op's."""
    parts = getattr(error, "_tw_parts", None)
    return parts.message if parts is not None else str(error)


def as_op(error, op_name: str, *ops):
    """`error` (of one of `ops`, when given) worded as an error of op `op_name`: for a TF op that we
    run as another (TF gathers from a variable with ResourceGather, we with GatherV2)."""
    parts = getattr(error, "_tw_parts", None)
    if parts is not None and (not ops or parts.op_name in ops):
        parts.op_name, parts.lengths = op_name, {}
        _set_text(error, parts.text())
    return error


def with_name(error, name, *ops):
    """`error` with `name` in its suffix, when it is an error of one of `ops` raised on TF's fast path:
    for the public functions that pass their op a name (tf.concat passes "concat")."""
    parts = getattr(error, "_tw_parts", None)
    if parts is not None and parts.fast and parts.name is None and name is not None and (
            not ops or parts.op_name in ops):
        parts.name = name
        _set_text(error, parts.text())
    return error


def on_fallback_path(value) -> bool:
    """Whether TF's fast path would refuse `value` as an op input (anything but a tensor, variable,
    numpy array or Python int/float), sending the call down the fallback path (no name suffix).
    Numpy scalars, which TF refuses too, are let through: ops create them internally."""
    return not isinstance(value, (int, float, np.ndarray, np.generic)) and not hasattr(value, "_as_tensor")


def mark_converted(value, t):
    """Tensor `t`, converted from op input `value` (not a tensor); when `value` is one TF's fast path
    refuses (see `on_fallback_path`), a marked eager tensor with `t`'s value instead (conversions may
    share cached tensors), which `refine` recognizes."""
    if on_fallback_path(value) and hasattr(t, "_value"):
        t = type(t)(t._value, t._dtype)
        t._tw_converted = True
    return t


def fallback_if(error, *values):
    """`error` without the name suffix when one of `values`, the raw arguments TF's Python passes to
    the op as inputs (ours may take them as attrs), is one TF's fast path refuses."""
    parts = getattr(error, "_tw_parts", None)
    if parts is not None and parts.fast and any(
            getattr(v, "_tw_converted", False) if hasattr(v, "_value") else
            v is not None and on_fallback_path(v) for v in values):
        parts.fast = False
        _set_text(error, parts.text())
    return error


def fallback(error, *ops):
    """`error` (of one of `ops`, when given) without the name suffix: for ops TF's Python runs on
    its fallback path (it hands them a Python list, or an int for a float attr)."""
    parts = getattr(error, "_tw_parts", None)
    if parts is not None and parts.fast and (not ops or parts.op_name in ops):
        parts.fast = False
        _set_text(error, parts.text())
    return error
