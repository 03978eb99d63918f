"""cnnkit against the hand-written PyTorch loop, Keras 3 on its torch backend and Keras 3 on JAX:
training images/s (Adam, batch 128, best epoch after the first) and predict images/s at batch
1024 (the best of 3 calls after a first one), for the Fashion-MNIST CNN, LeNet-5, ResNet20 and the
LSTM classifier, on synthetic data already in memory. Each measurement runs in a fresh process.

    bash bench/keras_env.sh                       # once: keras + jax in bench/.keras-env
    .venv/bin/python bench/frameworks.py [--samples 2048] [--epochs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

HERE = Path(__file__).parent
MODELS = ("fashion_cnn", "lenet5", "resnet20", "lstm")
SHAPES = {"fashion_cnn": (28, 28, 1), "lenet5": (28, 28, 1), "resnet20": (32, 32, 3), "lstm": (28, 28)}


class ResidualBlock(nn.Module):
    def __init__(self, cin: int, cout: int, stride: int) -> None:
        super().__init__()
        self.conv1, self.bn1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout)
        self.conv2, self.bn2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False), nn.BatchNorm2d(cout)
        self.pad = (cout - cin) // 2 if stride == 2 else 0

    def forward(self, x):
        y = self.bn2(self.conv2(torch.relu(self.bn1(self.conv1(x)))))
        shortcut = x if not self.pad else nn.functional.pad(x[:, :, ::2, ::2], (0, 0, 0, 0, self.pad, self.pad))
        return torch.relu(y + shortcut)


class LSTMNet(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.lstm, self.out = nn.LSTM(28, 128, batch_first=True), nn.Linear(128, 10)

    def forward(self, x):
        return self.out(self.lstm(x)[0][:, -1])


def torch_model(name: str) -> nn.Module:
    """The same networks as an expert writes them in PyTorch."""
    if name == "fashion_cnn":
        layers = []
        for cin, cout in ((1, 32), (32, 64), (64, 128)):
            layers += [nn.Conv2d(cin, cout, 3, padding=1), nn.LeakyReLU(0.1), nn.MaxPool2d(2, ceil_mode=True)]
        return nn.Sequential(*layers, nn.Flatten(), nn.Linear(2048, 128), nn.LeakyReLU(0.1), nn.Linear(128, 10))
    if name == "lenet5":
        return nn.Sequential(
            nn.Conv2d(1, 6, 5, padding=2), nn.Tanh(), nn.AvgPool2d(2),
            nn.Conv2d(6, 16, 5), nn.Tanh(), nn.AvgPool2d(2),
            nn.Conv2d(16, 120, 5), nn.Tanh(), nn.Flatten(),
            nn.Linear(120, 84), nn.Tanh(), nn.Linear(84, 10),
        )  # fmt: skip
    if name == "resnet20":
        blocks, cin = [], 16
        for stage, cout in enumerate((16, 32, 64)):
            for block in range(3):
                blocks.append(ResidualBlock(cin, cout, 2 if stage and not block else 1))
                cin = cout
        stem = [nn.Conv2d(3, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU()]
        return nn.Sequential(*stem, *blocks, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10))
    return LSTMNet()


def cnnkit_model(name: str):
    from cnnkit import applications

    if name == "fashion_cnn":
        return applications.FashionCNN()
    if name == "lenet5":
        return applications.LeNet5(input_shape=(28, 28, 1))
    if name == "resnet20":
        return applications.ResNet20(input_shape=(32, 32, 3))
    return applications.LSTMClassifier(input_shape=(28, 28))


def best_seconds(predict, calls: int = 3) -> float:
    """The fastest of `calls` timed calls, after one untimed call (for any compilation)."""
    predict()
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        predict()
        times.append(time.perf_counter() - start)
    return min(times)


def hand_written_epochs(net: nn.Module, inputs: torch.Tensor, targets: torch.Tensor, epochs: int, batch: int):
    """The loop an expert writes: Adam, shuffled batches from tensors in memory, one host read of
    the loss per epoch. Returns each epoch's seconds."""
    optimizer = torch.optim.Adam(net.parameters(), 1e-3)
    times = []
    for _ in range(epochs):
        start = time.perf_counter()
        net.train()
        loss_sum = torch.zeros(())
        for idx in torch.randperm(len(inputs)).split(batch):
            loss = nn.functional.cross_entropy(net(inputs[idx]), targets[idx])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            loss_sum += loss.detach()
        loss_sum.item()  # the epoch's log line
        times.append(time.perf_counter() - start)
    return times


