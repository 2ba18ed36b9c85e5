"""Records TF's op definitions (OpDef registry) for the ops tensorweave names, under the oracle:

    ../shared/tools/tf-oracle tools/record_op_defs.py

Writes tensorweave/_src/core/op_defs.json (and op_kernels.json), read by core/op_messages.py to word
errors as TF does:
- `summary`: TF's `SummarizeOpDef` (`Op<name=Fill; signature=dims:index_type, value:T -> output:T;
  attr=...>`), which attr-validation errors quote after `NodeDef: {{node Fill}}`;
- `inputs` / `outputs`: each arg's name, type attr (or fixed type), and number / type-list attr: the
  attrs giving the lengths of variadic args name the eager wrapper function of kernel errors
  (`{{function_node __wrapped__ConcatV2_N_2_device_...}}`);
- `allowed`: each type attr's allowed dtypes, in the op's order and TF's spelling (`half`, `float`);
- `defaults`: each attr's default as TF summarizes it in a NodeDef (`false`, `"NHWC"`, `DT_INT32`);
- `kernels` (in op_kernels.json): the registered kernels as TF lists them when none fits ("Could not
  find device for node"):
  `device='CPU'; T in [DT_INT64]`, in registration order (XLA's included, registered by running an op
  without a kernel first).

The op names are the quoted CamelCase strings of tensorweave/_src that are TF ops. The summary is
rebuilt here from the OpDef proto (TF does not expose SummarizeOpDef to Python); `--check` compares it
with every recorded fixture message that quotes one.
"""

from __future__ import annotations

import glob
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tensorweave", "_src", "core", "op_defs.json")
OUT_KERNELS = os.path.join(ROOT, "tensorweave", "_src", "core", "op_kernels.json")
# the ops whose "no kernel" errors tensorweave words (op_messages.no_kernel): their kernel lists are big
KERNEL_OPS = ("MatMul", "BatchMatMulV2", "Einsum", "SpaceToDepth", "DepthToSpace")
_QUOTED = re.compile(r"""["']([A-Z][A-Za-z0-9]+)["']""")


def _dtype_string(types_pb2, enum: int) -> str:
    """TF's DataTypeString: DT_FLOAT -> float, DT_HALF -> half, DT_INT32 -> int32."""
    return types_pb2.DataType.Name(enum)[3:].lower()


def _float_string(f: float) -> str:
    """absl::StrCat of a float: six significant digits, as %g."""
    import numpy as np
    return "%g" % float(np.float32(f))


def _string_summary(s: bytes) -> str:
    text = s.decode("latin-1")
    escaped = text.encode("unicode_escape").decode("ascii").replace('"', '\\"')
    return f'"{escaped}"'


def _shape_string(shape) -> str:
    if shape.unknown_rank:
        return "<unknown>"
    return "[" + ",".join("?" if d.size < 0 else str(d.size) for d in shape.dim) + "]"


def _attr_value(types_pb2, value) -> str:
    """TF's SummarizeAttrValue."""
    kind = value.WhichOneof("value")
    if kind == "s":
        return _string_summary(value.s)
    if kind == "i":
        return str(value.i)
    if kind == "f":
        return _float_string(value.f)
    if kind == "b":
        return "true" if value.b else "false"
    if kind == "type":
        return types_pb2.DataType.Name(value.type)
    if kind == "shape":
        return _shape_string(value.shape)
    if kind == "list":
        lst = value.list
        if lst.s:
            pieces = [_string_summary(s) for s in lst.s]
        elif lst.i:
            pieces = [str(i) for i in lst.i]
        elif lst.f:
            pieces = [_float_string(f) for f in lst.f]
        elif lst.b:
            pieces = ["true" if b else "false" for b in lst.b]
        elif lst.type:
            pieces = [types_pb2.DataType.Name(t) for t in lst.type]
        elif lst.shape:
            pieces = [_shape_string(s) for s in lst.shape]
        else:
            pieces = []
        if len(pieces) >= 30:
            raise ValueError("long attr lists are fingerprinted by TF; not reproduced")
        return "[" + ", ".join(pieces) + "]"
    if kind == "placeholder":
        return "$" + value.placeholder
    raise ValueError(f"attr value kind {kind} not summarized")


def _args(types_pb2, args) -> str:
    parts = []
    for a in args:
        text = a.name + ":"
        if a.is_ref:
            text += "Ref("
        if a.number_attr:
            text += a.number_attr + "*"
        if a.type:
            text += _dtype_string(types_pb2, a.type)
        else:
            text += a.type_attr
        if a.type_list_attr:
            text += a.type_list_attr
        if a.is_ref:
            text += ")"
        parts.append(text)
    return ", ".join(parts)


def summarize(types_pb2, op_def) -> str:
    """TF's SummarizeOpDef."""
    out = (f"Op<name={op_def.name}; signature={_args(types_pb2, op_def.input_arg)} -> "
           f"{_args(types_pb2, op_def.output_arg)}")
    for attr in op_def.attr:
        out += f"; attr={attr.name}:{attr.type}"
        if attr.HasField("default_value"):
            out += ",default=" + _attr_value(types_pb2, attr.default_value)
        if attr.has_minimum:
            out += f",min={attr.minimum}"
        if attr.HasField("allowed_values"):
            out += ",allowed=" + _attr_value(types_pb2, attr.allowed_values)
    for flag in ("is_commutative", "is_aggregate", "is_stateful", "allows_uninitialized_input",
                 "is_distributed_communication"):
        if getattr(op_def, flag):
            out += f"; {flag}=true"
    return out + ">"


