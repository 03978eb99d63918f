"""A user's layer's `call` runs as in Keras: images channels-last (whatever cnnkit runs inside),
cnnkit layers used inside it take its tensors that way, and `training` is passed where the call
names it. Checked against NumPy on the same arrays."""

import numpy as np
import pytest
import torch

import cnnkit as keras
from cnnkit import layers, ops


class PixelSequence(layers.Layer):
    """keras.io's CCT tokenizer: a convolution, then (batch, height * width, channels)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.conv = keras.Sequential([layers.Conv2D(4, 3, padding="same", use_bias=False)])

    def call(self, images):
        x = self.conv(images)
        shape = ops.shape(x)
        return ops.reshape(x, (-1, shape[1] * shape[2], shape[-1]))


class ChannelsLast(layers.Layer):
    """Returns its input unchanged after reading it channels-last."""

    def call(self, images):
        self.seen = tuple(images.shape[1:])
        return images * 1.0


class RecordsTraining(layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.modes = []

    def call(self, x, training=None):
        self.modes.append(training)
        return x


def test_the_call_sees_images_channels_last_and_so_does_a_layer_inside_it(rng):
    images = rng.random((2, 5, 6, 3)).astype("float32")
    tokens = PixelSequence()
    out = tokens(images)
    kernel = tokens.conv.layers[0].get_weights()[0]  # (3, 3, 3, 4), Keras's layout
    padded = np.pad(images, ((0, 0), (1, 1), (1, 1), (0, 0)))
    expected = np.zeros((2, 5, 6, 4), dtype="float32")
    for i in range(5):
        for j in range(6):
            expected[:, i, j] = np.einsum("nhwc,hwco->no", padded[:, i : i + 3, j : j + 3], kernel)
    assert tuple(out.shape) == (2, 30, 4)
    np.testing.assert_allclose(ops.convert_to_numpy(out), expected.reshape(2, 30, 4), rtol=1e-5, atol=1e-5)


def test_in_a_functional_model_the_output_shape_and_values_follow_the_channels_last_reading(rng):
    inputs = keras.Input((5, 6, 3))
    seen = ChannelsLast()
    sequence = PixelSequence()(seen(inputs))
    model = keras.Model(inputs, layers.GlobalAveragePooling1D()(sequence))
    assert seen.seen == (5, 6, 3) and sequence.shape == (None, 30, 4)
    images = rng.random((3, 5, 6, 3)).astype("float32")
    conv = model.layers[2].conv.layers[0]
    assert model.predict(images, verbose=0).shape == (3, 4)
    by_hand = ops.convert_to_numpy(conv(images)).mean(axis=(1, 2))  # the same convolution, called on its own
    np.testing.assert_allclose(model.predict(images, verbose=0), by_hand, rtol=1e-5, atol=1e-5)


def test_training_is_passed_to_a_call_that_names_it(rng):
    recorder = RecordsTraining()
    model = keras.Sequential([keras.Input((4,)), recorder, layers.Dense(2)])
    model.compile(optimizer="sgd", loss="mse")
    x, y = rng.random((8, 4)).astype("float32"), rng.random((8, 2)).astype("float32")
    recorder.modes.clear()
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    assert recorder.modes == [True]
    recorder.modes.clear()
    model.predict(x, verbose=0)
    assert recorder.modes == [False]


def test_an_unknown_keyword_in_a_symbolic_call_names_the_layer():
    with pytest.raises(ValueError, match="RecordsTraining .*takes no keyword argument start_index"):
        RecordsTraining()(keras.Input((4,)), start_index=1)


def test_embedding_takes_ids_of_any_rank():
    embedding = layers.Embedding(10, 3)
    vectors = embedding(np.arange(4))
    table = embedding.get_weights()[0]
    np.testing.assert_allclose(ops.convert_to_numpy(vectors), table[:4])
    assert embedding.compute_output_shape((None,)) == (None, 3)


def test_an_image_keras_ops_made_from_arrays_is_taken_channels_last_by_a_layer(rng):
    image = rng.random((6, 8, 3)).astype("float32")
    resized = ops.image.resize(ops.convert_to_tensor([image]), size=(6, 8))  # the same size: the same pixels
    tokens = PixelSequence()
    np.testing.assert_allclose(
        ops.convert_to_numpy(tokens(resized)), ops.convert_to_numpy(tokens(image[None])), rtol=1e-5, atol=1e-5
    )
    # So is one joined from such images (ops.concatenate takes them as a list).
    joined = ops.concatenate([resized, resized], axis=0)
    np.testing.assert_allclose(
        ops.convert_to_numpy(tokens(joined)),
        ops.convert_to_numpy(tokens(np.stack([image, image]))),
        rtol=1e-5,
        atol=1e-5,
    )
    # A bare torch tensor is NCHW, as PyTorch's modules take it.
    torch_image = torch.as_tensor(image).permute(2, 0, 1)[None]
    assert tuple(layers.Conv2D(2, 1)(torch_image).shape) == (1, 2, 6, 8)
