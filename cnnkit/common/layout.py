"""Where channels-last API shapes meet NCHW run-time tensors.

At the API a shape never includes the batch axis's size and images are (height, width, channels).
Inside, rank-4 tensors are (batch, channels, height, width); every other rank keeps its axes as
the API names them (sequences stay (batch, timesteps, features)).

A program that sets Keras's image_data_format to "channels_first" gives and gets image data
(N, C, H, W): the functions below named for the API (`api_to_runtime`, `runtime_to_api`,
`api_image_shape`) follow that setting. Shapes (a KerasTensor's, a layer's output_shape) stay
channels-last whatever the setting.
"""

from __future__ import annotations

import numpy as np
import torch

Shape = tuple  # (None, *dims): the batch axis first, its size unknown


def api_shape(x: torch.Tensor) -> Shape:
    """The channels-last shape, batch axis as None, of a run-time tensor."""
    if x.dim() == 4:
        _, c, h, w = x.shape
        return (None, h, w, c)
    return (None, *x.shape[1:])


def to_channels_last(x: torch.Tensor) -> torch.Tensor:
    """NCHW -> NHWC (a view); other ranks unchanged."""
    return x.permute(0, 2, 3, 1) if x.dim() == 4 else x


def to_channels_first(x: torch.Tensor) -> torch.Tensor:
    """NHWC -> NCHW (a view); other ranks unchanged."""
    return x.permute(0, 3, 1, 2) if x.dim() == 4 else x


_image_data_format = "channels_last"


def image_data_format() -> str:
    """How images are laid out at the API: "channels_last" (N, H, W, C), Keras's default, unless a
    program set "channels_first" (N, C, H, W), as Keras 2's mnist_swwae.py does. Inside, layers run
    NCHW either way; the layout only decides how data, labels, predictions and a Lambda's tensors
    meet the API. (Kept here, not in session.py, which names it for Keras: common imports no other
    part of cnnkit.)"""
    return _image_data_format


def set_image_data_format(data_format: str) -> None:
    global _image_data_format
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(
            f"set_image_data_format: expected 'channels_last' or 'channels_first'; received {data_format!r}"
        )
    _image_data_format = data_format


def api_channels_first() -> bool:
    """Has the program set Keras's image_data_format to "channels_first"?"""
    return _image_data_format == "channels_first"


def api_to_runtime(x: torch.Tensor) -> torch.Tensor:
    """An image tensor as the API gives it (channels-last, or channels-first where the program set
    that) -> NCHW. Other ranks unchanged."""
    return x if api_channels_first() else to_channels_first(x)


def runtime_to_api(x: torch.Tensor) -> torch.Tensor:
    """NCHW -> the API's image layout. Other ranks unchanged."""
    return x if api_channels_first() else to_channels_last(x)


# The permuted view a user's function sees (a Lambda's, a user layer's call) carries the run-time
# tensor it was made of, under this attribute: K.gradients by the view differentiates by that
# tensor (the view is not in the graph).
RUNTIME_SOURCE = "_cnnkit_runtime_source"


def api_views(x):
    """Run-time tensors (one, or a list) as a user's code sees them: images in the API's layout
    (a permuted view, no copy), each carrying the tensor it was made of. Anything else as it is."""
    if isinstance(x, (list, tuple)):
        return [api_views(t) for t in x]
    if not isinstance(x, torch.Tensor):
        return x
    view = runtime_to_api(x)
    if view is not x:
        setattr(view, RUNTIME_SOURCE, x)
    return view


def runtime_views(y):
    """What a user's code returned (one tensor, or a list), images back to NCHW."""
    if isinstance(y, (list, tuple)):
        return [runtime_views(t) for t in y]
    return api_to_runtime(y) if isinstance(y, torch.Tensor) else y


def api_image_shape(shape: tuple) -> tuple:
    """An input shape as a program declares it (no batch axis) -> channels-last: under
    "channels_first" a 3-D shape is (channels, height, width)."""
    shape = tuple(shape)
    if len(shape) == 3 and api_channels_first():
        return (shape[1], shape[2], shape[0])
    return shape


# Tensors a layer returns for NumPy input carry this attribute: they are channels-last, as at
# Keras's API, so a layer they are passed to next reads them that way too (Keras's eager chains,
# `pooled = GlobalAveragePooling2D()(base_model(images))`).
API_LAYOUT = "_cnnkit_channels_last"


def is_api_data(value) -> bool:
    """A NumPy array, a tensor a layer returned for one, or a list of them (merge layers)."""
    if isinstance(value, (list, tuple)):
        return len(value) > 0 and all(is_api_data(v) for v in value)
    return isinstance(value, np.ndarray) or getattr(value, API_LAYOUT, False)


def from_api_array(x, device: torch.device | None) -> torch.Tensor:
    """API data (channels-last) as the run-time tensor: floats as float32 (Keras's floatx),
    integers (token ids) kept, images NCHW (a view of a tensor, no copy)."""
    tensor = x if isinstance(x, torch.Tensor) else torch.as_tensor(np.asarray(x), device=device)
    return api_to_runtime(tensor.float() if tensor.is_floating_point() else tensor)


def to_api_layout(result):
    """What a layer called on API data returns: its output with images back in the channels-last
    layout they came in (a view), marked as such, so `np.array(layer(x)[0])` is an image as Keras
    returns it and another layer takes it as Keras would."""
    if isinstance(result, (list, tuple)):
        return type(result)(to_api_layout(part) for part in result)
    if not isinstance(result, torch.Tensor):
        return result
    result = runtime_to_api(result)
    setattr(result, API_LAYOUT, True)
    return result


def runtime_dim(axis: int, rank: int) -> int:
    """The tensor dimension that API axis `axis` (negative allowed) lives in at run time."""
    axis = axis % rank
    if rank == 4:
        return (0, 2, 3, 1)[axis]
    return axis


def format_shape(shape: Shape) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def with_channel_axis(x: torch.Tensor, expected: Shape | None) -> torch.Tensor:
    """A run-time tensor one axis short of a model input whose last axis is one channel, given
    that axis, as Keras 3's models add it: (N, 28, 28) for (28, 28, 1) becomes NCHW (N, 1, 28, 28)
    (a view). Anything else as it is."""
    if expected is None or x.dim() != len(expected) - 1 or expected[-1] != 1:
        return x
    if any(e is not None and s != e for s, e in zip(x.shape[1:], expected[1:-1])):
        return x
    return x.unsqueeze(1) if x.dim() == 3 else x.unsqueeze(-1)  # rank 4 runs channels-first
