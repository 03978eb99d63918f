"""Every public import path recorded in tests/data/public_import_paths.txt (written by
scripts/public_import_paths.py) still works, so moving files never breaks a user's imports."""

import importlib
from pathlib import Path

import pytest

RECORDED = Path(__file__).parent / "data" / "public_import_paths.txt"
PATHS = [line.split(":") for line in RECORDED.read_text().split()]


def test_the_record_covers_the_keras_families():
    modules = {module for module, _ in PATHS}
    assert {"cnnkit.layers", "cnnkit.losses", "cnnkit.metrics", "cnnkit.callbacks", "cnnkit.layers.core"} <= modules
    assert len(PATHS) > 500


@pytest.mark.parametrize("module_name", sorted({module for module, _ in PATHS}))
def test_each_recorded_name_imports_from_its_module(module_name):
    module = importlib.import_module(module_name)
    missing = [name for module_, name in PATHS if module_ == module_name and not hasattr(module, name)]
    assert not missing, f"{module_name} lost {missing}"
