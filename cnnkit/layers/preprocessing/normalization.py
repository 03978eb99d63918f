"""Normalization: (x - mean) / std, the statistics learned by adapt()."""

from __future__ import annotations

import numbers

import numpy as np
import torch

from cnnkit import session
from cnnkit.common.layout import Shape, runtime_dim
from cnnkit.common.py_dataset import PyDataset
from cnnkit.layers.layer import Layer


class Normalization(Layer):
    """`(x - mean) / sqrt(variance)` per index of `axis` (by default the last: each channel of an
    image, each feature of a vector); `invert=True` undoes it. Give `mean` and `variance`, or call
    `adapt(data)` once to measure them on the training data (NumPy, a tensor, or a dataset of
    batches). The measured statistics are the layer's (non-trainable) weights, saved with it."""

    def __init__(self, axis=-1, mean=None, variance=None, invert: bool = False, **kwargs) -> None:
        super().__init__(**kwargs)
        axes = () if axis is None else (axis,) if isinstance(axis, numbers.Integral) else tuple(axis)
        if not all(isinstance(a, numbers.Integral) and not isinstance(a, bool) for a in axes):
            raise self.error(f"axis must be an int, a tuple of ints or None; received axis={axis!r}")
        if (mean is None) != (variance is None):
            raise self.error("give both mean and variance, or neither (and call adapt)")
        self.axis = tuple(int(a) for a in axes)
        self.given_mean = None if mean is None else np.asarray(mean, np.float32)
        self.given_variance = None if variance is None else np.asarray(variance, np.float32)
        self.invert = bool(invert)

    def _kept_axes(self, rank: int) -> tuple[int, ...]:
        kept = tuple(sorted(a % rank for a in self.axis))
        if any(a == 0 for a in kept):
            raise self.error("axis cannot be the batch axis (0)")
        return kept

    def build(self, input_shape: Shape) -> None:
        rank = len(input_shape)
        kept = self._kept_axes(rank)
        shape = tuple(input_shape[a] for a in kept)
        if any(d is None for d in shape):
            raise self.error(f"the axes {self.axis} of the input must be known; received shape {input_shape}")
        for name, given, default in (("mean", self.given_mean, 0.0), ("variance", self.given_variance, 1.0)):
            try:
                value = np.broadcast_to(default if given is None else given, shape)
            except ValueError:
                message = f"{name} of shape {given.shape} does not fit the axes {self.axis} of size {shape}"
                raise self.error(message) from None
            self.add_weight(name, shape, lambda s, dtype=None, v=value: torch.tensor(np.array(v)), trainable=False)
        # How the statistics lie along the run-time (NCHW) dimensions, for broadcasting.
        dims = [runtime_dim(a, rank) for a in kept]
        self._order = tuple(int(i) for i in np.argsort(dims))
        self._view = [1] * rank
        for a, d in zip(kept, dims):
            self._view[d] = input_shape[a]
        self.built = True

    def _runtime(self, statistic: torch.Tensor) -> torch.Tensor:
        return statistic.permute(self._order).reshape(self._view)

    def call(self, x: torch.Tensor) -> torch.Tensor:
        mean = self._runtime(self.mean)
        scale = torch.clamp(self._runtime(self.variance).sqrt(), min=session.epsilon())
        return mean + x * scale if self.invert else (x - mean) / scale

    def adapt(self, data, batch_size: int | None = None, steps: int | None = None) -> None:
        """Measure the mean and variance of `data` (samples along the first axis) over every axis
        but `axis`, in float64, batch by batch."""
        count, mean, m2 = 0, None, None
        for batch in _batches_of(data, batch_size or 1024, steps, self):
            if not self.built:
                # Made where a model makes its weights, so that the adapted layer joins one there.
                self.build_for((None, *batch.shape[1:]), session.get_device())
            rank = batch.ndim
            reduce = tuple(a for a in range(rank) if a not in self._kept_axes(rank))
            n = int(np.prod([batch.shape[a] for a in reduce]))
            batch_mean = batch.mean(axis=reduce)
            batch_m2 = ((batch - batch.mean(axis=reduce, keepdims=True)) ** 2).sum(axis=reduce)
            if mean is None:
                count, mean, m2 = n, batch_mean, batch_m2
            else:  # Chan et al.'s pairwise update: exact for any split into batches
                delta, total = batch_mean - mean, count + n
                mean = mean + delta * n / total
                m2 = m2 + batch_m2 + delta**2 * count * n / total
                count = total
        if mean is None:
            raise self.error("adapt: the data has no samples")
        with torch.no_grad():
            self.mean.copy_(torch.from_numpy(np.broadcast_to(mean, self.mean.shape).copy()))  # to its device
            self.variance.copy_(torch.from_numpy(np.broadcast_to(m2 / count, self.variance.shape).copy()))

    def get_config(self) -> dict:
        config = {**super().get_config(), "axis": list(self.axis) or None, "invert": self.invert}
        if self.given_mean is not None:
            config["mean"], config["variance"] = self.given_mean.tolist(), self.given_variance.tolist()
        return config

    @classmethod
    def from_config(cls, config: dict) -> Normalization:
        config = dict(config)
        axis = config.pop("axis", -1)
        return cls(axis=tuple(axis) if isinstance(axis, list) else axis, **config)


def _batches_of(data, batch_size: int, steps: int | None, layer: Layer):
    """float64 NumPy batches, channels-last, from an array or tensor (cut into batches) or from a
    dataset of batches (x, or (x, y, ...), as fit takes them)."""
    if isinstance(data, torch.Tensor):
        data = data.detach().cpu().numpy()
    if isinstance(data, np.ndarray):
        for start in range(0, len(data), batch_size):
            yield data[start : start + batch_size].astype(np.float64)
        return
    if isinstance(data, PyDataset):
        batches = (data[index] for index in range(len(data)))
    elif hasattr(data, "__iter__") and not isinstance(data, (str, bytes, dict)):
        batches = iter(data)
    else:
        raise layer.error(f"adapt: data must be an array, a tensor or batches; received {type(data).__name__}")
    for step, batch in enumerate(batches):
        if steps is not None and step >= steps:
            break
        x = batch[0] if isinstance(batch, (tuple, list)) else batch
        yield (x.detach().cpu().numpy() if isinstance(x, torch.Tensor) else np.asarray(x)).astype(np.float64)
