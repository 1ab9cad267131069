"""Files, plots and a small HTML page for ``optimise`` and ``platform-options`` results.

Figures are built without pyplot (as :mod:`skateboard.report.plots`), tables written with
:func:`skateboard.report.files.write_table_safely` (atomic)."""

from __future__ import annotations

import html
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from skateboard.errors import SpecError
from skateboard.jsonsafe import json_records, json_value


def prepare_directory(out: str | Path, *, force: bool) -> Path:
    """A new (or empty) output directory; an existing non-empty one only with ``force``."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise SpecError("exists and is not a directory", field="--out", value=str(out))
    if out.exists() and any(out.iterdir()):
        if not force:
            raise SpecError("directory is not empty; not overwritten", field="--out",
                            value=str(out), allowed="a new or empty directory, or --force")
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    return out


def _axis_label(o) -> str:
    return f"{o.label} ({'lower' if o.sense == 'min' else 'higher'} is better)"


def plot_optimise(result) -> Figure:
    """Two or more objectives: the first two of every evaluated individual (feasible grey,
    infeasible red crosses) with the Pareto set; one objective: the best feasible value per
    generation."""
    fig = Figure(figsize=(7.5, 5.0))
    ax = fig.add_subplot()
    objs = result.objectives
    ev = result.evaluated
    if len(objs) >= 2:
        x, y = objs[0].wide, objs[1].wide
        feas = ev["targets_met"].to_numpy(dtype=bool)
        ax.scatter(ev.loc[~feas, x], ev.loc[~feas, y], marker="x", color="#e8a0a0", s=18,
                   label="evaluated, misses a target")
        ax.scatter(ev.loc[feas, x], ev.loc[feas, y], color="#9a9a9a", s=14,
                   label="evaluated, meets the targets")
        if result.feasible_found:
            front = result.pareto.sort_values(x)
            ax.plot(front[x], front[y], "o-", color="#1f5fa8", label="Pareto set")
        ax.set_xlabel(_axis_label(objs[0]))
        ax.set_ylabel(_axis_label(objs[1]))
        ax.set_title(f"{result.variant}: Pareto set ({result.evaluations} evaluations)")
    else:
        h = result.history
        ax.plot(h["generation"], h["best"], "o-", color="#1f5fa8")
        ax.set_xlabel("generation")
        ax.set_ylabel(f"best feasible {objs[0].wide}")
        ax.set_title(f"{result.variant}: {objs[0].label} ({result.evaluations} evaluations)")
    ax.grid(alpha=0.3)
    if len(objs) >= 2:
        ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_platform(result) -> Figure:
    """Total program cost for K = 1 .. Kmax offered options (fixed and variable parts)."""
    fig = Figure(figsize=(7.0, 4.5))
    ax = fig.add_subplot()
    b = result.by_k
    ok = b["total_cost"].notna()
    ax.bar(b.loc[ok, "k"], b.loc[ok, "variable_cost"] / 1e6, color="#1f5fa8",
           label="volume x unit cost")
    ax.bar(b.loc[ok, "k"], b.loc[ok, "fixed_cost"] / 1e6, bottom=b.loc[ok, "variable_cost"] / 1e6,
           color="#e0a040", label="fixed cost of the offered options")
    for _, r in b.iterrows():
        text = "no cover" if not np.isfinite(r["total_cost"]) else \
            " / ".join(str(r[f]) for f in result.fixed_cost if f in r)
        top = r["total_cost"] / 1e6 if np.isfinite(r["total_cost"]) else 0.0
        ax.annotate(text, (r["k"], top), ha="center", va="bottom", fontsize=8)
    ax.set_xlabel("K: at most this many options of each kind")
    ax.set_ylabel(f"total program cost [million, {result.cost_column}]")
    ax.set_xticks(b["k"])
    ax.set_title(f"{result.program}: cost against the number of platform options")
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    return fig


def _page(title: str, figure: Figure, tables: list[tuple[str, pd.DataFrame]], facts: dict) -> str:
    from skateboard.report.plots import figure_to_data_uri

    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}"
             "</title><style>body{font-family:sans-serif;margin:2em;max-width:1400px}"
             "table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ccc;"
             "padding:2px 6px;text-align:right}div.t{overflow-x:auto}</style></head><body>",
             f"<h1>{html.escape(title)}</h1><ul>"]
    parts += [f"<li><b>{html.escape(str(k))}</b>: {html.escape(str(v))}</li>" for k, v in facts.items()]
    parts.append(f"</ul><img alt='{html.escape(title)}' src='{figure_to_data_uri(figure)}'>")
    for name, df in tables:
        parts.append(f"<h2>{html.escape(name)}</h2><div class='t'>"
                     + df.to_html(index=False, na_rep="-", float_format=lambda v: f"{v:.4g}")
                     + "</div>")
    parts.append("</body></html>")
    return "".join(parts)


def optimise_json(result) -> dict:
    return {"best": {k: json_value(v) for k, v in (result.best or {}).items()},
            "pareto": json_records(result.pareto), "evaluations": result.evaluations,
            "seconds": result.seconds, "generations": result.generations,
            "converged_generation": result.converged_generation,
            "grid_size": result.grid_size, "feasible": result.feasible_found,
            "objectives": [o.label for o in result.objectives], "markets": result.markets,
            "targets": result.targets}


def write_optimise(result, out: str | Path, *, force: bool = False) -> Path:
    """``optimise.parquet`` / ``.csv`` (the Pareto set or the best), ``evaluated.parquet``
    (every individual), ``history.csv``, ``pareto.png``, ``report.html``, ``result.json``."""
    from skateboard.report.files import write_table_safely

    out = prepare_directory(out, force=force)
    write_table_safely(result.pareto, out / "optimise.parquet")
    write_table_safely(result.pareto, out / "optimise.csv")
    write_table_safely(result.evaluated, out / "evaluated.parquet")
    write_table_safely(result.history, out / "history.csv")
    fig = plot_optimise(result)
    fig.savefig(out / "pareto.png", dpi=100)
    facts = {"program": result.program, "variant": result.variant,
             "objectives": ", ".join(o.label for o in result.objectives),
             "markets (targets checked)": ", ".join(result.markets),
             "targets": json.dumps(result.targets), "evaluations": result.evaluations,
             "generations": result.generations, "seconds": f"{result.seconds:.1f}",
             "feasible variant found": result.feasible_found}
    (out / "report.html").write_text(_page(f"optimise: {result.program} / {result.variant}", fig,
                                           [("Pareto set / best", result.pareto)], facts))
    (out / "result.json").write_text(json.dumps(optimise_json(result), indent=2, default=str))
    return out


def platform_json(result) -> dict:
    s = result.chosen
    return {"chosen": s.offered, "total_cost": s.total_cost, "variable_cost": s.variable_cost,
            "fixed_cost": s.fixed_cost, "cost_column": result.cost_column,
            "assignments": json_records(result.assignments), "by_k": json_records(result.by_k),
            "markets": result.markets, "evaluations": result.evaluations,
            "seconds": result.seconds, "notes": result.notes}


def write_platform(result, out: str | Path, *, force: bool = False) -> Path:
    """``assignments``, ``by_k`` and ``candidates`` as Parquet + CSV, ``cost_by_k.png``,
    ``report.html``, ``result.json``."""
    from skateboard.report.files import write_table_safely

    out = prepare_directory(out, force=force)
    for name, df in (("assignments", result.assignments), ("by_k", result.by_k),
                     ("candidates", result.candidates)):
        write_table_safely(df, out / f"{name}.parquet")
        write_table_safely(df, out / f"{name}.csv")
    fig = plot_platform(result)
    fig.savefig(out / "cost_by_k.png", dpi=100)
    facts = {"program": result.program, "markets": ", ".join(result.markets),
             "chosen": json.dumps(result.chosen.offered),
             "total cost": f"{result.chosen.total_cost:,.0f}",
             "evaluations": result.evaluations, **{f"note {i + 1}": n for i, n in
                                                    enumerate(result.notes)}}
    (out / "report.html").write_text(_page(f"platform-options: {result.program}", fig,
                                           [("Cost for K = 1 .. Kmax", result.by_k),
                                            ("Assignments", result.assignments)], facts))
    (out / "result.json").write_text(json.dumps(platform_json(result), indent=2, default=str))
    return out


__all__ = ["optimise_json", "platform_json", "plot_optimise", "plot_platform",
           "write_optimise", "write_platform"]
