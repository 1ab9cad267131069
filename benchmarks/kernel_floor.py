#!/usr/bin/env python3
"""Where the kernel's time goes, and the floor its instructions set.

Usage::

    python benchmarks/kernel_floor.py                     # UDDS, N = 10 000, one thread
    python benchmarks/kernel_floor.py --cycle wltc_class3b
    python benchmarks/kernel_floor.py --llvm-interleave 0 # LLVM's own interleave count, to compare

The kernel is compiled into a fresh temporary Numba cache (about 15 s: Numba shows the machine
code only of functions it compiled in this process), then:

* **Machine code of each fast step.** For the five vectorised steps of
  ``skateboard.engine.lanes`` (steady; traction and full, for one and for two drive units) the
  script reads the x86 assembly LLVM made, finds the vectorised lane loop (the span of its
  backward jumps), and counts instructions in the loop body and outside it (run once per call;
  with no backward jump LLVM unrolled the lanes and everything runs once), the vector width
  (zmm = 8 doubles, ymm = 4), the vector floating-point instructions (add, sub, mul, fma, div,
  sqrt, min, max, compare, blend, logic) and the divisions and square roots. Per lane-step =
  (outside + iterations x body) / LANES.
* **The cycle's step mix.** Which step the tile driver (``run_tile``) takes at each step of the
  cycle, from the trace alone: *steady* when the step's speeds and grade equal the previous
  step's, *traction* when the trace accelerates, *full* otherwise (lanes that leave the fast path
  take the scalar exact step; on the benchmark's vehicles that is under 0.1 % of lane-steps,
  not counted).
* **Time.** ``simulate_params`` on N rows (the vehicles of ``engine_vs_fastsim.py``: its three
  FASTSim-3 BEVs, tiled and perturbed the same way), Numba on one thread, min and median of the
  repetitions, in ns per vehicle-step.

From these it prints the instructions per vehicle-step, the clock cycles per vehicle-step at the
clock /proc/cpuinfo reports (a virtual machine reports its nominal clock; a core that boosts
runs faster, so the cycles and instructions per cycle are estimates), and a floor: the vector
floating-point instructions per vehicle-step / 2, since the AVX-512 cores this targets issue at
most two 512-bit floating-point instructions per cycle (AMD Zen 4 pairs its four 256-bit pipes;
Intel's server cores use ports 0+1 fused and port 5; the vendors' optimisation guides). Loads,
stores, mask and integer instructions use other ports and are not in the floor, so the floor is
a lower bound, not a prediction.

``--llvm-interleave K`` compiles with LLVM's loop interleave count K instead of Skateboard's
(``SKATEBOARD_LLVM_INTERLEAVE``, ``skateboard.engine.interleave``: 2, set only while Numba
compiles the fast steps); 0 leaves LLVM's cost model, which keeps one vector per
iteration. ``--save`` writes the results, to check that two builds give the same bits.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
STEPS = ("steady_step", "traction_step_1", "fast_step_1", "traction_step_2", "fast_step_2")
#: mnemonics of vector floating-point work (packed double): the FP pipes' instructions
FP_RE = re.compile(r"^v(add|sub|mul|div|sqrt|min|max|fn?madd\d*|fn?msub\d*|cmp\w*|blendm|and|andn|or|xor)pd$")
JUMP_RE = re.compile(r"^j[a-z]+$")


def parse_step(asm: str) -> dict:
    """Instruction counts of the native function in ``asm`` (Numba's text for one signature:
    the native function, then its CPython wrapper)."""
    lines = asm.splitlines()
    start = next(i for i, s in enumerate(lines) if re.match(r"^_ZN\d+skateboard", s))
    end = next((i for i, s in enumerate(lines) if s.startswith("_ZN7cpython")), len(lines))
    body = lines[start:end]
    labels = {s.rstrip(":"): i for i, s in enumerate(body) if s.startswith(".LBB")}
    instr = [i for i, s in enumerate(body) if s.startswith("\t") and not s.strip().startswith(".")]
    lo, hi = None, None
    for i in instr:
        parts = body[i].split()
        if JUMP_RE.match(parts[0]) and len(parts) > 1 and parts[1] in labels and labels[parts[1]] < i:
            lo = labels[parts[1]] if lo is None else min(lo, labels[parts[1]])
            hi = i if hi is None else max(hi, i)
    in_loop = [i for i in instr if lo is not None and lo <= i <= hi]
    outside = [i for i in instr if not (lo is not None and lo <= i <= hi)]
    text = [body[i] for i in (in_loop or instr)]
    width = 8 if any("zmm" in s for s in text) else 4 if any("ymm" in s for s in text) else 1

    def fp(idx):
        m = [body[i].split()[0] for i in idx]
        return sum(bool(FP_RE.match(x)) for x in m), sum(x.startswith(("vdiv", "vsqrt")) for x in m)

    (fp_in, ds_in), (fp_out, ds_out) = fp(in_loop), fp(outside)
    return {"outside": len(outside), "body": len(in_loop), "width": width, "loop": bool(in_loop),
            "fp_body": fp_in, "fp_outside": fp_out, "ds_body": ds_in, "ds_outside": ds_out}


def step_mix(speed, grade_sin, grade_cos) -> dict:
    """Fractions of a cycle's steps 1..n-1 that ``run_tile`` takes as steady, traction and full
    steps (its rule: steady when (v_prev, v, sin, cos) equals the previous step's)."""
    n = len(speed)
    counts = {"steady": 0, "traction": 0, "full": 0}
    last = None
    for k in range(1, n):
        key = (speed[k - 1], speed[k], grade_sin[k], grade_cos[k])
        if key == last:
            counts["steady"] += 1
        elif speed[k] > speed[k - 1]:
            counts["traction"] += 1
        else:
            counts["full"] += 1
        last = key
    return {k: v / (n - 1) for k, v in counts.items()}


def cpu_mhz() -> float:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("cpu MHz"):
                return float(line.split(":", 1)[1])
    except (OSError, ValueError):
        pass
    return float("nan")


def run(args) -> int:
    if args.llvm_interleave is not None:
        os.environ["SKATEBOARD_LLVM_INTERLEAVE"] = str(args.llvm_interleave)
    import numba
    import numpy as np

    sys.path.insert(0, str(HERE))
    import engine_vs_fastsim as B  # noqa: E402 - the benchmark's vehicles and helpers
    import importlib
    from skateboard.engine.interleave import count_from_env
    from skateboard.engine.tile import LANES

    # the modules (skateboard.engine re-exports a *function* named simulate)
    lanes = importlib.import_module("skateboard.engine.lanes")
    simulate = importlib.import_module("skateboard.engine.simulate")

    print("# kernel_floor")
    print(f"machine: {B._cpu_name()}, {os.cpu_count()} CPUs, clock reported {cpu_mhz():.0f} MHz")
    print(f"         {B._cpu_features()}")
    print(f"software: numba {numba.__version__}, LANES = {LANES}, "
          f"LLVM interleave count {count_from_env() or 'LLVM cost model (0)'}")
    fields = {k: B.FASTSIM_310_SNAPSHOT[k] for k in B.FASTSIM_VEHICLES}
    base, ocv, rex, _ = B.build_base(fields, "fit")
    cycles = B.skateboard_cycles()
    cyc = cycles[args.cycle]
    t0 = time.perf_counter()
    simulate.simulate_params(base, ocv, rex, cyc)
    print(f"compile: {time.perf_counter() - t0:.1f} s")

    print("\n## Machine code of the fast steps (per call of a tile of LANES lanes)")
    print(f"{'step':16s} {'width':>5s} {'outside':>7s} {'body':>5s} {'iter.':>5s} {'per lane':>8s} "
          f"{'FP/lane':>7s} {'div+sqrt/lane':>13s}")
    per_lane, fp_lane = {}, {}
    for name in STEPS:
        f = getattr(lanes, name)
        if not f.signatures:
            print(f"{name:16s} not compiled")
            continue
        c = parse_step(f.inspect_asm(f.signatures[0]))
        iters = LANES // c["width"] if c["loop"] else 1   # no loop: LLVM unrolled the lanes
        per_lane[name] = (c["outside"] + iters * c["body"]) / LANES
        fp_lane[name] = (c["fp_outside"] + iters * c["fp_body"]) / LANES
        ds = (c["ds_outside"] + iters * c["ds_body"]) / LANES
        print(f"{name:16s} {c['width']:5d} {c['outside']:7d} {c['body']:5d} {iters:5d} "
              f"{per_lane[name]:8.1f} {fp_lane[name]:7.1f} {ds:13.2f}")

    speed, gsin, gcos = (np.asarray(a) for a in simulate.cycle_arrays(cyc)[:3])
    mix = step_mix(speed.tolist(), gsin.tolist(), gcos.tolist())
    print(f"\n## Step mix of {args.cycle} ({len(speed) - 1} steps): "
          + ", ".join(f"{k} {100 * v:.1f} %" for k, v in mix.items()))
    which = {"steady": "steady_step", "traction": "traction_step_1", "full": "fast_step_1"}
    instr = sum(mix[k] * per_lane[which[k]] for k in mix)
    fp = sum(mix[k] * fp_lane[which[k]] for k in mix)

    params = B.tile_params(base, args.n, np.random.default_rng(B.SEED))
    numba.set_num_threads(1)
    times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        res = simulate.simulate_params(params, ocv, rex, cyc)
        times.append(time.perf_counter() - t0)
    vs = args.n * (len(speed) - 1)
    ns_min, ns_med = min(times) / vs * 1e9, statistics.median(times) / vs * 1e9
    ghz = cpu_mhz() / 1e3
    print(f"\n## One thread, N = {args.n}, {args.repeat} repetitions")
    print(f"time per vehicle-step: min {ns_min:.2f} ns, median {ns_med:.2f} ns"
          f" = {ns_min * ghz:.1f} cycles at the reported clock")
    print(f"instructions per vehicle-step (fast steps, one drive unit): {instr:.1f};"
          f" vector FP instructions: {fp:.1f}")
    print(f"instructions per cycle (estimate): {instr / (ns_min * ghz):.2f}")
    print(f"floor at two vector FP instructions per cycle: {fp / 2:.1f} cycles"
          f" = {fp / 2 / ghz:.2f} ns per vehicle-step (measured / floor {ns_min * ghz / (fp / 2):.2f})")
    if args.save:
        np.save(args.save, res.summary)
    print(f"\nns_per_vehicle_step_per_core: {ns_min:.2f}")
    print(f"instructions_per_vehicle_step: {instr:.1f}")
    print(f"fp_floor_ns_per_vehicle_step: {fp / 2 / ghz:.2f}")
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cycle", default="udds", choices=("udds", "hwfet", "wltc_class3b"))
    ap.add_argument("--n", type=int, default=10_000, help="vehicles (default 10 000)")
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--llvm-interleave", type=int, default=None, metavar="K",
                    help="LLVM's loop interleave count for the kernel (default: Skateboard's, 2; "
                         "0: LLVM's cost model)")
    ap.add_argument("--save", help="write the result summary (.npy) here, to compare two runs")
    args = ap.parse_args(argv)
    cache = tempfile.mkdtemp(prefix="skateboard-floor-numba-")
    os.environ["NUMBA_CACHE_DIR"] = cache  # before numba is imported: machine code is readable
    try:
        return run(args)
    finally:
        shutil.rmtree(cache, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
