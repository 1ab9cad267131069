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

import pandas as pd

from skateboard.cycles import load_cycle
from skateboard.procedures import common as C
from skateboard.procedures import wltp

CYCLE = "cltc_p"
CONVENTIONAL_MAX_CYCLES = 8


def run(variants, *, method: str = "auto", fuel=None, **conditions) -> pd.DataFrame:
    from skateboard.spec.fuels import load_fuel

    cyc = load_cycle(CYCLE)
    fuel = fuel or load_fuel("CN92")
    if method == "auto":
        method = "CCP"  # conventional; switched below per variant when the range is long
        # estimate: usable energy / (low consumption 120 Wh/km) vs 8 cycles
        long_range = [v.pack.usable_energy / (120 * 3.6) > CONVENTIONAL_MAX_CYCLES * cyc.distance
                      for v in variants if v.range_extender is None]
        if long_range and all(long_range):
            method = "STP"
    df = wltp._run(variants, cyc, method, fuel, wltp.UF_DN_KM["euro6"], "CLTC", C.china_test_mass, **conditions)
    df["method"] = [("shortened" if method == "STP" else "conventional") if v.range_extender is None
                    else "EREV CD/CS" for v in variants]
    # China reports EREV pure-electric range and CS fuel; no utility-factor weighting here
    erev = df["powertrain"] == "EREV"
    if erev.any():
        df.loc[erev, "electric_range_km"] = df.loc[erev, "all_electric_range_km"]
        df.loc[erev, "fuel_l_per_100km"] = df.loc[erev, "fuel_cs_l_per_100km"]
        df.loc[erev, "co2_g_per_km"] = df.loc[erev, "co2_cs_g_per_km"]
    return df
