"""weights="imagenet": torchvision's file found in torch.hub's cache, or downloaded there once with
its SHA-256 prefix checked (served here by a real HTTP server on localhost: no internet)."""

import hashlib

import pytest
import torch
from conftest import assert_close
from test_zoo_weights import RESNET18_MODULES, parse, random_state

from cnnkit import applications
from cnnkit.applications import imagenet_weights
from tests.http_files import serving


@pytest.fixture
def published(tmp_path, monkeypatch):
    """A torchvision-layout ResNet18 state_dict served over HTTP under its hash-prefixed name, and
    a private torch.hub cache. Yields (state, its file name, the requests the server received)."""
    state = random_state(parse(RESNET18_MODULES), torch.Generator().manual_seed(3))
    www = tmp_path / "www"
    www.mkdir()
    torch.save(state, www / "resnet18.pth")
    prefix = hashlib.sha256((www / "resnet18.pth").read_bytes()).hexdigest()[:8]
    name = f"resnet18-{prefix}.pth"
    (www / "resnet18.pth").rename(www / name)
    with serving(www) as (url, requests):
        monkeypatch.setattr(imagenet_weights, "BASE_URL", url)
        monkeypatch.setitem(imagenet_weights.FILES, "ResNet18", name)
        monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
        yield state, name, requests


def backbone(weights="imagenet"):
    return applications.ResNet18(weights=weights, include_top=False, input_shape=(64, 64, 3), small_input=False)


def test_downloaded_once_into_torch_hubs_cache(published, tmp_path):
    state, name, requests = published
    model = backbone()
    assert (tmp_path / "torch" / "hub" / "checkpoints" / name).is_file() and len(requests) == 1
    assert_close(model.get_layer("layer4_1").bn2.moving_variance, state["layer4.1.bn2.running_var"])
    backbone()
    assert len(requests) == 1  # the cached file is used


def test_a_file_torchvision_left_is_used_offline(published, tmp_path, monkeypatch):
    state, name, requests = published
    cached = tmp_path / "torch" / "hub" / "checkpoints"
    cached.mkdir(parents=True)
    torch.save(state, cached / name)
    monkeypatch.setattr(imagenet_weights, "BASE_URL", "http://127.0.0.1:9/")  # nothing listens there
    model = backbone()
    assert_close(model.get_layer("conv1").kernel, state["conv1.weight"])  # stored as torch lays it out
    assert requests == []


def test_a_corrupt_download_is_refused_and_not_kept(published, tmp_path, monkeypatch):
    _, name, _ = published
    monkeypatch.setitem(imagenet_weights.FILES, "ResNet18", name.replace(name[9:17], "00000000"))
    (tmp_path / "www" / name).rename(tmp_path / "www" / imagenet_weights.FILES["ResNet18"])
    with pytest.raises(ValueError, match="downloading .* failed .*invalid hash value"):
        backbone()
    assert not any((tmp_path / "torch" / "hub" / "checkpoints").iterdir())


def test_offline_and_unpublished_say_what_to_do(published, monkeypatch):
    monkeypatch.setattr(imagenet_weights, "BASE_URL", "http://127.0.0.1:9/")
    with pytest.raises(ValueError, match="download that file into .*checkpoints .*or pass weights=PATH"):
        backbone()
    with pytest.raises(ValueError, match="LeNet5: there are no published ImageNet weights"):
        applications.LeNet5(weights="imagenet")
    with pytest.raises(ValueError, match="LSTMClassifier: there are no published ImageNet weights"):
        applications.LSTMClassifier(weights="imagenet")
