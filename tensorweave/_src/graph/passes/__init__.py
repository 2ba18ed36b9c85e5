"""Graph optimization passes over the IR (graph/ir.py), run on every traced function before it is
compiled (function.py). Each pass is a module with a function `pass(graph) -> changed` that rewrites a
graph in place:

- prune.py: dead-node pruning;
- constant_folding.py: constant folding (size-limited);
- cse.py: common-subexpression elimination;
- identity.py: Identity / StopGradient / EnsureShape removal;
- arithmetic.py: arithmetic simplification (x*1, x+0, transpose pairs, reshape pairs, same-dtype casts);
- fusion.py: MatMul+bias(+Relu) and elementwise-group fusion (kernels in ops/fused/).

`optimize(graph)` copies the graph (the traced graph stays as it was: it is what runs under a gradient
tape and what `ConcreteFunction.graph` shows), runs the simplifying passes to a fixed point, then the
fusions once, and returns the copy. `tf.config.optimizer.set_experimental_options` switches passes off
(options.py). Passes touch only pure nodes (_util.py): anything stateful, and control-flow nodes with
subgraphs in their attrs, keep their place.

>>> import tensorweave as tf
>>> @tf.function
... def f(x):
...     return tf.tanh(tf.identity(x) * 1.0 + 2.0) * 3.0
>>> print(f.get_concrete_function(tf.TensorSpec([4], tf.float32)).source)
def fused3(x0, x1, x2):  # AddV2, Tanh, Mul
    v0 = torch.add(x0, x1)
    v0.tanh_()
    v0.mul_(x2)
    return v0
<BLANKLINE>
def graph_fn(in0):
    t1_0 = c1  # Const_1
    t2_0 = c2  # Const_2
    t3_0 = fused3(in0, t1_0, t2_0)  # Mul_1
    return (t3_0,)
<BLANKLINE>
"""

from __future__ import annotations

from tensorweave._src.graph.passes import options
from tensorweave._src.graph.passes._util import copy_graph
from tensorweave._src.graph.passes.arithmetic import simplify_arithmetic
from tensorweave._src.graph.passes.constant_folding import fold_constants
from tensorweave._src.graph.passes.cse import eliminate_common_subexpressions
from tensorweave._src.graph.passes.fusion import fuse_elementwise, fuse_matmul_bias
from tensorweave._src.graph.passes.identity import remove_identities
from tensorweave._src.graph.passes.prune import prune

MAX_ROUNDS = 10

# (grappler option that switches it, pass), in the order one round runs them
SIMPLIFY = (
    ("dependency_optimization", remove_identities),
    ("arithmetic_optimization", simplify_arithmetic),
    ("constant_folding", fold_constants),
    ("arithmetic_optimization", eliminate_common_subexpressions),
    ("disable_model_pruning", prune),
)
FUSE = (
    ("remapping", fuse_matmul_bias),
    ("remapping", fuse_elementwise),
)


def optimize(graph, passes=None):
    """An optimized copy of `graph`. `passes` (a list of pass functions) overrides the options-selected
    pipeline: the simplifying ones among them run to a fixed point, then the fusions, in the order given."""
    if passes is None:
        if not options.enabled("any"):
            return graph
        min_nodes = options.get_experimental_options().get("min_graph_nodes")
        if isinstance(min_nodes, int) and 0 < len(graph.nodes) < min_nodes:
            return graph
        passes = [p for key, p in SIMPLIFY + FUSE if options.enabled(key)]
    fusions = {p for _, p in FUSE}
    simplify = [p for p in passes if p not in fusions]
    fuse = [p for p in passes if p in fusions]
    graph = copy_graph(graph)
    for _ in range(MAX_ROUNDS):
        changed = False
        for p in simplify:
            changed = p(graph) or changed
        if not changed:
            break
    if any([p(graph) for p in fuse]) and prune in simplify:
        prune(graph)
    return graph


__all__ = ["optimize", "prune", "fold_constants", "eliminate_common_subexpressions", "remove_identities",
           "simplify_arithmetic", "fuse_matmul_bias", "fuse_elementwise"]
