"""Jobs of the web app, run in worker processes so that the server's event loop never waits for
the kernel: one pool for interactive jobs (evaluate, summaries, reports) and one worker for
sweeps, so a long sweep never holds up an evaluate. Workers import Skateboard and run the
bundled program once when they start, so the compiled kernel is loaded and warm before the
first request (and stays so: workers live as long as the server).

The functions at the top run in the workers and call the public Python functions only
(:func:`skateboard.spec.load_program`, :func:`skateboard.evaluation.evaluate`,
:func:`skateboard.api.simulate_program`, :mod:`skateboard.explore`). Errors come back as
plain dicts (a SpecError's fields), never as tracebacks.
"""

from __future__ import annotations

import asyncio
import dataclasses
import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from skateboard.errors import SpecError

#: Cycle of the speed-trace and energy-by-sink charts.
CHART_CYCLE = "wltc_class3b"
#: Largest number of sweep points sent to the browser's scatter chart (every k-th row).
MAX_CHART_POINTS = 4000


class Cancelled(Exception):
    """A sweep stopped at a chunk boundary because its cancel marker appeared."""


def error_dict(exc: SpecError) -> dict:
    value = exc.value
    if value is not ... and not isinstance(value, (str, int, float, bool, type(None))):
        value = str(value)
    return {"message": exc.message, "file": exc.file, "field": exc.field,
            "value": None if value is ... else value, "has_value": value is not ...,
            "allowed": exc.allowed}


def spec_error(d: dict) -> SpecError:
    return SpecError(d["message"], file=d.get("file"), field=d.get("field"),
                     value=d["value"] if d.get("has_value") else ..., allowed=d.get("allowed"))


# ---------------------------------------------------------------------------------------------
# In the workers
# ---------------------------------------------------------------------------------------------

def warm() -> None:
    """Worker initializer: load (or compile) the kernel by evaluating the bundled program."""
    import signal

    from skateboard.api import simulate_program
    from skateboard.api import evaluate_program as evaluate

    # Ctrl-C in the terminal reaches the whole process group: the server shuts the workers down
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        evaluate("hongqi-on-b10")
        simulate_program("hongqi-on-b10", record=True)
    except Exception:  # noqa: BLE001 - a failed warm-up only costs the first request's time
        pass


def ping() -> int:
    import os

    return os.getpid()


def build_program(program_path: str, edits: dict[str, dict], derivatives: list[tuple[dict, str]]):
    """The program with edited variants replaced and inline derivatives added."""
    from skateboard.api import load_program
    from skateboard.api import read_toml
    from skateboard.web.edits import apply_edits, resolve_edited

    prog = load_program(program_path)
    names = prog.variant_names
    for name in edits or {}:
        if name not in names:
            from skateboard.errors import unknown_name
            raise unknown_name("variant", name, names, field="edits")
    variants = []
    for v in prog.variants:
        if edits and edits.get(v.name):
            raw = apply_edits(read_toml(v.source_file), edits[v.name])
            raw["name"] = v.name
            v = resolve_edited(raw, v.source_file)
        variants.append(v)
    for raw, source in derivatives or []:
        v = resolve_edited(raw, source)
        if v.name in [x.name for x in variants]:
            raise SpecError("two variants share one name", field="derivatives", value=v.name,
                            allowed="a derivative name the program does not already have")
        variants.append(v)
    return dataclasses.replace(prog, variants=variants)


def evaluate_job(program_path: str, *, edits=None, derivatives=None, markets=None,
                 variants=None, charts: bool = False) -> dict:
    """Evaluate; with ``charts``, also the energy by sink and the speed and SOC traces of each
    variant over :data:`CHART_CYCLE` (one :func:`skateboard.api.simulate_program` call)."""
    from skateboard.api import energy_by_sink_kwh, simulate_program
    from skateboard.api import evaluate_program as evaluate

    try:
        prog = build_program(program_path, edits or {}, derivatives or [])
        ev = evaluate(prog, markets=markets or None, variants=variants or None)
        out: dict[str, Any] = {"evaluation": ev}
        if charts:
            rows, frames = simulate_program(prog, variants=variants or None, cycle=CHART_CYCLE,
                                            record=True)
            out["sinks"] = [{"variant": r["variant"], **energy_by_sink_kwh(r)} for r in rows]
            out["traces"] = {name: {"t": g["time_s"].round(1).tolist(),
                                    "speed": g["speed_kmh"].round(2).tolist(),
                                    "soc": (100 * g["soc"]).round(3).tolist()}
                             for name, g in frames.groupby("variant", sort=False)}
        return out
    except SpecError as exc:
        return {"error": error_dict(exc)}


