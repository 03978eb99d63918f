"""decode_predictions with Keras's ImageNet class index, fetched once (from a local HTTP server
here) into Keras's cache and checked against its MD5."""

import hashlib
import json

import numpy as np
import pytest
import torch

from cnnkit.applications import imagenet_utils
from cnnkit.applications.resnet50 import decode_predictions
from tests.http_files import serving

INDEX = {str(i): [f"n{i:08d}", f"class_{i}"] for i in range(1000)}


@pytest.fixture
def served_index(tmp_path, monkeypatch):
    www = tmp_path / "www"
    www.mkdir()
    (www / "imagenet_class_index.json").write_text(json.dumps(INDEX))
    with serving(www) as (url, requests):
        monkeypatch.setattr(imagenet_utils, "CLASS_INDEX_URL", url + "imagenet_class_index.json")
        monkeypatch.setattr(imagenet_utils, "CLASS_INDEX_MD5", hashlib.md5(json.dumps(INDEX).encode()).hexdigest())
        monkeypatch.setattr(imagenet_utils, "_class_index", None)
        monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
        yield requests


def test_top_classes_best_first(served_index, tmp_path, rng):
    preds = rng.random((2, 1000)).astype("float32")
    preds[0, [7, 42, 999]] = [3.0, 2.0, 5.0]
    decoded = decode_predictions(preds, top=3)
    assert [entry[:2] for entry in decoded[0]] == [
        ("n00000999", "class_999"),
        ("n00000007", "class_7"),
        ("n00000042", "class_42"),
    ]
    assert [float(entry[2]) for entry in decoded[0]] == [5.0, 3.0, 2.0]
    expected = np.argsort(-preds[1])[:5]
    assert [entry[1] for entry in decode_predictions(torch.from_numpy(preds))[1]] == [f"class_{i}" for i in expected]
    assert (tmp_path / "keras" / "models" / "imagenet_class_index.json").is_file() and len(served_index) == 1


def test_shapes_and_a_damaged_index_are_refused(served_index, monkeypatch):
    with pytest.raises(ValueError, match=r"shape \(samples, 1000\); received \(3, 10\)"):
        decode_predictions(np.zeros((3, 10)))
    monkeypatch.setattr(imagenet_utils, "CLASS_INDEX_MD5", "0" * 32)
    with pytest.raises(ValueError, match="does not match the md5 hash"):
        decode_predictions(np.zeros((1, 1000)))
