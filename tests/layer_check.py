"""The shared layer-test helper: the same checks for every layer."""

from __future__ import annotations

import numpy as np
import torch

from cnnkit.common.layout import api_shape, to_channels_first


def run_layer_test(layer, input_shape, reference=None, expected_output_shape=None, expected_params=None, batch=3):
    """Build `layer` for the channels-last `input_shape` (no batch axis) and check that:
    - the output shape equals compute_output_shape (and `expected_output_shape` if given);
    - the parameter count equals `expected_params`;
    - the output matches `reference(x_nhwc_numpy, layer)` (a NumPy result, channels-last);
    - a backward pass reaches the input and every trainable weight.
    Returns the output tensor.
    """
    declared = (None, *input_shape)
    predicted = layer.compute_output_shape(declared)
    layer.build_for(declared)
    if expected_output_shape is not None:
        assert predicted == (None, *expected_output_shape), predicted
    if expected_params is not None:
        assert layer.count_params() == expected_params, layer.count_params()
    x_nhwc = np.random.default_rng(1).standard_normal((batch, *input_shape)).astype(np.float32)
    x = to_channels_first(torch.from_numpy(x_nhwc)).contiguous().requires_grad_(True)
    layer.train()
    y = layer(x)
    assert api_shape(y)[1:] == predicted[1:], (api_shape(y), predicted)
    if reference is not None:
        layer.eval()
        with torch.no_grad():
            y_eval = layer(x)
        actual = y_eval.permute(0, 2, 3, 1) if y_eval.dim() == 4 else y_eval
        expected = reference(x_nhwc, layer)
        np.testing.assert_allclose(actual.detach().numpy(), expected, atol=1e-5, rtol=1e-5)
    if not y.requires_grad:  # a layer that passes its input through untouched (linear)
        y = y * 1.0
    y.float().square().sum().backward()
    assert x.grad is not None and torch.isfinite(x.grad).all()
    for weight in layer.trainable_weights:
        assert weight.grad is not None, "a trainable weight got no gradient"
    return y
