"""Maximum, and its functional form `maximum`."""

from __future__ import annotations

import torch

from cnnkit.layers.merging.base_merge import _Merge


class Maximum(_Merge):
    __doc__ = "The element-wise maximum of the inputs. " + (_Merge.__doc__ or "")

    def merge(self, tensors):
        return torch.stack(tensors).amax(dim=0)


def maximum(inputs, **kwargs):
    """`Maximum(**kwargs)(inputs)`."""
    return Maximum(**kwargs)(inputs)
