"""VGG (Simonyan & Zisserman 2014, "Very Deep Convolutional Networks for Large-Scale Image Recognition").

Each variant is a list: a number is a 3x3 convolution with that many filters, "M" a 2x2 max-pool.
The layout is torchvision's (convolutions with bias; with batch norm, each is followed by
BatchNormalization), so its weights load and VGG16 has 138,357,544 parameters at 224x224x3.

Small images (under 64 pixels a side, or small_input=True): the pools use 'same' padding, so a
28x28 image still reaches the last block (28 -> 14 -> 7 -> 4 -> 2 -> 1), and the two hidden dense
layers have 512 units instead of 4096, the usual CIFAR-10 classifier.
"""

from __future__ import annotations

from cnnkit.applications.block import TORCH_BN
from cnnkit.applications.classifier import Classifier, assemble, start
from cnnkit.applications.imagenet_utils import decode_predictions, preprocess_input  # noqa: F401  (Keras: <module>.<name>)
from cnnkit.applications.registry import register
from cnnkit.layers import BatchNormalization, Conv2D, Dense, Dropout, Flatten, MaxPooling2D, ReLU

CONFIGS = {
    11: [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    13: [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    16: [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
    19: [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512, 512, 512, 512, "M"],
}


def vgg(
    name: str,
    depth: int,
    batch_norm: bool,
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
    names = {}
    features, index, block, conv = [], 0, 1, 1  # index counts torchvision's `features` modules
    for item in CONFIGS[depth]:
        if item == "M":
            features.append(MaxPooling2D(2, padding="same" if small else "valid", name=f"block{block}_pool"))
            block, conv, index = block + 1, 1, index + 1
            continue
        layer = Conv2D(item, 3, padding=1, activation=None if batch_norm else "relu", name=f"block{block}_conv{conv}")
        features.append(layer)
        names[f"features.{index}"] = layer
        if batch_norm:
            norm = BatchNormalization(**TORCH_BN, name=f"block{block}_bn{conv}")
            features += [norm, ReLU(name=f"block{block}_relu{conv}")]
            names[f"features.{index + 1}"] = norm
        index += 3 if batch_norm else 2
        conv += 1
    width = 512 if small else 4096
    fc1 = Dense(width, activation="relu", name="fc1")
    fc2 = Dense(width, activation="relu", name="fc2")
    predictions = Dense(classes, activation=classifier_activation, name="predictions")
    head = [Flatten(name="flatten"), fc1, Dropout(0.5), fc2, Dropout(0.5), predictions]
    names.update({"classifier.0": fc1, "classifier.3": fc2, "classifier.6": predictions})
    return assemble(
        name,
        features,
        head,
        shape,
        include_top=include_top,
        pooling=pooling,
        weights=weights,
        torchvision_names=names,
        flattened={"classifier.0": features[-1]},
        torchvision_optional=("classifier",),
        input_tensor=input_tensor,
    )


# One builder per name (torchvision's and timm's pattern). Keras's arguments (include_top, weights,
# input_shape, pooling, classes, classifier_activation) and small_input pass through to `vgg`:
# small_input (default: sides under 64 pixels) uses 'same' pooling and 512-unit hidden layers.


@register("vgg11")
def VGG11(**kwargs) -> Classifier:
    """VGG-11 (configuration A of the paper); 224x224x3 by default."""
    return vgg("VGG11", 11, batch_norm=False, **kwargs)


@register("vgg11_bn")
def VGG11_BN(**kwargs) -> Classifier:
    """VGG-11 (configuration A of the paper) with batch normalization; 224x224x3 by default."""
    return vgg("VGG11_BN", 11, batch_norm=True, **kwargs)


@register("vgg13")
def VGG13(**kwargs) -> Classifier:
    """VGG-13 (configuration B of the paper); 224x224x3 by default."""
    return vgg("VGG13", 13, batch_norm=False, **kwargs)


@register("vgg13_bn")
def VGG13_BN(**kwargs) -> Classifier:
    """VGG-13 (configuration B of the paper) with batch normalization; 224x224x3 by default."""
    return vgg("VGG13_BN", 13, batch_norm=True, **kwargs)


@register("vgg16")
def VGG16(**kwargs) -> Classifier:
    """VGG-16 (configuration D of the paper); 224x224x3 by default."""
    return vgg("VGG16", 16, batch_norm=False, **kwargs)


@register("vgg16_bn")
def VGG16_BN(**kwargs) -> Classifier:
    """VGG-16 (configuration D of the paper) with batch normalization; 224x224x3 by default."""
    return vgg("VGG16_BN", 16, batch_norm=True, **kwargs)


@register("vgg19")
def VGG19(**kwargs) -> Classifier:
    """VGG-19 (configuration E of the paper); 224x224x3 by default."""
    return vgg("VGG19", 19, batch_norm=False, **kwargs)


@register("vgg19_bn")
def VGG19_BN(**kwargs) -> Classifier:
    """VGG-19 (configuration E of the paper) with batch normalization; 224x224x3 by default."""
    return vgg("VGG19_BN", 19, batch_norm=True, **kwargs)
