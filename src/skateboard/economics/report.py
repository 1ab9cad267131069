"""The economics report directory: ``economics.csv``, ``economics.parquet``, ``business_case.json``
and a self-contained ``report.html`` (figures as inline PNG, no JavaScript), written with the
evaluate report's safe-directory machinery (:mod:`skateboard.report.html`).

Figures: a cost waterfall per market (cost -> ex-works -> landed -> after compliance -> margin),
licence and own-platform NPV against volume, the tornado of the NPV difference, and the
commonality table.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from skateboard.report.files import write_table_safely
from skateboard.report.html import CSS, _check_target, _esc, _figure, _move_into_place


def _steps(r) -> list[tuple[str, float, str]]:
    """(label, amount, kind) of one row's waterfall; kind: total, up, down."""
    comp = 0.0 if not np.isfinite(r["compliance_value"]) else float(r["compliance_value"])
    steps = [("manufacturing cost", r["cost_total"], "total"),
             ("equipment + royalty", r["equipment_cost"] + r["royalty"], "up"),
             ("ex-works", r["ex_works_cost"], "total"),
             ("shipping", r["shipping_cost"], "up"), ("import duty", r["import_duty"], "up"),
             ("landed", r["landed_cost"], "total"), ("compliance value", -comp, "up"),
             ("after compliance", r["landed_cost"] - comp, "total")]
    if np.isfinite(r["price"]):
        steps += [("margin", r["margin_per_vehicle"], "margin"), ("price", r["price"], "total")]
    return steps


def plot_waterfall(rows, market: str) -> Figure:
    """One waterfall per variant sold (or costed) in ``market``."""
    sel = rows[(rows["market"] == market) & rows["servable"]]
    sold = sel[sel["volume"] > 0]
    sel = sold if len(sold) else sel
    fig = Figure(figsize=(12, 3.6), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, max(len(sel), 1), sharey=True))
    for ax, (_, r) in zip(axes, sel.iterrows()):
        level = 0.0
        labels = []
        for i, (label, amount, kind) in enumerate(_steps(r)):
            amount = float(amount) if np.isfinite(amount) else 0.0
            if kind == "total":
                ax.bar(i, amount, color="#4c72b0")
                level = amount
            elif kind == "margin":
                ax.bar(i, amount, bottom=level, color="#55a868" if amount >= 0 else "#c44e52")
            else:
                ax.bar(i, amount, bottom=level, color="#dd8452" if amount >= 0 else "#55a868")
                level += amount
            labels.append(label)
        ax.set_xticks(range(len(labels)), labels, rotation=60, ha="right", fontsize="small")
        ax.set_title(f"{r['variant']} in {market}", fontsize="medium")
        ax.grid(axis="y", alpha=0.3)
    axes[0].set_ylabel(f"{rows['currency'].iloc[0]} per vehicle")
    return fig


def plot_npv_volume(case: dict) -> Figure:
    """Licence and own-platform NPV against the volume (a scale of every yearly volume)."""
    fig = Figure(figsize=(7, 4), layout="constrained")
    ax = fig.subplots()
    total = case["volume_planned"]
    k = np.linspace(0, max(2.0, 1.2 * (case["break_even_volume"] or 0) / max(total, 1)), 50)
    for name, label, colour in (("license", "licence", "#4c72b0"), ("own_platform", "own platform", "#c44e52")):
        a, b = case["npv_linear"][name]
        ax.plot(k * total / 1e3, (a + k * b) / 1e6, color=colour, label=label)
    ax.axhline(0, color="black", lw=0.8)
    ax.axvline(total / 1e3, color="grey", ls="--", lw=0.8, label="planned volume")
    ax.set_xlabel("cars over the plan [thousand] (every year's volume scaled)")
    ax.set_ylabel(f"NPV [million {case['currency']}]")
    ax.set_title("Licence vs own platform: NPV against volume")
    ax.legend(fontsize="small")
    ax.grid(alpha=0.3)
    return fig


def plot_tornado(torn, case: dict) -> Figure:
    """Bars of the NPV difference at each driver's low and high value around the base."""
    fig = Figure(figsize=(7, 3.8), layout="constrained")
    ax = fig.subplots()
    base = case["npv_difference"] / 1e6
    order = torn.iloc[::-1]
    y = np.arange(len(order))
    lo = order["npv_difference_low"].to_numpy() / 1e6 - base
    hi = order["npv_difference_high"].to_numpy() / 1e6 - base
    ax.barh(y, lo, left=base, color="#4c72b0", label="low")
    ax.barh(y, hi, left=base, color="#dd8452", label="high")
    ax.set_yticks(y, [f"{d} ({a:g} / {b:g})" for d, a, b in zip(order["driver"], order["low"], order["high"])])
    ax.axvline(base, color="black", lw=0.8)
    ax.set_xlabel(f"NPV licence - own platform [million {case['currency']}]")
    ax.set_title("Sensitivity of the NPV difference")
    ax.legend(fontsize="small")
    return fig


