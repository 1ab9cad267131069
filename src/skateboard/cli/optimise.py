"""``skateboard optimise`` and ``skateboard platform-options``: thin wrappers over
:mod:`skateboard.optimise`. ``skateboard.cli`` adds them to its app with :func:`register`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import numpy as np
import typer

from skateboard.cli.common import VARY_HELP
from skateboard.cli.common import split_list as _split
from skateboard.api import optimise_settings as S


def _amounts(items: Optional[list[str]]) -> dict:
    from skateboard.errors import SpecError

    out = {}
    for text in _split(items) or []:
        if "=" not in text:
            raise SpecError("expected KIND=AMOUNT", field="--fixed-cost", value=text,
                            allowed="packs=15e6, drive_units=10e6")
        k, v = (t.strip() for t in text.split("=", 1))
        try:
            out[k] = float(v)
        except ValueError:
            raise SpecError("not a number", field=f"--fixed-cost {k}", value=v) from None
    return out


def optimise(
    program: str = typer.Argument(..., help="Program file or bundled name (e.g. hongqi-on-b10)."),
    variant: Optional[str] = typer.Option(None, "--variant", "-v",
                                          help="The derivative to optimise (then FIELD may omit "
                                          "its name)."),
    vary: Optional[list[str]] = typer.Option(None, "--vary", help=VARY_HELP + " A range without "
                                             ":STEPS is continuous; with it, or a list, discrete."),
    objective: Optional[list[str]] = typer.Option(None, "--objective", "-o",
                                                  help="min:COLUMN or max:COLUMN, with @MARKET "
                                                  "for a column that differs between markets "
                                                  "(repeatable), e.g. min:cost_total, "
                                                  "max:range_km@eu, min:accel_0_100_s."),
    markets: Optional[list[str]] = typer.Option(None, "--markets", "-m",
                                                help="Markets whose targets must be met "
                                                "(default: those the objectives name, else eu)."),
    population: int = typer.Option(S.POPULATION, "--population", help="Individuals per generation."),
    generations: int = typer.Option(S.GENERATIONS, "--generations", help="At most this many generations."),
    patience: int = typer.Option(S.PATIENCE, "--patience", help="Stop after this many generations "
                                 "without a better front."),
    seed: int = typer.Option(0, "--seed", help="Seed of the genetic algorithm."),
    out: Optional[Path] = typer.Option(None, "--out", help="Write Parquet, CSV, a plot and an "
                                       "HTML page into this new directory."),
    force: bool = typer.Option(False, "--force", help="Replace a non-empty --out directory."),
    as_json: bool = typer.Option(False, "--json", help='Print {"best", "pareto", '
                                 '"evaluations", "seconds", ...}.'),
) -> None:
    """The best variants of a derivative for the program's targets (pymoo; one batch per
    generation)."""
    from skateboard.cli.common import console, rich_table
    from skateboard.api import optimise as run
    from skateboard.api import optimise_json, write_optimise

    result = run(program, vary or [], objective or [], variant=variant, markets=_split(markets),
                 population=population, generations=generations, patience=patience, seed=seed)
    if out is not None:
        path = write_optimise(result, out, force=force)
    if as_json:
        typer.echo(json.dumps(optimise_json(result), indent=2, default=str))
        return
    objs = [o.wide for o in result.objectives]
    from skateboard.api import TARGET_FIELDS
    from skateboard.api import market_dependent_columns

    dependent = market_dependent_columns()
    targeted = [(m.replace("-", "_") + "_" + TARGET_FIELDS[k][0]) if TARGET_FIELDS[k][0] in dependent
                else TARGET_FIELDS[k][0] for m, t in result.targets.items() for k in t]
    show = list(dict.fromkeys([*result.parameter_columns, *objs, *targeted, "targets_met",
                               "targets_failed"]))
    title = ("Pareto set" if len(objs) > 1 else "best") + (
        "" if result.feasible_found else " (NO variant meets the targets: least violation)")
    table = result.pareto[[c for c in show if c in result.pareto]]
    if len(table) > 12:  # an even spread along the first objective
        table = table.iloc[np.unique(np.linspace(0, len(table) - 1, 12).round().astype(int))]
        title += f", 12 of {len(result.pareto)} shown (all in --out / --json)"
    console.print(rich_table(f"optimise {result.variant}: {title}", table.to_dict("records")))
    grid = f" (a full grid has {result.grid_size})" if result.grid_size else ""
    console.print(f"{result.evaluations} evaluations{grid}, {result.generations} generations, "
                  f"front unchanged since generation {result.converged_generation}, "
                  f"{result.seconds:.1f} s; targets in {', '.join(result.markets)}")
    if out is not None:
        console.print(f"written to {path}")


def platform_options(
    program: str = typer.Argument(..., help="Program file or bundled name (e.g. hongqi-on-b10)."),
    candidates: Optional[list[str]] = typer.Option(None, "--candidates",
                                                   help="packs=40kwh,56kwh,... (platform pack "
                                                   "names or gross energies) and/or "
                                                   "drive_units=150kw,200kw (total peak power)."),
    max_options: int = typer.Option(3, "--max-options", "-k",
                                    help="At most K offered options of each kind."),
    markets: Optional[list[str]] = typer.Option(None, "--markets", "-m",
                                                help="Markets (default: the program's)."),
    variants: Optional[list[str]] = typer.Option(None, "--variants",
                                                 help="Derivatives (default: all the program's)."),
    volume: Optional[list[str]] = typer.Option(None, "--volume",
                                               help="VARIANT@MARKET=UNITS (repeatable)."),
    fixed_cost: Optional[list[str]] = typer.Option(None, "--fixed-cost",
                                                   help="packs=AMOUNT, drive_units=AMOUNT: fixed "
                                                   "cost of offering one option."),
    out: Optional[Path] = typer.Option(None, "--out", help="Write Parquet, CSV, a plot and an "
                                       "HTML page into this new directory."),
    force: bool = typer.Option(False, "--force", help="Replace a non-empty --out directory."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Which packs (and drive-unit ratings) the platform should offer: exact MILP selection."""
    from skateboard.cli.common import console, rich_table
    from skateboard.api import platform_json, write_platform
    from skateboard.api import platform_options as run

    result = run(program, candidates or [], max_options=max_options,
                 markets=_split(markets), variants=_split(variants), volumes=volume or [],
                 fixed_costs=_amounts(fixed_cost))
    if out is not None:
        path = write_platform(result, out, force=force)
    if as_json:
        typer.echo(json.dumps(platform_json(result), indent=2, default=str))
        return
    console.print(rich_table(f"platform-options {result.program}: cost for K = 1 .. "
                             f"{max_options}", result.by_k.to_dict("records")))
    cols = [c for c in ("variant", "market", "pack", "drive_unit", "unit_cost", "volume",
                        "range_km", "electric_range_km", "accel_0_100_s")
            if c in result.assignments]
    console.print(rich_table(f"chosen: {json.dumps(result.chosen.offered)}, total "
                             f"{result.chosen.total_cost:,.0f}",
                             result.assignments[cols].to_dict("records")))
    for n in result.notes:
        console.print(n)
    console.print(f"{result.evaluations} variant x market evaluations in {result.seconds:.1f} s")
    if out is not None:
        console.print(f"written to {path}")


def register(app: typer.Typer) -> None:
    """Add ``optimise`` and ``platform-options`` to the main app."""
    app.command("optimise")(optimise)
    app.command("platform-options")(platform_options)


__all__ = ["optimise", "platform_options", "register"]
