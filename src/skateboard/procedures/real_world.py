"""Real-world climate cases: range at -7, 23, 35 and 45 degC with HVAC loads and pack
temperature (physics.climate), over repeated cycles to depletion (WLTC class 3b by default).

Range-extended variants report their electric range (engine off)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from skateboard.cycles import load_cycle
from skateboard.markets import CLIMATE_CASES_C as CASES_C
from skateboard.physics import climate
from skateboard.procedures import common as C



def run(variants, *, ambient_c=CASES_C, cycle: str = "wltc_class3b", heat_pump: bool = True,
        **conditions) -> pd.DataFrame:
    """One row per variant and ambient temperature: range_km, consumption, hvac_power_w."""
    cyc = load_cycle(cycle)
    masses = [C.wltp_test_mass(v) for v in variants]
    rows = []
    for t in ambient_c:
        hvac = float(climate.hvac_power(t, heat_pump=heat_pump))
        res = C.deplete(variants, cyc, masses, hvac_power=hvac,
                        battery_temperature=float(climate.battery_temperature_k(t)), **conditions)
        e_ac = C.recharge_energy(variants, res)
        residual = np.abs(res.energy_audit_residual())
        for i, v in enumerate(variants):
            d = res["breakoff_distance"][i]
            rows.append({"variant": v.name, "powertrain": v.powertrain, "procedure": "real-world",
                         "ambient_c": t, "hvac_power_w": hvac, "cycle": cyc.name,
                         "range_km": d / 1000.0, "electric_range_km": d / 1000.0,
                         "consumption_wh_per_km": res["e_battery_terminal"][i] / d / 3.6,
                         "consumption_ac_wh_per_km": e_ac[i] / d / 3.6,
                         "energy_audit_residual": float(residual[i])})
    return pd.DataFrame(rows)
