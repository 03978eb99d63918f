"""ImageDataGenerator: Keras's classic real-time augmentation, batch by batch with torch.

`ImageDataGenerator(rotation_range=10, width_shift_range=0.1, horizontal_flip=True, rescale=1/255)`
then `model.fit(datagen.flow(x, y, batch_size=32), epochs=...)`, or
`datagen.flow_from_directory("data/train", target_size=(150, 150), class_mode="binary")` for image
files in one sub-folder per class. Each batch is drawn, transformed with one random affine map per
image (a single batched `grid_sample`, no Python loop over images), standardized, and handed over
as NumPy arrays, channels-last, as Keras does. Every Keras argument is accepted; "wrap" filling and
channels-first data are not supported and say so.
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F

from cnnkit.preprocessing.directory_flow import DirectoryFlow
from cnnkit.preprocessing.flow import ArrayFlow
from cnnkit.preprocessing.image_utils import array_to_img, img_to_array, load_img, save_img

_FILL = {"nearest": "border", "reflect": "reflection", "constant": "zeros"}
_ORDERS = {0: "nearest", 1: "bilinear", 3: "bicubic"}  # interpolation_order -> grid_sample's mode
WHERE = "ImageDataGenerator"


def _pair(value, name: str, around: float) -> tuple[float, float]:
    """Keras's ranges: a number z means [around - z, around + z]; a pair is used as given."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return around - abs(value), around + abs(value)
    if isinstance(value, (list, tuple)) and len(value) == 2:
        return float(value[0]), float(value[1])
    raise ValueError(f"{WHERE}: {name} must be a number or a [lower, upper] pair; received {name}={value!r}")


def _check_shift(value, name: str):
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    if isinstance(value, (list, tuple, np.ndarray)) and len(value) > 0:
        return [float(v) for v in value]
    raise ValueError(f"{WHERE}: {name} must be a number or a list of shifts; received {name}={value!r}")


def _affine_grid(theta: torch.Tensor, height: int, width: int) -> torch.Tensor:
    """F.affine_grid(theta, (N, C, height, width), align_corners=False), as two broadcast
    multiply-adds: torch's CPU version runs a batched matrix product with an inner size of 3,
    which took longer than the sampling itself."""
    xs = (torch.arange(width, dtype=torch.float32) * 2 + 1) / width - 1  # pixel centres in [-1, 1]
    ys = ((torch.arange(height, dtype=torch.float32) * 2 + 1) / height - 1)[:, None]
    t = theta[:, :, :, None, None]
    return torch.stack(
        [t[:, 0, 0] * xs + t[:, 0, 1] * ys + t[:, 0, 2], t[:, 1, 0] * xs + t[:, 1, 1] * ys + t[:, 1, 2]], -1
    )


