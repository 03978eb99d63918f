"""ImageDataGenerator: Keras's classic real-time augmentation, batch by batch with torch.

`ImageDataGenerator(rotation_range=10, width_shift_range=0.1, horizontal_flip=True, rescale=1/255)`
then `model.fit(datagen.flow(x, y, batch_size=32), epochs=...)`. Each batch is drawn, transformed
with one random affine map per image (a single batched `grid_sample`, no Python loop over images),
rescaled, and handed over as NumPy arrays, channels-last, as Keras does.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
import torch
import torch.nn.functional as F

from cnnkit.utils.py_dataset import PyDataset

_FILL = {"nearest": "border", "reflect": "reflection", "constant": "zeros"}


def _pair(value, name: str, around: float) -> tuple[float, float]:
    """Keras's ranges: a number z means [around - z, around + z]; a pair is used as given."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return around - abs(value), around + abs(value)
    if isinstance(value, (list, tuple)) and len(value) == 2:
        return float(value[0]), float(value[1])
    raise ValueError(f"ImageDataGenerator: {name} must be a number or a [lower, upper] pair; received {value!r}")


class ImageDataGenerator:
    """Random rotations (degrees), shifts (a fraction of the size, or pixels if >= 1), zooms
    (factors in [1 - z, 1 + z]; above 1 zooms out), flips, `rescale`, and `validation_split`
    with `flow(..., subset="training" | "validation")`."""

    def __init__(
        self,
        rotation_range: float = 0,
        width_shift_range: float = 0.0,
        height_shift_range: float = 0.0,
        zoom_range=0.0,
        horizontal_flip: bool = False,
        vertical_flip: bool = False,
        fill_mode: str = "nearest",
        cval: float = 0.0,
        rescale: float | None = None,
        validation_split: float = 0.0,
        **unsupported,
    ) -> None:
        if unsupported:
            raise TypeError(f"ImageDataGenerator: unsupported argument(s) {', '.join(sorted(unsupported))}")
        if fill_mode not in _FILL:
            raise ValueError(f"ImageDataGenerator: fill_mode must be one of {sorted(_FILL)}; received {fill_mode!r}")
        if not 0 <= validation_split < 1:
            raise ValueError(f"ImageDataGenerator: validation_split must be in [0, 1); received {validation_split!r}")
        self.rotation_range = float(rotation_range)
        self.width_shift_range, self.height_shift_range = width_shift_range, height_shift_range
        self.zoom = _pair(zoom_range, "zoom_range", 1.0)
        self.horizontal_flip, self.vertical_flip = bool(horizontal_flip), bool(vertical_flip)
        self.fill_mode, self.cval, self.rescale = fill_mode, float(cval), rescale
        self.validation_split = float(validation_split)

    def _shift(self, value, size: int, n: int, generator) -> torch.Tensor:
        """Shifts in grid units ([-1, 1] spans the image). A float is a fraction of the size; an
        int r >= 1 means whole pixels in (-r, r), as in Keras (r=2 gives -1, 0 or +1)."""
        if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
            pixels = torch.randint(-value + 1, value, (n,), generator=generator).float()
            return pixels / size * 2
        fraction = float(value)
        return torch.empty(n).uniform_(-fraction, fraction, generator=generator) * 2

    def random_transform_batch(self, images: np.ndarray, generator: torch.Generator | None = None) -> np.ndarray:
        """Transform a batch (N, H, W, C) with one random affine map (and flips) per image."""
        x = torch.from_numpy(np.ascontiguousarray(images, dtype=np.float32)).permute(0, 3, 1, 2)
        n, _, h, w = x.shape

        def uniform(low: float, high: float) -> torch.Tensor:
            return torch.empty(n).uniform_(low, high, generator=generator)

        def flips(enabled: bool) -> torch.Tensor:
            return torch.where(torch.rand(n, generator=generator) < 0.5, -1.0, 1.0) if enabled else torch.ones(n)

        angle = uniform(-self.rotation_range, self.rotation_range) * math.pi / 180
        sx, sy = uniform(*self.zoom) * flips(self.horizontal_flip), uniform(*self.zoom) * flips(self.vertical_flip)
        tx = -self._shift(self.width_shift_range, w, n, generator)
        ty = -self._shift(self.height_shift_range, h, n, generator)
        cos, sin = torch.cos(angle), torch.sin(angle)
        # output -> input coordinates: rotation (rigid in pixels, hence h / w), then zoom and flip
        row_x = torch.stack([cos * sx, -sin * sy * h / w, tx], 1)
        row_y = torch.stack([sin * sx * w / h, cos * sy, ty], 1)
        grid = F.affine_grid(torch.stack([row_x, row_y], 1), list(x.shape), align_corners=False)
        out = F.grid_sample(x, grid, mode="bilinear", padding_mode=_FILL[self.fill_mode], align_corners=False)
        if self.fill_mode == "constant" and self.cval:
            inside = F.grid_sample(torch.ones_like(x[:, :1]), grid, mode="bilinear", align_corners=False)
            out = out + self.cval * (1 - inside)
        return out.permute(0, 2, 3, 1).numpy()

    def standardize(self, images: np.ndarray) -> np.ndarray:
        return images * self.rescale if self.rescale else images

    def flow(self, x, y=None, batch_size: int = 32, shuffle: bool = True, seed: int | None = None, subset=None):
        """Batches of (transformed x, y) for `fit`; one pass per epoch, reshuffled each time. Set
        `.workers` on the result to change how many threads prepare batches (see ArrayFlow)."""
        return ArrayFlow(self, x, y, batch_size, shuffle, seed, subset)


