"""Merge layers (Keras's layers/merging): Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate, Dot and their
functional forms."""

from cnnkit.layers.merging.add import Add, add
from cnnkit.layers.merging.average import Average, average
from cnnkit.layers.merging.concatenate import Concatenate, concatenate
from cnnkit.layers.merging.dot import Dot, dot
from cnnkit.layers.merging.maximum import Maximum, maximum
from cnnkit.layers.merging.minimum import Minimum, minimum
from cnnkit.layers.merging.multiply import Multiply, multiply
from cnnkit.layers.merging.subtract import Subtract, subtract
