"""Files that real Keras wrote load into cnnkit and predict what Keras predicted; files cnnkit writes
in Keras's formats have Keras's layout; crafted files are refused without anything in them running.

The fixtures in tests/data/keras_files/ were written by Keras 3.15 (JAX backend) with
scripts/keras_file_fixtures.py, with Keras's predictions on fixed inputs in predictions.npz.
bench/keras_files_check.py checks the other direction (cnnkit's files loaded by real Keras)."""

import json
import zipfile
from pathlib import Path

import h5py
import numpy as np
import pytest

import cnnkit
from cnnkit import layers
from cnnkit.models import load_model
from cnnkit.models.keras_files.weights_tree import keras_layer_order

FIXTURES = Path(__file__).parent / "data" / "keras_files"
PREDICTIONS = np.load(FIXTURES / "predictions.npz")
MODELS = ["fashion_cnn", "fashion_cnn_dropout", "residual_block", "lstm_classifier", "batchnorm_dropout"]
COMPILED_AS = {  # what each fixture script compiled: (optimizer class, loss)
    "fashion_cnn": ("Adam", "categorical_crossentropy"),
    "fashion_cnn_dropout": ("Adam", "categorical_crossentropy"),
    "residual_block": ("Adam", "sparse_categorical_crossentropy"),
    "lstm_classifier": ("RMSprop", "sparse_categorical_crossentropy"),
    "batchnorm_dropout": ("SGD", "binary_crossentropy"),
}


def keras_predictions(name: str) -> tuple[np.ndarray, np.ndarray]:
    return PREDICTIONS[f"{name}/x"], PREDICTIONS[f"{name}/y"]


@pytest.mark.parametrize("extension", ["keras", "h5"])
@pytest.mark.parametrize("name", MODELS)
def test_a_model_keras_saved_predicts_what_keras_predicted(name, extension):
    model = load_model(FIXTURES / f"{name}.{extension}")
    x, expected = keras_predictions(name)
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=0, atol=1e-5)
    optimizer, loss = COMPILED_AS[name]
    assert type(model.optimizer).__name__ == optimizer
    assert getattr(model.loss, "name", model.loss) == loss


def test_the_files_compile_settings_come_back_with_their_arguments():
    model = load_model(FIXTURES / "batchnorm_dropout.keras")
    assert model.optimizer.learning_rate == pytest.approx(0.01) and model.optimizer.momentum == pytest.approx(0.9)
    assert isinstance(model.layers[1], layers.BatchNormalization) and model.layers[1].momentum == pytest.approx(0.9)


def test_a_file_keras_saved_trains_on_in_cnnkit(rng):
    model = load_model(FIXTURES / "residual_block.keras")
    x = rng.standard_normal((16, 8, 8, 3)).astype("float32")
    history = model.fit(x, rng.integers(0, 5, 16), epochs=2, batch_size=8, verbose=0)
    assert np.isfinite(history.history["loss"]).all()


def test_keras_layer_order_is_the_order_keras_wrote():
    """Keras names the groups of its weights files after its order of a model's layers (deepest
    first, ties in the order a walk from the outputs meets them); cnnkit computes that order from
    its own graph. Here the residual fixture's graph, built in cnnkit as the fixture script does."""
    with zipfile.ZipFile(FIXTURES / "residual_block.keras") as archive:
        keras_layers = json.loads(archive.read("config.json"))["config"]["layers"]
    inputs = cnnkit.Input((8, 8, 3))
    stem = layers.Activation("relu")(layers.BatchNormalization()(layers.Conv2D(8, 3, padding="same")(inputs)))
    branch = layers.ReLU()(layers.BatchNormalization()(layers.Conv2D(8, 3, padding="same")(stem)))
    branch = layers.Conv2D(8, 3, padding="same", name="last_of_branch")(branch)
    shortcut = layers.Conv2D(8, 1, name="shortcut")(inputs)
    merged = layers.Add()([branch, shortcut, stem])
    outputs = layers.Dense(5)(layers.GlobalAveragePooling2D()(layers.Activation("relu")(merged)))
    model = cnnkit.Model(inputs, outputs)
    order = keras_layer_order(model)
    assert [type(layer).__name__ for layer in order] == [entry["class_name"] for entry in keras_layers]
    assert [layer.name for layer in order].index("shortcut") == 8  # as conv2d_9 in Keras's file


