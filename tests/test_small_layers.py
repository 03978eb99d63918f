"""GroupNormalization, UnitNormalization, the 1-D padding/cropping/upsampling layers, Identity and
ThresholdedReLU, against NumPy (each also matched Keras 3.15 within 1e-6 when checked by hand)."""

import numpy as np
import pytest

import cnnkit
from cnnkit import layers
from cnnkit.models import load_model
from tests.layer_check import run_layer_test


def group_norm(x, groups, gamma, beta, epsilon=1e-3):
    """NumPy: channels last, each sample's group over every position and its channels."""
    shape = x.shape
    grouped = x.reshape(shape[0], -1, groups, shape[-1] // groups)
    mean = grouped.mean(axis=(1, 3), keepdims=True)
    var = grouped.var(axis=(1, 3), keepdims=True)
    return ((grouped - mean) / np.sqrt(var + epsilon)).reshape(shape) * gamma + beta


@pytest.mark.parametrize("shape", [(5, 6, 8), (7, 8), (8,)])
@pytest.mark.parametrize("groups", [1, 4, 8])
def test_group_normalization_matches_numpy(shape, groups, rng):
    layer = layers.GroupNormalization(groups=groups)
    layer.build_for((None, *shape))
    gamma, beta = rng.normal(size=8).astype("float32"), rng.normal(size=8).astype("float32")
    layer.set_weights([gamma, beta])
    run_layer_test(layer, shape, reference=lambda x, _: group_norm(x, groups, gamma, beta), expected_params=16)


def test_group_normalization_checks_its_arguments():
    with pytest.raises(ValueError, match="12 channels must split evenly into groups=8"):
        layers.GroupNormalization(groups=8).build_for((None, 4, 4, 12))
    with pytest.raises(ValueError, match="only the channels axis"):
        layers.GroupNormalization(groups=2, axis=1).build_for((None, 4, 4, 12))
    with pytest.raises(ValueError, match="groups must be a positive int"):
        layers.GroupNormalization(groups=0)


def test_unit_normalization_matches_numpy():
    def unit(axes):
        return lambda x, _: x / np.maximum(np.sqrt((x**2).sum(axis=axes, keepdims=True)), 1e-12)

    run_layer_test(layers.UnitNormalization(), (4, 5, 3), reference=unit(-1))
    run_layer_test(layers.UnitNormalization(axis=[1, 2]), (4, 5, 3), reference=unit((1, 2)))
    run_layer_test(layers.UnitNormalization(), (6,), reference=unit(-1))
    with pytest.raises(ValueError, match="does not name a non-batch axis"):
        layers.UnitNormalization(axis=0).build_for((None, 4))


def test_one_dimensional_padding_cropping_and_upsampling_match_numpy():
    pad = lambda x, _: np.pad(x, ((0, 0), (1, 3), (0, 0)))  # noqa: E731
    run_layer_test(layers.ZeroPadding1D((1, 3)), (7, 2), reference=pad, expected_output_shape=(11, 2))
    run_layer_test(layers.Cropping1D((2, 1)), (7, 2), reference=lambda x, _: x[:, 2:-1], expected_output_shape=(4, 2))
    up = lambda x, _: np.repeat(x, 3, axis=1)  # noqa: E731
    run_layer_test(layers.UpSampling1D(3), (7, 2), reference=up, expected_output_shape=(21, 2))
    with pytest.raises(ValueError, match="leaves nothing"):
        layers.Cropping1D(4).build_for((None, 8, 2))
    with pytest.raises(ValueError, match=r"padding must be an int or \(start, end\)"):
        layers.ZeroPadding1D((1, -1))
    with pytest.raises(ValueError, match="expected input of rank 3"):
        layers.UpSampling1D().build_for((None, 4, 4, 2))


def test_identity_and_thresholded_relu():
    run_layer_test(layers.Identity(), (3, 4), reference=lambda x, _: x)
    run_layer_test(layers.ThresholdedReLU(theta=0.5), (6,), reference=lambda x, _: np.where(x > 0.5, x, 0))


def test_the_new_layers_save_and_load(tmp_path, rng):
    model = cnnkit.Sequential(
        [
            layers.Input((8, 4)),
            layers.ZeroPadding1D(2),
            layers.Conv1D(8, 3),
            layers.GroupNormalization(groups=2),
            layers.UpSampling1D(2),
            layers.Cropping1D((1, 2)),
            layers.ThresholdedReLU(0.1),
            layers.Identity(),
            layers.GlobalAveragePooling1D(),
            layers.UnitNormalization(),
        ]
    )
    model.save(tmp_path / "m.keras")
    x = rng.normal(size=(3, 8, 4)).astype("float32")
    np.testing.assert_allclose(load_model(tmp_path / "m.keras").predict(x, verbose=0), model.predict(x, verbose=0))
    assert model.output_shape == (None, 8)
