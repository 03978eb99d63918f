"""Keras-style progress bars: a live bar with ETA on a terminal (fitted to its width) and in a
Jupyter notebook, one line per epoch elsewhere (logs, CI: no carriage returns in files)."""

from __future__ import annotations

import math
import shutil
import sys
import time
from collections.abc import Callable
from typing import TextIO

Logs = dict[str, float]


def _format_value(value: float | list[float]) -> str:
    if isinstance(value, list):  # one value per class
        return "[" + " ".join(_format_value(v) for v in value) + "]"
    return f"{value:.4f}" if abs(value) >= 1e-3 or value == 0 else f"{value:.4e}"


def _format_logs(logs: Logs) -> str:
    return "".join(f" - {name}: {_format_value(value)}{_non_finite(name, value)}" for name, value in logs.items())


def _non_finite(name: str, value) -> str:
    """A loss that turned NaN or infinite says so where the user is looking."""
    if "loss" in name and isinstance(value, float) and not math.isfinite(value):
        return " (not finite: NaN in the data, or too high a learning rate?)"
    return ""


def _format_time(seconds: float) -> str:
    if seconds >= 3600:
        return f"{int(seconds // 3600)}:{int(seconds % 3600 // 60):02d}:{int(seconds % 60):02d}"
    if seconds >= 60:
        return f"{int(seconds // 60)}:{int(seconds % 60):02d}"
    return f"{int(seconds)}s"


def _format_per_step(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.0f}s/step"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms/step"
    return f"{seconds * 1e6:.0f}us/step"


def _megabytes(count: float) -> str:
    return f"{count / 1e6:.1f}"


# keras.config.disable_interactive_logging() turns every progress bar off (cnnkit/config.py).
interactive_logging = True


def in_notebook(stream) -> bool:
    """Is `stream` a Jupyter kernel's output? Its frontend redraws a line on a carriage return,
    as a terminal does (Keras draws live there too)."""
    return "ipykernel" in sys.modules and type(stream).__module__.startswith("ipykernel")


def draws_live(stream) -> bool:
    return (hasattr(stream, "isatty") and stream.isatty()) or in_notebook(stream)


class Progbar:
    """Progress over `target` steps (None when unknown).

    verbose=1 draws a bar on a terminal, redrawing at most every `interval` seconds so that
    reading the running metrics (a device sync) stays rare; when the output is not a terminal it
    prints only the finished line. verbose=2 prints one summary line when finished.
    """

    def __init__(
        self,
        target: int | None,
        verbose: int = 1,
        width: int = 30,
        interval: float = 0.1,
        stream: TextIO | None = None,
        unit: str = "step",
    ) -> None:
        verbose = verbose if interactive_logging else 0
        self.target, self.verbose, self.width, self.interval, self.unit = target, verbose, width, interval, unit
        self.stream = stream or sys.stdout
        self.live = verbose == 1 and draws_live(self.stream)
        self.start = time.perf_counter()
        self._last_draw = 0.0
        self._last_length = 0

    def _counter(self, current: int) -> str:
        if self.unit == "byte":  # a download
            total = _megabytes(self.target) if self.target else "?"
            return f"{_megabytes(current):>{len(total)}}/{total} MB"
        if self.target is None:
            return f"{current}/Unknown"
        digits = len(str(self.target))
        return f"{current:>{digits}}/{self.target}"

    def _bar(self, current: int, width: int | None = None) -> str:
        width = self.width if width is None else width
        if self.target is None or width <= 0:
            return ""
        done = int(width * current / self.target) if self.target else width
        arrow = ">" if done < width else ""
        return " [" + "=" * (done - (1 if arrow and done else 0)) + arrow + "." * (width - done) + "]"

    def _fitted(self, current: int, rest: str, bar_at: int | None = None, cut: bool = True) -> str:
        """counter, bar and `rest` in one line no wider than the terminal: a line that wraps cannot
        be redrawn with a carriage return, so each update would stack a new line. The bar gives
        way first, then the end of the metrics (`cut`; the finished line keeps them all)."""
        counter, bar_at = self._counter(current), current if bar_at is None else bar_at
        if not (hasattr(self.stream, "isatty") and self.stream.isatty()):
            return counter + self._bar(bar_at) + rest
        room = shutil.get_terminal_size().columns - 1
        spare = room - len(counter) - len(rest) - 3  # " [" and "]"
        line = counter + self._bar(bar_at, min(self.width, spare) if spare >= 10 else 0) + rest
        return line if len(line) <= room or not cut else line[: room - 1] + "…"

    def update(self, current: int, read_logs: Callable[[], Logs]) -> None:
        """Called after every step; draws (and calls `read_logs`) only when it is time to."""
        if not self.live:
            return
        now = time.perf_counter()
        if now - self._last_draw < self.interval:
            return
        self._last_draw = now
        elapsed = now - self.start
        eta = ""
        if self.target and current:
            eta = f" - ETA: {_format_time(elapsed / current * (self.target - current))}"
        self._write(self._fitted(current, eta + _format_logs(read_logs())), final=False)

    def finish(self, current: int, logs: Logs) -> None:
        if self.verbose not in (1, 2):
            return
        elapsed = time.perf_counter() - self.start
        if self.unit == "byte":
            per_step = f"{_megabytes(current / max(elapsed, 1e-9))} MB/s"
        else:
            per_step = _format_per_step(elapsed / max(current, 1))
        if self.verbose == 1:
            rest = f" - {_format_time(elapsed)} {per_step}{_format_logs(logs)}"
            # the finished line stays: it may wrap (nothing redraws it), so no metric is cut off
            line = self._fitted(current, rest, bar_at=self.target or current, cut=False)
            self._write(line, final=True)
            return
        line = f"{self._counter(current)} - {_format_time(elapsed)} - {per_step}"
        self._write(line + _format_logs(logs), final=True)

    def _write(self, text: str, final: bool) -> None:
        padding = " " * max(self._last_length - len(text), 0)
        prefix = "\r" if self.live else ""
        self.stream.write(prefix + text + padding + ("\n" if final else ""))
        self.stream.flush()
        self._last_length = 0 if final else len(text)
