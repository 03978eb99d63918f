"""The two tutorial programs run as written: summary, fit, evaluate, predict."""

import numpy as np
from programs import fashion_cnn, lenet_9_lines

import cnnkit as keras


def test_fashion_cnn_summary_matches_keras(capsys):
    model = fashion_cnn()
    model.summary()
    text = capsys.readouterr().out
    assert 'Model: "sequential"' in text
    assert "Total params: 356,234" in text and "Non-trainable params: 0" in text
    assert "conv2d (Conv2D)" in text and "(None, 28, 28, 32)" in text
    assert "max_pooling2d_2 (MaxPooling2D)" in text and "(None, 4, 4, 128)" in text
    assert "flatten (Flatten)" in text and "(None, 2048)" in text
    assert model.count_params() == 356_234


def test_lenet_summary_matches_keras(capsys):
    model = lenet_9_lines()
    model.summary()
    text = capsys.readouterr().out
    assert "Total params: 81,194" in text and "(None, 6, 6, 16)" in text


def test_fashion_cnn_program_runs_end_to_end(rng, capsys):
    x = rng.random((96, 28, 28, 1), dtype=np.float32)
    labels = rng.integers(0, 10, 96)
    y = keras.utils.to_categorical(labels, 10)
    model = fashion_cnn()
    history = model.fit(x[:64], y[:64], batch_size=16, epochs=2, verbose=1, validation_data=(x[64:], y[64:]))
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(values) == 2 for values in history.history.values())
    out = capsys.readouterr().out
    assert "Epoch 1/2" in out and "4/4" in out and "val_accuracy" in out
    loss, acc = model.evaluate(x, y, verbose=0)
    assert isinstance(loss, float) and 0 <= acc <= 1
    probs = model.predict(x, verbose=0)
    assert isinstance(probs, np.ndarray) and probs.shape == (96, 10)
    np.testing.assert_allclose(probs.sum(axis=1), 1, atol=1e-5)
    # evaluate's loss is the cross-entropy of predict's probabilities, computed here in NumPy
    expected = -np.mean(np.sum(y * np.log(np.clip(probs, 1e-7, 1)), axis=1))
    np.testing.assert_allclose(loss, expected, rtol=1e-4)
    np.testing.assert_allclose(acc, np.mean(probs.argmax(1) == labels), atol=1e-6)


def test_lenet_learns_a_real_pattern(rng):
    """Ten classes, each a bright square at its own place: LeNet must learn it."""
    labels = rng.integers(0, 10, 600)
    x = rng.random((600, 32, 32, 1), dtype=np.float32) * 0.3
    for i, label in enumerate(labels):
        row, col = divmod(int(label), 5)
        x[i, 4 + row * 12 : 12 + row * 12, 2 + col * 6 : 7 + col * 6, 0] += 1.0
    model = lenet_9_lines()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["acc"])
    history = model.fit(x[:500], labels[:500], batch_size=32, epochs=6, verbose=0, validation_split=0.2)
    assert "acc" in history.history and "val_acc" in history.history
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert model.evaluate(x[500:], labels[500:], verbose=0)[1] > 0.9