@pytest.mark.parametrize(
    "weights", ["residual_block.weights.h5", "residual_block_legacy_weights.h5", "residual_block.h5"]
)
def test_keras_weights_files_load_into_a_model_built_in_cnnkit(weights):
    model = load_model(FIXTURES / "residual_block.keras", compile=False)
    model.set_weights([np.zeros_like(w) for w in model.get_weights()])
    model.load_weights(FIXTURES / weights)
    x, expected = keras_predictions("residual_block")
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=0, atol=1e-5)


def cnnkit_fashion_cnn(names: bool = False):
    """The fixture's architecture written in cnnkit, with cnnkit's own layer names (or renamed)."""
    model = cnnkit.Sequential()
    model.add(layers.Conv2D(32, (3, 3), padding="same", input_shape=(8, 8, 1), name="a" if names else None))
    model.add(layers.LeakyReLU(alpha=0.1))
    model.add(layers.MaxPooling2D((2, 2), padding="same"))
    for filters in (64, 128):
        model.add(layers.Conv2D(filters, (3, 3), padding="same"))
        model.add(layers.LeakyReLU(alpha=0.1))
        model.add(layers.MaxPooling2D((2, 2), padding="same"))
    model.add(layers.Flatten())
    model.add(layers.Dense(128))
    model.add(layers.LeakyReLU(alpha=0.1))
    model.add(layers.Dense(10, activation="softmax"))
    return model


def test_a_legacy_h5_loads_by_position_into_differently_named_layers_and_by_name_when_asked():
    """Keras Applications' weight files reach builders whose layers have other names by position,
    as in Keras; by_name=True matches names and leaves the others alone."""
    x, expected = keras_predictions("fashion_cnn")
    model = cnnkit_fashion_cnn(names=True)
    model.load_weights(FIXTURES / "fashion_cnn.h5")
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=0, atol=1e-5)
    renamed = cnnkit_fashion_cnn(names=True)
    for index, layer in enumerate(renamed.layers):
        layer.name = "conv2d" if index == 3 else f"mine_{index}"  # only the second Conv2D has a file name
    before = [layer.get_weights() for layer in renamed.layers]
    with pytest.raises(ValueError, match=r"has shape \(3, 3, 1, 32\); layer 'conv2d' \(Conv2D\) needs"):
        renamed.load_weights(FIXTURES / "fashion_cnn.h5", by_name=True)  # by name, shapes still must fit
    renamed.layers[3].name, renamed.layers[0].name = "mine_3", "conv2d"
    renamed.load_weights(FIXTURES / "fashion_cnn.h5", by_name=True)
    with h5py.File(FIXTURES / "fashion_cnn.h5") as handle:
        kernel = handle["model_weights/conv2d/fashion_cnn/conv2d/kernel"][()]
    np.testing.assert_array_equal(renamed.layers[0].get_weights()[0], kernel)
    np.testing.assert_array_equal(renamed.layers[3].get_weights()[0], before[3][0])


