"""Weights for zoo models: cnnkit weights files, and torchvision's published state_dicts.

The torchvision key names and shapes are written out below as torchvision publishes them (no
download); each mapped model is compared with the same network computed in plain torch from
the state_dict itself."""

import os
import pickle

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from conftest import assert_close

from cnnkit import applications

ALEXNET_KEYS = """
features.0.weight 64,3,11,11
features.0.bias 64
features.3.weight 192,64,5,5
features.3.bias 192
features.6.weight 384,192,3,3
features.6.bias 384
features.8.weight 256,384,3,3
features.8.bias 256
features.10.weight 256,256,3,3
features.10.bias 256
classifier.1.weight 4096,9216
classifier.1.bias 4096
classifier.4.weight 4096,4096
classifier.4.bias 4096
classifier.6.weight 1000,4096
classifier.6.bias 1000
"""

# A BatchNorm2d of C channels publishes weight, bias, running_mean, running_var (C each) and
# num_batches_tracked (a scalar); "bn C" below stands for those five keys.
RESNET18_MODULES = """
conv1 64,3,7,7
bn1 bn 64
layer1.0.conv1 64,64,3,3
layer1.0.bn1 bn 64
layer1.0.conv2 64,64,3,3
layer1.0.bn2 bn 64
layer1.1.conv1 64,64,3,3
layer1.1.bn1 bn 64
layer1.1.conv2 64,64,3,3
layer1.1.bn2 bn 64
layer2.0.conv1 128,64,3,3
layer2.0.bn1 bn 128
layer2.0.conv2 128,128,3,3
layer2.0.bn2 bn 128
layer2.0.downsample.0 128,64,1,1
layer2.0.downsample.1 bn 128
layer2.1.conv1 128,128,3,3
layer2.1.bn1 bn 128
layer2.1.conv2 128,128,3,3
layer2.1.bn2 bn 128
layer3.0.conv1 256,128,3,3
layer3.0.bn1 bn 256
layer3.0.conv2 256,256,3,3
layer3.0.bn2 bn 256
layer3.0.downsample.0 256,128,1,1
layer3.0.downsample.1 bn 256
layer3.1.conv1 256,256,3,3
layer3.1.bn1 bn 256
layer3.1.conv2 256,256,3,3
layer3.1.bn2 bn 256
layer4.0.conv1 512,256,3,3
layer4.0.bn1 bn 512
layer4.0.conv2 512,512,3,3
layer4.0.bn2 bn 512
layer4.0.downsample.0 512,256,1,1
layer4.0.downsample.1 bn 512
layer4.1.conv1 512,512,3,3
layer4.1.bn1 bn 512
layer4.1.conv2 512,512,3,3
layer4.1.bn2 bn 512
fc.weight 1000,512
fc.bias 1000
"""

# GoogLeNet: each BasicConv2d is "<path>.conv.weight" plus a batch norm "<path>.bn".
GOOGLENET_CONVS = """
conv1 64,3,7,7
conv2 64,64,1,1
conv3 192,64,3,3
"""
# (in_channels, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj), torchvision's table.
GOOGLENET_INCEPTIONS = {
    "inception3a": (192, 64, 96, 128, 16, 32, 32),
    "inception3b": (256, 128, 128, 192, 32, 96, 64),
    "inception4a": (480, 192, 96, 208, 16, 48, 64),
    "inception4b": (512, 160, 112, 224, 24, 64, 64),
    "inception4c": (512, 128, 128, 256, 24, 64, 64),
    "inception4d": (512, 112, 144, 288, 32, 64, 64),
    "inception4e": (528, 256, 160, 320, 32, 128, 128),
    "inception5a": (832, 256, 160, 320, 32, 128, 128),
    "inception5b": (832, 384, 192, 384, 48, 128, 128),
}


def random_state(specs, generator):
    """A state_dict with torchvision's keys and shapes, random values (positive variances)."""
    state = {}
    for key, kind, shape in specs:
        if kind == "bn":
            c = shape[0]
            state[f"{key}.weight"] = 1 + 0.1 * torch.randn(c, generator=generator)
            state[f"{key}.bias"] = 0.1 * torch.randn(c, generator=generator)
            state[f"{key}.running_mean"] = 0.1 * torch.randn(c, generator=generator)
            state[f"{key}.running_var"] = 0.5 + torch.rand(c, generator=generator)
            state[f"{key}.num_batches_tracked"] = torch.tensor(100)
        else:
            fan_in = int(np.prod(shape[1:])) if len(shape) > 1 else 1
            state[key] = torch.randn(*shape, generator=generator) / fan_in**0.5
    return state


