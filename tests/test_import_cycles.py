"""cnnkit's packages import one another in one direction only (scripts/import_cycles.py), counting
imports inside functions, which would only hide a cycle."""

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).parent.parent / "scripts" / "import_cycles.py"


def load_script():
    spec = importlib.util.spec_from_file_location("import_cycles", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_no_package_imports_one_that_imports_it_back():
    script = load_script()
    graph = script.package_graph()
    assert {"layers", "models", "training", "losses", "metrics", "callbacks"} <= set(graph)
    assert script.cycles(graph) == []


def test_the_checker_finds_a_cycle_and_a_lazy_import_counts(tmp_path):
    script = load_script()
    graph = {"a": {"b": ["a.py"]}, "b": {"c": ["b.py"]}, "c": {"a": ["c.py"]}, "d": {"a": ["d.py"]}}
    assert script.cycles(graph) == [["a", "b", "c"]]
    lazy = tmp_path / "lazy.py"
    lazy.write_text("def f():\n    from cnnkit.models import Model\n    return Model\n")
    assert script.imported_modules(lazy) == ["cnnkit.models"]
