"""evaluate and predict on the CPU run large batches in cache-sized pieces: same results as the
whole batch, and only where it applies (see cnnkit/training/inference_pieces.py)."""

import numpy as np
import pytest
import torch

import cnnkit as keras
from cnnkit import layers
from cnnkit.training import inference_pieces as pieces
from cnnkit.training.batch_sources import convert_inputs
from tests.conftest import TEST_DEVICE

on_cpu_only = pytest.mark.skipif(TEST_DEVICE != "cpu", reason="pieces are for the CPU; the GPU takes batches whole")


def conv_model():
    """Its largest activation is 32x32x32 floats (128 KiB) per image: 256 images hold 32 MiB."""
    model = keras.Sequential(
        [
            layers.Conv2D(32, 3, padding="same", input_shape=(32, 32, 3)),
            layers.BatchNormalization(),
            layers.ReLU(),
            layers.MaxPooling2D(4),
            layers.Flatten(),
            layers.Dense(5, activation="softmax"),
        ]
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def count_calls(model) -> list:
    calls = []
    model.register_forward_hook(lambda module, inputs, output: calls.append(output.shape[0]))
    return calls


@on_cpu_only
def test_predict_and_evaluate_in_pieces_equal_the_whole_batch(rng):
    model = conv_model()
    x = rng.random((300, 32, 32, 3), dtype=np.float32)
    labels = rng.integers(0, 5, 300)
    model.fit(x, labels, batch_size=100, epochs=1, verbose=0)  # batch norm gets real statistics
    model.eval()
    with torch.no_grad():
        whole = model(convert_inputs(x, model.input_shape, model.device, "test")).numpy()
    calls = count_calls(model)
    predicted = model.predict(x, batch_size=256, verbose=0)
    # 256 * 128 KiB is 4 pieces of 8 MiB: a 1-image probe, 4 pieces of 64, then the last 44 whole.
    assert calls == [1, 64, 64, 64, 64, 44]
    np.testing.assert_allclose(predicted, whole, rtol=1e-6, atol=1e-7)

    loss, accuracy = model.evaluate(x, labels, batch_size=256, verbose=0)
    expected_loss = -np.log(whole[np.arange(300), labels]).mean()
    assert loss == pytest.approx(expected_loss, rel=1e-5)
    assert accuracy == pytest.approx((whole.argmax(1) == labels).mean())


@on_cpu_only
def test_each_output_of_a_model_is_joined_from_its_pieces(rng):
    inputs = keras.Input((32, 32, 3))
    features = layers.Conv2D(32, 3, padding="same")(inputs)
    pooled = layers.GlobalAveragePooling2D()(features)
    model = keras.Model(inputs, [layers.Dense(2)(pooled), layers.Dense(3, activation="softmax")(pooled)])
    x = rng.random((200, 32, 32, 3), dtype=np.float32)
    with torch.no_grad():
        whole = model(convert_inputs(x, model.input_shape, model.device, "test"))
    assert (
        pieces.piece_size(model.eval(), convert_inputs(x, model.input_shape, model.device, "test")) == 50
    )  # 200 * 128 KiB: 4 pieces
    predicted = model.predict(x, batch_size=200, verbose=0)
    assert [p.shape for p in predicted] == [(200, 2), (200, 3)]
    for got, expected in zip(predicted, whole):
        np.testing.assert_allclose(got, expected.numpy(), rtol=1e-6, atol=1e-6)


@on_cpu_only
def test_a_model_with_two_inputs_gets_both_cut_into_the_same_pieces(rng):
    images, extra = keras.Input((32, 32, 3)), keras.Input((5,))
    pooled = layers.GlobalAveragePooling2D()(layers.Conv2D(32, 3, padding="same")(images))
    model = keras.Model([images, extra], layers.Dense(2)(layers.concatenate([pooled, extra])))
    xa, xb = rng.random((300, 32, 32, 3), dtype=np.float32), rng.random((300, 5), dtype=np.float32)
    inputs = (convert_inputs(xa, model.input_shape[0], model.device, "test"), torch.from_numpy(xb))
    model.eval()
    assert pieces.piece_size(model, inputs) == 60  # 300 * 128 KiB: 5 pieces
    with torch.no_grad():
        whole = model(inputs).numpy()
    np.testing.assert_allclose(model.predict([xa, xb], batch_size=300, verbose=0), whole, rtol=1e-6, atol=1e-7)


def test_small_activations_and_training_keep_the_batch_whole(rng):
    dense = keras.Sequential([layers.Dense(8, input_shape=(20,)), layers.Dense(2)])
    x = torch.from_numpy(rng.random((1024, 20), dtype=np.float32)).to(dense.device)
    assert pieces.piece_size(dense.eval(), x) is None  # 1024 x 8 floats: far below 8 MiB
    model = conv_model()
    images = convert_inputs(rng.random((256, 32, 32, 3), dtype=np.float32), model.input_shape, model.device, "t")
    assert pieces.piece_size(model.train(), images) is None


@on_cpu_only
def test_a_recurrent_layer_counts_its_gates_and_a_stateful_one_keeps_its_batch(rng):
    model = keras.Sequential([layers.LSTM(16, input_shape=(10, 3)), layers.Dense(2)])
    one = torch.from_numpy(rng.random((1, 10, 3), dtype=np.float32)).to(model.device)
    # The fused kernel: the output of each of the 10 timesteps and one step's 4 gates, though the
    # layer returns only (1, 16); stepwise (recurrent dropout, masks), the 4 gates of every step.
    assert pieces.largest_activation(model.eval(), one) == (10 + 4) * 16
    stepwise = keras.Sequential([layers.LSTM(16, input_shape=(10, 3), use_cudnn=False), layers.Dense(2)])
    assert pieces.largest_activation(stepwise.eval(), one) == 10 * 5 * 16

    # 50 steps x 512 floats (plus 4 x 512 gates) is over 100 KiB per sequence: 512 of them would
    # go in pieces, but a stateful layer's states have the batch's size, so its batches stay whole.
    batch = torch.from_numpy(rng.random((512, 50, 3), dtype=np.float32))
    for stateful, expected in ((False, 74), (True, None)):  # 7 pieces of 74 (8 MiB each at most)
        model = keras.Sequential([layers.LSTM(512, stateful=stateful, batch_input_shape=(512, 50, 3))])
        assert pieces.piece_size(model.eval(), batch.to(model.device)) == expected


def test_one_sample_is_measured_once_per_input_shape(rng, monkeypatch):
    calls = []
    measure = pieces.largest_activation
    monkeypatch.setattr(pieces, "largest_activation", lambda *a: calls.append(1) or measure(*a))
    model = keras.Sequential([layers.Input((16, 16, 3)), layers.Conv2D(64, 3, padding="same")])
    model.eval()  # inference: what evaluate and predict cut into pieces
    x = torch.zeros(200, 3, 16, 16)
    first = pieces.piece_size(model, x)
    assert pieces.piece_size(model, x) == first and len(calls) == 1
    pieces.piece_size(model, torch.zeros(200, 3, 8, 8))  # another shape: measured
    model.add(layers.Conv2D(128, 3, padding="same"))  # a new layer: measured again
    model.eval()
    assert pieces.piece_size(model, x) < first and len(calls) == 3
