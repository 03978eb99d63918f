"""cnnkit.ops (Keras 3's keras.ops) against NumPy, with gradients, and in a custom loss."""

import numpy as np
import pytest
import torch

import cnnkit as keras
from cnnkit import layers, ops


@pytest.fixture
def x(rng):
    return rng.normal(size=(3, 4, 5)).astype("float32")


@pytest.mark.parametrize(
    "name, reference",
    [
        ("sum", np.sum),
        ("mean", np.mean),
        ("max", np.max),
        ("min", np.min),
        ("prod", np.prod),
        ("var", np.var),
        ("std", np.std),
        ("logsumexp", lambda a, axis=None, keepdims=False: np.log(np.sum(np.exp(a), axis=axis, keepdims=keepdims))),
    ],
)
@pytest.mark.parametrize("axis", [None, -1, 1, (0, 2)])
@pytest.mark.parametrize("keepdims", [False, True])
def test_reductions_match_numpy(x, name, reference, axis, keepdims):
    got = getattr(ops, name)(x, axis=axis, keepdims=keepdims)
    np.testing.assert_allclose(
        ops.convert_to_numpy(got), reference(x, axis=axis, keepdims=keepdims), rtol=1e-5, atol=1e-6
    )


def test_elementwise_shapes_and_creation_match_numpy(x, rng):
    y = rng.normal(size=(5,)).astype("float32")
    for name, reference in [
        ("abs", np.abs), ("square", np.square), ("exp", np.exp), ("tanh", np.tanh), ("sign", np.sign),
        ("floor", np.floor), ("negative", np.negative),
    ]:  # fmt: skip
        np.testing.assert_allclose(ops.convert_to_numpy(getattr(ops, name)(x)), reference(x), rtol=1e-6)
    np.testing.assert_allclose(ops.sqrt(np.abs(x)).numpy(), np.sqrt(np.abs(x)), rtol=1e-6)
    for name, reference in [("add", np.add), ("multiply", np.multiply), ("maximum", np.maximum), ("power", np.power)]:
        np.testing.assert_allclose(getattr(ops, name)(np.abs(x), y).numpy(), reference(np.abs(x), y), rtol=1e-5)
    np.testing.assert_allclose(ops.matmul(x, y).numpy(), x @ y, rtol=1e-5)
    np.testing.assert_allclose(ops.clip(x, -0.5, 0.5).numpy(), np.clip(x, -0.5, 0.5))
    np.testing.assert_array_equal(ops.argmax(x, axis=1).numpy(), np.argmax(x, axis=1))
    np.testing.assert_array_equal(ops.argmax(x).numpy(), np.argmax(x))
    np.testing.assert_allclose(ops.where(x > 0, x, 0.0).numpy(), np.where(x > 0, x, 0.0))
    np.testing.assert_allclose(ops.transpose(x, (2, 0, 1)).numpy(), np.transpose(x, (2, 0, 1)))
    np.testing.assert_allclose(ops.transpose(x).numpy(), x.T)
    np.testing.assert_allclose(ops.concatenate([x, x], axis=-1).numpy(), np.concatenate([x, x], axis=-1))
    np.testing.assert_allclose(ops.expand_dims(x, 1).numpy(), np.expand_dims(x, 1))
    np.testing.assert_allclose(ops.repeat(x, 2, axis=1).numpy(), np.repeat(x, 2, axis=1))
    np.testing.assert_allclose(ops.tile(y, (2, 1)).numpy(), np.tile(y, (2, 1)))
    np.testing.assert_allclose(ops.softmax(x).numpy(), np.exp(x) / np.exp(x).sum(-1, keepdims=True), rtol=1e-5)
    np.testing.assert_allclose(ops.normalize(x).numpy(), x / np.linalg.norm(x, axis=-1, keepdims=True), rtol=1e-5)
    np.testing.assert_array_equal(ops.eye(3, 4, k=1).numpy(), np.eye(3, 4, k=1))
    np.testing.assert_array_equal(ops.eye(4, k=-2).numpy(), np.eye(4, k=-2))
    np.testing.assert_array_equal(ops.one_hot([2, 0], 3).numpy(), np.eye(3)[[2, 0]])
    assert ops.shape(x) == (3, 4, 5) and ops.cast(x, "int32").dtype == torch.int32
    assert ops.convert_to_tensor(np.zeros(2)).dtype == torch.float32  # NumPy's float64 becomes floatx
    assert [t.shape for t in ops.split(x, 2, axis=2)] == [(3, 4, 3), (3, 4, 2)]


def test_losses_match_their_formulas(rng):
    labels = rng.integers(0, 4, 6)
    logits = rng.normal(size=(6, 4)).astype("float32")
    probabilities = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    expected = -np.log(probabilities[np.arange(6), labels])
    got = ops.sparse_categorical_crossentropy(labels, logits, from_logits=True)
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-5)
    np.testing.assert_allclose(
        ops.categorical_crossentropy(np.eye(4)[labels], probabilities).numpy(), expected, rtol=1e-5
    )
    p = rng.random(6).astype("float32")
    t = rng.integers(0, 2, 6).astype("float32")
    expected = -(t * np.log(p) + (1 - t) * np.log(1 - p))
    np.testing.assert_allclose(ops.binary_crossentropy(t, p).numpy(), expected, rtol=1e-5)


