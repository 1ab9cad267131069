"""Compile the kernels ahead of the first run: ``python -m skateboard.engine.warm``.

Numba compiles a kernel the first time it is called and caches the machine code on disk
(``cache=True``, in ``__pycache__`` beside the sources, or ``NUMBA_CACHE_DIR``). Without this
step the first ``skateboard evaluate`` pays the compilation (about 20 s on a 2-core machine)
and the first sweep or optimisation pays the parallel kernel's as well. ``python3 dev.py``
runs this module once after installing, so the install carries the compile time and the first
``evaluate`` loads cached code. The two kernels compile in two processes at once: the
single-thread one (:func:`skateboard.engine.lanes.run_serial`, with every compiled physics
helper ``evaluate`` calls, by evaluating the bundled program) and the parallel one
(:func:`skateboard.engine.lanes.run_batch`, by a batch just above
:data:`skateboard.engine.simulate.PARALLEL_THRESHOLD`).
"""

from __future__ import annotations

import subprocess
import sys
import time


def serial() -> None:
    """Compile ``run_serial`` and the helpers ``evaluate`` uses: evaluate the bundled program."""
    from skateboard.evaluation import evaluate
    from skateboard.spec import load_program

    evaluate(load_program("hongqi-on-b10"))


def batch() -> None:
    """Compile ``run_batch``: one UDDS over a batch of the bundled BEV just large enough."""
    from skateboard.cycles import load_cycle
    from skateboard.engine.simulate import PARALLEL_THRESHOLD, simulate
    from skateboard.spec import resolve_variant

    v = resolve_variant("hongqi-b10-bev")
    simulate([v] * PARALLEL_THRESHOLD, load_cycle("udds"))


def main() -> int:
    t0 = time.perf_counter()
    jobs = [subprocess.Popen([sys.executable, "-c", f"from skateboard.engine.warm import {f}; {f}()"])
            for f in ("serial", "batch")]
    codes = [j.wait() for j in jobs]
    print(f"kernels compiled and cached in {time.perf_counter() - t0:.1f} s", flush=True)
    return max(codes)


if __name__ == "__main__":
    sys.exit(main())
