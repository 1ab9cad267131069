"""Running a sweep plan: each chunk of variants through every market's headline procedure in
batches, the rows into Parquet parts under the lock, resumable (:mod:`.store`)."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from skateboard.errors import SpecError
from skateboard.explore.lock import SweepLock
from skateboard.explore.plan import (BEV_BATCH, DEFAULT_CHUNK_SIZE, EREV_BATCH,
                                     RESULT_COLUMNS, SweepPlan, batch_of, plan_sweep)
from skateboard.physics.constants import KWH
from skateboard.explore.store import (
    check_out,
    default_directory,
    finished_chunks,
    part_name,
    prepare_directory,
    read_sweep,
    write_manifest,
    write_part,
)


# ---------------------------------------------------------------------------------------------
# One chunk
# ---------------------------------------------------------------------------------------------

def _batches(groups, headline: str, options: dict):
    """The chunk's variants as procedure calls: one combination of options per call (so one
    pack and powertrain), for CLTC's ``auto`` method one method per call, at most BEV_BATCH /
    EREV_BATCH variants, in sample order within a combination. Yields (rows, batch, options)."""
    from skateboard.procedures.cltc import auto_methods

    for rows, batch in groups:
        methods = (auto_methods(batch) if headline == "cltc"
                   and options.get("method", "auto") == "auto" else np.full(len(rows), "auto"))
        size = EREV_BATCH if batch.template.range_extender is not None else BEV_BATCH
        for method in sorted(set(methods.tolist())):
            pick = np.flatnonzero(methods == method)
            opts = dict(options)
            if method != "auto":
                opts["method"] = method
            for i in range(0, len(pick), size):
                sel = pick[i:i + size]
                yield rows[sel], batch.take(sel), opts


def _call(procedure, variants, fuel, options):
    rows = procedure(variants, fuel=fuel, **options)   # a Table (skateboard.procedures.TABLES)
    return {c: (np.asarray(rows[c], dtype=float) if c in rows else np.full(len(variants), np.nan))
            for c in RESULT_COLUMNS}


def _run_market(plan: SweepPlan, market, groups, n: int, errors) -> dict[str, np.ndarray]:
    from skateboard.procedures import TABLES

    out = {c: np.full(n, np.nan) for c in RESULT_COLUMNS}
    procedure = TABLES[market.headline]
    fuel = plan.fuels[market.name]
    for members, batch, opts in _batches(groups, market.headline, dict(market.procedure_options)):
        try:
            res = _call(procedure, batch, fuel, opts)
            for c in RESULT_COLUMNS:
                out[c][members] = res[c]
        except Exception:  # noqa: BLE001 - isolate the variant(s) that fail, keep the others
            for k, r in enumerate(members.tolist()):
                try:
                    res = _call(procedure, [batch[k]], fuel, opts)
                    for c in RESULT_COLUMNS:
                        out[c][r] = res[c][0]
                except Exception as exc:  # noqa: BLE001
                    errors[r] = errors[r] or f"{market.name}: {type(exc).__name__}: {exc}"
    return out


def run_chunk(plan: SweepPlan, index: int) -> pa.Table:
    """Simulate chunk ``index`` of the plan: one row per variant (see ``docs/sweep.md`` for the
    columns). A pure function of the plan and the index. The chunk's samples become one
    :class:`~skateboard.spec.batch.VariantBatch` per combination of options, built and run with
    array operations (no Python object or loop per sample)."""
    start, stop = plan.chunk_bounds(index)
    n = stop - start
    values = plan.values(start, stop)
    dims = plan.dims
    opt = plan.option_dims
    if opt:
        codes = np.ravel_multi_index([values[i] for i in opt], [len(dims[i].values) for i in opt])
    else:
        codes = np.zeros(n, dtype=np.int64)
    numeric = [i for i, d in enumerate(dims) if d.field.kind == "numeric"]
    num_dims = [dims[i] for i in numeric]
    num_values = np.column_stack([values[i] for i in numeric]) if numeric else np.zeros((n, 0))
    names = np.char.add(f"{plan.variant}#", np.arange(start, stop).astype(str)).astype(object)
    errors = np.full(n, None, dtype=object)  # None, or why the sample has no results
    groups = []                               # (rows, batch) per feasible combination
    pack_gross = np.full(n, np.nan)
    pack_usable = np.full(n, np.nan)
    pack_mass = np.full(n, np.nan)
    curb_mass = np.full(n, np.nan)
    for code in np.unique(codes).tolist():    # one per combination of options (a few)
        rows = np.flatnonzero(codes == code)
        combo = plan.combinations[code]
        if combo.variant is None:
            errors[rows] = combo.error
            continue
        batch = batch_of(combo.variant, num_dims, num_values[rows], plan.variant,
                         names=names[rows])
        groups.append((rows, batch))
        pack_gross[rows] = batch.pack_column("gross_energy") / KWH
        pack_usable[rows] = batch.pack_column("usable_energy") / KWH
        pack_mass[rows] = batch.pack_column("mass")
        curb_mass[rows] = batch.column("curb_mass")

    results = {}
    shared: dict = {}  # markets with the same procedure, options and fuel share one run (as evaluate)
    for mk in plan.markets:
        if mk.headline_key not in shared:
            shared[mk.headline_key] = _run_market(plan, mk, groups, n, errors)
        res = shared[mk.headline_key]
        prefix = plan.market_prefix(mk)
        for c in RESULT_COLUMNS:
            results[prefix + c] = res[c]

    cols: dict[str, Any] = {"sample": np.arange(start, stop, dtype=np.int64),
                            "variant": [plan.variant] * n}
    for d, v in zip(dims, values):
        if d.field.kind == "option":
            cols[d.field.column] = np.array(d.values, dtype=object)[v]   # option names
        else:
            cols[d.field.column] = v / d.field.scale
    cols["pack_gross_energy_kwh"] = pack_gross
    cols["pack_usable_energy_kwh"] = pack_usable
    cols["pack_mass_kg"] = pack_mass
    cols["curb_mass_kg"] = curb_mass
    cols["feasible"] = np.equal(errors, None).astype(bool)
    cols["error"] = errors
    cols.update(results)
    if plan.economics is not None:  # cost, landed cost, compliance value, margin (vectorised)
        from skateboard.economics.sweep_columns import columns as economics_columns

        cols.update(economics_columns(plan.economics, codes, dims, values, results))
    return pa.table(cols, schema=plan.schema)


# ---------------------------------------------------------------------------------------------
# Running: the directory itself (manifest, parts, lock, reading) is skateboard.explore.store
# ---------------------------------------------------------------------------------------------

@dataclass
class SweepResult:
    """What :func:`run_sweep` did.

    directory : the sweep directory. n_variants, n_chunks : of the whole sweep.
    chunks_run : chunks simulated by this call; chunks_skipped : found finished (recorded in
    the manifest, size, SHA-256 and rows checked); chunks_damaged : recorded but damaged
    (truncated, emptied, changed, missing), hence recomputed (counted in chunks_run).
    seconds : wall time of this call.
    """

    directory: Path
    n_variants: int
    n_chunks: int
    chunks_run: int
    chunks_skipped: int
    seconds: float
    plan: SweepPlan = field(repr=False, default=None)
    chunks_damaged: int = 0

    def to_pandas(self, columns: Sequence[str] | None = None):
        return read_sweep(self.directory, columns=columns)


def run_sweep(program: str, vary: Sequence[str], *, method: str | None = None,
              samples: int | None = None, seed: int | None = 0,
              markets: Sequence[str] | None = None, out: str | Path | None = None,
              executor: Any = "local", scheduler: str | None = None,
              chunk_size: int = DEFAULT_CHUNK_SIZE, n_workers: int = 2, force: bool = False,
              progress: Callable[[int, int], None] | None = None,
              after_chunk: Callable[[int], None] | None = None) -> SweepResult:
    """Run (or resume) a sweep into a Parquet dataset.

    Parameters are those of :func:`plan_sweep`, and

    out : the sweep directory (default :func:`~skateboard.explore.store.default_directory`).
        A directory holding this sweep is resumed (finished chunks skipped, damaged ones
        recomputed); one holding another sweep is refused, and so is one that another process
        is writing to (``DIR/_sweep.lock``).
    force : delete the sweep in ``out`` (its manifest, part and temporary files; nothing else)
        and start again; refused unless ``out`` is new, empty or holds a sweep manifest.
    executor : "local" (this process; the engine uses every core) or "dask", or an executor
        object (:mod:`skateboard.explore.executors`), e.g. a ``DaskExecutor`` on an existing
        client.
    scheduler : address of a running Dask scheduler; default a ``LocalCluster`` of
        ``n_workers`` processes. Workers need skateboard installed; only results travel back,
        the part files are written by this process.
    progress : called as ``progress(done, total)`` (variants) at the start and after each chunk.
    after_chunk : called with the index of each chunk once its part file is in place and
        recorded in the manifest.
    """
    from skateboard.explore.executors import make_executor

    t0 = time.perf_counter()
    plan = plan_sweep(program, vary, method=method, samples=samples, seed=seed, markets=markets,
                      chunk_size=chunk_size)
    if isinstance(executor, str):
        if scheduler is not None and executor != "dask":
            raise SpecError("--scheduler needs --executor dask", field="--scheduler",
                            value=scheduler)
        ex = make_executor(executor, scheduler=scheduler, n_workers=n_workers)
    else:
        ex = executor
    directory = Path(out) if out is not None else default_directory(plan)
    check_out(directory, force=force)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SpecError(f"cannot create the directory ({exc.strerror or type(exc).__name__})",
                        field="--out", value=str(directory)) from None
    with SweepLock(directory):
        manifest = prepare_directory(directory, plan, force=force)
        done, damaged = finished_chunks(directory, plan, manifest)
        if damaged:
            write_manifest(directory, manifest)  # without the damaged parts' records
        todo = [i for i in range(plan.n_chunks) if i not in done]
        done_variants = sum(plan.chunk_bounds(i)[1] - plan.chunk_bounds(i)[0] for i in done)
        if progress:
            progress(done_variants, plan.n)
        if todo:
            with ex:
                for index, table in ex.map(run_chunk, plan, todo):
                    manifest["parts"][part_name(index)] = write_part(directory, index, table)
                    manifest["complete"] = len(manifest["parts"]) == plan.n_chunks
                    write_manifest(directory, manifest)
                    done_variants += table.num_rows
                    if progress:
                        progress(done_variants, plan.n)
                    if after_chunk:
                        after_chunk(index)
        elif manifest.get("complete") is not True:
            manifest["complete"] = True
            write_manifest(directory, manifest)
    return SweepResult(directory=directory, n_variants=plan.n, n_chunks=plan.n_chunks,
                       chunks_run=len(todo), chunks_skipped=len(done),
                       seconds=time.perf_counter() - t0, plan=plan,
                       chunks_damaged=len(damaged))
