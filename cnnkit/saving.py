"""Keras 3's `keras.saving`: saving and loading models, and making custom objects findable."""

from cnnkit.common.object_registration import custom_object_scope, get_custom_objects, register_keras_serializable
from cnnkit.models.saving import load_model, save_model

CustomObjectScope = custom_object_scope

__all__ = [
    "CustomObjectScope",
    "custom_object_scope",
    "get_custom_objects",
    "load_model",
    "register_keras_serializable",
    "save_model",
]
