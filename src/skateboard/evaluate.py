"""The orchestrator: program -> variants x markets -> one results table (like pvlib's ModelChain).

Each distinct (procedure, options, fuel) is run once for all variants in one batch and shared
by the markets that use it; performance and climate cases likewise."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from skateboard.checks import check_rows
from skateboard.errors import SpecError
from skateboard.markets import list_markets, load_market

#: Columns of the evaluate table (units in the names; DESIGN.md).
COLUMNS = ["variant", "powertrain", "market", "procedure", "range_km", "electric_range_km",
           "consumption_wh_per_km", "consumption_ac_wh_per_km", "fuel_l_per_100km", "co2_g_per_km",
           "accel_0_100_s", "accel_80_120_s", "top_speed_kmh", "range_minus7c_km", "range_23c_km",
           "range_35c_km", "range_45c_km", "regulatory_metric", "regulatory_target_g_per_km",
           "targets_met", "targets_failed", "energy_audit_residual"]

TARGET_FIELDS = {
    # target name -> (column, kind)
    "min_range_km": ("range_km", "min"),
    "min_electric_range_km": ("electric_range_km", "min"),
    "max_consumption_wh_per_km": ("consumption_wh_per_km", "max"),
    "max_consumption_ac_wh_per_km": ("consumption_ac_wh_per_km", "max"),
    "max_co2_g_per_km": ("co2_g_per_km", "max"),
    "max_fuel_l_per_100km": ("fuel_l_per_100km", "max"),
    "max_accel_0_100_s": ("accel_0_100_s", "max"),
    "min_top_speed_kmh": ("top_speed_kmh", "min"),
    "min_range_minus7c_km": ("range_minus7c_km", "min"),
    "min_range_45c_km": ("range_45c_km", "min"),
}


def _climate_column(t: float) -> str:
    return f"range_{'minus' if t < 0 else ''}{abs(t):g}c_km"


@dataclass
class Evaluation:
    """Result of :func:`evaluate`: the table and the per-procedure details behind it."""

    table: pd.DataFrame
    details: dict = field(default_factory=dict)
    program: object = None
    seconds: float = 0.0

    def to_pandas(self) -> pd.DataFrame:
        return self.table

    def records(self) -> list[dict]:
        return self.table.to_dict("records")


def check_targets(row: dict, targets: dict, *, file=None, variant=None):
    """(met, failed list) of a row against a variant's targets; None when there are none."""
    if not targets:
        return None, []
    failed = []
    for key, limit in targets.items():
        if key not in TARGET_FIELDS:
            from skateboard.errors import close_matches
            raise SpecError(f"unknown target{close_matches(key, TARGET_FIELDS)}", file=file,
                            field=f"targets.{variant}.{key}", value=key,
                            allowed=", ".join(TARGET_FIELDS))
        col, kind = TARGET_FIELDS[key]
        value = row.get(col)
        if value is None or (isinstance(value, float) and np.isnan(value)):
            continue
        if (kind == "min" and value < limit) or (kind == "max" and value > limit):
            failed.append(f"{col} {value:.4g} {'<' if kind == 'min' else '>'} {limit:g}")
    return not failed, failed


def evaluate(program="hongqi-on-b10", *, markets=None, variants=None) -> Evaluation:
    """Evaluate every variant of a program in every market (or the given ones).

    Parameters
    ----------
    program : str or Program — a bundled name or a program file.
    markets : list of str, optional — default the program's markets, or all bundled ones.
    variants : list of str, optional — only these variants.
    """
    from skateboard.api import select_variants
    from skateboard.procedures import PROCEDURES
    from skateboard.spec import load_fuel, load_program

    t0 = time.perf_counter()
    prog = load_program(program) if isinstance(program, str) else program
    chosen = select_variants(prog, variants)
    names = markets or list(getattr(prog, "markets", None) or []) or list_markets()
    mkts = [load_market(m) for m in names]
    cache: dict = {}

    def run(proc: str, opts: dict, fuel: str):
        key = (proc, tuple(sorted(opts.items())), fuel)
        if key not in cache:
            df = PROCEDURES[proc](chosen, fuel=load_fuel(fuel), **opts)
            cache[key] = df.set_index("variant")
        return cache[key]

    perf = PROCEDURES["performance"](chosen).set_index("variant")
    cases = sorted({t for m in mkts for t in m.climate_cases_c})
    climate = PROCEDURES["real_world"](chosen, ambient_c=cases) if cases else pd.DataFrame()
    targets = getattr(prog, "targets", {}) or {}
    rows = []
    for m in mkts:
        head = run(m.headline, dict(m.procedure_options), m.fuel)
        for v in chosen:
            h = head.loc[v.name]
            row = {"variant": v.name, "powertrain": v.powertrain, "market": m.name,
                   "procedure": h["procedure"] + (f" {h['method']}" if isinstance(h.get("method"), str) else "")}
            for col in ("range_km", "electric_range_km", "consumption_wh_per_km", "consumption_ac_wh_per_km",
                        "fuel_l_per_100km", "co2_g_per_km"):
                row[col] = float(h[col]) if col in h and pd.notna(h[col]) else np.nan
            for col in ("accel_0_100_s", "accel_80_120_s", "top_speed_kmh"):
                row[col] = float(perf.loc[v.name, col])
            for t in (-7.0, 23.0, 35.0, 45.0):
                col = _climate_column(t)
                row[col] = np.nan
                if t in m.climate_cases_c:
                    sel = climate[(climate["variant"] == v.name) & (climate["ambient_c"] == t)]
                    row[col] = float(sel["range_km"].iloc[0])
            row["regulatory_metric"] = m.metric.name
            row["regulatory_target_g_per_km"] = m.metric.target_g_per_km if m.metric.target_g_per_km is not None else np.nan
            met, failed = check_targets(row, targets.get(v.name, {}), file=getattr(prog, "source_file", None),
                                        variant=v.name)
            row["targets_met"] = met
            row["targets_failed"] = "; ".join(failed)
            row["energy_audit_residual"] = float(h.get("energy_audit_residual", np.nan))
            rows.append(row)
    table = check_rows(pd.DataFrame(rows, columns=COLUMNS))
    details = {f"{k[0]}|{k[2]}|{dict(k[1])}": df.reset_index() for k, df in cache.items()}
    details["performance"] = perf.reset_index()
    details["climate"] = climate
    return Evaluation(table=table, details=details, program=prog, seconds=time.perf_counter() - t0)
