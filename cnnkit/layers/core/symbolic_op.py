"""SymbolicOp: an operation on symbolic tensors (`x + y`, `ops.mean(x)`, `K.square(z)`, `x[:, 0]`)
recorded as a layer of the functional graph, as Keras records its ops (common/symbolic.py says how
calls reach here). It is a Lambda: the operation sees tensors as Keras users write for them
(images channels-last). Its output shape is found by running it on zeros; an unknown dimension is
tried at two sizes, and one that follows it stays unknown.

It holds a Python function, so like a lambda it cannot be written into a model file; weights can
(`save_weights`), and a model file can be made by putting the operation in a layer of its own.
"""

from __future__ import annotations

import torch

from cnnkit import session
from cnnkit.common import symbolic
from cnnkit.common.layout import format_shape
from cnnkit.layers.core.lambda_layer import Lambda


class SymbolicOp(Lambda):
    """`function(*args, **kwargs)` with its symbolic arguments given when the graph runs."""

    def __init__(self, function, args: tuple, kwargs: dict, tensor_count: int, **layer_arguments) -> None:
        self.operation = function
        self.template = (args, kwargs)
        self.tensor_count = tensor_count
        super().__init__(self._run, **layer_arguments)

    def _run(self, tensors):
        args, kwargs = symbolic.fill(self.template, list(tensors))
        return self.operation(*args, **kwargs)

    def compute_output_shape(self, input_shape):
        shapes = input_shape if isinstance(input_shape, list) else [input_shape]
        try:
            first, second = self._probe(shapes, 2, 3), self._probe(shapes, 3, 5)
        except (RuntimeError, ValueError, TypeError, IndexError) as error:  # torch's complaint, said in one line
            operation = getattr(self.operation, "__name__", "the operation")
            shown = ", ".join(format_shape(shape) for shape in shapes)
            reason = str(error).splitlines()[0] if str(error) else type(error).__name__
            raise self.error(f"{operation} cannot take inputs of shapes {shown}: {reason}") from None
        if isinstance(first, list):
            return [self._merge(a, b) for a, b in zip(first, second)]
        return self._merge(first, second)

    def _probe(self, shapes, batch: int, unknown: int):
        # A known first size stays (a K.placeholder's batch of 1, or an axis left after indexing the
        # batch away: features[0, :, :, :]); a scalar (a full reduction, K.mean(x)) has no axes.
        zeros = [torch.zeros(self._probe_shape(s, batch, unknown)) for s in shapes]
        with torch.no_grad():
            out = self._run(zeros)
        return [tuple(t.shape) for t in out] if isinstance(out, (list, tuple)) else tuple(torch.as_tensor(out).shape)

    @staticmethod
    def _probe_shape(shape: tuple, batch: int, unknown: int) -> tuple:
        if not shape:
            return ()
        first = batch if shape[0] is None else shape[0]
        return (first, *(unknown if d is None else d for d in shape[1:]))

    @staticmethod
    def _merge(first: tuple, second: tuple) -> tuple:
        """Axes whose size changed with the unknown sizes are unknown (None); the batch axis among them."""
        if len(first) != len(second):
            raise ValueError(f"an operation on symbolic tensors gives outputs of rank {len(first)} and {len(second)}")
        return tuple(a if a == b else None for a, b in zip(first, second))

    def check_savable(self) -> None:
        raise self.error(
            f"an operation on symbolic tensors ({getattr(self.operation, '__name__', 'an op')}) holds Python code and "
            "cannot be written into a model file; save_weights works, or put the operation in a layer of its own"
        )


def record(function, args: tuple, kwargs: dict):
    """Record `function` on symbolic arguments as a SymbolicOp node; its symbolic result."""
    tensors: list = []
    template = symbolic.lift((tuple(args), dict(kwargs)), tensors)
    name = session.unique_name(getattr(function, "__name__", "op").strip("_") or "op")
    layer = SymbolicOp(function, *template, len(tensors), name=name)
    return layer(list(tensors))


symbolic.set_recorder(record)
