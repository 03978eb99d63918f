"""ResNet (He et al. 2015, "Deep Residual Learning for Image Recognition").

Two families share the residual blocks:
- ResNet18/34/50/101/152, the ImageNet networks, exactly torchvision's layout (stride in the 3x3
  convolution of a bottleneck, "ResNet v1.5"), so torchvision's weights load and parameter counts
  match: ResNet18 11,689,512, ResNet34 21,797,672, ResNet50 25,557,032 at 1000 classes.
- ResNet20/32/44/56/110, the CIFAR-10 networks of the paper's section 4.2: a 3x3 stem of 16
  filters, three stages of n basic blocks (16, 32, 64 filters), and option A shortcuts (identity,
  subsampled and zero-padded where the shape changes), so no shortcut has parameters. Depth 6n+2.

Small images (under 64 pixels a side, or small_input=True): the ImageNet family swaps its
7x7/stride-2 convolution and max-pool for one 3x3/stride-1 convolution, as is usual for CIFAR,
so a 32x32 image reaches the last stage as 4x4 rather than 1x1.
"""

from __future__ import annotations

import os

import torch
import torch.nn.functional as F

from cnnkit.applications.block import HE_FAN_OUT, TORCH_BN, build_chain, chain_shape, run_chain
from cnnkit.applications.classifier import Classifier, assemble, start
from cnnkit.applications.imagenet_utils import decode_predictions, preprocess_input  # noqa: F401  (Keras: <module>.<name>)
from cnnkit.applications.registry import register
from cnnkit.applications.resnet_keras import keras_resnet
from cnnkit.common import keras_defaults
from cnnkit.common.layout import Shape
from cnnkit.layers import BatchNormalization, Conv2D, Dense, GlobalAveragePooling2D, MaxPooling2D, ReLU
from cnnkit.layers.layer import Layer


def _conv(filters: int, kernel: int, strides: int = 1, name: str = "conv") -> Conv2D:
    # torch-style symmetric padding (kernel // 2) keeps torchvision's alignment at stride 2.
    return Conv2D(
        filters, kernel, strides=strides, padding=kernel // 2, use_bias=False, kernel_initializer=HE_FAN_OUT, name=name
    )


def _bn(name: str) -> BatchNormalization:
    return BatchNormalization(**TORCH_BN, name=name)


class _ResidualBlock(Layer):
    """out = relu(main(x) + shortcut(x)). The shortcut is the identity while shapes agree; where they
    change, a 1x1 convolution + batch norm ("projection", torchvision) or the subsampled input padded
    with zero channels ("zero_pad", the paper's option A for CIFAR)."""

    expansion = 1

    def __init__(self, filters: int, strides: int = 1, shortcut: str = "projection", **kwargs) -> None:
        super().__init__(**kwargs)
        if shortcut not in ("projection", "zero_pad"):
            raise self.error(f"shortcut must be 'projection' or 'zero_pad'; received shortcut={shortcut!r}")
        self.filters, self.strides, self.shortcut = filters, strides, shortcut
        self.relu = ReLU(name="relu")
        self.downsample_conv = self.downsample_bn = None
        self._zero_pad = 0

    def main_path(self) -> list[Layer]:
        raise NotImplementedError

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return chain_shape(self.main_path(), input_shape)

    def build(self, input_shape: Shape) -> None:
        output_shape = build_chain(self.main_path(), input_shape)
        channels_in, channels_out = input_shape[-1], output_shape[-1]
        if self.strides == 1 and channels_in == channels_out:
            return
        if self.shortcut == "projection":
            self.downsample_conv = Conv2D(
                channels_out, 1, strides=self.strides, use_bias=False, kernel_initializer=HE_FAN_OUT, name="conv"
            )
            self.downsample_bn = _bn("bn")
            build_chain([self.downsample_conv, self.downsample_bn], input_shape)
        elif channels_out < channels_in or (channels_out - channels_in) % 2:
            raise self.error(f"a zero-padding shortcut cannot go from {channels_in} to {channels_out} channels")
        else:
            self._zero_pad = (channels_out - channels_in) // 2

    def _shortcut(self, x: torch.Tensor) -> torch.Tensor:
        if self.downsample_conv is not None:
            return self.downsample_bn(self.downsample_conv(x))
        if self.strides != 1 or self._zero_pad:
            x = x[:, :, :: self.strides, :: self.strides]
            return F.pad(x, (0, 0, 0, 0, self._zero_pad, self._zero_pad))
        return x

    def call(self, x: torch.Tensor) -> torch.Tensor:
        return self.relu(run_chain(self.main_path(), x) + self._shortcut(x))

    def get_config(self) -> dict:
        return {**super().get_config(), "filters": self.filters, "strides": self.strides, "shortcut": self.shortcut}


