"""compile(jit_compile=True): training and inference through torch.compile give eager's numbers."""

import numpy as np
import pytest

import cnnkit as keras
from cnnkit import layers


def trained(jit_compile, x, y):
    keras.utils.set_random_seed(0)
    if x.ndim == 3:  # sequences: the LSTM's fused kernel runs eagerly between compiled parts
        model = keras.Sequential([layers.Input(shape=x.shape[1:]), layers.LSTM(6), layers.Dense(3)])
    else:
        model = keras.Sequential(
            [layers.Input(shape=(8, 8, 1)), layers.Conv2D(4, 3, activation="relu"), layers.Flatten(), layers.Dense(3)]
        )
    model.compile(
        optimizer=keras.optimizers.SGD(0.1),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
        jit_compile=jit_compile,
    )
    history = model.fit(x, y, batch_size=16, epochs=2, verbose=0, shuffle=False)
    return model, history


@pytest.mark.slow  # torch.compile takes tens of seconds on a CPU
@pytest.mark.parametrize("sample_shape", [(8, 8, 1), (5, 4)], ids=["conv", "lstm"])
def test_compiled_steps_match_eager(rng, sample_shape):
    x, y = rng.random((32, *sample_shape), dtype=np.float32), rng.integers(0, 3, 32)
    eager, eager_history = trained(False, x, y)
    compiled, compiled_history = trained(True, x, y)
    assert compiled.training_setup.compiled_forward is not None
    np.testing.assert_allclose(compiled_history.history["loss"], eager_history.history["loss"], rtol=1e-5)
    for a, b in zip(compiled.get_weights(), eager.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(compiled.predict(x, verbose=0), eager.predict(x, verbose=0), atol=1e-5)


def test_jit_compile_takes_keras_values():
    model = keras.Sequential([layers.Input(shape=(3,)), layers.Dense(2)])
    model.compile(loss="mse", jit_compile="auto")
    assert model.training_setup.jit_compile is False
    with pytest.raises(ValueError, match="jit_compile must be True, False or 'auto'; received 'xla'"):
        model.compile(loss="mse", jit_compile="xla")


@pytest.mark.slow
def test_a_base_called_with_training_false_stays_in_inference_mode_when_compiled(rng):
    x, y = rng.random((32, 8, 8, 3), dtype=np.float32), rng.integers(0, 2, 32)

    def fitted(jit_compile):
        keras.utils.set_random_seed(0)
        base = keras.Sequential(
            [layers.Input((8, 8, 3)), layers.Conv2D(4, 3), layers.BatchNormalization(), layers.Dropout(0.5)]
        )
        inputs = layers.Input((8, 8, 3))
        outputs = layers.Dense(2)(layers.GlobalAveragePooling2D()(base(inputs, training=False)))
        model = keras.Model(inputs, outputs)
        model.compile(
            keras.optimizers.SGD(0.1),
            keras.losses.SparseCategoricalCrossentropy(from_logits=True),
            jit_compile=jit_compile,
        )
        model.fit(x, y, batch_size=16, epochs=1, verbose=0, shuffle=False)
        return model.get_weights(), base.layers[1].get_weights()

    (compiled, compiled_norm), (eager, _) = fitted(True), fitted(False)
    np.testing.assert_array_equal(compiled_norm[2], 0)  # moving mean never updated
    np.testing.assert_array_equal(compiled_norm[3], 1)
    for a, b in zip(compiled, eager):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
