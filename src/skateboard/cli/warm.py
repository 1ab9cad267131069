"""Compile the kernel ahead of the first run: ``python -m skateboard.cli.warm``.

Numba compiles a kernel the first time it is called and caches the machine code on disk
(``cache=True``, in ``__pycache__`` beside the sources, or ``NUMBA_CACHE_DIR``). Without this
step the first ``skateboard evaluate`` pays the compilation (19-24 s on the 2-core machine,
2026-12-04). ``python3 dev.py`` runs this module once after installing, so the install carries
the compile time and the first ``evaluate`` loads cached code
(:func:`skateboard.api.compile_kernels`).
"""

from __future__ import annotations

import sys
import time


def main(argv: list[str]) -> int:
    if argv:
        print(f"usage: python -m skateboard.cli.warm (no arguments; got {' '.join(argv)})",
              file=sys.stderr)
        return 2
    from skateboard.api import compile_kernels

    t0 = time.perf_counter()
    compile_kernels()
    print(f"kernel compiled and cached in {time.perf_counter() - t0:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    # On a thread of its own: run as ``python -m``, the main thread's stack holds runpy's frozen
    # frames, and Numba compiled the kernel in 26-29 s instead of 16-18 s with them below it
    # (measured 2026-12-04: 11 s of system time instead of 1.6 s; strace counted 515 000 mmap
    # and as many munmap calls in such a run; why the frames matter was not found).
    import threading

    codes: list[int] = []
    worker = threading.Thread(target=lambda: codes.append(main(sys.argv[1:])))
    worker.start()
    worker.join()
    sys.exit(codes[0] if codes else 1)
