"""Keras's `utils.Progbar` for loops of one's own: `update(current, values)` or `add(n, values)`.

Values named in `stateful_metrics` are shown as given; every other value is shown as its mean
over the steps so far, each update weighted by the steps it covers (Keras's rule). Drawing is
training/progress.py's bar: live on a terminal, the finished line elsewhere.
"""

from __future__ import annotations

from cnnkit.training.progress import Progbar as _Bar


def _number(value) -> float:
    return float(value.detach().cpu().item()) if hasattr(value, "detach") else float(value)


class Progbar:
    def __init__(
        self,
        target: int | None,
        width: int = 20,
        verbose: int = 1,
        interval: float = 0.05,
        stateful_metrics=None,
        unit_name: str = "step",
    ) -> None:
        if target is not None and (not isinstance(target, int) or target < 0):
            raise ValueError(f"Progbar: target must be an int >= 0 or None; received {target!r}")
        self.target, self.unit_name = target, unit_name
        self.stateful_metrics = set(stateful_metrics or ())
        self._bar = _Bar(target, verbose=verbose, width=width, interval=interval, unit=unit_name)
        self._totals: dict[str, list[float]] = {}  # name -> [weighted sum, steps], or [value, 1] if stateful
        self._seen = 0
        self._finished = False

    def update(self, current: int, values=None, finalize: bool | None = None) -> None:
        """Move to step `current`; `values`: (name, number) pairs of this step."""
        steps = max(current - self._seen, 1)
        for name, value in values or []:
            number = _number(value)
            if name in self.stateful_metrics:
                self._totals[name] = [number, 1]
            else:
                total = self._totals.setdefault(name, [0.0, 0])
                total[0] += number * steps
                total[1] += steps
        self._seen = current
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        if finalize and not self._finished:
            self._finished = True
            self._bar.finish(current, self._means())
        elif not finalize:
            self._bar.update(current, self._means)

    def add(self, n: int, values=None) -> None:
        self.update(self._seen + n, values)

    def _means(self) -> dict[str, float]:
        return {name: total / max(steps, 1) for name, (total, steps) in self._totals.items()}
