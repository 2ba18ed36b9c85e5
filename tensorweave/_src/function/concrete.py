"""ConcreteFunction: one traced graph of a tf.function, callable with tensors.

Calling it runs the graph's generated Python code; while a GradientTape is recording (or another
function is tracing) it replays the graph's ops through `dispatch.bind` instead, so the tape records
them (or the outer graph inlines them).
"""

from __future__ import annotations

from tensorweave._src.core import backend, errors
from tensorweave._src.core.context import state
from tensorweave._src.core.convert import convert_to_tensor
from tensorweave._src.core.tensor import Tensor
from tensorweave._src.graph import executor
from tensorweave._src.graph.symbolic import SymbolicTensor
from tensorweave._src.util.nest import flatten, pack_sequence_as


class ConcreteFunction:
    """A traced graph with its input signature and output structure."""

    def __init__(self, name: str, graph, arg_names: list, input_specs, structured_outputs, compiled,
                 jit_compile: bool = False):
        self._name = name
        self.graph = graph
        self._arg_names = arg_names
        self.structured_input_signature = input_specs
        self.structured_outputs = structured_outputs
        self._compiled = compiled
        self._fn = compiled.fn
        self._output_leaves = [(leaf, isinstance(leaf, SymbolicTensor)) for leaf in flatten(structured_outputs)]
        self._single_output = isinstance(structured_outputs, SymbolicTensor)
        self._jit = None
        if jit_compile:
            self._jit = backend.jit_compile(compiled.fn)

    # ---- inspection ----------------------------------------------------------------------------
    inputs = property(lambda self: list(self.graph.inputs))
    outputs = property(lambda self: list(self.graph.outputs))
    variables = property(lambda self: tuple(self.graph.variables))
    trainable_variables = property(lambda self: tuple(v for v in self.graph.variables if v.trainable))
    name = property(lambda self: self._name)

    @property
    def source(self) -> str:
        """The Python source generated for the graph (one statement per node)."""
        return self._compiled.source

    def pretty_printed_signature(self, verbose: bool = True) -> str:
        args, _ = self.structured_input_signature
        lines = ["Input Parameters:"]
        for name, spec in zip(self._arg_names, args):
            lines.append(f"  {name} (POSITIONAL_OR_KEYWORD): {spec!r}")
        lines.append("Output Type:")
        lines.append(f"  {_output_type(self.structured_outputs)}")
        lines.append("Captures:")
        lines.append("  None")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<ConcreteFunction {self._name} at 0x{id(self):X}>"

    def __str__(self) -> str:
        return "ConcreteFunction " + self.pretty_printed_signature()

    # ---- calling -------------------------------------------------------------------------------
    def __call__(self, *args, **kwargs):
        flat = [x for x in flatten(list(args) + [kwargs[k] for k in sorted(kwargs)]) if _is_tensor_arg(x)]
        return self._call_flat([_to_tensor(x) for x in flat])

    def _call_flat(self, tensors: list):
        expected = len(self.graph.inputs)
        if len(tensors) != expected:
            raise TypeError(f"{self._name}: expected {expected} tensor arguments, got {len(tensors)}")
        for x, p in zip(tensors, self.graph.inputs):
            if x.dtype is not p.dtype or not p.shape.is_compatible_with(x.shape):
                raise errors.InvalidArgumentError(
                    None, None, f"{self._name}: argument {p.name} expects {p.dtype.name}{p.shape}, got "
                                f"{x.dtype.name}{x.shape}")
        if state.tapes or state.tracer is not None:
            values = executor.replay(self.graph, tensors)
        else:
            values = self._run(tensors)
        return self._pack(values)

    def _run(self, tensors: list) -> list:
        fn = self._jit or self._fn
        try:
            raw = fn(*[x._value for x in tensors])
        except errors.OpError:
            raise
        except (RuntimeError, ValueError, IndexError, TypeError) as e:
            raise errors.InvalidArgumentError(None, None, f"{self._name}: {e}") from None
        wrap = executor.wrap
        return [wrap(v) for v in raw]

    def _run_checked_inputs(self, tensors) -> object:
        """The fast call: inputs already known to match the graph's signature (see Function)."""
        return self._pack(self._run(tensors))

    def _pack(self, values: list):
        if self._single_output:
            return values[0]
        it = iter(values)
        leaves = [next(it) if is_tensor else leaf for leaf, is_tensor in self._output_leaves]
        return pack_sequence_as(self.structured_outputs, leaves)


def _is_tensor_arg(x) -> bool:
    """Tensors are the graph's inputs; variables and Python values were fixed when it was traced."""
    return isinstance(x, Tensor)


def _to_tensor(x):
    return x if isinstance(x, Tensor) else convert_to_tensor(x)


def _output_type(structured):
    from tensorweave._src.function.tensor_spec import TensorSpec

    leaves = [TensorSpec(t.shape, t.dtype) if isinstance(t, SymbolicTensor) else t for t in flatten(structured)]
    return pack_sequence_as(structured, leaves)
