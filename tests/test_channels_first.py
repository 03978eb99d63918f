"""Programs that set Keras's image_data_format to "channels_first" (Keras 2's mnist_swwae.py):
input shapes, data, labels, predictions and a Lambda's tensors are (N, C, H, W) at the API, and a
model gives the same numbers as the channels-last model with the same weights on the transposed
data. Also K.gradients inside a Lambda, which predict and evaluate now run (they record gradients
for such a model), and Keras 2's Input(tensor=...)."""

import numpy as np
import pytest

import cnnkit as keras
from cnnkit import backend as K
from cnnkit import layers


def small_model(channels_first: bool):
    """Conv, joined to the input on the channels -> BatchNormalization on the channels -> a Lambda
    that keeps the first channel."""
    K.set_image_data_format("channels_first" if channels_first else "channels_last")
    channels = 1 if channels_first else -1
    inputs = layers.Input(shape=(2, 6, 5) if channels_first else (6, 5, 2))
    x = layers.Conv2D(3, 3, padding="same", name="conv")(inputs)
    x = layers.concatenate([x, inputs], axis=channels)
    x = layers.BatchNormalization(axis=channels, name="norm")(x)
    first = (lambda t: t[:, :1] * 2.0) if channels_first else (lambda t: t[..., :1] * 2.0)
    model = keras.Model(inputs, layers.Lambda(first)(x))
    model.compile(optimizer="sgd", loss="mse")
    return model


def test_a_channels_first_model_equals_the_channels_last_one_on_transposed_data(rng):
    x = rng.random((4, 2, 6, 5)).astype("float32")  # (N, C, H, W), as the program holds its images
    y = rng.random((4, 1, 6, 5)).astype("float32")
    first = small_model(channels_first=True)
    assert first.input_shape == (None, 6, 5, 2)  # shapes stay channels-last inside cnnkit
    last = small_model(channels_first=False)
    last.set_weights(first.get_weights())
    K.set_image_data_format("channels_first")
    first.fit(x, y, batch_size=2, epochs=1, shuffle=False, verbose=0)
    predicted_first = first.predict(x, verbose=0)
    assert predicted_first.shape == (4, 1, 6, 5)
    K.set_image_data_format("channels_last")
    nhwc = lambda a: a.transpose(0, 2, 3, 1)  # noqa: E731
    last.fit(nhwc(x), nhwc(y), batch_size=2, epochs=1, shuffle=False, verbose=0)
    np.testing.assert_allclose(nhwc(predicted_first), last.predict(nhwc(x), verbose=0), rtol=1e-5, atol=1e-6)


def test_a_layer_cannot_ask_for_the_other_layout():
    K.set_image_data_format("channels_first")
    layers.Conv2D(4, 3, data_format="channels_first")
    with pytest.raises(ValueError, match="data_format='channels_last' differs from the image_data_format"):
        layers.MaxPooling2D(data_format="channels_last")
    with pytest.raises(ValueError, match=r"only the channels axis \(axis=1\) is supported; received axis=2"):
        layers.BatchNormalization(axis=2)(layers.Input((3, 4, 4)))


def max_pool_switches(maps: np.ndarray) -> np.ndarray:
    """1 where a value is the largest of its 2x2 window, else 0 (NHWC)."""
    n, h, w, c = maps.shape
    windows = maps.reshape(n, h // 2, 2, w // 2, 2, c)
    largest = windows.max(axis=(2, 4), keepdims=True)
    return (windows == largest).astype("float32").reshape(n, h, w, c)


def test_gradients_inside_a_lambda_run_in_fit_predict_and_evaluate(rng):
    """mnist_swwae.py's 'where' switches: the gradient of a max-pooling's sum by its input."""
    inputs = layers.Input((6, 6, 2))
    maps = layers.Conv2D(3, 3, padding="same", name="maps")(inputs)
    pooled = layers.MaxPooling2D(2)(maps)
    where = layers.Lambda(lambda ts: K.gradients(K.sum(ts[1]), ts[0]), output_shape=lambda s: s[0])([maps, pooled])
    unpooled = layers.multiply([layers.UpSampling2D(2)(pooled), where])
    model = keras.Model(inputs, unpooled)
    model.compile(optimizer="adam", loss="mse")
    x = rng.random((5, 6, 6, 2)).astype("float32")
    model.fit(x, x[..., :1].repeat(3, axis=-1), epochs=1, batch_size=5, verbose=0)
    got = model.predict(x, verbose=0)
    features = keras.Model(inputs, maps).predict(x, verbose=0)
    expected = features * max_pool_switches(features)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    loss = model.evaluate(x, np.zeros_like(got), verbose=0)
    np.testing.assert_allclose(loss, np.mean(expected**2), rtol=1e-4)


def test_input_from_a_constant_needs_no_value_fed(rng, tmp_path):
    """neural_doodle.py's masks: Input(tensor=K.variable(...)), pooled, read by a K.function of
    another input."""
    masks = rng.random((2, 4, 4, 3)).astype("float32")
    mask_input = layers.Input(tensor=K.variable(masks), shape=(None, None, None), name="mask_input")
    assert mask_input.shape == (2, 4, 4, 3)
    pooled = layers.AveragePooling2D(2, name="mask_pool")(mask_input)
    mask_model = keras.Model(mask_input, pooled)
    assert [layer.name for layer in mask_model.layers] == ["mask_input", "mask_pool"]
    image = K.placeholder((1, 2, 2, 3))
    total = K.sum(pooled[1, :, :, :] * image[0, :, :, :])
    (got,) = K.function([image], [total])([np.full((1, 2, 2, 3), 2.0, "float32")])
    expected = masks[1].reshape(2, 2, 2, 2, 3).mean(axis=(1, 3)).sum() * 2.0
    np.testing.assert_allclose(got, expected, rtol=1e-5)
    with pytest.raises(ValueError, match="tensor= must have a batch axis"):
        layers.Input(tensor=np.float32(1.0))
    with pytest.raises(ValueError, match=r"an input fed from a constant \(Input\(tensor=...\)\) cannot be written"):
        mask_model.save(tmp_path / "masks.keras")
