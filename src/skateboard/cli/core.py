"""The core commands: simulate, evaluate, and the lists of bundled markets, platforms and
cycles."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Optional

import typer
from rich.text import Text

from skateboard.errors import SpecError

from skateboard.cli.common import (  # noqa: F401
    DEFAULT_PROGRAM,
    LABELS,
    app,
    console,
    err_console,
    print_json,
    rich_table,
)


@app.command()
def simulate(
    program: Optional[str] = typer.Argument(None, help="Program file or bundled name (default: hongqi-on-b10)."),
    variant: Optional[list[str]] = typer.Option(None, "--variant", "-v", help="Only these variants (repeatable)."),
    cycle: str = typer.Option("wltc_class3b", "--cycle", "-c", help="Bundled cycle name or CSV file."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON list, one object per variant."),
    timeseries: Optional[Path] = typer.Option(None, "--timeseries", help="Write time series to FILE.csv or FILE.parquet."),
    force: bool = typer.Option(False, "--force", help="Replace an existing --timeseries file."),
) -> None:
    """Drive every variant of a program over one cycle and report energy by sink."""
    from skateboard.api import simulate_program
    from skateboard.api import load_cycle

    rows, frames = simulate_program(program or DEFAULT_PROGRAM, variants=variant,
                                    cycle=load_cycle(cycle, field="--cycle"),
                                    record=timeseries is not None)
    if timeseries is not None:
        from skateboard.api import write_table_safely
        write_table_safely(frames, timeseries, force=force, field="--timeseries")
    if as_json:
        print_json(rows)
        return
    cols = ["variant", "cycle", "distance_km", "consumption_wh_per_km", "consumption_ac_wh_per_km",
            "soc_end", "fuel_l", "trace_miss_s", "energy_audit_residual"]
    console.print(rich_table(f"simulate: {program or DEFAULT_PROGRAM} over {cycle}", rows, cols))
    from skateboard.api import energy_by_sink_kwh

    for r in rows:
        sinks = energy_by_sink_kwh(r)
        text = ", ".join(f"{k} {v:.3f}" for k, v in sinks.items() if abs(v) > 5e-4)
        console.print(Text.assemble((str(r["variant"]), "bold"), f" energy by sink [kWh]: {text}"))
        t = r.get("depleted_at_s")
        if t is not None and t == t:
            console.print(Text.assemble((f"{r['variant']}: the pack ran out at {t:.0f} s ({t / 3600:.2f} h); "
                                         "from then on it served neither traction nor auxiliaries", "yellow")))


#: The first table of `evaluate`: one row per variant and market (columns empty everywhere are
#: left out). The second: per variant, the figures that do not depend on the market's procedure.
HEADLINE_COLUMNS = ["variant", "market", "procedure", "range_km", "electric_range_km",
                    "label_range_mi", "mpge", "consumption_wh_per_km", "consumption_ac_wh_per_km",
                    "fuel_weighted_l_per_100km", "fuel_cs_l_per_100km", "co2_weighted_g_per_km",
                    "co2_cs_g_per_km", "dc_charge_10_80_cold_min", "targets_met"]
VARIANT_COLUMNS = ["variant", "accel_0_100_s", "accel_80_120_s", "top_speed_kmh",
                   "range_wltc_minus7c_km", "range_wltc_23c_km", "range_wltc_35c_km",
                   "range_wltc_45c_km", "dc_charge_10_80_min", "dc_energy_10min_kwh",
                   "dc_energy_20min_kwh", "motorway_range_110_km", "motorway_range_120_km",
                   "motorway_range_130_km", "motorway_range_artemis_km"]
INPUT_COLUMNS = ["variant", "curb_mass_kg", "wltp_test_mass_kg", "china_test_mass_kg",
                 "epa_test_weight_kg", "drag_coefficient", "frontal_area_m2",
                 "road_load_f0_n", "road_load_f1_n_per_m_s", "road_load_f2_n_per_m2_s2", "pack_usable_kwh",
                 "pack_gross_kwh", "pack_nominal_voltage_v", "pack_resistance_mohm",
                 "pack_max_charge_kw", "motor_peak_kw", "gear_ratio", "drive_unit_technology",
                 "aux_power_w", "charger_efficiency"]


def _json_columns() -> list[str]:
    from skateboard.api import EVALUATE_COLUMNS as COLUMNS

    return list(COLUMNS)


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _shown(rows: list[dict], columns: list[str]) -> list[str]:
    """The columns that have a value (a number that is not NaN, or text) in at least one row."""
    return [c for c in columns if rows and c in rows[0]
            and any(not (isinstance(r[c], float) and math.isnan(r[c])) for r in rows)]


def _first_per_variant(rows: list[dict]) -> list[dict]:
    """One row per variant, in order: each column's first value that is not missing (as pandas'
    ``groupby("variant").first()``), NaN where every row misses it."""
    out: dict[str, dict] = {}
    for r in rows:
        first = out.setdefault(r["variant"], {"variant": r["variant"]})
        for c, value in r.items():
            if c not in first or (_missing(first[c]) and not _missing(value)):
                first[c] = value
    for first in out.values():
        for c, value in first.items():
            if value is None:
                first[c] = math.nan
    return list(out.values())


@app.command()
def evaluate(
    program: Optional[str] = typer.Argument(None, help="Program file or bundled name (default: hongqi-on-b10)."),
    markets: Optional[list[str]] = typer.Option(None, "--markets", "-m", help="Markets to evaluate (repeatable or comma-separated; default: the program's, or all)."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON list of row objects (with --inputs: an object with rows, inputs and warnings)."),
    out: Optional[Path] = typer.Option(None, "--out", help="Write CSV, Parquet and a self-contained HTML report into this new directory."),
    force: bool = typer.Option(False, "--force", help="Replace an existing --out directory."),
    inputs: bool = typer.Option(False, "--inputs", help="Also show the resolved inputs (test masses, road load, pack, drive units, defaulted values)."),
    no_warnings: bool = typer.Option(False, "--no-warnings", help="Do not print plausibility and deprecation warnings."),
    strict: bool = typer.Option(False, "--strict", help="Refuse to run (exit 2) if any variant uses a defaulted value (listed by --inputs)."),
) -> None:
    """Evaluate every variant in every market under that market's procedures and climate."""
    from skateboard.api import as_program
    from skateboard.api import evaluate_program as run_evaluate

    names = [m.strip() for item in (markets or []) for m in item.split(",") if m.strip()] or None
    chosen = as_program(program or DEFAULT_PROGRAM)
    if strict:
        defaulted = {v.name: v.defaults for v in chosen.variants if v.defaults}
        if defaulted:
            name, fields = next(iter(defaulted.items()))
            raise SpecError(f"{len(defaulted)} variant(s) use defaulted values, "
                            f"{name!r}: {len(fields)} ({', '.join(fields[:4])}{', ...' if len(fields) > 4 else ''})",
                            field="--strict", allowed="every value given in the files "
                            "(skateboard evaluate --inputs lists the defaulted ones), or no --strict")
    result = run_evaluate(chosen, markets=names)
    if not no_warnings:
        for w in result.warnings:
            err_console.print(Text.assemble(("warning:", "yellow"), f" {w}"), highlight=False, soft_wrap=True)
    if out is not None:
        from skateboard.api import write_report
        path = write_report(result, out, force=force)
        if not as_json:
            console.print(f"report written to {path}")
    if as_json:
        rows = result.records(_json_columns())
        if inputs:
            from skateboard.jsonsafe import json_records
            typer.echo(json.dumps({"rows": json_records(rows),
                                   "inputs": json_records(result.inputs.to_dict("records")),
                                   "warnings": list(result.warnings)}, indent=2, default=str))
        else:
            print_json(rows)
        return
    # the table's rows as dicts (no pandas for this view either)
    table_rows = result.records()
    for r in table_rows:
        r["targets_met"] = {True: "pass", False: "FAIL"}.get(r["targets_met"], "-")
    title = f"evaluate: {getattr(result.program, 'name', program)} ({result.seconds:.2f} s)"
    console.print(rich_table(title, table_rows, _shown(table_rows, HEADLINE_COLUMNS)))
    per_variant = _first_per_variant(table_rows)
    console.print(rich_table("per variant: performance, climate (WLTC 3b, HVAC on), DC charging "
                             "at 23 °C, motorway range", per_variant,
                             _shown(per_variant, VARIANT_COLUMNS)))
    if inputs:
        t = result.inputs.set_index("variant")
        rows = [{"input": c, **{v: t.loc[v, c] for v in t.index}} for c in INPUT_COLUMNS[1:]]
        console.print(rich_table("inputs used (all of them: --json --inputs)", rows,
                                 ["input", *t.index]))
        for _, r in result.inputs.iterrows():
            console.print(Text.assemble((str(r["variant"]), "bold"), f" defaulted: {r['defaulted'] or '-'}"))
    for r in table_rows:
        if r["targets_met"] == "FAIL":
            console.print(Text.assemble((f"{r['variant']} in {r['market']}:", "red"),
                                        f" {r['targets_failed']}"))


