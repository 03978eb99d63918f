"""Training speed and peak memory: cnnkit's fit vs the loop an expert writes in plain PyTorch.

Both train the same two networks (Program 1, the Fashion-MNIST CNN, and Program 2, LeNet-5 "in
9 lines") on the same synthetic images already in memory, with Adam. Each measurement runs in a
fresh process, so its peak RSS is its own; rounds alternate the two to share machine noise.

    .venv/bin/python bench/speed_core.py [--rounds 3] [--samples 6400]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

import numpy as np
import torch
from torch import nn

MODELS = ("fashion_cnn", "lenet")
DEVICE = torch.device("cuda" if torch.cuda.is_available() else "cpu")  # where cnnkit trains by default
BATCHES = (64, 256)


def input_shape(model: str) -> tuple[int, int, int]:
    return (28, 28, 1) if model == "fashion_cnn" else (32, 32, 1)


def cnnkit_model(model: str):
    import cnnkit as keras
    from cnnkit import layers

    m = keras.Sequential()
    if model == "fashion_cnn":
        m.add(layers.Conv2D(32, (3, 3), activation="linear", input_shape=(28, 28, 1), padding="same"))
        m.add(layers.LeakyReLU(alpha=0.1))
        m.add(layers.MaxPooling2D((2, 2), padding="same"))
        m.add(layers.Conv2D(64, (3, 3), activation="linear", padding="same"))
        m.add(layers.LeakyReLU(alpha=0.1))
        m.add(layers.MaxPooling2D((2, 2), padding="same"))
        m.add(layers.Conv2D(128, (3, 3), activation="linear", padding="same"))
        m.add(layers.LeakyReLU(alpha=0.1))
        m.add(layers.MaxPooling2D((2, 2), padding="same"))
        m.add(layers.Flatten())
        m.add(layers.Dense(128, activation="linear"))
        m.add(layers.LeakyReLU(alpha=0.1))
        m.add(layers.Dense(10, activation="softmax"))
    else:
        m.add(layers.Conv2D(6, (3, 3), activation="relu", input_shape=(32, 32, 1)))
        m.add(layers.AveragePooling2D())
        m.add(layers.Conv2D(16, (3, 3), activation="relu"))
        m.add(layers.AveragePooling2D())
        m.add(layers.Flatten())
        m.add(layers.Dense(120, activation="relu"))
        m.add(layers.Dense(84, activation="relu"))
        m.add(layers.Dense(10, activation="softmax"))
    m.compile(loss="categorical_crossentropy", optimizer=keras.optimizers.Adam(), metrics=["accuracy"])
    return m


def torch_model(model: str) -> nn.Module:
    """The same networks as an expert writes them in PyTorch (ceil_mode pooling = 'same' here)."""
    if model == "fashion_cnn":
        return nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1),
            nn.LeakyReLU(0.1),
            nn.MaxPool2d(2, ceil_mode=True),
            nn.Conv2d(32, 64, 3, padding=1),
            nn.LeakyReLU(0.1),
            nn.MaxPool2d(2, ceil_mode=True),
            nn.Conv2d(64, 128, 3, padding=1),
            nn.LeakyReLU(0.1),
            nn.MaxPool2d(2, ceil_mode=True),
            nn.Flatten(),
            nn.Linear(4 * 4 * 128, 128),
            nn.LeakyReLU(0.1),
            nn.Linear(128, 10),
        )
    return nn.Sequential(
        nn.Conv2d(1, 6, 3),
        nn.ReLU(),
        nn.AvgPool2d(2),
        nn.Conv2d(6, 16, 3),
        nn.ReLU(),
        nn.AvgPool2d(2),
        nn.Flatten(),
        nn.Linear(576, 120),
        nn.ReLU(),
        nn.Linear(120, 84),
        nn.ReLU(),
        nn.Linear(84, 10),
    )


def run_torch(model: str, batch: int, x: np.ndarray, labels: np.ndarray, epochs: int) -> list[float]:
    net = torch_model(model).to(DEVICE)
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
    images = torch.from_numpy(x).permute(0, 3, 1, 2).contiguous().to(DEVICE)  # pre-loaded once, NCHW
    targets = torch.from_numpy(labels).long().to(DEVICE)
    times = []
    for _ in range(epochs):
        start = time.perf_counter()
        net.train()
        loss_sum = torch.zeros((), device=DEVICE)
        correct = torch.zeros((), dtype=torch.long, device=DEVICE)
        order = torch.randperm(len(images), device=DEVICE)
        for i in range(0, len(images), batch):
            idx = order[i : i + batch]
            xb, yb = images[idx], targets[idx]
            logits = net(xb)
            loss = nn.functional.cross_entropy(logits, yb)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            loss_sum += loss.detach() * len(xb)
            correct += (logits.argmax(1) == yb).sum()
        _ = (loss_sum / len(images)).item(), (correct / len(images)).item()  # the epoch's log line
        times.append(time.perf_counter() - start)
    return times


def run_cnnkit(model: str, batch: int, x: np.ndarray, labels: np.ndarray, epochs: int) -> list[float]:
    import cnnkit as keras

    net = cnnkit_model(model)
    y = keras.utils.to_categorical(labels, 10)
    times: list[float] = []

    class EpochTimer(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            times.append(time.perf_counter() - self.start)

    net.fit(x, y, batch_size=batch, epochs=epochs, verbose=0, callbacks=[EpochTimer()])
    return times


def worker(impl: str, model: str, batch: int, samples: int, epochs: int) -> None:
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    x = rng.random((samples, *input_shape(model)), dtype=np.float32)
    labels = rng.integers(0, 10, samples)
    run = run_cnnkit if impl == "cnnkit" else run_torch
    times = run(model, batch, x, labels, epochs)
    best = min(times[1:]) if len(times) > 1 else times[0]  # the first epoch warms up
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"images_per_s": samples / best, "peak_mb": peak_mb}))


def measure(impl: str, model: str, batch: int, samples: int, epochs: int) -> dict:
    command = [sys.executable, __file__, "--worker", impl, model, str(batch), str(samples), str(epochs)]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--samples", type=int, default=6400)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--worker", nargs=5, metavar=("IMPL", "MODEL", "BATCH", "SAMPLES", "EPOCHS"))
    args = parser.parse_args()
    if args.worker:
        impl, model, batch, samples, epochs = args.worker
        worker(impl, model, int(batch), int(samples), int(epochs))
        return
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {args.samples} images per epoch")
    print(
        "| model | batch | hand-written torch (img/s) | cnnkit fit (img/s) | speed ratio "
        "| peak MB torch | peak MB cnnkit | memory ratio |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for model in MODELS:
        for batch in BATCHES:
            best = {"torch": {"images_per_s": 0.0, "peak_mb": 0.0}, "cnnkit": {"images_per_s": 0.0, "peak_mb": 0.0}}
            for _ in range(args.rounds):
                for impl in ("torch", "cnnkit"):
                    result = measure(impl, model, batch, args.samples, args.epochs)
                    best[impl]["images_per_s"] = max(best[impl]["images_per_s"], result["images_per_s"])
                    best[impl]["peak_mb"] = max(best[impl]["peak_mb"], result["peak_mb"])
            t, c = best["torch"], best["cnnkit"]
            print(
                f"| {model} | {batch} | {t['images_per_s']:.0f} | {c['images_per_s']:.0f} | "
                f"{c['images_per_s'] / t['images_per_s']:.3f}x | {t['peak_mb']:.0f} | {c['peak_mb']:.0f} | "
                f"{c['peak_mb'] / t['peak_mb']:.3f}x |",
                flush=True,
            )


if __name__ == "__main__":
    main()
