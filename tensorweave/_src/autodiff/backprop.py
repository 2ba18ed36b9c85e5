"""The backward pass over a tape's recorded ops, and Jacobians built on it.

Gradient rules (`Primitive.grad`) get `(op, *output_grads)` and return one gradient per input (or
None). Broadcasting is undone here, once, for every op: a rule may return its gradient in the
broadcast (output) shape and it is summed back to the input's shape.
"""

from __future__ import annotations

from tensorweave._src.api_export import EXPORTS
from tensorweave._src.core import dtypes as _dt
from tensorweave._src.core.context import state
from tensorweave._src.core.tensor import EagerTensor, Tensor
from tensorweave._src.framework.indexed_slices import aggregate


def _op(name: str):
    return EXPORTS[name]


_DIFFERENTIABLE = frozenset(d for d in _dt.ALL if d.is_floating or d.is_complex) | {_dt.variant}


def _differentiable(dtype: _dt.DType) -> bool:
    return dtype in _DIFFERENTIABLE  # variant: TensorList gradients


def zeros_for(source):
    return _op("zeros_like")(source.value() if hasattr(source, "_as_tensor") else source)


def run(entries, targets, seeds, sources) -> list:
    """Gradients of sum(targets) (weighted by `seeds`) for each list of source tensor ids in `sources`."""
    grads: dict[int, object] = {}
    for i, t in enumerate(targets):
        if not isinstance(t, Tensor):
            raise ValueError(f"Target {t!r} is not a tensor")
        seed = seeds[i] if seeds is not None and seeds[i] is not None else _unrecorded_ones_like(t)
        _accumulate(grads, t, seed)
    wanted = {i for ids in sources for i in ids}
    relevant, live = _relevant(entries, wanted)
    zeros_like = _op("zeros_like")
    for entry in reversed(relevant):
        outs = entry.outputs
        if len(outs) == 1:  # the common case, without building lists
            dy = grads.get(id(outs[0]))
            if dy is None:
                continue
            dys = (_dense(dy),)
        else:
            dys = [grads.get(id(o)) for o in outs]
            if all(d is None for d in dys):
                continue
            # rules get dense gradients (an IndexedSlices reaching a rule is densified here, once)
            dys = [_dense(d) if d is not None else zeros_like(o) for d, o in zip(dys, outs)]
        rule = entry.prim.grad
        if rule is None:
            raise LookupError(f"gradient registry has no entry for: {entry.prim.name}")
        # rules may skip inputs no source depends on (e.g. a matmul's data input), as TF's skip indices
        entry.live = live
        in_grads = rule(entry, *dys)
        if not isinstance(in_grads, (list, tuple)):
            in_grads = (in_grads,)
        for x, g in zip(entry.inputs, in_grads):
            if g is None or x.dtype not in _DIFFERENTIABLE:
                continue
            g = unbroadcast(g, x)
            key = id(x)
            if key in grads:
                _accumulate(grads, x, g)
            else:
                grads[key] = g
    out = []
    for ids in sources:
        parts = [grads[i] for i in ids if i in grads]
        out.append(aggregate(parts) if parts else None)
    return out


def _unrecorded_ones_like(t):
    """The default seed: a constant, so no tape needs to see it being made."""
    saved = state.tapes
    state.tapes = ()
    try:
        return _op("ones_like")(t)
    finally:
        state.tapes = saved


def _relevant(entries, wanted: set):
    """The entries downstream of a wanted source (others cannot contribute to its gradient), and the ids of
    every tensor that depends on a source."""
    live = set(wanted)
    kept = []
    for e in entries:
        for x in e.inputs:
            if id(x) in live:
                kept.append(e)
                for o in e.outputs:
                    live.add(id(o))
                break
    return kept, live



def _accumulate(grads: dict, x, g) -> None:
    key = id(x)
    prev = grads.get(key)
    if prev is None:
        grads[key] = g
    elif x.dtype is _dt.variant:  # two gradients of a TensorList: AddN sums them elementwise
        grads[key] = _op("add_n")([prev, g])
    else:
        grads[key] = aggregate([g, prev])  # IndexedSlices concatenate, as TF's eager backprop does


