"""Cases from the adversarial pass of issue 21 that gave a wrong result or a raw exception: each
now behaves as Keras does or ends in one line naming the argument, file or layer."""

import os

import numpy as np
import pytest
import torch

import cnnkit
from cnnkit import layers


def small_model(*hidden):
    model = cnnkit.Sequential([layers.Input((4,)), *hidden, layers.Dense(2, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model


def test_batch_normalization_trains_on_a_last_batch_of_one_sample(rng):
    """33 samples in batches of 32 leave one: torch refuses to normalise a single value per
    channel; Keras trains on, as cnnkit now does."""
    model = small_model(layers.Dense(3), layers.BatchNormalization())
    history = model.fit(
        rng.random((33, 4)).astype("float32"), rng.integers(0, 2, 33), batch_size=32, epochs=2, verbose=0
    )
    assert np.isfinite(history.history["loss"]).all()


def test_batch_normalization_of_one_sample_is_keras_arithmetic(rng):
    """Keras: the batch's mean is the value and its variance 0, so the output is beta; the moving
    mean moves toward the value and the moving variance toward 0 (NumPy reference)."""
    layer = layers.BatchNormalization(momentum=0.9)
    layer(np.zeros((2, 3), "float32"))  # builds it (inference: nothing moves)
    gamma, beta = rng.random(3).astype("float32"), rng.random(3).astype("float32")
    mean, variance = rng.random(3).astype("float32"), rng.random(3).astype("float32") + 0.5
    layer.set_weights([gamma, beta, mean, variance])
    x = torch.tensor(rng.random((1, 3)).astype("float32"), requires_grad=True)
    layer.train()
    out = layer(x)
    np.testing.assert_allclose(out.detach().numpy(), beta[None], rtol=1e-6)
    out.sum().backward()  # connected to x, as in Keras (the gradient through a batch of one is 0)
    np.testing.assert_allclose(x.grad.numpy(), 0, atol=1e-6)
    _, _, moved_mean, moved_variance = layer.get_weights()
    np.testing.assert_allclose(moved_mean, 0.9 * mean + 0.1 * x.detach().numpy()[0], rtol=1e-6)
    np.testing.assert_allclose(moved_variance, 0.9 * variance, rtol=1e-6)


@pytest.mark.parametrize("call", ["fit", "evaluate", "predict"])
def test_a_batch_size_of_zero_is_refused_not_taken_for_32(call, rng):
    model = small_model()
    x, y = rng.random((8, 4)).astype("float32"), rng.integers(0, 2, 8)
    arguments = (x,) if call == "predict" else (x, y)
    with pytest.raises(ValueError, match=f"{call}: batch_size must be a positive int; received batch_size=0"):
        getattr(model, call)(*arguments, batch_size=0, verbose=0)


def test_a_validation_batch_size_of_zero_is_refused(rng):
    model = small_model()
    x, y = rng.random((8, 4)).astype("float32"), rng.integers(0, 2, 8)
    with pytest.raises(ValueError, match="batch_size must be a positive int; received batch_size=0"):
        model.fit(x, y, validation_data=(x, y), validation_batch_size=0, verbose=0)


@pytest.mark.parametrize(
    "labels", [np.array(["cat", "dog", "cat"]), ["cat", "dog", "cat"], np.array(["a", "b", "a"], object)]
)
def test_text_labels_are_one_line_saying_how_to_number_them(labels):
    model = small_model()
    with pytest.raises(
        ValueError, match=r"fit: the labels are text \('cat'|\('a'.*numpy.unique\(labels, return_inverse=True\)"
    ):
        model.fit(np.zeros((3, 4), "float32"), labels, verbose=0)


@pytest.mark.parametrize("rate", [float("nan"), float("inf"), 0.0, -0.1, True])
def test_a_learning_rate_that_cannot_train_is_refused(rate):
    with pytest.raises(ValueError, match="learning_rate must be a positive finite number"):
        cnnkit.optimizers.SGD(learning_rate=rate)
    optimizer = cnnkit.optimizers.Adam()
    with pytest.raises(ValueError, match="learning_rate must be a positive finite number"):
        optimizer.learning_rate = rate


def test_a_numpy_learning_rate_is_a_learning_rate():
    assert cnnkit.optimizers.Adam(np.float32(0.5)).learning_rate == pytest.approx(0.5)


@pytest.mark.parametrize("name", [".", "..", "a/b"])
def test_get_file_refuses_names_that_are_paths(name, tmp_path):
    with pytest.raises(ValueError, match="fname is a file name, not a path"):
        cnnkit.utils.get_file(name, origin="http://example.invalid/data.bin", cache_dir=tmp_path)


def test_unreadable_weights_files_say_why_and_never_advise_running_their_code(tmp_path):
    model = small_model()
    model.save_weights(tmp_path / "w.safetensors")
    data = (tmp_path / "w.safetensors").read_bytes()
    (tmp_path / "cut.safetensors").write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="cut.safetensors' is a safetensors file that is cut short or corrupt"):
        model.load_weights(tmp_path / "cut.safetensors")

    class RunsCode:
        def __reduce__(self):
            return (os.system, (f"touch {tmp_path / 'pwned'}",))

    torch.save({"kernel": RunsCode()}, tmp_path / "evil.pt")
    with pytest.raises(ValueError) as refused:
        model.load_weights(tmp_path / "evil.pt")
    assert "never unpickles" in str(refused.value) and "weights_only" not in str(refused.value)
    assert not (tmp_path / "pwned").exists()
    (tmp_path / "junk.bin").write_bytes(b"hello, not weights")
    with pytest.raises(ValueError, match="junk.bin' is not a readable weights file: it is none of"):
        model.load_weights(tmp_path / "junk.bin")


def test_a_killed_save_leaves_nothing_the_next_save_does_not_sweep(tmp_path):
    import subprocess

    dead = subprocess.Popen(["true"])  # once it has exited, its pid is a writer that was killed
    dead.wait()
    leftover = tmp_path / f".model.keras.{dead.pid}.tmp"
    leftover.write_bytes(b"half a model")
    other_target = tmp_path / f".other.keras.{dead.pid}.tmp"
    other_target.write_bytes(b"another file's")
    small_model().save(tmp_path / "model.keras")
    assert not leftover.exists() and other_target.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [other_target.name, "model.keras"]


def test_a_failed_write_names_the_target_and_leaves_no_temporary_file(tmp_path):
    import errno

    from cnnkit.common.files import atomic_write

    def disk_full(stream):
        stream.write(b"some")
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(OSError, match=f"cannot write {tmp_path / 'model.keras'}: No space left on device") as failed:
        atomic_write(tmp_path / "model.keras", disk_full)
    assert failed.value.errno == errno.ENOSPC and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "part, value, message",
    [
        ("optimizer", {"class_name": "__class__", "config": {}}, "unknown optimizer class '__class__'"),
        ("loss", {"function": "losses"}, "the saved model's loss is the function 'losses'"),
        ("loss", {"function": "__loader__"}, "the saved model's loss is the function '__loader__'"),
    ],
)
def test_a_saved_compile_config_reaches_only_public_names(tmp_path, part, value, message):
    """cnnkit's own archive names its loss and optimizer; only Keras's public ones (the modules'
    __all__) are found, never another attribute of the module, dunders included."""
    import json
    import zipfile

    model = small_model()
    model.save(tmp_path / "model.cnnkit")
    with zipfile.ZipFile(tmp_path / "model.cnnkit") as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    description = json.loads(entries["cnnkit.json"])
    description["compile"][part] = value
    entries["cnnkit.json"] = json.dumps(description).encode()
    with zipfile.ZipFile(tmp_path / "crafted.cnnkit", "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    with pytest.raises(ValueError, match=message):
        cnnkit.models.load_model(tmp_path / "crafted.cnnkit")


def test_nan_in_the_data_is_said_before_training_and_in_the_progress_bar(rng, capsys):
    model = small_model()
    x = rng.random((16, 4)).astype("float32")
    x[5, 2] = np.nan
    with pytest.warns(UserWarning, match=r"fit: x holds 1 NaN or infinite values \(the first in sample 5\)"):
        model.fit(x, rng.integers(0, 2, 16), epochs=1, verbose=2)
    assert "loss: nan (not finite" in capsys.readouterr().out
    weights = np.ones(16, "float32")
    weights[[1, 9]] = np.inf
    with pytest.warns(UserWarning, match=r"sample_weight holds 2 NaN or infinite values \(the first in sample 1\)"):
        small_model().fit(np.ones((16, 4), "float32"), rng.integers(0, 2, 16), sample_weight=weights, verbose=0)


def test_a_layer_asking_for_gigabytes_is_refused_before_allocating(tmp_path):
    """A crafted Keras file (or a typo) asking for a 10^9-unit layer: one line, no MemoryError."""
    from test_keras_files import fixture_config, keras_archive

    config = fixture_config()
    config["config"]["layers"][1]["config"]["units"] = 10**9
    with pytest.raises(ValueError, match=r"weight kernel of shape \(20, 1000000000\) would hold 20,000,000,000"):
        cnnkit.models.load_model(keras_archive(tmp_path, config))


def test_a_torch_tensor_whose_shape_reads_both_ways_is_taken_as_keras_layout_with_a_warning(rng):
    model = cnnkit.Sequential([layers.Input((3, 3, 3)), layers.Flatten(), layers.Dense(2)])
    x = torch.tensor(rng.random((2, 3, 3, 3)).astype("float32"))
    with pytest.warns(
        UserWarning, match=r"reads as channels-last \(Keras's layout, taken here\) and as channels-first"
    ):
        taken = model.predict(x, verbose=0)
    np.testing.assert_allclose(taken, model.predict(x.numpy(), verbose=0), rtol=1e-6)


def decompression_bomb_png(path) -> None:
    """A PNG whose header declares 30,000 x 30,000 pixels (900 million: PIL refuses it as a bomb)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 30000, 30000, 8, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b""))


def test_a_decompression_bomb_in_an_image_folder_is_skipped_with_its_reason(tmp_path):
    from image_files import write_image_folder

    from cnnkit.datasets import image_folder

    write_image_folder(tmp_path / "pets", per_class=3)
    bomb = next((tmp_path / "pets").iterdir()) / "bomb.png"
    decompression_bomb_png(bomb)
    skipped = []
    files = image_folder.list_files(tmp_path / "pets", on_skip=lambda file, why: skipped.append((file, why)))
    assert [str(file) for file, _ in skipped] == [str(bomb)]
    assert "decompression bomb" in skipped[0][1].lower()
    assert all(file != bomb for file, _ in files.train + files.test)


def test_cnnkit_archive_that_would_inflate_out_of_proportion_is_refused(tmp_path):
    import zipfile

    small_model().save(tmp_path / "model.cnnkit")
    with zipfile.ZipFile(tmp_path / "model.cnnkit") as archive:
        description = archive.read("cnnkit.json")
    with zipfile.ZipFile(tmp_path / "bomb.cnnkit", "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("cnnkit.json", description)
        archive.writestr("model.safetensors", bytes(80 * 2**20))  # 80 MiB of zeros, about 80 KB packed
        archive.writestr("optimizer.safetensors", b"")
    with pytest.raises(ValueError, match="model.safetensors would inflate .* refusing a zip bomb"):
        cnnkit.models.load_model(tmp_path / "bomb.cnnkit")


@pytest.fixture
def small_disk(tmp_path):
    """A real 256 KiB file system (tmpfs), where the machine lets the tests mount one."""
    import subprocess

    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(disk)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here ({mounted.stderr.decode().strip() or 'not root'})")
    yield disk
    subprocess.run(["umount", str(disk)], check=False)


def test_a_full_disk_keeps_the_previous_file_and_leaves_no_debris(small_disk):
    small = small_model()
    small.save(small_disk / "model.keras")
    big = cnnkit.Sequential([layers.Input((100,)), layers.Dense(1000), layers.Dense(2)])  # ~400 KB of weights
    with pytest.raises(OSError, match=f"cannot write {small_disk / 'model.keras'}: No space left on device"):
        big.save(small_disk / "model.keras")
    assert sorted(p.name for p in small_disk.iterdir()) == ["model.keras"]
    assert cnnkit.models.load_model(small_disk / "model.keras").count_params() == small.count_params()


SAVE_FOREVER = """
import sys
import cnnkit
from cnnkit import layers
model = cnnkit.Sequential([layers.Input((200,)), layers.Dense(2000), layers.Dense(10)])  # ~1.6 MB of weights
print("ready", flush=True)
while True:
    model.save(sys.argv[1])
"""


@pytest.mark.slow  # real kills in subprocesses; the sweeping itself is checked by the test with a dead writer above
@pytest.mark.parametrize("delay", [0.05, 0.31])
def test_a_kill_during_saving_leaves_the_last_complete_file(tmp_path, delay):
    """SIGKILL at several moments of a loop of saves: the target is always a complete model (or
    not yet written), and the next save sweeps the dead writer's temporary file."""
    import signal
    import subprocess
    import sys
    import time

    from conftest import subprocess_env

    script = tmp_path / "save_forever.py"
    script.write_text(SAVE_FOREVER)
    target = tmp_path / "model.keras"
    writer = subprocess.Popen([sys.executable, str(script), str(target)], stdout=subprocess.PIPE, env=subprocess_env())
    assert writer.stdout.readline().strip() == b"ready"
    time.sleep(delay)
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    if target.exists():
        assert cnnkit.models.load_model(target).count_params() == 200 * 2000 + 2000 + 2000 * 10 + 10
    small_model().save(target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.keras", "save_forever.py"]
