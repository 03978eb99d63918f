"""What the convolution layers share: their window arguments and config."""

from __future__ import annotations

from cnnkit.layers.arguments import check_data_format, check_positive_pair, weight_arguments_config
from cnnkit.layers.layer import Layer


def set_window_arguments(layer: Layer, kernel_size, strides, dilation_rate, data_format) -> str:
    """What the 2-D convolutions take alike: kernel_size, strides and dilation_rate as positive
    pairs (strides and dilation not both above 1, as in Keras) and a channels-last data_format.
    Returns the layer's name for messages, "Conv2D 'conv2d'"."""
    owner = f"{type(layer).__name__} '{layer.name}'"
    layer.kernel_size = check_positive_pair(kernel_size, "kernel_size", owner)
    layer.strides = check_positive_pair(strides, "strides", owner)
    layer.dilation_rate = check_positive_pair(dilation_rate, "dilation_rate", owner)
    if max(layer.strides) > 1 and max(layer.dilation_rate) > 1:
        raise layer.error(
            f"strides > 1 cannot be combined with dilation_rate > 1; received strides={layer.strides}, "
            f"dilation_rate={layer.dilation_rate}"
        )
    check_data_format(data_format, owner)
    return owner


def convolution_config(layer: Layer) -> dict:
    """The arguments Conv1D and Conv2D share, as their saved configs hold them."""
    return {
        "filters": layer.filters,
        "kernel_size": layer.kernel_size,
        "strides": layer.strides,
        "padding": layer.padding,
        "dilation_rate": layer.dilation_rate,
        "groups": layer.groups,
        **weight_arguments_config(layer),
    }