class BasicBlock(_ResidualBlock):
    """Two 3x3 convolutions (ResNet18/34 and the CIFAR family).

    Input shape: (batch, height, width, channels). Output shape: (batch, height / strides,
    width / strides, filters)."""

    def __init__(self, filters: int, strides: int = 1, shortcut: str = "projection", **kwargs) -> None:
        super().__init__(filters, strides, shortcut, **kwargs)
        self.conv1, self.bn1 = _conv(filters, 3, strides, "conv1"), _bn("bn1")
        self.conv2, self.bn2 = _conv(filters, 3, 1, "conv2"), _bn("bn2")

    def main_path(self) -> list[Layer]:
        return [self.conv1, self.bn1, self.relu, self.conv2, self.bn2]


class Bottleneck(_ResidualBlock):
    """1x1 (reduce), 3x3 (strided), 1x1 (expand by 4) convolutions (ResNet50/101/152).

    Input shape: (batch, height, width, channels). Output shape: (batch, height / strides,
    width / strides, 4 * filters)."""

    expansion = 4

    def __init__(self, filters: int, strides: int = 1, shortcut: str = "projection", **kwargs) -> None:
        super().__init__(filters, strides, shortcut, **kwargs)
        self.conv1, self.bn1 = _conv(filters, 1, 1, "conv1"), _bn("bn1")
        self.conv2, self.bn2 = _conv(filters, 3, strides, "conv2"), _bn("bn2")
        self.conv3, self.bn3 = _conv(filters * 4, 1, 1, "conv3"), _bn("bn3")

    def main_path(self) -> list[Layer]:
        return [self.conv1, self.bn1, self.relu, self.conv2, self.bn2, self.relu, self.conv3, self.bn3]


def _stages(block: type[_ResidualBlock], widths, depths, shortcut: str, names: dict) -> list[Layer]:
    """Stage i has depths[i] blocks of widths[i] filters; every stage after the first halves the map."""
    layers = []
    for stage, (width, depth) in enumerate(zip(widths, depths), start=1):
        for index in range(depth):
            strides = 2 if stage > 1 and index == 0 else 1
            layer = block(width, strides, shortcut, name=f"layer{stage}_{index}")
            layers.append(layer)
            names[f"layer{stage}.{index}"] = layer
    return layers


def _finish_names(names: dict) -> dict:
    """Add the sub-layers of each block under torchvision's paths (`layer1.0.conv1`, `...downsample.0`)."""
    full = {}
    for path, layer in names.items():
        full[path] = layer
        if isinstance(layer, _ResidualBlock):
            for part in ("conv1", "bn1", "conv2", "bn2", "conv3", "bn3"):
                if hasattr(layer, part):
                    full[f"{path}.{part}"] = getattr(layer, part)
            if layer.downsample_conv is not None:
                full[f"{path}.downsample.0"] = layer.downsample_conv
                full[f"{path}.downsample.1"] = layer.downsample_bn
    return {path: layer for path, layer in full.items() if not isinstance(layer, _ResidualBlock)}


def _keras_weights_file(weights) -> bool:
    """Is `weights` a Keras HDF5 file (which only Keras's own ResNet layout can take)?"""
    from cnnkit.models.keras_files.files import is_hdf5

    return isinstance(weights, (str, os.PathLike)) and os.path.isfile(weights) and is_hdf5(weights)


def imagenet_resnet(
    name: str,
    block: type[_ResidualBlock],
    depths: tuple[int, ...],
    include_top: bool = True,
    weights=None,
    input_shape=None,
    pooling=None,
    classes: int = 1000,
    classifier_activation="softmax",
    small_input: bool | None = None,
    input_tensor=None,
) -> Classifier:
    shape, small = start(
        name, (224, 224, 3), include_top, weights, input_shape, pooling, classes, small_input, input_tensor
    )
    names: dict = {}
    if small:
        stem = [_conv(64, 3, 1, "conv1"), _bn("bn1"), ReLU(name="relu")]
    else:
        # 7x7/2 convolution then 3x3/2 max-pool: 224 -> 112 -> 56.
        stem = [_conv(64, 7, 2, "conv1"), _bn("bn1"), ReLU(name="relu"), MaxPooling2D(3, 2, padding=1, name="maxpool")]
    names["conv1"], names["bn1"] = stem[0], stem[1]
    body = _stages(block, (64, 128, 256, 512), depths, "projection", names)
    fc = Dense(classes, activation=classifier_activation, name="predictions")
    names["fc"] = fc
    return assemble(
        name,
        [*stem, *body],
        [GlobalAveragePooling2D(name="avg_pool"), fc],
        shape,
        include_top=include_top,
        pooling=pooling,
        weights=weights,
        torchvision_names=lambda: _finish_names(names),  # projection shortcuts exist once built
        torchvision_optional=("fc",),
        input_tensor=input_tensor,
    )


