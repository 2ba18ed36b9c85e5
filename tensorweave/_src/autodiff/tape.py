"""`tf.GradientTape`: records ops on watched tensors and runs their gradient rules backwards.

The tape is an interpreter plugged into the dispatch point (`context.state.tapes`): every op that runs
while a tape is active is offered to `record`, which keeps it only if one of its inputs is watched.
`gradient` walks the kept ops in reverse, calling each primitive's gradient rule (written with
tensorweave ops, so the backward pass is itself recorded by outer tapes: higher-order gradients).

>>> import tensorweave as tf
>>> x = tf.constant(3.0)
>>> with tf.GradientTape() as g:
...     g.watch(x)
...     y = x * x
>>> print(g.gradient(y, x))
tf.Tensor(6.0, shape=(), dtype=float32)
"""

from __future__ import annotations

import enum
import logging
from typing import Any

from tensorweave._src.autodiff import backprop
from tensorweave._src.core import dtypes as _dt
from tensorweave._src.core.context import state
from tensorweave._src.core.convert import convert_to_tensor
from tensorweave._src.core.tensor import Tensor
from tensorweave._src.core.variable import Variable
from tensorweave._src.util.nest import flatten, pack_sequence_as

_DIFFERENTIABLE_KINDS = "fc"  # floating and complex tensors carry gradients


def _trainable_dtype(dtype: _dt.DType) -> bool:
    return dtype._kind in _DIFFERENTIABLE_KINDS


class TapeEntry:
    """One recorded op: what the gradient rule of `prim` gets as `op`."""

    __slots__ = ("prim", "inputs", "attrs", "outputs", "live")

    def __init__(self, prim, inputs, attrs, outputs):
        self.prim = prim
        self.inputs = inputs
        self.attrs = attrs
        self.outputs = outputs
        self.live = None  # ids of the tensors that depend on a source (set by backprop; None: all do)

    @property
    def type(self) -> str:
        return self.prim.name

    def get_attr(self, name: str):
        return self.attrs[name]


