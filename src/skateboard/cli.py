"""The `skateboard` command line: one typer app; it only calls the public Python API."""

from __future__ import annotations

import json
import math
import os
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from skateboard.errors import SpecError

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Simulate EV platforms and derivatives across test procedures and markets.")
console = Console()
err_console = Console(stderr=True)

DEFAULT_PROGRAM = "hongqi-on-b10"


def _json_default(o):
    if hasattr(o, "item"):
        return o.item()
    return str(o)


def _clean(value):
    """JSON-safe value: NaN -> None, numpy scalars -> Python."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def print_json(rows) -> None:
    typer.echo(json.dumps([{k: _clean(v) for k, v in r.items()} for r in rows], indent=2,
                          default=_json_default))


def _fmt(v) -> str:
    if isinstance(v, float):
        if not math.isfinite(v):
            return "-"
        return f"{v:,.3g}" if abs(v) < 10 else f"{v:,.1f}"
    return str(v)


def rich_table(title: str, rows: list[dict], columns: list[str] | None = None) -> Table:
    columns = columns or (list(rows[0]) if rows else [])
    table = Table(title=title, header_style="bold")
    for c in columns:
        table.add_column(c, justify="left" if c in ("variant", "name", "market", "procedure", "cycle") else "right")
    for r in rows:
        table.add_row(*[_fmt(r.get(c)) for c in columns])
    return table


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

    rows, frames = simulate_program(program or DEFAULT_PROGRAM, variants=variant, cycle=cycle,
                                    record=timeseries is not None)
    if timeseries is not None:
        from skateboard.report.files import write_table_safely
        write_table_safely(frames, timeseries, force=force)
    if as_json:
        print_json(rows)
        return
    cols = ["variant", "cycle", "distance_km", "consumption_wh_per_km", "consumption_ac_wh_per_km",
            "soc_end", "fuel_l", "trace_miss_s", "energy_audit_residual"]
    console.print(rich_table(f"simulate: {program or DEFAULT_PROGRAM} over {cycle}", rows, cols))
    for r in rows:
        sinks = {k[7:-2]: r[k] / 3.6e6 for k in r if k.startswith("energy_") and k.endswith("_j")}
        text = ", ".join(f"{k} {v:.3f}" for k, v in sinks.items() if abs(v) > 5e-4)
        console.print(f"[bold]{r['variant']}[/] energy by sink [kWh]: {text}")


@app.command()
def platforms() -> None:
    """List the bundled platforms, derivatives and programs."""
    from skateboard import spec

    rows = []
    for name in spec.list_platforms():
        p = spec.load_platform(name)
        rows.append({"kind": "platform", "name": name, "title": getattr(p, "title", "") or ""})
    for name in spec.list_derivatives():
        rows.append({"kind": "derivative", "name": name, "title": ""})
    for name in spec.list_programs():
        rows.append({"kind": "program", "name": name, "title": ""})
    console.print(rich_table("bundled specifications", rows, ["kind", "name", "title"]))


@app.command()
def cycles() -> None:
    """List the bundled drive cycles with duration, distance, maximum speed and phases."""
    from skateboard.cycles import cycle_table

    df = cycle_table()
    console.print(rich_table("bundled drive cycles", df.to_dict("records")))


def main() -> None:
    """Console entry point: bad input prints one line and exits 2, never a traceback."""
    try:
        app(standalone_mode=False)
    except SpecError as exc:
        err_console.print(f"[red]error:[/] {exc.one_line()}", highlight=False, soft_wrap=True)
        sys.exit(2)
    except (typer.Abort, KeyboardInterrupt):
        err_console.print("aborted")
        sys.exit(130)
    except SystemExit:
        raise
    except Exception as exc:  # noqa: BLE001 - the CLI never shows a traceback unless asked
        import click

        if isinstance(exc, click.exceptions.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        if isinstance(exc, click.exceptions.Exit):
            sys.exit(exc.exit_code)
        if os.environ.get("SKATEBOARD_DEBUG"):
            raise
        err_console.print(f"[red]internal error:[/] {type(exc).__name__}: {exc} "
                          "(set SKATEBOARD_DEBUG=1 for the traceback)", highlight=False, soft_wrap=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
