"""preprocess_input: pixels (0..255, RGB) as the pretrained ImageNet networks expect them; and
decode_predictions: the top ImageNet classes of their outputs, by name.

    from cnnkit.applications.resnet50 import ResNet50, preprocess_input
    model = ResNet50(weights="resnet50-0676ba61.pth")          # torchvision's published weights
    predictions = model.predict(preprocess_input(images))

cnnkit's pretrained weights are torchvision's, trained on pixels scaled to [0, 1] and normalized
by ImageNet's per-channel mean and standard deviation: Keras's "torch" mode, which is therefore
cnnkit's default for every network. (Keras's own ResNet and VGG weights came from Caffe and want
"caffe" mode: BGR, mean subtracted. Both modes, and "tf" ([-1, 1]), are available by name.)
"""

from __future__ import annotations

import json

import numpy as np
import torch

from cnnkit.layers.node import KerasTensor
from cnnkit.layers.preprocessing.rescaling import Rescaling

# Keras's ImageNet class index ({"0": ["n01440764", "tench"], ...}), fetched once into
# ~/.keras/models/ as Keras keeps it. Its order, sorted WordNet IDs, is also torchvision's output order.
CLASS_INDEX_URL = "https://storage.googleapis.com/download.tensorflow.org/data/imagenet_class_index.json"
CLASS_INDEX_MD5 = "c2c37ea517e94d9795004a39431a14cb"
_class_index: dict[str, list[str]] | None = None

MEAN = (0.485, 0.456, 0.406)  # ImageNet's, per RGB channel, of pixels in [0, 1]
STD = (0.229, 0.224, 0.225)
CAFFE_MEAN_BGR = (103.939, 116.779, 123.68)  # of pixels in 0..255
MODES = ("torch", "tf", "caffe")


def preprocess_input(x, data_format: str | None = None, mode: str = "torch"):
    """`x`: images (..., height, width, 3), RGB, 0..255, channels-last. A NumPy array comes back as
    a new float32 array (the input is left alone); a symbolic tensor (`Input(...)`) goes through a
    Rescaling layer, so the model does it. A torch tensor is taken NCHW, as models take it."""
    if mode not in MODES:
        raise ValueError(f"preprocess_input: mode must be one of {', '.join(map(repr, MODES))}; received {mode!r}")
    if data_format not in (None, "channels_last"):
        raise ValueError(f"preprocess_input: cnnkit takes images channels-last; received data_format={data_format!r}")
    if isinstance(x, KerasTensor):
        if mode == "caffe":
            raise ValueError("preprocess_input: mode='caffe' (RGB to BGR) works on arrays, not inside a model")
        return Rescaling(*_scale_and_offset(mode))(x)
    if isinstance(x, torch.Tensor):
        if x.dim() != 4 or x.shape[1] != 3:
            raise ValueError(f"preprocess_input: a tensor must be NCHW with 3 channels; received {tuple(x.shape)}")
        if mode == "caffe":
            x = x.flip(1)
            return x - torch.tensor(CAFFE_MEAN_BGR, dtype=x.dtype, device=x.device).view(3, 1, 1)
        scale, offset = (
            torch.tensor(v, dtype=torch.float32, device=x.device).view(3, 1, 1) for v in _scale_and_offset(mode)
        )
        return x.float() * scale + offset
    array = np.asarray(x, dtype=np.float32)
    if array.ndim < 3 or array.shape[-1] != 3:
        raise ValueError(
            f"preprocess_input: expected RGB images (..., height, width, 3) channels-last; received shape {array.shape}"
        )
    if mode == "caffe":
        return array[..., ::-1] - np.asarray(CAFFE_MEAN_BGR, np.float32)
    scale, offset = _scale_and_offset(mode)
    return array * np.asarray(scale, np.float32) + np.asarray(offset, np.float32)


def _scale_and_offset(mode: str) -> tuple[list[float], list[float]]:
    """`mode` as one multiply-add per channel of 0..255 pixels."""
    if mode == "tf":
        return [1 / 127.5] * 3, [-1.0] * 3
    return [1 / (255 * s) for s in STD], [-m / s for m, s in zip(MEAN, STD)]


def decode_predictions(preds, top: int = 5) -> list[list[tuple[str, str, float]]]:
    """For each row of ImageNet predictions (samples, 1000), its `top` classes as (WordNet ID,
    name, score), best first, as Keras returns them."""
    scores = preds.detach().cpu().numpy() if isinstance(preds, torch.Tensor) else np.asarray(preds)
    if scores.ndim != 2 or scores.shape[1] != 1000:
        raise ValueError(
            f"decode_predictions: expected ImageNet predictions of shape (samples, 1000); received {scores.shape}"
        )
    index = _imagenet_class_index()
    results = []
    for row in scores:
        best = row.argsort()[::-1][:top]
        results.append([(*index[str(i)], row[i]) for i in best])
    return results


def _imagenet_class_index() -> dict[str, list[str]]:
    global _class_index
    if _class_index is None:
        from cnnkit.utils.downloads import get_file

        path = get_file("imagenet_class_index.json", CLASS_INDEX_URL, cache_subdir="models", file_hash=CLASS_INDEX_MD5)
        with open(path, encoding="utf-8") as stream:
            index = json.load(stream)
        if not isinstance(index, dict) or len(index) != 1000:
            raise ValueError(f"decode_predictions: {path} is not ImageNet's class index of 1,000 classes")
        _class_index = index
    return _class_index
