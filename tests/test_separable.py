"""DepthwiseConv2D and SeparableConv2D against per-channel Conv2D and a plain 1x1 convolution:
the same 'same' padding, TensorFlow's channel order, Keras's weight layouts."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import cnnkit as keras
from cnnkit import layers


@pytest.mark.parametrize("padding, strides, dilation", [("same", 2, 1), ("valid", 1, 2), ("same", 1, 1)])
def test_depthwise_is_one_conv2d_per_channel(rng, padding, strides, dilation):
    x = torch.from_numpy(rng.standard_normal((2, 3, 9, 8)).astype(np.float32))  # NCHW, 3 channels
    depthwise = layers.DepthwiseConv2D(3, strides, padding, depth_multiplier=2, dilation_rate=dilation)
    y = depthwise(x)
    kernel, bias = depthwise.get_weights()
    assert kernel.shape == (3, 3, 3, 2) and bias.shape == (6,)
    assert depthwise.compute_output_shape((None, 9, 8, 3)) == (None, *y.shape[2:], 6)
    for channel in range(3):
        single = layers.Conv2D(2, 3, strides, padding, dilation_rate=dilation)
        single(x[:, channel : channel + 1])
        single.set_weights([kernel[:, :, channel : channel + 1, :], bias[2 * channel : 2 * channel + 2]])
        # output channel c * multiplier + m comes from input channel c
        torch.testing.assert_close(y[:, 2 * channel : 2 * channel + 2], single(x[:, channel : channel + 1]))


def test_separable_is_depthwise_then_pointwise(rng):
    x = rng.standard_normal((2, 7, 7, 4)).astype(np.float32)
    model = keras.Sequential(
        [layers.Input((7, 7, 4)), layers.SeparableConv2D(5, 3, padding="same", depth_multiplier=2)]
    )
    depthwise_kernel, pointwise_kernel, bias = model.layers[0].get_weights()
    assert (depthwise_kernel.shape, pointwise_kernel.shape, bias.shape) == ((3, 3, 4, 2), (1, 1, 8, 5), (5,))
    depthwise = layers.DepthwiseConv2D(3, padding="same", depth_multiplier=2, use_bias=False)
    nchw = torch.from_numpy(x).permute(0, 3, 1, 2)
    depthwise(nchw)
    depthwise.set_weights([depthwise_kernel])
    pointwise = torch.from_numpy(pointwise_kernel).permute(3, 2, 0, 1)
    expected = F.conv2d(depthwise(nchw), pointwise, torch.from_numpy(bias)).permute(0, 2, 3, 1)
    np.testing.assert_allclose(model.predict(x, verbose=0), expected.detach().numpy(), rtol=1e-5, atol=1e-5)
    assert model.layers[0].count_params() == 3 * 3 * 4 * 2 + 8 * 5 + 5


def test_they_train_save_and_take_constraints(rng, tmp_path):
    from cnnkit import constraints

    model = keras.Sequential(
        [
            layers.Input((8, 8, 3)),
            layers.SeparableConv2D(6, 3, activation="relu", pointwise_constraint=constraints.max_norm(0.5, [0, 1, 2])),
            layers.DepthwiseConv2D(3, depthwise_regularizer="l2"),
            layers.GlobalAveragePooling2D(),
            layers.Dense(2, activation="softmax"),
        ]
    )
    model.compile(keras.optimizers.SGD(0.5), "sparse_categorical_crossentropy")
    assert len(model.losses) == 1
    model.fit(rng.random((16, 8, 8, 3)).astype(np.float32), rng.integers(0, 2, 16), epochs=2, verbose=0)
    pointwise = model.layers[0].get_weights()[1]
    assert np.sqrt((pointwise**2).sum(axis=(0, 1, 2))).max() <= 0.5 + 1e-6
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    x = rng.random((4, 8, 8, 3)).astype(np.float32)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    with pytest.raises(ValueError, match="DepthwiseConv2D '.*': depth_multiplier must be a positive int"):
        layers.DepthwiseConv2D(3, depth_multiplier=0)
