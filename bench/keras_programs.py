"""Run public Keras programs unmodified under `cnnkit run`, capped for a smoke run, and say which ran.

The programs are read from a git mirror of keras-team/keras (the search tool's `fetch`), at the commits
issue 17 names: Keras 2.3.1's `examples/` and Keras 3's ports of the keras.io examples. They are
written to a scratch folder to run and never kept in this repository. Data sets come from
../shared/datasets (MNIST, Fashion-MNIST) or are small generated files in the loaders' formats
(CIFAR-10, CIFAR-100, IMDB, Reuters, text), since these machines are offline.

    python bench/keras_programs.py [--mirror DIR] [--only NAME ...] [--timeout S] [--keras-too]

`--keras-too` runs each program under Keras 3 itself as well (JAX backend, bench/.keras-env from
bench/keras_env.sh) with the same caps, and prints both last metrics lines.

Two programs import packages that are not cnnkit's dependencies: class_activation_maps (OpenCV)
and image_ocr (cairocffi, editdistance). Install them where this script runs:
`.venv/bin/pip install opencv-python-headless cairocffi editdistance`. The ImageNet weights the
programs download are stand-ins written here (make_stand_in_weights), which needs bench/.keras-env.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import re
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
MIRROR = Path("/work/.mirror/keras-team+keras/repo")
KERAS2 = "f295e8ee39d4ba841ac281a9337d69c7bc5e0eb6"
KERAS3 = "2588a15440a10de8d0cc10b50c21ede333a2bd01"
SHARED = REPO.parent / "shared" / "datasets"

KERAS2_PROGRAMS = [
    "addition_rnn", "antirectifier", "babi_memnn", "babi_rnn", "cifar10_cnn", "cifar10_resnet",
    "class_activation_maps", "cnn_seq2seq", "conv_filter_visualization", "conv_lstm", "deep_dream", "image_ocr",
    "imdb_bidirectional_lstm", "imdb_cnn", "imdb_cnn_lstm", "imdb_fasttext", "imdb_lstm", "lstm_seq2seq",
    "lstm_seq2seq_restore", "lstm_stateful", "lstm_text_generation", "mnist_acgan", "mnist_cnn",
    "mnist_denoising_autoencoder", "mnist_hierarchical_rnn", "mnist_irnn", "mnist_mlp", "mnist_net2net",
    "mnist_siamese", "mnist_sklearn_wrapper", "mnist_swwae", "mnist_transfer_cnn", "neural_doodle",
    "neural_style_transfer", "pretrained_word_embeddings", "reuters_mlp", "reuters_mlp_relu_vs_selu",
    "variational_autoencoder", "variational_autoencoder_deconv",
]  # fmt: skip
# Keras 3's keras.io ports that use no TensorFlow and whose data is a Keras data set.
# Programs that reshape a data set to its full size (x.reshape(60000, 784)): load_data is left whole.
KEEP_DATA = {"antirectifier", "mnist_mlp", "vision/siamese_contrastive"}
# Programs that plot one point per epoch they asked for run all their epochs (on the capped samples).
# image_ocr's second run loads the weights its first wrote after epoch 20.
EPOCHS = {"reuters_mlp_relu_vs_selu": "40", "image_ocr": "20"}
# Programs too slow for 2 CPU cores at 512 samples (conv_lstm: four ConvLSTM2D layers over 15 frames).
SAMPLES = {"conv_lstm": "64", "image_ocr": "128"}
# Programs that take images and names as arguments (neural_style_transfer's own --iter keeps it short).
ARGUMENTS = {
    "neural_style_transfer": ["base.png", "style.png", "result", "--iter", "1"],
    "deep_dream": ["dream.png", "dream_result"],
    "class_activation_maps": ["photo.png"],
    "neural_doodle": ["--nlabels", "2", "--style-image", "style.png", "--style-mask", "style_mask.png"]
    + ["--target-mask", "target_mask.png", "--target-image-prefix", "doodle"],
}
# Programs that read what another wrote (lstm_seq2seq_restore loads lstm_seq2seq's s2s.h5) run in its folder.
SHARED_FOLDER = {"lstm_seq2seq_restore": "lstm_seq2seq"}
KERAS3_PROGRAMS = [
    "vision/mnist_convnet", "nlp/addition_rnn", "nlp/bidirectional_lstm_imdb", "vision/autoencoder",
    "vision/siamese_contrastive", "generative/pixelcnn", "vision/attention_mil_classification",
    "vision/supervised_contrastive_learning", "vision/knowledge_distillation", "vision/cct", "vision/eanet",
    "vision/image_classification_with_vision_transformer", "vision/mlp_image_classification",
]  # fmt: skip


def program_source(name: str, mirror: Path) -> str:
    path = f"examples/keras_io/{name}.py" if "/" in name else f"examples/{name}.py"
    commit = KERAS3 if "/" in name else KERAS2
    return subprocess.run(
        ["git", "-C", str(mirror), "show", f"{commit}:{path}"], check=True, capture_output=True, text=True
    ).stdout


def word_sequences(rng, count: int, words: int, length: int) -> np.ndarray:
    sequences = np.empty(count, dtype=object)
    for i in range(count):
        sequences[i] = list(rng.integers(1, words, size=rng.integers(length // 2, length)).tolist())
    return sequences


def make_data(home: Path) -> None:
    """Keras's cache folder (KERAS_HOME) with real MNIST files and small generated data sets."""
    datasets = home / "datasets"
    datasets.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    for name in ("mnist", "fashion-mnist"):
        if not (datasets / name).exists():
            (datasets / name).symlink_to(SHARED / name)
    if not (datasets / "mnist.npz").exists():  # Keras's own MNIST file, made from the official ones
        sys.path.insert(0, str(REPO))
        from cnnkit.datasets.idx import read_idx_gz

        names = ("train-images-idx3", "train-labels-idx1", "t10k-images-idx3", "t10k-labels-idx1")
        arrays = [read_idx_gz(SHARED / "mnist" / f"{name}-ubyte.gz") for name in names]
        np.savez_compressed(datasets / "mnist.npz", **dict(zip(("x_train", "y_train", "x_test", "y_test"), arrays)))
    cifar = datasets / "cifar-10-python.tar.gz"
    if not cifar.exists():
        with tarfile.open(cifar, "w:gz") as archive:
            for member in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
                # Full-size batches (Keras 3's loader fills 10,000 rows from each), of flat colours
                # with a little noise so the archive stays small.
                labels = rng.integers(0, 10, 10000)
                colours = rng.integers(0, 200, (10, 3)).astype(np.uint8)
                data = np.repeat(colours[labels], 1024, axis=1) + rng.integers(0, 8, (10000, 3072), dtype=np.uint8)
                batch = {b"data": data, b"labels": labels.tolist()}
                path = home / member
                path.write_bytes(pickle.dumps(batch))
                archive.add(path, f"cifar-10-batches-py/{member}")
                path.unlink()
    for keras_name in ("cifar-10-batches-py.tar.gz", "cifar-10-batches-py-target_archive"):  # Keras 2's, 3's
        if not (datasets / keras_name).exists():
            (datasets / keras_name).symlink_to(cifar.name)
    cifar100 = datasets / "cifar-100-python.tar.gz"
    if not cifar100.exists():  # one training and one test batch, labelled with fine and coarse classes
        with tarfile.open(cifar100, "w:gz") as archive:
            for member, count in (("train", 50000), ("test", 10000)):
                fine = rng.integers(0, 100, count)
                colours = rng.integers(0, 200, (100, 3)).astype(np.uint8)
                data = np.repeat(colours[fine], 1024, axis=1) + rng.integers(0, 8, (count, 3072), dtype=np.uint8)
                batch = {b"data": data, b"fine_labels": fine.tolist(), b"coarse_labels": (fine // 5).tolist()}
                path = home / member
                path.write_bytes(pickle.dumps(batch))
                archive.add(path, f"cifar-100-python/{member}")
                path.unlink()
    if not (datasets / "cifar-100-python-target_archive").exists():  # Keras 3's name for it
        (datasets / "cifar-100-python-target_archive").symlink_to(cifar100.name)
    for name, classes in (("imdb", 2), ("reuters", 46)):
        if not (datasets / f"{name}.npz").exists():
            arrays = {}
            for split, count in (("train", 2000), ("test", 1000)):
                arrays[f"x_{split}"] = word_sequences(rng, count, 20000, 200)
                arrays[f"y_{split}"] = rng.integers(0, classes, count)
            if name == "reuters":
                arrays = {"x": np.concatenate([arrays["x_train"], arrays["x_test"]]),
                          "y": np.concatenate([arrays["y_train"], arrays["y_test"]])}  # fmt: skip
            np.savez(datasets / f"{name}.npz", **arrays)
            words = {f"word{i}": i for i in range(1, 20000)}
            (datasets / f"{name}_word_index.json").write_text(json.dumps(words))
    babi = datasets / "babi-tasks-v1-2.tar.gz"
    if not babi.exists():
        with tarfile.open(babi, "w:gz") as archive:
            for task in ("en-10k/qa1_single-supporting-fact", "en-10k/qa2_two-supporting-facts",
                         "en/qa2_two-supporting-facts"):  # fmt: skip
                for split in ("train", "test"):
                    path = home / "story.txt"
                    path.write_text(babi_stories(rng, 200))
                    archive.add(path, f"tasks_1-20_v1-2/{task}_{split}.txt")
                    path.unlink()
    wordlists = datasets / "wordlists.tgz.tar.gz"  # Keras 2's name for get_file("wordlists.tgz", untar=True)
    if not wordlists.exists():
        letters = list("abcdefghijklmnopqrstuvwxyz")
        # image_ocr asks for 16,000 words of at most 4 letters, then 16,000 pairs of at most 12
        words = ["".join(rng.choice(letters, rng.integers(2, 5))) for _ in range(40000)]
        lists = {
            "wordlist_mono_clean.txt": words,
            "wordlist_bi_clean.txt": [f"{a} {b}" for a, b in zip(words, words[1:])],
        }
        with tarfile.open(wordlists, "w:gz") as archive:
            for member, lines in lists.items():
                (home / member).write_text("\n".join(lines) + "\n")
                archive.add(home / member, member)
                (home / member).unlink()
    text = datasets / "nietzsche.txt"
    if not text.exists():
        letters = "abcdefghijklmnopqrstuvwxyz ,.\n"
        text.write_text("".join(rng.choice(list(letters), 20000)))


NAMES = ["mary", "john", "sandra", "daniel"]
PLACES = ["bathroom", "hallway", "kitchen", "garden", "office"]


def babi_stories(rng, count: int) -> str:
    """bAbI-format stories: numbered facts, then a question line with its answer and supporting fact."""
    lines = []
    for _ in range(count):
        where = {}
        for number in range(1, 5):
            who, place = rng.choice(NAMES), rng.choice(PLACES)
            where[who] = (place, number)
            lines.append(f"{number} {who.capitalize()} went to the {place}.")
        who = rng.choice(list(where))
        lines.append(f"5 Where is {who.capitalize()}? \t{where[who][0]}\t{where[who][1]}")
    return "\n".join(lines) + "\n"


def make_stand_in_weights(home: Path) -> None:
    """ImageNet weights files where the programs look for their downloads: Keras 3 writes VGG19 and
    InceptionV3 (random weights) under Keras's file names (bench/keras_stand_in_weights.py), and
    the same VGG19 weights are written as torchvision's file, which cnnkit's VGG19 loads for
    weights="imagenet". Without bench/.keras-env the programs that need them stop on the download."""
    keras_python = HERE / ".keras-env" / "bin" / "python"
    if not keras_python.exists():
        return
    environment = {**os.environ, "KERAS_HOME": str(home), "KERAS_BACKEND": "jax"}
    subprocess.run([str(keras_python), str(HERE / "keras_stand_in_weights.py")], env=environment, check=True)
    torchvision_file = home / "torch" / "hub" / "checkpoints" / "vgg19-dcbb9e9d.pth"
    if not torchvision_file.exists():
        sys.path.insert(0, str(REPO))
        import torch

        from cnnkit.applications import VGG19

        model = VGG19(
            weights=str(home / "models" / "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5"), include_top=False
        )
        state = {}
        for path, (layer, _) in model.torchvision_names.items():
            state[f"{path}.weight"], state[f"{path}.bias"] = layer.kernel.detach(), layer.bias.detach()
        torchvision_file.parent.mkdir(parents=True, exist_ok=True)
        torch.save(state, torchvision_file)
    keras_2_resnet = home / "models" / "resnet50_weights_tf_dim_ordering_tf_kernels.h5"
    if not keras_2_resnet.exists():  # Keras 2.3's ResNet50 names, which no Keras 3 writes: cnnkit's build of it
        sys.path.insert(0, str(REPO))
        from cnnkit.applications import resnet50_keras2
        from cnnkit.common import keras_defaults

        keras_defaults.set_version(2)
        resnet50_keras2.ResNet50(weights=None).save_weights(str(keras_2_resnet))
        keras_defaults.set_version(3)


def make_program_data(folder: Path, name: str, rng) -> None:
    """Files a program reads from its own folder (the public ones download them by hand)."""
    from PIL import Image

    pictures = {
        "neural_style_transfer": {"base.png": (400, 64), "style.png": (400, 64)},
        "deep_dream": {"dream.png": (160, 160)},
        "class_activation_maps": {"photo.png": (300, 400)},
        "neural_doodle": {"style.png": (64, 64)},
    }
    for file_name, (height, width) in pictures.get(name, {}).items():
        Image.fromarray(rng.integers(0, 256, (height, width, 3), dtype=np.uint8)).save(folder / file_name)
    if name == "neural_doodle":  # two-region masks: top and bottom halves, left and right halves
        halves = np.zeros((64, 64, 3), dtype=np.uint8)
        halves[:32] = 255
        Image.fromarray(halves).save(folder / "style_mask.png")
        Image.fromarray(np.ascontiguousarray(halves.transpose(1, 0, 2))).save(folder / "target_mask.png")
    if name in ("lstm_seq2seq", "lstm_seq2seq_restore", "cnn_seq2seq"):
        pairs = [("go .", "va !"), ("hi .", "salut !"), ("run !", "cours !"), ("wow !", "ca alors !")]
        (folder / "fra-eng").mkdir(exist_ok=True)
        lines = [f"{a} {i}\t{b} {i}" for i in range(300) for a, b in [pairs[i % 4]]]
        (folder / "fra-eng" / "fra.txt").write_text("\n".join(lines) + "\n")
    if name == "pretrained_word_embeddings":
        words = [f"w{i}" for i in range(300)]
        (folder / "glove.6B").mkdir(exist_ok=True)
        vectors = [f"{w} " + " ".join(f"{v:.3f}" for v in rng.standard_normal(100)) for w in words]
        (folder / "glove.6B" / "glove.6B.100d.txt").write_text("\n".join(vectors) + "\n")
        for topic in ("alt.atheism", "sci.space", "rec.autos"):
            (folder / "20_newsgroup" / topic).mkdir(parents=True, exist_ok=True)
            for number in range(60):
                body = " ".join(rng.choice(words, 80))
                (folder / "20_newsgroup" / topic / str(51000 + number)).write_text(f"From: x\n\n{body}\n")


def last_lines(text: str, count: int = 2) -> str:
    text = re.sub(r"\x1b\[[0-9;]*m", "", text).replace("\r", "\n")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return " | ".join(lines[-count:])[-400:]


def run_one(command: list[str], cwd: Path, env: dict, timeout: float) -> tuple[str, float, str]:
    started = time.time()
    try:
        result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as expired:
        out = (expired.stdout or b"").decode() if isinstance(expired.stdout, bytes) else (expired.stdout or "")
        return "timeout", time.time() - started, last_lines(out)
    status = "ran" if result.returncode == 0 else f"exit {result.returncode}"
    detail = last_lines(result.stdout) if result.returncode == 0 else last_lines(result.stderr, 1)
    return status, time.time() - started, detail


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirror", type=Path, default=MIRROR)
    parser.add_argument("--only", nargs="*", default=None)
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--max-epochs", default="1")
    parser.add_argument("--max-samples", default="512")
    parser.add_argument("--keras-too", action="store_true")
    parser.add_argument(
        "--defaults",
        choices=("2", "3"),
        default="2",
        help="whose defaults cnnkit takes for Keras 2's programs (3: as Keras 3 runs them, to compare)",
    )
    parser.add_argument("--scratch", type=Path, default=Path("/tmp/keras_programs"))
    options = parser.parse_args()
    scratch = options.scratch
    home = scratch / "keras_home"
    make_data(home)
    make_stand_in_weights(home)
    env = {**os.environ, "KERAS_HOME": str(home), "CNNKIT_HOME": str(home), "MPLBACKEND": "Agg"}
    env["TORCH_HOME"] = str(home / "torch")
    env["PYTHONPATH"] = os.environ.get("CNNKIT_UNDER_TEST", str(REPO))
    names = options.only or KERAS2_PROGRAMS + KERAS3_PROGRAMS
    ran = 0
    for name in names:
        folder = scratch / SHARED_FOLDER.get(name, name).replace("/", "_")
        folder.mkdir(parents=True, exist_ok=True)
        make_program_data(folder, name, np.random.default_rng(1))
        script = folder / f"{name.split('/')[-1]}.py"
        script.write_text(program_source(name, options.mirror))
        caps = [
            "--max-epochs",
            EPOCHS.get(name, options.max_epochs),
            "--max-samples",
            SAMPLES.get(name, options.max_samples),
        ]
        caps += ["--keep-data"] if name in KEEP_DATA else []
        keras2 = ["--keras", options.defaults] if "/" not in name else []
        arguments = ARGUMENTS.get(name, [])
        command = [sys.executable, "-m", "cnnkit", "run", *caps, *keras2, str(script), *arguments]
        status, seconds, detail = run_one(command, folder, env, options.timeout)
        ran += status == "ran"
        print(f"{name:42s} {status:8s} {seconds:6.1f}s  {detail}", flush=True)
        if options.keras_too:  # in a folder of its own, so neither reads the files the other wrote
            keras_folder = scratch / "keras_3" / SHARED_FOLDER.get(name, name).replace("/", "_")
            keras_folder.mkdir(parents=True, exist_ok=True)
            make_program_data(keras_folder, name, np.random.default_rng(1))
            keras_script = keras_folder / script.name
            keras_script.write_text(script.read_text())
            keras_python = str(HERE / ".keras-env" / "bin" / "python")
            keras = [keras_python, str(HERE / "keras_capped.py"), *caps, str(keras_script), *arguments]
            status, seconds, detail = run_one(keras, keras_folder, {**env, "KERAS_BACKEND": "jax"}, options.timeout)
            print(f"{'  (Keras 3, JAX)':42s} {status:8s} {seconds:6.1f}s  {detail}", flush=True)
    print(f"ran to the end: {ran} of {len(names)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
