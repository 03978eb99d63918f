"""Writes cnnkit/cli/zoo_table.json: `cnnkit models`' rows at each model's own input size, frozen
so that the command answers at once (building and counting every model takes seconds).
Run it after adding or changing a zoo model; tests/test_cli_front.py checks the file is current."""

import json

from cnnkit.applications import list_models
from cnnkit.cli.zoo_commands import zoo_row
from cnnkit_command import zoo_table_path

rows = [zoo_row(name, None) for name in list_models()]
zoo_table_path().write_text("[\n" + ",\n".join(json.dumps(row) for row in rows) + "\n]\n")  # a row per line
print(f"{len(rows)} models -> {zoo_table_path()}")
