"""`tf.keras.models.clone_model`: the same architecture with new layers (fresh weights).

>>> import tensorweave as tf
>>> m = tf.keras.Sequential([tf.keras.layers.Dense(2, input_shape=(3,))])
>>> c = tf.keras.models.clone_model(m)
>>> [l.name for l in c.layers] != [l.name for l in m.layers], c.count_params() == m.count_params()
(True, True)
"""

from __future__ import annotations

from tensorweave._src.api_export import tf_export
from tensorweave._src.keras.engine.functional import Functional
from tensorweave._src.keras.engine.input_layer import Input, InputLayer
from tensorweave._src.keras.engine.keras_tensor import KerasTensor
from tensorweave._src.keras.engine.sequential import Sequential
from tensorweave._src.keras.engine.training import Model
from tensorweave._src.util import nest


def _clone_layer(layer):
    return layer.__class__.from_config(layer.get_config())


def _clone_input_layer(layer):
    return InputLayer.from_config(layer.get_config())


def _clone_sequential(model, input_tensors, layer_fn):
    layers = []
    if model._input_layer is not None and input_tensors is None:
        layers.append(_clone_input_layer(model._input_layer))
    layers += [layer_fn(layer) for layer in model.layers]
    if input_tensors is None:
        return Sequential(layers=layers, name=model.name)
    flat = nest.flatten(input_tensors)
    if len(flat) != 1:
        raise ValueError(f"To clone a `Sequential` model, we expect at most one tensor as part of "
                         f"`input_tensors`. Received: input_tensors={input_tensors}")
    x = flat[0]
    if isinstance(x, KerasTensor):
        origin = x._keras_history.layer
        if not isinstance(origin, InputLayer):
            raise ValueError(f"Cannot clone a `Sequential` model on top of a tensor that comes from a "
                             f"TF-Keras "
                             f"layer other than an `InputLayer`. Use the Functional API instead. Received: "
                             f"input_tensors={input_tensors}")
        return Sequential(layers=[origin] + layers, name=model.name)
    raise ValueError("clone_model: `input_tensors` must be KerasTensors made by `tf.keras.Input`.")


def _clone_functional(model, input_tensors, layer_fn):
    from tensorweave._src.keras.engine.serialization import functional_config, functional_from_config

    if not callable(layer_fn):
        raise ValueError(f"Expected `layer_fn` argument to be a callable. Received: layer_fn={layer_fn}")
    new_inputs = {}
    if input_tensors is not None:
        for original, t in zip(model._input_layers, nest.flatten(input_tensors)):
            if not isinstance(t, KerasTensor):
                t = Input(batch_shape=tuple(t.shape.as_list()), dtype=t.dtype, name="input_wrapper_for_" +
                          original.name)
            new_inputs[id(original)] = t._keras_history.layer
    created = {}

    def copy_layer(layer):
        if id(layer) in new_inputs:
            created[layer.name] = new_inputs[id(layer)]
        elif any(layer is la for la in model._input_layers):
            created[layer.name] = _clone_input_layer(layer)
        else:
            created[layer.name] = layer_fn(layer)
        return {}

    config = functional_config(model, serialize_layer_fn=copy_layer)
    cls = type(model) if type(model) is Functional else Functional
    return functional_from_config(cls, config, created_layers=created)


@tf_export("keras.models.clone_model")
def clone_model(model, input_tensors=None, clone_function=None):
    """Clones a Functional or Sequential model: new layers from each layer's config (or `clone_function`),
    connected as in `model`; weights are freshly initialized, not copied."""
    layer_fn = clone_function or _clone_layer
    if isinstance(model, Sequential):
        return _clone_sequential(model, input_tensors, layer_fn)
    if not isinstance(model, Model):
        raise ValueError(f"Expected `model` argument to be a `Model` instance. Received: model={model}")
    if isinstance(model, Functional) and (type(model).get_config is Functional.get_config or clone_function or
                                          input_tensors is not None):
        return _clone_functional(model, input_tensors, layer_fn)
    if clone_function or input_tensors is not None:
        raise ValueError(f"Arguments clone_function and input_tensors are only supported for Sequential "
                         f"models or "
                         f"Functional models. Received model of type '{type(model).__name__}', with "
                         f"clone_function="
                         f"{clone_function} and input_tensors={input_tensors}")
    return type(model).from_config(model.get_config())  # a subclassed model: through its config
