"""TensorFlow's 'same' padding: ceil(size / stride) outputs, the odd pixel of padding at the end.

PyTorch pads symmetrically, so a 'same' convolution or pooling with an even amount of padding
runs on torch's own padding argument; only an odd amount (stride 2 on an even size, or an even
kernel) needs an explicit asymmetric pad first.
"""

from __future__ import annotations


def same_pads(size: int, kernel: int, stride: int, dilation: int = 1) -> tuple[int, int]:
    """(before, after) padding along one axis for TensorFlow's 'same'."""
    outputs = -(-size // stride)
    span = (kernel - 1) * dilation + 1
    total = max((outputs - 1) * stride + span - size, 0)
    return total // 2, total - total // 2


def volume_pads(sizes, kernel, strides, dilation=(1, 1, 1)) -> tuple[int, ...]:
    """F.pad's amounts (last axis first) for TensorFlow's 'same' over a volume's three axes."""
    pads: list[int] = []
    for size, k, s, d in reversed(list(zip(sizes, kernel, strides, dilation))):
        pads.extend(same_pads(size, k, s, d))
    return tuple(pads)


def output_length(size: int | None, kernel: int, stride: int, padding: str | int, dilation: int = 1) -> int | None:
    """The output length of a window op along one axis (None stays None); `padding` is 'valid',
    'same', or an int: that many pixels on both sides, as torch's `padding=` argument."""
    if size is None:
        return None
    if padding == "same":
        return -(-size // stride)
    span = (kernel - 1) * dilation + 1
    extra = 2 * padding if isinstance(padding, int) else 0
    return (size + extra - span) // stride + 1


def axis_paddings(padding: str | tuple[int, int]) -> tuple:
    """The padding of each of the two axes: ('same', 'same') or the explicit pair itself."""
    return padding if isinstance(padding, tuple) else (padding, padding)


def check_padding(padding, owner: str) -> str | tuple[int, int]:
    """Keras's 'valid' or 'same'; also, as a cnnkit extension, torch's explicit symmetric padding
    (an int or a pair), which the classic architectures need to match their published weights."""
    if isinstance(padding, int) and not isinstance(padding, bool):
        padding = (padding, padding)
    if isinstance(padding, (tuple, list)):
        if len(padding) == 2 and all(isinstance(p, int) and not isinstance(p, bool) and p >= 0 for p in padding):
            return tuple(padding)
    else:
        mode = str(padding).lower()
        if mode in ("valid", "same"):
            return mode
    raise ValueError(
        f"{owner}: padding must be 'valid', 'same' or a number of pixels (int or pair); received padding={padding!r}."
    )


def padding_plan(size: tuple[int, int], kernel, strides, dilation, padding) -> tuple[tuple[int, int], tuple | None]:
    """How a 2-D window op pads an image of `size` (height, width): (torch's symmetric padding
    argument, explicit (left, right, top, bottom) amounts to F.pad first, or None)."""
    if padding == "valid":
        return (0, 0), None
    if isinstance(padding, tuple):
        return padding, None
    (top, bottom), (left, right) = (same_pads(n, k, s, d) for n, k, s, d in zip(size, kernel, strides, dilation))
    if top == bottom and left == right:
        return (top, left), None
    return (0, 0), (left, right, top, bottom)


def time_pads(padding: str, steps: int, kernel: int, stride: int, dilation: int = 1) -> tuple[int, int]:
    if padding == "same":
        return same_pads(steps, kernel, stride, dilation)
    if padding == "causal":
        return (kernel - 1) * dilation, 0
    return 0, 0
