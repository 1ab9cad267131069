"""Optimiser speed: evaluations per second of ``optimise`` against the raw sweep rate on the same
fields, and the time to converge on the bundled Hongqi BEV problem.

    .venv/bin/python benchmarks/optimise_rate.py [--population 200] [--generations 10]

1. Raw sweep rate: ``skateboard.explore.sweep.run_chunk`` on an N-point Latin hypercube of the
   problem's fields (EU WLTP per variant, the headline procedure a sweep runs).
2. ``optimise`` on the same fields with constraints and objectives that need only that
   procedure (the bundled BEV's headline targets, min_range_km and max_consumption_wh_per_km, in
   a program file written to a temporary directory; objectives min:cost_standin and
   max:range_km@eu): evaluations per second of the whole search after its first generation
   (which loads the compiled kernels). Same kernel work per variant as the sweep, so the
   difference is the optimiser's own overhead (pymoo, building variants, scoring) plus the
   smaller batches (one generation is one batch).
3. The bundled problem: min:cost_standin for hongqi-b10-bev with all its targets in the EU
   (including 0-100 km/h and the -7 degC range, which add a performance run and a climate case
   per variant): evaluations and seconds until the last generation that improved the best.

Prints the load average: compare figures only within one run on a shared machine.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

BEV = "hongqi-b10-bev"
VARY = [f"{BEV}.pack={{56kwh,67kwh}}",
        f'{BEV}.drive_units.rear.peak_power="100 kW".."220 kW"',
        f"{BEV}.top_hat.drag_coefficient=0.26..0.32"]


def sweep_rate(n: int) -> float:
    from skateboard.explore.sweep import plan_sweep, run_chunk

    plan = plan_sweep("hongqi-on-b10", VARY, samples=n, markets=["eu"], chunk_size=n)
    run_chunk(plan_sweep("hongqi-on-b10", VARY, samples=50, markets=["eu"], chunk_size=50), 0)
    t = time.perf_counter()
    table = run_chunk(plan, 0)
    return table.num_rows / (time.perf_counter() - t)


def optimiser_rate(population: int, generations: int) -> tuple[float, object]:
    from skateboard.optimise import optimise

    with tempfile.TemporaryDirectory() as tmp:
        prog = Path(tmp) / "headline.toml"
        prog.write_text(f'name = "headline"\ntitle = "headline targets only"\nvariants = ["{BEV}"]\n'
                        f'[targets.{BEV}]\nmin_range_km = 420\nmax_consumption_wh_per_km = 160\n')
        vary = [v for v in VARY]
        r = optimise(str(prog), vary, ["min:cost_standin", "max:range_km@eu"], markets=["eu"],
                     population=population, generations=generations, patience=generations,
                     seed=0)
    h = r.history
    evals = h["evaluations"].iloc[-1] - h["evaluations"].iloc[0]
    secs = h["seconds"].iloc[-1] - h["seconds"].iloc[0]
    return evals / secs, r


def bundled_convergence(population: int) -> object:
    from skateboard.optimise import optimise

    return optimise("hongqi-on-b10", VARY, ["min:cost_standin"], markets=["eu"],
                    population=population, generations=60, patience=15, seed=0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--population", type=int, default=200)
    ap.add_argument("--generations", type=int, default=10)
    ap.add_argument("--sweep-samples", type=int, default=2000)
    args = ap.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    rate_sweep = sweep_rate(args.sweep_samples)
    print(f"raw sweep rate, {args.sweep_samples} LHS variants, EU WLTP: {rate_sweep:,.0f} variants/s")
    rate_opt, r = optimiser_rate(args.population, args.generations)
    print(f"optimise, same fields and procedure, population {args.population}, "
          f"{r.generations} generations: {rate_opt:,.0f} evaluations/s "
          f"({rate_opt / rate_sweep:.0%} of the sweep rate); {r.evaluations} evaluations")
    for pop in (40, args.population):
        c = bundled_convergence(pop)
        h = c.history.set_index("generation")
        at = h.loc[c.converged_generation]
        print(f"bundled Hongqi BEV problem (min:cost_standin, EU targets), population {pop}: "
              f"best {c.best['cost_standin']:,.1f} USD-2022 at "
              f"{c.best['options.pack']}, {c.best['drive_units.rear.peak_power_w'] / 1e3:.1f} kW, "
              f"Cd {c.best['top_hat.drag_coefficient']:.3f}; converged at generation "
              f"{c.converged_generation}: {int(at['evaluations'])} evaluations, "
              f"{at['seconds']:.1f} s ({at['seconds'] - h['seconds'].iloc[0]:.1f} s after the "
              f"first generation); stopped after {c.generations} generations, "
              f"{c.evaluations} evaluations, {c.seconds:.1f} s")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
