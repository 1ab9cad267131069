"""`skateboard validate ...`: compare predictions with measured and published figures.

A typer sub-app; ``skateboard.cli`` registers it as ``app.add_typer(validate_app, name="validate")``.
It only calls :mod:`skateboard.validation`.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Optional

import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from skateboard.errors import SpecError

validate_app = typer.Typer(add_completion=False, no_args_is_help=True,
                           help="Compare predictions with measured (EPA) and published figures.")
console = Console()


def _num(v, fmt: str = "{:.1f}") -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "-"
    return fmt.format(v)


def _summary_line(s: dict) -> str:
    return (f"n = {s['n']}, MAPE {_num(s['mape_percent'], '{:.2f}')} %, bias "
            f"{_num(s['bias_percent'], '{:+.2f}')} %, max |error| "
            f"{_num(s['max_abs_error_percent'], '{:.1f}')} %")


@validate_app.command("epa-testcar")
def epa_testcar(
    file: Path = typer.Argument(..., help="EPA test-car CSV file: the format of the bundled "
                                "epa_2022_bev_calibration.csv, or one of EPA's Test Car List "
                                "files as published (any model year; its BEV charge-depleting "
                                "UDDS and highway tests are used)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object (summary and rows)."),
    out: Optional[Path] = typer.Option(None, "--out", help="Write the compared rows to this new "
                                       "FILE.csv (never overwrites)."),
) -> None:
    """Predict each row's unadjusted AC consumption (EPA multi-cycle test) and compare."""
    from skateboard.api import UNIT_DEFECT_MPGE, validate_epa_testcar

    if out is not None and out.suffix.lower() != ".csv":
        raise SpecError("unsupported file type", field="--out", value=str(out),
                        allowed="a new .csv file name")
    if out is not None and out.exists():
        raise SpecError("file exists; not overwritten", field="--out", value=str(out),
                        allowed="a new file name")
    result = validate_epa_testcar(file)
    if out is not None:
        from skateboard.api import write_table_safely

        write_table_safely(result.rows, out, field="--out")
    if as_json:
        typer.echo(result.to_json())
        return
    table = Table(title=f"EPA test cars: {file} (unadjusted AC consumption, Wh/km)",
                  header_style="bold", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("line", justify="right", no_wrap=True)
    table.add_column("vehicle", justify="left", min_width=24, ratio=1, overflow="fold")
    for col in ("cycle", "predicted", "measured", "error %"):
        table.add_column(col, justify="left" if col == "cycle" else "right", no_wrap=True)
    for r in result.rows.to_dict("records"):
        table.add_row(str(r["line"]), escape(f"{r['make']} {r['model']}"), r["cycle"],
                      _num(r["predicted_wh_per_km_ac"]), _num(r["measured_wh_per_km_ac"]),
                      _num(r["error_percent"], "{:+.1f}"))
    console.print(table)
    s = result.summary
    for cyc, cs in s["by_cycle"].items():
        console.print(f"{cyc}: {_summary_line(cs)}", highlight=False)
    console.print(f"[bold]all: {_summary_line(s)}[/]", highlight=False)
    reread = sorted(line for df in (result.rows, result.excluded)
                    for line, note in zip(df["line"], df["measured_note"]) if note)
    if reread:
        console.print(f"measured value read in kWh/100 mi, listed in the MPGe column (unit defect, "
                      f"both cycles of the vehicle below {UNIT_DEFECT_MPGE:g}): lines "
                      + ", ".join(map(str, reread)), highlight=False)
    if len(result.excluded):
        console.print(f"excluded by the plausibility screen ({len(result.excluded)} rows):",
                      highlight=False)
        for r in result.excluded.to_dict("records"):
            console.print(f"  line {r['line']}: {r['make']} {r['model']} {r['cycle']}, measured "
                          f"{_num(r['measured_wh_per_km_ac'])} Wh/km: {r['reason']}",
                          highlight=False, markup=False)
    if out is not None:
        console.print(f"rows written to {out}", highlight=False)


@validate_app.command("epa-extract")
def epa_extract(
    source: Path = typer.Argument(..., help="One of EPA's Test Car List files as published "
                                  "(e.g. 22-tstcar.csv)."),
    out: Path = typer.Argument(..., help="New CSV file in the validation format (never "
                               "overwritten)."),
    exclude: Optional[Path] = typer.Option(None, "--exclude", help="Leave out the rows of this "
                                           "file in the validation format (makes a hold-out)."),
) -> None:
    """Write the BEV charge-depleting UDDS and highway tests of an EPA Test Car List file in
    the validation format (test mass, coast-down coefficients and consumption in SI)."""
    from skateboard.api import write_epa_extract

    if out.suffix.lower() != ".csv":
        raise SpecError("unsupported file type", field="OUT", value=str(out),
                        allowed="a new .csv file name")
    found, written = write_epa_extract(source, out, exclude)
    console.print(f"{found} BEV charge-depleting tests in {source}, {written} written to {out}",
                  highlight=False)


@validate_app.command("published")
def published(
    as_json: bool = typer.Option(False, "--json", help="Print a JSON list, one object per figure."),
) -> None:
    """Run the bundled vehicles through their published procedures and compare with the
    makers' figures (WLTP); then the range-extended validation file's errors."""
    from skateboard.api import validate_published

    df = validate_published()
    if as_json:
        from skateboard.jsonsafe import json_records

        rows = json_records(df)
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table(title="published figures (WLTP)", header_style="bold", box=box.SIMPLE_HEAD,
                  pad_edge=False, padding=(0, 1), collapse_padding=True)
    for col, justify in (("vehicle", "left"), ("quantity", "left"), ("published", "right"),
                         ("model", "right"), ("err %", "right"), ("tol %", "right"),
                         ("", "left")):
        table.add_column(col, justify=justify, no_wrap=col != "vehicle",
                         min_width=14 if col == "vehicle" else None,
                         ratio=1 if col == "vehicle" else None, overflow="fold")
    for r in df.to_dict("records"):
        verdict = {True: "[green]pass[/]", False: "[red]FAIL[/]", None: "info"}[r["within_tolerance"]]
        pred = r["predicted"]
        table.add_row(escape(r["vehicle"]), r["quantity"], _num(r["published"], "{:g}"),
                      _num(pred, "{:.3g}" if abs(pred) < 10 else "{:.1f}"),
                      _num(r["error_percent"], "{:+.1f}"), _num(r["tolerance_percent"], "{:g}"),
                      verdict)
    console.print(table)
    for r in df.to_dict("records"):
        console.print(f"{r['vehicle']} {r['quantity']} ({r['procedure']}): {r['source']}",
                      highlight=False, markup=False)
    from skateboard.api import EREV_FILE, validate_erev

    console.print(f"\n[bold]range-extended cars and series hybrids[/] ({EREV_FILE.name}, nothing "
                  "fitted on them; each car: skateboard validate erev)", highlight=False)
    _erev_summary(validate_erev(EREV_FILE))


def _erev_summary(res) -> None:
    """The summary lines of a range-extended validation (electric range, CS fuel, weighted CO2)."""
    for key, what in (("electric_range_km", "electric range"),
                      ("cs_fuel_l_per_100km", "charge-sustaining fuel"),
                      ("weighted_co2_g_per_km", "weighted CO2")):
        console.print(f"{what}: {_summary_line(res.summary[key])}", highlight=False)
    c = res.summary["co2_within_10"]
    console.print(f"weighted CO2 within +-10 %: {c['within']} of {c['n']} cars", highlight=False)


def _table_out(df, title: str, cols: list[tuple[str, str, str]], as_json: bool, summary: dict,
               skipped, each_skipped: bool = True) -> None:
    """Print rows (``cols``: key, header, format) and the rows not scored (each, or counted by
    reason), or one JSON object with the summary too."""
    if as_json:
        from skateboard.jsonsafe import json_records, json_value

        typer.echo(json.dumps({"summary": json_value(summary), "rows": json_records(df),
                               "skipped": json_records(skipped)}, indent=2))
        return
    table = Table(title=title, header_style="bold", box=box.SIMPLE_HEAD, pad_edge=False)
    for key, head, fmt in cols:
        table.add_column(head, justify="left" if fmt == "s" else "right", no_wrap=fmt != "s",
                         overflow="fold", min_width=16 if key == "vehicle" else None,
                         ratio=1 if key == "vehicle" else None)
    for r in df.to_dict("records"):
        table.add_row(*[escape(str(r[k])) if f == "s" else _num(r[k], f) for k, _, f in cols])
    console.print(table)
    if not each_skipped:
        for reason, n in skipped["reason"].value_counts().items():
            console.print(f"  not scored, {n} rows: {reason}", highlight=False, markup=False)
        return
    for r in skipped.to_dict("records"):
        console.print(f"  not scored, line {r['line']}: {r['make']} {r['model']} {r['version']}: "
                      f"{r['reason']}", highlight=False, markup=False)


@validate_app.command("cltc")
def cltc_cmd(
    file: Optional[Path] = typer.Argument(None, help="CSV file in the format of the bundled "
                                          "cltc_published.csv (default: that file)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object (summary, rows, "
                                 "rows not scored)."),
) -> None:
    """Published China-market CLTC ranges: CLTC range error and CLTC/WLTP ratio error."""
    from skateboard.api import CLTC_FILE, validate_cltc

    res = validate_cltc(file or CLTC_FILE)
    cols = [("line", "line", "{:d}"), ("vehicle", "vehicle (built from)", "s"),
            ("published_cltc_km", "km pub.", "{:.0f}"), ("predicted_cltc_km", "model", "{:.0f}"),
            ("cltc_error_percent", "err %", "{:+.1f}"), ("published_ratio", "C/W pub.", "{:.3f}"),
            ("predicted_ratio", "model", "{:.3f}"), ("ratio_error_percent", "err %", "{:+.1f}")]
    rows = res.rows.assign(vehicle=[f"{r.make} {r.model} {r.version} ({r.built_from})"
                                    for r in res.rows.itertuples()])
    _table_out(rows if not as_json else res.rows, f"CLTC ranges: {res.source} (EREV: pure-electric "
               "range; C/W = CLTC/WLTP range ratio)", cols, as_json, res.summary, res.skipped)
    if not as_json:
        for key, what in (("cltc", "CLTC range, all"), ("cltc_bundled", "CLTC range, bundled cars"),
                          ("cltc_spec_sheet", "CLTC range, spec-sheet cars"),
                          ("ratio", "CLTC/WLTP ratio, all"), ("ratio_bundled", "CLTC/WLTP ratio, bundled"),
                          ("ratio_spec_sheet", "CLTC/WLTP ratio, spec-sheet"),
                          ("wltp", "WLTP range of the same rows, all"),
                          ("wltp_spec_sheet", "WLTP range of the same rows, spec-sheet")):
            console.print(f"{what}: {_summary_line(res.summary[key])}", highlight=False)


@validate_app.command("climate")
def climate_cmd(
    file: Optional[Path] = typer.Argument(None, help="CSV file in the format of the bundled "
                                          "climate_range_tests.csv (default: that file)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object (summary, rows, "
                                 "rows not scored)."),
) -> None:
    """Measured real-world ranges at their temperatures: ratio to the rated range, predicted vs measured."""
    from skateboard.api import CLIMATE_FILE, validate_climate

    res = validate_climate(file or CLIMATE_FILE)
    cols = [("line", "line", "{:d}"), ("vehicle", "vehicle (test)", "s"),
            ("ambient_c", "degC", "{:.1f}"), ("hp", "HP", "s"),
            ("rated_procedure", "rated", "s"), ("measured_ratio", "meas.", "{:.3f}"),
            ("predicted_ratio", "model", "{:.3f}"), ("error_percent", "err %", "{:+.1f}")]
    rows = res.rows.assign(vehicle=[f"{r.make} {r.model} ({r.test})" for r in res.rows.itertuples()],
                           hp=[("yes" if r.heat_pump else "no") + ("*" if r.heat_pump_from == "default" else "")
                               for r in res.rows.itertuples()])
    _table_out(rows if not as_json else res.rows, f"range at the test's temperature / rated range: "
               f"{res.source} (HP: heat pump, * = not in the file: the model's default)",
               cols, as_json, res.summary, res.skipped, each_skipped=False)
    if not as_json:
        console.print(f"[bold]ratio: {_summary_line(res.summary)}; {res.summary['n_skipped']} rows "
                      "not scored[/]", highlight=False)


@validate_app.command("erev")
def erev_cmd(
    file: Optional[Path] = typer.Argument(None, help="CSV file in the format of the bundled "
                                          "erev_published.csv (default: that file)."),
    strategy: Optional[str] = typer.Option(None, "--strategy", help="Score every car with this "
                                           "range-extender strategy (default: each car's own)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object (summary, rows, "
                                 "rows not scored)."),
) -> None:
    """Published range-extended cars: electric range, charge-sustaining fuel and weighted CO2."""
    from skateboard.api import EREV_FILE, validate_erev

    res = validate_erev(file or EREV_FILE, strategy=strategy)
    cols = [("line", "line", "{:d}"), ("vehicle", "vehicle (built from)", "s"),
            ("procedure", "procedure", "s"), ("strategy", "strategy", "s"),
            ("quantity", "quantity", "s"), ("published", "pub.", "{:g}"),
            ("predicted", "model", "{:.3g}"), ("error_percent", "err %", "{:+.1f}")]
    rows = res.rows.assign(vehicle=[f"{r.make} {r.model} {r.version} ({r.built_from})"
                                    for r in res.rows.itertuples()])
    _table_out(rows if not as_json else res.rows, f"range-extended cars: {res.source}", cols,
               as_json, res.summary, res.skipped)
    if not as_json:
        _erev_summary(res)


@validate_app.command("road-load")
def road_load_cmd(
    file: Optional[Path] = typer.Argument(None, help="EPA test-car file in the validation format "
                                          "(default: the bundled MY2022 calibration file)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object (summary, rows)."),
) -> None:
    """The spec-sheet road load (published Cd, width x height, default rolling resistance) against
    each EPA row's own coast-down, in consumption."""
    from skateboard.api import EPA_TESTCAR_FILE, check_road_load

    res = check_road_load(file or EPA_TESTCAR_FILE)
    rows = res.rows.assign(vehicle=[f"{r.make} {r.model}" for r in res.rows.itertuples()])
    cols = [("line", "line", "{:d}"), ("vehicle", "vehicle", "s"), ("cycle", "cycle", "s"),
            ("measured_wh_per_km_ac", "meas.", "{:.1f}"), ("coast_down_wh_per_km_ac", "coast-down", "{:.1f}"),
            ("spec_sheet_wh_per_km_ac", "spec sheet", "{:.1f}"),
            ("error_vs_coast_down_percent", "err %", "{:+.1f}")]
    import pandas as pd
    _table_out(rows if not as_json else res.rows,
               f"spec-sheet road load vs each row's coast-down (Wh/km AC): {file or EPA_TESTCAR_FILE}",
               cols, as_json, res.summary, pd.DataFrame({"reason": []}), each_skipped=False)
    if not as_json:
        s = res.summary
        console.print(f"[bold]spec sheet vs coast-down: {_summary_line(s['vs_coast_down'])} (UDDS bias "
                      f"{s['vs_coast_down_udds']['bias_percent']:+.2f} %, HWFET "
                      f"{s['vs_coast_down_hwfet']['bias_percent']:+.2f} %); {s['families']} model "
                      f"families; speed coefficient {s['speed_coefficient_s_per_m']:g} s/m[/]",
                      highlight=False)


@validate_app.command("drive-maps")
def drive_maps_cmd(
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object (rows, technology, "
                                 "induction_over_pmsm)."),
) -> None:
    """Measured efficiency maps of induction and permanent-magnet drives against the loss model:
    each drive's own fit and its machine type's map (pmsm_measured, induction_measured)."""
    from skateboard.api import compare_drive_maps

    res = compare_drive_maps()
    if as_json:
        from skateboard.jsonsafe import json_nested
        print(json.dumps(json_nested(res)))
        return
    table = Table(title=f"measured drive maps: {res['source']}", box=box.SIMPLE)
    for head in ("map", "type", "points", "own fit RMS", "type map RMS", "type map mean",
                 "type map max"):
        table.add_column(head, justify="left" if head in ("map", "type") else "right",
                         no_wrap=head in ("map", "type"))
    for r in res["rows"]:
        table.add_row(escape(r["map"].removeprefix("advisor_")), r["motor_type"], str(r["points"]),
                      f"{r['own_rms_points']:.2f}", f"{r['type_rms_points']:.2f}",
                      f"{r['type_mean_points']:+.2f}", f"{r['type_max_abs_points']:.1f}")
    console.print(table)
    console.print("efficiency errors in percentage points (model - measured)", highlight=False)
    for t, v in res["technology"].items():
        c = ", ".join(f"{x:.4g}" for x in (v["named_coefficients"] or v["coefficients"]))
        console.print(f"{v['named_map'] or t}: ({c}); {v['maps']} drives, {v['points']} points, "
                      f"RMS {v['named_rms_points']:.2f} points", highlight=False)
    q = res["induction_over_pmsm"]
    if q:
        console.print(f"induction / permanent-magnet, per unit: no-load loss {q['no_load']:.2f}, "
                      f"load term {q['load']:.2f}", highlight=False)

