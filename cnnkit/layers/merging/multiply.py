"""Multiply, and its functional form `multiply`."""

from __future__ import annotations

from cnnkit.layers.merging.base_merge import _Merge


class Multiply(_Merge):
    __doc__ = "The element-wise product of the inputs. " + (_Merge.__doc__ or "")

    def merge(self, tensors):
        product = tensors[0] * tensors[1]
        for tensor in tensors[2:]:
            product = product * tensor
        return product


def multiply(inputs, **kwargs):
    """`Multiply(**kwargs)(inputs)`."""
    return Multiply(**kwargs)(inputs)
