"""WLTP (UN GTR 15; EU 2017/1151 Annex XXI Sub-Annex 8): BEV range and consumption, OVC-HEV
(range-extended) charge-depleting and charge-sustaining tests with utility-factor weighting.

BEV, consecutive cycle procedure (CCP): WLTCs from full charge until the break-off criterion
(the vehicle cannot follow the trace within the 2 km/h tolerance). Range = distance to
break-off; DC consumption = energy from the battery / range.

BEV, shortened test procedure (STP, Annex 8 3.4.4.2; the usual choice for type approval, so the
default here): dynamic segment DS1 (one WLTC), constant-speed segment CSSM at 100 km/h,
DS2 (one WLTC), CSSE at 100 km/h until break-off. The usable battery energy UBE_STP is all the
energy drawn; EC_DC,WLTC = K1 EC_DC,DS1 + K2 EC_DC,DS2 with K1 = dE_DS1 / UBE_STP, K2 = 1 - K1;
range PER = UBE_STP / EC_DC,WLTC (Annex 8 4.4.2.1.2 and 4.4.2.2). Our CSSM length is chosen
so DS2 starts near half charge (the regulation bounds it; assumption: we do not model its limits).

AC consumption = energy recharged from the mains / range (Annex 8 4.3.4).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from skateboard.cycles import load_cycle
from skateboard.engine.batch import road_load_arrays
from skateboard.errors import ResultError
from skateboard.physics.constants import KWH
from skateboard.procedures import common as C
from skateboard.spec.batch import (column, objects, pack_column, part_column,
                                   split_range_extended, take)
from skateboard.spec.batch import names as names_of
from skateboard.table import Table

if TYPE_CHECKING:
    import pandas as pd

#: Utility-factor coefficients C1..C10 (EU 2017/1151 Sub-Annex 8 Appendix 5, Table A8.App5/1).
UF_COEFFICIENTS = (26.25, -38.94, -631.05, 5964.83, -25095.0, 60380.2, -87517.0, 75513.8,
                   -35749.0, 7154.94)
#: Normalisation distance d_n [km] by regulation stage: Euro 6 (800 km); Euro 6e-bis, new types
#: from 1 Jan 2025 and all new cars from 1 Jan 2026 (2200 km); Euro 6e-bis-FCM from 2027 (4260 km)
#: (EU 2023/443 amending 2017/1151). [check] Whether the C_i change with d_n: we found no
#: primary text saying so and keep the same C_i.
UF_DN_KM = {"euro6": 800.0, "euro6e-bis": 2200.0, "euro6e-bis-fcm": 4260.0}
CSS_SPEED = 100.0 / 3.6  # m/s, constant-speed segments of the STP (Annex 8 3.4.4.2.1)
CYCLE = "wltc_class3b"


def utility_factor_cumulative(distance_km, d_n_km: float = 800.0):
    """Cumulative utility factor UF(d) = 1 - exp(-sum_i C_i (d / d_n)^i) (Sub-Annex 8 App. 5)."""
    x = np.asarray(distance_km, float) / d_n_km
    s = sum(c * x ** (i + 1) for i, c in enumerate(UF_COEFFICIENTS))
    return 1.0 - np.exp(-s)


def utility_factors(phase_end_km, d_n_km: float = 800.0) -> np.ndarray:
    """UF_j of consecutive phases ending at cumulative distances ``phase_end_km`` (along the last
    axis: one test, or one row per variant): UF_j = UF(d_j) - sum_{l<j} UF_l."""
    cum = utility_factor_cumulative(phase_end_km, d_n_km)
    return np.diff(cum, axis=-1, prepend=0.0)


def _bev_columns(variants, res, e_ac, distance, method, procedure, extra=None) -> dict:
    """The battery-electric rows as columns (one array per column, variants in order)."""
    n = len(variants)
    ube = res["e_battery_terminal"] if extra is None else extra["ube"]
    ec_dc = ube / distance if extra is None else extra["ec_dc"]
    return {
        "variant": names_of(variants), "powertrain": objects(variants, "powertrain"),
        "procedure": [procedure] * n, "method": [method] * n,
        "range_km": distance / 1000.0, "electric_range_km": distance / 1000.0,
        "consumption_wh_per_km": ec_dc / 3.6,
        "consumption_ac_wh_per_km": e_ac / distance / 3.6,
        "usable_battery_energy_kwh": ube / KWH,
        "fuel_weighted_l_per_100km": np.zeros(n), "co2_weighted_g_per_km": np.zeros(n),
        "fuel_cs_l_per_100km": np.full(n, np.nan), "co2_cs_g_per_km": np.full(n, np.nan),
        "energy_audit_residual": np.abs(res.energy_audit_residual()),
        "trace_miss_s": np.asarray(res["trace_miss_time"], dtype=float),
    }


def _rows_of(columns: dict) -> list[dict]:
    """A column dict as row dicts (for callers that want rows)."""
    n = len(columns["variant"])
    return [{k: c[i] for k, c in columns.items()} for i in range(n)]


def bev_ccp(variants, cycle, masses, procedure="WLTP", **conditions):
    res = C.deplete(variants, cycle, masses, **conditions)
    return _bev_columns(variants, res, C.recharge_energy(variants, res), res["breakoff_distance"],
                        "CCP", procedure)


def _constant_speed_powers(variants, test_mass, css_speed):
    """Road-load power at ``css_speed`` [W], auxiliary power [W] and usable energy [J] of each
    variant (what both constant-speed segments are sized from)."""
    f0, f1, f2 = road_load_arrays(variants, test_mass)
    road = (f0 + f1 * css_speed + f2 * css_speed**2) * css_speed
    aux = column(variants, "aux_power")
    usable = pack_column(variants, "usable_energy")
    return road, aux, usable


def _cssm_durations(cycle, road, aux, usable):
    """CSSM duration [s] of each variant: long enough that DS2 starts near half of the usable
    energy (estimated from its road load), rounded to whole minutes. It depends on the variant
    alone, so results never depend on which other variants share the batch."""
    p_css = road / 0.85 + aux
    e_ds = cycle.distance * 0.16 * 3.6e3  # ~160 Wh/km for one WLTC
    # np.round rounds halves to even as Python's round() does
    return 60.0 * np.maximum(np.round((0.5 * usable - e_ds) / p_css / 60.0), 1.0)


#: Longest CSSE [s] a shortened test may need. Assumption: a bound on the composed cycle's
#: length (memory); 1 000 kWh at a 10 kW road load is 100 h.
MAX_CSSE_DURATION = 1.0e6


def _csse_bounds(variants, road, aux, usable):
    """CSSE duration [s] of each variant certain to reach break-off: at constant speed the pack
    gives at least the road-load power plus the auxiliaries (drive-unit losses only add), so
    the usable energy lasts at most E / (F(v) v + P_aux); plus 600 s. From the variant's own
    road load, no assumed consumption."""
    t_e = usable / (road + aux) + 600.0
    too_long = np.flatnonzero(~(t_e <= MAX_CSSE_DURATION))
    if len(too_long):
        i = int(too_long[0])
        raise ResultError(variant=names_of(variants)[i], cycle="WLTP STP", quantity="CSSE duration",
                          value=f"{t_e[i]:.3g} s", allowed=f"at most {MAX_CSSE_DURATION:g} s "
                          "(procedures.wltp.MAX_CSSE_DURATION); use method = \"CCP\"")
    return 60.0 * np.ceil(t_e / 60.0)


def bev_stp(variants, cycle, masses, procedure="WLTP", css_speed=CSS_SPEED, **conditions):
    """Shortened test procedure; see the module docstring. Variants are grouped by their CSSM
    duration and each group runs as one batch."""
    from skateboard.engine import layout as L
    from skateboard.engine.simulate import simulate_many

    masses = np.asarray(masses, dtype=float).reshape(len(variants), 2)
    powers = _constant_speed_powers(variants, masses[:, 0], css_speed)
    durations = _cssm_durations(cycle, *powers)
    bounds = _csse_bounds(variants, *powers)
    members, jobs = [], []
    for t_m in np.unique(durations):
        idx = np.flatnonzero(durations == t_m)
        vs = take(variants, idx)
        ms = masses[idx]
        t_e = float(bounds[idx].max())  # break-off ends it earlier
        t_m = float(t_m)
        seq = C.compose("wltp_stp", [("DS1", cycle.speed), ("CSSM", C.constant_speed_segment(css_speed, t_m)),
                                     ("DS2", cycle.speed), ("CSSE", C.constant_speed_segment(css_speed, t_e))],
                        dt=cycle.dt)
        params, ocv, rex = C.params_for(vs, ms, range_extender_enabled=False, **conditions)
        members.append((idx, vs, seq))
        jobs.append(dict(params=params, ocv_tables=ocv, rex_tables=rex, cycle=seq,
                         names=names_of(vs), repeats=1, stop_on_breakoff=True))
    groups = []
    for (idx, vs, seq), res in zip(members, simulate_many(jobs)):   # the groups run together
        if not np.all(res["stopped"] > 0):
            bad = np.asarray(names_of(vs), dtype=object)[np.asarray(res["stopped"]) == 0]
            raise ResultError(variant=", ".join(bad), cycle="WLTP STP", quantity="break-off",
                              value="none by the end of CSSE", allowed="break-off in CSSE")
        csse_start = seq.phases[3].start * seq.dt
        early = np.nonzero(res["breakoff_time"] < csse_start)[0]
        if len(early):  # DS1, CSSM and DS2 must be driven in full
            i = int(early[0])
            raise ResultError(variant=names_of(vs)[i], cycle="WLTP STP", quantity="break-off time",
                              value=f"{res['breakoff_time'][i]:.0f} s",
                              allowed=f">= {csse_start:.0f} s (the start of CSSE: the shortened "
                              "test needs DS1, CSSM and DS2 complete; use method = \"CCP\")")
        ph = res.phases[:, 0]
        ube = res["e_battery_terminal"]
        e1, e2 = ph[:, 0, L.R_E_BATTERY_TERMINAL], ph[:, 2, L.R_E_BATTERY_TERMINAL]
        d1, d2 = ph[:, 0, L.R_DISTANCE], ph[:, 2, L.R_DISTANCE]
        k1 = e1 / ube
        ec_dc = k1 * e1 / d1 + (1.0 - k1) * e2 / d2   # J/m
        per = ube / ec_dc
        groups.append((idx, _bev_columns(vs, res, C.recharge_energy(vs, res), per, "STP", procedure,
                                         extra={"ube": ube, "ec_dc": ec_dc})))
    # the groups' rows back in input order (every group has the same columns)
    return Table.stack([(idx, Table(cols)) for idx, cols in groups], len(variants)).columns


def ovc_columns(variants, cycle, masses, *, fuel, d_n_km, procedure="WLTP", **conditions) -> dict:
    """Range-extended / plug-in hybrids: EAER, CS fuel and CO2, utility-factor weighted figures,
    as columns (one array per column, variants in order). Each variant's CD phases are the
    columns of one zero-padded array: a padded phase has no distance, so its utility factor and
    its terms are zero."""
    ovc = C.ovc_hev(variants, cycle, masses, fuel=fuel, **conditions)
    n = len(variants)
    co2_per_kg = fuel.co2_per_volume / fuel.density  # kg CO2 per kg fuel
    d = ovc.cd_distances                                     # m, N x phases (zero-padded)
    fuel_cd = ovc.cd_fuels                                    # kg
    uf = utility_factors(np.cumsum(d, axis=1) / 1000.0, d_n_km)
    fc_cs = ovc.cs_fuel_per_m                                 # kg/m
    fc_cd = np.where(d > 0, fuel_cd / np.maximum(d, 1e-9), 0.0)
    uf_sum = uf.sum(axis=1)
    fc_w = np.sum(uf * fc_cd, axis=1) + (1.0 - uf_sum) * fc_cs
    co2_cs = fc_cs * co2_per_kg
    co2_cd_avg = fuel_cd.sum(axis=1) / ovc.cd_distance * co2_per_kg
    eaer = (co2_cs - co2_cd_avg) / co2_cs * ovc.cd_distance   # Annex 8 4.4.4.1
    charger = column(variants, "charger_efficiency")
    e_ac_cd = ovc.cd_energies / charger[:, None]
    ec_ac_w = (np.sum(uf * np.where(d > 0, e_ac_cd / np.maximum(d, 1e-9), 0.0), axis=1)
               / np.maximum(uf_sum, 1e-12))
    dens = ovc.fuel_density
    tank_range = part_column(variants, "range_extender", "fuel_tank_volume") * dens / fc_cs
    return {
        "variant": names_of(variants), "powertrain": objects(variants, "powertrain"),
        "procedure": [procedure] * n, "method": [f"OVC-HEV d_n={d_n_km:g} km"] * n,
        "range_km": (eaer + tank_range) / 1000.0,
        "electric_range_km": eaer / 1000.0,
        "all_electric_range_km": ovc.aer / 1000.0,
        "cd_distance_km": ovc.cd_distance / 1000.0,
        "consumption_wh_per_km": ovc.cd_energy / ovc.cd_distance / 3.6,
        "consumption_ac_wh_per_km": ec_ac_w / 3.6,
        "fuel_cs_l_per_100km": fc_cs / dens * 1e5 * 1000.0,
        "co2_cs_g_per_km": co2_cs * 1e6,
        "fuel_weighted_l_per_100km": fc_w / dens * 1e5 * 1000.0,
        "co2_weighted_g_per_km": fc_w * co2_per_kg * 1e6,
        "utility_factor": uf_sum,
        "energy_audit_residual": np.asarray(ovc.residual, dtype=float),
    }


def table(variants, *, method: str = "STP", cycle: str | None = None, fuel=None,
          uf_stage: str = "euro6e-bis", procedure: str = "WLTP", **conditions) -> Table:
    """WLTP figures for BEVs and range-extended variants (one row each, in input order).

    Parameters
    ----------
    method : "STP" (default) or "CCP" for BEVs.
    cycle : cycle name; default WLTC class 3b (Annex 8: electrified vehicles are tested as class 3).
    fuel : Fuel for range extenders (default E10, the EU reference fuel).
    uf_stage : "euro6", "euro6e-bis" (default, all new cars from 2026) or "euro6e-bis-fcm".
    """
    from skateboard.spec.fuels import load_fuel

    cyc = load_cycle(cycle or CYCLE) if isinstance(cycle, (str, type(None))) else cycle
    return range_test(variants, cyc, method, fuel or load_fuel("E10"), UF_DN_KM[uf_stage], procedure,
                C.wltp_test_masses, **conditions)


def range_test(variants, cyc, method, fuel, d_n, procedure, mass_rule, **conditions):
    """The range and consumption test WLTP and CLTC share (GTR 15's structure on either cycle):
    battery-electric variants by the shortened (``"STP"``) or consecutive-cycle (``"CCP"``)
    method, range-extended ones by the OVC-HEV charge-depleting and charge-sustaining tests
    weighted with the utility factor of ``d_n`` [km]; test masses from ``mass_rule`` (variants
    -> (N, 2) test and inertial masses [kg], e.g. :func:`~skateboard.procedures.common.wltp_test_masses`).
    Rows in input order; variants are matched by position (names need not be unique)."""
    bev, rex = split_range_extended(variants)
    masses = mass_rule(variants)
    fn = bev_stp if method.upper() == "STP" else bev_ccp
    if not len(rex):   # battery-electric only (every sweep of a BEV): columns, no per-row dicts
        out = Table(fn(variants, cyc, masses, procedure=procedure, **conditions))
    elif not len(bev):   # range-extended only (every sweep of an EREV): columns too
        out = Table(ovc_columns(variants, cyc, masses, fuel=fuel, d_n_km=d_n,
                                procedure=procedure, **conditions))
    else:   # both: rows, so that each keeps its own columns (the others NaN)
        rows = [None] * len(variants)
        for idx, cols in ((bev, fn(take(variants, bev), cyc, masses[bev],
                                   procedure=procedure, **conditions)),
                          (rex, ovc_columns(take(variants, rex), cyc, masses[rex],
                                            fuel=fuel, d_n_km=d_n, procedure=procedure, **conditions))):
            for i, r in zip(idx.tolist(), _rows_of(cols)):
                rows[i] = r
        out = Table.from_records(rows)
    out["test_mass_kg"] = np.asarray(masses, dtype=float)[:, 0]
    return out


def run(variants, **options) -> pd.DataFrame:
    """:func:`table` as a DataFrame."""
    return table(variants, **options).to_pandas()


def table_3phase(variants, **kw) -> Table:
    """WLTP without the extra-high phase (WLTC 3b low, medium, high), as New Zealand uses it."""
    cyc = C.truncate(load_cycle(CYCLE), 3, "wltc_class3b_3phase")
    return table(variants, cycle=cyc, procedure="WLTP 3-phase", **kw)


def run_3phase(variants, **kw) -> pd.DataFrame:
    """:func:`table_3phase` as a DataFrame."""
    return table_3phase(variants, **kw).to_pandas()