def run_torch(name: str, x: np.ndarray, y: np.ndarray, epochs: int, batch: int) -> dict:
    net = torch_model(name)
    inputs = torch.from_numpy(x)
    inputs = inputs.permute(0, 3, 1, 2).contiguous() if inputs.dim() == 4 else inputs
    times = hand_written_epochs(net, inputs, torch.from_numpy(y), epochs, batch)

    def predict():
        net.eval()
        with torch.no_grad():
            return torch.cat([torch.softmax(net(part), 1) for part in inputs.split(1024)]).numpy()

    return {"train": len(x) / min(times[1:]), "predict": len(x) / best_seconds(predict)}


def run_cnnkit(name: str, x: np.ndarray, y: np.ndarray, epochs: int, batch: int) -> dict:
    import cnnkit as keras

    model = cnnkit_model(name)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    times: list[float] = []
    timer = keras.callbacks.LambdaCallback(
        on_epoch_begin=lambda epoch, logs: times.append(-time.perf_counter()),
        on_epoch_end=lambda epoch, logs: times.append(times.pop() + time.perf_counter()),
    )
    model.fit(x, y, batch_size=batch, epochs=epochs, verbose=0, callbacks=[timer])
    seconds = best_seconds(lambda: model.predict(x, batch_size=1024, verbose=0))
    return {"train": len(x) / min(times[1:]), "predict": len(x) / seconds}


def worker(impl: str, name: str, samples: int, epochs: int, batch: int) -> None:
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    x = rng.random((samples, *SHAPES[name]), dtype=np.float32)
    y = rng.integers(0, 10, samples)
    print(json.dumps((run_cnnkit if impl == "cnnkit" else run_torch)(name, x, y, epochs, batch)))


def measure(impl: str, name: str, samples: int, epochs: int, batch: int) -> dict | None:
    arguments = [name, str(samples), str(epochs), str(batch)]
    if impl.startswith("keras"):
        python = HERE / ".keras-env" / "bin" / "python"
        if not python.exists():
            return None
        command = [str(python), str(HERE / "keras_worker.py"), *arguments]
        env = dict(os.environ, KERAS_BACKEND=impl.split("-")[1])
    else:
        command, env = [sys.executable, __file__, "--worker", impl, *arguments], None
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        print(f"{impl} {name} failed: {result.stderr.strip().splitlines()[-1]}", file=sys.stderr)
        return None
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=2048)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--worker", nargs=5, metavar=("IMPL", "MODEL", "SAMPLES", "EPOCHS", "BATCH"))
    args = parser.parse_args()
    if args.worker:
        impl, name, samples, epochs, batch = args.worker
        worker(impl, name, int(samples), int(epochs), int(batch))
        return
    impls = ("torch", "cnnkit", "keras-torch", "keras-jax")
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {args.samples} samples, batch {args.batch}")
    print("| model | | hand-written torch | cnnkit | Keras 3 torch | Keras 3 JAX | cnnkit / torch |")
    print("|---|---|---|---|---|---|---|")
    for name in args.models.split(","):
        results = {impl: measure(impl, name, args.samples, args.epochs, args.batch) for impl in impls}
        for what, label in (("train", "training img/s"), ("predict", "predict img/s, batch 1024")):
            cells = [f"{results[i][what]:,.0f}" if results[i] else "-" for i in impls]
            ratio = results["cnnkit"][what] / results["torch"][what]
            print(f"| {name} | {label} | {' | '.join(cells)} | {ratio:.2f}x |", flush=True)


if __name__ == "__main__":
    main()
