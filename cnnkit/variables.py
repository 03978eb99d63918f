"""A layer's weight: a torch Parameter that also answers to Keras's variable interface.

Keras code written for its torch backend reaches a weight's torch tensor through `.value`
(`gradients = [v.value.grad for v in model.trainable_weights]`, keras.io's custom train_step
guide). Here the weight is that tensor, so `.value` is the Parameter itself; everything torch does
with Parameters (optimizers, state_dict, DDP, torch.compile) sees an ordinary Parameter.

The Parameter is stored in torch's layout (a Dense kernel transposed, a Conv2D kernel as
(filters, channels, kh, kw)). `assign` takes Keras's layout, as `layer.set_weights` does, and
refuses a value of the wrong shape rather than store it transposed.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn


class Variable(nn.Parameter):
    """What `Layer.add_weight` creates for a trainable weight."""

    keras_to_torch: tuple[int, ...] | None = None  # add_weight's permutation from Keras's layout

    def __deepcopy__(self, memo) -> Variable:
        copied = super().__deepcopy__(memo)  # torch copies the data, not the attributes
        copied.keras_to_torch = self.keras_to_torch
        return copied

    @property
    def value(self) -> Variable:
        """The torch tensor behind the variable: the Parameter itself."""
        return self

    @property
    def keras_shape(self) -> tuple[int, ...]:
        """The shape in Keras's layout (a Conv2D kernel's (kh, kw, in, out)), as get_weights gives it."""
        if self.keras_to_torch is None:
            return tuple(self.shape)
        return tuple(self.shape[i] for i in np.argsort(self.keras_to_torch))

    def keras_view(self) -> torch.Tensor:
        """The weight in Keras's layout: a view of the same numbers (no copy), as a plain tensor."""
        plain = self.as_subclass(torch.Tensor)
        return plain if self.keras_to_torch is None else plain.permute(*np.argsort(self.keras_to_torch).tolist())

    # Arithmetic with a NumPy array: the array becomes a tensor (torch alone refuses a weight that
    # requires grad beside an array). One shaped in Keras's layout meets the weight in Keras's
    # layout, as Keras code writes it: keras.io's PixelCNN masks its kernel with
    # `kernel.assign(kernel * mask)`, the mask made with `np.zeros(ops.shape(kernel))`.
    def _operands(self, other):
        if not isinstance(other, np.ndarray):
            return None
        array = torch.as_tensor(other, dtype=self.dtype, device=self.device)
        keras_layout = self.keras_to_torch is not None and other.shape == self.keras_shape != tuple(self.shape)
        return (self.keras_view() if keras_layout else self.as_subclass(torch.Tensor)), array

    def _torch_layout(self, value) -> torch.Tensor:
        tensor = torch.as_tensor(np.asarray(value) if not isinstance(value, torch.Tensor) else value)
        keras_shape = self.keras_shape
        if tuple(tensor.shape) != keras_shape:
            raise ValueError(
                f"assign: the weight's shape in Keras's layout is {keras_shape}; received a value of shape "
                f"{tuple(tensor.shape)} (cnnkit stores it as torch's {tuple(self.shape)})"
            )
        if self.keras_to_torch is not None:
            tensor = tensor.permute(*self.keras_to_torch)
        return tensor.to(dtype=self.dtype, device=self.device)

    def assign(self, value) -> Variable:
        """Set the weight to `value`, given in Keras's layout (as get_weights gives it)."""
        with torch.no_grad():
            self.copy_(self._torch_layout(value))
        return self

    def assign_add(self, delta) -> Variable:
        with torch.no_grad():
            self.add_(self._torch_layout(delta))
        return self

    def assign_sub(self, delta) -> Variable:
        with torch.no_grad():
            self.sub_(self._torch_layout(delta))
        return self


def _arithmetic(name: str, operation, reflected: bool):
    """Variable's `name` (`__mul__`, `__rsub__`, ...): with a NumPy array, `operation` on the pair
    `_operands` gives; otherwise torch's own method."""

    def method(self, other):
        pair = self._operands(other)
        if pair is None:
            return getattr(torch.Tensor, name)(self, other)
        mine, theirs = pair
        return operation(theirs, mine) if reflected else operation(mine, theirs)

    method.__name__ = name
    return method


for _name, _operation in (("mul", torch.mul), ("add", torch.add), ("sub", torch.sub)):
    setattr(Variable, f"__{_name}__", _arithmetic(f"__{_name}__", _operation, reflected=False))
    setattr(Variable, f"__r{_name}__", _arithmetic(f"__r{_name}__", _operation, reflected=True))
