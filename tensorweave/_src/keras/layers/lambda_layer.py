"""`tf.keras.layers.Lambda`: wraps an expression as a layer (`Lambda(lambda x: x ** 2)`).

Its config holds the function: a Python function (lambda or def) as marshalled bytecode (Keras 2's
`func_dump`), another callable by name, so `from_config` rebuilds it.

>>> import tensorweave as tf
>>> tf.keras.layers.Lambda(lambda x: x * 2)(tf.constant([1.0, 2.0])).numpy().tolist()
[2.0, 4.0]
"""

from __future__ import annotations

import codecs
import inspect
import marshal
import sys
import types

from tensorweave._src.api_export import tf_export
from tensorweave._src.core.shape import TensorShape
from tensorweave._src.keras.engine.base_layer import Layer
from tensorweave._src.util import nest


def func_dump(func):
    """`(base64 bytecode, defaults, closure values)` of a Python function."""
    code = codecs.encode(marshal.dumps(func.__code__), "base64").decode("ascii")
    closure = tuple(c.cell_contents for c in func.__closure__) if func.__closure__ else None
    return code, func.__defaults__, closure


def func_load(code, defaults=None, closure=None, globs=None):
    """The function `func_dump` described."""
    if isinstance(code, (tuple, list)):
        code, defaults, closure = code
        if isinstance(defaults, list):
            defaults = tuple(defaults)

    def cell(value):
        return (lambda: value).__closure__[0]

    if closure is not None:
        closure = tuple(cell(v) for v in closure)
    raw = codecs.decode(code.encode("ascii"), "base64")
    code = marshal.loads(raw)
    return types.FunctionType(
        code, globs if globs is not None else globals(), name=code.co_name, argdefs=defaults, closure=closure
    )


def _shapes(value):
    """Shape tuples / lists of them as TensorShapes."""
    if isinstance(value, TensorShape):
        return value
    if isinstance(value, (list, tuple)) and all(d is None or isinstance(d, int) for d in value):
        return TensorShape(value)
    if isinstance(value, (list, tuple)):
        return type(value)(_shapes(v) for v in value)
    return TensorShape(value)


@tf_export("keras.layers.Lambda")
class Lambda(Layer):
    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        self.arguments = arguments or {}
        self.function = function
        if mask is not None:
            self.supports_masking = True
        self.mask = mask
        self._output_shape = output_shape
        try:
            function_args = inspect.getfullargspec(function).args
        except TypeError:
            function_args = []
        self._fn_expects_training_arg = "training" in function_args
        self._fn_expects_mask_arg = "mask" in function_args

    def compute_output_shape(self, input_shape):
        if self._output_shape is None:
            return super().compute_output_shape(input_shape)
        if callable(self._output_shape):
            return _shapes(self._output_shape(input_shape))
        input_tensor_shape = _shapes(input_shape)
        batch_size = nest.flatten(input_tensor_shape)[0][0] if input_shape else None

        def add_batch(shape):
            return TensorShape([batch_size] + shape.as_list())

        output = _shapes(self._output_shape)
        return (
            add_batch(output)
            if isinstance(output, TensorShape)
            else type(output)(add_batch(s) for s in output)
        )

    def call(self, inputs, mask=None, training=None):
        kwargs = dict(self.arguments)
        if self._fn_expects_mask_arg:
            kwargs["mask"] = mask
        if self._fn_expects_training_arg:
            kwargs["training"] = training
        return self.function(inputs, **kwargs)

    def compute_mask(self, inputs, mask=None):
        if callable(self.mask):
            return self.mask(inputs, mask)
        return self.mask

    @staticmethod
    def _serialize_function_to_config(inputs, allow_raw=False):
        if isinstance(inputs, types.LambdaType):  # every Python function, as in Keras 2
            return func_dump(inputs), "lambda", inputs.__module__
        if callable(inputs):
            return inputs.__name__, "function", inputs.__module__
        if allow_raw:
            return inputs, "raw", None
        raise ValueError(f"Invalid input for serialization, type: {type(inputs)} ")

    def get_config(self) -> dict:
        function_config = self._serialize_function_to_config(self.function)
        output_shape_config = self._serialize_function_to_config(self._output_shape, allow_raw=True)
        config = super().get_config()
        config.update(
            {
                "function": function_config[0],
                "function_type": function_config[1],
                "module": function_config[2],
                "output_shape": output_shape_config[0],
                "output_shape_type": output_shape_config[1],
                "output_shape_module": output_shape_config[2],
            }
        )
        if self.mask is not None:
            mask_config = self._serialize_function_to_config(self.mask)
            config.update(
                {"mask": mask_config[0], "mask_type": mask_config[1], "mask_module": mask_config[2]}
            )
        config["arguments"] = self.arguments
        return config

    @classmethod
    def _parse_function_from_config(
        cls, config, custom_objects, func_attr_name, module_attr_name, func_type_attr_name
    ):
        globs = globals().copy()
        module = config.pop(module_attr_name, None)
        if module in sys.modules:
            globs.update(sys.modules[module].__dict__)
        if custom_objects:
            globs.update(custom_objects)
        function_type = config.pop(func_type_attr_name)
        if function_type == "function":
            name = config[func_attr_name]
            if name in globs:
                return globs[name]
            from tensorweave._src.keras import activations

            return activations.deserialize(name, custom_objects)
        if function_type == "lambda":
            return func_load(config[func_attr_name], globs=globs)
        if function_type == "raw":
            return config[func_attr_name]
        raise TypeError(
            f"Unsupported value for `function_type` argument. Received: "
            f"function_type={function_type}. "
            f"Expected one of ['function', 'lambda', 'raw']"
        )

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        function = cls._parse_function_from_config(
            config, custom_objects, "function", "module", "function_type"
        )
        output_shape = cls._parse_function_from_config(
            config, custom_objects, "output_shape", "output_shape_module", "output_shape_type"
        )
        if "mask" in config:
            mask = cls._parse_function_from_config(config, custom_objects, "mask", "mask_module", "mask_type")
        else:
            mask = None
        config["function"] = function
        config["output_shape"] = output_shape
        config["mask"] = mask
        return cls(**config)
