"""The orchestrator: program -> variants x markets -> one results table (like pvlib's ModelChain).

Each distinct (procedure, options, fuel) is run once for all variants in one batch and shared
by the markets that use it; performance and climate cases likewise."""

from __future__ import annotations

import functools
import math
import time

import numpy as np

from skateboard.checks import check_rows
from skateboard.errors import SpecError
from skateboard.markets import CLIMATE_CASES_C, list_markets, load_market
from skateboard.results import Results
from skateboard.table import Table
from skateboard.targets import TARGETS, check, for_market, lookup

#: The old name of the result object (the same class as simulate's).
Evaluation = Results

#: Columns of the evaluate table, one meaning each (units in the names; docs/results.md).
CLIMATE_CYCLE = "wltc"  # the real-world climate cases run WLTC class 3b


def climate_column(t: float) -> str:
    """``range_wltc_minus7c_km``: electric range on repeated WLTCs at ``t`` degC ambient."""
    return f"range_{CLIMATE_CYCLE}_{'minus' if t < 0 else ''}{abs(t):g}c_km"


HEADLINE = ["range_km", "electric_range_km", "label_range_km", "label_range_mi", "mpge",
            "consumption_wh_per_km", "consumption_ac_wh_per_km", "fuel_weighted_l_per_100km",
            "fuel_cs_l_per_100km", "co2_weighted_g_per_km", "co2_cs_g_per_km"]
PERFORMANCE = ["accel_0_100_s", "accel_80_120_s", "top_speed_kmh"]
CLIMATE = [climate_column(t) for t in CLIMATE_CASES_C]
CHARGING = ["dc_charge_10_80_min", "dc_charge_10_80_cold_min", "dc_energy_10min_kwh",
            "dc_energy_20min_kwh"]
MOTORWAY = ["motorway_range_110_km", "motorway_range_120_km", "motorway_range_130_km",
            "motorway_range_artemis_km"]
COLUMNS = ["variant", "powertrain", "market", "procedure", *HEADLINE, *PERFORMANCE, *CLIMATE,
           *CHARGING, *MOTORWAY, "regulatory_metric", "regulatory_target_g_per_km",
           "targets_met", "targets_failed", "energy_audit_residual"]

#: Kept for callers of the old API: target name -> (column, kind) of the current names.
TARGET_FIELDS = {name: (t.columns[0], t.kind) for name, t in TARGETS.items()}


def check_targets(row: dict, targets: dict, *, file=None, variant=None):
    """(met, failed list) of a row against one market's targets (names already checked by
    the program loader; see :mod:`skateboard.targets`); None when there are none."""
    for key in targets:
        if lookup(key) is None:
            from skateboard.errors import close_matches
            raise SpecError(f"unknown target{close_matches(key, TARGETS)}", file=file,
                            field=f"targets.{variant}.{key}", value=key, allowed=", ".join(TARGETS))
    return check(row, targets)


def cold_case(market) -> float | None:
    """The market's coldest climate case below 23 degC (its cold-charging case), or None."""
    cold = [t for t in market.climate_cases_c if t < 23.0]
    return min(cold) if cold else None