class ImageDataGenerator:
    """Keras's arguments and defaults. Geometry: rotations (degrees), shifts (a fraction of the size;
    whole pixels if an int >= 1; one of the values at random, either sign, if a list), shear (an
    angle in degrees), zooms (factors in [1 - z, 1 + z]; above 1 zooms out) and flips. Colour:
    `channel_shift_range` (one offset for every channel, clipped to the image's range) and
    `brightness_range` (a factor, clipped to 0..255). Standardization, in Keras's order:
    `preprocessing_function` (on each image), `rescale`, sample-wise centring and scaling, then the
    feature-wise ones and ZCA whitening, which take their statistics from `fit(x)`."""

    def __init__(
        self,
        featurewise_center: bool = False,
        samplewise_center: bool = False,
        featurewise_std_normalization: bool = False,
        samplewise_std_normalization: bool = False,
        zca_whitening: bool = False,
        zca_epsilon: float = 1e-6,
        rotation_range: float = 0,
        width_shift_range=0.0,
        height_shift_range=0.0,
        brightness_range=None,
        shear_range: float = 0.0,
        zoom_range=0.0,
        channel_shift_range: float = 0.0,
        fill_mode: str = "nearest",
        cval: float = 0.0,
        horizontal_flip: bool = False,
        vertical_flip: bool = False,
        rescale: float | None = None,
        preprocessing_function=None,
        data_format: str | None = None,
        validation_split: float = 0.0,
        interpolation_order: int = 1,
        dtype=None,
    ) -> None:
        if fill_mode not in _FILL:
            raise ValueError(f"{WHERE}: fill_mode must be one of {sorted(_FILL)}; received fill_mode={fill_mode!r}")
        if not 0 <= validation_split < 1:
            raise ValueError(f"{WHERE}: validation_split must be in [0, 1); received {validation_split!r}")
        if data_format not in (None, "channels_last"):
            raise ValueError(f"{WHERE}: data_format must be 'channels_last' (images are (N, H, W, C)); received "
                             f"data_format={data_format!r}")  # fmt: skip
        if interpolation_order not in _ORDERS:
            raise ValueError(f"{WHERE}: interpolation_order must be 0, 1 or 3; received {interpolation_order!r}")
        if dtype not in (None, "float32", np.float32, torch.float32):
            raise ValueError(f"{WHERE}: dtype must be float32; received dtype={dtype!r}")
        if brightness_range is not None:
            if not (isinstance(brightness_range, (list, tuple)) and len(brightness_range) == 2):
                raise ValueError(f"{WHERE}: brightness_range must be a [lower, upper] pair of factors; received "
                                 f"brightness_range={brightness_range!r}")  # fmt: skip
            brightness_range = (float(brightness_range[0]), float(brightness_range[1]))
        if preprocessing_function is not None and not callable(preprocessing_function):
            raise ValueError(f"{WHERE}: preprocessing_function must be callable; received {preprocessing_function!r}")
        # As in Keras: whitening centres first, and scaling by the deviation implies centring.
        self.featurewise_center = bool(featurewise_center or featurewise_std_normalization or zca_whitening)
        self.featurewise_std_normalization = bool(featurewise_std_normalization)
        self.samplewise_center = bool(samplewise_center or samplewise_std_normalization)
        self.samplewise_std_normalization = bool(samplewise_std_normalization)
        self.zca_whitening, self.zca_epsilon = bool(zca_whitening), float(zca_epsilon)
        self.rotation_range, self.shear_range = float(rotation_range), float(shear_range)
        self.width_shift_range = _check_shift(width_shift_range, "width_shift_range")
        self.height_shift_range = _check_shift(height_shift_range, "height_shift_range")
        self.zoom = _pair(zoom_range, "zoom_range", 1.0)
        self.horizontal_flip, self.vertical_flip = bool(horizontal_flip), bool(vertical_flip)
        self.channel_shift_range, self.brightness_range = float(channel_shift_range), brightness_range
        self.fill_mode, self.cval, self.rescale = fill_mode, float(cval), rescale
        self.interpolation_order = interpolation_order
        self.preprocessing_function = preprocessing_function
        self.validation_split = float(validation_split)
        self.mean = self.std = self.zca_whitening_matrix = None  # from fit()

    # ---- random transforms ----------------------------------------------------------------------
    def _warps(self) -> bool:
        """Whether any geometric transform is asked for (without one, images pass untouched)."""
        shifts = (self.width_shift_range, self.height_shift_range)
        return bool(
            self.rotation_range
            or self.shear_range
            or self.zoom != (1.0, 1.0)
            or self.horizontal_flip
            or self.vertical_flip
            or any(isinstance(shift, list) or shift != 0 for shift in shifts)
        )

    def _shift(self, value, size: int, n: int, generator) -> torch.Tensor:
        """Shifts in grid units ([-1, 1] spans the image). A float is a fraction of the size; an
        int r >= 1 means whole pixels in (-r, r), as in Keras (r=2 gives -1, 0 or +1); a list gives
        one of its values (a fraction if below 1, else pixels) with a random sign."""
        if isinstance(value, list):
            choices = torch.tensor(value)
            picked = choices[torch.randint(len(value), (n,), generator=generator)]
            signs = torch.where(torch.rand(n, generator=generator) < 0.5, -1.0, 1.0)
            pixels = picked * signs * (size if max(abs(v) for v in value) < 1 else 1)
            return pixels / size * 2
        if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
            pixels = torch.randint(-value + 1, value, (n,), generator=generator).float()
            return pixels / size * 2
        fraction = float(value)
        return torch.empty(n).uniform_(-fraction, fraction, generator=generator) * 2

    def random_transform_batch(self, images: np.ndarray, generator: torch.Generator | None = None) -> np.ndarray:
        """Transform a batch (N, H, W, C) with one random affine map (and flips, colour shifts) per
        image."""
        x = torch.from_numpy(np.ascontiguousarray(images, dtype=np.float32)).permute(0, 3, 1, 2)
        n, _, h, w = x.shape

        def uniform(low: float, high: float) -> torch.Tensor:
            return torch.empty(n).uniform_(low, high, generator=generator)

        def flips(enabled: bool) -> torch.Tensor:
            return torch.where(torch.rand(n, generator=generator) < 0.5, -1.0, 1.0) if enabled else torch.ones(n)

        if self._warps():
            x = self._warp(x, uniform, flips, generator)
        if self.channel_shift_range:  # one offset for all channels, kept in the image's range
            low, high = x.amin((1, 2, 3), keepdim=True), x.amax((1, 2, 3), keepdim=True)
            shift = uniform(-self.channel_shift_range, self.channel_shift_range).view(n, 1, 1, 1)
            x = torch.minimum(torch.maximum(x + shift, low), high)
        if self.brightness_range is not None:
            x = self._brighten(x, uniform(*self.brightness_range).view(n, 1, 1, 1))
        return x.permute(0, 2, 3, 1).numpy()

    def _warp(self, x: torch.Tensor, uniform, flips, generator) -> torch.Tensor:
        n, _, h, w = x.shape
        angle = uniform(-self.rotation_range, self.rotation_range) * math.pi / 180
        sx, sy = uniform(*self.zoom) * flips(self.horizontal_flip), uniform(*self.zoom) * flips(self.vertical_flip)
        tx = -self._shift(self.width_shift_range, w, n, generator)
        ty = -self._shift(self.height_shift_range, h, n, generator)
        shear = uniform(-self.shear_range, self.shear_range) * math.pi / 180
        # Output -> input coordinates in pixels about the centre: rotation, shear, then zoom and
        # flip; then in grid units ([-1, 1] across each axis), hence the h / w factors.
        cos, sin = torch.cos(angle), torch.sin(angle)
        rotation = torch.stack([torch.stack([cos, -sin], 1), torch.stack([sin, cos], 1)], 1)
        shearing = torch.zeros(n, 2, 2)
        shearing[:, 0, 0], shearing[:, 1, 0], shearing[:, 1, 1] = torch.cos(shear), -torch.sin(shear), 1
        pixels = rotation @ shearing @ torch.diag_embed(torch.stack([sx, sy], 1))
        to_grid = torch.tensor([[1.0, h / w], [w / h, 1.0]])
        theta = torch.cat([pixels * to_grid, torch.stack([tx, ty], 1)[:, :, None]], 2)
        grid = _affine_grid(theta, h, w)
        mode = _ORDERS[self.interpolation_order]
        out = F.grid_sample(x, grid, mode=mode, padding_mode=_FILL[self.fill_mode], align_corners=False)
        if self.fill_mode == "constant" and self.cval:
            inside = F.grid_sample(torch.ones_like(x[:, :1]), grid, mode=mode, align_corners=False)
            out = out + self.cval * (1 - inside)
        return out

    @staticmethod
    def _brighten(x: torch.Tensor, factor: torch.Tensor) -> torch.Tensor:
        """Keras's brightness (PIL's enhancer): pixels times `factor`, clipped to 0..255; an image
        outside 0..255 is brightened within its own range instead."""
        low, high = x.amin((1, 2, 3), keepdim=True), x.amax((1, 2, 3), keepdim=True)
        pixel_range = (low >= 0) & (high <= 255)
        floor, ceiling = torch.where(pixel_range, 0.0, low), torch.where(pixel_range, 255.0, high)
        return floor + torch.minimum((x - floor) * factor, ceiling - floor).clamp_min(0)

    def random_transform(self, x, seed: int | None = None) -> np.ndarray:
        """One image (H, W, C), randomly transformed."""
        generator = torch.Generator().manual_seed(seed) if seed is not None else None
        return self.random_transform_batch(np.asarray(x)[None], generator)[0]

    # ---- standardization ------------------------------------------------------------------------
    def standardize(self, images: np.ndarray) -> np.ndarray:
        """A batch (N, H, W, C) standardized as the arguments ask, in Keras's order (into a new
        array: `images` is left as it is)."""
        return self.standardize_in_place(np.array(images, dtype=np.float32))

    def standardize_in_place(self, x: np.ndarray) -> np.ndarray:
        """standardize, reusing the float32 batch `x` (the flows' own copies) where it can: the
        batch is not copied again for each step."""
        if self.preprocessing_function is not None:  # Keras calls it on each image
            x = np.stack([np.asarray(self.preprocessing_function(image), dtype=np.float32) for image in x])
        if self.rescale:
            x *= np.float32(self.rescale)
        if self.samplewise_center:
            x -= x.mean(axis=(1, 2, 3), keepdims=True)
        if self.samplewise_std_normalization:
            x /= x.std(axis=(1, 2, 3), keepdims=True) + 1e-6
        for wanted, statistic in (
            (self.featurewise_center, "mean"),
            (self.featurewise_std_normalization, "std"),
            (self.zca_whitening, "zca_whitening_matrix"),
        ):
            if wanted and getattr(self, statistic) is None:
                raise ValueError(f"{WHERE}: featurewise/ZCA standardization needs statistics: call fit(x_train) first")
        if self.featurewise_center:
            x -= self.mean
        if self.featurewise_std_normalization:
            x /= self.std + 1e-6
        if self.zca_whitening:
            x = (x.reshape(len(x), -1) @ self.zca_whitening_matrix).reshape(x.shape)
        return x

    def fit(self, x, augment: bool = False, rounds: int = 1, seed: int | None = None) -> None:
        """The statistics the feature-wise options and ZCA whitening need, from training images
        (N, H, W, C): per-channel mean and deviation, and the whitening matrix. `augment` takes
        them over `rounds` randomly transformed copies instead."""
        x = np.array(x, dtype=np.float32)  # a copy: the caller's array is not changed
        if x.ndim != 4:
            raise ValueError(f"{WHERE}.fit: x must be images (N, height, width, channels); received shape {x.shape}")
        if self.rescale:
            x *= np.float32(self.rescale)
        if augment:
            generator = torch.Generator().manual_seed(seed) if seed is not None else None
            x = np.concatenate([self.random_transform_batch(x, generator) for _ in range(rounds)])
        if self.featurewise_center:
            self.mean = x.mean(axis=(0, 1, 2), keepdims=True)[0]
            x -= self.mean
        if self.featurewise_std_normalization:
            self.std = x.std(axis=(0, 1, 2), keepdims=True)[0]
            x /= self.std + 1e-6
        if self.zca_whitening:
            flat = x.reshape(len(x), -1).astype(np.float64)
            u, s, _ = np.linalg.svd(flat.T, full_matrices=False)
            # flat's covariance is u diag(s^2 / n) u^T; whitening scales each direction by 1/sqrt.
            self.zca_whitening_matrix = ((u * (math.sqrt(len(x)) / (s + self.zca_epsilon))) @ u.T).astype(np.float32)

    # ---- flows ----------------------------------------------------------------------------------
    def flow(
        self,
        x,
        y=None,
        batch_size: int = 32,
        shuffle: bool = True,
        sample_weight=None,
        seed: int | None = None,
        save_to_dir=None,
        save_prefix: str = "",
        save_format: str = "png",
        ignore_class_split: bool = False,
        subset=None,
    ) -> ArrayFlow:
        """Batches of (transformed x, y[, sample_weight]) for `fit`; one pass per epoch, reshuffled
        each time. With `validation_split`, subset="validation" takes the first part of x and
        "training" the rest, as Keras does. Set `.workers` on the result to change how many
        threads prepare batches."""
        save = (save_to_dir, save_prefix, save_format)
        return ArrayFlow(self, x, y, batch_size, shuffle, sample_weight, seed, save, ignore_class_split, subset)

    def flow_from_directory(
        self,
        directory,
        target_size=(256, 256),
        color_mode: str = "rgb",
        classes=None,
        class_mode: str | None = "categorical",
        batch_size: int = 32,
        shuffle: bool = True,
        seed: int | None = None,
        save_to_dir=None,
        save_prefix: str = "",
        save_format: str = "png",
        follow_links: bool = False,
        subset=None,
        interpolation: str = "nearest",
        keep_aspect_ratio: bool = False,
    ) -> DirectoryFlow:
        """Batches read from `directory`/<class>/<image files>, resized to `target_size` (height,
        width), transformed and standardized; labels by `class_mode` ("categorical" one-hot,
        "binary" or "sparse" class indices, "input" the images themselves, None for none). See
        cnnkit/preprocessing/directory_flow.py."""
        return DirectoryFlow(
            self, directory, target_size, color_mode, classes, class_mode, batch_size, shuffle, seed,
            (save_to_dir, save_prefix, save_format), follow_links, subset, interpolation, keep_aspect_ratio,
        )  # fmt: skip


def random_rotation(
    x, rg: float, row_axis: int = 1, col_axis: int = 2, channel_axis: int = 0, fill_mode="nearest", cval=0.0,
    interpolation_order: int = 1,
) -> np.ndarray:  # fmt: skip
    """Keras 2's `random_rotation`: one image rotated by a random angle in [-rg, rg] degrees; its
    axes as Keras 2 numbered them (channels first by default)."""
    if interpolation_order not in _ORDERS:
        raise ValueError(f"random_rotation: interpolation_order must be 0, 1 or 3; received {interpolation_order!r}")
    axes = (row_axis, col_axis, channel_axis)
    image = np.moveaxis(np.asarray(x, dtype=np.float32), axes, (0, 1, 2))  # (H, W, C)
    rotated = ImageDataGenerator(
        rotation_range=rg, fill_mode=fill_mode, cval=cval, interpolation_order=interpolation_order
    ).random_transform(image)
    return np.moveaxis(rotated, (0, 1, 2), axes)


__all__ = ["ImageDataGenerator", "array_to_img", "img_to_array", "load_img", "random_rotation", "save_img"]
