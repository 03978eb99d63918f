"""A layer's weight: a torch Parameter that also answers to Keras's variable interface.

Keras code written for its torch backend reaches a weight's torch tensor through `.value`
(`gradients = [v.value.grad for v in model.trainable_weights]`, keras.io's custom train_step
guide). Here the weight is that tensor, so `.value` is the Parameter itself; everything torch does
with Parameters (optimizers, state_dict, DDP, torch.compile) sees an ordinary Parameter.

There is no `assign`: the Parameter is stored in torch's layout (a Dense kernel transposed), so a
Keras-layout value assigned to it would land silently transposed; `layer.set_weights` takes
Keras's layout.
"""

from __future__ import annotations

from torch import nn


class Variable(nn.Parameter):
    """What `Layer.add_weight` creates for a trainable weight."""

    @property
    def value(self) -> Variable:
        """The torch tensor behind the variable: the Parameter itself."""
        return self
