"""TimeDistributed: a layer applied to every timestep."""

from __future__ import annotations

import torch

from cnnkit.common.layout import Shape, to_channels_first, to_channels_last
from cnnkit.layers.layer import Layer


class TimeDistributed(Layer):
    """Applies `layer` to every timestep: input (batch, timesteps, ...) is folded to
    (batch * timesteps, ...), run through the layer, and unfolded. Images per timestep
    (batch, timesteps, height, width, channels) are channels-last here, as at the API, and are
    turned NCHW for the wrapped layer. A mask on the input is passed on."""

    supports_masking = True

    def __init__(self, layer: Layer, **kwargs) -> None:
        if not isinstance(layer, Layer):
            raise ValueError(f"TimeDistributed needs a cnnkit layer; received {layer!r}")
        super().__init__(**kwargs)
        self.layer = layer

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        if len(input_shape) < 3:
            raise self.error(f"expected input (batch, timesteps, ...); received shape {tuple(input_shape)}")
        inner = self.layer.compute_output_shape((None, *input_shape[2:]))
        return (input_shape[0], input_shape[1], *inner[1:])

    def build(self, input_shape: Shape) -> None:
        self.layer.build_for((None, *input_shape[2:]))

    def call(self, x: torch.Tensor) -> torch.Tensor:
        # A rank-4 input, (batch, timesteps, rows, features) at the API (an image read row by row), is
        # NCHW at run time: take its API axes back before folding the timesteps.
        x = to_channels_last(x)
        batch, steps = x.shape[:2]
        folded = x.reshape(batch * steps, *x.shape[2:])
        if folded.dim() == 4:  # images: channels-last here, NCHW for the layer
            folded = folded.permute(0, 3, 1, 2)
        out = self.layer(folded)
        if out.dim() == 4:
            out = out.permute(0, 2, 3, 1)
        return to_channels_first(out.reshape(batch, steps, *out.shape[1:]))

    def get_config(self) -> dict:
        from cnnkit.layers.serialization import serialize

        return {**super().get_config(), "layer": serialize(self.layer)}

    @classmethod
    def from_config(cls, config: dict):
        from cnnkit.layers.serialization import deserialize

        config = dict(config)
        return cls(deserialize(config.pop("layer")), **config)