def program_info_job(program_path: str) -> dict:
    """A program's variants, markets, targets and, per variant, the form's values and the
    platform's options (for the edit form's choices)."""
    from skateboard.api import load_platform, load_program
    from skateboard.api import locate, read_toml
    from skateboard.web.edits import flat_values

    try:
        prog = load_program(program_path)
        variants = []
        for v in prog.variants:
            raw = read_toml(v.source_file)
            src = Path(v.source_file)
            plat = load_platform(locate("platform", raw.get("platform"), relative_to=src.parent,
                                        file=str(src), field="platform"))
            variants.append({
                "name": v.name, "label": v.label, "maker": v.maker, "platform": v.platform,
                "powertrain": v.powertrain, "options": dict(v.options),
                "source_file": v.source_file, "values": flat_values(raw),
                "choices": {"options.pack": list(plat.packs), "options.wheels": list(plat.wheels),
                            "options.drive_units": list(plat.drive_units),
                            "options.range_extender": list(plat.range_extenders)}})
    except SpecError as exc:
        return {"error": error_dict(exc)}
    return {"name": prog.name, "title": prog.title, "markets": list(prog.markets),
            "reference": prog.reference_variant, "targets": prog.targets, "variants": variants}


def check_derivative_job(raw: dict, source_file: str) -> dict:
    """Check a derivative table as the loader would (SpecError fields, or the variant's name)."""
    from skateboard.web.edits import resolve_edited

    try:
        return {"name": resolve_edited(raw, source_file).name}
    except SpecError as exc:
        return {"error": error_dict(exc)}


def check_program_job(program_path: str) -> dict:
    from skateboard.api import load_program

    try:
        return {"name": load_program(program_path).name}
    except SpecError as exc:
        return {"error": error_dict(exc)}


def report_job(evaluation) -> str:
    """The self-contained HTML report of an evaluation (the CLI's ``--out`` report.html)."""
    from skateboard.api import render_html

    return render_html(evaluation)


def economics_job(program_path: str, markets=None) -> dict:
    """``skateboard economics`` of a program: :meth:`skateboard.economics.Economics.to_dict`
    (rows, business case, commonality, tornado), the same as the CLI's ``--json``."""
    from skateboard.api import economics

    try:
        return economics(program_path, markets=markets or None).to_dict()
    except SpecError as exc:
        return {"error": error_dict(exc)}


def optimise_job(program_path: str, variant: str, vary: list[str], objectives: list[str], *,
                 markets=None, population: int = 40, generations: int = 20, seed: int = 0) -> dict:
    """``skateboard optimise --json`` of one derivative (:func:`skateboard.optimise.optimise`)."""
    from skateboard.api import optimise
    from skateboard.api import optimise_json

    try:
        res = optimise(program_path, vary, objectives, variant=variant, markets=markets or None,
                       population=population, generations=generations, seed=seed)
    except SpecError as exc:
        return {"error": error_dict(exc)}
    return optimise_json(res)


def sweep_plan_job(program_path: str, vary: list[str], options: dict) -> dict:
    """Check a sweep's arguments (fast) and say its key and size."""
    from skateboard.api import plan_sweep
    from skateboard.api import default_sweep_directory as default_directory

    try:
        plan = plan_sweep(program_path, vary, **options)
    except SpecError as exc:
        return {"error": error_dict(exc)}
    return {"key": plan.key, "default_name": default_directory(plan).name, "n": plan.n,
            "n_chunks": plan.n_chunks, "chunk_size": plan.chunk_size,
            "program_name": plan.program_name, "variant": plan.variant}


def sweep_run_job(program_path: str, vary: list[str], options: dict, out: str,
                  cancel_marker: str) -> dict:
    """Run (or resume) a sweep into ``out``; stops after the chunk during which
    ``cancel_marker`` appears (finished chunks stay: the directory resumes like the CLI's)."""
    from skateboard.api import run_sweep

    def check(_index: int) -> None:
        if Path(cancel_marker).exists():
            raise Cancelled()

    t0 = time.perf_counter()
    try:
        res = run_sweep(program_path, vary, out=out, after_chunk=check, **options)
    except Cancelled:
        return {"state": "cancelled", "seconds": time.perf_counter() - t0}
    except SpecError as exc:
        return {"state": "failed", "error": error_dict(exc)}
    return {"state": "done", "seconds": res.seconds, "chunks_run": res.chunks_run,
            "chunks_skipped": res.chunks_skipped}


