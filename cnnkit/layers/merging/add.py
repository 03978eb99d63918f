"""Add, and its functional form `add`."""

from __future__ import annotations

from cnnkit.layers.merging.base_merge import _Merge


class Add(_Merge):
    __doc__ = "The element-wise sum of the inputs. " + (_Merge.__doc__ or "")

    def merge(self, tensors):
        return sum(tensors[1:], tensors[0])


def add(inputs, **kwargs):
    """`Add(**kwargs)(inputs)`."""
    return Add(**kwargs)(inputs)
