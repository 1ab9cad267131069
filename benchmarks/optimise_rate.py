"""Optimiser speed: evaluations per second of ``optimise`` against the raw sweep rate on the same
fields, and the time to converge on the bundled Hongqi BEV problem.

    .venv/bin/python benchmarks/optimise_rate.py [--population 200] [--generations 10] [--repeats 5]

1. Raw sweep rate: ``skateboard.explore.sweep.run_chunk`` on an N-point Latin hypercube of the
   problem's fields (EU WLTP per variant, the headline procedure a sweep runs).
2. ``optimise`` on the same fields with constraints and objectives that need only that
   procedure (the bundled BEV's headline targets, min_range_km and max_consumption_wh_per_km, in
   a program file written to a temporary directory; objectives min:cost_total and
   max:range_km@eu): evaluations per second of the whole search after its first generation
   (which loads the compiled kernels). Same kernel work per variant as the sweep, so the
   difference is the optimiser's own overhead (pymoo, building variants, scoring) plus the
   smaller batches (one generation is one batch).
3. The bundled problem: min:cost_total for hongqi-b10-bev with all its targets in the EU
   (including 0-100 km/h and the -7 degC range, which add a performance run and a climate case
   per variant): evaluations and seconds until the last generation that improved the best.

Prints the load average: compare figures only within one run on a shared machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

BEV = "hongqi-b10-bev"
# The bundled problem: the platform's two packs and the rear unit's rating (both priced by the
# economics cost model); the top hat stays the derivative's own.
VARY = [f"{BEV}.pack={{56kwh,67kwh}}",
        f'{BEV}.drive_units.rear.peak_power="100 kW".."220 kW"']


def sweep_rate(n: int, chunk: int) -> float:
    """Variants per second of the sweep's chunks (``run_chunk``) on n LHS samples."""
    from skateboard.explore.sweep import plan_sweep, run_chunk

    plan = plan_sweep("hongqi-on-b10", VARY, samples=n, markets=["eu"], chunk_size=chunk)
    run_chunk(plan_sweep("hongqi-on-b10", VARY, samples=50, markets=["eu"], chunk_size=50), 0)
    t = time.perf_counter()
    rows = sum(run_chunk(plan, i).num_rows for i in range(plan.n_chunks))
    return rows / (time.perf_counter() - t)


def optimiser_rate(population: int, generations: int) -> tuple[float, object]:
    from skateboard.optimise import optimise
    from skateboard.workspace import workspace

    with tempfile.TemporaryDirectory() as tmp, workspace(tmp):
        prog = Path(tmp) / "headline.toml"
        prog.write_text(f'name = "headline"\ntitle = "headline targets only"\nvariants = ["{BEV}"]\n'
                        f'[targets.{BEV}]\nmin_range_km = 420\nmax_consumption_wh_per_km = 160\n')
        vary = [v for v in VARY]
        r = optimise(str(prog), vary, ["min:cost_total", "max:range_km@eu"], markets=["eu"],
                     population=population, generations=generations, patience=generations,
                     seed=0)
    h = r.history
    evals = h["evaluations"].iloc[-1] - h["evaluations"].iloc[0]
    secs = h["seconds"].iloc[-1] - h["seconds"].iloc[0]
    sim = h["simulation_seconds"].iloc[-1] - h["simulation_seconds"].iloc[0]
    scoring = h["evaluate_seconds"].iloc[-1] - h["evaluate_seconds"].iloc[0]
    return evals / secs, (sim / secs, (scoring - sim) / secs), r


def bundled_convergence(population: int) -> object:
    from skateboard.optimise import optimise

    return optimise("hongqi-on-b10", VARY, ["min:cost_total"], markets=["eu"],
                    population=population, generations=60, patience=15, seed=0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--population", type=int, default=200)
    ap.add_argument("--generations", type=int, default=10)
    ap.add_argument("--repeats", type=int, default=5,
                    help="interleaved runs of the sweep and the optimiser (A B A B ...)")
    args = ap.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    n = args.population * args.generations
    sweep_rate(args.population, args.population)           # compile / load the kernel
    big, same, opt, shares = [], [], [], []
    for _ in range(args.repeats):                            # interleaved: A B C A B C ...
        big.append(sweep_rate(n, 5000))
        same.append(sweep_rate(n, args.population))
        rate, share, r = optimiser_rate(args.population, args.generations)
        opt.append(rate)
        shares.append(share)

    def mm(x):
        return f"min {min(x):,.0f}, median {statistics.median(x):,.0f}"

    sim, scoring = (statistics.median(s[i] for s in shares) for i in (0, 1))
    print(f"{args.repeats} interleaved runs, {n} variants each, EU WLTP per variant:")
    print(f"  raw sweep, chunks of 5000: {mm(big)} variants/s")
    print(f"  raw sweep, chunks of {args.population} (the population): {mm(same)} variants/s")
    print(f"  optimise, population {args.population}, {r.generations} generations, "
          f"{r.evaluations} evaluations: {mm(opt)} evaluations/s")
    ratio = [o / s for o, s in zip(opt, same)]
    print(f"  optimise / sweep at the same batch size, per interleaved pair: min {min(ratio):.0%}, "
          f"median {statistics.median(ratio):.0%}; against chunks of 5000: median "
          f"{statistics.median(opt) / statistics.median(big):.0%}")
    print(f"  search time (median): simulation (columns_for) {sim:.0%}, building and scoring "
          f"variants {scoring:.0%}, the genetic algorithm (mating, survival) "
          f"{1 - sim - scoring:.0%}")
    for pop in (40, args.population):
        c = bundled_convergence(pop)
        h = c.history.set_index("generation")
        at = h.loc[c.converged_generation]
        print(f"bundled Hongqi BEV problem (min:cost_total, EU targets), population {pop}: "
              f"best EUR {c.best['cost_total']:,.1f} (2026) at "
              f"{c.best['options.pack']}, {c.best['drive_units.rear.peak_power_w'] / 1e3:.2f} kW "
              f"(range {c.best['eu_range_km']:.1f} km, 0-100 {c.best['accel_0_100_s']:.3f} s); converged at generation "
              f"{c.converged_generation}: {int(at['evaluations'])} evaluations, "
              f"{at['seconds']:.1f} s ({at['seconds'] - h['seconds'].iloc[0]:.1f} s after the "
              f"first generation); stopped after {c.generations} generations, "
              f"{c.evaluations} evaluations, {c.seconds:.1f} s")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
