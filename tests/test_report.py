"""The run report: scores against scikit-learn, feature maps against plain torch, and the page
itself (every plot embedded, decodable, and the same as its PNG file)."""

import base64
import io
import re

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image

import cnnkit as keras
from cnnkit import layers
from cnnkit.cli import run_report, scoring
from cnnkit.report import RunReport, write_report


def test_scores_match_scikit_learn(rng):
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

    labels, predicted = rng.integers(0, 5, 300), rng.integers(0, 5, 300)
    predicted[predicted == 4] = 3  # class 4 is never predicted: precision 0, not a division error
    matrix = scoring.confusion_matrix(labels, predicted, 5)
    np.testing.assert_array_equal(matrix, confusion_matrix(labels, predicted, labels=range(5)))
    precision, recall, f1, support = precision_recall_fscore_support(
        labels, predicted, labels=range(5), zero_division=0
    )
    scores = scoring.per_class_scores(matrix)
    np.testing.assert_allclose([s["precision"] for s in scores], precision)
    np.testing.assert_allclose([s["recall"] for s in scores], recall)
    np.testing.assert_allclose([s["f1"] for s in scores], f1)
    assert [s["support"] for s in scores] == support.tolist()


def test_score_loss_is_the_cross_entropy_of_the_predictions(rng):
    model = keras.Sequential([layers.Input(shape=(4,)), layers.Dense(3, activation="softmax")])
    model.compile(loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    x, y = rng.random((40, 4)).astype(np.float32), rng.integers(0, 3, 40)
    results = scoring.score(model, x, y, 3)
    loss, accuracy = model.evaluate(x, y, verbose=0)
    assert results.loss == pytest.approx(loss, rel=1e-5)
    assert results.accuracy == pytest.approx(accuracy, abs=1e-6)


def test_feature_maps_are_the_convolutions_outputs(rng):
    model = keras.Sequential(
        [
            layers.Input(shape=(10, 10, 2)),
            layers.Conv2D(4, 3, activation="relu", name="first"),
            layers.Conv2D(5, 3, padding="same", name="second"),
            layers.Flatten(),
            layers.Dense(2, activation="softmax"),
        ]
    )
    image = rng.random((10, 10, 2)).astype(np.float32)
    convolutions = run_report.first_convolutions(model)
    assert [c.name for c in convolutions] == ["first", "second"]
    maps = dict(run_report.feature_maps(model, convolutions, image))
    first, second = (model.get_layer(name) for name in ("first", "second"))
    x = torch.from_numpy(image).permute(2, 0, 1)[None]
    expected_first = F.relu(F.conv2d(x, first.kernel, first.bias))
    expected_second = F.conv2d(expected_first, second.kernel, second.bias, padding=1)
    np.testing.assert_allclose(maps["first"], expected_first[0].detach().numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(maps["second"], expected_second[0].detach().numpy(), rtol=1e-5, atol=1e-5)
    assert model(x).shape == (1, 2)  # the hooks are gone: the model runs as before


def sample_report(rng, wrong=5) -> RunReport:
    names = ["cat", "dog", "<bird & co>"]
    matrix = np.array([[5, 1, 0], [2, 6, 1], [0, 0, 7]])
    return RunReport(
        title="lenet5 on pets",
        history={
            "loss": [1.0, 0.6, 0.4],
            "val_loss": [1.1, 0.7, 0.6],
            "accuracy": [0.5, 0.7, 0.8],
            "val_accuracy": [0.4, 0.6, 0.7],
            "learning_rate": [1e-3, 1e-4, 1e-5],
        },
        class_names=names,
        confusion=matrix,
        scores=scoring.per_class_scores(matrix),
        headline={"test accuracy": "81.82%"},
        wrong_images=rng.random((wrong, 12, 12, 3)).astype(np.float32),
        wrong_true=[0] * wrong,
        wrong_predicted=[1] * wrong,
        wrong_confidence=np.full(wrong, 0.6),
        first_kernel=rng.standard_normal((5, 5, 3, 6)).astype(np.float32),
        example=rng.random((12, 12, 3)).astype(np.float32),
        feature_maps=[("conv1", rng.random((6, 8, 8))), ("conv2", rng.random((3, 4, 4)))],
        summary='Model: "lenet5"\nTotal params: 1,234',
        timings={"per epoch": "1.5 s"},
        settings={"epochs": 3, "data": "folder:/pets"},
    )


def test_report_page_embeds_every_plot(tmp_path, rng):
    written = write_report(tmp_path, sample_report(rng))
    names = sorted(path.name for path in written)
    pngs = [
        "confusion_matrix.png",
        "feature_maps.png",
        "filters.png",
        "learning_curves.png",
        "per_class.png",
        "top_losses.png",
    ]
    assert names == sorted([*pngs, "report.html"])
    page = (tmp_path / "report.html").read_text()
    embedded = re.findall(r'<img alt="([^"]+)" src="data:image/png;base64,([^"]+)">', page)
    assert len(embedded) == 6 and 'src="http' not in page and "<script" not in page  # self-contained
    files = {(tmp_path / name).read_bytes() for name in pngs}
    for _, data in embedded:
        png = base64.b64decode(data)
        assert png in files  # the same plots as the PNG files
        image = Image.open(io.BytesIO(png))
        assert image.format == "PNG" and image.width > 200 and image.height > 100
        assert len(np.unique(np.asarray(image.convert("L")))) > 10  # something is drawn
    assert "&lt;bird &amp; co&gt;" in page and "<bird & co>" not in page  # names are escaped
    assert "Total params: 1,234" in page and "81.82%" in page and "folder:/pets" in page


def test_report_without_convolutions_or_mistakes(tmp_path, rng):
    report = sample_report(rng, wrong=0)
    report.first_kernel, report.example, report.feature_maps = None, None, []
    written = {path.name for path in write_report(tmp_path, report)}
    assert "filters.png" not in written and "feature_maps.png" not in written
    assert "0 shown" in (tmp_path / "report.html").read_text()


def test_averages_match_scikit_learns_classification_report(rng):
    from sklearn.metrics import classification_report

    labels, predicted = rng.integers(0, 4, 500), rng.integers(0, 4, 500)
    predicted[labels == 2] = 2  # uneven classes and scores
    labels[:120] = 0
    scores = scoring.per_class_scores(scoring.confusion_matrix(labels, predicted, 4))
    reference = classification_report(labels, predicted, output_dict=True, zero_division=0)
    for name, ours in scoring.averages(scores).items():
        for key, theirs in (
            ("precision", "precision"),
            ("recall", "recall"),
            ("f1", "f1-score"),
            ("support", "support"),
        ):
            assert ours[key] == pytest.approx(reference[name][theirs], abs=1e-12), (name, key)


def test_most_confused_pairs_are_the_largest_off_diagonal_cells():
    matrix = np.array([[50, 7, 1], [2, 40, 9], [0, 0, 30]])
    pairs = scoring.most_confused(matrix, ["a", "b", "c"])
    assert [(p["true"], p["predicted"], p["count"]) for p in pairs] == [
        ("b", "c", 9),
        ("a", "b", 7),
        ("b", "a", 2),
        ("a", "c", 1),
    ]
    assert pairs[0]["share"] == pytest.approx(9 / 51)


def _results(predicted, labels, classes):
    probabilities = np.full((len(labels), classes), 0.1 / (classes - 1))
    probabilities[np.arange(len(labels)), predicted] = 0.9
    matrix = scoring.confusion_matrix(labels, predicted, classes)
    return scoring.TestResults(probabilities, predicted, matrix, scoring.per_class_scores(matrix), 0.0, 0.0, 0.0)


def test_a_run_that_did_not_learn_is_called_one(rng):
    labels = rng.integers(0, 10, 400)
    names = [str(k) for k in range(10)]
    collapsed = _results(np.full(400, 3), labels, 10)
    collapsed.accuracy = float((labels == 3).mean())
    warning = run_report.degenerate(collapsed, labels, names)
    assert warning.startswith("This run did not learn: 100% of the test images are predicted as '3'")
    guessing = _results(rng.integers(0, 10, 400), labels, 10)  # spread out, but at chance
    guessing.accuracy = float((guessing.predicted == labels).mean())
    assert "no better than always answering the most common class" in run_report.degenerate(guessing, labels, names)
    good = labels.copy()
    good[:40] = (good[:40] + 1) % 10
    learned = _results(good, labels, 10)
    learned.accuracy = 0.9
    assert run_report.degenerate(learned, labels, names) is None


def test_a_resnets_feature_maps_are_each_its_own_layer(rng):
    """The stem's conv and the first block's conv are both named conv1: keyed by name, the report
    showed the stem twice. Each map must be its own layer's output, labelled by its path."""
    from cnnkit.applications import get_model

    model = get_model("resnet20", input_shape=(16, 16, 1), classes=10)
    convolutions = run_report.first_convolutions(model, 3)
    assert [c.name for c in convolutions] == ["conv1", "conv1", "conv2"]
    maps = run_report.feature_maps(model, convolutions, rng.random((16, 16, 1)).astype(np.float32))
    assert [name for name, _ in maps] == ["conv1", "layer1_0/conv1", "layer1_0/conv2"]
    assert not np.allclose(maps[0][1], maps[1][1])


def test_a_finished_runs_report_has_every_section(tmp_path, rng):
    """build_report from a trained model and its data: best epoch, top losses in order, most
    confused, averages, samples and class balance, the model graph, time, hardware."""
    from cnnkit.cli.data import ImageData

    x = rng.random((120, 8, 8, 1)).astype(np.float32)
    y = np.arange(120) % 3
    x[y == 1] += 1.0
    data = ImageData("toy", x[:90], y[:90], x[90:], y[90:], ["zero", "one", "two"])
    model = keras.Sequential(
        [
            layers.Input((8, 8, 1)),
            layers.Conv2D(4, 3, name="conv"),
            layers.Flatten(),
            layers.Dense(3, activation="softmax"),
        ]
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    results = scoring.score(model, data.x_test, data.y_test, 3)
    history = {
        "loss": [1.0, 0.8, 0.9],
        "accuracy": [0.3, 0.5, 0.4],
        "val_accuracy": [0.3, 0.6, 0.5],
        "epoch_seconds": [2.0, 1.0, 1.0],
    }
    config = {"val_split": 0.1, "versions": {"torch": "9.9"}, "hardware": {"device": "cpu", "threads": 2}, "git": None}
    report = run_report.build_report("toy run", model, data, results, history, config)
    wrong = np.flatnonzero(results.predicted != data.y_test)
    assert len(report.wrong_images) == min(len(wrong), run_report.WRONG_SHOWN)
    assert np.all(np.diff(report.wrong_losses) <= 0)  # the highest loss first
    assert report.best_epoch == 2 and report.headline["best epoch"] == "2 of 3"
    assert report.class_counts == {"training": [27, 27, 27], "validation": [3, 3, 3], "test": [10, 10, 10]}
    assert report.sample_labels[:7] == ["zero"] * 6 + ["one"]
    assert report.environment["torch"] == "9.9" and report.environment["threads"] == "2"
    assert report.timings["per epoch after the first"] == "1.0 s"
    write_report(tmp_path, report)
    page = (tmp_path / "report.html").read_text()
    for text in (
        "holds epoch 2",
        "macro avg",
        "weighted avg",
        "Top losses",
        "training images of each class",
        "images per class in each split",
        "the model&#39;s layers",
        "Hardware and versions",
    ):
        assert text in page, text
    assert ('class="banner"' in page) == (report.warning is not None)