def _arg_record(types_pb2, a) -> dict:
    rec = {"name": a.name}
    if a.type:
        rec["type"] = _dtype_string(types_pb2, a.type)
    if a.type_attr:
        rec["type_attr"] = a.type_attr
    if a.number_attr:
        rec["number_attr"] = a.number_attr
    if a.type_list_attr:
        rec["type_list_attr"] = a.type_list_attr
    return rec


def record(op_def_registry, types_pb2, name: str):
    op_def = op_def_registry.get(name)
    if op_def is None:
        return None
    try:
        summary = summarize(types_pb2, op_def)
    except ValueError:
        summary = None
    allowed = {}
    for attr in op_def.attr:
        if attr.type == "type" and attr.HasField("allowed_values"):
            allowed[attr.name] = [_dtype_string(types_pb2, t) for t in attr.allowed_values.list.type]
    rec = {"inputs": [_arg_record(types_pb2, a) for a in op_def.input_arg],
           "outputs": [_arg_record(types_pb2, a) for a in op_def.output_arg]}
    if summary is not None:
        rec["summary"] = summary
    if allowed:
        rec["allowed"] = allowed
    defaults = {}
    for attr in op_def.attr:
        if attr.HasField("default_value"):
            try:
                defaults[attr.name] = _attr_value(types_pb2, attr.default_value)
            except ValueError:
                pass
    if defaults:
        rec["defaults"] = defaults
    kernels = _kernels(types_pb2, name) if name in KERNEL_OPS else []
    if kernels:
        rec["kernels"] = kernels
    return rec


def _kernels(types_pb2, name: str) -> list:
    """TF's KernelsRegisteredForOp lines (without indentation and newline)."""
    from tensorflow.python.framework import kernels

    lines = []
    for k in kernels.get_registered_kernels_for_op(name).kernel:
        line = f"device='{k.device_type}'"
        if k.label:
            line += f"; label='{k.label}'"
        for c in k.constraint:
            try:
                line += f"; {c.name} in {_attr_value(types_pb2, c.allowed_values)}"
            except ValueError:
                return []
        lines.append(line)
    return lines


def _register_xla_kernels(tf) -> None:
    """XLA's JIT kernels are registered when an op first finds no kernel: provoke that."""
    try:
        tf.matmul(tf.constant([[1]], tf.uint8), tf.constant([[1]], tf.uint8))
    except Exception:  # noqa: BLE001 - the point is the failure
        pass


def op_names() -> set:
    names = set()
    for path in glob.glob(os.path.join(ROOT, "tensorweave", "_src", "**", "*.py"), recursive=True):
        with open(path, encoding="utf-8") as f:
            names.update(_QUOTED.findall(f.read()))
    return names


def check(ops: dict) -> int:
    """Compares the summaries and kernel lists with the fixture messages that quote one."""
    bad = seen = 0
    kernels_pattern = re.compile(r"All kernels registered for op (\w+):\n(.*?)\n \[Op:", re.S)
    pattern = re.compile(r"(Op<name=(\w+);.*?>)(?: \[Op:|$| while)", re.S)
    for path in sorted(glob.glob(os.path.join(ROOT, "tests", "fixtures", "*.json"))):
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        if not isinstance(data, dict):
            continue
        for case_id, outcome in data.items():
            message = outcome.get("message", "") if isinstance(outcome, dict) else ""
            for m in pattern.finditer(message):
                seen += 1
                ours = ops.get(m.group(2), {}).get("summary")
                if ours != m.group(1):
                    bad += 1
                    print(f"{os.path.basename(path)}/{case_id}:\n  TF:   {m.group(1)}\n  ours: {ours}")
            for m in kernels_pattern.finditer(message):
                seen += 1
                ours = "\n".join("  " + line for line in ops.get(m.group(1), {}).get("kernels", []))
                if ours != m.group(2):
                    bad += 1
                    print(f"{os.path.basename(path)}/{case_id} kernels:\n  TF:   {m.group(2)!r}\n"
                          f"  ours: {ours!r}")
    print(f"{seen} summaries in fixture messages, {bad} differ")
    return 1 if bad else 0


def main(argv) -> int:
    import tensorflow as tf
    from tensorflow.core.framework import types_pb2
    from tensorflow.python.framework import op_def_registry

    _register_xla_kernels(tf)
    ops = {}
    for name in sorted(op_names()):
        rec = record(op_def_registry, types_pb2, name)
        if rec is not None:
            ops[name] = rec
    if "--check" in argv:
        return check(ops)
    kernels = {name: rec.pop("kernels") for name, rec in ops.items() if "kernels" in rec}
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump({"about": "TF 2.21 op definitions, recorded by tools/record_op_defs.py under the oracle",
                   "ops": ops}, f, indent=0, sort_keys=True, separators=(",", ":"))
        f.write("\n")
    with open(OUT_KERNELS, "w", encoding="utf-8") as f:
        json.dump({"about": "TF 2.21 registered kernels per op (tools/record_op_defs.py)",
                   "kernels": kernels}, f, indent=0, sort_keys=True, separators=(",", ":"))
        f.write("\n")
    for name, lines in kernels.items():
        ops[name]["kernels"] = lines
    print(f"{len(ops)} op definitions -> {os.path.relpath(OUT, ROOT)}")
    return check(ops)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
