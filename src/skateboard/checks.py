"""Checks on every result row before it leaves the package.

One function, :func:`check_rows`, is applied to the rows of ``simulate`` (engine results), of
every procedure (so ``evaluate`` and ``sweep`` rows) and of the ``evaluate`` table. A row passes
when

* every number is finite, except NaN where it means "does not apply" (a column of another
  powertrain, a climate case the market does not have, a speed never reached, a consumption over
  zero distance, ``depleted_at_s`` of a pack that never ran out);
* the quantities every result has (:data:`REQUIRED`) are numbers, not NaN;
* a state of charge lies in [0, 1];
* the energy audit closes: ``|energy_audit_residual| < AUDIT_TOLERANCE``.

A failing row raises :class:`~skateboard.errors.ResultError` naming the variant, the cycle (or
procedure) and the quantity; it is never written as a number in a table.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from skateboard.errors import ResultError

#: Largest relative residual of the energy audit a row may carry (the kernel's per-step energy
#: terms telescope, so the audit closes to round-off: measured about 1e-13 on the bundled runs).
AUDIT_TOLERANCE = 1e-9
#: Columns holding a state of charge (fraction of gross capacity).
SOC_COLUMNS = ("soc_start", "soc_end")
#: Quantities every row that has them must give as a number (NaN is an error).
REQUIRED = frozenset({"distance_km", "time_s", "soc_start", "soc_end", "battery_energy_wh", "fuel_l",
                      "range_km", "electric_range_km", "fuel_l_per_100km", "co2_g_per_km",
                      "test_mass_kg", "energy_audit_residual"})
#: Required unless the row covers no distance (a consumption over zero distance does not exist).
PER_DISTANCE = frozenset({"consumption_wh_per_km", "consumption_ac_wh_per_km"})


def _fail(row: Mapping, cycle: str, quantity: str, value: object, allowed: str):
    raise ResultError(variant=row.get("variant", "?"), cycle=row.get("cycle") or row.get("procedure") or cycle,
                      quantity=quantity, value=value, allowed=allowed)


def check_row(row: Mapping, *, cycle: str = "?") -> None:
    """Check one result row (a mapping of column -> value); raise ResultError if it fails."""
    zero_distance = row.get("distance_km") == 0.0
    for key, value in row.items():
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)):
            continue
        x = float(value)
        if math.isnan(x):
            if key in REQUIRED or (key in PER_DISTANCE and not zero_distance) or key.startswith("energy_"):
                _fail(row, cycle, key, value, "a finite number")
            continue
        if math.isinf(x):
            _fail(row, cycle, key, value, "a finite number")
        if key in SOC_COLUMNS and not 0.0 <= x <= 1.0:
            _fail(row, cycle, key, value, "0 <= state of charge <= 1")
        if key == "energy_audit_residual" and not abs(x) < AUDIT_TOLERANCE:
            _fail(row, cycle, key, value, f"|residual| < {AUDIT_TOLERANCE:g}")


def check_rows(rows, *, cycle: str = "?"):
    """Check result rows (a DataFrame, a :class:`skateboard.table.Table` or an iterable of
    mappings) and return them unchanged.

    ``cycle`` names the cycle or procedure in the error when a row has no ``cycle`` column."""
    from skateboard.table import Table

    if isinstance(rows, Table):
        bad = _failing(rows.columns.items(), len(rows))
        if bad is not None:  # the first failing row, checked one by one for its error
            check_row(rows.records()[bad], cycle=cycle)
        return rows
    if type(rows).__name__ == "DataFrame" and type(rows).__module__.startswith("pandas"):
        bad = _failing(((str(k), rows[k]) for k in rows.columns), len(rows))
        if bad is not None:
            check_row(rows.iloc[bad].to_dict(), cycle=cycle)
        return rows
    for row in rows:
        check_row(row, cycle=cycle)
    return rows


def _numbers(col) -> np.ndarray | None:
    """A column's numbers as floats, as :func:`check_row` reads them (non-numbers 0), or None
    for a column that holds no numbers (bool, strings, dates)."""
    dtype = getattr(col, "dtype", None)
    if dtype is not None and dtype.kind in "fiu":
        return np.asarray(col, dtype=float)
    if dtype is not None and (dtype.kind != "O" or type(dtype).__name__ == "StringDtype"):
        return None
    return np.array([float(v) if isinstance(v, (int, float, np.number))
                     and not isinstance(v, (bool, np.bool_)) else 0.0 for v in col], float)


def _failing(columns, n: int) -> int | None:
    """Position of the first row :func:`check_row` would reject, else None: the same rules on
    whole columns (a sweep checks thousands of rows per call). ``columns``: (name, values)."""
    columns = list(columns)
    bad = np.zeros(n, dtype=bool)
    distance = dict(columns).get("distance_km")
    zero_distance = (_numbers(distance) == 0.0) if distance is not None else np.zeros(n, bool)
    for key, col in columns:
        x = _numbers(col)
        if x is None:
            continue
        nan = np.isnan(x)
        if key in REQUIRED or key.startswith("energy_"):
            bad |= nan
        elif key in PER_DISTANCE:
            bad |= nan & ~zero_distance
        bad |= np.isinf(x)
        if key in SOC_COLUMNS:
            bad |= ~nan & ~((x >= 0.0) & (x <= 1.0))
        if key == "energy_audit_residual":
            bad |= ~nan & ~(np.abs(x) < AUDIT_TOLERANCE)
    hits = np.flatnonzero(bad)
    return int(hits[0]) if len(hits) else None


__all__ = ["AUDIT_TOLERANCE", "REQUIRED", "SOC_COLUMNS", "check_row", "check_rows"]
