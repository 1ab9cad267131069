"""The report directory: ``results.csv``, ``results.parquet`` and a self-contained ``report.html``.

The HTML needs no network to view: CSS is inline, figures are embedded as base64 PNG, there is
no JavaScript. Nothing a user saved is ever lost: everything is written into a temporary sibling
directory, which is renamed into place only when complete; an existing non-empty directory is
refused unless ``force``, and even then it is removed only after the new one is in place.
"""

from __future__ import annotations

import html
import math
import os
import shutil
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd

from skateboard.errors import SpecError
from skateboard.report import plots, sections
from skateboard.report.files import write_table_safely

REPORT_FILES = ("results.csv", "results.parquet", "report.html")
NONE_HTML = '<span class="none">&ndash;</span>'
TEXT_COLUMNS = ("variant", "powertrain", "market", "procedure", "regulatory_metric", "targets_failed")

#: Decimals per column of the HTML table (others: strings as they are).
DECIMALS = {
    "range_km": 1, "electric_range_km": 1, "label_range_km": 1, "label_range_mi": 1, "mpge": 1,
    "consumption_wh_per_km": 1, "consumption_ac_wh_per_km": 1, "fuel_weighted_l_per_100km": 2,
    "fuel_cs_l_per_100km": 2, "co2_weighted_g_per_km": 1, "co2_cs_g_per_km": 1,
    "accel_0_100_s": 2, "accel_80_120_s": 2, "top_speed_kmh": 1, "range_wltc_minus7c_km": 1,
    "range_wltc_23c_km": 1, "range_wltc_35c_km": 1, "range_wltc_45c_km": 1,
    "dc_charge_10_80_min": 1, "dc_charge_10_80_cold_min": 1, "dc_energy_10min_kwh": 1,
    "dc_energy_20min_kwh": 1, "motorway_range_110_km": 1, "motorway_range_120_km": 1,
    "motorway_range_130_km": 1, "motorway_range_artemis_km": 1, "regulatory_target_g_per_km": 1,
}

CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif;
       margin: 1.5em auto; max-width: 1400px; padding: 0 1em; color: #222; line-height: 1.45; }
