"""The spec-sheet road load against measured coast-downs (``skateboard validate road-load``).

A car described from its spec sheet gets the physical road load F = m g (c_rr + c_v v) +
0.5 rho Cd A v^2: c_rr the default rolling-resistance coefficient, c_v
:data:`skateboard.spec.defaults.ROLLING_RESISTANCE_SPEED_COEFFICIENT`, Cd as published and
A = width x height x :data:`skateboard.spec.defaults.FRONTAL_AREA_FACTOR`. EPA's test-car lists
give each test's measured road load (the coast-down's target coefficients). For the rows whose
model has a published Cd, width and height (``data/validation/epa_aero.csv``, one sourced row
per model family, matched on "make model" like the drive-technology table) this module runs
each row twice through the calibrated EPA model of :mod:`skateboard.validation.predict`: with
its coast-down, and with the spec-sheet road load at the row's test mass. The difference is the
error of the spec-sheet road load alone, in consumption; :func:`fit_speed_coefficient` chooses
c_v on the calibration file so that it is smallest (mean absolute percentage).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from skateboard.errors import SpecError
from skateboard.validation.epa_list import DATA_DIR, EPA_TESTCAR_FILE
from skateboard.validation.side_table import first_match, read_side_table

AERO_FILE = DATA_DIR / "epa_aero.csv"
AERO_COLUMNS = ("pattern", "cd", "width_mm", "height_mm", "sources", "quotes")
#: The grid :func:`fit_speed_coefficient` searches [s/m].
SPEED_COEFFICIENT_GRID = tuple(round(1e-5 * i, 6) for i in range(21))


@dataclass(frozen=True)
class Aero:
    """A model family's published drag coefficient and body width and height [m]."""

    cd: float
    width: float
    height: float


def _aero(row: dict, line: int, file: str) -> Aero:
    where = f"{file}:{line}"
    try:
        aero = Aero(float(row["cd"]), float(row["width_mm"]) / 1e3, float(row["height_mm"]) / 1e3)
    except ValueError as e:
        raise SpecError("not a number", file=where, field="cd, width_mm, height_mm",
                        value=str(e), allowed="numbers") from None
    if not (0.1 < aero.cd < 0.6 and 1.0 < aero.width < 2.5 and 1.0 < aero.height < 2.5):
        raise SpecError("implausible value", file=where, field="cd, width_mm, height_mm",
                        value=f"{row['cd']}, {row['width_mm']}, {row['height_mm']}",
                        allowed="Cd 0.1-0.6, width and height 1000-2500 mm")
    return aero


@lru_cache(maxsize=4)
def load_aero(path: str | Path = AERO_FILE) -> tuple[tuple[re.Pattern, Aero], ...]:
    """The (pattern, :class:`Aero`) rows of the aero side table, in file order."""
    return read_side_table(path, AERO_COLUMNS, _aero)


def family_of(make: str, model: str, path: str | Path = AERO_FILE) -> str | None:
    """The pattern of the first row that matches "make model" (None if none does)."""
    hit = first_match(load_aero(path), make, model)
    return None if hit is None else hit[0]


def aero_of(make: str, model: str, path: str | Path = AERO_FILE) -> Aero | None:
    """The :class:`Aero` of the first row that matches "make model" (None if none does)."""
    hit = first_match(load_aero(path), make, model)
    return None if hit is None else hit[1]


def with_spec_sheet_road_load(rows: pd.DataFrame, speed_coefficient: float,
                              rolling_resistance_coefficient: float | None = None,
                              frontal_area_factor: float | None = None,
                              path: str | Path = AERO_FILE) -> pd.DataFrame:
    """EPA rows (``read_epa_testcar`` format) whose model is in the aero table, with their
    coast-down coefficients replaced by the spec-sheet road load at the row's test mass (the
    air density every procedure uses for a physical road load)."""
    from skateboard.physics.constants import AIR_DENSITY_WLTP
    from skateboard.physics.road_load import coefficients
    from skateboard.spec import defaults as D
    from skateboard.spec.models import DEFAULT_ROLLING_RESISTANCE_COEFFICIENT

    crr = DEFAULT_ROLLING_RESISTANCE_COEFFICIENT if rolling_resistance_coefficient is None \
        else rolling_resistance_coefficient
    k = D.FRONTAL_AREA_FACTOR if frontal_area_factor is None else frontal_area_factor
    aero = [aero_of(mk, md, path) for mk, md in zip(rows["make"], rows["model"])]
    keep = np.array([a is not None for a in aero], dtype=bool)
    out = rows[keep].copy()
    a = [x for x in aero if x is not None]
    cd = np.array([x.cd for x in a])
    area = np.array([x.width * x.height * k for x in a])
    f0, f1, f2 = coefficients(crr, cd, area, out["test_mass_kg"].to_numpy(float), AIR_DENSITY_WLTP,
                              speed_coefficient)
    out["f0_n"], out["f1_n_per_mps"], out["f2_n_per_mps2"] = f0, f1, f2
    return out


