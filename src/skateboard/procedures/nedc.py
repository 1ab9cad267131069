"""NEDC (UN R101), the basis of Australia's New Vehicle Efficiency Standard.

BEV: electric energy consumption over the NEDC (R101 Annex 7) and range by repeated NEDCs to
break-off (a simplification of R101's range test). Reference mass kerb + 100 kg.
OVC hybrids (R101 Annex 8): weighted C = (D_e C_1 + D_av C_2) / (D_e + D_av), with D_e the
electric range, D_av = 25 km (assumed average distance between charges), C_1 the
charge-depleting and C_2 the charge-sustaining consumption; the same weighting applies to CO2.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from skateboard.cycles import load_cycle
from skateboard.procedures import common as C
from skateboard.table import Table

if TYPE_CHECKING:
    import pandas as pd

D_AV_KM = 25.0  # R101 Annex 8, para. 3.2.3.2.5


def table(variants, *, fuel=None, **conditions) -> Table:
    from skateboard.spec.fuels import load_fuel

    fuel = fuel or load_fuel("E10")
    cyc = load_cycle("nedc")
    masses = [C.nedc_reference_mass(v) for v in variants]
    rows = [None] * len(variants)
    bev = [i for i, v in enumerate(variants) if v.range_extender is None]
    rex = [i for i, v in enumerate(variants) if v.range_extender is not None]
    if bev:
        vs = [variants[i] for i in bev]
        res = C.deplete(vs, cyc, [masses[i] for i in bev], **conditions)
        e_ac = C.recharge_energy(vs, res)
        residual = np.abs(res.energy_audit_residual())
        for k, i in enumerate(bev):
            d = res["breakoff_distance"][k]
            rows[i] = {"variant": vs[k].name, "powertrain": "BEV", "procedure": "NEDC", "method": "R101",
                       "range_km": d / 1000.0, "electric_range_km": d / 1000.0,
                       "consumption_wh_per_km": res["e_battery_terminal"][k] / d / 3.6,
                       "consumption_ac_wh_per_km": e_ac[k] / d / 3.6,
                       "fuel_weighted_l_per_100km": 0.0, "co2_weighted_g_per_km": 0.0,
                       "fuel_cs_l_per_100km": np.nan, "co2_cs_g_per_km": np.nan,
                       "energy_audit_residual": float(residual[k])}
    if rex:
        vs = [variants[i] for i in rex]
        oc = C.ovc_hev(vs, cyc, [masses[i] for i in rex], fuel=fuel, **conditions)
        co2_per_kg = fuel.co2_per_volume / fuel.density
        cd_fuel = oc.cd_phase_fuel   # per variant (a property: built once here)
        for k, i in enumerate(rex):
            de = oc.aer[k] / 1000.0
            c1 = float(np.sum(cd_fuel[k]) / oc.cd_distance[k])   # kg/m
            c2 = oc.cs_fuel_per_m[k]
            c = (de * c1 + D_AV_KM * c2) / (de + D_AV_KM)
            rows[i] = {"variant": vs[k].name, "powertrain": "EREV", "procedure": "NEDC", "method": "R101 OVC",
                       "range_km": de + vs[k].range_extender.fuel_tank_volume * fuel.density / c2 / 1000.0,
                       "electric_range_km": de,
                       "consumption_wh_per_km": oc.cd_energy[k] / oc.cd_distance[k] / 3.6,
                       "consumption_ac_wh_per_km": oc.cd_energy[k] / vs[k].charger_efficiency / oc.cd_distance[k] / 3.6,
                       "fuel_weighted_l_per_100km": c / fuel.density * 1e8,
                       "co2_weighted_g_per_km": c * co2_per_kg * 1e6,
                       "fuel_cs_l_per_100km": c2 / fuel.density * 1e8,
                       "co2_cs_g_per_km": c2 * co2_per_kg * 1e6,
                       "energy_audit_residual": float(oc.residual[k])}
    out = Table.from_records(rows)
    out["test_mass_kg"] = [m[0] for m in masses]
    return out


def run(variants, **options) -> pd.DataFrame:
    """:func:`table` as a DataFrame."""
    return table(variants, **options).to_pandas()
