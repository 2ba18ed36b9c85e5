"""The `get` / `serialize` / `deserialize` lookups that keras.constraints, keras.regularizers and
keras.initializers share: classes by name, snake_case aliases, `custom_objects`, and Keras's errors."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

_SCOPE_HINT = (
    " Please ensure you are using a `keras.utils.custom_object_scope` and that this object is included in "
    "the scope. See https://www.tensorflow.org/guide/keras/save_and_serialize#registering_the_custom_object "
    "for details."
)


@dataclass(frozen=True)
class ObjectRegistry:
    kind: str  # "constraint", ... as the error messages name it
    module: str  # "keras.constraints", ... as serialize writes it
    classes: dict
    aliases: dict
    hint_on_get: bool = True  # whether "Unknown ..." errors add the custom_object_scope hint
    hint_on_deserialize: bool = True

    def serialize(self, obj, use_legacy_format=False) -> dict:
        if use_legacy_format:  # Keras 2's older format: no module / registered_name
            return {"class_name": type(obj).__name__, "config": obj.get_config()}
        return {
            "module": self.module,
            "class_name": type(obj).__name__,
            "config": obj.get_config(),
            "registered_name": None,
        }

    def class_for_config(self, config: dict, custom_objects=None):
        """The class (or factory) a serialized config names: custom objects first, then classes, aliases."""
        name = config["class_name"]
        cls = (custom_objects or {}).get(name) or self.classes.get(name) or self.aliases.get(name)
        if cls is None:
            raise self._unknown(name, self.hint_on_deserialize)
        return cls

    def get(self, identifier, deserialize: Callable, class_base: type | None = None):
        """An object from None, a config dict (through `deserialize`), a name or alias, a subclass of
        `class_base` (instantiated), or any callable."""
        if identifier is None:
            return None
        if isinstance(identifier, dict):
            return deserialize(identifier)
        if isinstance(identifier, str):
            factory = self.aliases.get(identifier) or self.classes.get(identifier)
            if factory is None:
                raise self._unknown(identifier, self.hint_on_get)
            return factory()
        if class_base is not None and isinstance(identifier, type) and issubclass(identifier, class_base):
            return identifier()
        if callable(identifier):
            return identifier
        raise ValueError(f"Could not interpret {self.kind} identifier: {identifier}")

    def _unknown(self, name, hint: bool) -> ValueError:
        return ValueError(f"Unknown {self.kind}: '{name}'." + (_SCOPE_HINT if hint else ""))
