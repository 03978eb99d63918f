"""`cnnkit models`' table: rows of the zoo (frozen in cnnkit/cli/zoo_table.json for the default
input sizes, or computed by cnnkit/cli/zoo_commands.py for another), as aligned text or Markdown."""

from __future__ import annotations

import re

COLUMNS = [
    ("model", "model"),
    ("paper", "paper"),
    ("year", "year"),
    ("input", "input"),
    ("parameters", "parameters"),
    ("multiply_adds", "multiply-adds"),
]
TITLE = ("title", "title")  # the paper's title: Markdown only, too wide for a terminal


def natural_key(row: dict) -> tuple:
    """Oldest paper first, then by name with numbers compared as numbers: resnet18 before resnet101."""
    parts = re.split(r"(\d+)", row["model"])
    return (row["year"], [int(part) if part.isdigit() else part for part in parts])


def _cells(row: dict, markdown: bool) -> list[str]:
    cells = [
        row["model"],
        row["paper"],
        str(row["year"]),
        "x".join(map(str, row["input"])),
        f"{row['parameters']:,}",
        f"{row['multiply_adds'] / 1e6:,.1f}M",
    ]
    return [*cells[:2], row["title"], *cells[2:]] if markdown else cells


def format_table(rows: list[dict], markdown: bool = False) -> str:
    columns = [*COLUMNS[:2], TITLE, *COLUMNS[2:]] if markdown else COLUMNS
    header = [title for _, title in columns]
    body = [_cells(row, markdown) for row in sorted(rows, key=natural_key)]
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        return "\n".join(lines + ["| " + " | ".join(cells) + " |" for cells in body])
    widths = [max(len(cells[k]) for cells in [header, *body]) for k in range(len(header))]
    numeric = {2, 4, 5}  # right-aligned columns

    def line(cells: list[str]) -> str:
        return "  ".join(
            cell.rjust(width) if k in numeric else cell.ljust(width)
            for k, (cell, width) in enumerate(zip(cells, widths))
        ).rstrip()

    return "\n".join([line(header), line(["-" * width for width in widths]), *map(line, body)])
