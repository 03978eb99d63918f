"""AlphaDropout: dropout that keeps SELU's mean and variance."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from cnnkit.layers.regularization.gaussian_dropout import _RateNoise


class AlphaDropout(_RateNoise):
    """Dropout for self-normalising (SELU) networks (Klambauer et al. 2017): dropped values are set
    to SELU's negative saturation and the result is scaled and shifted so that mean and variance
    stay what they were."""

    def call(self, x: torch.Tensor) -> torch.Tensor:
        return F.alpha_dropout(x, self.rate, self.training) if self.rate else x