def parse(text, suffix=".weight"):
    specs = []
    for line in text.strip().splitlines():
        parts = line.split()
        if parts[1] == "bn":
            specs.append((parts[0], "bn", (int(parts[2]),)))
        else:
            key = parts[0] if parts[0].endswith((".weight", ".bias")) else parts[0] + suffix
            specs.append((key, "tensor", tuple(int(d) for d in parts[1].split(","))))
    return specs


def googlenet_specs():
    specs = []
    for path, shape in (line.split() for line in GOOGLENET_CONVS.strip().splitlines()):
        dims = tuple(int(d) for d in shape.split(","))
        specs += [(f"{path}.conv.weight", "tensor", dims), (f"{path}.bn", "bn", (dims[0],))]
    for name, (cin, c1, c3r, c3, c5r, c5, pp) in GOOGLENET_INCEPTIONS.items():
        for branch, (cout, cin_, k) in {
            "branch1": (c1, cin, 1),
            "branch2.0": (c3r, cin, 1),
            "branch2.1": (c3, c3r, 3),
            "branch3.0": (c5r, cin, 1),
            "branch3.1": (c5, c5r, 3),  # torchvision's "5x5" branch is 3x3
            "branch4.1": (pp, cin, 1),
        }.items():
            specs += [
                (f"{name}.{branch}.conv.weight", "tensor", (cout, cin_, k, k)),
                (f"{name}.{branch}.bn", "bn", (cout,)),
            ]
    return specs + [("fc.weight", "tensor", (1000, 1024)), ("fc.bias", "tensor", (1000,))]


def save(state, path):
    torch.save(state, path)
    return str(path)


def test_alexnet_from_torchvision_keys_matches_plain_torch(tmp_path):
    generator = torch.Generator().manual_seed(0)
    state = random_state(parse(ALEXNET_KEYS), generator)
    assert len(state) == 16
    model = applications.AlexNet(weights=save(state, tmp_path / "alexnet.pth"), classifier_activation=None)
    x = torch.randn(2, 3, 224, 224, generator=generator)
    with torch.no_grad():
        s = state
        t = F.max_pool2d(F.relu(F.conv2d(x, s["features.0.weight"], s["features.0.bias"], 4, 2)), 3, 2)
        t = F.max_pool2d(F.relu(F.conv2d(t, s["features.3.weight"], s["features.3.bias"], padding=2)), 3, 2)
        t = F.relu(F.conv2d(t, s["features.6.weight"], s["features.6.bias"], padding=1))
        t = F.relu(F.conv2d(t, s["features.8.weight"], s["features.8.bias"], padding=1))
        t = F.max_pool2d(F.relu(F.conv2d(t, s["features.10.weight"], s["features.10.bias"], padding=1)), 3, 2)
        t = torch.flatten(t, 1)  # torch's (C, H, W) order: the mapping must reorder fc1's inputs
        t = F.relu(F.linear(t, s["classifier.1.weight"], s["classifier.1.bias"]))
        t = F.relu(F.linear(t, s["classifier.4.weight"], s["classifier.4.bias"]))
        expected = F.linear(t, s["classifier.6.weight"], s["classifier.6.bias"])
        model.eval()
        assert_close(model(x), expected, atol=1e-4, rtol=1e-4)


def _bn(t, s, path, eps=1e-5):
    return F.batch_norm(
        t, s[f"{path}.running_mean"], s[f"{path}.running_var"], s[f"{path}.weight"], s[f"{path}.bias"], False, 0.0, eps
    )


def resnet18_reference(s, x):
    x = F.max_pool2d(F.relu(_bn(F.conv2d(x, s["conv1.weight"], stride=2, padding=3), s, "bn1")), 3, 2, 1)
    for stage in range(1, 5):
        for block in range(2):
            p, stride = f"layer{stage}.{block}", 2 if stage > 1 and block == 0 else 1
            out = F.relu(_bn(F.conv2d(x, s[f"{p}.conv1.weight"], stride=stride, padding=1), s, f"{p}.bn1"))
            out = _bn(F.conv2d(out, s[f"{p}.conv2.weight"], padding=1), s, f"{p}.bn2")
            if f"{p}.downsample.0.weight" in s:
                x = _bn(F.conv2d(x, s[f"{p}.downsample.0.weight"], stride=stride), s, f"{p}.downsample.1")
            x = F.relu(out + x)
    return F.linear(x.mean((2, 3)), s["fc.weight"], s["fc.bias"])


