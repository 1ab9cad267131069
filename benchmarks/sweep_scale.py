#!/usr/bin/env python3
"""Time a WLTP-range sweep of the Hongqi BEV at scale and show that memory stays flat.

Usage::

    python benchmarks/sweep_scale.py 100000                 # local executor, chunks of 5 000
    python benchmarks/sweep_scale.py 1000000 --chunk-size 10000
    python benchmarks/sweep_scale.py 20000 --executor dask --workers 2
    python benchmarks/sweep_scale.py 100000 --variant hongqi-b10-erev   # the range-extended one

The sweep: ``skateboard sweep hongqi-on-b10`` over a Latin hypercube of N points in
``hongqi-b10-bev.top_hat.drag_coefficient = 0.26..0.32`` and ``top_hat.curb_mass = 1.7..1.9 t``
(seed 0), EU market only (WLTP shortened test procedure, the headline range), written to a
temporary directory (removed afterwards unless ``--out`` is given). ``--variant
hongqi-b10-erev`` sweeps the range-extended derivative over the same ranges instead (WLTP's
charge-depleting and charge-sustaining tests, utility-factor weighted). ``--pack`` varies the
pack instead of the curb mass: ``pack.gross_energy = 60..67 kWh`` and ``pack.usable_energy =
55..58 kWh`` with the drag coefficient (every variant then has its own pack, its mass and the
curb mass following the energy, and its own usable SOC window).

Printed: wall time (planning included, the one-off Numba compilation excluded by a warm-up
sweep of 8 variants), variants per second, the resident set size (RSS) of this process after
10 %, 50 % and 100 % of the chunks (flat = bounded memory) and its peak (``ru_maxrss``) at the
end of the sweep and after reading three columns back; for ``--executor dask`` the workers'
memory is not included (they hold one chunk each).
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from skateboard.explore.sweep import read_sweep, run_sweep  # noqa: E402

VARY = ["hongqi-b10-bev.top_hat.drag_coefficient=0.26..0.32",
        'hongqi-b10-bev.top_hat.curb_mass="1.7 t".."1.9 t"']
#: ``--pack``: a pack per variant.
VARY_PACK = ["hongqi-b10-bev.top_hat.drag_coefficient=0.26..0.32",
             'hongqi-b10-bev.pack.gross_energy="60 kWh".."67 kWh"',
             'hongqi-b10-bev.pack.usable_energy="55 kWh".."58 kWh"']


def vary(variant: str, pack: bool = False) -> list[str]:
    """The ranges of :data:`VARY` (or :data:`VARY_PACK`) on ``variant``."""
    return [v.replace("hongqi-b10-bev.", f"{variant}.", 1) for v in (VARY_PACK if pack else VARY)]


def rss_mb() -> float:
    """Current resident set size [MB] (Linux /proc; else the peak)."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6
    except OSError:  # pragma: no cover - not Linux
        return peak_rss_mb()


def peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS
    return peak * 1024 / 1e6 if sys.platform != "darwin" else peak / 1e6


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("n", type=int, help="number of variants (LHS samples)")
    ap.add_argument("--chunk-size", type=int, default=5000)
    ap.add_argument("--executor", choices=["local", "dask"], default="local")
    ap.add_argument("--workers", type=int, default=2, help="local Dask cluster workers")
    ap.add_argument("--markets", default="eu", help="comma-separated (default eu)")
    ap.add_argument("--out", type=Path, default=None, help="keep the sweep here")
    ap.add_argument("--variant", default="hongqi-b10-bev", choices=["hongqi-b10-bev", "hongqi-b10-erev"],
                    help="the derivative varied (default the battery-electric one)")
    ap.add_argument("--pack", action="store_true",
                    help="vary the pack's gross and usable energy instead of the curb mass")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="sweep_scale_"))
    out = args.out or tmp / "sweep"
    markets = args.markets.split(",")
    try:
        ranges = vary(args.variant, args.pack)
        run_sweep("hongqi-on-b10", ranges, samples=8, markets=markets, out=tmp / "warmup",
                  chunk_size=8)  # Numba compilation / cache load
        rss0 = rss_mb()
        marks = {}
        n_chunks = -(-args.n // args.chunk_size)
        checkpoints = {max(1, round(n_chunks * f)): f for f in (0.1, 0.5, 1.0)}
        counter = {"chunks": 0}

        def after_chunk(_index):
            counter["chunks"] += 1
            if counter["chunks"] in checkpoints:
                marks[checkpoints[counter["chunks"]]] = rss_mb()

        t0 = time.perf_counter()
        res = run_sweep("hongqi-on-b10", ranges, samples=args.n, seed=0, markets=markets, out=out,
                        chunk_size=args.chunk_size, executor=args.executor,
                        n_workers=args.workers, after_chunk=after_chunk)
        wall = time.perf_counter() - t0
        peak_sweep = peak_rss_mb()
        df = read_sweep(out, columns=["sample", "feasible", f"{markets[0]}_range_km"])
        assert len(df) == args.n and df["feasible"].all()
        col = df[f"{markets[0]}_range_km"]
        print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
              f"python {platform.python_version()}")
        box = ("gross 60-67 kWh x usable 55-58 kWh" if args.pack else "curb mass 1.7-1.9 t")
        print(f"sweep: {args.variant}, LHS N={args.n}, Cd 0.26-0.32 x {box}, "
              f"markets {','.join(markets)}, chunk {args.chunk_size}, executor {args.executor}"
              + (f" ({args.workers} workers)" if args.executor == "dask" else ""))
        print(f"{markets[0]} range: {col.min():.1f} .. {col.max():.1f} km")
        print(f"wall_time_s: {wall:.1f}")
        print(f"variants_per_s: {args.n / wall:.0f}")
        print("rss_mb: before {:.0f}, ".format(rss0)
              + ", ".join(f"after {int(f * 100)} % {v:.0f}" for f, v in sorted(marks.items())))
        print(f"peak_rss_mb: {peak_sweep:.0f} (sweep), {peak_rss_mb():.0f} (after reading 3 columns "
              "back for the check)")
        print(f"dataset_mb: {sum(p.stat().st_size for p in Path(out).glob('part-*.parquet')) / 1e6:.1f}"
              f" ({res.n_chunks} part files)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
