#!/usr/bin/env python3
"""What costing a sweep adds to its time: the economics columns of ``skateboard sweep``.

Usage::

    python benchmarks/sweep_economics_overhead.py 100000      # chunks of 5 000

The sweep of ``benchmarks/sweep_scale.py`` (Hongqi BEV, Latin hypercube over the drag
coefficient and the curb mass, which moves the top-hat cost), EU market, run chunk by chunk in
this process twice: with the economics columns and without them (``plan.economics = None``),
the two passes interleaved chunk by chunk, which one goes first alternating, so drift of the
machine's speed hits both alike. Printed: both wall times, their ratio, and the time spent inside the
economics function itself (the cleanest measure of the overhead). Part files are not written
(the same in both passes).
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from skateboard.economics import sweep_columns  # noqa: E402
from skateboard.explore.sweep import plan_sweep, run_chunk  # noqa: E402

VARY = ["hongqi-b10-bev.top_hat.drag_coefficient=0.26..0.32",
        'hongqi-b10-bev.top_hat.curb_mass="1.7 t".."1.9 t"']


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("n", type=int)
    ap.add_argument("--chunk-size", type=int, default=5000)
    args = ap.parse_args()

    with_econ = plan_sweep("hongqi-on-b10", VARY, samples=args.n, seed=0, markets=["eu"],
                           chunk_size=args.chunk_size)
    without = dataclasses.replace(with_econ, economics=None, _schema=None)
    run_chunk(plan_sweep("hongqi-on-b10", VARY, samples=8, markets=["eu"], chunk_size=8), 0)  # compile

    inner = {"s": 0.0}
    original = sweep_columns.columns

    def timed(*a, **k):
        t = time.perf_counter()
        out = original(*a, **k)
        inner["s"] += time.perf_counter() - t
        return out

    sweep_columns.columns = timed
    t_with = t_without = 0.0
    for i in range(with_econ.n_chunks):
        for plan in ((with_econ, without) if i % 2 == 0 else (without, with_econ)):
            t = time.perf_counter()
            out = run_chunk(plan, i)
            if plan is with_econ:
                t_with += time.perf_counter() - t
                table = out
            else:
                t_without += time.perf_counter() - t
    col = table.column("eu_landed_cost").to_numpy()
    print(f"sweep: hongqi-b10-bev, LHS N={args.n} (Cd, curb mass), eu, "
          f"chunk {args.chunk_size}")
    print(f"eu landed cost in the last chunk: {col.min():,.0f} .. {col.max():,.0f} "
          f"{with_econ.economics.currency}")
    print(f"with economics: {t_with:.2f} s; without: {t_without:.2f} s; "
          f"ratio {t_with / t_without:.3f}")
    print(f"inside the economics columns: {inner['s']:.3f} s = {inner['s'] / t_without:.2%} "
          "of the sweep without them")


if __name__ == "__main__":
    main()