def _table_html(df, money_cols=()) -> str:
    def fmt(c, v):
        if isinstance(v, (bool, np.bool_)):
            return "yes" if v else "no"
        if isinstance(v, (float, np.floating)):
            if not np.isfinite(v):
                return '<span class="none">&ndash;</span>'
            if c in ("duty_rate", "platform_cost_share"):
                return f"{v:.1%}"
            return f"{v:,.0f}" if abs(v) >= 100 or c in money_cols else f"{v:,.3g}"
        return _esc(v)
    head = "".join(f"<th>{_esc(c)}</th>" for c in df.columns)
    body = "".join("<tr>" + "".join(f"<td>{fmt(c, v)}</td>" for c, v in zip(df.columns, row)) + "</tr>"
                   for row in df.itertuples(index=False))
    return f'<div class="scroll"><table class="results"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'


def render_economics_html(result) -> str:
    rows, case = result.rows, result.business_case
    prog = result.program
    title = f"Economics: {getattr(prog, 'title', None) or getattr(prog, 'name', 'program')}"
    cur = rows["currency"].iloc[0] if len(rows) else ""
    parts = [f"<h1>{_esc(title)}</h1>",
             f'<p class="meta">generated {datetime.now(timezone.utc):%Y-%m-%d %H:%M UTC}; money in '
             f"{_esc(cur)} of {case.get('price_year', '')} per vehicle unless said. The bundled "
             "business figures are assumptions (the real deal's fees are not public).</p>"]
    if case:
        keys = ["npv_license", "npv_own_platform", "npv_difference", "irr_license", "irr_own_platform",
                "payback_year_license", "payback_year_own_platform", "break_even_volume",
                "break_even_volume_vs_own_platform", "volume_planned", "months_earlier",
                "most_sensitive_drivers"]
        items = "".join(f"<tr><td>{_esc(k)}</td><td>{_esc(_show(case.get(k)))}</td></tr>" for k in keys)
        parts.append(f"<h2>Business case</h2><table class='results'>{items}</table>")
        for w in case.get("warnings", []):
            parts.append(f'<p class="note">{_esc(w)}</p>')
    parts.append("<h2>1. Cost waterfall per market</h2>")
    for m in dict.fromkeys(rows["market"]):
        if rows.loc[rows["market"] == m, "landed_cost"].notna().any():
            parts.append(_figure(plot_waterfall(rows, m), f"cost waterfall in {m}",
                                 f"{_esc(m)}: manufacturing cost, market equipment and royalty, ex-works, "
                                 "shipping, import duty, landed cost, compliance value (a credit lowers "
                                 "the bar), and the margin up to the price the maker receives."))
    if case:
        parts.append("<h2>2. Licence vs own platform</h2>" + _figure(
            plot_npv_volume(case), "NPV against volume",
            "NPV of each path when every yearly volume is scaled; the licence line crosses zero at the "
            "break-even volume. The own platform reaches the market "
            f"{case['months_earlier']:g} months later and sells within the same window."))
        if len(result.tornado):
            parts.append("<h2>3. Sensitivity</h2>" + _figure(
                plot_tornado(result.tornado, case), "tornado",
                "NPV difference (licence - own platform) with each driver at its low and high multiplier."))
    parts.append("<h2>4. Commonality</h2>")
    c = result.commonality
    if c:
        parts.append(f"<p>Cost-weighted commonality {c.get('cost_weighted', float('nan')):.1%}, part-count "
                     f"commonality (Martin &amp; Ishii) {c.get('part_count', float('nan')):.2f} across "
                     f"{_esc(', '.join(c.get('variants', [])))} (docs/economics.md).</p>")
    parts.append(_table_html(result.commonality_table, money_cols=tuple(result.commonality_table.columns)))
    parts.append("<h2>5. Table</h2>" + _table_html(rows))
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{_esc(title)}</title>'
            f"<style>{CSS}</style></head><body>" + "\n".join(parts) + "</body></html>\n")


def _show(v):
    if isinstance(v, float):
        return f"{v:,.3f}" if abs(v) < 10 else f"{v:,.0f}"
    return v


def write_economics_report(result, out_dir, *, force: bool = False) -> Path:
    """Write the report files into a new directory (replaced only with ``force``)."""
    from skateboard.jsonsafe import json_nested as clean

    out_dir = Path(out_dir).expanduser().absolute()
    replace = _check_target(out_dir, force)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=out_dir.parent, prefix=f".{out_dir.name}.", suffix=".tmp"))
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o777 & ~umask)
        write_table_safely(result.rows, tmp / "economics.csv")
        write_table_safely(result.rows, tmp / "economics.parquet")
        (tmp / "business_case.json").write_text(json.dumps(clean(result.business_case), indent=2))
        (tmp / "report.html").write_text(render_economics_html(result), encoding="utf-8")
        _move_into_place(tmp, out_dir, replace=replace, force=force)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out_dir


__all__ = ["plot_npv_volume", "plot_tornado", "plot_waterfall", "render_economics_html",
           "write_economics_report"]
