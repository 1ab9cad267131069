"""What every command of the `skateboard` CLI shares: the typer app, the consoles, the global
options, table and JSON output, and small argument helpers. Command modules import from
here, never from each other."""

from __future__ import annotations

import json
import math
import os
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from skateboard.errors import SpecError
from skateboard.jsonsafe import short_number

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Simulate EV platforms and derivatives across test procedures and markets.")
# markup=False: names, paths and values from the user's files are printed as they are, never
# read as rich markup ("[/x]" in a variant name must not break or restyle the output).
console = Console(markup=False)
if not console.is_terminal:  # piped or captured: do not squeeze tables into 80 columns
    console = Console(width=220, markup=False)
err_console = Console(stderr=True, markup=False)

#: Short column labels for tables on screen (files and JSON keep the full unit-suffixed names).
LABELS = {"range_km": "range\nkm", "electric_range_km": "e-range\nkm",
          "label_range_mi": "label\nrange mi", "mpge": "MPGe",
          "consumption_wh_per_km": "DC\nWh/km", "consumption_ac_wh_per_km": "AC\nWh/km",
          "fuel_weighted_l_per_100km": "fuel wtd\nl/100km", "fuel_cs_l_per_100km": "fuel CS\nl/100km",
          "co2_weighted_g_per_km": "CO2 wtd\ng/km", "co2_cs_g_per_km": "CO2 CS\ng/km",
          "accel_0_100_s": "0-100\ns", "accel_80_120_s": "80-120\ns", "top_speed_kmh": "vmax\nkm/h",
          "range_wltc_minus7c_km": "WLTC -7°C\nkm", "range_wltc_23c_km": "WLTC 23°C\nkm",
          "range_wltc_35c_km": "WLTC 35°C\nkm", "range_wltc_45c_km": "WLTC 45°C\nkm",
          "dc_charge_10_80_min": "DC 10-80%\nmin", "dc_charge_10_80_cold_min": "DC 10-80%\ncold min",
          "dc_energy_10min_kwh": "kWh in\n10 min", "dc_energy_20min_kwh": "kWh in\n20 min",
          "motorway_range_110_km": "110 km/h\nkm", "motorway_range_120_km": "120 km/h\nkm",
          "motorway_range_130_km": "130 km/h\nkm", "motorway_range_artemis_km": "Artemis mw\nkm",
          "targets_met": "targets", "distance_km": "distance\nkm", "soc_end": "SOC\nend",
          "fuel_l": "fuel\nl", "trace_miss_s": "trace\nmiss s", "energy_audit_residual": "audit\nresidual"}

DEFAULT_PROGRAM = "hongqi-on-b10"


@app.callback()
def _global_options(
    root: Optional[str] = typer.Option(
        None, "--root", metavar="DIR",
        help="Workspace root: program, derivative, platform and cycle files must lie inside it "
        "(default: $SKATEBOARD_ROOT, else the current directory). Bundled names always work."),
) -> None:
    """Simulate EV platforms and derivatives across test procedures and markets."""
    from skateboard.workspace import set_workspace_root, workspace_root

    if root is not None:
        set_workspace_root(root)
    workspace_root()  # a root that is not a directory is an error now, whatever the command
    _check_environment()


def _check_environment() -> None:
    """Environment values that would otherwise fail deep inside a run (issue 17: no
    environment value ends in an internal error)."""
    threads = os.environ.get("NUMBA_NUM_THREADS", "").strip()
    try:
        bad = bool(threads) and int(threads) < 1
    except ValueError:  # Numba ignores a value that is not an integer
        bad = False
    if bad:
        raise SpecError("Numba needs at least one thread", field="NUMBA_NUM_THREADS",
                        value=threads, allowed="a positive integer, or unset (one per core)")


def print_json(rows) -> None:
    from skateboard.jsonsafe import json_records

    typer.echo(json.dumps(json_records(rows), indent=2, default=str))


def _fmt(v) -> str:
    if isinstance(v, float):
        return short_number(v) if math.isfinite(v) else "-"
    return str(v)


def rich_table(title: str, rows: list[dict], columns: list[str] | None = None) -> Table:
    columns = columns or (list(rows[0]) if rows else [])
    table = Table(title=title, header_style="bold")
    for c in columns:
        table.add_column(LABELS.get(c, c), justify="left" if c in ("variant", "name", "market", "procedure", "cycle", "input") else "right")
    for r in rows:
        table.add_row(*[_fmt(r.get(c)) for c in columns])
    return table


#: Help of every --vary option (sweep and optimise).
VARY_HELP = ("FIELD=SPEC, repeatable. FIELD is <variant>.<path>, e.g. "
             "hongqi-b10-bev.top_hat.drag_coefficient, hongqi-b10-bev.top_hat.curb_mass, "
             "hongqi-b10-bev.pack, hongqi-b10-bev.wheels, hongqi-b10-bev.aux_power, "
             "hongqi-b10-bev.drive_units.rear.peak_power (docs/sweep.md lists all). SPEC is a range "
             "LOW..HIGH[:STEPS] ('0.26..0.32:7', '\"1.7 t\"..\"1900 kg\":5') or a list "
             "'{a,b}' / 'a|b'. Quote it in the shell (braces and | are shell syntax).")


def split_list(items: Optional[list[str]]) -> Optional[list[str]]:
    out = [x.strip() for item in (items or []) for x in item.split(",") if x.strip()]
    return out or None
