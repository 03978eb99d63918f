"""Keras-style progress bars: a live bar with ETA on a terminal, one line per epoch elsewhere."""

from __future__ import annotations

import math
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


# keras.config.disable_interactive_logging() turns every progress bar off (cnnkit/config.py).
interactive_logging = True


class Progbar:
    """Progress over `target` steps (None when unknown).

    verbose=1 draws a bar on a terminal, redrawing at most every `interval` seconds so that
    reading the running metrics (a device sync) stays rare; when the output is not a terminal it
    prints only the finished line. verbose=2 prints one summary line when finished.
    """

    def __init__(
        self, target: int | None, verbose: int = 1, width: int = 30, interval: float = 0.1, stream: TextIO | None = None
    ) -> None:
        verbose = verbose if interactive_logging else 0
        self.target, self.verbose, self.width, self.interval = target, verbose, width, interval
        self.stream = stream or sys.stdout
        self.live = verbose == 1 and hasattr(self.stream, "isatty") and self.stream.isatty()
        self.start = time.perf_counter()
        self._last_draw = 0.0
        self._last_length = 0

    def _counter(self, current: int) -> str:
        if self.target is None:
            return f"{current}/Unknown"
        digits = len(str(self.target))
        return f"{current:>{digits}}/{self.target}"

    def _bar(self, current: int) -> str:
        if self.target is None:
            return ""
        done = int(self.width * current / self.target) if self.target else self.width
        arrow = ">" if done < self.width else ""
        return " [" + "=" * (done - (1 if arrow and done else 0)) + arrow + "." * (self.width - done) + "]"

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
        self._write(f"{self._counter(current)}{self._bar(current)}{eta}{_format_logs(read_logs())}", final=False)

    def finish(self, current: int, logs: Logs) -> None:
        if self.verbose not in (1, 2):
            return
        elapsed = time.perf_counter() - self.start
        per_step = _format_per_step(elapsed / max(current, 1))
        if self.verbose == 1:
            line = f"{self._counter(current)}{self._bar(self.target or current)} - {_format_time(elapsed)} {per_step}"
        else:
            line = f"{self._counter(current)} - {_format_time(elapsed)} - {per_step}"
        self._write(line + _format_logs(logs), final=True)

    def _write(self, text: str, final: bool) -> None:
        padding = " " * max(self._last_length - len(text), 0)
        prefix = "\r" if self.live else ""
        self.stream.write(prefix + text + padding + ("\n" if final else ""))
        self.stream.flush()
        self._last_length = 0 if final else len(text)
