"""Every layer through the shared helper, against NumPy references written from the definitions."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from layer_check import run_layer_test

from cnnkit import layers


def tf_same_pads(size, kernel, stride, dilation=1):
    """TensorFlow's rule, written out here independently of cnnkit's."""
    out = math.ceil(size / stride)
    total = max((out - 1) * stride + (kernel - 1) * dilation + 1 - size, 0)
    return total // 2, total - total // 2


def numpy_conv(x, layer):
    kernel, *rest = layer.get_weights()
    kh, kw, _, filters = kernel.shape
    (sh, sw), (dh, dw) = layer.strides, layer.dilation_rate
    n, h, w, _ = x.shape
    if layer.padding == "same":
        (top, bottom), (left, right) = tf_same_pads(h, kh, sh, dh), tf_same_pads(w, kw, sw, dw)
    else:
        top = bottom = left = right = 0
    xp = np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)))
    oh = (xp.shape[1] - (kh - 1) * dh - 1) // sh + 1
    ow = (xp.shape[2] - (kw - 1) * dw - 1) // sw + 1
    out = np.zeros((n, oh, ow, filters), dtype=np.float64)
    for a in range(kh):
        for b in range(kw):
            patch = xp[:, a * dh : a * dh + (oh - 1) * sh + 1 : sh, b * dw : b * dw + (ow - 1) * sw + 1 : sw, :]
            out += np.einsum("nhwc,co->nhwo", patch, kernel[a, b])
    if rest:
        out += rest[0]
    return out


def numpy_pool(x, layer, reduce):
    (ph, pw), (sh, sw) = layer.pool_size, layer.strides
    n, h, w, c = x.shape
    if layer.padding == "same":
        (top, _), (left, _) = tf_same_pads(h, ph, sh), tf_same_pads(w, pw, sw)
        oh, ow = math.ceil(h / sh), math.ceil(w / sw)
    else:
        top = left = 0
        oh, ow = (h - ph) // sh + 1, (w - pw) // sw + 1
    out = np.zeros((n, oh, ow, c))
    for i in range(oh):
        for j in range(ow):
            r, q = i * sh - top, j * sw - left
            window = x[:, max(r, 0) : min(r + ph, h), max(q, 0) : min(q + pw, w), :]
            out[:, i, j] = reduce(window, axis=(1, 2))
    return out


@pytest.mark.parametrize(
    "kwargs, input_shape, output_shape",
    [
        (dict(filters=4, kernel_size=3), (7, 9, 2), (5, 7, 4)),
        (dict(filters=4, kernel_size=3, padding="same"), (7, 9, 2), (7, 9, 4)),
        (dict(filters=3, kernel_size=3, strides=2, padding="same"), (8, 8, 2), (4, 4, 3)),  # asymmetric pad
        (dict(filters=3, kernel_size=(2, 4), strides=(1, 3), padding="same"), (6, 10, 1), (6, 4, 3)),
        (dict(filters=2, kernel_size=3, dilation_rate=2, padding="same"), (9, 9, 3), (9, 9, 2)),
        (dict(filters=5, kernel_size=5, strides=2, use_bias=False), (11, 11, 1), (4, 4, 5)),
    ],
)
def test_conv2d_matches_numpy(kwargs, input_shape, output_shape):
    layer = layers.Conv2D(**kwargs)
    kh, kw = (kwargs["kernel_size"],) * 2 if isinstance(kwargs["kernel_size"], int) else kwargs["kernel_size"]
    params = kh * kw * input_shape[-1] * kwargs["filters"] + (kwargs["filters"] if kwargs.get("use_bias", True) else 0)
    run_layer_test(layer, input_shape, numpy_conv, output_shape, params)


def test_conv2d_same_stride2_against_explicit_padding_and_torch():
    layer = layers.Conv2D(6, 3, strides=2, padding="same")
    x = torch.randn(2, 3, 10, 10)
    y = layer(x)
    (top, bottom), (left, right) = tf_same_pads(10, 3, 2), tf_same_pads(10, 3, 2)
    assert (top, bottom) == (0, 1)
    expected = F.conv2d(F.pad(x, (left, right, top, bottom)), layer.kernel, layer.bias, stride=2)
    torch.testing.assert_close(y, expected)


def test_conv2d_groups_against_torch():
    layer = layers.Conv2D(4, 3, groups=2, padding="same")
    run_layer_test(layer, (6, 6, 4), expected_output_shape=(6, 6, 4), expected_params=3 * 3 * 2 * 4 + 4)
    x = torch.randn(2, 4, 6, 6)
    torch.testing.assert_close(layer(x), F.conv2d(x, layer.kernel, layer.bias, padding=1, groups=2))


def test_conv2d_activation_and_keras_kernel_layout():
    layer = layers.Conv2D(8, (3, 5), activation="relu")
    layer.build_for((None, 10, 10, 3))
    kernel, bias = layer.get_weights()
    assert kernel.shape == (3, 5, 3, 8) and bias.shape == (8,)
    assert tuple(layer.kernel.shape) == (8, 3, 3, 5)
    y = layer(torch.randn(2, 3, 10, 10))
    assert (y >= 0).all()
    layer.set_weights([np.ones_like(kernel), np.full_like(bias, 2.0)])
    assert torch.all(layer.kernel == 1) and torch.all(layer.bias == 2)


def test_dense_matches_numpy_and_keras_layout():
    layer = layers.Dense(5, activation="tanh")

    def reference(x, layer):
        kernel, bias = layer.get_weights()
        return np.tanh(x @ kernel + bias)

    run_layer_test(layer, (7,), reference, (5,), 7 * 5 + 5)
    assert layer.get_weights()[0].shape == (7, 5)


def test_dense_on_images_acts_on_channels():
    layer = layers.Dense(3)
    run_layer_test(layer, (4, 4, 2), lambda x, l: x @ l.get_weights()[0] + l.get_weights()[1], (4, 4, 3), 9)


@pytest.mark.parametrize(
    "pool_kwargs, input_shape",
    [
        (dict(pool_size=(2, 2), padding="same"), (28, 28, 2)),
        (dict(pool_size=(2, 2), padding="same"), (7, 7, 2)),  # 7 -> 4: pads only at the end
        (dict(pool_size=3, strides=2, padding="same"), (5, 6, 1)),
        (dict(pool_size=3, strides=1, padding="same"), (5, 5, 2)),  # symmetric: torch's own padding
        (dict(pool_size=4, strides=1, padding="same"), (5, 5, 1)),  # (1, 2): explicit padding
        (dict(pool_size=2, strides=3, padding="same"), (8, 8, 1)),
        (dict(), (9, 8, 3)),  # Keras defaults: 2x2, stride 2, valid
        (dict(pool_size=3, strides=2), (9, 9, 1)),
    ],
)
@pytest.mark.parametrize("kind, reduce", [("max", np.max), ("avg", np.mean)])
def test_pooling_matches_tensorflow_rules(pool_kwargs, input_shape, kind, reduce):
    layer = (layers.MaxPooling2D if kind == "max" else layers.AveragePooling2D)(**pool_kwargs)
    run_layer_test(layer, input_shape, lambda x, l: numpy_pool(x, l, reduce), expected_params=0)


def test_same_pooling_chain_28_14_7_4():
    shape = (None, 28, 28, 1)
    for expected in (14, 7, 4):
        shape = layers.MaxPooling2D((2, 2), padding="same").compute_output_shape(shape)
        assert shape == (None, expected, expected, 1)


@pytest.mark.parametrize("cls, reduce", [(layers.GlobalAveragePooling2D, np.mean), (layers.GlobalMaxPooling2D, np.max)])
def test_global_pooling(cls, reduce):
    run_layer_test(cls(), (5, 4, 3), lambda x, l: reduce(x, axis=(1, 2)), (3,), 0)
    run_layer_test(cls(keepdims=True), (5, 4, 3), lambda x, l: reduce(x, axis=(1, 2), keepdims=True), (1, 1, 3), 0)


def test_batch_normalization_training_inference_and_keras_momentum():
    layer = layers.BatchNormalization()
    assert (layer.momentum, layer.epsilon) == (0.99, 1e-3)
    layer.build_for((None, 4, 4, 3))
    assert layer.count_params() == 12 and len(layer.trainable_weights) == 2
    x_nhwc = np.random.default_rng(2).standard_normal((8, 4, 4, 3)).astype(np.float32) * 3 + 1
    x = torch.from_numpy(x_nhwc).permute(0, 3, 1, 2)
    layer.train()
    y = layer(x).permute(0, 2, 3, 1).detach().numpy()
    mean, var = x_nhwc.mean(axis=(0, 1, 2)), x_nhwc.var(axis=(0, 1, 2))
    np.testing.assert_allclose(y, (x_nhwc - mean) / np.sqrt(var + 1e-3), atol=1e-4)
    np.testing.assert_allclose(layer.moving_mean.numpy(), 0.01 * mean, atol=1e-5)
    n = 8 * 4 * 4
    np.testing.assert_allclose(layer.moving_variance.numpy(), 0.99 + 0.01 * var * n / (n - 1), atol=1e-5)
    layer.eval()
    y_eval = layer(x).permute(0, 2, 3, 1).detach().numpy()
    expected = (x_nhwc - layer.moving_mean.numpy()) / np.sqrt(layer.moving_variance.numpy() + 1e-3)
    np.testing.assert_allclose(y_eval, expected, atol=1e-4)


def test_frozen_batch_normalization_uses_moving_statistics():
    layer = layers.BatchNormalization(trainable=False)
    layer.build_for((None, 3))
    layer.train()
    x = torch.randn(16, 3) * 5 + 2
    torch.testing.assert_close(layer(x), x / math.sqrt(1 + 1e-3))
    assert torch.all(layer.moving_mean == 0)


def test_batch_normalization_on_features_through_helper():
    run_layer_test(layers.BatchNormalization(center=False), (6,), expected_output_shape=(6,), expected_params=18)


def test_activation_layers():
    run_layer_test(layers.LeakyReLU(alpha=0.1), (3, 3, 2), lambda x, l: np.where(x > 0, x, 0.1 * x), (3, 3, 2), 0)
    run_layer_test(layers.LeakyReLU(negative_slope=0.2), (4,), lambda x, l: np.where(x > 0, x, 0.2 * x))
    assert layers.LeakyReLU().negative_slope == 0.3
    run_layer_test(layers.ReLU(max_value=0.5), (4,), lambda x, l: np.clip(x, 0, 0.5))
    run_layer_test(
        layers.ReLU(negative_slope=0.1, threshold=0.2), (4,), lambda x, l: np.where(x >= 0.2, x, 0.1 * (x - 0.2))
    )

    def softmax(x, axis=-1):
        e = np.exp(x - x.max(axis=axis, keepdims=True))
        return e / e.sum(axis=axis, keepdims=True)

    run_layer_test(layers.Softmax(), (3, 3, 4), lambda x, l: softmax(x))
    run_layer_test(layers.Activation("softmax"), (5,), lambda x, l: softmax(x))


@pytest.mark.parametrize(
    "name, reference",
    [
        ("linear", lambda x: x),
        ("relu", lambda x: np.maximum(x, 0)),
        ("sigmoid", lambda x: 1 / (1 + np.exp(-x))),
        ("tanh", np.tanh),
        ("elu", lambda x: np.where(x > 0, x, np.exp(x) - 1)),
        ("selu", lambda x: 1.0507009873554805 * np.where(x > 0, x, 1.6732632423543772 * (np.exp(x) - 1))),
        ("softplus", lambda x: np.log1p(np.exp(x))),
        ("softsign", lambda x: x / (1 + np.abs(x))),
        ("swish", lambda x: x / (1 + np.exp(-x))),
        ("silu", lambda x: x / (1 + np.exp(-x))),
        ("gelu", lambda x: 0.5 * x * (1 + np.vectorize(math.erf)(x / math.sqrt(2)))),
        ("leaky_relu", lambda x: np.where(x > 0, x, 0.2 * x)),
        ("relu6", lambda x: np.clip(x, 0, 6)),
        ("hard_sigmoid", lambda x: np.clip(x / 6 + 0.5, 0, 1)),
        ("hard_swish", lambda x: x * np.clip(x / 6 + 0.5, 0, 1)),
        ("mish", lambda x: x * np.tanh(np.log1p(np.exp(x)))),
        ("log_softmax", lambda x: x - np.log(np.exp(x).sum(-1, keepdims=True))),
    ],
)
def test_activation_strings(name, reference):
    run_layer_test(layers.Activation(name), (6,), lambda x, l: reference(x.astype(np.float64)))


def test_flatten_uses_keras_order_and_reshape_round_trips():
    run_layer_test(layers.Flatten(), (3, 4, 2), lambda x, l: x.reshape(len(x), -1), (24,), 0)
    run_layer_test(layers.Reshape((4, 6)), (3, 4, 2), lambda x, l: x.reshape(len(x), 4, 6), (4, 6), 0)
    run_layer_test(layers.Reshape((2, -1, 3)), (24,), lambda x, l: x.reshape(len(x), 2, 4, 3), (2, 4, 3), 0)
    x = torch.randn(2, 3, 5, 4)
    round_trip = layers.Reshape((5, 4, 3))(layers.Flatten()(x))
    torch.testing.assert_close(round_trip, x)


def test_cropping_repeat_vector_and_permute():
    crop = ((1, 0), (2, 1))
    run_layer_test(layers.Cropping2D(crop), (5, 6, 2), lambda x, l: x[:, 1:, 2:-1], (4, 3, 2), 0)
    run_layer_test(layers.Cropping2D(1), (4, 4, 1), lambda x, l: x[:, 1:-1, 1:-1], (2, 2, 1), 0)
    with pytest.raises(ValueError, match=r"Cropping2D '.*': cropping \(\(2, 2\), \(0, 0\)\) leaves nothing"):
        layers.Cropping2D((2, 0)).compute_output_shape((None, 4, 4, 1))
    run_layer_test(layers.RepeatVector(3), (4,), lambda x, l: np.repeat(x[:, None], 3, axis=1), (3, 4), 0)
    run_layer_test(layers.Permute((2, 1)), (5, 3), lambda x, l: x.transpose(0, 2, 1), (3, 5), 0)
    # on images the dims are Keras's channels-last axes: (H, W, C) -> (C, H, W) is a new image
    run_layer_test(layers.Permute((3, 1, 2)), (4, 5, 2), lambda x, l: x.transpose(0, 3, 1, 2), (2, 4, 5), 0)
    with pytest.raises(ValueError, match="dims must be a permutation of 1..2"):
        layers.Permute((0, 1))


def test_zero_padding_rescaling_dropout():
    pads = ((1, 2), (0, 3))
    run_layer_test(layers.ZeroPadding2D(pads), (4, 4, 2), lambda x, l: np.pad(x, ((0, 0), *pads, (0, 0))), (7, 7, 2), 0)
    run_layer_test(layers.ZeroPadding2D(), (2, 2, 1), expected_output_shape=(4, 4, 1))
    run_layer_test(layers.Rescaling(1 / 255, offset=-1), (3,), lambda x, l: x / 255 - 1)
    dropout = layers.Dropout(0.5)
    run_layer_test(dropout, (1000,), lambda x, l: x)  # evaluation mode passes inputs through
    dropout.train()
    y = dropout(torch.ones(1, 1000))
    assert set(torch.unique(y).tolist()) <= {0.0, 2.0} and 0.4 < (y == 0).float().mean() < 0.6


def test_keras_initializers_and_fans():
    from cnnkit import initializers

    kernel = initializers.get("glorot_uniform")((3, 3, 16, 32))
    limit = math.sqrt(6 / (3 * 3 * 16 + 3 * 3 * 32))
    assert kernel.abs().max() <= limit and kernel.abs().max() > 0.9 * limit
    he = initializers.get("he_normal")((200, 300))
    assert abs(he.std().item() - math.sqrt(2 / 200)) < 0.1 * math.sqrt(2 / 200)
    assert he.abs().max() <= 2 * math.sqrt(2 / 200) / 0.87962566103423978 + 1e-6
    layer = layers.Dense(4, kernel_initializer="ones", bias_initializer=initializers.Constant(0.5))
    layer.build_for((None, 2))
    assert np.all(layer.get_weights()[0] == 1) and np.all(layer.get_weights()[1] == 0.5)
    orthogonal = initializers.get("orthogonal")((6, 6))
    torch.testing.assert_close(orthogonal @ orthogonal.T, torch.eye(6), atol=1e-5, rtol=0)
    with pytest.raises(ValueError, match="Unknown initializer 'glorot'"):
        layers.Dense(3, kernel_initializer="glorot")


def test_keras_names_and_freezing():
    assert layers.Conv2D(2, 3).name == "conv2d"
    assert layers.Conv2D(2, 3).name == "conv2d_1"
    assert layers.LeakyReLU().name == "leaky_re_lu"
    assert layers.MaxPooling2D().name == "max_pooling2d"
    dense = layers.Dense(3, name="head")
    dense.build_for((None, 4))
    dense.trainable = False
    assert dense.trainable_weights == [] and len(dense.non_trainable_weights) == 2
    assert not dense.kernel.requires_grad


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: layers.Conv2D(0, 3), "filters must be a positive int; received filters=0"),
        (lambda: layers.Conv2D(8, 0), "kernel_size must be a positive int"),
        (lambda: layers.Conv2D(8, 3, padding="full"), "padding must be 'valid', 'same' or a number"),
        (lambda: layers.MaxPooling2D(3, padding=2), "padding may be at most half"),
        (lambda: layers.Conv2D(8, 3, strides=2, dilation_rate=2), "cannot be combined"),
        (lambda: layers.Conv2D(8, 3, data_format="channels_first"), "differs from the image_data_format"),
        (lambda: layers.Dense(-1), "units must be a positive int; received units=-1"),
        (lambda: layers.Dense(3, activation="relux"), "Unknown activation 'relux'"),
        (lambda: layers.Dropout(1.5), "rate must be a number in"),
        (lambda: layers.MaxPooling2D(pool_size=(2, 2, 2)), "pool_size must be an int or a pair"),
        (lambda: layers.Reshape((3, -1, -1)), "at most one -1"),
        (lambda: layers.Dense(3, kernel_size=3), "unknown argument"),
    ],
)
def test_bad_layer_arguments_name_the_layer_and_value(make, message):
    with pytest.raises((ValueError, TypeError), match=message):
        make()


def test_bad_input_shapes_name_the_layer():
    with pytest.raises(ValueError, match=r"Conv2D 'conv2d': expected input of rank 4 .* received shape \(None, 784\)"):
        layers.Conv2D(4, 3).build_for((None, 784))
    with pytest.raises(ValueError, match="too small for kernel_size"):
        layers.Conv2D(4, 5).build_for((None, 3, 3, 1))
    with pytest.raises(ValueError, match="cannot reshape"):
        layers.Reshape((5, 5)).compute_output_shape((None, 24))
