"""A run folder's JSON files (config.json, metrics.json): written atomically, and read with one
line naming the file when it is damaged."""

from __future__ import annotations

import json
from pathlib import Path

from cnnkit.cli.errors import CommandError
from cnnkit.common.files import atomic_write


def read_json(path: Path) -> dict:
    try:
        content = json.loads(Path(path).read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise CommandError(f"{path} is not valid JSON ({error}); restore it or delete the run folder") from None
    if not isinstance(content, dict):
        raise CommandError(f"{path} should hold a JSON object; it holds {type(content).__name__}")
    return content


def write_json(path: Path, content: dict) -> None:
    atomic_write(path, lambda stream: stream.write(json.dumps(content, indent=2).encode()))