class GradientTape:
    """Records operations for automatic differentiation (`tf.GradientTape`)."""

    def __init__(self, persistent: bool = False, watch_accessed_variables: bool = True):
        self._persistent = persistent
        self._watch_accessed_variables = watch_accessed_variables
        self._recording = False
        self._used = False
        self._reset_state()

    def _reset_state(self) -> None:
        self._entries: list[TapeEntry] = []
        self._watched: dict[int, Tensor] = {}  # id -> tensor, kept alive so ids stay unique
        self._watched_vars: dict[int, Variable] = {}
        self._var_reads: dict[int, list] = {}  # variable id -> tensors read from it while recording

    # ---- context ------------------------------------------------------------------------------
    def __enter__(self) -> "GradientTape":
        self._push()
        return self

    def __exit__(self, *exc) -> None:
        if self._recording:
            self._pop()

    def _push(self) -> None:
        if self._recording:
            raise ValueError("Tape is still recording, This can happen if you try to re-enter an "
                             "already-active tape.")
        state.tapes = state.tapes + (self,)
        self._recording = True

    def _pop(self) -> None:
        state.tapes = tuple(t for t in state.tapes if t is not self)
        self._recording = False

    # ---- what dispatch and variables call ------------------------------------------------------
    def record(self, prim, inputs, attrs, outputs) -> None:
        watched = self._watched
        for x in inputs:
            if id(x) in watched:
                break
        else:
            return
        outs = outputs if type(outputs) is tuple else (outputs,)
        self._entries.append(TapeEntry(prim, inputs, attrs, outs))
        for o in outs:
            if o.dtype._kind in _DIFFERENTIABLE_KINDS:
                watched[id(o)] = o

    def variable_read(self, variable: Variable, value: Tensor) -> None:
        key = id(variable)
        if key in self._watched_vars or (self._watch_accessed_variables and variable.trainable
                                         and _trainable_dtype(variable.dtype)):
            self._watched_vars[key] = variable
            self._watched[id(value)] = value
            self._var_reads.setdefault(key, []).append(value)

    # ---- public API -----------------------------------------------------------------------------
    def watch(self, tensor) -> None:
        """Ensures `tensor` (a tensor, variable or nested structure of them) is traced by this tape."""
        for t in flatten(tensor):
            if isinstance(t, Variable):
                if not _trainable_dtype(t.dtype):
                    logging.warning("The dtype of the watched tensor must be floating (e.g. tf.float32), "
                                    "got %r", t.dtype)
                self._watched_vars[id(t)] = t
            elif isinstance(t, Tensor):
                if not _trainable_dtype(t.dtype):
                    logging.warning("The dtype of the watched tensor must be floating (e.g. tf.float32), "
                                    "got %r", t.dtype)
                self._watched[id(t)] = t
            else:
                raise ValueError(f"Passed in object {t} of type {type(t).__name__!r}, not tf.Tensor "
                                 f"or tf.Variable or ExtensionType.")

    def watched_variables(self) -> tuple:
        return tuple(self._watched_vars.values())

    def stop_recording(self):
        """A context manager in which ops are not recorded by this tape."""
        return _StopRecording(self)

    def reset(self) -> None:
        """Clears everything recorded so far (the tape keeps recording if it was)."""
        self._reset_state()

    def gradient(self, target, sources, output_gradients=None,
                 unconnected_gradients="none") -> Any:
        """Computes the gradient of `target` (summed over its elements and list items) w.r.t. `sources`."""
        if self._used and not self._persistent:
            raise RuntimeError("A non-persistent GradientTape can only be used to compute one set of "
                               "gradients (or jacobians)")
        if self._recording and not self._persistent:
            logging.warning("Calling GradientTape.gradient on a persistent tape inside its context is "
                            "significantly less efficient than calling it outside the context.")
        unconnected = _unconnected_mode(unconnected_gradients)
        flat_sources = flatten(sources)
        for s in flat_sources:
            if s is None:  # TF fails converting None's dtype
                raise TypeError("Cannot convert the argument `type_value`: None to a TensorFlow DType.")
            if not isinstance(s, (Tensor, Variable)):
                raise AttributeError(f"{type(s).__name__!r} object has no attribute '_id'")
        flat_targets = [convert_to_tensor(t) if isinstance(t, Variable) else t for t in flatten(target)]
        seeds = None if output_gradients is None else [
            None if g is None else convert_to_tensor(g) for g in flatten(output_gradients)]
        was_recording = self._recording
        if was_recording:
            self._pop()  # the backward pass is not recorded on this tape (outer tapes do record it)
        try:
            grads = backprop.run(self._entries, flat_targets, seeds, [self._source_ids(s) for s in
                                                                        flat_sources])
        finally:
            if was_recording:
                self._push()
        if not self._persistent:
            self._used = True
            self._entries = []  # release the forward pass's tensors (watched_variables() still works)
            self._watched = {}
            self._var_reads = {}
        result = []
        for s, g in zip(flat_sources, grads):
            if g is None and unconnected == "zero":
                g = backprop.zeros_for(s)
            result.append(g)
        return pack_sequence_as(sources, result)

    def _source_ids(self, source) -> list:
        if isinstance(source, Variable):
            return [id(t) for t in self._var_reads.get(id(source), ())]
        return [id(source)]

    def jacobian(self, target, sources, unconnected_gradients="none", parallel_iterations=None,
                 experimental_use_pfor=True):
        """The Jacobian of `target` w.r.t. `sources`: shape target.shape + source.shape."""
        return backprop.jacobian(self, target, sources, unconnected_gradients)

    def batch_jacobian(self, target, source, unconnected_gradients="none", parallel_iterations=None,
                       experimental_use_pfor=True):
        """Per-example Jacobians: shape [batch] + target.shape[1:] + source.shape[1:]."""
        return backprop.batch_jacobian(self, target, source, unconnected_gradients)


class _StopRecording:
    def __init__(self, tape: GradientTape):
        self._tape = tape
        self._was = False

    def __enter__(self):
        self._was = self._tape._recording
        if self._was:
            self._tape._pop()

    def __exit__(self, *exc):
        if self._was:
            self._tape._push()


class UnconnectedGradients(enum.Enum):
    """How `gradient` reports sources the target does not depend on: None or zeros (an Enum, as in TF)."""

    NONE = "none"
    ZERO = "zero"


def _unconnected_mode(value) -> str:
    value = getattr(value, "value", value)
    if value not in ("none", "zero"):
        raise ValueError(f"Unknown value for unconnected_gradients: {value!r}")
    return value
