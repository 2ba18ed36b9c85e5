"""`tf.function`: traces a Python function into a graph per input signature and runs the graph.

>>> import tensorweave as tf
>>> @tf.function
... def f(x):
...     return x * x + 1.0
>>> print(f(tf.constant([1.0, 2.0])))
tf.Tensor([2. 5.], shape=(2,), dtype=float32)
>>> f.experimental_get_tracing_count()
1
"""

from __future__ import annotations

import functools
import inspect
import logging
import weakref
from typing import Any, Callable, Optional

import numpy as np

from tensorweave._src.api_export import EXPORTS, tf_export
from tensorweave._src.autograph import api as autograph
from tensorweave._src.autograph import user_code
from tensorweave._src.core.context import state
from tensorweave._src.core.convert import convert_to_tensor
from tensorweave._src.core.tensor import EagerTensor, Tensor
from tensorweave._src.core.variable import Variable
from tensorweave._src.function import trace_key
from tensorweave._src.function.concrete import ConcreteFunction
from tensorweave._src.function.tensor_spec import TensorSpec
from tensorweave._src.graph import executor, passes
from tensorweave._src.graph.ir import Graph
from tensorweave._src.graph.tracer import Tracer
from tensorweave._src.util.nest import flatten, pack_sequence_as

_logger = logging.getLogger("tensorweave")
_RUN_EAGERLY = [False]


@tf_export("config.run_functions_eagerly")
def run_functions_eagerly(run_eagerly: bool) -> None:
    """When True, tf.functions run their Python code eagerly instead of tracing (for debugging)."""
    _RUN_EAGERLY[0] = bool(run_eagerly)


@tf_export("config.functions_run_eagerly")
def functions_run_eagerly() -> bool:
    return _RUN_EAGERLY[0]


