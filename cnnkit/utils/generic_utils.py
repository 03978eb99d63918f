"""Keras 2's `keras.utils.generic_utils` address: `from keras.utils.generic_utils import Progbar`."""

from cnnkit.common.object_registration import custom_object_scope, get_custom_objects, register_keras_serializable
from cnnkit.utils.progbar import Progbar

CustomObjectScope = custom_object_scope  # Keras 2's class name for the same scope


def to_list(x, allow_tuple: bool = False) -> list:
    """`x` as a list: a list as it is (a tuple too, with allow_tuple), anything else in a list of one."""
    if isinstance(x, list) or (allow_tuple and isinstance(x, tuple)):
        return list(x)
    return [x]


__all__ = [
    "CustomObjectScope",
    "Progbar",
    "custom_object_scope",
    "get_custom_objects",
    "register_keras_serializable",
    "to_list",
]
