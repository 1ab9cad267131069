"""Compile the kernel's step functions in two processes at once (the setup's warm step).

Numba compiles a function and everything it calls in one process, one function after the other
(its compiler holds a lock), and caches each function's machine code on disk, where a later
compile of a caller finds it. The five variants of the fast step take about a third of the
kernel's compile time (6.2 of 16.9 s by Numba's compile events, 2026-12-04) and share nothing
with the exact path's functions. So the warm step (:func:`skateboard.api.compile_kernels`)
starts a second process that compiles the fast steps (:func:`compile_group` ``"fast"``) while
its own compiles the exact path's (``"exact"``), each for the argument types the kernel passes,
and then compiles the kernel, which loads both groups from the cache.

A signature that does not match the kernel's call only costs time: the kernel then compiles
that function itself, as it would without this module. The cache directory is Numba's
(``NUMBA_CACHE_DIR`` or ``__pycache__``); :mod:`skateboard.jitcache` has already dropped stale
entries when the second process starts, because the first imported the engine before.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading

#: What the second process compiles (the rest is compiled by the calling one).
SECOND_PROCESS_GROUP = "fast"
#: Longest wait for the second process [s] (it takes 6-8 s on the 2-core machine); past it, it is
#: stopped and the kernel compiles what is missing itself, so the warm step never hangs on it.
SECOND_PROCESS_TIMEOUT = 300.0


def _groups() -> dict:
    """Group name -> [(dispatcher, argument types)], the types the kernel's calls have
    (:func:`skateboard.engine.lanes.run_tile`)."""
    from numba import types

    from skateboard.engine import lanes
    from skateboard.engine.generating import generating_step

    f64, i64 = types.float64, types.int64
    vec = types.float64[::1]          # the tile buffer, a parameter row, a summary row, speeds
    table = types.float64[:, ::1]     # OCV tables, hinges, engine tables, the cycle's sums
    phases = types.float64[:, :, :, ::1]
    step = (vec, f64, f64, f64, f64, f64, f64)
    return {
        "fast": [(lanes.fast_step_1, step), (lanes.fast_step_2, step), (lanes.traction_step_1, step),
                 (lanes.traction_step_2, step), (lanes.steady_step, step)],
        "exact": [(lanes.exact_step, (vec, table, table, vec, i64, f64, f64, f64, f64)),
                  (generating_step, (vec, table, f64, f64, f64, f64)),
                  (lanes.init_lane, (vec, table, table, vec, i64)),
                  (lanes.close_run, (vec, i64, i64, table, f64)),
                  (lanes._flush_phase, (vec, i64, phases, i64, i64, i64)),
                  (lanes._write_summary, (vec, i64, vec)),
                  (lanes.ocv_segment, (vec, i64)),
                  (lanes.cycle_sums, (vec, vec, f64))],
    }


def compile_group(name: str) -> None:
    """Compile (or load from the cache) the functions of group ``name``."""
    for dispatcher, signature in _groups()[name]:
        dispatcher.compile(signature)


def start_second_process() -> subprocess.Popen | None:
    """Start compiling :data:`SECOND_PROCESS_GROUP` in another Python process; None when this
    machine has one CPU (nothing to gain) or the process cannot start."""
    if (os.cpu_count() or 1) < 2:
        return None
    code = f"from skateboard.engine.precompile import compile_group; compile_group({SECOND_PROCESS_GROUP!r})"
    try:
        # its output is not shown: if it fails, the kernel compiles those functions itself
        return subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
    except OSError:
        return None


def finish_second_process(process: subprocess.Popen | None) -> None:
    """Wait for :func:`start_second_process`'s process, at most
    :data:`SECOND_PROCESS_TIMEOUT` seconds (then stop it)."""
    if process is None:
        return
    try:
        process.wait(timeout=SECOND_PROCESS_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def compile_steps() -> None:
    """Compile the kernel's step functions into the cache: the fast steps in a second process
    while this one compiles the exact path's (``python -m skateboard.cli.warm`` runs this first)."""
    second = start_second_process()
    compile_group("exact")
    finish_second_process(second)


def kernel_cached() -> bool:
    """Whether Numba's cache holds an index for the kernel (:func:`skateboard.engine.lanes.run_tiles`),
    so that its first call loads machine code instead of compiling (:mod:`skateboard.jitcache`
    deletes the index when a source it was built from changed). True when Numba's cache cannot be
    asked (then nothing changes)."""
    from skateboard.engine import lanes

    try:
        return os.path.exists(lanes.run_tiles._cache._cache_file._index_path)  # noqa: SLF001
    except AttributeError:
        return True


_COLD_LOCK = threading.Lock()
_cold_done = False  # this process has compiled the steps


def compile_steps_if_cold() -> bool:
    """:func:`compile_steps` when the kernel is not cached yet (a ``pip install`` without the warm
    step, or a new cache directory): the first ``evaluate`` then compiles in two processes, as
    the warm step does, instead of one (``benchmarks/startup.py --compile``, 2026-12-04:
    21.8 s before, 9.2-9.4 s in three runs). Returns whether it
    compiled. Once per process at most; a second thread waits for the first."""
    global _cold_done
    with _COLD_LOCK:
        if _cold_done or kernel_cached():
            return False
        compile_steps()
        _cold_done = True
        return True

