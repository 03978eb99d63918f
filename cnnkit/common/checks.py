"""Argument checks shared across cnnkit, each raising one line that names the place, the argument
and the value received (Keras's `Received: filters=0` style)."""

from __future__ import annotations

import numbers


def positive_int(value, name: str, where, allow_none: bool = False) -> int | None:
    """`value` as an int if it is one and at least 1. `where` names the caller: a string, or a
    layer (whose `error` puts its class and name in front)."""
    if value is None and allow_none:
        return None
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
        message = f"{name} must be a positive int; received {name}={value!r}"
        raise where.error(message) if hasattr(where, "error") else ValueError(f"{where}: {message}")
    return int(value)
