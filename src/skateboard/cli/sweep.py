"""``skateboard sweep`` and ``skateboard sweep-summary``: thin wrappers over
:mod:`skateboard.explore`. ``skateboard.cli`` adds them to its app with :func:`register`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from skateboard.cli.common import VARY_HELP
from skateboard.cli.common import split_list as _split


class RateColumn(ProgressColumn):
    """Variants per second, from rich's speed estimate."""

    def render(self, task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("-- variants/s" if speed is None else f"{speed:,.0f} variants/s",
                    style="progress.data.speed")


class _Bar:
    """``progress(done, total)`` callback drawing a rich progress bar on stderr."""

    def __init__(self, console: Console, label: str):
        self.progress = Progress(TextColumn("[bold]{task.description}"), BarColumn(),
                                 MofNCompleteColumn(), TaskProgressColumn(), RateColumn(),
                                 TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                                 console=console, speed_estimate_period=300.0, transient=False)
        self.label = label
        self.task = None

    def __enter__(self) -> "_Bar":
        self.progress.start()
        return self

    def __exit__(self, *exc) -> None:
        self.progress.stop()

    def __call__(self, done: int, total: int) -> None:
        if self.task is None:  # variants already finished do not count towards the rate
            self.task = self.progress.add_task(self.label, total=total, completed=done)
        else:
            self.progress.update(self.task, completed=done)




def sweep(
    program: str = typer.Argument(..., help="Program file or bundled name (e.g. hongqi-on-b10)."),
    vary: Optional[list[str]] = typer.Option(None, "--vary", help=VARY_HELP),
    samples: Optional[int] = typer.Option(None, "--samples", "-n",
                                          help="Number of Latin-hypercube samples (--method lhs)."),
    method: Optional[str] = typer.Option(None, "--method",
                                         help="grid (product of the STEPS and lists) or lhs; "
                                         "default lhs when --samples is given, else grid."),
    markets: Optional[list[str]] = typer.Option(None, "--markets", "-m",
                                                help="Markets whose headline procedure runs "
                                                "(repeatable or comma-separated; default eu)."),
    out: Optional[Path] = typer.Option(None, "--out",
                                       help="Sweep directory (default sweeps/<program>-<variant>-"
                                       "<hash>). Running again with the same arguments resumes."),
    executor: str = typer.Option("local", "--executor", help="local or dask."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler",
                                            help="Address of a running Dask scheduler (with "
                                            "--executor dask; default: a local cluster)."),
    chunk_size: int = typer.Option(5000, "--chunk-size", help="Variants per part file."),
    seed: int = typer.Option(0, "--seed", help="Seed of the Latin hypercube."),
    workers: int = typer.Option(2, "--workers", help="Worker processes of the local Dask cluster."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
    force: bool = typer.Option(False, "--force",
                               help="Delete the sweep in --out DIR (its manifest, part and "
                               "temporary files only) and start again; refused unless DIR is new, "
                               "empty or holds a sweep."),
) -> None:
    """Sweep a derivative's options and top-hat values; results stream to Parquet in DIR."""
    from skateboard.errors import SpecError
    from skateboard.api import run_sweep

    err = Console(stderr=True)
    kwargs = dict(method=method, samples=samples, seed=seed, markets=_split(markets), out=out,
                  executor=executor, scheduler=scheduler, chunk_size=chunk_size, n_workers=workers,
                  force=force)
    try:
        if quiet:
            result = run_sweep(program, vary or [], **kwargs)
        else:
            with _Bar(err, "sweep") as bar:
                result = run_sweep(program, vary or [], progress=bar, **kwargs)
    except OSError as exc:  # the sweep directory cannot be created or written
        raise SpecError(f"cannot write the sweep: {exc.strerror or str(exc)[:80] or type(exc).__name__}",
                        field="--out", value=str(exc.filename or out or "sweeps"),
                        allowed="a directory in a writable folder") from None
    rate = (result.n_variants if result.chunks_run else 0) / max(result.seconds, 1e-9)
    damaged = (f", {result.chunks_damaged} damaged parts recomputed" if result.chunks_damaged
               else "")
    typer.echo(f"{result.n_variants} variants in {result.directory} ({result.chunks_run} chunks "
               f"run, {result.chunks_skipped} already finished{damaged}) in {result.seconds:.1f} s"
               + (f", {rate:,.0f} variants/s" if result.chunks_run and not result.chunks_skipped
                  else ""))


def _records(df) -> list[dict]:
    from skateboard.jsonsafe import json_records

    return json_records(df)


def sweep_summary(
    directory: Path = typer.Argument(..., help="A sweep directory (holding _manifest.json)."),
    x: Optional[str] = typer.Option(None, "--x", help="First objective: COL, min:COL or max:COL "
                                    "(default min:pack_gross_energy_kwh)."),
    y: Optional[str] = typer.Option(None, "--y", help="Second objective: COL, min:COL or max:COL "
                                    "(default max:eu_range_km)."),
    limit: int = typer.Option(20, "--limit", help="Rows shown per table."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON: front and meeting_targets."),
) -> None:
    """Pareto front of two objectives and the variants that meet the program's targets."""
    from skateboard.cli.common import console, rich_table
    from skateboard.api import summarise_sweep

    s = summarise_sweep(directory, x=x, y=y)
    if as_json:
        typer.echo(json.dumps({
            "x": s.x.label, "y": s.y.label, "n_rows": s.n_rows, "n_feasible": s.n_feasible,
            "n_expected": s.n_expected, "targets": s.targets, "targets_checked": s.checked,
            "targets_not_checked": s.unchecked, "target_failures": s.failures,
            "front": _records(s.front),
            "meeting_targets": _records(s.meeting_targets)}, indent=2))
        return
    partial = "" if s.n_rows == s.n_expected else f" (of {s.n_expected}: the sweep is unfinished)"
    console.print(f"{s.n_rows} variants{partial}, {s.n_feasible} feasible")
    console.print(rich_table(f"Pareto front: {s.x.label} vs {s.y.label} ({len(s.front)} variants)",
                             s.front.head(limit).to_dict("records")))
    if len(s.front) > limit:
        console.print(f"... {len(s.front) - limit} more (--limit)")
    if not s.targets:
        console.print("the program sets no targets for this variant")
        return
    rows = [{"target": f["target"],
             "limit": ", ".join(f"{m} {v:g}" for m, v in f["limits"].items()),
             "variants failing": f["n_fail"],
             "by market": ", ".join(f"{m} {n}" for m, n in f["by_market"].items())}
            for f in s.failures]
    console.print(rich_table(f"targets: how many of the {s.n_feasible} feasible variants fail each",
                             rows, ["target", "limit", "variants failing", "by market"]))
    console.print(rich_table(f"meeting all targets in {', '.join(s.markets)}: "
                             f"{len(s.meeting_targets)} variants",
                             s.meeting_targets.head(limit).to_dict("records")))
    if s.unchecked:
        console.print("not checked (the sweep runs only the headline procedures): "
                      + ", ".join(s.unchecked))


def register(app: typer.Typer) -> None:
    """Add ``sweep`` and ``sweep-summary`` to the main app."""
    app.command("sweep")(sweep)
    app.command("sweep-summary")(sweep_summary)


__all__ = ["register", "sweep", "sweep_summary"]
