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
from skateboard.spec.batch import column, part_column, split_range_extended, take
from skateboard.spec.batch import names as names_of
from skateboard.table import Table

if TYPE_CHECKING:
    import pandas as pd

D_AV_KM = 25.0  # R101 Annex 8, para. 3.2.3.2.5


def table(variants, *, fuel=None, **conditions) -> Table:
    from skateboard.spec.fuels import load_fuel

    fuel = fuel or load_fuel("E10")
    cyc = load_cycle("nedc")
    masses = C.nedc_reference_masses(variants)
    bev, rex = split_range_extended(variants)
    parts = []
    if len(bev):
        vs = take(variants, bev)
        res = C.deplete(vs, cyc, masses[bev], **conditions)
        e_ac = C.recharge_energy(vs, res)
        d = np.asarray(res["breakoff_distance"], dtype=float)
        k = len(bev)
        parts.append((bev, Table({
            "variant": names_of(vs), "powertrain": ["BEV"] * k, "procedure": ["NEDC"] * k,
            "method": ["R101"] * k, "range_km": d / 1000.0, "electric_range_km": d / 1000.0,
            "consumption_wh_per_km": res["e_battery_terminal"] / d / 3.6,
            "consumption_ac_wh_per_km": e_ac / d / 3.6,
            "fuel_weighted_l_per_100km": np.zeros(k), "co2_weighted_g_per_km": np.zeros(k),
            "fuel_cs_l_per_100km": np.full(k, np.nan), "co2_cs_g_per_km": np.full(k, np.nan),
            "energy_audit_residual": np.abs(res.energy_audit_residual())})))
    if len(rex):
        vs = take(variants, rex)
        oc = C.ovc_hev(vs, cyc, masses[rex], fuel=fuel, **conditions)
        co2_per_kg = fuel.co2_per_volume / fuel.density
        de = oc.aer / 1000.0
        cd_fuel = np.zeros(len(rex))
        for n_ph in np.unique(oc.cd_phases):   # each variant's own phases (as ovc_hev sums)
            rows = np.flatnonzero(oc.cd_phases == n_ph)
            cd_fuel[rows] = oc.cd_fuels[rows, :n_ph].sum(axis=1)
        c1 = cd_fuel / oc.cd_distance          # kg/m
        c2 = oc.cs_fuel_per_m
        c = (de * c1 + D_AV_KM * c2) / (de + D_AV_KM)
        tank = part_column(vs, "range_extender", "fuel_tank_volume")
        k = len(rex)
        parts.append((rex, Table({
            "variant": names_of(vs), "powertrain": ["EREV"] * k, "procedure": ["NEDC"] * k,
            "method": ["R101 OVC"] * k,
            "range_km": de + tank * fuel.density / c2 / 1000.0,
            "electric_range_km": de,
            "consumption_wh_per_km": oc.cd_energy / oc.cd_distance / 3.6,
            "consumption_ac_wh_per_km": (oc.cd_energy / column(vs, "charger_efficiency")
                                         / oc.cd_distance / 3.6),
            "fuel_weighted_l_per_100km": c / fuel.density * 1e8,
            "co2_weighted_g_per_km": c * co2_per_kg * 1e6,
            "fuel_cs_l_per_100km": c2 / fuel.density * 1e8,
            "co2_cs_g_per_km": c2 * co2_per_kg * 1e6,
            "energy_audit_residual": np.asarray(oc.residual, dtype=float)})))
    out = parts[0][1] if len(parts) == 1 else Table.stack(parts, len(variants))
    out["test_mass_kg"] = masses[:, 0]
    return out


def run(variants, **options) -> pd.DataFrame:
    """:func:`table` as a DataFrame."""
    return table(variants, **options).to_pandas()