def test_resnet18_from_torchvision_keys_matches_plain_torch(tmp_path):
    generator = torch.Generator().manual_seed(1)
    state = random_state(parse(RESNET18_MODULES), generator)
    assert len(state) == 122  # torchvision's resnet18 state_dict has 122 entries
    path = save(state, tmp_path / "resnet18.pth")
    model = applications.ResNet18(weights=path, input_shape=(64, 64, 3), small_input=False, classifier_activation=None)
    x = torch.randn(2, 3, 64, 64, generator=generator)
    model.eval()
    with torch.no_grad():
        assert_close(model(x), resnet18_reference(state, x), atol=1e-4, rtol=1e-4)

    # include_top=False loads the backbone and leaves out fc.
    base = applications.ResNet18(weights=path, include_top=False, input_shape=(64, 64, 3), small_input=False)
    with torch.no_grad():
        assert_close(base.get_layer("layer4_1").bn2.moving_variance, state["layer4.1.bn2.running_var"])

    # A grey-scale model takes the RGB kernels summed: grey x equals RGB (x, x, x).
    grey = applications.ResNet18(weights=path, input_shape=(64, 64, 1), small_input=False, classifier_activation=None)
    grey.eval()
    with torch.no_grad():
        assert_close(grey(x[:, :1]), model(x[:, :1].expand(-1, 3, -1, -1)), atol=1e-4, rtol=1e-4)


def googlenet_reference(s, x):
    def conv(t, path, stride=1, padding=0):
        return F.relu(_bn(F.conv2d(t, s[f"{path}.conv.weight"], stride=stride, padding=padding), s, f"{path}.bn", 1e-3))

    x = F.max_pool2d(conv(x, "conv1", 2, 3), 3, 2, ceil_mode=True)
    x = F.max_pool2d(conv(conv(x, "conv2"), "conv3", padding=1), 3, 2, ceil_mode=True)
    for name in GOOGLENET_INCEPTIONS:
        if name == "inception4a":
            x = F.max_pool2d(x, 3, 2, ceil_mode=True)
        if name == "inception5a":
            x = F.max_pool2d(x, 2, 2, ceil_mode=True)
        x = torch.cat(
            [
                conv(x, f"{name}.branch1"),
                conv(conv(x, f"{name}.branch2.0"), f"{name}.branch2.1", padding=1),
                conv(conv(x, f"{name}.branch3.0"), f"{name}.branch3.1", padding=1),
                conv(F.max_pool2d(x, 3, 1, 1, ceil_mode=True), f"{name}.branch4.1"),
            ],
            1,
        )
    return F.linear(x.mean((2, 3)), s["fc.weight"], s["fc.bias"])


def test_googlenet_from_torchvision_keys_matches_plain_torch(tmp_path):
    generator = torch.Generator().manual_seed(2)
    state = random_state(googlenet_specs(), generator)
    assert len(state) == 344  # 57 BasicConv2d x 6 entries + fc
    model = applications.GoogLeNet(weights=save(state, tmp_path / "googlenet.pth"), classifier_activation=None)
    x = torch.randn(1, 3, 224, 224, generator=generator)
    model.eval()
    with torch.no_grad():  # at 224 'same' pooling gives exactly torch's ceil_mode windows
        assert_close(model(x), googlenet_reference(state, x), atol=1e-4, rtol=1e-4)


def test_wrong_torchvision_files_are_refused_with_reasons(tmp_path):
    generator = torch.Generator().manual_seed(3)
    resnet = save(random_state(parse(RESNET18_MODULES), generator), tmp_path / "resnet18.pth")
    with pytest.raises(ValueError, match="not a torchvision state_dict for 'ResNet34': unexpected|lacks weights"):
        applications.ResNet34(weights=resnet, input_shape=(64, 64, 3), small_input=False)
    with pytest.raises(ValueError, match="conv1.weight has shape \\(64, 3, 7, 7\\).*small_input=False"):
        applications.ResNet18(weights=resnet, input_shape=(32, 32, 3))
    with pytest.raises(ValueError, match="fc.weight has shape \\(1000, 512\\).*classes=1000"):
        applications.ResNet18(weights=resnet, input_shape=(64, 64, 3), small_input=False, classes=10)
    alexnet = save(random_state(parse(ALEXNET_KEYS), generator), tmp_path / "alexnet.pth")
    with pytest.raises(ValueError, match="not a torchvision state_dict for 'ResNet18'"):
        applications.ResNet18(weights=alexnet)


def test_cnnkit_weights_files_round_trip(tmp_path, rng):
    model = applications.ResNet20(classes=4)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    x = rng.standard_normal((8, 32, 32, 3)).astype(np.float32)
    model.fit(x, rng.integers(0, 4, 8), epochs=1, verbose=0)  # moving statistics change too
    path = tmp_path / "resnet20.weights.pt"
    model.save_weights(path)
    assert [p.name for p in tmp_path.iterdir()] == ["resnet20.weights.pt"]  # no temporary left behind
    again = applications.ResNet20(classes=4, weights=str(path))
    assert_close(again.predict(x, verbose=0), model.predict(x, verbose=0))
    other = applications.ResNet20(classes=5)
    with pytest.raises(
        ValueError, match="predictions/kernel \\(layers.13.kernel\\) has shape \\(4, 64\\); model 'ResNet20' needs"
    ):
        other.load_weights(path)


