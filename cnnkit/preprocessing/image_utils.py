"""Keras's image file helpers: load_img, img_to_array, array_to_img and save_img.

    img = load_img("cat.jpg", target_size=(224, 224))       # a PIL image
    x = img_to_array(img)[None]                              # (1, 224, 224, 3) float32, 0..255

Arrays are channels-last (height, width, channels), as everywhere at cnnkit's API; a grey image
has one channel.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

COLOR_MODES = {"grayscale": "L", "rgb": "RGB", "rgba": "RGBA"}
INTERPOLATIONS = {
    "nearest": Image.NEAREST,
    "bilinear": Image.BILINEAR,
    "bicubic": Image.BICUBIC,
    "lanczos": Image.LANCZOS,
    "box": Image.BOX,
    "hamming": Image.HAMMING,
}
_MODE_CHANNELS = {"L": 1, "RGB": 3, "RGBA": 4}


def check_choice(value, choices, name: str, where: str) -> None:
    if value not in choices:
        allowed = ", ".join(map(repr, choices))
        raise ValueError(f"{where}: {name} must be one of {allowed}; received {name}={value!r}")


def check_target_size(target_size, where: str) -> None:
    if not (
        isinstance(target_size, (tuple, list))
        and len(target_size) == 2
        and all(isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in target_size)
    ):
        raise ValueError(f"{where}: target_size must be (height, width) of positive ints; received {target_size!r}")


def _center_box(size: tuple[int, int], target: tuple[int, int]) -> tuple[int, int, int, int]:
    """The largest centred (left, top, right, bottom) box of `size` (width, height) with the aspect
    ratio of `target` (width, height): what keep_aspect_ratio crops before resizing."""
    width, height = size
    crop_width = min(width, height * target[0] // target[1])
    crop_height = min(height, width * target[1] // target[0])
    left, top = (width - crop_width) // 2, (height - crop_height) // 2
    return left, top, left + crop_width, top + crop_height


def load_img(
    path,
    color_mode: str = "rgb",
    target_size: tuple[int, int] | None = None,
    interpolation: str = "nearest",
    keep_aspect_ratio: bool = False,
) -> Image.Image:
    """An image file as a PIL image in `color_mode` ("grayscale", "rgb" or "rgba"), resized to
    `target_size` (height, width) when given. `keep_aspect_ratio` crops the centre to the target's
    aspect ratio first, so nothing is stretched. Raises OSError when the file is not an image."""
    where = "load_img"
    check_choice(color_mode, COLOR_MODES, "color_mode", where)
    check_choice(interpolation, INTERPOLATIONS, "interpolation", where)
    with open(path, "rb") as file:  # one read: Pillow's decoder would ask for the file in small blocks
        image = Image.open(io.BytesIO(file.read()))
        image.load()
    if image.mode != COLOR_MODES[color_mode]:  # (converting to the same mode would only copy)
        image = image.convert(COLOR_MODES[color_mode])
    if target_size is None:
        return image
    check_target_size(target_size, where)
    size = (target_size[1], target_size[0])  # PIL speaks (width, height)
    if image.size == size:
        return image
    box = _center_box(image.size, size) if keep_aspect_ratio else None
    return image.resize(size, INTERPOLATIONS[interpolation], box=box)


def _check_data_format(data_format, where: str) -> str:
    data_format = data_format or "channels_last"
    check_choice(data_format, ("channels_last", "channels_first"), "data_format", where)
    return data_format


def img_to_array(img: Image.Image, data_format: str | None = None, dtype=None) -> np.ndarray:
    """A PIL image as a float32 array (height, width, channels) of its pixel values (0..255);
    channels first with data_format="channels_first"."""
    data_format = _check_data_format(data_format, "img_to_array")
    array = np.asarray(img, dtype=dtype or np.float32)
    if array.ndim == 2:
        array = array[..., None]
    if array.ndim != 3:
        raise ValueError(f"img_to_array: expected an image; received an array of shape {array.shape}")
    return array.transpose(2, 0, 1) if data_format == "channels_first" else array


def array_to_img(x, data_format: str | None = None, scale: bool = True, dtype=None) -> Image.Image:
    """An array (height, width, channels of 1, 3 or 4) as a PIL image. `scale` stretches its values
    to 0..255 first (an image in [0, 1], or standardized, comes out visible)."""
    data_format = _check_data_format(data_format, "array_to_img")
    x = np.asarray(x, dtype=np.float32)
    if x.ndim != 3:
        raise ValueError(f"array_to_img: expected an image array of rank 3; received shape {x.shape}")
    if data_format == "channels_first":
        x = x.transpose(1, 2, 0)
    channels = x.shape[-1]
    if channels not in (1, 3, 4):
        raise ValueError(f"array_to_img: an image has 1, 3 or 4 channels; received shape {x.shape}")
    if scale:
        x = x - x.min()
        top = x.max()
        x = x / top * 255 if top > 0 else x
    pixels = np.clip(np.rint(x), 0, 255).astype(np.uint8)
    mode = {1: "L", 3: "RGB", 4: "RGBA"}[channels]
    return Image.fromarray(pixels[..., 0] if channels == 1 else pixels, mode)


def save_img(path, x, data_format: str | None = None, file_format: str | None = None, scale: bool = True) -> None:
    """Write an image array to `path` (the format from its extension, or `file_format`)."""
    image = array_to_img(x, data_format=data_format, scale=scale)
    if image.mode == "RGBA" and (file_format or str(path).rsplit(".", 1)[-1]).lower() in ("jpg", "jpeg"):
        image = image.convert("RGB")  # JPEG has no alpha channel
    image.save(path, format=file_format)


def channels_of(color_mode: str) -> int:
    return _MODE_CHANNELS[COLOR_MODES[color_mode]]
