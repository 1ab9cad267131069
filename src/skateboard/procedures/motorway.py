"""Motorway range: a buyer's question in Europe ("how far at 130 km/h?").

Steady speed: the car accelerates at 1 m/s^2 to 110, 120 or 130 km/h, holds it for an hour,
stops, and starts again, until it cannot hold the speed (the 2 km/h break-off of the range
procedures); range = distance to break-off. Artemis motorway: the CADC motorway cycle with a
130 km/h top speed (André, INRETS, 2004; the bundled ``artemis_motorway_130``) repeated to
break-off. Test mass as WLTP (:func:`~skateboard.procedures.common.wltp_test_mass`), 23 degC, no
HVAC beyond the always-on auxiliaries, flat road, no wind. Not a regulated procedure: the
conditions are ours (assumption), chosen to match the WLTP ones so the figures compare with the
WLTP range. Range-extended variants report their electric range (engine off).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from skateboard.cycles import load_cycle
from skateboard.procedures import common as C
from skateboard.table import Table

if TYPE_CHECKING:
    import pandas as pd

SPEEDS_KMH = (110.0, 120.0, 130.0)
SEGMENT_S = 3600.0       # one hour at steady speed per repetition
ARTEMIS_CYCLE = "artemis_motorway_130"


def steady_cycle(speed_kmh: float):
    """One repetition: 0 -> speed at 1 m/s^2, an hour at speed, back to 0."""
    seg = C.constant_speed_segment(speed_kmh / 3.6, SEGMENT_S)
    return C.compose(f"steady_{speed_kmh:g}kmh", [(f"{speed_kmh:g} km/h", seg)])


def column(case: str) -> str:
    """The evaluate column of a case: ``motorway_range_130_km``, ``motorway_range_artemis_km``."""
    return f"motorway_range_{case}_km"


def table(variants, *, speeds_kmh=SPEEDS_KMH, artemis: bool = True, **conditions) -> Table:
    """One row per variant: ``motorway_range_<speed>_km`` for each speed and
    ``motorway_range_artemis_km``, with the DC consumption of each case."""
    masses = C.wltp_test_masses(variants)
    cases = [(f"{s:g}", steady_cycle(s)) for s in speeds_kmh]
    if artemis:
        cases.append(("artemis", load_cycle(ARTEMIS_CYCLE)))
    out = {"variant": [v.name for v in variants], "powertrain": [v.powertrain for v in variants]}
    worst = np.zeros(len(variants))
    for case, cyc in cases:
        res = C.deplete(variants, cyc, masses, **conditions)
        d = np.asarray(res["breakoff_distance"], float)
        out[column(case)] = d / 1000.0
        out[f"motorway_consumption_{case}_wh_per_km"] = res["e_battery_terminal"] / d / 3.6
        worst = np.maximum(worst, np.abs(res.energy_audit_residual()))
    out["energy_audit_residual"] = worst
    return Table(out)


def run(variants, **options) -> pd.DataFrame:
    """:func:`table` as a DataFrame."""
    return table(variants, **options).to_pandas()


__all__ = ["ARTEMIS_CYCLE", "SPEEDS_KMH", "column", "run", "steady_cycle", "table"]
