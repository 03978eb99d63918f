"""Models: Sequential (and the Model base that gives it compile/fit/evaluate/predict)."""

from cnnkit.models.model import Model
from cnnkit.models.sequential import Sequential

__all__ = ["Model", "Sequential"]
