"""China: CLTC-P range and consumption (GB/T 18386.1-2021), test mass kerb + 100 kg.

Conventional method: CLTC-P cycles from full charge until break-off. Shortened method: the
same structure as WLTP's STP with CLTC-P dynamic segments and 100 km/h constant-speed segments
[assumption: we model the shortened method by analogy with GTR 15's STP; the standard's own
segment rules were not available to us]. The standard prescribes the conventional method when
the range is at most 8 CLTC-P cycles and the shortened one beyond; ``method="auto"`` does that.
Range-extended variants: pure-electric range over CLTC-P (engine first start) and the
charge-sustaining fuel consumption with China's 92-octane reference fuel.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from skateboard.cycles import load_cycle
from skateboard.procedures import common as C
from skateboard.procedures import wltp

CYCLE = "cltc_p"
CONVENTIONAL_MAX_CYCLES = 8


def method_for(v, method: str = "auto") -> str:
    """"STP" (shortened) or "CCP" (conventional) for one variant. ``auto`` applies the
    standard's rule per variant: conventional when the range is at most 8 CLTC-P cycles,
    estimated as usable energy / 120 Wh/km (a low CLTC consumption, so long-range cars are not
    misclassified)."""
    if method != "auto":
        return method
    cyc = load_cycle(CYCLE)
    long_range = v.pack.usable_energy / (120 * 3.6) > CONVENTIONAL_MAX_CYCLES * cyc.distance
    return "STP" if long_range else "CCP"


def run(variants, *, method: str = "auto", fuel=None, **conditions) -> pd.DataFrame:
    """CLTC figures, one row per variant in input order. Each variant's method depends on that
    variant alone, so results never depend on which variants share the batch."""
    from skateboard.spec.fuels import load_fuel

    cyc = load_cycle(CYCLE)
    fuel = fuel or load_fuel("CN92")
    methods = [method_for(v, method) for v in variants]
    parts = []
    for m in sorted(set(methods)):
        idx = [i for i, x in enumerate(methods) if x == m]
        df = wltp._run([variants[i] for i in idx], cyc, m, fuel, wltp.UF_DN_KM["euro6"], "CLTC",
                       C.china_test_mass, **conditions)
        df.index = idx
        parts.append(df)
    df = pd.concat(parts).sort_index().reset_index(drop=True)
    df["method"] = [("shortened" if m == "STP" else "conventional") if v.range_extender is None
                    else "EREV CD/CS" for v, m in zip(variants, methods)]
    # China reports EREV pure-electric range and CS fuel; the weighted figure (GB/T 19753's
    # own utility factor) is not implemented, so it is left empty rather than given with
    # Europe's weighting (docs/results.md)
    erev = df["powertrain"] == "EREV"
    if erev.any():
        df.loc[erev, "electric_range_km"] = df.loc[erev, "all_electric_range_km"]
        df.loc[erev, "fuel_weighted_l_per_100km"] = np.nan
        df.loc[erev, "co2_weighted_g_per_km"] = np.nan
    return df