def cifar_resnet(
    name: str,
    depth: int,
    include_top: bool = True,
    weights=None,
    input_shape=None,
    pooling=None,
    classes: int = 10,
    classifier_activation="softmax",
) -> Classifier:
    shape, _ = start(name, (32, 32, 3), include_top, weights, input_shape, pooling, classes)
    n = (depth - 2) // 6
    stem = [_conv(16, 3, 1, "conv1"), _bn("bn1"), ReLU(name="relu")]
    body = _stages(BasicBlock, (16, 32, 64), (n, n, n), "zero_pad", {})
    head = [
        GlobalAveragePooling2D(name="avg_pool"),
        Dense(classes, activation=classifier_activation, name="predictions"),
    ]
    return assemble(name, [*stem, *body], head, shape, include_top=include_top, pooling=pooling, weights=weights)


# One builder per name (torchvision's and timm's pattern): Keras's arguments (include_top, weights,
# input_shape, pooling, classes, classifier_activation) pass through to imagenet_resnet/cifar_resnet.


@register("resnet18")
def ResNet18(**kwargs) -> Classifier:
    """ResNet-18 for ImageNet-size images (224x224x3; torchvision's layout, so its weights load).
    `small_input` (default: sides under 64 pixels) uses a 3x3/1 stem without max-pooling."""
    return imagenet_resnet("ResNet18", BasicBlock, (2, 2, 2, 2), **kwargs)


@register("resnet34")
def ResNet34(**kwargs) -> Classifier:
    """ResNet-34, basic blocks (3, 4, 6, 3); see ResNet18."""
    return imagenet_resnet("ResNet34", BasicBlock, (3, 4, 6, 3), **kwargs)


@register("resnet50")
def ResNet50(**kwargs) -> Classifier:
    """ResNet-50, bottleneck blocks (3, 4, 6, 3); see ResNet18. Given a Keras weights file
    (`weights="resnet50_weights_tf_dim_ordering_tf_kernels.h5"`), Keras's own ResNet50 instead
    (resnet_keras.py), the layout those weights belong to. Under Keras 2's defaults
    (`cnnkit run --keras 2`), Keras 2.3's ResNet50 with its names and weights (resnet50_keras2.py)."""
    if keras_defaults.version() == 2:
        from cnnkit.applications import resnet50_keras2

        return resnet50_keras2.ResNet50(**kwargs)
    if _keras_weights_file(kwargs.get("weights")):  # Keras Applications' weights: Keras's own layout
        return keras_resnet("ResNet50", **kwargs)
    return imagenet_resnet("ResNet50", Bottleneck, (3, 4, 6, 3), **kwargs)


@register("resnet101")
def ResNet101(**kwargs) -> Classifier:
    """ResNet-101, bottleneck blocks (3, 4, 23, 3); see ResNet18."""
    if _keras_weights_file(kwargs.get("weights")):  # Keras Applications' weights: Keras's own layout
        return keras_resnet("ResNet101", **kwargs)
    return imagenet_resnet("ResNet101", Bottleneck, (3, 4, 23, 3), **kwargs)


@register("resnet152")
def ResNet152(**kwargs) -> Classifier:
    """ResNet-152, bottleneck blocks (3, 8, 36, 3); see ResNet18."""
    if _keras_weights_file(kwargs.get("weights")):  # Keras Applications' weights: Keras's own layout
        return keras_resnet("ResNet152", **kwargs)
    return imagenet_resnet("ResNet152", Bottleneck, (3, 8, 36, 3), **kwargs)


@register("resnet20")
def ResNet20(**kwargs) -> Classifier:
    """The CIFAR-10 ResNet of depth 20 (He et al. 2015, section 4.2: 3 stages of 3 basic blocks,
    16/32/64 filters, zero-padded shortcuts; 32x32x3 and 10 classes by default)."""
    return cifar_resnet("ResNet20", 20, **kwargs)


@register("resnet32")
def ResNet32(**kwargs) -> Classifier:
    """The CIFAR-10 ResNet of depth 32; see ResNet20."""
    return cifar_resnet("ResNet32", 32, **kwargs)


@register("resnet44")
def ResNet44(**kwargs) -> Classifier:
    """The CIFAR-10 ResNet of depth 44; see ResNet20."""
    return cifar_resnet("ResNet44", 44, **kwargs)


@register("resnet56")
def ResNet56(**kwargs) -> Classifier:
    """The CIFAR-10 ResNet of depth 56; see ResNet20."""
    return cifar_resnet("ResNet56", 56, **kwargs)


@register("resnet110")
def ResNet110(**kwargs) -> Classifier:
    """The CIFAR-10 ResNet of depth 110; see ResNet20."""
    return cifar_resnet("ResNet110", 110, **kwargs)
