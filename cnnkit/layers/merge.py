"""Keras 2's `keras.layers.merge` address (`from keras.layers.merge import concatenate`); the layers live in
cnnkit/layers/merging/."""

from cnnkit.layers.layer import Layer
from cnnkit.layers.merging import (
    Add,
    Average,
    Concatenate,
    Dot,
    Maximum,
    Minimum,
    Multiply,
    Subtract,
    add,
    average,
    concatenate,
    dot,
    maximum,
    minimum,
    multiply,
    subtract,
)

__all__ = [
    "Add",
    "Average",
    "Concatenate",
    "Dot",
    "Layer",
    "Maximum",
    "Minimum",
    "Multiply",
    "Subtract",
    "add",
    "average",
    "concatenate",
    "dot",
    "maximum",
    "minimum",
    "multiply",
    "subtract",
]