def evaluate(program="hongqi-on-b10", *, markets=None, variants=None,
             motorway_cases: bool = True) -> Evaluation:
    """Evaluate every variant of a program in every market (or the given ones).

    Parameters
    ----------
    program : str or Program — a bundled name or a program file.
    markets : list of str, optional — default the program's markets, or all bundled ones.
    variants : list of str, optional — only these variants.
    motorway_cases : run the motorway ranges (four depletion runs; default True).
    """
    from skateboard.selection import select_variants
    from skateboard.procedures import TABLES
    from skateboard.spec import load_fuel, load_program

    t0 = time.perf_counter()
    prog = load_program(program) if isinstance(program, str) else program
    from skateboard.engine.precompile import compile_steps_if_cold

    compile_steps_if_cold()  # a cold cache: the kernel's steps compile in two processes
    chosen = select_variants(prog, variants)
    names = markets or list(getattr(prog, "markets", None) or []) or list_markets()
    mkts = [load_market(m) for m in names]
    cache: dict = {}

    def run(m):
        key = m.headline_key  # markets with the same procedure, options and fuel share it
        if key not in cache:
            cache[key] = TABLES[m.headline](chosen, fuel=load_fuel(m.fuel), **dict(m.procedure_options))
        return cache[key]

    # the procedures' rows as Tables (no pandas), read as dictionaries once
    perf = TABLES["performance"](chosen)
    cases = sorted({t for m in mkts for t in m.climate_cases_c})
    climate = TABLES["real_world"](chosen, ambient_c=cases) if cases else Table()
    charge_temps = sorted({23.0} | {cold_case(m) for m in mkts if cold_case(m) is not None})
    charging = TABLES["charging"](chosen, ambient_c=charge_temps)
    motorway = TABLES["motorway"](chosen) if motorway_cases else None
    targets = getattr(prog, "targets", {}) or {}
    perf_of = perf.by("variant")
    climate_of = ({(v, float(t)): r for v, t, r in zip(climate["variant"], climate["ambient_c"],
                                                       climate["range_km"])} if cases else {})
    charging_of = {(r["variant"], float(r["ambient_c"])): r for r in charging.records()}
    motorway_of = motorway.by("variant") if motorway is not None else None
    rows = []
    for m in mkts:
        head = run(m).by("variant")
        cold = cold_case(m)
        for v in chosen:
            h = head[v.name]
            row = {"variant": v.name, "powertrain": v.powertrain, "market": m.name,
                   "procedure": h["procedure"] + (f" {h['method']}" if isinstance(h.get("method"), str) else "")}
            for col in HEADLINE:
                row[col] = _number(h.get(col))
            for col in PERFORMANCE:
                row[col] = float(perf_of[v.name][col])
            for t in CLIMATE_CASES_C:
                row[climate_column(t)] = (float(climate_of[(v.name, float(t))])
                                          if t in m.climate_cases_c else np.nan)
            warm = charging_of[(v.name, 23.0)]
            row["dc_charge_10_80_min"] = float(warm["dc_charge_10_80_min"])
            row["dc_charge_10_80_cold_min"] = (float(charging_of[(v.name, float(cold))]["dc_charge_10_80_min"])
                                               if cold is not None else np.nan)
            row["dc_energy_10min_kwh"] = float(warm["dc_energy_10min_kwh"])
            row["dc_energy_20min_kwh"] = float(warm["dc_energy_20min_kwh"])
            for col in MOTORWAY:
                row[col] = float(motorway_of[v.name][col]) if motorway_of is not None else np.nan
            row["regulatory_metric"] = m.metric.name
            row["regulatory_target_g_per_km"] = m.metric.target_g_per_km if m.metric.target_g_per_km is not None else np.nan
            met, failed = check(row, for_market(targets.get(v.name), m.name))
            row["targets_met"] = met
            row["targets_failed"] = "; ".join(failed)
            row["energy_audit_residual"] = float(h.get("energy_audit_residual", np.nan))
            rows.append(row)
    table = check_rows(Table({c: [r[c] for r in rows] for c in COLUMNS}, n=len(rows)))
    details = {f"{k[0]}|{k[2]}|{dict(k[1])}": t for k, t in cache.items()}
    details["performance"] = perf
    details["climate"] = climate
    details["charging"] = charging
    if motorway is not None:
        details["motorway"] = motorway
    from skateboard.inputs import inputs_table, plausibility_warnings

    warnings = list(getattr(prog, "warnings", ()) or ())
    for v in chosen:
        warnings += plausibility_warnings(v)
    return Results(table=table, details=details, program=prog, seconds=time.perf_counter() - t0,
                   kind="evaluate", inputs=functools.partial(inputs_table, chosen),
                   warnings=warnings)


def _number(value) -> float:
    """A headline cell as a float; NaN for a column the row does not have (None or NaN)."""
    if value is None or isinstance(value, str):
        return np.nan
    x = float(value)
    return np.nan if math.isnan(x) else x