@app.command()
def markets() -> None:
    """List the bundled markets with their headline procedure, fuel, climate cases and metric."""
    from skateboard.api import list_markets, load_market

    rows = []
    for name in list_markets():
        m = load_market(name)
        rows.append({"name": name, "title": m.title, "procedure": m.headline, "fuel": m.fuel,
                     "climate_c": ", ".join(f"{t:g}" for t in m.climate_cases_c), "metric": m.metric.name})
    console.print(rich_table("bundled markets", rows))


@app.command()
def platforms() -> None:
    """List the bundled platforms, derivatives and programs."""
    from skateboard.api import list_derivatives, list_platforms, list_programs, load_platform

    rows = []
    for name in list_platforms():
        p = load_platform(name)
        rows.append({"kind": "platform", "name": name, "title": getattr(p, "title", "") or ""})
    for name in list_derivatives():
        rows.append({"kind": "derivative", "name": name, "title": ""})
    for name in list_programs():
        rows.append({"kind": "program", "name": name, "title": ""})
    console.print(rich_table("bundled specifications", rows, ["kind", "name", "title"]))


@app.command()
def cycles() -> None:
    """List the bundled drive cycles with duration, distance, maximum speed and phases."""
    from skateboard.api import cycle_table

    df = cycle_table()
    console.print(rich_table("bundled drive cycles", df.to_dict("records")))


