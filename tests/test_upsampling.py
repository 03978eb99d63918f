"""UpSampling2D and Conv2DTranspose. A transposed convolution is checked as what TensorFlow
defines it to be: the gradient of Conv2D (TensorFlow's 'same' padding) with respect to its input."""

import numpy as np
import pytest
import torch

import cnnkit as keras
from cnnkit import layers


@pytest.mark.parametrize(
    "kernel, strides, padding, output_padding, dilation",
    [
        (3, 2, "same", None, 1),
        (4, 2, "same", None, 1),  # an odd amount of padding: TensorFlow's cut is asymmetric
        (3, 2, "same", 1, 1),
        (5, 3, "same", 2, 1),
        (3, 2, "valid", None, 1),
        (2, 2, "valid", 1, 1),
        (1, 3, "valid", None, 1),  # kernel smaller than the stride: the gaps hold the bias alone
        (1, 3, "same", None, 1),
        (3, 1, "same", None, 2),
    ],
)
def test_conv2d_transpose_is_the_adjoint_of_conv2d(kernel, strides, padding, output_padding, dilation):
    torch.manual_seed(0)
    transposed = layers.Conv2DTranspose(
        3, kernel, strides, padding, output_padding=output_padding, dilation_rate=dilation, use_bias=False
    )
    x = torch.randn(2, 4, 5, 6)  # NCHW
    y = transposed(x)
    assert transposed.compute_output_shape((None, 5, 6, 4)) == (None, *y.shape[2:], 3)
    forward = layers.Conv2D(4, kernel, strides, padding, dilation_rate=dilation, use_bias=False)
    images = torch.zeros(2, 3, *y.shape[2:], requires_grad=True)
    forward(images)
    forward.set_weights(transposed.get_weights())  # the same Keras kernel (kh, kw, 3, 4)
    (gradient,) = torch.autograd.grad(forward(images), images, x)
    torch.testing.assert_close(y, gradient, atol=1e-5, rtol=1e-5)


def test_conv2d_transpose_shapes_bias_and_errors():
    layer = layers.Conv2DTranspose(8, 3, strides=2, padding="same", activation="relu")
    model = keras.Sequential([layers.Input((7, 7, 16)), layer])
    assert model.output_shape == (None, 14, 14, 8)
    assert [w.shape for w in layer.get_weights()] == [(3, 3, 8, 16), (8,)]
    assert layers.Conv2DTranspose(2, 5).compute_output_shape((None, 4, 4, 1)) == (None, 8, 8, 2)
    sparse = layers.Conv2DTranspose(1, 1, strides=3, bias_initializer="ones")
    out = sparse(torch.zeros(1, 1, 2, 2))
    np.testing.assert_array_equal(out[0, 0].detach().numpy(), np.ones((6, 6)))
    again = layers.Conv2DTranspose.from_config(layer.get_config())
    assert again.get_config() == {**layer.get_config(), "name": again.name}
    with pytest.raises(ValueError, match="Conv2DTranspose '.*': output_padding must be >= 0 and smaller than"):
        layers.Conv2DTranspose(2, 3, strides=2, output_padding=2)
    with pytest.raises(ValueError, match="padding must be 'valid' or 'same'"):
        layers.Conv2DTranspose(2, 3, padding="causal")


def test_upsampling2d(rng):
    images = rng.random((2, 3, 4, 5)).astype(np.float32)
    np.testing.assert_array_equal(
        layers.UpSampling2D((2, 3))(images).numpy(), images.repeat(2, axis=1).repeat(3, axis=2)
    )
    smooth = layers.UpSampling2D(2, interpolation="bilinear")(images).numpy()
    np.testing.assert_allclose(smooth, layers.Resizing(6, 8)(images).numpy(), rtol=1e-6)
    assert layers.UpSampling2D(2).compute_output_shape((None, 7, 7, 1)) == (None, 14, 14, 1)


def test_a_convolutional_autoencoder_learns_to_reconstruct(rng):
    keras.utils.set_random_seed(0)
    x = np.zeros((64, 8, 8, 1), np.float32)
    for image, (row, col) in zip(x, rng.integers(1, 6, (64, 2))):
        image[row : row + 2, col : col + 2] = 1.0  # a bright square somewhere
    model = keras.Sequential(
        [
            layers.Input((8, 8, 1)),
            layers.Conv2D(8, 3, activation="relu", padding="same"),
            layers.MaxPooling2D(2, padding="same"),
            layers.Conv2DTranspose(8, 3, strides=2, activation="relu", padding="same"),
            layers.UpSampling2D(1),
            layers.Conv2D(1, 3, activation="sigmoid", padding="same"),
        ]
    )
    model.compile("adam", "binary_crossentropy")
    history = model.fit(x, x, epochs=30, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < 0.6 * history.history["loss"][0]
