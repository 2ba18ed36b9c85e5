"""Public exports of the autodiff layer."""

from tensorweave._src.api_export import export
from tensorweave._src.autodiff.custom_gradient import custom_gradient, recompute_grad
from tensorweave._src.autodiff.forward import ForwardAccumulator
from tensorweave._src.autodiff.tape import GradientTape, UnconnectedGradients

export("GradientTape", GradientTape)
export("autodiff.GradientTape", GradientTape)
export("UnconnectedGradients", UnconnectedGradients)
export("custom_gradient", custom_gradient)
export("recompute_grad", recompute_grad)
export("autodiff.ForwardAccumulator", ForwardAccumulator)
