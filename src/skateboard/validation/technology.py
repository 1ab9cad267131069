"""The drive-unit technology of the EPA test cars: a sourced side table, one row per model.

Issue #15 §3 allows, besides an EPA record's own columns, the technology a platform engineer
always knows: the motor type per axle, the inverter semiconductor where published, and whether
the secondary axle disconnects. ``src/skateboard/data/validation/drive_technology.csv`` holds
them, one row per model family with its public sources; nothing in it is fitted. A record
matches the first row whose ``pattern`` (a regular expression, case-insensitive) is found in
"make model"; a record no row matches is a generic vehicle (permanent-magnet units on silicon
inverters, no disconnect: the spec layer's defaults). Unpublished facts are ``unknown`` in the
file and read as the generic default.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from skateboard.errors import SpecError
from skateboard.spec.defaults import INVERTERS, MOTOR_TYPES
from skateboard.validation.epa_list import DATA_DIR
from skateboard.validation.side_table import first_match, read_side_table

TECHNOLOGY_FILE = DATA_DIR / "drive_technology.csv"
COLUMNS = ("pattern", "front_motor", "rear_motor", "front_inverter", "rear_inverter",
           "front_disconnect", "sources", "quotes")


@dataclass(frozen=True)
class Technology:
    """Motor type of the front and rear units ("pmsm", "induction", "eesm"), their inverters
    ("si", "sic") and whether the front unit disconnects; ``matched`` is the side-table pattern
    (empty for the generic vehicle)."""

    front_motor: str = "pmsm"
    rear_motor: str = "pmsm"
    front_inverter: str = "si"
    rear_inverter: str = "si"
    front_disconnect: bool = False
    matched: str = ""

    def motor(self, axle: str) -> str:
        return self.front_motor if axle == "front" else self.rear_motor

    def inverter(self, axle: str) -> str:
        return self.front_inverter if axle == "front" else self.rear_inverter


GENERIC = Technology()


def _cell(value: str, allowed: tuple[str, ...], default: str, line: int, column: str, file: str) -> str:
    v = value.strip().lower()
    if v in ("", "unknown", "none"):
        return default
    if v not in allowed:
        raise SpecError(f"line {line}: unknown value", file=file, field=column, value=value,
                        allowed=", ".join(allowed) + ", unknown")
    return v


def _technology(row: dict, line: int, file: str) -> Technology:
    return Technology(
        front_motor=_cell(row["front_motor"], MOTOR_TYPES, "pmsm", line, "front_motor", file),
        rear_motor=_cell(row["rear_motor"], MOTOR_TYPES, "pmsm", line, "rear_motor", file),
        front_inverter=_cell(row["front_inverter"], INVERTERS, "si", line, "front_inverter", file),
        rear_inverter=_cell(row["rear_inverter"], INVERTERS, "si", line, "rear_inverter", file),
        front_disconnect=_cell(row["front_disconnect"], ("yes", "no"), "no", line,
                               "front_disconnect", file) == "yes",
        matched=row["pattern"])


@lru_cache(maxsize=4)
def load_technology(path: str | Path = TECHNOLOGY_FILE) -> tuple[tuple[re.Pattern, Technology], ...]:
    """The side table as (compiled pattern, Technology) pairs, in file order."""
    return read_side_table(path, COLUMNS, _technology)


def technology_of(make: str, model: str, path: str | Path = TECHNOLOGY_FILE) -> Technology:
    """The technology of an EPA record of ``make`` and ``model`` (GENERIC if no row matches)."""
    hit = first_match(load_technology(path), make, model)
    return GENERIC if hit is None else hit[1]