def test_a_keras_2_h5_with_its_older_config_loads(tmp_path):
    """tf.keras 2 wrote `batch_input_shape`, Keras 2 inbound_nodes ([[name, node, tensor, kwargs]]),
    `alpha` for LeakyReLU and `name:0` weight names; this file is built here in that layout."""
    rng = np.random.default_rng(0)
    kernel, bias = rng.standard_normal((4, 3)).astype("float32"), rng.standard_normal(3).astype("float32")
    layers_config = [
        {"class_name": "InputLayer", "config": {"batch_input_shape": [None, 4], "dtype": "float32", "name": "input_1"}},
        {
            "class_name": "Dense",
            "name": "dense_1",
            "config": {
                "name": "dense_1",
                "trainable": True,
                "dtype": "float32",
                "units": 3,
                "activation": "linear",
                "use_bias": True,
                "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": None}},
                "bias_initializer": {"class_name": "Zeros", "config": {}},
                "kernel_regularizer": None,
                "bias_regularizer": None,
                "activity_regularizer": None,
                "kernel_constraint": None,
                "bias_constraint": None,
            },
            "inbound_nodes": [[["input_1", 0, 0, {}]]],
        },
        {
            "class_name": "LeakyReLU",
            "name": "leaky",
            "config": {"name": "leaky", "trainable": True, "dtype": "float32", "alpha": 0.2},
            "inbound_nodes": [[["dense_1", 0, 0, {}]]],
        },
        {
            "class_name": "Add",
            "name": "add_1",
            "config": {"name": "add_1", "trainable": True, "dtype": "float32"},
            "inbound_nodes": [[["dense_1", 0, 0, {}], ["leaky", 0, 0, {}]]],
        },
    ]
    layers_config[0]["name"], layers_config[0]["inbound_nodes"] = "input_1", []
    config = {
        "class_name": "Model",
        "config": {
            "name": "model_1",
            "layers": layers_config,
            "input_layers": [["input_1", 0, 0]],
            "output_layers": [["add_1", 0, 0]],
        },
    }
    path = tmp_path / "tf_keras.h5"
    with h5py.File(path, "w") as handle:
        handle.attrs["keras_version"] = "2.4.0"
        handle.attrs["backend"] = "tensorflow"
        handle.attrs["model_config"] = json.dumps(config)
        training = {"loss": "mse", "metrics": ["mae"], "optimizer_config": {"class_name": "Adam", "config": {}}}
        handle.attrs["training_config"] = json.dumps(training)
        weights = handle.create_group("model_weights")
        weights.attrs["layer_names"] = np.array([b"input_1", b"dense_1", b"leaky", b"add_1"])
        for name in ("input_1", "leaky", "add_1"):
            weights.create_group(name).attrs["weight_names"] = np.array([])
        dense = weights.create_group("dense_1")
        dense.attrs["weight_names"] = np.array([b"dense_1/kernel:0", b"dense_1/bias:0"])
        dense.create_dataset("dense_1/kernel:0", data=kernel)
        dense.create_dataset("dense_1/bias:0", data=bias)
    model = load_model(path)
    x = rng.standard_normal((5, 4)).astype("float32")
    hidden = x @ kernel + bias
    np.testing.assert_allclose(
        model.predict(x, verbose=0), hidden + np.where(hidden > 0, hidden, 0.2 * hidden), atol=1e-6
    )
    assert type(model.optimizer).__name__ == "Adam" and getattr(model.loss, "name", model.loss) in (
        "mse",
        "mean_squared_error",
    )


# ---- what cnnkit writes ----------------------------------------------------------------------
def test_a_keras_archive_written_by_cnnkit_has_keras_layout(tmp_path, rng):
    model = load_model(FIXTURES / "residual_block.keras")
    model.save(tmp_path / "again.keras")
    with zipfile.ZipFile(tmp_path / "again.keras") as archive:
        config = json.loads(archive.read("config.json"))
        assert json.loads(archive.read("metadata.json"))["keras_version"].startswith("3.")
        archive.extract("model.weights.h5", tmp_path)
    assert config["class_name"] == "Functional" and config["compile_config"]["optimizer"]["class_name"] == "Adam"
    with (
        h5py.File(tmp_path / "model.weights.h5") as written,
        h5py.File(FIXTURES / "residual_block.weights.h5") as keras,
    ):
        keras_arrays, written_arrays = {}, {}
        keras.visititems(lambda n, item: keras_arrays.update({n: item[()]}) if isinstance(item, h5py.Dataset) else None)
        written.visititems(lambda n, i: written_arrays.update({n: i[()]}) if isinstance(i, h5py.Dataset) else None)
    keras_arrays = {n: a for n, a in keras_arrays.items() if not n.startswith("optimizer/")}  # Adam state
    assert sorted(written_arrays) == sorted(keras_arrays)
    for name, array in keras_arrays.items():
        np.testing.assert_array_equal(written_arrays[name], array, err_msg=name)


def test_save_weights_writes_keras_3_or_keras_2_layout_by_name(tmp_path):
    model = load_model(FIXTURES / "fashion_cnn.keras")
    model.save_weights(tmp_path / "w.weights.h5")
    model.save_weights(tmp_path / "w.h5")
    with h5py.File(tmp_path / "w.weights.h5") as tree, h5py.File(tmp_path / "w.h5") as legacy:
        assert tree["layers/conv2d_2/vars/0"].shape == (3, 3, 64, 128)
        names = [n.decode() for n in legacy.attrs["layer_names"]]
        assert names[:2] == ["conv2d", "leaky_re_lu"]
    fresh = cnnkit_fashion_cnn()
    for path in ("w.weights.h5", "w.h5"):
        fresh.load_weights(tmp_path / path)
        x, expected = keras_predictions("fashion_cnn")
        np.testing.assert_allclose(fresh.predict(x, verbose=0), expected, rtol=0, atol=1e-5)


