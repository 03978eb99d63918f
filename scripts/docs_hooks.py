"""MkDocs hook: tables generated from the code, so the docs cannot drift from it.

<!-- generated: layers -->   every name in cnnkit.layers.__all__ with its docstring's first line
<!-- generated: zoo -->      `cnnkit models --markdown`: the zoo's papers, parameters, multiply-adds
<!-- generated: bench -->    bench/README.md, the benchmarks' own record, its headings one level down
"""

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _first_line(thing) -> str:
    text = (getattr(thing, "__doc__", None) or "").strip()
    return text.split("\n\n")[0].replace("\n", " ").replace("|", "\\|") if text else ""


def layers_table() -> str:
    import cnnkit.layers

    rows = ["| name | what it is |", "|---|---|"]
    for name in sorted(cnnkit.layers.__all__, key=str.lower):
        thing = getattr(cnnkit.layers, name)
        kind = "" if isinstance(thing, type) else " (function)"
        rows.append(f"| `{name}`{kind} | {_first_line(thing)} |")
    return "\n".join(rows)


def zoo_table() -> str:
    from cnnkit_command import zoo_table_path
    from cnnkit_command.zoo_table import format_table

    return format_table(json.loads(zoo_table_path().read_text()), markdown=True)


def bench_record() -> str:
    text = (ROOT / "bench" / "README.md").read_text()
    text = text.split("\n", 1)[1]  # its title: the page has its own
    return re.sub(r"^(#+) ", lambda heading: "#" + heading.group(1) + " ", text, flags=re.MULTILINE)


GENERATED = {
    "<!-- generated: layers -->": layers_table,
    "<!-- generated: zoo -->": zoo_table,
    "<!-- generated: bench -->": bench_record,
}


def on_page_markdown(markdown, page, config, files):
    for marker, table in GENERATED.items():
        if marker in markdown:
            markdown = markdown.replace(marker, table())
    return markdown
