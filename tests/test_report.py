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
        "misclassified.png",
        "per_class.png",
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
