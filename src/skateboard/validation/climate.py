"""Climate model against measured real-world ranges (``data/validation/climate_range_tests.csv``).

For each scored row: the predicted ratio = range at the test temperature
(:func:`skateboard.procedures.real_world.run`: the row's ``drive_cycle`` repeated to depletion at
the WLTP test mass, with the cabin HVAC load and pack temperature of
:mod:`skateboard.physics.climate`)
/ the range on the row's rated procedure (WLTP: :func:`skateboard.procedures.wltp.run`; CLTC:
:func:`skateboard.procedures.cltc.run`), compared with the measured ratio = measured range /
rated range as the row gives them. Nothing is fitted on the file.

Rules, the same for every row:

- test temperature = the middle of the row's ``ambient_min_c`` and ``ambient_max_c`` (the file
  gives the whole test's range, not each car's; assumption);
- heat pump: as the row's ``heat_pump`` column says (``yes``; ``no`` or ``no (not listed)``:
  a resistive heater); empty = the spec's default ``hvac_system`` (a heat pump; assumption);
- drive profile: the row's ``drive_cycle``, one per test from the test's published description
  (PROVENANCE.md): ``cadc`` (the Common Artemis Driving Cycle: urban, rural road and motorway
  up to 130 km/h, mean 58 km/h) for tests on mixed public roads or a mixed loop (NAF's routes
  out of Oslo on the E6 and mountain roads, What Car?'s track loop, the Chinese media test,
  whose route is not described: assumption), ``artemis_motorway_130`` for What Car?'s heat test
  ("highway speeds"); empty = ``wltc_class3b``. Not per car, and not fitted: the same profile
  for every car of a test;
- pack heating: as :func:`skateboard.procedures.real_world.run` models it (a cold-soaked pack
  warmed from its own energy below 10 degC): the winter tests start with cars parked outdoors;
- the vehicle: a bundled derivative where the row is a bundled car (none of the file's rows is:
  its Leapmotor rows are the C11 and C01, not bundled), else the generic spec-sheet vehicle of
  :mod:`skateboard.validation.spec_sheet` from the row's spec columns; rows without them are
  listed as not scored.

What the model cannot represent and the docs state: the test's real route beyond its drive
profile (NAF: the climb over mountain passes, to depletion; What Car?: the loop's exact speeds),
its wind and road surface (snow); the cabin set-point of each test; pre-conditioning from the
mains.
"""

from __future__ import annotations

import math

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from skateboard.validation.cltc import _f, read_csv_rows
from skateboard.validation.defaults import CALIBRATED, GenericDefaults
from skateboard.validation.epa_list import DATA_DIR
from skateboard.validation.predict import error_summary
from skateboard.validation.spec_sheet import missing_inputs, spec_sheet_variant

CLIMATE_FILE = DATA_DIR / "climate_range_tests.csv"
REQUIRED = ("test", "ambient_min_c", "ambient_max_c", "make", "model", "rated_procedure",
            "rated_range_km", "measured_range_km")
RATED_PROCEDURES = ("WLTP", "CLTC")
#: Drive profile of a row whose ``drive_cycle`` is empty.
DEFAULT_DRIVE_CYCLE = "wltc_class3b"
ROW_COLUMNS = ["line", "test", "make", "model", "version", "ambient_c", "drive_cycle", "heat_pump",
               "heat_pump_from",
               "rated_procedure", "rated_range_km", "measured_range_km", "measured_ratio",
               "predicted_rated_km", "predicted_range_km", "predicted_ratio", "error_percent"]


@dataclass
class ClimateValidation:
    """Result of :func:`validate_climate`: ``rows`` (:data:`ROW_COLUMNS`; error = predicted
    ratio / measured ratio - 1, in %), ``skipped`` (with ``reason``), ``summary`` (n, MAPE,
    bias, max of the ratio error) and ``source``."""

    rows: pd.DataFrame
    skipped: pd.DataFrame
    summary: dict[str, Any]
    source: str


def validate_climate(path: str | Path = CLIMATE_FILE, defaults: GenericDefaults = CALIBRATED) -> ClimateValidation:
    """Score the climate file; see the module docstring."""
    from skateboard.procedures import cltc, real_world, wltp

    rows = read_csv_rows(path, REQUIRED, "climate_range_tests.csv")
    built, skipped = [], []
    for r in rows:
        ident = {"line": r["line"], "test": r["test"], "make": r["make"], "model": r["model"],
                 "version": r.get("version", "")}
        if r["rated_procedure"] not in RATED_PROCEDURES:
            skipped.append({**ident, "reason": f"rated procedure {r['rated_procedure']!r} not modelled"})
        elif not (_f(r["rated_range_km"]) > 0 and _f(r["measured_range_km"]) > 0):
            skipped.append({**ident, "reason": "no rated or measured range"})
        elif not (math.isfinite(_f(r["ambient_min_c"])) and math.isfinite(_f(r["ambient_max_c"]))):
            skipped.append({**ident, "reason": "no test temperature (ambient_min_c and ambient_max_c)"})
        elif missing_inputs(r):
            skipped.append({**ident, "reason": "missing " + "; ".join(missing_inputs(r))})
        else:
            built.append((r, ident, spec_sheet_variant(r, f"line{r['line']}", defaults, str(path))))
    out = []
    for r, ident, v in built:   # few rows, each its own temperature and HVAC choice
        t = 0.5 * (_f(r["ambient_min_c"]) + _f(r["ambient_max_c"]))
        hp_col = str(r.get("heat_pump", "")).strip().lower()
        heat_pump = not hp_col.startswith("no")
        cycle = str(r.get("drive_cycle", "") or "").strip() or DEFAULT_DRIVE_CYCLE
        rw = real_world.run([v], ambient_c=[t], heat_pump=heat_pump, cycle=cycle)
        rated = (wltp.run([v]) if r["rated_procedure"] == "WLTP" else cltc.run([v]))
        pred_rw, pred_rated = float(rw["range_km"].iloc[0]), float(rated["range_km"].iloc[0])
        meas = _f(r["measured_range_km"]) / _f(r["rated_range_km"])
        pred = pred_rw / pred_rated
        out.append({**ident, "ambient_c": t, "drive_cycle": cycle, "heat_pump": heat_pump,
                    "heat_pump_from": "file" if hp_col else "default",
                    "rated_procedure": r["rated_procedure"], "rated_range_km": _f(r["rated_range_km"]),
                    "measured_range_km": _f(r["measured_range_km"]), "measured_ratio": meas,
                    "predicted_rated_km": pred_rated, "predicted_range_km": pred_rw,
                    "predicted_ratio": pred, "error_percent": (pred / meas - 1) * 100})
    df = pd.DataFrame(out, columns=ROW_COLUMNS)
    summary = error_summary(df["predicted_ratio"], df["measured_ratio"])
    summary["n_skipped"] = len(skipped)
    return ClimateValidation(df, pd.DataFrame(skipped, columns=["line", "test", "make", "model",
                                                                "version", "reason"]),
                             summary, str(path))


__all__ = ["CLIMATE_FILE", "ClimateValidation", "validate_climate"]