def sweep_summary_job(directory: str, x: str | None, y: str | None, limit: int) -> dict:
    """Pareto front, variants meeting the targets, and (thinned) points for the scatter chart."""
    from skateboard.api import read_sweep, summarise_sweep
    from skateboard.jsonsafe import json_records

    try:
        s = summarise_sweep(directory, x=x, y=y)
        cols = list(dict.fromkeys([s.x.column, s.y.column, "feasible"]))
        pts = read_sweep(directory, columns=cols)
        pts = pts[pts["feasible"]]
        step = max(1, len(pts) // MAX_CHART_POINTS)
        pts = pts.iloc[::step]
    except SpecError as exc:
        return {"error": error_dict(exc)}
    return {"x": s.x.label, "y": s.y.label, "x_column": s.x.column, "y_column": s.y.column,
            "n_rows": s.n_rows, "n_feasible": s.n_feasible, "n_expected": s.n_expected,
            "targets": s.targets, "targets_checked": s.checked, "targets_not_checked": s.unchecked,
            "front": json_records(s.front), "n_front": len(s.front),
            "meeting_targets": json_records(s.meeting_targets.head(limit)),
            "n_meeting_targets": len(s.meeting_targets),
            "points": {"x": pts[s.x.column].tolist(), "y": pts[s.y.column].tolist()}}


# ---------------------------------------------------------------------------------------------
# In the server
# ---------------------------------------------------------------------------------------------

@dataclass
class SweepJob:
    """A sweep the server started: its directory and how it is going."""

    id: str
    directory: Path
    n: int
    chunk_size: int
    program: str
    variant: str
    future: Any = None
    started: float = field(default_factory=time.monotonic)
    done_at_start: int | None = None
    state: str = "queued"
    error: dict | None = None
    finished: float | None = None


class WorkerCrashed(Exception):
    """A worker process died during a job (HTTP 503); the pool has been restarted."""


class Pools:
    """The interactive pool (``workers`` processes) and the sweep worker (one process). A pool
    whose process died (killed, out of memory) is replaced, so one crash fails one request."""

    def __init__(self, workers: int = 2):
        self.workers = max(1, int(workers))
        self.interactive = self._pool(self.workers)
        self.sweeps = self._pool(1)

    @staticmethod
    def _pool(n: int) -> ProcessPoolExecutor:
        ctx = multiprocessing.get_context("spawn")  # never fork the server's threads
        return ProcessPoolExecutor(n, mp_context=ctx, initializer=warm)

    def start(self) -> None:
        """Start every worker now (they warm up while the server starts answering)."""
        for _ in range(self.workers):
            self.interactive.submit(ping)
        self.sweeps.submit(ping)

    async def run(self, fn, *args, **kwargs):
        loop = asyncio.get_running_loop()
        pool = self.interactive
        try:
            return await asyncio.wrap_future(pool.submit(fn, *args, **kwargs), loop=loop)
        except BrokenProcessPool:
            if self.interactive is pool:
                self.interactive = self._pool(self.workers)
                pool.shutdown(wait=False, cancel_futures=True)
            raise WorkerCrashed("a worker process stopped during this request; the workers "
                                "were restarted, try again") from None

    def submit_sweep(self, fn, *args):
        try:
            return self.sweeps.submit(fn, *args)
        except BrokenProcessPool:  # the previous sweep's process died: start a new one
            self.sweeps.shutdown(wait=False, cancel_futures=True)
            self.sweeps = self._pool(1)
            return self.sweeps.submit(fn, *args)

    def shutdown(self) -> None:
        self.interactive.shutdown(wait=True, cancel_futures=True)
        self.sweeps.shutdown(wait=True, cancel_futures=True)


__all__ = ["CHART_CYCLE", "Pools", "SweepJob", "WorkerCrashed", "build_program", "evaluate_job", "report_job",
           "spec_error", "sweep_plan_job", "sweep_run_job", "sweep_summary_job"]
