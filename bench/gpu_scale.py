"""The GPU side of the scale issue, as one script for a lent GPU machine (a few minutes on an H100):

1. host syncs: how many times `fit` makes the host wait for the GPU per epoch, from arrays and
   from a PyDataset with worker threads (torch.cuda.set_sync_debug_mode counts them);
2. training images/s at batch 256 with mixed precision (float16, loss scaling): cnnkit's `fit`
   against the hand-written AMP loop (autocast + GradScaler) for the Fashion CNN, LeNet5,
   ResNet20 and the LSTM classifier, on the same network module;
3. ResNet50 at 224x224: cnnkit against a hand-written AMP + channels-last loop (target >= 0.95x),
   and cnnkit with channels-last weights (whether that should be a default on GPUs);
4. whether image files keep the GPU busy: ResNet50's `fit` from `flow_from_directory` (JPEG
   files decoded by its worker threads, with the Keras blog's augmentation) against `fit` from the
   same images already in memory.

Each part runs on even if an earlier one fails (its error is printed), so one run gives them all.

    python3 bench/gpu_scale.py            # on the GPU machine
    python3 bench/gpu_scale.py --smoke    # a tiny run of every path on the CPU (bfloat16)
"""

from __future__ import annotations

import argparse
import tempfile
import time
import traceback
import warnings
from pathlib import Path

import numpy as np
import torch

import cnnkit as keras
from cnnkit import applications, mixed_precision

SMALL = {
    "fashion_cnn": ((28, 28, 1), lambda: applications.FashionCNN()),
    "lenet5": ((28, 28, 1), lambda: applications.LeNet5(input_shape=(28, 28, 1))),
    "resnet20": ((32, 32, 3), lambda: applications.ResNet20(input_shape=(32, 32, 3))),
    "lstm": ((28, 28), lambda: applications.LSTMClassifier(input_shape=(28, 28))),
}


def synthetic(shape, count: int, classes: int = 10):
    rng = np.random.default_rng(0)
    return rng.random((count, *shape), dtype=np.float32), rng.integers(0, classes, count)


def as_model_input(x: np.ndarray, device) -> torch.Tensor:
    tensor = torch.from_numpy(x).to(device)
    return tensor.permute(0, 3, 1, 2).contiguous(memory_format=torch.channels_last) if tensor.dim() == 4 else tensor


def hand_written(net, x, y, batch: int, epochs: int, device, dtype, channels_last: bool) -> float:
    """The expert's AMP loop on data already on the device; the best epoch's images/s."""
    net = net.to(device).train()
    if channels_last:
        net = net.to(memory_format=torch.channels_last)
    inputs, targets = as_model_input(x, device), torch.from_numpy(y).to(device)
    optimizer = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    scaler = torch.amp.GradScaler(device.type, enabled=dtype == torch.float16)
    best = 0.0
    for _ in range(epochs):
        sync(device)
        start = time.perf_counter()
        total = torch.zeros((), device=device)
        for idx in torch.randperm(len(inputs), device=device).split(batch):
            with torch.autocast(device.type, dtype=dtype):
                loss = torch.nn.functional.cross_entropy(net.forward_logits(inputs[idx]), targets[idx])
            optimizer.zero_grad(set_to_none=True)
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()
            total += loss.detach()
        total.item()
        best = max(best, len(inputs) / (time.perf_counter() - start))
    return best


def cnnkit_fit(model, x, y, batch: int, epochs: int, channels_last: bool = False) -> float:
    if channels_last:
        model.to(memory_format=torch.channels_last)
    model.compile(optimizer=keras.optimizers.SGD(0.01, momentum=0.9), loss="sparse_categorical_crossentropy")
    times: list[float] = []
    timer = keras.callbacks.LambdaCallback(
        on_epoch_begin=lambda epoch, logs: times.append(-time.perf_counter()),
        on_epoch_end=lambda epoch, logs: times.append(times.pop() + time.perf_counter()),
    )
    model.fit(x, y, batch_size=batch, epochs=epochs, verbose=0, callbacks=[timer])
    samples = x.n if hasattr(x, "n") else len(x)  # a flow's len() counts batches
    return samples / min(times)


