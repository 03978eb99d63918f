"""The model zoo: every registered model trains a step at small sizes, parameter counts match
the references at ImageNet size, the transfer-learning surface, and weights files."""

import numpy as np
import pytest
import torch

import cnnkit as keras
from cnnkit import applications, layers
from cnnkit.applications import get_model, list_models

# ResNet101 and ResNet152 repeat ResNet50's bottleneck blocks at length (a minute of the default
# run between them): they run in the slow target.
DEEPEST = {"resnet101", "resnet152"}


@pytest.mark.parametrize(
    "name", [pytest.param(name, marks=[pytest.mark.slow] if name in DEEPEST else []) for name in list_models()]
)
@pytest.mark.parametrize("shape", [(32, 32, 3), (28, 28, 1)])
def test_every_model_runs_forward_and_backward_on_small_images(name, shape, capsys):
    model = get_model(name, input_shape=shape, classes=7)
    device = next(model.parameters()).device  # cnnkit's default device: CUDA where there is one
    x = torch.randn(2, shape[2], shape[0], shape[1], device=device)
    model.train()
    y = model(x)
    assert y.shape == (2, 7)
    assert torch.isfinite(y).all()
    assert torch.allclose(y.sum(1), torch.ones(2, device=device), atol=1e-5)  # softmax by default
    y[:, 0].sum().backward()
    grads = [p.grad for p in model.parameters()]
    assert all(g is not None and torch.isfinite(g).all() for g in grads)
    model.summary()
    assert f"Total params: {model.count_params():,}" in capsys.readouterr().out


# torchvision's counts (sum of parameter sizes, 224x224x3, 1000 classes), and the LeNet-5 and
# CIFAR ResNet counts documented in their modules (the paper rounds: 0.27M, 0.46M, 0.66M, 0.85M, 1.7M).
PARAMETERS = {
    "alexnet": 61_100_840,
    "vgg11": 132_863_336,
    "vgg11_bn": 132_868_840,
    "vgg13": 133_047_848,
    "vgg13_bn": 133_053_736,
    "vgg16": 138_357_544,
    "vgg16_bn": 138_365_992,
    "vgg19": 143_667_240,
    "vgg19_bn": 143_678_248,
    "googlenet": 6_624_904,
    "resnet18": 11_689_512,
    "resnet34": 21_797_672,
    "resnet50": 25_557_032,
    "resnet101": 44_549_160,
    "resnet152": 60_192_808,
    "resnet20": 269_722,
    "resnet32": 464_154,
    "resnet44": 658_586,
    "resnet56": 853_018,
    "resnet110": 1_727_962,
    "lenet5": 61_706,
    "lenet5_modern": 61_706,
    "fashion_cnn": 356_234,
    "lstm": 81_674,  # LSTM(128) on 28 rows of 28 pixels: 4 * 128 * (28 + 128 + 1), then Dense(10)
}


def test_every_registered_model_has_a_reference_count():
    assert sorted(PARAMETERS) == list_models()


@pytest.mark.parametrize("name", sorted(PARAMETERS))
def test_parameter_counts_match_the_references(name):
    with torch.device("meta"):  # shapes only: no memory, no random numbers
        model = get_model(name)
    assert sum(p.numel() for p in model.parameters()) == PARAMETERS[name]


def test_googlenet_auxiliary_heads_make_a_three_output_model():
    with torch.device("meta"):
        model = applications.GoogLeNet(aux_logits=True)
    assert model.output_shape == [(None, 1000)] * 3
    assert sum(p.numel() for p in model.parameters()) == 13_004_888  # torchvision, aux_logits=True
    small = applications.GoogLeNet(aux_logits=True, input_shape=(32, 32, 3), classes=10)
    main, aux1, aux2 = small(torch.randn(2, 3, 32, 32, device=next(small.parameters()).device))
    assert main.shape == aux1.shape == aux2.shape == (2, 10)


def test_imagenet_sizes_flow_as_in_the_papers():
    with torch.device("meta"):
        assert applications.VGG16().feature_shape == (None, 7, 7, 512)
        assert applications.AlexNet().feature_shape == (None, 6, 6, 256)
        assert applications.ResNet50().feature_shape == (None, 7, 7, 2048)
        assert applications.GoogLeNet().feature_shape == (None, 7, 7, 1024)
        assert applications.LeNet5().feature_shape == (None, 1, 1, 120)


def test_small_image_stems():
    resnet = applications.ResNet18(input_shape=(32, 32, 3), classes=10)
    assert resnet.feature_shape == (None, 4, 4, 512)  # 3x3/1 stem, no max-pool: 32 -> 32 -> ... -> 4
    assert "maxpool" not in [layer.name for layer in resnet.layers]
    assert applications.ResNet18(input_shape=(32, 32, 3), small_input=False).feature_shape == (None, 1, 1, 512)
    assert applications.VGG16(input_shape=(28, 28, 1)).feature_shape == (None, 1, 1, 512)
    assert applications.ResNet20(input_shape=(28, 28, 1)).feature_shape == (None, 7, 7, 64)