h1 { margin-bottom: 0.1em; } h2 { border-bottom: 1px solid #ccc; padding-bottom: 0.2em; margin-top: 1.6em; }
.meta { color: #555; margin-top: 0; }
.meta td { padding: 0 1em 0 0; }
.scroll { overflow-x: auto; }
table.results { border-collapse: collapse; font-size: 0.82em; }
table.results th, table.results td { border: 1px solid #ddd; padding: 0.25em 0.5em; }
table.results th { background: #f3f3f3; position: sticky; top: 0; }
table.results td { text-align: right; white-space: nowrap; }
table.results tbody tr:nth-child(even) { background: #fafafa; }
.pass { background: #d8f0d8; color: #145214; font-weight: 600; padding: 0 0.4em; border-radius: 3px; }
.fail { background: #f7d4d4; color: #8a1010; font-weight: 600; padding: 0 0.4em; border-radius: 3px; }
.none { color: #888; }
figure { margin: 1em 0 2em 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #444; font-size: 0.9em; max-width: 70em; }
.note { color: #666; font-style: italic; }
"""


# --------------------------------------------------------------------------------------------
# the directory
# --------------------------------------------------------------------------------------------

def _is_nonempty_dir(path: Path) -> bool:
    with os.scandir(path) as it:
        return any(True for _ in it)


def _check_target(out_dir: Path, force: bool) -> bool:
    """Refuse unsafe targets; True when an existing non-empty directory will be replaced."""
    if out_dir.is_symlink() or out_dir.exists():
        if not out_dir.is_dir() or out_dir.is_symlink():
            raise SpecError("output path exists and is not a directory; not overwritten", field="--out",
                            value=str(out_dir), allowed="a new directory")
        if _is_nonempty_dir(out_dir):
            if not force:
                raise SpecError("output directory exists; not overwritten", field="--out",
                                value=str(out_dir), allowed="a new directory, or --force")
            real = out_dir.resolve()
            cwd = Path.cwd().resolve()
            protected = {Path(real.anchor), Path.home().resolve()}
            if real in protected or real == cwd or real in cwd.parents:
                raise SpecError("refusing to replace this directory even with --force", field="--out",
                                value=str(out_dir),
                                allowed="a directory that is not the working directory, one of its "
                                        "parents, the home directory or the filesystem root")
            return True
    return False


def write_report(evaluation, out_dir, *, force: bool = False) -> Path:
    """Write ``results.csv``, ``results.parquet`` and ``report.html`` into a new directory.

    Parameters
    ----------
    evaluation : skateboard.evaluation.Evaluation
        The result of :func:`skateboard.evaluation.evaluate`.
    out_dir : path-like
        The directory to create. It may exist only if it is empty, unless ``force``.
    force : bool
        Replace an existing non-empty directory (removed only once the new one is complete).

    Returns
    -------
    Path
        ``out_dir``.

    Raises
    ------
    SpecError
        ``out_dir`` exists and is not empty (without ``force``), or is not a directory.
    """
    out_dir = Path(out_dir).expanduser().absolute()
    replace = _check_target(out_dir, force)
    try:
        return _write_report(evaluation, out_dir, replace=replace, force=force)
    except OSError as exc:  # a folder that cannot be created or written (/proc, read-only)
        raise SpecError(f"cannot write the report: {exc.strerror or str(exc)[:80] or type(exc).__name__}",
                        field="--out", value=str(out_dir),
                        allowed="a new directory in a writable folder") from None


def _write_report(evaluation, out_dir: Path, *, replace: bool, force: bool) -> Path:
    parent = out_dir.parent
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=parent, prefix=f".{out_dir.name}.", suffix=".tmp"))
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o777 & ~umask)  # mkdtemp makes it 0700; give it a normal directory's mode
        write_report_files(evaluation, tmp)
        _move_into_place(tmp, out_dir, replace=replace, force=force)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out_dir


def _move_into_place(tmp: Path, out_dir: Path, *, replace: bool, force: bool) -> None:
    if not replace:
        try:
            # onto a missing path or an empty directory: one atomic rename (POSIX)
            os.replace(tmp, out_dir)
            return
        except OSError:
            if not (out_dir.is_dir() and not out_dir.is_symlink()):
                raise
            if _is_nonempty_dir(out_dir):
                if not force:  # someone filled it meanwhile
                    raise SpecError("output directory exists; not overwritten", field="--out",
                                    value=str(out_dir), allowed="a new directory, or --force") from None
            else:  # an empty directory where rename-over is not allowed (Windows)
                out_dir.rmdir()
                os.replace(tmp, out_dir)
                return
    # replace a non-empty directory: move it aside, move the new one in, then delete the old one
    backup = Path(tempfile.mkdtemp(dir=out_dir.parent, prefix=f".{out_dir.name}.", suffix=".old"))
    backup.rmdir()
    os.replace(out_dir, backup)
    try:
        os.replace(tmp, out_dir)
    except BaseException:
        os.replace(backup, out_dir)
        raise
    if backup.is_symlink():
        backup.unlink()
    else:
        shutil.rmtree(backup, ignore_errors=True)


def write_report_files(evaluation, directory: Path) -> None:
    """Write the three report files into an existing (temporary) directory."""
    directory = Path(directory)
    t0 = time.perf_counter()
    write_table_safely(evaluation.table, directory / "results.csv")
    write_table_safely(evaluation.table, directory / "results.parquet")
    page = render_html(evaluation, started=t0)
    (directory / "report.html").write_text(page, encoding="utf-8")


# --------------------------------------------------------------------------------------------
# the page
# --------------------------------------------------------------------------------------------

def _esc(value) -> str:
    return html.escape(str(value), quote=True)


def _format_number(col: str):
    digits = DECIMALS.get(col)

    def fmt(v):
        if _is_missing(v):
            return NONE_HTML
        if col == "energy_audit_residual":
            return f"{float(v):.1e}"
        if digits is not None:
            return f"{float(v):,.{digits}f}"
        return _esc(v)
    return fmt


def _is_missing(v) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))


def _format_text(v) -> str:
    return NONE_HTML if _is_missing(v) or v == "" else _esc(v)


def _format_target(v) -> str:
    if v is True or (isinstance(v, (bool, np.bool_)) and bool(v)):
        return '<span class="pass">pass</span>'
    if v is False or (isinstance(v, (bool, np.bool_)) and not bool(v)):
        return '<span class="fail">FAIL</span>'
    return '<span class="none" title="no targets set">&ndash;</span>'


def results_table_html(table: pd.DataFrame) -> str:
    """The evaluation table as HTML: numbers rounded, NaN as a dash, targets pass/FAIL coloured."""
    shown = pd.DataFrame(index=table.index)
    for col in table.columns:
        if col == "targets_met":
            fmt = _format_target
        elif col in DECIMALS or col == "energy_audit_residual":
            fmt = _format_number(col)
        else:
            fmt = _format_text
        # cells are pre-rendered (and escaped) here, so to_html never sees a None/NaN of its own
        shown[_esc(col)] = [fmt(v) for v in table[col].tolist()]
    return shown.to_html(index=False, escape=False, border=0, classes="results")


def results_table_css(table: pd.DataFrame) -> str:
    """CSS left-aligning the text columns (to_html gives cells no class; select them by position)."""
    text = [i + 1 for i, c in enumerate(table.columns) if c in TEXT_COLUMNS]
    return "\n".join(f"table.results td:nth-child({i}) {{ text-align: left; }}" for i in text)


def _variants_of(evaluation) -> list:
    prog = getattr(evaluation, "program", None)
    wanted = list(dict.fromkeys(evaluation.table["variant"]))
    found = {v.name: v for v in getattr(prog, "variants", None) or []}
    return [found[n] for n in wanted if n in found]


def _figure(fig, alt: str, caption: str) -> str:
    uri = plots.figure_to_data_uri(fig)
    return (f'<figure><img alt="{_esc(alt)}" src="{uri}">'
            f"<figcaption>{caption}</figcaption></figure>")


def render_html(evaluation, *, started: float | None = None) -> str:
    """The whole self-contained report page as a string."""
    started = time.perf_counter() if started is None else started
    table = evaluation.table
    prog = getattr(evaluation, "program", None)
    name = getattr(prog, "name", None) or "program"
    title = getattr(prog, "title", None) or name
    variants = _variants_of(evaluation)
    markets = list(dict.fromkeys(table["market"]))

    parts = []
    parts.append("<h2>5. Range by market and climate</h2>" + _figure(
        plots.plot_range(evaluation), "range by market and climate",
        "Left: headline range [km] of each variant under each market's procedure; for range-extended "
        "variants the bar is the total (electric + fuel) range and the hatched part the electric range. "
        "Right: electric range [km] on repeated WLTC class 3b cycles at each ambient temperature [°C], "
        "with the HVAC load and pack temperature of that climate."))

    if variants:
        parts.append("<h2>6. Consumption breakdown by energy sink</h2>" + _figure(
            plots.plot_consumption_breakdown(variants), "consumption breakdown",
            f"Where the battery's electrochemical energy goes over one {plots.CYCLE} run, in Wh per km "
            "driven (the stack adds up to the battery energy per km). The green bar is the energy "
            "recovered by regenerative braking during the same run; it was stored and spent again, so it "
            f"is not part of the stack. Sinks below {plots.NEGLIGIBLE_WH_PER_KM} Wh/km in every variant "
            "(e.g. grade on a flat cycle) are omitted."))

        parts.append("<h2>7. DC fast charging</h2>" + _figure(
            plots.plot_charging(variants), "DC charging power over SOC",
            "Power the pack accepts [kW] over the displayed state of charge at 23 °C (solid) and with "
            "the pack cold-soaked at −7 °C (dashed): the pack's declared curve, or its peak power "
            "times the default shape (docs/results.md). Shaded: the 10–80 % window of "
            "<code>dc_charge_10_80_min</code>."))

        erevs = [v for v in variants if v.powertrain == "EREV"]
        if erevs:
            body = "<h2>8. SOC and range-extender operation (EREV)</h2>"
            for v in erevs:
                body += _figure(
                    plots.plot_erev_operation(v), f"SOC and engine power of {v.name}",
                    f"{_esc(v.name)}: {plots.EREV_REPEATS} back-to-back {plots.CYCLE} cycles from a full "
                    "charge: charge-depleting (engine off) until the SOC reaches the sustaining level, then "
                    "charge-sustaining. Top: state of charge [%]; bottom: range-extender (engine-generator) "
                    "power and battery terminal power [kW].")
            parts.append(body)

        body = "<h2>9. Speed traces</h2>"
        quiet = []
        for v, tr in zip(variants, plots.speed_traces(variants)):
            n_miss = int(plots.trace_misses(tr).sum())
            if not n_miss:  # nothing to see: say so in one line instead of a plot
                quiet.append(v.name)
                continue
            status = f"{n_miss} steps of trace misses"
            body += _figure(
                plots.plot_speed_trace(v.name, tr), f"speed trace of {v.name}: {status}",
                f"{_esc(v.name)}: target (dashed) and achieved speed [km/h] over one {plots.CYCLE}; red "
                f"points mark steps where the vehicle fell more than {plots.MISS_TOLERANCE_KMH:g} km/h below "
                f"the target (trace misses). <strong>{_esc(status.capitalize())}.</strong>")
        if quiet:
            body += (f'<p class="note">No trace misses over one {plots.CYCLE} for '
                     f"{_esc(', '.join(quiet))} (their plots are left out).</p>")
        parts.append(body)
    else:
        parts.append('<p class="note">The variants of this evaluation are not available '
                     "(no program attached), so the simulation plots are omitted.</p>")
    sections_html = parts

    n_fail = int((table["targets_met"] == False).sum())  # noqa: E712
    n_pass = int((table["targets_met"] == True).sum())  # noqa: E712
    targets = (f"{n_pass} row(s) meet their targets, {n_fail} fail."
               if n_pass or n_fail else "No targets set for these variants.")
    build_s = time.perf_counter() - started
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    try:
        from importlib.metadata import version
        ver = version("skateboard-ev")
    except Exception:  # noqa: BLE001 - not installed (run from source)
        ver = "source"

    head = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_esc(title)} - skateboard report</title>
<style>{CSS}{sections.CSS}{results_table_css(table)}
</style>
</head>
<body>
<h1>{_esc(title)}</h1>
<table class="meta">
<tr><td>program</td><td><code>{_esc(name)}</code></td></tr>
<tr><td>variants</td><td>{_esc(", ".join(dict.fromkeys(table["variant"])))}</td></tr>
<tr><td>markets</td><td>{_esc(", ".join(markets))}</td></tr>
<tr><td>run time</td><td>evaluation {evaluation.seconds:.2f} s; report {build_s:.2f} s</td></tr>
<tr><td>generated</td><td>{now}, skateboard {_esc(ver)}</td></tr>
<tr><td>targets</td><td>{_esc(targets)}</td></tr>
</table>

<h2>1. Targets: variant × market</h2>
{sections.matrix_html(table)}
<p class="note">Failed targets are named in each cell (hover for the values); the names are listed
in docs/results.md.</p>

<h2>2. Warnings</h2>
{sections.warnings_html(getattr(evaluation, "warnings", None))}

<h2>3. Inputs used</h2>
<p>The values the procedures used, per variant: test masses of each procedure, road-load
coefficients at the WLTP test mass, pack and drive units; <code>defaulted</code> lists the values no
file gave (their defaults are in docs/spec.md).</p>
{sections.inputs_html(getattr(evaluation, "inputs", None))}

<h2>4. Results</h2>
<p><b>How to read.</b> Each row is one variant in one market under that market's headline test procedure (column
<code>procedure</code>). Units are in the column names; every column has one meaning, listed with its
meaning per market in docs/results.md: <code>range_km</code> is the homologated range of the
procedure (the EPA label range in the US), <code>label_range_km</code>/<code>_mi</code> and
<code>mpge</code> the US label, <code>_weighted_</code> the utility-factor (or NEDC) weighted fuel and
CO<sub>2</sub>, <code>_cs_</code> the charge-sustaining ones, <code>range_wltc_&lt;t&gt;c_km</code> the
electric range on WLTC class 3b at that ambient temperature (HVAC on), a dash where the market or
procedure does not define the figure. The same table is in <code>results.csv</code> and
<code>results.parquet</code> beside this file.</p>
{sections.results_tables_html(table, results_table_html)}
"""
    return head + "\n".join(sections_html) + "\n</body>\n</html>\n"
