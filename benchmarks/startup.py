#!/usr/bin/env python3
"""Time what a user waits for before any simulation: start-up, a warm ``evaluate`` and compiling.

Usage::

    python benchmarks/startup.py                # warm timings, 7 interleaved repetitions
    python benchmarks/startup.py --repeat 11
    python benchmarks/startup.py --compile      # also compile into an empty cache (about 40 s)

Each repetition runs, one after the other in fresh processes (interleaved, so a change of the
machine's load hits them alike): ``skateboard --help`` (the command line's own start-up),
``python -c "import skateboard.api"`` and ``skateboard evaluate --json`` of the bundled program
with Numba's cache warm (as after ``python3 dev.py``'s setup); min and median wall times are
printed. ``--compile`` then times, each into its own empty temporary ``NUMBA_CACHE_DIR``
(removed afterwards): ``python -m skateboard.cli.warm`` (what setup runs) and a first
``skateboard evaluate --json`` without it (what a plain ``pip install`` gives).

The host CPU is printed first: figures belong to the machine that printed them. The last lines
are machine-readable: ``cli_help_s``, ``import_api_s``, ``evaluate_warm_s`` (medians) and, with
``--compile``, ``warm_compile_s`` and ``first_evaluate_cold_s``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from engine_vs_fastsim import _cpu_features, _cpu_name, _load  # noqa: E402

BIN = Path(sys.executable).parent
SKATEBOARD = str(BIN / "skateboard") if (BIN / "skateboard").exists() else None


def _command(kind: str) -> list[str]:
    cli = [SKATEBOARD] if SKATEBOARD else [sys.executable, "-m", "skateboard.cli"]
    return {"cli_help_s": cli + ["--help"],
            "import_api_s": [sys.executable, "-c", "import skateboard.api"],
            "evaluate_warm_s": cli + ["evaluate", "--json"],
            "warm_compile_s": [sys.executable, "-m", "skateboard.cli.warm"],
            "first_evaluate_cold_s": cli + ["evaluate", "--json"]}[kind]


def _time(kind: str, env: dict | None = None) -> float:
    t0 = time.perf_counter()
    r = subprocess.run(_command(kind), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       text=True, env=env)
    elapsed = time.perf_counter() - t0
    if r.returncode != 0:
        sys.exit(f"{' '.join(_command(kind))} failed ({r.returncode}): {r.stderr.strip()[-400:]}")
    return elapsed


def _cold(kind: str) -> float:
    cache = tempfile.mkdtemp(prefix="skateboard-startup-numba-")
    try:
        return _time(kind, dict(os.environ, NUMBA_CACHE_DIR=cache))
    finally:
        shutil.rmtree(cache, ignore_errors=True)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=7, help="interleaved repetitions (default 7)")
    ap.add_argument("--compile", action="store_true",
                    help="also time compiling into empty caches (about 40 s)")
    args = ap.parse_args(argv)
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")

    print("# startup")
    print(f"machine: {_cpu_name()}, {os.cpu_count()} CPUs, {_load()}")
    print(f"         {_cpu_features()}")
    print(f"python: {sys.version.split()[0]} ({sys.executable})")
    _time("evaluate_warm_s")  # loads (or compiles) the kernel into the on-disk cache once

    kinds = ["cli_help_s", "import_api_s", "evaluate_warm_s"]
    times: dict[str, list[float]] = {k: [] for k in kinds}
    for _ in range(args.repeat):
        for k in kinds:
            times[k].append(_time(k))
    print(f"\n## Warm, {args.repeat} interleaved repetitions (wall time of a fresh process)")
    labels = {"cli_help_s": "skateboard --help", "import_api_s": "import skateboard.api",
              "evaluate_warm_s": "skateboard evaluate --json"}
    for k in kinds:
        print(f"{labels[k]:28s} min {min(times[k]):6.2f} s   median "
              f"{statistics.median(times[k]):6.2f} s")
    lines = {k: statistics.median(v) for k, v in times.items()}

    if args.compile:
        print("\n## Compiling into an empty Numba cache (one run each)")
        for k, what in (("warm_compile_s", "python -m skateboard.cli.warm (setup's step)"),
                        ("first_evaluate_cold_s", "first evaluate --json without it")):
            lines[k] = _cold(k)
            print(f"{what:48s} {lines[k]:6.1f} s")

    print(f"\nmachine at the end: {_load()}")
    for k, v in lines.items():
        print(f"{k}: {v:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
