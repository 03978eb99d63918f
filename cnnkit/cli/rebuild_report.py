"""`cnnkit report RUN`: write a run folder's metrics.json, report.html and plots again (after a
change to the report, say, or for a run that was stopped and will not be resumed)."""

from __future__ import annotations

from pathlib import Path

from cnnkit.cli.errors import CommandError
from cnnkit.cli.evaluate import load_for, locate_model, open_model
from cnnkit.cli.run_folder import finish


def run(args) -> int:
    folder = Path(args.run)
    if not folder.is_dir():
        raise CommandError(f"{args.run!r} is not a run folder")
    model_path, config = locate_model(args.run)
    if "data" not in config:
        raise CommandError(f"{folder} has no config.json naming its data set")
    data = load_for(open_model(model_path), config["data"], args.data_dir or config.get("data_dir"))
    finish(folder, data, config, f"{config.get('model') or config.get('source_model', 'model')} on {data.name}")
    return 0
