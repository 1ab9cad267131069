"""Public entry point of the engine: simulate N variants over a drive cycle in one kernel call."""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numba
import numpy as np
from numba.np.ufunc import parallel as numba_parallel

from skateboard.engine import layout as L
from skateboard.engine.batch import build_params, derive
from skateboard.engine.lanes import LANES, ocv_hinges, run_tiles
from skateboard.engine.result import SimResult
from skateboard.spec.batch import names as names_of

#: The engine's thread pools, by size. A forked child (a process pool's worker, Dask's) inherits
#: the pool objects but not their threads, and would wait for ever on work sent to them: the
#: child starts with none.
_POOLS: dict[int, ThreadPoolExecutor] = {}
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_POOLS.clear)

#: WLTP speed-trace tolerance: 2 km/h (UN GTR 15 Annex 6 para. 2.6.8.3.1.2); used as the
#: break-off shortfall of range tests.
WLTP_SPEED_TOLERANCE = 2.0 / 3.6


def engine_threads() -> int:
    """Threads a kernel call uses: Numba's setting (``numba.set_num_threads``, e.g. 1 on each
    Dask worker or in the per-core benchmark; default ``NUMBA_NUM_THREADS``, every core),
    read without starting Numba's own thread pool, which the engine does not use."""
    if numba_parallel._is_initialized:  # noqa: SLF001 - numba.set_num_threads has started it
        return numba.get_num_threads()
    return int(numba.config.NUMBA_NUM_THREADS or os.cpu_count() or 1)


def _pool(threads: int) -> ThreadPoolExecutor:
    if threads not in _POOLS:
        _POOLS[threads] = ThreadPoolExecutor(max_workers=threads,
                                             thread_name_prefix="skateboard-engine")
    return _POOLS[threads]


def shutdown_pools() -> None:
    """Stop the engine's threads (idle between calls); a later call starts new ones."""
    while _POOLS:
        _POOLS.popitem()[1].shutdown(wait=True)