class Function:
    """A Python function with a cache of traced graphs (ConcreteFunctions), keyed by input signature."""

    def __init__(self, python_function: Callable, name: Optional[str] = None, input_signature=None,
                 autograph: bool = True, jit_compile: Optional[bool] = None,
                 reduce_retracing: bool = False, experimental_attributes=None, **unused):
        self._python_function = python_function
        self._name = name or getattr(python_function, "__name__", "function")
        self._input_signature = None if input_signature is None else list(input_signature)
        self._autograph = autograph
        self._jit_compile = bool(jit_compile)
        self._reduce_retracing = reduce_retracing
        self._signature = _signature_of(python_function)
        self._cache: dict = {}
        self._tracing_count = 0
        self._recent_calls: list[bool] = []  # True for calls that traced (for the retracing warning)
        self._warned = False
        self._created_variables = False
        self._inlined_keys: set = set()
        self._fast_cache: dict = {}  # (dtype, torch shape) per positional eager tensor -> ConcreteFunction
        self._instances: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
        functools.update_wrapper(self, python_function, updated=())

    # ---- TF's public attributes --------------------------------------------------------------------
    python_function = property(lambda self: self._python_function)
    input_signature = property(lambda self: self._input_signature)
    function_spec = property(lambda self: self._signature)
    function_type = property(lambda self: self._signature)

    def experimental_get_tracing_count(self) -> int:
        return self._tracing_count

    def __get__(self, instance, owner=None):
        """Methods get one Function per instance, so each instance has its own traces."""
        if instance is None:
            return self
        bound = self._instances.get(instance)
        if bound is None:
            bound = Function(self._python_function.__get__(instance, owner), self._name, self._input_signature,
                             self._autograph, self._jit_compile, self._reduce_retracing)
            self._instances[instance] = bound
        return bound

    def __repr__(self) -> str:
        return f"<tensorweave.Function {self._name} at 0x{id(self):X}>"

    # ---- calling -----------------------------------------------------------------------------------
    def __call__(self, *args, **kwargs):
        if not kwargs and state.tracer is None and not state.tapes and not _RUN_EAGERLY[0]:
            fast_key = _fast_key(args)
            if fast_key is not None:
                concrete = self._fast_cache.get(fast_key)
                if concrete is not None:  # the common call: eager tensors seen before
                    self._note_call(False)
                    return concrete._run_checked_inputs(args)
        if _RUN_EAGERLY[0]:
            return self._python_function(*args, **kwargs)
        if state.tracer is not None:  # called while another function traces: inline its body
            self._note_inlined_trace(args, kwargs)
            return self._converted()(*args, **kwargs)
        args, kwargs = self._canonicalize(args, kwargs)
        concrete, traced = self._lookup_or_trace(args, kwargs)
        self._note_call(traced)
        if not kwargs:
            fast_key = _fast_key(args)
            if fast_key is not None and self._input_signature is None:
                self._fast_cache[fast_key] = concrete
        tensors = [x for x in flatten([list(args), [kwargs[k] for k in sorted(kwargs)]]) if isinstance(x, Tensor)]
        return concrete._call_flat(tensors)

    def _note_inlined_trace(self, args, kwargs) -> None:
        """An inlined call still counts as a trace of this function per new signature, as in TF."""
        key = self._key(*self._canonicalize(args, kwargs), relax=False)
        if key not in self._inlined_keys:
            self._inlined_keys.add(key)
            self._tracing_count += 1

    def get_concrete_function(self, *args, **kwargs) -> ConcreteFunction:
        """The ConcreteFunction for these arguments (TensorSpecs allowed), tracing if needed."""
        if not args and not kwargs and self._input_signature is not None:
            args = tuple(self._input_signature)
        args, kwargs = self._canonicalize(args, kwargs)
        return self._lookup_or_trace(args, kwargs)[0]

    def _canonicalize(self, args, kwargs):
        if self._input_signature is not None:
            args = self._check_signature(args, kwargs)
        if self._signature is not None and kwargs:
            bound = self._signature.bind(*args, **kwargs)
            return tuple(bound.args), dict(bound.kwargs)
        return tuple(args), dict(kwargs)

    def _check_signature(self, args, kwargs=None):
        specs = self._input_signature
        if len(args) > len(specs):
            raise TypeError(f"{self._name} has an input_signature of {len(specs)} arguments but got "
                            f"{len(args)}")
        checked = []
        for value, spec in zip(args, specs):
            if isinstance(spec, TensorSpec) and not isinstance(value, TensorSpec):
                from tensorweave._src.core.convert import convert_to_tensor

                value = convert_to_tensor(value, dtype_hint=spec.dtype)
                if not spec.is_compatible_with(value):
                    raise TypeError(f"Binding inputs to tf.function failed due to `Can not cast "
                                    f"{TensorSpec.from_tensor(value)!r} to {spec!r}`. Received args: {args} "
                                    f"and kwargs: {kwargs or {}} for signature: {self._signature_text()}.")
            checked.append(value)
        return tuple(checked)

    def _signature_text(self) -> str:
        """The input signature as TF's binding errors show it: `(x: TensorSpec(...), y: ... = <...>)`."""
        params = list(self._signature.parameters.values()) if self._signature is not None else []
        parts = []
        for i, spec in enumerate(self._input_signature):
            param = params[i] if i < len(params) else None
            text = f"{param.name if param is not None else f'arg_{i}'}: {spec!r}"
            if param is not None and param.default is not param.empty:
                text += " = <captured_default_value>"
            parts.append(text)
        return "(" + ", ".join(parts) + ")"

    def _lookup_or_trace(self, args, kwargs):
        key = self._key(args, kwargs, relax=False)
        concrete = self._cache.get(key)
        if concrete is not None:
            return concrete, False
        relax = self._reduce_retracing and self._tracing_count > 0
        if relax:
            relaxed_key = self._key(args, kwargs, relax=True)
            concrete = self._cache.get(relaxed_key)
            if concrete is not None:
                return concrete, False
            key = relaxed_key
        concrete = self._trace(args, kwargs, relax)
        self._cache[key] = concrete
        return concrete, True

    def _key(self, args, kwargs, relax: bool):
        if self._input_signature is not None:
            specs = [s for s in self._input_signature]
            rest = args[len(specs):]
            return ("sig", trace_key.key_of(tuple(rest)), trace_key.key_of(kwargs))
        return (trace_key.key_of(args, relax), trace_key.key_of(kwargs, relax))

    def _note_call(self, traced: bool) -> None:
        self._recent_calls = (self._recent_calls + [traced])[-5:]
        if not self._warned and len(self._recent_calls) == 5 and all(self._recent_calls) and \
                self._tracing_count >= 5:
            self._warned = True
            _logger.warning(
                "5 out of the last 5 calls to %s triggered tf.function retracing. Tracing is expensive and "
                "the excessive number of tracings could be due to (1) creating @tf.function repeatedly in a "
                "loop, (2) passing tensors with different shapes, (3) passing Python objects instead of "
                "tensors. For (1), please define your @tf.function outside of the loop. For (2), "
                "@tf.function has reduce_retracing=True option that can avoid unnecessary retracing. For "
                "(3), please refer to https://www.tensorflow.org/guide/function#controlling_retracing and "
                "https://www.tensorflow.org/api_docs/python/tf/function for more details.",
                self._python_function)

    # ---- tracing -----------------------------------------------------------------------------------
    def _converted(self) -> Callable:
        return autograph.convert(self._python_function) if self._autograph else self._python_function

    def _trace(self, args, kwargs, relax: bool) -> ConcreteFunction:
        first = self._tracing_count == 0 or not self._created_variables
        graph, structured, created = self._trace_graph(args, kwargs, relax, first_trace=first)
        self._tracing_count += 1
        if created:
            # As TF: a trace that created variables is followed by a second trace in which creating
            # variables is an error, and that graph (reading the now-existing variables) is the one kept.
            self._created_variables = True
            graph, structured, _ = self._trace_graph(args, kwargs, relax, first_trace=False)
            self._tracing_count += 1
        names = self._arg_names(len(args))
        compiled = executor.compile_graph(passes.optimize(graph))  # `graph` itself stays as traced
        if self._input_signature is not None:
            args = tuple(self._input_signature) + tuple(args[len(self._input_signature):])
        specs = (tuple(_spec_of(a, n) for a, n in zip(args, names)),
                 {k: _spec_of(v, k) for k, v in kwargs.items()})
        return ConcreteFunction(self._name, graph, names, specs, structured, compiled, self._jit_compile)

    def _trace_graph(self, args, kwargs, relax: bool, first_trace: bool):
        graph = Graph(self._name)
        tracer = _FunctionTracer(graph, first_trace=first_trace)
        names = self._arg_names(len(args))
        saved = (state.tracer, state.name_scope)
        state.tracer, state.name_scope = tracer, ""
        try:
            if self._input_signature is not None:  # placeholders take the signature's (relaxed) shapes
                args = tuple(self._input_signature) + tuple(args[len(self._input_signature):])
            sym_args = [_placeholders(tracer, a, n, relax) for a, n in zip(args, names)]
            sym_kwargs = {k: _placeholders(tracer, v, k, relax) for k, v in kwargs.items()}
            try:
                outputs = self._converted()(*sym_args, **sym_kwargs)
            except Exception as e:  # noqa: BLE001 - reworded as TF does ("in user code:"), same class
                new = user_code.reworded(e) if self._autograph else None
                if new is None:
                    raise
                raise new  # noqa: B904 - the cause is in the new message, as TF has it
            structured = _graph_outputs(tracer, outputs)
        finally:
            state.tracer, state.name_scope = saved
        return graph, structured, bool(tracer.created)

    def _arg_names(self, n: int) -> list:
        params = list(self._signature.parameters) if self._signature is not None else []
        params = [p for p in params if p != "self"]
        return [params[i] if i < len(params) else f"args_{i}" for i in range(n)]


