"""Back-propagation, made visible: every trainable layer's gradients (for its input and each of its
weights) agree with finite differences, via torch.autograd.gradcheck in float64."""

import pytest
import torch
from torch.func import functional_call

from cnnkit import applications, layers

CASES = [
    ("Dense", lambda: layers.Dense(3, activation="tanh"), (5,)),
    ("Dense on sequences", lambda: layers.Dense(2), (3, 4)),
    ("Conv2D valid", lambda: layers.Conv2D(2, 3, activation="relu"), (6, 6, 2)),
    ("Conv2D same, strided", lambda: layers.Conv2D(3, 3, strides=2, padding="same"), (7, 6, 2)),
    ("Conv2D int padding, dilated", lambda: layers.Conv2D(2, 3, padding=2, dilation_rate=2), (6, 6, 1)),
    ("Conv2D groups", lambda: layers.Conv2D(4, 3, padding="same", groups=2), (5, 5, 4)),
    ("BatchNormalization", lambda: layers.BatchNormalization(), (4, 4, 3)),
    ("MaxPooling2D same", lambda: layers.MaxPooling2D(2, padding="same"), (5, 5, 2)),
    ("AveragePooling2D same", lambda: layers.AveragePooling2D(3, strides=2, padding="same"), (6, 6, 2)),
    ("GlobalAveragePooling2D", lambda: layers.GlobalAveragePooling2D(), (3, 3, 2)),
    ("LeakyReLU", lambda: layers.LeakyReLU(0.1), (4, 3)),
    ("Softmax", lambda: layers.Softmax(), (5,)),
    ("Activation elu", lambda: layers.Activation("elu"), (5,)),
    ("Flatten", lambda: layers.Flatten(), (3, 3, 2)),
    ("ZeroPadding2D", lambda: layers.ZeroPadding2D(1), (3, 3, 2)),
    ("ConvBN", lambda: applications.block.ConvBN(3, 3, padding=1), (5, 5, 2)),
    ("BasicBlock with projection", lambda: applications.BasicBlock(4, strides=2), (6, 6, 2)),
    ("BasicBlock option A", lambda: applications.BasicBlock(4, strides=2, shortcut="zero_pad"), (6, 6, 2)),
    ("Bottleneck", lambda: applications.Bottleneck(2, strides=1), (4, 4, 3)),
    ("Inception", lambda: applications.Inception(2, 2, 3, 1, 2, 2), (4, 4, 3)),
    ("LSTM fused", lambda: layers.LSTM(3, return_sequences=True), (4, 2)),
    ("LSTM stepwise", lambda: layers.LSTM(3, use_cudnn=False, go_backwards=True), (4, 2)),
    ("GRU fused", lambda: layers.GRU(3, return_sequences=True), (4, 2)),
    ("GRU stepwise, reset_after=False", lambda: layers.GRU(3, reset_after=False), (4, 2)),
    ("SimpleRNN relu", lambda: layers.SimpleRNN(3, activation="relu", return_sequences=True), (4, 2)),
    ("Bidirectional LSTM", lambda: layers.Bidirectional(layers.LSTM(2), merge_mode="sum"), (3, 2)),
    ("TimeDistributed Dense", lambda: layers.TimeDistributed(layers.Dense(2)), (3, 4)),
]


@pytest.mark.parametrize("name, make, shape", CASES, ids=[case[0] for case in CASES])
def test_gradients_match_finite_differences(name, make, shape):
    torch.manual_seed(0)
    layer = make()
    layer.build_for((None, *shape))
    layer.double().train()
    x = torch.randn(2, *shape, dtype=torch.float64)
    if x.dim() == 4:
        x = x.permute(0, 3, 1, 2).contiguous()  # NCHW inside
    x.requires_grad_(True)
    names = [n for n, p in layer.named_parameters()]
    params = tuple(p.detach().clone().requires_grad_(True) for _, p in layer.named_parameters())

    def run(inputs, *weights):
        return functional_call(layer, dict(zip(names, weights)), (inputs,))

    assert torch.autograd.gradcheck(run, (x, *params), eps=1e-6, atol=1e-5, rtol=1e-4)


def test_merge_layers_gradients():
    a = torch.randn(2, 3, 4, 4, dtype=torch.float64, requires_grad=True)
    b = torch.randn(2, 3, 4, 4, dtype=torch.float64, requires_grad=True)
    for layer in (layers.Add(), layers.Multiply(), layers.Average(), layers.Maximum(), layers.Concatenate()):
        assert torch.autograd.gradcheck(lambda p, q, m=layer: m([p, q]), (a, b), eps=1e-6, atol=1e-5)


def test_frozen_batch_normalization_runs_in_inference_mode():
    layer = layers.BatchNormalization()
    layer.build_for((None, 4, 4, 3))
    with torch.no_grad():
        layer.moving_mean.fill_(0.5)
        layer.moving_variance.fill_(2.0)
    layer.trainable = False
    layer.train()  # training mode, but frozen: the moving statistics are used and kept
    x = torch.randn(8, 3, 4, 4)
    expected = (x - 0.5) / torch.sqrt(torch.tensor(2.0 + 1e-3))
    torch.testing.assert_close(layer(x), expected)
    assert torch.all(layer.moving_mean == 0.5) and torch.all(layer.moving_variance == 2.0)
