"""US EPA (40 CFR 600; SAE J1634): multi-cycle tests of repeated UDDS (city) and repeated HWFET
(highway) to depletion, combined 55 % city / 45 % highway, 2-cycle label = unadjusted x 0.7.

Consumption is AC energy from the mains per distance. MPGe = 33.705 kWh per gallon-equivalent
(40 CFR 600.002: 33,705 Wh/gal). Combined consumption weights the city and highway
consumptions 0.55/0.45 (a distance-weighted harmonic mean of MPGe). Label range and MPGe are
unadjusted x 0.7, label consumption unadjusted / 0.7 (the optional 2-cycle method for BEVs;
FASTSim's get_label_fe uses the same 0.7). The 5-cycle formula (US06, SC03, cold FTP) is not
implemented: we could not source its coefficients from a primary text in this session.

Range-extended variants: charge-depleting range over UDDS and the charge-sustaining fuel
economy; the SAE J2841 utility factor weighting of the EPA PHEV label is not implemented.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from skateboard.cycles import load_cycle
from skateboard.physics.constants import MILE, WH_PER_GALLON_EQUIVALENT
from skateboard.procedures import common as C
from skateboard.spec.batch import column, is_batch, objects, part_column, split_range_extended, take
from skateboard.spec.batch import names as names_of
from skateboard.table import Table

if TYPE_CHECKING:
    import pandas as pd

CITY_WEIGHT = 0.55
#: The FTP (city) weights its cold-start test 0.43 and its hot-start test 0.57 (40 CFR
#: 86.144-94(a): Y_wm = 0.43 (Y_c + Y_s)/(D_c + D_s) + 0.57 (Y_h + Y_s)/(D_h + D_s)); the
#: cold-start test is bags 1 + 2, the whole UDDS. The highway test starts hot.
FTP_COLD_START_WEIGHT = 0.43
LABEL_FACTOR = 0.7
US_GALLON = 3.785411784e-3  # m^3


@dataclass
class MultiCycleTest:
    """One EPA multi-cycle (charge-depleting) test of battery-electric variants on one cycle.

    All arrays have one value per variant, SI: ``distance`` [m] to break-off,
    ``ac_energy`` [J] from the mains to recharge, ``dc_energy`` [J] at the battery terminals,
    ``residual`` [-] |energy-audit residual|, ``trace_miss_time`` [s]."""

    distance: np.ndarray
    ac_energy: np.ndarray
    dc_energy: np.ndarray
    residual: np.ndarray
    trace_miss_time: np.ndarray

    @property
    def ac_wh_per_km(self) -> np.ndarray:
        """Unadjusted AC consumption [Wh/km]: recharge energy from the mains / distance."""
        return self.ac_energy / 3.6 / self.distance

    @property
    def dc_wh_per_km(self) -> np.ndarray:
        """Battery-terminal consumption [Wh/km]."""
        return self.dc_energy / 3.6 / self.distance


def multi_cycle_test(variants: Sequence, cycle="udds", masses: Sequence | None = None,
                     **conditions) -> MultiCycleTest:
    """The EPA multi-cycle test (SAE J1634) of battery-electric ``variants`` on one cycle, in
    one engine call: the cycle repeated from full charge until break-off, then the recharge
    energy from the mains (:func:`skateboard.procedures.common.recharge_energy`).

    ``cycle``: a cycle name or :class:`~skateboard.cycles.Cycle` (UDDS for city, HWFET for
    highway). ``masses``: per variant, the test mass [kg] or a pair (test mass, inertia mass)
    [kg]; default the EPA equivalent test weight
    (:func:`~skateboard.procedures.common.epa_equivalent_test_weight`). A known test mass, e.g.
    the ETW of an EPA test-car record, is given here (``skateboard.validation`` does).
    """
    if not is_batch(variants):
        variants = list(variants)
    cyc = load_cycle(cycle) if isinstance(cycle, str) else cycle
    if masses is None:
        ms = C.epa_equivalent_test_weights(variants)
    elif isinstance(masses, np.ndarray) and masses.ndim == 2:
        ms = masses
    else:
        ms = [tuple(m) if isinstance(m, (tuple, list)) else (float(m), float(m)) for m in masses]
    if len(ms) != len(variants):
        raise ValueError(f"{len(ms)} masses for {len(variants)} variants")
    res = C.deplete(variants, cyc, ms, **conditions)
    return MultiCycleTest(distance=np.asarray(res["breakoff_distance"], float),
                          ac_energy=C.recharge_energy(variants, res),
                          dc_energy=np.asarray(res["e_battery_terminal"], float),
                          residual=np.abs(res.energy_audit_residual()),
                          trace_miss_time=np.asarray(res["trace_miss_time"], float))


def table(variants, *, fuel=None, **conditions) -> Table:
    """EPA unadjusted and label figures, one row per variant."""
    from skateboard.spec.fuels import load_fuel

    fuel = fuel or load_fuel("E10")
    udds, hwfet = load_cycle("udds"), load_cycle("hwfet")
    masses = C.epa_equivalent_test_weights(variants)
    bev, rex = split_range_extended(variants)
    parts = []
    if len(bev):
        vs = take(variants, bev)
        ms = masses[bev]
        city = multi_cycle_test(vs, udds, ms, **conditions)
        hwy = multi_cycle_test(vs, hwfet, ms, **conditions)
        residual = np.maximum(city.residual, hwy.residual)
        ac_c, ac_h = city.ac_wh_per_km, hwy.ac_wh_per_km
        dc_c, dc_h = city.dc_wh_per_km, hwy.dc_wh_per_km
        ac = CITY_WEIGHT * ac_c + (1 - CITY_WEIGHT) * ac_h
        rng = (CITY_WEIGHT * city.distance + (1 - CITY_WEIGHT) * hwy.distance) / 1000.0
        mpge = WH_PER_GALLON_EQUIVALENT / (ac * MILE / 1000.0)
        k = len(bev)
        parts.append((bev, Table({
            "variant": names_of(vs), "powertrain": objects(vs, "powertrain"),
            "procedure": ["EPA"] * k, "method": ["MCT 2-cycle"] * k,
            "range_unadjusted_km": rng, "range_km": rng * LABEL_FACTOR,
            "electric_range_km": rng * LABEL_FACTOR,
            "label_range_km": rng * LABEL_FACTOR,
            "label_range_mi": rng * LABEL_FACTOR * 1000.0 / MILE,
            "consumption_wh_per_km": (CITY_WEIGHT * dc_c + (1 - CITY_WEIGHT) * dc_h) / LABEL_FACTOR,
            "consumption_ac_wh_per_km": ac / LABEL_FACTOR,
            "consumption_ac_unadjusted_wh_per_km": ac,
            "city_ac_unadjusted_wh_per_km": ac_c, "highway_ac_unadjusted_wh_per_km": ac_h,
            "mpge_unadjusted": mpge, "mpge": mpge * LABEL_FACTOR,
            "fuel_weighted_l_per_100km": np.zeros(k), "co2_weighted_g_per_km": np.zeros(k),
            "fuel_cs_l_per_100km": np.full(k, np.nan), "co2_cs_g_per_km": np.full(k, np.nan),
            "energy_audit_residual": residual})))
    if len(rex):
        vs = take(variants, rex)
        ms = masses[rex]
        oc = C.ovc_hev(vs, udds, ms, fuel=fuel, cold_start_weight=FTP_COLD_START_WEIGHT, **conditions)
        oh = C.ovc_hev(vs, hwfet, ms, fuel=fuel, cold_start_weight=0.0, **conditions)
        co2_per_kg = fuel.co2_per_volume / fuel.density
        fc = CITY_WEIGHT * oc.cs_fuel_per_m + (1 - CITY_WEIGHT) * oh.cs_fuel_per_m  # kg/m
        l_per_100 = fc / fuel.density * 1e8
        mpg = (1.0 / (fc / fuel.density / US_GALLON)) / MILE
        aer = oc.aer / 1000.0
        tank = part_column(vs, "range_extender", "fuel_tank_volume")
        total = (aer + tank * fuel.density / fc / 1000.0) * LABEL_FACTOR
        ac_cd = oc.cd_energy / column(vs, "charger_efficiency") / oc.cd_distance / 3.6 / LABEL_FACTOR
        k = len(rex)
        parts.append((rex, Table({
            "variant": names_of(vs), "powertrain": objects(vs, "powertrain"),
            "procedure": ["EPA"] * k, "method": ["CD/CS 2-cycle"] * k,
            "range_unadjusted_km": aer, "electric_range_km": aer * LABEL_FACTOR,
            "range_km": total, "label_range_km": total,
            "label_range_mi": total * 1000.0 / MILE,
            "consumption_wh_per_km": oc.cd_energy / oc.cd_distance / 3.6 / LABEL_FACTOR,
            "consumption_ac_wh_per_km": ac_cd,
            # charge-depleting (electric) MPGe of the label
            "mpge": WH_PER_GALLON_EQUIVALENT / (ac_cd * MILE / 1000.0),
            "mpg_cs": mpg * LABEL_FACTOR,
            # the SAE J2841 utility-factor weighting of the PHEV label is not implemented
            "fuel_weighted_l_per_100km": np.full(k, np.nan),
            "co2_weighted_g_per_km": np.full(k, np.nan),
            "fuel_cs_l_per_100km": l_per_100 / LABEL_FACTOR,
            "co2_cs_g_per_km": fc * co2_per_kg * 1e6 / LABEL_FACTOR,
            "energy_audit_residual": np.maximum(oc.residual, oh.residual)})))
    out = parts[0][1] if len(parts) == 1 else Table.stack(parts, len(variants))
    out["test_mass_kg"] = masses[:, 0]
    return out


def run(variants, **options) -> pd.DataFrame:
    """:func:`table` as a DataFrame."""
    return table(variants, **options).to_pandas()
