"""`tf.config.optimizer.set_experimental_options` / `get_experimental_options`: switches for the passes.

TF's grappler option names map onto the passes as follows (an option left unset means on):

- `constant_folding`: constant folding.
- `arithmetic_optimization`: common-subexpression elimination and arithmetic simplification.
- `dependency_optimization`: Identity / StopGradient / EnsureShape removal.
- `remapping`: fusion (MatMul + bias + Relu, elementwise groups).
- `disable_model_pruning`: True turns dead-node pruning off.
- `disable_meta_optimizer`: True turns every pass off.
- `min_graph_nodes`: graphs with fewer nodes are not optimized.

Options apply to functions traced after they are set (as in TF, graphs already traced keep theirs).
Unknown keys are ignored, as TF does.
"""

from __future__ import annotations

from tensorweave._src.api_export import tf_export

KNOWN = ("layout_optimizer", "constant_folding", "shape_optimization", "remapping", "arithmetic_optimization",
         "dependency_optimization", "loop_optimization", "function_optimization", "debug_stripper",
         "disable_model_pruning", "scoped_allocator_optimization", "pin_to_host_optimization",
         "implementation_selector", "auto_mixed_precision", "disable_meta_optimizer", "min_graph_nodes",
         "auto_parallel")
_DEFAULTS = {"disable_model_pruning": False, "disable_meta_optimizer": False}
_options: dict = {}


@tf_export("config.optimizer.set_experimental_options")
def set_experimental_options(options) -> None:
    """Sets graph optimizer options (a dict such as `{"constant_folding": False}`); see the module doc."""
    for key, value in dict(options).items():
        if key in KNOWN:
            _options[key] = value


@tf_export("config.optimizer.get_experimental_options")
def get_experimental_options() -> dict:
    """The options set so far, plus `disable_model_pruning` and `disable_meta_optimizer`."""
    out = dict(_options)
    for key, value in _DEFAULTS.items():
        out.setdefault(key, value)
    return out


def enabled(key: str) -> bool:
    """Whether a pass switched by grappler option `key` runs."""
    if _options.get("disable_meta_optimizer"):
        return False
    if key == "disable_model_pruning":
        return not _options.get(key, False)
    return _options.get(key, True) is not False
