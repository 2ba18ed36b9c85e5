"""Public exports of the autodiff layer."""

from tensorweave._src.api_export import export
from tensorweave._src.autodiff.tape import GradientTape, UnconnectedGradients

export("GradientTape", GradientTape)
export("autodiff.GradientTape", GradientTape)
export("UnconnectedGradients", UnconnectedGradients)