def test_a_custom_loss_written_with_ops_trains(rng):
    def weighted_mse(y_true, y_pred):
        return ops.mean(ops.square(y_true - y_pred) * ops.convert_to_tensor([1.0, 3.0]), axis=-1)

    x = rng.normal(size=(64, 4)).astype("float32")
    y = np.stack([x.sum(1), x[:, 0]], 1).astype("float32")
    model = keras.Sequential([layers.Input((4,)), layers.Dense(2)])
    model.compile(loss=weighted_mse, optimizer=keras.optimizers.Adam(0.05))
    history = model.fit(x, y, epochs=20, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < 0.2 * history.history["loss"][0]


def test_gradients_flow_through_ops():
    w = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
    loss = ops.sum(ops.square(ops.relu(w)))
    loss.backward()
    np.testing.assert_allclose(w.grad.numpy(), [2.0, 0.0, 6.0])
    with pytest.raises(ValueError, match="unknown dtype 'complex'"):
        ops.cast(w, "complex")


def test_more_numpy_ops_match_numpy():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((3, 4)).astype("float32")
    cases = {
        "broadcast_to": (ops.broadcast_to(x[:1], (3, 4)), np.broadcast_to(x[:1], (3, 4))),
        "slice": (ops.slice(x, (1, 0), (2, 3)), x[1:3, 0:3]),
        "take": (ops.take(x, np.array([2, 0]), axis=1), np.take(x, [2, 0], axis=1)),
        "take_along_axis": (
            ops.take_along_axis(x, np.argsort(x, axis=1), axis=1),
            np.take_along_axis(x, np.argsort(x, axis=1), axis=1),
        ),
        "flip": (ops.flip(x, axis=1), np.flip(x, axis=1)),
        "roll": (ops.roll(x, 1, axis=0), np.roll(x, 1, axis=0)),
        "pad": (ops.pad(x, ((1, 0), (0, 2))), np.pad(x, ((1, 0), (0, 2)))),
        "tril": (ops.tril(x), np.tril(x)),
        "sort": (ops.sort(x), np.sort(x)),
        "cumsum": (ops.cumsum(x, axis=1), np.cumsum(x, axis=1)),
        "amax": (ops.amax(x, axis=0), np.amax(x, axis=0)),
        "average": (ops.average(x, axis=1, weights=[1, 2, 3, 4]), np.average(x, axis=1, weights=[1, 2, 3, 4])),
        "moveaxis": (ops.moveaxis(x[None], 0, 2), np.moveaxis(x[None], 0, 2)),
        "tensordot": (ops.tensordot(x, x.T, axes=1), np.tensordot(x, x.T, axes=1)),
        "norm": (ops.norm(x, axis=1), np.linalg.norm(x, axis=1)),
        "arctan2": (ops.arctan2(x, x + 2), np.arctan2(x, x + 2)),
        "relu6": (ops.relu6(x * 10), np.clip(x * 10, 0, 6)),
        "inv": (ops.linalg.inv(x[:3, :3]), np.linalg.inv(x[:3, :3])),
    }
    for name, (got, want) in cases.items():
        np.testing.assert_allclose(ops.convert_to_numpy(got), want, rtol=1e-4, atol=1e-5, err_msg=name)
    values, indices = ops.top_k(x, 2)
    np.testing.assert_array_equal(ops.convert_to_numpy(indices), np.argsort(-x, axis=1)[:, :2])
    mean, variance = ops.moments(x, axes=[0])
    np.testing.assert_allclose(ops.convert_to_numpy(variance), x.var(axis=0), rtol=1e-5)


def test_image_ops_on_channels_last_images():
    images = np.arange(2 * 4 * 6 * 3, dtype="float32").reshape(2, 4, 6, 3)
    patches = ops.convert_to_numpy(ops.image.extract_patches(images, 2))
    assert patches.shape == (2, 2, 3, 12)
    np.testing.assert_array_equal(patches[1, 1, 2], images[1, 2:4, 4:6].reshape(-1))  # (row, column, channel) order
    resized = ops.convert_to_numpy(ops.image.resize(images, (8, 12), interpolation="nearest"))
    np.testing.assert_array_equal(resized[:, ::2, ::2], images)
    pooled = ops.convert_to_numpy(ops.max_pool(images, 2))
    np.testing.assert_array_equal(pooled, images.reshape(2, 2, 2, 3, 2, 3).max(axis=(2, 4)))


def test_fourier_transforms_match_numpy(rng):
    real, imaginary = rng.standard_normal((2, 3, 4, 5)).astype("float32")
    z = real + 1j * imaginary
    for function, reference in ((ops.fft, np.fft.fft), (ops.fft2, np.fft.fft2), (ops.math.ifft2, np.fft.ifft2)):
        got_real, got_imaginary = function((ops.convert_to_tensor(real), ops.convert_to_tensor(imaginary)))
        np.testing.assert_allclose(got_real.numpy() + 1j * got_imaginary.numpy(), reference(z), rtol=1e-4, atol=1e-4)
    spectrum = ops.rfft(ops.convert_to_tensor(real), fft_length=8)
    np.testing.assert_allclose(spectrum[0].numpy() + 1j * spectrum[1].numpy(), np.fft.rfft(real, n=8), atol=1e-4)
    round_trip = np.fft.irfft(np.fft.rfft(real, n=8), n=8)
    np.testing.assert_allclose(ops.irfft(spectrum, fft_length=8).numpy(), round_trip, atol=1e-5)
    with pytest.raises(ValueError, match=r"a \(real, imaginary\) pair"):
        ops.fft2(ops.convert_to_tensor(real))
