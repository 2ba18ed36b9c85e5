"""Helpers for the pass tests: trace a function to its (unoptimized) graph, run graphs both ways."""

from __future__ import annotations

import re

import numpy as np

import tensorweave as tf
from tensorweave._src.graph import executor
from tensorweave._src.graph.passes._util import copy_graph


def trace(fn, *specs):
    """The traced, unoptimized graph of `fn` for these TensorSpecs (or tensors)."""
    return tf.function(fn, autograph=False).get_concrete_function(*specs).graph


def apply(graph, *passes):
    """A copy of `graph` with `passes` applied once each, in order."""
    g = copy_graph(graph)
    for p in passes:
        p(g)
    return g


def text(graph) -> str:
    """`graph.as_text()` without Const values and Placeholder attrs (whose reprs depend on torch)."""
    lines = []
    for line in graph.as_text().splitlines():
        if "= Const(" in line or "= Placeholder(" in line:
            line = re.sub(r" \{.*\} ->", " ->", line)
        lines.append(line)
    return "\n".join(lines)


def types(graph) -> list:
    return [n.type for n in graph.nodes]


def check_same(original, optimized, *inputs, rtol=1e-6, atol=1e-6):
    """The compiled optimized graph computes what the reference interpreter computes on the original."""
    inputs = [tf.constant(x) if not isinstance(x, tf.Tensor) else x for x in inputs]
    want = executor.interpret(original, inputs)
    got = executor.run_compiled(executor.compile_graph(optimized), inputs)
    assert len(want) == len(got)
    for w, g in zip(want, got):
        assert w.dtype == g.dtype
        np.testing.assert_allclose(g.numpy(), w.numpy(), rtol=rtol, atol=atol, equal_nan=True)
    return got