def test_the_format_can_be_chosen_and_a_bad_one_is_named(tmp_path):
    model = cnnkit_fashion_cnn()
    model.save(tmp_path / "own.keras", format="cnnkit")
    assert "model.safetensors" in zipfile.ZipFile(tmp_path / "own.keras").namelist()
    assert load_model(tmp_path / "own.keras").count_params() == model.count_params()
    with pytest.raises(ValueError, match="format must be one of"):
        model.save(tmp_path / "x.keras", format="tf")


# ---- refused, and nothing runs ---------------------------------------------------------------
def keras_archive(tmp_path, config: dict, weights: bytes | None = None, name="crafted.keras") -> Path:
    path = tmp_path / name
    if weights is None:
        with zipfile.ZipFile(FIXTURES / "batchnorm_dropout.keras") as archive:
            weights = archive.read("model.weights.h5")
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("config.json", json.dumps(config))
        archive.writestr("metadata.json", "{}")
        archive.writestr("model.weights.h5", weights)
    return path


def fixture_config() -> dict:
    with zipfile.ZipFile(FIXTURES / "batchnorm_dropout.keras") as archive:
        return json.loads(archive.read("config.json"))


def test_a_config_naming_a_callable_is_refused_without_running_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config = fixture_config()
    config["config"]["layers"][1] = {"module": "os", "class_name": "system", "config": {"command": "touch pwned"}}
    with pytest.raises(ValueError, match="cnnkit has no layer 'system'"):
        load_model(keras_archive(tmp_path, config))
    config = fixture_config()
    config["config"]["layers"][1]["config"]["activation"] = {"module": "os", "class_name": "system", "config": {}}
    with pytest.raises(ValueError, match="cnnkit has no activation 'system'"):
        load_model(keras_archive(tmp_path, config))
    config = fixture_config()
    config["config"]["layers"][1]["class_name"] = "__class__"
    with pytest.raises(ValueError, match="cnnkit has no layer '__class__'"):
        load_model(keras_archive(tmp_path, config))
    assert not (tmp_path / "pwned").exists()


def test_a_lambda_with_bytecode_is_refused(tmp_path):
    config = fixture_config()
    config["config"]["layers"].insert(
        2,
        {
            "module": "keras.layers",
            "class_name": "Lambda",
            "config": {"name": "lambda", "function": {"class_name": "__lambda__", "config": {"code": "4wEAAA=="}}},
        },
    )
    with pytest.raises(ValueError, match="never runs code from a file"):
        load_model(keras_archive(tmp_path, config))


def test_an_argument_cnnkit_lacks_is_named_unless_it_changes_nothing(tmp_path):
    config = fixture_config()
    config["config"]["layers"][1]["config"]["lora_rank"] = 4
    with pytest.raises(ValueError, match=r"layer '\w+' \(Dense\): cnnkit's Dense has no argument lora_rank=4"):
        load_model(keras_archive(tmp_path, config))
    config["config"]["layers"][1]["config"]["lora_rank"] = None  # Keras's default: nothing to do
    load_model(keras_archive(tmp_path, config))


def test_pickles_and_wrong_datasets_in_the_weights_are_refused(tmp_path):
    import pickle

    class RunsCode:
        def __reduce__(self):
            import os

            return (os.system, ("touch pwned",))

    with pytest.raises(ValueError, match="model.weights.h5 is not a readable HDF5 file"):
        load_model(keras_archive(tmp_path, fixture_config(), pickle.dumps(RunsCode())))
    (tmp_path / "pickle.h5").write_bytes(pickle.dumps(RunsCode()))
    with pytest.raises(ValueError, match="not a model file cnnkit reads"):
        load_model(tmp_path / "pickle.h5")
    assert not Path("pwned").exists() and not (tmp_path / "pwned").exists()

    def weights_with(change) -> bytes:
        with zipfile.ZipFile(FIXTURES / "batchnorm_dropout.keras") as archive:
            (tmp_path / "w.h5").write_bytes(archive.read("model.weights.h5"))
        with h5py.File(tmp_path / "w.h5", "a") as handle:
            del handle["layers/dense/vars/0"]
            change(handle)
        return (tmp_path / "w.h5").read_bytes()

    # declared far larger than the layer's kernel (chunked and compressed, so the file stays small)
    huge = weights_with(
        lambda h: h.create_dataset(
            "layers/dense/vars/0", shape=(10**6, 10**4), dtype="f4", chunks=True, compression="gzip"
        )
    )
    with pytest.raises(
        ValueError, match=r"'layers/dense/vars/0' has shape \(1000000, 10000\); layer '\w+' \(Dense\) needs \(20, 32\)"
    ):
        load_model(keras_archive(tmp_path, fixture_config(), huge))
    strings = weights_with(
        lambda h: h.create_dataset(
            "layers/dense/vars/0", data=np.array(["x"] * 640, dtype=object).reshape(20, 32), dtype=h5py.string_dtype()
        )
    )
    with pytest.raises(ValueError, match="not numbers; refusing it"):
        load_model(keras_archive(tmp_path, fixture_config(), strings))


