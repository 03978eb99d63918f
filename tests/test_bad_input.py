"""Every bad input named in the core issue gives one clear line naming what was wrong."""

import numpy as np
import pytest
from programs import fashion_cnn

import cnnkit as keras
from cnnkit import layers


def compiled(loss="sparse_categorical_crossentropy", input_shape=(4,)):
    model = keras.Sequential([layers.Dense(3, activation="softmax", input_shape=input_shape)])
    model.compile(optimizer="adam", loss=loss, metrics=["accuracy"])
    return model


def one_line(error):
    text = str(error.value)
    assert "\n" not in text, text
    return text


def test_wrong_input_shape_for_the_model(rng):
    model = fashion_cnn()
    with pytest.raises(ValueError) as error:
        model.fit(rng.random((8, 32, 32, 1)), np.eye(10)[:8], verbose=0)
    assert "expects inputs of shape (28, 28, 1)" in one_line(error) and "(8, 32, 32, 1)" in one_line(error)
    with pytest.raises(ValueError, match="expects inputs of shape"):
        model.predict(rng.random((8, 784)), verbose=0)


def test_labels_out_of_range_or_of_the_wrong_shape(rng):
    x = rng.random((6, 4))
    with pytest.raises(ValueError) as error:
        compiled().fit(x, np.array([0, 1, 2, 3, 0, 1]), verbose=0)
    assert "labels must be in [0, 2] for a model with 3 outputs; received labels from 0 to 3" in one_line(error)
    with pytest.raises(ValueError, match="received labels from -1"):
        compiled().fit(x, np.array([0, 1, -1, 0, 0, 1]), verbose=0)
    with pytest.raises(ValueError) as error:
        compiled("categorical_crossentropy").fit(x, np.array([0, 1, 2, 0, 1, 2]), verbose=0)
    assert "expects one-hot labels of shape (N, 3)" in one_line(error) and "to_categorical" in one_line(error)
    with pytest.raises(ValueError, match="look one-hot"):
        compiled().fit(x, np.eye(3)[[0, 1, 2, 0, 1, 2]], verbose=0)
    with pytest.raises(ValueError, match="integer class labels"):
        compiled().fit(x, np.array([0, 1.5, 2, 0, 1, 2]), verbose=0)
    with pytest.raises(ValueError, match=r"labels shaped like the model's output \(None, 3\)"):
        compiled("mse").fit(x, np.zeros((6, 5)), verbose=0)
    binary = keras.Sequential([layers.Dense(1, activation="sigmoid", input_shape=(4,))])
    binary.compile(optimizer="adam", loss="binary_crossentropy")
    with pytest.raises(ValueError, match=r"labels in \[0, 1\]; received values from 0 to 2"):
        binary.fit(x, np.array([0, 1, 2, 0, 1, 0]), verbose=0)


def test_length_mismatch_and_empty_data(rng):
    with pytest.raises(ValueError) as error:
        compiled().fit(rng.random((6, 4)), np.zeros(5), verbose=0)
    assert one_line(error) == "fit: x has 6 samples but y has 5"
    with pytest.raises(ValueError, match=r"fit: x is empty \(0 samples\)"):
        compiled().fit(np.zeros((0, 4)), np.zeros(0), verbose=0)
    with pytest.raises(ValueError, match="evaluate: y .* is missing"):
        compiled().evaluate(rng.random((6, 4)), verbose=0)
    with pytest.raises(ValueError, match="sample_weight has 2 entries for 6 samples"):
        compiled().fit(rng.random((6, 4)), np.zeros(6), sample_weight=np.ones(2), verbose=0)


def test_unknown_names_and_bad_arguments(rng):
    model = keras.Sequential([layers.Dense(3, input_shape=(4,))])
    with pytest.raises(ValueError, match="Unknown loss 'categorical_crossentropyy'. Expected one of:"):
        model.compile(optimizer="adam", loss="categorical_crossentropyy")
    with pytest.raises(ValueError, match="Unknown optimizer 'sgdd'"):
        model.compile(optimizer="sgdd", loss="mse")
    with pytest.raises(ValueError, match="Unknown metric 'accuracyy'"):
        model.compile(optimizer="adam", loss="mse", metrics=["accuracyy"])
    with pytest.raises(ValueError, match="Unknown activation 'softmaxx'"):
        layers.Dense(3, activation="softmaxx")
    with pytest.raises(ValueError, match="must be compiled first"):
        keras.Sequential([layers.Dense(3, input_shape=(4,))]).fit(rng.random((2, 4)), np.zeros(2))
    m = compiled()
    for kwargs, message in [
        (dict(epochs=0), "epochs must be a positive int; received epochs=0"),
        (dict(batch_size=-2), "batch_size must be a positive int"),
        (dict(validation_split=1.5), r"validation_split must be in \[0, 1\)"),
        (dict(verbose=7), "verbose must be 0, 1, 2 or 'auto'"),
        (dict(class_weight=[1, 2]), "class_weight must be a dict"),
        (dict(class_weight={0: 1.0}), r"class_weight has no entry for class\(es\) \[1, 2\]"),
    ]:
        with pytest.raises(ValueError, match=message):
            m.fit(rng.random((6, 4)), np.array([0, 1, 2, 0, 1, 2]), verbose=kwargs.pop("verbose", 0), **kwargs)


def test_non_positive_sizes_and_incompatible_layers():
    with pytest.raises(ValueError, match="Conv2D 'conv2d': filters must be a positive int; received filters=-3"):
        layers.Conv2D(-3, 3)
    with pytest.raises(ValueError, match="units must be a positive int; received units=0"):
        layers.Dense(0)
    model = keras.Sequential([layers.Dense(8, input_shape=(16,))])
    with pytest.raises(ValueError, match=r"Conv2D 'conv2d_1': expected input of rank 4 .* received shape \(None, 8\)"):
        model.add(layers.Conv2D(4, 3))
    assert len(model.layers) == 1  # the failed add left the model as it was
