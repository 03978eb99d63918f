"""`weights="imagenet"`: torchvision's published ImageNet weights for the zoo's classic networks.

The file is looked for where torch.hub and torchvision keep their downloads
(`$TORCH_HOME/hub/checkpoints/`, by default `~/.cache/torch/hub/checkpoints/`), so weights
torchvision fetched before are found without a download; otherwise it is downloaded there by
torch's own `download_url_to_file`, which writes to a temporary file, checks the SHA-256 prefix
that torchvision puts in every file name, and only then moves the file into place. The file is
read with `torch.load(weights_only=True)` like every weights file (weights.py).
"""

from __future__ import annotations

import os
import urllib.error

import torch

BASE_URL = "https://download.pytorch.org/models/"

# Model name -> torchvision's file (IMAGENET1K_V1, the weights of the original recipes). The
# eight hex digits before ".pth" begin the file's SHA-256.
FILES = {
    "AlexNet": "alexnet-owt-7be5be79.pth",
    "VGG11": "vgg11-bbd30ac9.pth",
    "VGG13": "vgg13-c768596a.pth",
    "VGG16": "vgg16-397923af.pth",
    "VGG19": "vgg19-dcbb9e9d.pth",
    "VGG11_BN": "vgg11_bn-6002323d.pth",
    "VGG13_BN": "vgg13_bn-abd245e5.pth",
    "VGG16_BN": "vgg16_bn-6c64b313.pth",
    "VGG19_BN": "vgg19_bn-c79401a0.pth",
    "GoogLeNet": "googlenet-1378be20.pth",
    "ResNet18": "resnet18-f37072fd.pth",
    "ResNet34": "resnet34-b627a593.pth",
    "ResNet50": "resnet50-0676ba61.pth",
    "ResNet101": "resnet101-63fe2227.pth",
    "ResNet152": "resnet152-394f9c45.pth",
}


def check_available(name: str) -> None:
    if name not in FILES:
        raise ValueError(
            f"{name}: there are no published ImageNet weights for it; ImageNet weights exist for "
            f"{', '.join(FILES)}. Use weights=None, or weights=PATH to a weights file"
        )


def imagenet_file(name: str) -> str:
    """The local path of `name`'s ImageNet weights, downloaded once if they are not there yet."""
    check_available(name)
    filename = FILES[name]
    folder = os.path.join(torch.hub.get_dir(), "checkpoints")
    path = os.path.join(folder, filename)
    if os.path.isfile(path):
        return path
    url = BASE_URL + filename
    os.makedirs(folder, exist_ok=True)
    try:
        torch.hub.download_url_to_file(url, path, hash_prefix=filename.rsplit("-", 1)[1][:8], progress=True)
    except (urllib.error.URLError, OSError, RuntimeError) as error:
        reason = getattr(error, "reason", error)
        raise ValueError(
            f"{name}: the ImageNet weights {filename} are not in {folder} and downloading {url} failed ({reason}); "
            f"download that file into {folder} (or set TORCH_HOME), or pass weights=PATH"
        ) from None
    return path
