"""The report in a real browser (issue 19): Debian's Chromium, driven headless by Playwright,
opens the report of a LeNet-5 run and of a ResNet run: no console errors, every image loads, every
section the navigation links to is there. Screenshots are kept under the test's folder (and in
$CNNKIT_SCREENSHOTS when set) for a person to look at."""

import os
import shutil
from pathlib import Path

import pytest

playwright = pytest.importorskip("playwright.sync_api", reason="the slow target installs Playwright: .[browser]")
pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium package is not installed")
@pytest.mark.parametrize(
    "model, size, epochs", [("lenet5", "32,32", 4), ("resnet20", "16,16", 3)], ids=["lenet5", "resnet20"]
)
def test_the_report_renders_in_chromium(tmp_path, monkeypatch, model, size, epochs):
    from cnnkit.cli import main

    monkeypatch.chdir(tmp_path)
    run = tmp_path / "run"
    arguments = ["train", "--model", model, "--data", "digits", "--image-size", size, "--epochs", str(epochs)]
    assert main([*arguments, "--out", str(run)]) == 0
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        messages = []
        page.on("console", lambda message: messages.append(f"{message.type}: {message.text}"))
        page.on("pageerror", lambda error: messages.append(f"pageerror: {error}"))
        page.goto((run / "report.html").as_uri())
        images = page.evaluate("[...document.images].map(i => [i.alt, i.complete, i.naturalWidth])")
        anchors = page.evaluate("[...document.querySelectorAll('nav a')].map(a => a.getAttribute('href'))")
        missing = [a for a in anchors if not page.evaluate(f"!!document.querySelector({a!r})")]
        banner = page.evaluate("!!document.querySelector('.banner')")
        page.screenshot(path=str(tmp_path / f"{model}.png"), full_page=True)
        browser.close()
    assert messages == []
    assert len(images) == 10 and all(complete and width > 100 for _, complete, width in images), images
    assert anchors and missing == []
    assert not banner  # these runs learn: digits at 90% and more
    if os.environ.get("CNNKIT_SCREENSHOTS"):
        folder = Path(os.environ["CNNKIT_SCREENSHOTS"])
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy(tmp_path / f"{model}.png", folder / f"{model}.png")
