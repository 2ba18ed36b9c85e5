"""`tf.keras.backend`: object naming (`dense`, `dense_1`, ...), floatx, epsilon, image_data_format,
`clear_session`, and the call context through which `training` reaches nested layers."""

from __future__ import annotations

import collections
import threading

from tensorweave._src.api_export import tf_export

_NAME_UIDS: collections.Counter = collections.Counter()
_CONFIG = {"floatx": "float32", "epsilon": 1e-7, "image_data_format": "channels_last"}


@tf_export("keras.backend.get_uid")
def get_uid(prefix: str = "") -> int:
    """1 for the first call with `prefix`, then 2, 3, ... (per session)."""
    _NAME_UIDS[prefix] += 1
    return _NAME_UIDS[prefix]


def unique_object_name(base: str) -> str:
    """`base` for the first object of its kind, then `base_1`, `base_2`, ... as Keras names layers."""
    n = get_uid(base)
    return base if n == 1 else f"{base}_{n - 1}"


@tf_export("keras.backend.clear_session")
def clear_session() -> None:
    """Resets layer/model naming, as `tf.keras.backend.clear_session()`."""
    _NAME_UIDS.clear()


@tf_export("keras.backend.floatx")
def floatx() -> str:
    return _CONFIG["floatx"]


@tf_export("keras.backend.set_floatx")
def set_floatx(value: str) -> None:
    if value not in ("float16", "float32", "float64", "bfloat16"):
        raise ValueError(f"Unknown dtype: {value}")
    _CONFIG["floatx"] = value


@tf_export("keras.backend.epsilon")
def epsilon() -> float:
    return _CONFIG["epsilon"]


@tf_export("keras.backend.set_epsilon")
def set_epsilon(value: float) -> None:
    _CONFIG["epsilon"] = value


@tf_export("keras.backend.image_data_format")
def image_data_format() -> str:
    return _CONFIG["image_data_format"]


@tf_export("keras.backend.set_image_data_format")
def set_image_data_format(data_format: str) -> None:
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"Unknown data_format: {data_format}")
    _CONFIG["image_data_format"] = data_format


class _CallContext(threading.local):
    def __init__(self):
        self.training_stack: list = []


call_context = _CallContext()


def current_training():
    """The `training` value of the innermost layer call that set one (None outside any)."""
    for value in reversed(call_context.training_stack):
        if value is not None:
            return value
    return None
