"""Minimum, and its functional form `minimum`."""

from __future__ import annotations

import torch

from cnnkit.layers.merging.base_merge import _Merge


class Minimum(_Merge):
    __doc__ = "The element-wise minimum of the inputs. " + (_Merge.__doc__ or "")

    def merge(self, tensors):
        return torch.stack(tensors).amin(dim=0)


def minimum(inputs, **kwargs):
    """`Minimum(**kwargs)(inputs)`."""
    return Minimum(**kwargs)(inputs)
