"""The classic architectures, Keras-style, each one call away:

    model = cnnkit.applications.ResNet18(include_top=True, weights=None, input_shape=None,
                                         pooling=None, classes=1000, classifier_activation="softmax")

Every builder returns a Classifier (a Sequential with a backbone and a head; see classifier.py)
and is registered under a lowercase name for `get_model(name, **kwargs)` and the command line.
"""

from cnnkit.applications import (  # Keras's module addresses
    imagenet_utils,
    inception_v3,
    mobilenet,
    mobilenet_v2,
    resnet50,
    resnet_v2,
    vgg16,
    vgg19,
)
from cnnkit.applications.alexnet import AlexNet
from cnnkit.applications.classifier import Classifier
from cnnkit.applications.googlenet import GoogLeNet, Inception, InceptionAux
from cnnkit.applications.inception_v3 import InceptionV3
from cnnkit.applications.lenet import FashionCNN, LeNet5, LeNet5Modern
from cnnkit.applications.lstm import LSTMClassifier
from cnnkit.applications.mobilenet import MobileNet
from cnnkit.applications.mobilenet_v2 import MobileNetV2
from cnnkit.applications.registry import get_model, list_models
from cnnkit.applications.resnet import (
    BasicBlock,
    Bottleneck,
    ResNet18,
    ResNet20,
    ResNet32,
    ResNet34,
    ResNet44,
    ResNet50,
    ResNet56,
    ResNet101,
    ResNet110,
    ResNet152,
)
from cnnkit.applications.resnet_v2 import ResNet50V2, ResNet101V2, ResNet152V2
from cnnkit.applications.vgg import VGG11, VGG11_BN, VGG13, VGG13_BN, VGG16, VGG16_BN, VGG19, VGG19_BN
from cnnkit.applications.weights import load_torchvision_state_dict, load_weights_file

__all__ = [
    "InceptionV3",
    "inception_v3",
    "MobileNet",
    "mobilenet",
    "MobileNetV2",
    "mobilenet_v2",
    "ResNet50V2",
    "ResNet101V2",
    "ResNet152V2",
    "resnet_v2",
    "imagenet_utils",
    "resnet50",
    "vgg16",
    "vgg19",
    "LSTMClassifier",
    "VGG11",
    "VGG11_BN",
    "VGG13",
    "VGG13_BN",
    "VGG16",
    "VGG16_BN",
    "VGG19",
    "VGG19_BN",
    "AlexNet",
    "BasicBlock",
    "Bottleneck",
    "Classifier",
    "FashionCNN",
    "GoogLeNet",
    "Inception",
    "InceptionAux",
    "LeNet5",
    "LeNet5Modern",
    "ResNet18",
    "ResNet20",
    "ResNet32",
    "ResNet34",
    "ResNet44",
    "ResNet50",
    "ResNet56",
    "ResNet101",
    "ResNet110",
    "ResNet152",
    "get_model",
    "list_models",
    "load_torchvision_state_dict",
    "load_weights_file",
]
