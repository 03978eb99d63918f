"""Average, and its functional form `average`."""

from __future__ import annotations

from cnnkit.layers.merging.base_merge import _Merge


class Average(_Merge):
    __doc__ = "The element-wise mean of the inputs. " + (_Merge.__doc__ or "")

    def merge(self, tensors):
        return sum(tensors[1:], tensors[0]) / len(tensors)


def average(inputs, **kwargs):
    """`Average(**kwargs)(inputs)`."""
    return Average(**kwargs)(inputs)
