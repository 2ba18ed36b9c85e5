"""Fused kernels that graph passes (graph/passes/fusion.py) put in place of chains of ops.

Each fused primitive also emits its own code for the graph executor (`emit`), so a fused node shows up
in `ConcreteFunction.source` as readable torch calls rather than an opaque kernel call. The passes that
create these nodes stay torch-free: they describe the work with op-type names, and the code here turns
that into torch calls.
"""

from tensorweave._src.ops.fused.elementwise import BINARY, FUSIBLE_DTYPES, UNARY, Steps, fused_elementwise_p
from tensorweave._src.ops.fused.matmul import fused_matmul_p

__all__ = ["BINARY", "FUSIBLE_DTYPES", "UNARY", "Steps", "fused_elementwise_p", "fused_matmul_p"]
