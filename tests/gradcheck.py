"""Numerical gradient checks: the tape's gradient of sum(f(*xs) * w) against central differences.

    check_gradients(lambda x, y: x * y, [np.random.rand(2, 3), np.random.rand(3)])

Inputs are float64 numpy arrays (made tensors here); the random weights `w` make every output element
matter. Used by the per-op gradient table and the hypothesis tests.
"""

from __future__ import annotations

import numpy as np

import tensorweave as tf


def _scalar_objective(f, xs, weights):
    out = f(*xs)
    outs = out if isinstance(out, (list, tuple)) else [out]
    total = tf.constant(0.0, dtype=tf.float64)
    for o, w in zip(outs, weights):
        o = tf.cast(o, tf.float64)
        total = total + tf.reduce_sum(o * w)
    return total


def _weights_for(f, arrays, rng):
    out = f(*[tf.constant(a) for a in arrays])
    outs = out if isinstance(out, (list, tuple)) else [out]
    return [tf.constant(rng.uniform(0.5, 1.5, size=np.asarray(o).shape)) for o in outs]


def tape_gradients(f, arrays, weights):
    xs = [tf.constant(a) for a in arrays]
    with tf.GradientTape() as tape:
        tape.watch(xs)
        y = _scalar_objective(f, xs, weights)
    return [None if g is None else np.asarray(tf.convert_to_tensor(g)) for g in tape.gradient(y, xs)]


def numeric_gradients(f, arrays, weights, eps: float = 1e-6):
    grads = []
    for i, a in enumerate(arrays):
        g = np.zeros_like(a, dtype=np.float64)
        flat = g.reshape(-1)
        for j in range(a.size):
            plus = [x.copy() for x in arrays]
            minus = [x.copy() for x in arrays]
            plus[i].reshape(-1)[j] += eps
            minus[i].reshape(-1)[j] -= eps
            fp = float(_scalar_objective(f, [tf.constant(x) for x in plus], weights))
            fm = float(_scalar_objective(f, [tf.constant(x) for x in minus], weights))
            flat[j] = (fp - fm) / (2 * eps)
        grads.append(g)
    return grads


def check_gradients(f, arrays, rtol: float = 1e-5, atol: float = 1e-6, seed: int = 0) -> None:
    """Asserts the tape's gradients of `f` at float64 `arrays` match central differences."""
    rng = np.random.default_rng(seed)
    arrays = [np.asarray(a, dtype=np.float64) for a in arrays]
    weights = _weights_for(f, arrays, rng)
    analytic = tape_gradients(f, arrays, weights)
    numeric = numeric_gradients(f, arrays, weights)
    for i, (a, n) in enumerate(zip(analytic, numeric)):
        assert a is not None, f"input {i}: the tape gave no gradient"
        np.testing.assert_allclose(a, n, rtol=rtol, atol=atol, err_msg=f"gradient of input {i}")