def _default_workers() -> int:
    """Threads that augment the next batches while the model trains: two on a machine with a GPU
    (the CPU is otherwise idle there); one, in the training thread, on a CPU alone, where the
    model's own work already takes every core."""
    return 2 if torch.cuda.is_available() else 1


class ArrayFlow(PyDataset):
    """What `ImageDataGenerator.flow` returns: a PyDataset (as Keras's NumpyArrayIterator is), so
    `fit` loads its batches ahead in `workers` threads. Iterate it for one epoch of batches (`len()`
    of them), or call `next()` on it for an endless stream, as Keras's iterator allows.

    Batch `i` of epoch `e` is drawn from its own random generator, seeded by (seed, e, i): the same
    batches whichever thread makes them. Without a seed, each epoch's seed is drawn from torch's
    generator as the epoch begins, so `set_random_seed` makes runs repeat and a run resumed by
    BackupAndRestore (which restores that generator) continues as the uninterrupted one would. With
    a seed, a resumed fit starts the count at its first epoch (start_at_epoch), to the same end."""

    def __init__(self, generator: ImageDataGenerator, x, y, batch_size: int, shuffle: bool, seed, subset) -> None:
        super().__init__(workers=_default_workers())
        x = np.asarray(x)
        if x.ndim != 4:
            raise ValueError(f"ImageDataGenerator.flow: x must be images (N, height, width, channels); got {x.shape}")
        if y is not None and len(y) != len(x):
            raise ValueError(f"ImageDataGenerator.flow: x has {len(x)} images but y has {len(y)} labels")
        if subset not in (None, "training", "validation"):
            raise ValueError(f"ImageDataGenerator.flow: subset must be 'training' or 'validation'; received {subset!r}")
        if subset is not None:
            if not generator.validation_split:
                raise ValueError("ImageDataGenerator.flow: subset needs validation_split in the ImageDataGenerator")
            split = int(len(x) * (1 - generator.validation_split))
            part = slice(None, split) if subset == "training" else slice(split, None)
            x, y = x[part], None if y is None else np.asarray(y)[part]
        self.generator, self.x, self.y = generator, x, None if y is None else np.asarray(y)
        self.batch_size, self.shuffle = batch_size, shuffle
        self.fixed_seed = seed
        self.seed = int(seed) if seed is not None else int(torch.randint(0, 2**62, ()))
        self.epoch = 0
        self.order = self._order()
        self._stream: Iterator | None = None

    def _order(self) -> np.ndarray:
        if not self.shuffle:
            return np.arange(len(self.x))
        return np.random.default_rng([self.seed, self.epoch]).permutation(len(self.x))

    def __len__(self) -> int:
        return math.ceil(len(self.x) / self.batch_size)

    def __getitem__(self, index: int):
        if not 0 <= index < len(self):
            raise IndexError(f"ImageDataGenerator.flow: batch {index} of {len(self)}")
        pick = np.sort(self.order[index * self.batch_size : (index + 1) * self.batch_size])
        state = np.random.SeedSequence([self.seed, self.epoch, index]).generate_state(1, np.uint64)[0]
        random = torch.Generator().manual_seed(int(state))
        images = self.generator.standardize(self.generator.random_transform_batch(self.x[pick], random))
        return images if self.y is None else (images, self.y[pick])

    def on_epoch_begin(self) -> None:
        if self.fixed_seed is None:  # this epoch's seed stands for (seed, epoch): no count to resume
            self.seed, self.epoch = int(torch.randint(0, 2**62, ())), 0
            self.order = self._order()

    def on_epoch_end(self) -> None:
        self.epoch += 1
        self.order = self._order()

    def start_at_epoch(self, epoch: int) -> None:
        """fit begins at `epoch`: a seeded flow makes that epoch's batches, so a run resumed by
        BackupAndRestore in a new process continues as the uninterrupted one would. A flow that has
        already run further (a second fit on it) keeps its own count."""
        if self.fixed_seed is not None and epoch > self.epoch:
            self.epoch = epoch
            self.order = self._order()

    def __iter__(self) -> Iterator:
        for index in range(len(self)):
            yield self[index]
        self.on_epoch_end()

    def __next__(self):
        while True:
            if self._stream is None:
                self._stream = iter(self)
            try:
                return next(self._stream)
            except StopIteration:
                self._stream = None