def _fast_key(args):
    """A cheap cache key when every argument is an eager tensor (None otherwise: use the full key)."""
    key = []
    for x in args:
        if type(x) is not EagerTensor:
            return None
        key.append((x._dtype, x._value.shape))
    return tuple(key)


class _FunctionTracer(Tracer):
    def __init__(self, graph, first_trace: bool):
        super().__init__(graph)
        self._first_trace = first_trace
        self.created: list = []

    def variable_created(self, variable) -> None:
        if not self._first_trace:
            raise ValueError("tf.function only supports singleton tf.Variables created on the first call. "
                             "Make sure the tf.Variable is only created once or created outside tf.function. "
                             "See https://www.tensorflow.org/guide/function#creating_tfvariables for more "
                             "information.")
        self.created.append(variable)


def _placeholders(tracer: Tracer, value, name: str, relax: bool):
    """Replaces every tensor (or TensorSpec) leaf of an argument with a graph input."""
    leaves = flatten(value)
    out = []
    for i, leaf in enumerate(leaves):
        if isinstance(leaf, (Tensor, TensorSpec)):
            shape = leaf.shape
            if relax and shape.rank is not None:
                shape = [None] * shape.rank
            out.append(tracer.placeholder(leaf.dtype, shape, name=name if len(leaves) == 1 else f"{name}_{i}"))
        else:
            out.append(leaf)
    return pack_sequence_as(value, out) if isinstance(value, (list, tuple, dict)) else out[0]


def _graph_outputs(tracer: Tracer, outputs) -> Any:
    """Records the graph's outputs; returns the output structure with SymbolicTensors as leaves."""
    leaves = []
    for leaf in flatten(outputs):
        if isinstance(leaf, Variable):
            leaf = leaf.value()
        elif isinstance(leaf, EXPORTS["TensorArray"]):
            leaf = leaf.flow  # as in TF: a returned TensorArray comes back as its flow (a variant TensorList)
        if isinstance(leaf, (int, float, complex)) or isinstance(leaf, np.generic):
            leaf = convert_to_tensor(leaf)  # TF returns Python numbers as tensors
        if isinstance(leaf, Tensor):
            leaf = tracer.as_graph_tensor(leaf)
            tracer.graph.outputs.append(leaf)
        leaves.append(leaf)
    return pack_sequence_as(outputs, leaves) if isinstance(outputs, (list, tuple, dict)) else leaves[0]


def _spec_of(value, name: str):
    leaves = [TensorSpec(x.shape, x.dtype, name) if isinstance(x, (Tensor, TensorSpec)) else x
              for x in flatten(value)]
    return pack_sequence_as(value, leaves) if isinstance(value, (list, tuple, dict)) else leaves[0]


def _signature_of(fn) -> Optional[inspect.Signature]:
    try:
        return inspect.signature(fn)
    except (TypeError, ValueError):
        return None


@tf_export("function")
def function(func=None, input_signature=None, autograph: bool = True, jit_compile=None,
             reduce_retracing: bool = False, experimental_implements=None, experimental_autograph_options=None,
             experimental_attributes=None, experimental_relax_shapes=None, experimental_compile=None,
             experimental_follow_type_hints=None):
    """Compiles `func` into a callable TensorFlow graph (decorator or call form)."""
    if experimental_relax_shapes:
        reduce_retracing = True

    def decorate(f):
        return Function(f, input_signature=input_signature, autograph=autograph,
                        jit_compile=jit_compile if jit_compile is not None else experimental_compile,
                        reduce_retracing=reduce_retracing)

    return decorate if func is None else decorate(func)

