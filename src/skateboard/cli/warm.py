"""Compile the kernels ahead of the first run: ``python -m skateboard.cli.warm``.

Numba compiles a kernel the first time it is called and caches the machine code on disk
(``cache=True``, in ``__pycache__`` beside the sources, or ``NUMBA_CACHE_DIR``). Without this
step the first ``skateboard evaluate`` pays the compilation (35 s on the 2-core machine, 2026-12-04)
and the first sweep or optimisation pays the parallel kernel's as well. ``python3 dev.py`` runs
this module once after installing, so the install carries the compile time and the first
``evaluate`` loads cached code. The two kernels compile in two processes at once
(:func:`skateboard.api.compile_kernels` ``"serial"`` and ``"batch"``).
"""

from __future__ import annotations

import subprocess
import sys
import time


def main(argv: list[str]) -> int:
    if argv:                      # one kernel, in this process
        from skateboard.api import compile_kernels

        compile_kernels(argv[0])
        return 0
    t0 = time.perf_counter()
    jobs = [subprocess.Popen([sys.executable, "-m", "skateboard.cli.warm", kind])
            for kind in ("serial", "batch")]
    codes = [j.wait() for j in jobs]
    print(f"kernels compiled and cached in {time.perf_counter() - t0:.1f} s", flush=True)
    return max(codes)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
