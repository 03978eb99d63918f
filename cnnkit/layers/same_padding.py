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


def output_length(size: int | None, kernel: int, stride: int, padding: str, dilation: int = 1) -> int | None:
    """Keras's output length of a window op along one axis (None stays None)."""
    if size is None:
        return None
    if padding == "same":
        return -(-size // stride)
    span = (kernel - 1) * dilation + 1
    return (size - span) // stride + 1


def check_padding(padding: str, owner: str) -> str:
    mode = str(padding).lower()
    if mode not in ("valid", "same"):
        raise ValueError(f"{owner}: padding must be 'valid' or 'same'; received padding={padding!r}.")
    return mode
