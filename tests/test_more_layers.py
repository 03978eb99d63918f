"""LayerNormalization, ELU and PReLU against NumPy, through the shared layer check; and weight
regularizers on every kind of weight reaching the loss."""

import numpy as np
import pytest
from layer_check import run_layer_test

import cnnkit as keras
from cnnkit import layers, regularizers


def numpy_layer_norm(x, axes, gamma, beta, epsilon=1e-3):
    mean = x.mean(axis=axes, keepdims=True)
    variance = x.var(axis=axes, keepdims=True)
    return (x - mean) / np.sqrt(variance + epsilon) * gamma + beta


@pytest.mark.parametrize(
    "input_shape, axis",
    [((6,), -1), ((5, 6), -1), ((4, 5, 3), -1), ((4, 5, 3), [1, 2, 3]), ((4, 5, 3), [1, 2]), ((5, 6), [1, 2])],
)
def test_layer_normalization_matches_its_definition(input_shape, axis):
    layer = layers.LayerNormalization(axis=axis, gamma_initializer="random_normal", beta_initializer="random_normal")
    axes = tuple(a % (len(input_shape) + 1) for a in (axis if isinstance(axis, list) else [axis]))
    keras_shape = tuple((1, *input_shape)[a] for a in axes)

    def reference(x, built):
        gamma, beta = built.get_weights()
        assert gamma.shape == beta.shape == keras_shape  # Keras's layout: the normalised axes' sizes
        broadcast = [1] * x.ndim
        for a, size in zip(axes, keras_shape):
            broadcast[a] = size
        return numpy_layer_norm(x, axes, gamma.reshape(broadcast), beta.reshape(broadcast))

    run_layer_test(layer, input_shape, reference, input_shape, 2 * int(np.prod(keras_shape)))


def test_rms_scaling_divides_by_the_root_mean_square():
    layer = layers.LayerNormalization(rms_scaling=True, gamma_initializer="random_normal")

    def reference(x, built):
        (gamma,) = built.get_weights()  # scaled, never shifted
        return x / np.sqrt((x**2).mean(-1, keepdims=True) + 1e-3) * gamma

    run_layer_test(layer, (4, 7), reference, (4, 7), 7)


def test_elu_and_prelu_match_their_definitions():
    elu = layers.ELU(alpha=0.5)
    run_layer_test(elu, (3, 4, 2), lambda x, _: np.where(x > 0, x, 0.5 * (np.exp(x) - 1)), (3, 4, 2), 0)
    prelu = layers.PReLU(alpha_initializer="random_uniform", shared_axes=[1, 2])

    def reference(x, built):
        (alpha,) = built.get_weights()
        assert alpha.shape == (1, 1, 3)  # one slope per channel of an image, in Keras's layout
        return np.where(x >= 0, x, alpha * x)

    run_layer_test(prelu, (4, 5, 3), reference, (4, 5, 3), 3)
    full = layers.PReLU(alpha_initializer="random_uniform")
    run_layer_test(full, (6,), lambda x, built: np.where(x >= 0, x, built.get_weights()[0] * x), (6,), 6)


@pytest.mark.parametrize(
    "layer",
    [
        lambda: layers.Embedding(20, 3, embeddings_regularizer=regularizers.l2(0.5)),
        lambda: layers.LSTM(3, recurrent_regularizer=regularizers.l2(0.5), return_sequences=True),
        lambda: layers.PReLU(alpha_initializer="ones", alpha_regularizer=regularizers.l2(0.5)),
    ],
)
def test_each_kind_of_weight_regularizer_reaches_the_loss(layer):
    """A regularizer on embeddings, a recurrent kernel or PReLU's alpha alone used to be left out
    of the training loss (only kernel and bias regularizers were looked for, and an LSTM's
    recurrent_regularizer under the wrong name)."""
    x, y = np.random.default_rng(0).integers(1, 20, (8, 5)), np.zeros(8, np.int64)
    regularized = layer()
    model = keras.Sequential(
        [layers.Input(shape=(5,)), layers.Embedding(20, 3), regularized, layers.Flatten(), layers.Dense(2)]
    )
    if isinstance(regularized, layers.Embedding):
        model = keras.Sequential([layers.Input(shape=(5,)), regularized, layers.Flatten(), layers.Dense(2)])
    model.compile(optimizer="sgd", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    assert model.has_regularizers and len(model.losses) == 1
    penalty = float(model.losses[0].detach())
    assert penalty > 0
    with_penalty = model.evaluate(x, y, verbose=0)
    data_loss = float(keras.losses.SparseCategoricalCrossentropy(from_logits=True)(y, model.predict(x, verbose=0)))
    assert with_penalty == pytest.approx(data_loss + penalty, rel=1e-5)