def run_kernel(params, *args) -> None:
    """:func:`skateboard.engine.lanes.run_tiles` over every tile of ``params`` (one row per
    variant; ``args``: run_tiles' arguments after it), split into at most
    :func:`engine_threads` contiguous blocks of tiles, one per thread (the calling thread takes
    the first; a batch of one tile never wakes the pool). The kernel releases the GIL; tiles
    share no state, so the result is the same bits however the tiles are split.

    One block per thread, as Numba's own ``prange`` schedules: measured 2026-12-04 (2 cores,
    1 000 variants on UDDS), four smaller blocks per thread, taken as threads came free, cost 5-13 %
    more (each call pays its dispatch and the threads' hand-over)."""
    n_tiles = (params.shape[0] + LANES - 1) // LANES
    threads = max(1, min(engine_threads(), n_tiles))
    bounds = [n_tiles * k // threads for k in range(threads + 1)]
    helpers = [_pool(threads - 1).submit(run_tiles, lo, hi, params, *args)
               for lo, hi in zip(bounds[1:-1], bounds[2:])]
    run_tiles(bounds[0], bounds[1], params, *args)
    for f in helpers:
        f.result()


def cycle_arrays(cycle):
    """Speed [m/s], sin and cos of the grade, and phase index of each step of a Cycle."""
    # fresh writable copies: numba compiles one kernel per array flag set, so read-only cycle
    # arrays would otherwise cost a second 10-20 s compile
    speed = np.array(cycle.speed, dtype=float)
    grade = getattr(cycle, "grade", None)
    if grade is None or not np.any(grade):   # flat (most cycles): sin 0 and cos 1, no trigonometry
        grade_sin_cos = np.zeros_like(speed), np.ones_like(speed)
    else:
        grade = np.array(grade, float)
        grade_sin_cos = np.sin(grade), np.cos(grade)
    phase_of_step = np.zeros(len(speed), dtype=np.int64)
    names = []
    for j, ph in enumerate(getattr(cycle, "phases", ()) or ()):
        # step k covers samples k-1 -> k; it belongs to the phase containing sample k
        phase_of_step[ph.start + 1: ph.end + 1] = j
        names.append(ph.name)
    if not names:
        names = ["all"]
    return speed, *grade_sin_cos, phase_of_step, names


def run_kernels(calls) -> None:
    """Several kernel calls at once (``calls``: the arguments of :func:`run_kernel` of each). Their
    tiles are cut into blocks of about equal work (tiles x steps x repeats; about eight per
    thread), largest first, and the engine's threads take them as they come free, so that small
    calls (a procedure's groups) keep every thread busy instead of each call splitting its few
    tiles. Tiles share no state: the same bits as one call after the other.

    Measured 2026-12-04 (2 cores, the WLTP shortened test of 2 000 EU variants of the Hongqi BEV
    in its 15 groups of CSSM length, 21-203 variants each): 148-165 ms one group after the other,
    122-143 ms together (four alternating runs)."""
    threads = engine_threads()
    if threads == 1 or len(calls) == 1:
        for call in calls:
            run_kernel(*call)
        return
    # a call's arguments: params (0), ocv, hinges, rex, speed (4), ..., n_repeats (9), ...
    cost = [len(c[4]) * max(int(c[9]), 1) for c in calls]   # per tile
    tiles = [(c[0].shape[0] + LANES - 1) // LANES for c in calls]
    block = max(sum(t * w for t, w in zip(tiles, cost)) / (8 * threads), 1.0)
    work = []
    for k, (n_tiles, w) in enumerate(zip(tiles, cost)):
        step = max(1, int(round(block / w)))
        work += [(min(step, n_tiles - lo) * w, k, lo, min(lo + step, n_tiles))
                 for lo in range(0, n_tiles, step)]
    work.sort(key=lambda item: -item[0])
    queue = iter(work)

    def worker():
        for _, k, lo, hi in queue:   # next() on a list iterator is atomic under the GIL
            run_tiles(lo, hi, *calls[k])

    helpers = [_pool(threads - 1).submit(worker) for _ in range(threads - 1)]
    worker()
    for f in helpers:
        f.result()


def _prepare(params, ocv_tables, rex_tables, cycle, *, names=None, repeats: int = 1,
             stop_on_breakoff: bool = False, breakoff_shortfall: float = WLTP_SPEED_TOLERANCE,
             stop_after_generation: bool = False, record: bool = False, fast: bool = True):
    """The kernel call of :func:`simulate_params` (its arguments, for :func:`run_kernel`) and a
    function that makes its SimResult once the kernel has run."""
    params = derive(np.array(params, dtype=float, order="C"))
    speed, gsin, gcos, phase_of_step, phase_names = cycle_arrays(cycle)
    n = params.shape[0]
    dt = float(getattr(cycle, "dt", None) or (cycle.time[1] - cycle.time[0]))
    summary = np.zeros((n, L.N_SUMMARY))
    phases = np.zeros((n, repeats, len(phase_names), L.N_PHASE))
    steps = repeats * (len(speed) - 1) + 1
    trace = np.zeros((n, steps, L.N_TRACE)) if record else np.zeros((1, 1, L.N_TRACE))
    ocv_tables = np.array(ocv_tables, dtype=float)
    call = (params, ocv_tables, ocv_hinges(ocv_tables), np.array(rex_tables, dtype=float),
            speed, gsin, gcos, phase_of_step, dt, int(repeats), bool(stop_on_breakoff),
            float(breakoff_shortfall), bool(stop_after_generation), bool(record), bool(fast),
            summary, phases, trace)

    def result() -> SimResult:
        return SimResult(names=(np.asarray(names, dtype=object).tolist() if names is not None
                                else np.arange(n).astype(str).tolist()),
                         cycle=getattr(cycle, "name", "custom"), summary=summary, phases=phases,
                         phase_names=phase_names, trace=trace if record else None, params=params,
                         dt=dt)
    return call, result


def simulate_params(params, ocv_tables, rex_tables, cycle, *, names=None, repeats: int = 1,
                    stop_on_breakoff: bool = False, breakoff_shortfall: float = WLTP_SPEED_TOLERANCE,
                    stop_after_generation: bool = False, record: bool = False,
                    fast: bool = True) -> SimResult:
    """Run the kernel on prepared parameter arrays (see :func:`build_params`).

    The derived columns are recomputed here, so a caller may change primary columns freely.
    ``fast=False`` sends every step through the kernel's exact (scalar) path instead of its
    vectorised fast path: the same physics, for checking that the two agree.
    ``stop_after_generation`` ends a variant's run with the first repeat in which its range
    extender delivered power (the transition cycle of a charge-depleting test); its summary's
    ``first_generation_step`` and ``first_generation_distance`` say where that happened."""
    call, result = _prepare(params, ocv_tables, rex_tables, cycle, names=names, repeats=repeats,
                            stop_on_breakoff=stop_on_breakoff, breakoff_shortfall=breakoff_shortfall,
                            stop_after_generation=stop_after_generation, record=record, fast=fast)
    run_kernel(*call)
    return result()


def simulate_many(jobs) -> list[SimResult]:
    """:func:`simulate_params` of each job (a dict of its arguments: ``params``, ``ocv_tables``,
    ``rex_tables``, ``cycle`` and any keyword), run together on the engine's threads
    (:func:`run_kernels`): the results, in order, equal those of one call after the other."""
    prepared = [_prepare(**job) for job in jobs]
    run_kernels([call for call, _ in prepared])
    return [result() for _, result in prepared]


def simulate(variants: Sequence, cycle, *, repeats: int = 1, stop_on_breakoff: bool = False,
             breakoff_shortfall: float = WLTP_SPEED_TOLERANCE, record: bool = False,
             **conditions) -> SimResult:
    """Simulate variants over a drive cycle.

    Parameters
    ----------
    variants : sequence of :class:`~skateboard.spec.variant.Variant`
    cycle : :class:`~skateboard.cycles.Cycle`
    repeats : int
        Drive the cycle this many times in a row, state carried over.
    stop_on_breakoff : bool
        Stop a variant when it falls more than ``breakoff_shortfall`` [m/s] below the trace
        (the WLTP break-off criterion of range tests).
    record : bool
        Keep time series (memory N x steps x 7 floats).
    **conditions
        Passed to :func:`skateboard.engine.batch.build_params` (mass, soc_initial,
        battery_temperature, hvac_power, tyre_road_friction, range_extender_enabled, ...).
    """
    params, ocv, rex = build_params(variants, **conditions)
    return simulate_params(params, ocv, rex, cycle, names=names_of(variants), repeats=repeats,
                           stop_on_breakoff=stop_on_breakoff, breakoff_shortfall=breakoff_shortfall,
                           record=record)
