"""Sourced side tables of the EPA test cars: one CSV row per model family, matched on "make model".

``drive_technology.csv`` (:mod:`skateboard.validation.technology`) and ``epa_aero.csv``
(:mod:`skateboard.validation.road_load`) share the form: a ``pattern`` column (a regular
expression, case-insensitive) and the row's public ``sources`` (and ``quotes``); a record takes
the first row whose pattern is found in its "make model". Nothing in them is fitted.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Sequence
from typing import Any

from skateboard.errors import SpecError


def read_side_table(path, columns: Sequence[str], build: Callable[[dict, int, str], Any]
                    ) -> tuple[tuple[re.Pattern, Any], ...]:
    """(compiled pattern, ``build(row, line, file)``) per row, in file order. Every column of
    ``columns`` must be in the header, and every row must name its ``sources`` (and its
    ``quotes`` when the table has them): a :class:`SpecError` naming the file and line if not."""
    file = str(path)
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in columns if c not in (reader.fieldnames or ())]
        if missing:
            raise SpecError("missing column", file=file, field=missing[0], allowed=", ".join(columns))
        out = []
        for line, row in enumerate(reader, start=2):
            for col in ("sources", "quotes"):
                if col in columns and not (row[col] or "").strip():
                    raise SpecError(f"line {line}: a row needs its public {col}", file=file, field=col,
                                    allowed="the public pages and their words")
            out.append((re.compile(row["pattern"], re.IGNORECASE), build(row, line, file)))
    return tuple(out)


def first_match(table: Sequence[tuple[re.Pattern, Any]], make: str, model: str):
    """(pattern, value) of the first row whose pattern is found in "make model", else None."""
    text = f"{make} {model}"
    for pattern, value in table:
        if pattern.search(text):
            return pattern.pattern, value
    return None


__all__ = ["first_match", "read_side_table"]
