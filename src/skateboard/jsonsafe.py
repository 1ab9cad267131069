"""Turning result values into JSON (numpy scalars to Python, NaN and infinities to null) and into
the short text tables on screen and in pages show."""

from __future__ import annotations

import math
from typing import Any


def json_value(value: Any) -> Any:
    """A JSON-safe value: numpy scalars become Python numbers, non-finite floats None."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def json_records(table) -> list[dict[str, Any]]:
    """Rows of a DataFrame (or an iterable of dicts) as JSON-safe dicts."""
    rows = table.to_dict("records") if hasattr(table, "to_dict") else table
    return [{k: json_value(v) for k, v in r.items()} for r in rows]


def json_nested(value: Any) -> Any:
    """A JSON-safe copy of nested dicts, lists and tuples (:func:`json_value` on every leaf)."""
    if isinstance(value, dict):
        return {str(k): json_nested(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_nested(v) for v in value]
    return json_value(value)


def short_number(v: float) -> str:
    """A finite number as tables show it: 3 significant digits below 10, one decimal and
    thousands separators above, scientific below 1e-3 (audit residuals)."""
    if v != 0 and abs(v) < 1e-3:
        return f"{v:.1e}"
    return f"{v:,.3g}" if abs(v) < 10 else f"{v:,.1f}"

