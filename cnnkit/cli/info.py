"""`cnnkit info`: versions, the device, and where the data sets are found."""

from __future__ import annotations

import torch

from cnnkit import __version__, backend
from cnnkit.datasets import fashion_mnist, mnist
from cnnkit.datasets.store import SYSTEM_DATASETS, cache_dir


def show() -> None:
    print(f"cnnkit {__version__}, torch {torch.__version__}, device {backend.get_device()}")
    for spec in (mnist.SPEC, fashion_mnist.SPEC):
        found = [str(folder) for folder in (cache_dir(spec), SYSTEM_DATASETS / spec.name) if folder.is_dir()]
        print(f"{spec.title}: {', '.join(found) if found else 'not on this machine (load_data downloads it)'}")