def test_a_zip_bomb_is_refused_before_it_inflates(tmp_path):
    path = tmp_path / "bomb.keras"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("config.json", json.dumps(fixture_config()))
        archive.writestr("metadata.json", "{}")
        archive.writestr("model.weights.h5", bytes(80 * 2**20))
    with pytest.raises(ValueError, match="refusing a zip bomb"):
        load_model(path)


def test_loading_a_folder_or_a_weights_only_file_as_a_model_says_what_to_do(tmp_path):
    with pytest.raises(ValueError, match="is a folder"):
        load_model(tmp_path)
    with pytest.raises(ValueError, match="without a model; build the model and call model.load_weights"):
        load_model(FIXTURES / "residual_block_legacy_weights.h5")


def test_load_weights_reads_the_weights_of_a_whole_model_file(tmp_path):
    model = cnnkit_fashion_cnn()
    model.load_weights(FIXTURES / "fashion_cnn.keras")
    x, expected = keras_predictions("fashion_cnn")
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=0, atol=1e-5)
    model.save(tmp_path / "own.cnnkit")
    other = cnnkit_fashion_cnn()
    other.load_weights(tmp_path / "own.cnnkit")
    np.testing.assert_array_equal(other.predict(x, verbose=0), model.predict(x, verbose=0))


def test_keras_layer_order_differs_from_cnnkit_order_where_keras_sorts_by_depth():
    """The order real Keras 3.15 gives for this graph (checked with it when this test was written):
    deepest first, so the longer branch's first layer comes before the shorter branch's."""
    inputs = cnnkit.Input((4,), name="x")
    a = layers.Dense(2, name="a")(inputs)
    d = layers.Dense(2, name="d")(layers.Dense(2, name="c")(layers.Dense(2, name="b")(inputs)))
    outputs = layers.Add(name="add")([layers.Dense(2, name="e")(a), d, a])
    model = cnnkit.Model(inputs, outputs)
    assert [layer.name for layer in keras_layer_order(model)] == ["x", "b", "a", "c", "e", "d", "add"]
    assert [layer.name for layer in model.layers] == ["x", "a", "e", "b", "c", "d", "add"]


def test_keras_json_and_weights_files_rebuild_the_model():
    """Keras 2's recipe: the architecture as JSON (model.to_json()), the weights in their own file."""
    from cnnkit.models import model_from_json

    with zipfile.ZipFile(FIXTURES / "residual_block.keras") as archive:
        keras_json = archive.read("config.json").decode()
    model = model_from_json(keras_json)
    model.load_weights(FIXTURES / "residual_block_legacy_weights.h5")
    x, expected = keras_predictions("residual_block")
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=0, atol=1e-5)


def test_resnet50_given_a_keras_weights_file_is_keras_own_resnet50(tmp_path, rng):
    """Keras's ResNet50 (stride in the first 1x1 convolution, Keras's names and epsilon) is what
    Keras Applications' resnet50 weight files fit; cnnkit's zoo ResNet50 is torchvision's."""
    from cnnkit import applications
    from cnnkit.applications.resnet_keras import keras_resnet

    assert keras_resnet("ResNet50").count_params() == 25_636_712  # Keras's count, with its top
    keras_layout = keras_resnet("ResNet50", include_top=False, input_shape=(32, 32, 3), pooling="avg")
    keras_layout.save_weights(tmp_path / "resnet50_notop.h5")  # the layout of Keras's published files
    model = applications.ResNet50(
        weights=str(tmp_path / "resnet50_notop.h5"), include_top=False, input_shape=(32, 32, 3), pooling="avg"
    )
    assert any(layer.name == "conv2_block1_0_conv" for layer in model.layers)
    x = rng.standard_normal((2, 32, 32, 3)).astype("float32")
    np.testing.assert_array_equal(model.predict(x, verbose=0), keras_layout.predict(x, verbose=0))
    assert type(applications.ResNet50(weights=None, input_shape=(32, 32, 3), classes=3)).__name__ == "Classifier"
