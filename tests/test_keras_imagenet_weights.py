"""weights="imagenet" for the networks built as Keras builds them (InceptionV3, the ResNet V2s):
Keras's published file, found in Keras's cache or downloaded there once with its MD5 checked
(served here by a real HTTP server on localhost: no internet)."""

import hashlib

import numpy as np
import pytest

from cnnkit import applications
from cnnkit.applications import keras_weights
from tests.http_files import serving

FILE_NAME = "resnet50v2_weights_tf_dim_ordering_tf_kernels_notop.h5"


def backbone(weights="imagenet"):
    return applications.ResNet50V2(weights=weights, include_top=False, input_shape=(64, 64, 3))


@pytest.fixture
def published(tmp_path, monkeypatch):
    """ResNet50V2's weights (random, written in Keras's .h5 layout) served under Keras's file name,
    with their MD5 in the table, and a private Keras cache. Yields (the model they came from, the
    requests the server received)."""
    source = backbone(weights=None)
    www = tmp_path / "www" / "resnet"
    www.mkdir(parents=True)
    source.save_weights(str(www / FILE_NAME))
    md5 = hashlib.md5((www / FILE_NAME).read_bytes()).hexdigest()
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    with serving(tmp_path / "www") as (url, requests):
        entry = (url + "resnet/", FILE_NAME[: -len("_notop.h5")], "0" * 32, md5)
        monkeypatch.setitem(keras_weights.FILES, "ResNet50V2", entry)
        yield source, requests


def same_weights(one, other) -> bool:
    return all(np.array_equal(a, b) for a, b in zip(one.get_weights(), other.get_weights()))


def test_downloaded_once_into_keras_cache_and_loaded_by_layer_name(published, tmp_path):
    source, requests = published
    model = backbone()
    assert (tmp_path / "keras" / "models" / FILE_NAME).is_file() and len(requests) == 1
    assert same_weights(model, source) and not same_weights(backbone(weights=None), source)
    backbone()
    assert len(requests) == 1  # the cached file is used


def test_a_file_keras_left_is_used_offline_and_a_missing_one_is_one_line(published, tmp_path, monkeypatch):
    source, requests = published
    cached = tmp_path / "keras" / "models"
    cached.mkdir(parents=True)
    (tmp_path / "www" / "resnet" / FILE_NAME).rename(cached / FILE_NAME)
    offline = ("http://127.0.0.1:9/", *keras_weights.FILES["ResNet50V2"][1:])  # nothing listens there
    monkeypatch.setitem(keras_weights.FILES, "ResNet50V2", offline)
    assert same_weights(backbone(), source) and requests == []
    (cached / FILE_NAME).unlink()
    with pytest.raises(ValueError, match=f"ResNet50V2: Keras's ImageNet weights {FILE_NAME} are not in") as refused:
        backbone()
    assert "\n" not in str(refused.value)
    with pytest.raises(ValueError, match="MobileNetV2: cnnkit has no pretrained weights"):
        applications.MobileNetV2(weights="imagenet", input_shape=(64, 64, 3))
