"""Conv1D, the 1-D poolings and SpatialDropout1D against NumPy written from their definitions
(TensorFlow's 'same', 'causal'), through the shared layer check."""

import numpy as np
import pytest
import torch
from layer_check import run_layer_test

import cnnkit as keras
from cnnkit import layers


def time_pads(padding: str, steps: int, kernel: int, stride: int, dilation: int = 1) -> tuple[int, int]:
    if padding == "causal":
        return (kernel - 1) * dilation, 0
    if padding == "valid":
        return 0, 0
    outputs = -(-steps // stride)
    total = max((outputs - 1) * stride + (kernel - 1) * dilation + 1 - steps, 0)
    return total // 2, total - total // 2


def numpy_conv1d(x, kernel, bias, stride, dilation, padding):
    k = kernel.shape[0]
    before, after = time_pads(padding, x.shape[1], k, stride, dilation)
    padded = np.pad(x, ((0, 0), (before, after), (0, 0)))
    length = (padded.shape[1] - (k - 1) * dilation - 1) // stride + 1
    out = np.zeros((x.shape[0], length, kernel.shape[2]), np.float64)
    for t in range(length):
        for j in range(k):
            out[:, t] += padded[:, t * stride + j * dilation] @ kernel[j]
    return out + bias


@pytest.mark.parametrize(
    "kernel, stride, dilation, padding",
    [(3, 1, 1, "valid"), (4, 1, 1, "same"), (4, 2, 1, "same"), (3, 1, 2, "causal"), (2, 3, 1, "causal")],
)
def test_conv1d_matches_its_definition(kernel, stride, dilation, padding):
    layer = layers.Conv1D(5, kernel, strides=stride, dilation_rate=dilation, padding=padding)

    def reference(x, built):
        weights, bias = built.get_weights()  # Keras's layout: (kernel, in, filters)
        assert weights.shape == (kernel, 4, 5)
        return numpy_conv1d(x, weights, bias, stride, dilation, padding)

    steps = {"valid": (11 - (kernel - 1) * dilation - 1) // stride + 1}.get(padding, -(-11 // stride))
    run_layer_test(layer, (11, 4), reference, (steps, 5), kernel * 4 * 5 + 5)


def test_causal_outputs_never_see_later_steps():
    layer = layers.Conv1D(3, 4, padding="causal", dilation_rate=2)
    x = torch.randn(2, 12, 3)
    changed = x.clone()
    changed[:, 7:] += 10  # only steps 7 and later differ
    with torch.no_grad():
        np.testing.assert_array_equal(layer(x)[:, :7].numpy(), layer(changed)[:, :7].numpy())


def numpy_pool(x, size, stride, padding, reduce):
    before, after = time_pads(padding, x.shape[1], size, stride)
    length = -(-x.shape[1] // stride) if padding == "same" else (x.shape[1] - size) // stride + 1
    out = []
    for t in range(length):
        start = t * stride - before
        window = x[:, max(start, 0) : min(start + size, x.shape[1])]  # real steps only
        out.append(reduce(window, axis=1))
    return np.stack(out, 1)


@pytest.mark.parametrize("kind, reduce", [(layers.MaxPooling1D, np.max), (layers.AveragePooling1D, np.mean)])
@pytest.mark.parametrize(
    "size, stride, padding", [(2, None, "valid"), (3, None, "same"), (4, 3, "same"), (2, 1, "same")]
)
def test_pooling1d_matches_its_definition(kind, reduce, size, stride, padding):
    layer = kind(size, strides=stride, padding=padding)
    step = stride or size
    steps = -(-13 // step) if padding == "same" else (13 - size) // step + 1
    run_layer_test(layer, (13, 3), lambda x, _: numpy_pool(x, size, step, padding, reduce), (steps, 3), 0)


def test_global_poolings_and_the_mask_from_embedding():
    run_layer_test(layers.GlobalMaxPooling1D(), (7, 4), lambda v, _: v.max(1), (4,), 0)
    run_layer_test(layers.GlobalAveragePooling1D(keepdims=True), (7, 4), lambda v, _: v.mean(1, keepdims=True))
    tokens = np.array([[3, 1, 4, 0, 0], [5, 9, 2, 6, 5]])  # 0 pads the first sequence
    embedding = layers.Embedding(10, 4, mask_zero=True)
    model = keras.Sequential([layers.Input(shape=(5,)), embedding, layers.GlobalAveragePooling1D()])
    vectors = embedding.get_weights()[0][tokens]
    expected = [vectors[0, :3].mean(0), vectors[1].mean(0)]  # the padding is left out, as in Keras
    np.testing.assert_allclose(model.predict(tokens, verbose=0), expected, rtol=1e-6, atol=1e-6)


def test_spatial_dropout1d_drops_whole_channels_in_training_only():
    layer = layers.SpatialDropout1D(0.5)
    x = torch.ones(64, 9, 8)
    layer.train()
    y = layer(x)
    assert set(torch.unique(y).tolist()) == {0.0, 2.0}
    assert (y == y[:, :1]).all()  # a channel is kept or dropped at every step together
    layer.eval()
    assert torch.equal(layer(x), x)


def test_a_text_cnn_trains_saves_and_loads(tmp_path):
    """Kim (2014)-style: Embedding, Conv1D, max over time, softmax, on token ids."""
    rng = np.random.default_rng(0)
    x, y = rng.integers(1, 50, (96, 20)), rng.integers(0, 2, 96)
    x[y == 1, 5] = 7  # a token that gives the class away
    model = keras.Sequential(
        [
            layers.Input(shape=(20,)),
            layers.Embedding(50, 8),
            layers.SpatialDropout1D(0.1),
            layers.Conv1D(16, 3, padding="same", activation="relu"),
            layers.MaxPooling1D(2),
            layers.Conv1D(16, 3, activation="relu"),
            layers.GlobalMaxPooling1D(),
            layers.Dense(2, activation="softmax"),
        ]
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=40, batch_size=16, verbose=0)
    assert history.history["accuracy"][-1] > 0.9
    model.save(tmp_path / "text_cnn.keras")
    loaded = keras.models.load_model(tmp_path / "text_cnn.keras")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6, atol=1e-6)


def test_bad_arguments():
    with pytest.raises(ValueError, match="Conv1D 'conv1d': padding must be one of valid, same, causal"):
        layers.Conv1D(4, 3, padding="full")
    with pytest.raises(ValueError, match="kernel_size must be a positive int; received kernel_size=0"):
        layers.Conv1D(4, 0)
    with pytest.raises(ValueError, match="MaxPooling1D 'max_pooling1d': padding must be one of valid, same"):
        layers.MaxPooling1D(2, padding="causal")
    with pytest.raises(ValueError, match="expected input of rank 3 \\(batch, steps, channels\\)"):
        keras.Sequential([layers.Input(shape=(8, 8, 1)), layers.Conv1D(4, 3)])
    with pytest.raises(ValueError, match="too small for kernel_size=\\(5,\\)"):
        keras.Sequential([layers.Input(shape=(3, 2)), layers.Conv1D(4, 5)])