def sync(device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


class Batches(keras.utils.PyDataset):
    def __init__(self, x, y, batch: int) -> None:
        super().__init__(workers=2)
        self.x, self.y, self.batch = x, y, batch

    def __len__(self) -> int:
        return len(self.x) // self.batch

    def __getitem__(self, index: int):
        part = slice(index * self.batch, (index + 1) * self.batch)
        return self.x[part], self.y[part]


def count_host_syncs(device, count: int) -> None:
    if device.type != "cuda":
        print("host syncs: needs CUDA (skipped)")
        return
    x, y = synthetic((28, 28, 1), count)
    for label, data in (("arrays", {"x": x, "y": y, "batch_size": 128}), ("PyDataset", {"x": Batches(x, y, 128)})):
        model = applications.FashionCNN()
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        model.fit(**data, epochs=1, verbose=0)  # warm-up: the first epoch builds and allocates
        torch.cuda.set_sync_debug_mode("warn")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model.fit(**data, epochs=2, verbose=0)
        torch.cuda.set_sync_debug_mode(0)
        syncs = [w for w in caught if "synchroniz" in str(w.message)]
        print(f"host syncs, fit on {label}: {len(syncs)} in 2 epochs of {count // 128} steps")
        for warning in syncs[:3]:
            print(f"    {warning.filename}:{warning.lineno}: {str(warning.message).splitlines()[0]}")


def small_models(device, dtype, count: int, epochs: int) -> None:
    policy = "mixed_float16" if dtype == torch.float16 else "mixed_bfloat16"
    for name, (shape, build) in SMALL.items():
        x, y = synthetic(shape, count)
        keras.utils.set_random_seed(0)
        torch_rate = hand_written(build(), x, y, 256, epochs, device, dtype, channels_last=False)
        mixed_precision.set_global_policy(policy)
        keras.utils.set_random_seed(0)
        cnnkit_rate = cnnkit_fit(build(), x, y, 256, epochs)
        mixed_precision.set_global_policy("float32")
        print(
            f"{policy} batch 256 {name}: cnnkit {cnnkit_rate:,.0f} img/s, hand-written {torch_rate:,.0f}, "
            f"ratio {cnnkit_rate / torch_rate:.3f}",
            flush=True,
        )


def resnet50(device, dtype, count: int, batch: int, epochs: int, size: int) -> None:
    policy = "mixed_float16" if dtype == torch.float16 else "mixed_bfloat16"
    x, y = synthetic((size, size, 3), count, classes=1000)
    build = lambda: applications.ResNet50(input_shape=(size, size, 3), classes=1000)  # noqa: E731
    keras.utils.set_random_seed(0)
    torch_rate = hand_written(build(), x, y, batch, epochs, device, dtype, channels_last=True)
    rates = {}
    for channels_last in (False, True):
        mixed_precision.set_global_policy(policy)
        keras.utils.set_random_seed(0)
        rates[channels_last] = cnnkit_fit(build(), x, y, batch, epochs, channels_last)
        mixed_precision.set_global_policy("float32")
    print(
        f"ResNet50 {size}x{size} {policy} batch {batch}: hand-written AMP + channels-last {torch_rate:,.0f} img/s; "
        f"cnnkit {rates[False]:,.0f} ({rates[False] / torch_rate:.3f}x), "
        f"cnnkit with channels-last weights {rates[True]:,.0f} ({rates[True] / torch_rate:.3f}x)",
        flush=True,
    )


def directory_flow(device, dtype, count: int, batch: int, epochs: int, size: int) -> None:
    from PIL import Image

    from cnnkit.preprocessing.image import ImageDataGenerator

    policy = "mixed_float16" if dtype == torch.float16 else "mixed_bfloat16"
    x, y = synthetic((size, size, 3), count, classes=2)
    with tempfile.TemporaryDirectory() as folder:
        for n, (image, label) in enumerate(zip(x, y)):
            (Path(folder) / str(label)).mkdir(exist_ok=True)
            Image.fromarray((image * 255).astype(np.uint8)).save(Path(folder) / str(label) / f"{n}.jpg", quality=90)
        build = lambda: applications.ResNet50(input_shape=(size, size, 3), classes=2)  # noqa: E731
        augment = {"rescale": 1 / 255, "shear_range": 0.2, "zoom_range": 0.2, "horizontal_flip": True}
        flow = ImageDataGenerator(**augment).flow_from_directory(
            folder, target_size=(size, size), batch_size=batch, class_mode="sparse"
        )
        rates = {}
        for label, data in (("files", {"x": flow, "y": None}), ("arrays", {"x": x, "y": y})):
            mixed_precision.set_global_policy(policy)
            keras.utils.set_random_seed(0)
            rates[label] = cnnkit_fit(build(), data["x"], data["y"], None if data["y"] is None else batch, epochs)
            mixed_precision.set_global_policy("float32")
    print(
        f"ResNet50 {size}x{size} {policy} batch {batch} fit from JPEG files ({flow.workers} decoding threads, "
        f"augmented) {rates['files']:,.0f} img/s; from arrays in memory {rates['arrays']:,.0f} img/s "
        f"({rates['files'] / rates['arrays']:.3f}x)",
        flush=True,
    )


def run_part(part, *args, **kwargs) -> None:
    """One measurement; a failure is printed and the next part runs."""
    try:
        part(*args, **kwargs)
    except Exception:  # noqa: BLE001 (report anything and go on: device time is scarce)
        mixed_precision.set_global_policy("float32")
        print(f"{part.__name__} FAILED:\n{traceback.format_exc()}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes on the CPU, to check the script runs")
    args = parser.parse_args()
    start = time.perf_counter()
    if args.smoke:
        device, dtype = torch.device("cpu"), torch.bfloat16
        keras.backend.set_device("cpu")
        count, epochs, resnet = 512, 2, {"count": 8, "batch": 4, "epochs": 2, "size": 64}
    else:
        device, dtype = torch.device("cuda"), torch.float16
        print(f"torch {torch.__version__} on {torch.cuda.get_device_name()}")
        count, epochs, resnet = 25_600, 3, {"count": 2_048, "batch": 256, "epochs": 3, "size": 224}
    run_part(count_host_syncs, device, count)
    run_part(small_models, device, dtype, count, epochs)
    run_part(resnet50, device, dtype, **resnet)
    run_part(directory_flow, device, dtype, **resnet)
    print(f"gpu_scale done in {time.perf_counter() - start:.0f}s")


if __name__ == "__main__":
    main()