def _dense(g):
    if type(g) is EagerTensor:
        return g
    convert = getattr(g, "_as_dense", None)
    return convert() if convert is not None else g


def unbroadcast(g, x):
    """Sums `g` over the dimensions along which `x` was broadcast, giving it `x`'s shape."""
    if type(g) is EagerTensor and type(x) is EagerTensor:  # eager: sizes straight from the values
        gd, xd, known = list(g._value.shape), list(x._value.shape), True
        if gd == xd:
            return g
    elif hasattr(g, "_as_dense"):
        return g  # IndexedSlices already have the input's dense shape
    else:
        gs, xs = g.shape, x.shape
        if gs.rank is None or xs.rank is None:
            raise ValueError(f"Cannot undo broadcasting for a gradient of unknown rank (input shape {xs}, "
                             f"gradient shape {gs})")
        gd, xd, known = gs.as_list(), xs.as_list(), xs.is_fully_defined()
        if gd == xd and gs.is_fully_defined():
            return g
    lead = len(gd) - len(xd)
    # Axes along which x was broadcast: the extra leading ones, and those where x has size 1 and the
    # gradient does not. An unknown size in x is taken as unbroadcast (as for a batch dimension).
    axes = list(range(lead)) + [lead + i for i, d in enumerate(xd) if d == 1 and gd[lead + i] != 1]
    if axes and axes[-1] < lead and known:
        return _op("reduce_sum")(g, axis=axes)  # only leading axes (a bias): one op, no reshape
    if axes:
        g = _op("reduce_sum")(g, axis=axes, keepdims=True)
    if not axes and lead == 0:
        return g
    return _op("reshape")(g, xd if known else _op("shape")(x))


def jacobian(tape, target, sources, unconnected_gradients):
    """Row by row: the gradient of each target element, stacked into target.shape + source.shape."""
    from tensorweave._src.util.nest import flatten, pack_sequence_as

    flat_sources = flatten(sources)
    n = target.shape.num_elements()
    rows = [[] for _ in flat_sources]
    persistent = tape._persistent
    tape._persistent = True  # one gradient call per target element
    try:
        for i in range(n):
            seed = _op("reshape")(_op("one_hot")(i, n, dtype=target.dtype), target.shape.as_list())
            gs = tape.gradient(target, flat_sources, output_gradients=[seed],
                               unconnected_gradients=unconnected_gradients)
            for r, g in zip(rows, gs):
                r.append(g)
    finally:
        tape._persistent = persistent
        if not persistent:
            tape._used = True
    result = []
    for s, r in zip(flat_sources, rows):
        if any(g is None for g in r):
            result.append(None)
            continue
        stacked = _op("stack")([_dense(g) for g in r])
        result.append(_op("reshape")(stacked, target.shape.as_list() + s.shape.as_list()))
    return pack_sequence_as(sources, result)


def batch_jacobian(tape, target, source, unconnected_gradients):
    """Per-example Jacobians: row j of example b is d target[b, j] / d source[b]."""
    batch = target.shape[0]
    m = target.shape.num_elements() // batch
    persistent = tape._persistent
    tape._persistent = True
    cols = []
    try:
        for j in range(m):
            seed = _op("reshape")(_op("one_hot")(_op("fill")([batch], j), m, dtype=target.dtype),
                                  target.shape.as_list())
            g = tape.gradient(target, source, output_gradients=seed,
                              unconnected_gradients=unconnected_gradients)
            if g is None:
                return None
            cols.append(_dense(g))
    finally:
        tape._persistent = persistent
        if not persistent:
            tape._used = True
    stacked = _op("stack")(cols, axis=1)
    return _op("reshape")(stacked, [batch] + target.shape.as_list()[1:] + source.shape.as_list()[1:])