@dataclass
class RoadLoadCheck:
    """Per row: the consumption with the row's coast-down and with the spec-sheet road load,
    and the measured one [Wh/km AC]; ``summary`` the error of the spec-sheet road load against
    the coast-down (and against the measurement), all rows and per cycle."""

    rows: pd.DataFrame
    summary: dict


def check_road_load(path: str | Path = EPA_TESTCAR_FILE, speed_coefficient: float | None = None,
                    **rule) -> RoadLoadCheck:
    """Score the spec-sheet road load (``speed_coefficient`` default: the shipped one) on the
    screened rows of an EPA file whose model has published aero data."""
    from skateboard.spec import defaults as D
    from skateboard.validation.predict import error_summary, predict_epa_testcar
    from skateboard.validation.reader import read_epa_testcar, screen

    cv = D.ROLLING_RESISTANCE_SPEED_COEFFICIENT if speed_coefficient is None else speed_coefficient
    table = read_epa_testcar(path)
    table = table[screen(table) == ""].reset_index(drop=True)
    spec = with_spec_sheet_road_load(table, cv, **rule)
    coast = table.loc[spec.index]
    measured = coast["measured_wh_per_km_ac"].to_numpy(float)
    p_coast = predict_epa_testcar(coast)["predicted_wh_per_km_ac"].to_numpy()
    p_spec = predict_epa_testcar(spec)["predicted_wh_per_km_ac"].to_numpy()
    rows = pd.DataFrame({"line": coast["line"].to_numpy(), "make": coast["make"].to_numpy(),
                         "model": coast["model"].to_numpy(), "cycle": coast["cycle"].to_numpy(),
                         "measured_wh_per_km_ac": measured, "coast_down_wh_per_km_ac": p_coast,
                         "spec_sheet_wh_per_km_ac": p_spec,
                         "error_vs_coast_down_percent": (p_spec / p_coast - 1.0) * 100.0})
    summary = {"speed_coefficient_s_per_m": cv,
               "families": len({family_of(a, b) for a, b in zip(rows.make, rows.model)}),
               "vs_coast_down": error_summary(p_spec, p_coast),
               "coast_down_vs_measured": error_summary(p_coast, measured),
               "spec_sheet_vs_measured": error_summary(p_spec, measured)}
    for cyc in ("UDDS", "HWFET"):
        sel = (rows["cycle"] == cyc).to_numpy()
        summary[f"vs_coast_down_{cyc.lower()}"] = error_summary(p_spec[sel], p_coast[sel])
    return RoadLoadCheck(rows, summary)


@dataclass
class SpeedCoefficientFit:
    best: float
    table: pd.DataFrame   # one row per grid value: MAPE and bias against the coast-down


def fit_speed_coefficient(path: str | Path = EPA_TESTCAR_FILE,
                          grid=SPEED_COEFFICIENT_GRID) -> SpeedCoefficientFit:
    """The grid value whose spec-sheet road load reproduces the coast-down consumption of
    ``path``'s rows best (smallest MAPE; ties: the first)."""
    rows = []
    for cv in grid:
        s = check_road_load(path, cv).summary
        rows.append({"speed_coefficient_s_per_m": cv, "mape_percent": s["vs_coast_down"]["mape_percent"],
                     "bias_percent": s["vs_coast_down"]["bias_percent"],
                     "udds_bias_percent": s["vs_coast_down_udds"]["bias_percent"],
                     "hwfet_bias_percent": s["vs_coast_down_hwfet"]["bias_percent"],
                     "mape_vs_measured_percent": s["spec_sheet_vs_measured"]["mape_percent"]})
    table = pd.DataFrame(rows)
    best = float(table.loc[table["mape_percent"].idxmin(), "speed_coefficient_s_per_m"])
    return SpeedCoefficientFit(best, table)


__all__ = ["AERO_FILE", "Aero", "RoadLoadCheck", "SPEED_COEFFICIENT_GRID", "SpeedCoefficientFit",
           "aero_of", "check_road_load", "family_of", "fit_speed_coefficient", "load_aero",
           "with_spec_sheet_road_load"]
