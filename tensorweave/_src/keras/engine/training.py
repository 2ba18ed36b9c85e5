"""`tf.keras.Model`: a Layer with `layers`, `summary`, `get_layer` (training APIs live beside it).

`keras.Model(inputs, outputs)` builds a functional model; subclasses define `call` themselves.
"""

from __future__ import annotations

from tensorweave._src.api_export import tf_export
from tensorweave._src.keras.engine.base_layer import Layer
from tensorweave._src.keras.engine.training_loop import TrainingMixin


@tf_export("keras.Model", "keras.models.Model")
class Model(TrainingMixin, Layer):
    """A layer with training and inspection APIs; `Model(inputs, outputs)` gives a functional model."""

    def __new__(cls, *args, **kwargs):
        if cls is Model and (len(args) >= 2 or "inputs" in kwargs or "outputs" in kwargs):
            from tensorweave._src.keras.engine.functional import Functional  # Functional subclasses Model

            return Functional.__new__(Functional, *args, **kwargs)
        return super().__new__(cls, *args, **kwargs)

    def __init__(self, *args, **kwargs):
        if type(self) is Model and (len(args) >= 2 or "inputs" in kwargs):
            return  # __new__ made a Functional, whose own __init__ ran
        from tensorweave._src.keras.engine.functional import Functional

        functional_args = len(args) >= 2 or ("inputs" in kwargs and "outputs" in kwargs)
        if functional_args and not isinstance(self, Functional):
            # a Model subclass constructed with (inputs, outputs): Keras makes its class functional
            _inject_functional_model_class(type(self), Functional)
            allowed = ("inputs", "outputs", "name", "trainable")
            Functional.__init__(self, *args, **{k: v for k, v in kwargs.items() if k in allowed})
            return
        from tensorweave._src.keras import backend
        from tensorweave._src.module.module import camel_to_snake

        name = kwargs.pop("name", None)
        trainable = kwargs.pop("trainable", True)
        if name is None:
            base = "model" if type(self).__name__ in ("Model", "Functional") else camel_to_snake(
                type(self).__name__)
            name = backend.unique_object_name(base)
        super().__init__(name=name, trainable=trainable, **kwargs)
        self._is_graph_network = False
        self.inputs = None
        self.outputs = None
        self.compiled = False
        self.optimizer = None
        self.history = None
        self.stop_training = False

    def call(self, inputs, training=None, mask=None):
        raise NotImplementedError("Unimplemented `tf.keras.Model.call()`: if you intend to create a `Model` "
                                  "with the Functional API, please provide `inputs` and `outputs` arguments. "
                                  "Otherwise, subclass `Model` with an overridden `call()` method.")

    @property
    def weights(self) -> list:
        """A model's weights layer by layer (each layer's trainable then non-trainable ones), then its own;
        an unbuilt model whose class defines `build` (Sequential) has none yet and says so, as Keras 2."""
        if not self.built and type(self).build is not Model.build:
            raise ValueError(f"Weights for model '{self.name}' have not yet been created. Weights are "
                             f"created when "
                             f"the model is first called on inputs or `build()` is called with an "
                             f"`input_shape`.")
        out = []
        for layer in self._flatten_layers(recursive=False):
            out += layer.weights
        out += self._trainable_weights + self._non_trainable_weights
        seen, unique = set(), []
        for w in out:
            if id(w) not in seen:
                seen.add(id(w))
                unique.append(w)
        return unique

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        """`keras.Model.from_config`: a functional config (with `input_layers`) rebuilds a Functional model;
        otherwise the (subclassed) model's constructor gets the config."""
        if "input_layers" in config and "output_layers" in config:
            from tensorweave._src.keras.engine.functional import Functional
            from tensorweave._src.keras.engine.serialization import functional_from_config

            return functional_from_config(Functional if cls is Model else cls, config, custom_objects)
        return cls(**config)

    def get_layer(self, name: str | None = None, index: int | None = None) -> Layer:
        """A sub-layer by name or by index in `layers`."""
        if index is not None and name is not None:
            raise ValueError(f"Provide only a layer name or a layer index. Received: index={index}, "
                             f"name={name}.")
        if index is not None:
            if len(self.layers) <= index:
                raise ValueError(f"Was asked to retrieve layer at index {index} but model only has "
                                 f"{len(self.layers)} layers.")
            return self.layers[index]
        if name is not None:
            for layer in self.layers:
                if layer.name == name:
                    return layer
            raise ValueError(f"No such layer: {name}. Existing layers are: {[la.name for la in self.layers]}.")
        raise ValueError("Provide either a layer name or layer index at `get_layer`.")

    def save_weights(self, filepath, overwrite: bool = True, save_format=None, options=None) -> None:
        """Writes the weights, in `weights` order and keyed by variable name, to `filepath` (numpy .npz
        container; TF checkpoints come with tf.train.Checkpoint)."""
        import os

        import numpy as np

        filepath = os.fspath(filepath)
        if not overwrite and os.path.exists(filepath):
            return
        directory = os.path.dirname(filepath)
        if directory:
            os.makedirs(directory, exist_ok=True)
        arrays = {f"{i:05d}:{w.name}": w.numpy() for i, w in enumerate(self.weights)}
        with open(filepath, "wb") as f:
            np.savez(f, **arrays)

    def load_weights(self, filepath, skip_mismatch: bool = False, by_name: bool = False, options=None):
        """Restores weights written by `save_weights` (same architecture, same order)."""
        import os

        import numpy as np

        with open(os.fspath(filepath), "rb") as f:
            data = np.load(f)
            arrays = [data[k] for k in sorted(data.files)]
        if len(arrays) != len(self.weights):
            raise ValueError(f"Weight count mismatch: the file has {len(arrays)} weights, the model "
                             f"{len(self.weights)}.")
        self.set_weights(arrays)

    def summary(self, line_length=None, positions=None, print_fn=None, expand_nested=False,
                show_trainable=False, layer_range=None) -> None:
        """Prints the Keras 2 table: Layer (type) / Output Shape / Param #, then the parameter totals."""
        from tensorweave._src.keras.utils.layer_utils import print_summary

        if not self.built:
            raise ValueError("This model has not yet been built. Build the model first by calling `build()` "
                             "or by calling the model on a batch of data.")
        print_summary(self, line_length=line_length, positions=positions, print_fn=print_fn,
                      expand_nested=expand_nested, show_trainable=show_trainable)

    def _build_on_first_call(self, input_shape) -> None:
        """A model's sub-layers build themselves when `call` first runs; only a user `build` runs here."""
        if type(self).build is not Model.build:
            self.build(input_shape)

    def build(self, input_shape) -> None:
        """Builds the model by calling it on a placeholder of `input_shape` (subclassed models)."""
        if self._is_graph_network:
            self.built = True
            return
        from tensorweave._src.keras.engine.functional_call import infer_output_shape

        if input_shape is None:
            raise ValueError("Input shape must be defined when calling `build()` on a `Model` subclass.")
        self.built = True
        infer_output_shape(self, input_shape)


def _inject_functional_model_class(cls, functional_cls) -> None:
    """Replaces `Model` by `Functional` among the bases of `cls` (or of its ancestors), as Keras 2 does for
    a subclass built with `super().__init__(inputs, outputs)`."""
    if cls is Model:
        return
    if Model in cls.__bases__:
        cls.__bases__ = tuple(functional_cls if b is Model else b for b in cls.__bases__)
        return
    for base in cls.__bases__:
        if issubclass(base, Model) and base is not functional_cls and not issubclass(base, functional_cls):
            _inject_functional_model_class(base, functional_cls)
