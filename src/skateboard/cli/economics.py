"""``skateboard economics``: a thin wrapper over :func:`skateboard.economics.economics`.
``skateboard.cli`` adds it to its app with :func:`register`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer
from rich.text import Text

#: Keys of each JSON row (the issue's contract; the DataFrame has more).
SHOWN = ["variant", "market", "cost_total", "ex_works_cost", "shipping_cost", "import_duty",
         "landed_cost", "compliance_value", "price", "margin_per_vehicle", "volume"]
CASE_SHOWN = ["npv_license", "npv_own_platform", "npv_difference", "irr_license",
              "irr_own_platform", "payback_year_license", "payback_year_own_platform",
              "break_even_volume", "break_even_volume_vs_own_platform", "volume_planned",
              "months_earlier", "most_sensitive_drivers", "commonality_cost_weighted",
              "commonality_part_count"]


def economics(
    program: Optional[str] = typer.Argument(None, help="Program file or bundled name (default: hongqi-on-b10)."),
    markets: Optional[list[str]] = typer.Option(None, "--markets", "-m", help="Markets of the rows (repeatable or comma-separated; default: the program's)."),
    costs: Optional[str] = typer.Option(None, "--costs", help="A cost book (TOML) whose lines replace the bundled ones."),
    as_json: bool = typer.Option(False, "--json", help='Print {"rows": [...], "business_case": {...}}.'),
    out: Optional[Path] = typer.Option(None, "--out", help="Write CSV, Parquet and an HTML report into this new directory."),
    force: bool = typer.Option(False, "--force", help="Replace an existing --out directory."),
) -> None:
    """Cost, market entry, compliance value and margin of every variant; licence vs own platform."""
    from skateboard.cli.common import DEFAULT_PROGRAM, console, rich_table
    from skateboard.api import economics as run

    names = [m.strip() for item in (markets or []) for m in item.split(",") if m.strip()] or None
    result = run(program or DEFAULT_PROGRAM, markets=names, costs=costs)
    if out is not None:
        from skateboard.api import write_economics_report
        path = write_economics_report(result, out, force=force)
        if not as_json:
            console.print(f"report written to {path}")
    case = result.business_case
    if as_json:
        typer.echo(json.dumps(result.to_dict(), indent=2, default=str))
        return
    cur = result.rows["currency"].iloc[0] if len(result.rows) else ""
    console.print(rich_table(f"economics: {getattr(result.program, 'name', program)} "
                             f"({cur} per vehicle, {result.seconds:.1f} s)",
                             result.rows.to_dict("records"), SHOWN))
    for note in sorted(set(n for n in result.rows["note"] if "not servable" in n)):
        console.print(Text(note, style="red"))
    if case:
        lines = [f"{k}: {case[k]:,.0f}" if isinstance(case.get(k), float) and abs(case[k]) > 10
                 else f"{k}: {case.get(k)}" for k in CASE_SHOWN]
        console.print(f"business case ({case['currency']} {case['price_year']}, discount rate "
                      f"{case['discount_rate']:.0%}):\n  " + "\n  ".join(lines))
        for w in case.get("warnings", []):
            console.print(Text(str(w), style="yellow"))


def register(app: typer.Typer) -> None:
    """Add ``economics`` to the main app."""
    app.command("economics")(economics)


__all__ = ["economics", "register"]
