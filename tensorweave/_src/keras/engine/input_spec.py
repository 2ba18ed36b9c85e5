"""`tf.keras.layers.InputSpec` and the input checks a layer runs before `build` and `call`."""

from __future__ import annotations

from tensorweave._src.api_export import tf_export
from tensorweave._src.util import nest


@tf_export("keras.layers.InputSpec")
class InputSpec:
    """What a layer accepts: dtype, exact shape, ndim / min_ndim / max_ndim, and fixed axes sizes."""

    def __init__(self, dtype=None, shape=None, ndim=None, max_ndim=None, min_ndim=None, axes=None,
                 allow_last_axis_squeeze=False, name=None, optional=False):
        self.dtype = dtype
        self.shape = None if shape is None else tuple(shape)
        self.ndim = len(shape) if shape is not None else ndim
        self.max_ndim = max_ndim
        self.min_ndim = min_ndim
        self.name = name
        self.allow_last_axis_squeeze = allow_last_axis_squeeze
        self.optional = optional
        self.axes = {int(k): v for k, v in (axes or {}).items()}

    def __repr__(self) -> str:
        parts = [f"{k}={v}" for k, v in (("dtype", self.dtype), ("shape", self.shape), ("ndim", self.ndim),
                                          ("max_ndim", self.max_ndim), ("min_ndim", self.min_ndim),
                                          ("axes", self.axes or None)) if v]
        return f"InputSpec({', '.join(parts)})"

    def get_config(self) -> dict:
        return {"dtype": self.dtype, "shape": self.shape, "ndim": self.ndim, "max_ndim": self.max_ndim,
                "min_ndim": self.min_ndim, "axes": self.axes}


def assert_input_compatibility(input_spec, inputs, layer_name: str) -> None:
    """Raises TF's ValueError when `inputs` do not meet `input_spec` (a spec or list of specs)."""
    if not input_spec:
        return
    specs = nest.flatten(input_spec)
    if isinstance(inputs, dict) and not isinstance(input_spec, dict):
        names = [getattr(spec, "name", None) for spec in specs]
        if all(names):
            inputs = [inputs.get(name) for name in names]
    flat = nest.flatten(inputs)
    if len(flat) != len(specs):
        raise ValueError(f'Layer "{layer_name}" expects {len(specs)} input(s), but it received {len(flat)} '
                         f"input tensors. Inputs received: {flat}")
    for i, (x, spec) in enumerate(zip(flat, specs)):
        if spec is None or not hasattr(x, "shape"):
            continue
        shape = x.shape
        rank = shape.rank
        if rank is None:
            continue
        if spec.ndim is not None and not spec.allow_last_axis_squeeze and rank != spec.ndim:
            raise ValueError(f'Input {i} of layer "{layer_name}" is incompatible with the layer: expected '
                             f"ndim={spec.ndim}, found ndim={rank}. Full shape received: "
                             f"{_shape_text(shape)}")
        if spec.max_ndim is not None and rank > spec.max_ndim:
            raise ValueError(f'Input {i} of layer "{layer_name}" is incompatible with the layer: expected '
                             f"max_ndim={spec.max_ndim}, found ndim={rank}")
        if spec.min_ndim is not None and rank < spec.min_ndim:
            raise ValueError(f'Input {i} of layer "{layer_name}" is incompatible with the layer: expected '
                             f"min_ndim={spec.min_ndim}, found ndim={rank}. Full shape received: "
                             f"{_shape_text(shape)}")
        dims = shape.as_list()
        for axis, value in spec.axes.items():
            if value is not None and -rank <= axis < rank and dims[axis] not in (None, value):
                raise ValueError(f'Input {i} of layer "{layer_name}" is incompatible with the layer: expected '
                                 f"axis {axis} of input shape to have value {value}, but received input with "
                                 f"shape {_shape_text(shape)}")
        if spec.shape is not None:
            want_dims, got_dims = list(spec.shape), list(dims)
            if spec.allow_last_axis_squeeze:
                if got_dims and got_dims[-1] == 1:
                    got_dims = got_dims[:-1]
                if want_dims and want_dims[-1] == 1:
                    want_dims = want_dims[:-1]
            for want, got in zip(want_dims, got_dims):
                if want is not None and got is not None and want != got:
                    raise ValueError(f'Input {i} of layer "{layer_name}" is incompatible with the layer: '
                                     f"expected shape={spec.shape}, found shape={_shape_text(shape)}")


def _shape_text(shape) -> str:
    return str(tuple(shape.as_list()))
