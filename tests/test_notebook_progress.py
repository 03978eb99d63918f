"""Progress in a Jupyter notebook (issue 19): fit run by a real kernel through nbclient redraws its
bar during the epoch, as on a terminal, instead of printing nothing until the epoch ends."""

import pytest

nbclient = pytest.importorskip("nbclient", reason="the slow target installs nbclient and ipykernel: .[browser]")
nbformat = pytest.importorskip("nbformat")
pytest.importorskip("ipykernel")

pytestmark = pytest.mark.slow

PROGRAM = """
import numpy as np
import cnnkit as keras
from cnnkit import layers
x = np.random.default_rng(0).random((3000, 64)).astype("float32")
y = (x[:, 0] > 0.5).astype("int64")
model = keras.Sequential([layers.Input((64,)), layers.Dense(512, activation="relu"), layers.Dense(2)])
model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
model.fit(x, y, batch_size=4, epochs=2)
"""


def test_fit_draws_a_live_bar_in_a_notebook():
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(PROGRAM)])
    client = nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3")
    client.execute()
    text = "".join(output.get("text", "") for output in notebook.cells[0].outputs if output.output_type == "stream")
    assert "Epoch 2/2" in text and "750/750 [" in text
    # redrawn in place during each epoch: many carriage-return updates, each with the running loss
    updates = [part for part in text.split("\r") if "ETA" in part]
    assert len(updates) >= 4 and all("loss:" in part for part in updates), text[:500]