class _RunsCode:
    def __reduce__(self):
        return (os.system, ("touch pwned",))


def test_weights_files_never_run_code_and_corrupt_files_are_named(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    evil = tmp_path / "evil.pth"
    with open(evil, "wb") as stream:
        pickle.dump({"conv1.weight": _RunsCode()}, stream)
    with pytest.raises(ValueError, match="evil.pth' is not a readable weights file"):
        applications.ResNet18(weights=str(evil))
    assert not (tmp_path / "pwned").exists()
    corrupt = tmp_path / "corrupt.pth"
    corrupt.write_bytes(b"not a torch file at all")
    with pytest.raises(ValueError, match="corrupt.pth' is not a readable weights file"):
        applications.ResNet20(weights=str(corrupt))
    with pytest.raises(FileNotFoundError, match="missing.pth' does not exist"):
        applications.ResNet20(weights=str(tmp_path / "missing.pth"))


def meta_state(specs):
    """torchvision's keys and shapes as tensors without data: enough to check every name and shape."""
    state = {}
    for key, kind, shape in specs:
        if kind == "bn":
            for part in ("weight", "bias", "running_mean", "running_var"):
                state[f"{key}.{part}"] = torch.empty(shape, device="meta")
            state[f"{key}.num_batches_tracked"] = torch.empty((), device="meta")
        else:
            state[key] = torch.empty(shape, device="meta")
    return state


def test_vgg16_bn_maps_every_torchvision_key():
    # (torchvision index, filters, input channels) of each convolution; its batch norm is the next index.
    convs = [(0, 64, 3), (3, 64, 64), (7, 128, 64), (10, 128, 128), (14, 256, 128), (17, 256, 256),
             (20, 256, 256), (24, 512, 256), (27, 512, 512), (30, 512, 512), (34, 512, 512), (37, 512, 512),
             (40, 512, 512)]  # fmt: skip
    specs = []
    for index, out, cin in convs:
        specs += [(f"features.{index}.weight", "t", (out, cin, 3, 3)), (f"features.{index}.bias", "t", (out,))]
        specs.append((f"features.{index + 1}", "bn", (out,)))
    for index, out, cin in [(0, 4096, 25088), (3, 4096, 4096), (6, 1000, 4096)]:
        specs += [(f"classifier.{index}.weight", "t", (out, cin)), (f"classifier.{index}.bias", "t", (out,))]
    state = meta_state(specs)
    assert len(state) == 97  # torchvision's vgg16_bn state_dict: 13 x (2 + 5) + 6
    with torch.device("meta"):
        model = applications.VGG16_BN()
    applications.load_torchvision_state_dict(model, state)  # raises on any missing, extra or misshapen key


def test_resnet50_maps_every_torchvision_key():
    specs = [("conv1.weight", "t", (64, 3, 7, 7)), ("bn1", "bn", (64,))]
    channels = 64
    for stage, (width, blocks) in enumerate(zip((64, 128, 256, 512), (3, 4, 6, 3)), start=1):
        for block in range(blocks):
            p = f"layer{stage}.{block}"
            specs += [(f"{p}.conv1.weight", "t", (width, channels, 1, 1)), (f"{p}.bn1", "bn", (width,))]
            specs += [(f"{p}.conv2.weight", "t", (width, width, 3, 3)), (f"{p}.bn2", "bn", (width,))]
            specs += [(f"{p}.conv3.weight", "t", (4 * width, width, 1, 1)), (f"{p}.bn3", "bn", (4 * width,))]
            if block == 0:
                specs += [(f"{p}.downsample.0.weight", "t", (4 * width, channels, 1, 1))]
                specs += [(f"{p}.downsample.1", "bn", (4 * width,))]
            channels = 4 * width
    specs += [("fc.weight", "t", (1000, 2048)), ("fc.bias", "t", (1000,))]
    state = meta_state(specs)
    assert len(state) == 320  # torchvision's resnet50 state_dict
    with torch.device("meta"):
        model = applications.ResNet50()
    applications.load_torchvision_state_dict(model, state)
    del state["layer3.5.bn3.running_var"]
    with pytest.raises(ValueError, match="lacks weights that 'ResNet50' needs: layer3.5.bn3.running_var"):
        applications.load_torchvision_state_dict(model, state)
