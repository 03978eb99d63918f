"""Symbolic tensors and nodes: how calling layers on `Input(...)` records a graph.

Calling a layer on a KerasTensor runs no computation. It builds the layer for the input
shape(s), works out the output shape(s), and records a Node: this layer, called on these
tensors, gave these tensors. `Model(inputs, outputs)` later walks the nodes back from its
outputs to its inputs.
"""

from __future__ import annotations

import inspect
import operator
from typing import TYPE_CHECKING

from cnnkit import session
from cnnkit.common import symbolic
from cnnkit.common.layout import Shape, format_shape
from cnnkit.common.symbolic import SymbolicValue

if TYPE_CHECKING:
    from cnnkit.layers.layer import Layer


class KerasTensor(SymbolicValue):
    """A symbolic tensor: a channels-last shape (batch axis first, as None) and the node that made it.
    Python's arithmetic, comparisons and indexing on it (`x + y`, `x * 0.5`, `x[:, 0]`) record graph
    nodes, as Keras's do (common/symbolic.py); `==` stays identity, so tensors can be found in lists."""

    def __init__(self, shape: Shape, node: Node | None = None, index: int = 0) -> None:
        self.shape = tuple(shape)
        self.dtype = "float32"
        self.node = node
        self.index = index

    @property
    def source(self) -> Layer:
        """The layer whose call produced this tensor (the InputLayer for an Input)."""
        return self.node.layer

    @property
    def name(self) -> str:
        return self.node.layer.name if self.node.index == 0 and self.index == 0 else self.label

    @property
    def label(self) -> str:
        """Keras's `layer[node][tensor]` reference, as the summary's "Connected to" shows it."""
        return f"{self.node.layer.name}[{self.node.index}][{self.index}]"

    def __repr__(self) -> str:
        return f"<KerasTensor shape={format_shape(self.shape)}, name={self.name}>"

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __getitem__(self, key):
        return symbolic.record(operator.getitem, (self, key), {})

    __hash__ = object.__hash__


def _operator(function, reflected: bool = False):
    def method(self, *other):
        args = (other[0], self) if reflected else (self, *other)
        return symbolic.record(function, args, {})

    method.__name__ = function.__name__
    return method


for _name, _function in (
    ("add", operator.add),
    ("sub", operator.sub),
    ("mul", operator.mul),
    ("truediv", operator.truediv),
    ("floordiv", operator.floordiv),
    ("mod", operator.mod),
    ("pow", operator.pow),
    ("matmul", operator.matmul),
    ("and", operator.and_),
    ("or", operator.or_),
):
    setattr(KerasTensor, f"__{_name}__", _operator(_function))
    setattr(KerasTensor, f"__r{_name}__", _operator(_function, reflected=True))
for _name, _function in (
    ("lt", operator.lt),
    ("le", operator.le),
    ("gt", operator.gt),
    ("ge", operator.ge),
    ("neg", operator.neg),
    ("pos", operator.pos),
    ("abs", operator.abs),
    ("invert", operator.invert),
):
    setattr(KerasTensor, f"__{_name}__", _operator(_function))


class Node:
    """One call of `layer` on symbolic `inputs` (one tensor, or a list for merge layers), with any
    keyword arguments of the call (`LSTM(...)(x, initial_state=[h, c])`): `keywords` holds them
    with each symbolic tensor replaced by a Slot into `inputs[main_count:]`."""

    def __init__(
        self,
        layer: Layer,
        inputs: list[KerasTensor],
        takes_list: bool,
        training: bool | None = None,
        keywords: dict | None = None,
        main_count: int | None = None,
    ) -> None:
        self.layer = layer
        self.inputs = inputs
        self.takes_list = takes_list
        self.training = training  # `layer(x, training=False)`: this call always runs in inference mode
        self.keywords = keywords or {}
        self.main_count = len(inputs) if main_count is None else main_count
        self.outputs: list[KerasTensor] = []
        self.index = len(layer.inbound_nodes)
        layer.inbound_nodes.append(self)


def is_symbolic(value) -> bool:
    if isinstance(value, KerasTensor):
        return True
    return isinstance(value, (list, tuple)) and len(value) > 0 and all(isinstance(v, KerasTensor) for v in value)


def _accepted_keywords(layer: Layer, keywords: dict) -> dict:
    """The call's keyword arguments that the layer's forward takes. A mask the layer cannot use is
    dropped, as Keras drops it; any other unknown keyword is an error now, not when the model runs."""
    if not keywords:
        return keywords
    parameters = inspect.signature(layer.call if layer.users_call else layer.forward).parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
        return keywords
    unknown = sorted(name for name in keywords if name not in parameters and name != "mask")
    if unknown:
        raise layer.error(f"its call takes no keyword argument {', '.join(unknown)}")
    return {name: value for name, value in keywords.items() if name in parameters}


def _with_known_batch(output_shape, input_shapes: list):
    """A layer keeps its input's batch size: where every input's is known (K.placeholder((1, ...)),
    a concatenation of three images), so is the output's, as in Keras. A scalar stays a scalar."""
    batches = {tuple(shape)[0] if len(shape) else None for shape in input_shapes}
    if len(batches) != 1 or None in batches:
        return output_shape
    batch = batches.pop()

    def known(shape):
        shape = tuple(shape)
        return (batch, *shape[1:]) if shape and shape[0] is None else shape

    return [known(shape) for shape in output_shape] if isinstance(output_shape, list) else known(output_shape)


def call_symbolically(
    layer: Layer, inputs, training: bool | None = None, keywords: dict | None = None
) -> KerasTensor | list[KerasTensor]:
    """Build `layer` for the shapes of `inputs` and record the call (with its `training` argument
    and keyword arguments, if given); returns the output tensor(s)."""
    takes_list = not isinstance(inputs, KerasTensor)
    tensors = list(inputs) if takes_list else [inputs]
    shapes = [t.shape for t in tensors] if takes_list else tensors[0].shape
    keywords = _accepted_keywords(layer, dict(keywords or {}))
    if hasattr(layer, "note_call_shapes"):  # a layer whose weights depend on a keyword input's shape
        layer.note_call_shapes({name: v.shape for name, v in keywords.items() if isinstance(v, KerasTensor)})
    output_shape = layer.build_for(shapes, session.get_device())
    if keywords and hasattr(layer, "call_output_shape"):  # return_attention_scores=True, ...
        output_shape = layer.call_output_shape(shapes, keywords)
    output_shape = _with_known_batch(output_shape, shapes if takes_list else [shapes])
    extra: list[KerasTensor] = []
    template = symbolic.lift(keywords, extra)
    node = Node(layer, tensors + extra, takes_list, training, template, len(tensors))
    several = isinstance(output_shape, list)
    node.outputs = [KerasTensor(shape, node, i) for i, shape in enumerate(output_shape if several else [output_shape])]
    return node.outputs if several else node.outputs[0]
