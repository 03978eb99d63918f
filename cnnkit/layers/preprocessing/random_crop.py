"""RandomCrop: a random augmentation, applied only while training."""

from __future__ import annotations

import torch

from cnnkit.common.layout import Shape
from cnnkit.layers.preprocessing.base_augmentation import _ImageAugmentation


class RandomCrop(_ImageAugmentation):
    """Crops a random `height` x `width` window from each image in training (the centre otherwise).
    Output shape: (batch, height, width, channels)."""

    def __init__(self, height: int, width: int, seed=None, **kwargs) -> None:
        super().__init__(**kwargs)
        if seed is not None:
            raise self.error("seed is not supported; seed everything with cnnkit.utils.set_random_seed instead")
        self.height, self.width = height, width

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        n, h, w, c = super().compute_output_shape(input_shape)
        if (h is not None and h < self.height) or (w is not None and w < self.width):
            raise self.error(f"cannot crop {self.height}x{self.width} from images of {h}x{w}")
        return (n, self.height, self.width, c)

    def call(self, x: torch.Tensor) -> torch.Tensor:
        n, _, h, w = x.shape
        if not self.training:
            top, left = (h - self.height) // 2, (w - self.width) // 2
            return x[:, :, top : top + self.height, left : left + self.width]
        # one gather: each image's window starts at its own random corner
        top = torch.randint(0, h - self.height + 1, (n, 1, 1), device=x.device)
        left = torch.randint(0, w - self.width + 1, (n, 1, 1), device=x.device)
        rows = (top + torch.arange(self.height, device=x.device).view(1, -1, 1)).expand(n, self.height, self.width)
        cols = (left + torch.arange(self.width, device=x.device).view(1, 1, -1)).expand(n, self.height, self.width)
        flat = (rows * w + cols).reshape(n, 1, -1).expand(n, x.shape[1], -1)
        return x.reshape(n, x.shape[1], h * w).gather(2, flat).reshape(n, x.shape[1], self.height, self.width)

    def get_config(self) -> dict:
        return {**super().get_config(), "height": self.height, "width": self.width}