def test_include_top_false_and_pooling():
    for pooling, shape in [(None, (None, 8, 8, 64)), ("avg", (None, 64)), ("max", (None, 64))]:
        model = applications.ResNet20(include_top=False, pooling=pooling)
        assert model.output_shape == shape
        assert model.head_layers == [] if pooling is None else len(model.head_layers) == 1
    base = applications.VGG11(include_top=False, pooling="avg", input_shape=(32, 32, 3))
    assert not any(isinstance(layer, layers.Dense) for layer in base.layers)


def test_transfer_learning_surface(rng):
    model = applications.ResNet20(classes=10)
    x = rng.standard_normal((4, 32, 32, 3)).astype(np.float32)
    features = model.forward_features(x)
    assert features.shape == (4, 64, 8, 8)  # NCHW inside
    model.replace_classifier(3)
    assert model.output_shape == (None, 3)
    for layer in model.backbone_layers:
        layer.trainable = False
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    before = [w.copy() for w in model.get_layer("layer1_0").get_weights()]
    model.fit(x, np.array([0, 1, 2, 0]), epochs=1, verbose=0)
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_layer("layer1_0").get_weights()))
    model.replace_head([layers.Flatten(), layers.Dense(2, activation="softmax")])
    assert model.output_shape == (None, 2)
    # Keras's way works too: a headless base inside a new model.
    base = applications.ResNet20(include_top=False, pooling="avg")
    new = keras.Sequential([base, layers.Dense(5, activation="softmax")])
    assert new.output_shape == (None, 5)  # built at once: the base brings its input shape
    assert new.predict(x, verbose=0).shape == (4, 5)


def test_registry_names_and_none_arguments():
    assert {"lenet5", "alexnet", "vgg16", "googlenet", "resnet18", "resnet20", "fashion_cnn"} <= set(list_models())
    model = get_model("ResNet20", classes=None, input_shape=None)  # None means: the model's default
    assert model.output_shape == (None, 10)
    with pytest.raises(ValueError, match="unknown model 'resnet7'; known models: alexnet"):
        get_model("resnet7")


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"weights": 123}, "weights must be None, 'imagenet' or a file path"),
        ({"pooling": "sum"}, "pooling must be None, 'avg' or 'max'"),
        ({"classes": 0}, "classes must be a positive int"),
        ({"input_shape": (32, 32)}, "input_shape must be \\(height, width, channels\\)"),
        ({"include_top": "yes"}, "include_top must be True or False"),
        ({"small_input": "auto"}, "small_input must be True, False or None"),
    ],
)
def test_bad_builder_arguments(kwargs, message):
    with pytest.raises(ValueError, match=f"ResNet18: .*{message}"):
        applications.ResNet18(**kwargs)


def test_lenet_variants():
    classic = applications.LeNet5()
    modern = applications.LeNet5(variant="modern")
    assert classic.get_layer("c1").activation_name == "tanh"
    assert isinstance(classic.get_layer("s2"), layers.AveragePooling2D)
    assert modern.get_layer("c1").activation_name == "relu"
    assert isinstance(modern.get_layer("s2"), layers.MaxPooling2D)
    with pytest.raises(ValueError, match="variant must be 'classic' or 'modern'"):
        applications.LeNet5(variant="new")


def test_googlenet_with_auxiliary_heads_trains_with_loss_weights(rng):
    model = applications.GoogLeNet(aux_logits=True, input_shape=(32, 32, 3), classes=4)
    assert model.output_names == ["predictions", "aux1", "aux2"]
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", loss_weights=[1.0, 0.3, 0.3])
    x = rng.standard_normal((4, 32, 32, 3)).astype(np.float32)
    y = rng.integers(0, 4, 4)
    history = model.fit(x, [y, y, y], epochs=1, verbose=0)
    logs = {key: values[0] for key, values in history.history.items()}
    expected = logs["predictions_loss"] + 0.3 * (logs["aux1_loss"] + logs["aux2_loss"])
    assert logs["loss"] == pytest.approx(expected, rel=1e-5)


def test_input_tensor_builds_the_network_on_that_graph(rng):
    """Keras's input_tensor: VGG on a graph tensor (a concatenation of a constant image and a
    placeholder, as neural_style_transfer.py does); each layer's .output is on that graph."""
    from cnnkit import backend as K

    placeholder = K.placeholder((1, 32, 32, 3))
    constant = rng.random((1, 32, 32, 3)).astype("float32")
    images = K.concatenate([K.variable(constant), placeholder], axis=0)
    model = applications.VGG11(input_tensor=images, include_top=False, small_input=True)
    assert model.input_shape == (2, 32, 32, 3) and model.layers[0].input is images
    # as Keras builds it: a functional model, an input layer first, then the network's own layers
    assert isinstance(model.layers[0], layers.InputLayer) and model.layers[1].name == "block1_conv1"
    block = model.get_layer("block2_conv1").output
    assert block.shape == (2, 16, 16, 128)
    value = rng.random((1, 32, 32, 3)).astype("float32")
    (got,) = K.function([placeholder], [block])([value])
    upto = keras.Model(model.input, block)
    np.testing.assert_allclose(got, upto.predict(np.concatenate([constant, value]), verbose=0), rtol=1e-4, atol=1e-5)
    with pytest.raises(ValueError, match="input_tensor must be a graph tensor of images"):
        applications.VGG11(input_tensor=np.zeros((1, 32, 32, 3)))
