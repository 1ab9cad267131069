"""Two vectors per iteration of the fast steps' lane loops: LLVM's loop interleaving, forced
while Numba compiles those functions and for them only.

Why: a fast step (``engine/lanes.py``) runs one loop over the 16 lanes of a tile, two 512-bit
vectors. LLVM's cost model vectorises it but leaves it at one vector per iteration, so the two
vectors' chains (state of charge -> voltage -> current) run one after the other. With
``-force-vector-interleave=2`` LLVM works on both vectors in one iteration, and the core overlaps
their latencies. Every lane gets the same operations in the same order (interleaving reorders
no floating-point operation: without fast-math LLVM vectorises no floating-point reduction), so
the results are the same bits. Measured 2026-12-04 (2-core AMD EPYC, Zen 4, AVX-512;
``benchmarks/kernel_floor.py`` and ``--llvm-interleave 0``, three alternating pairs, UDDS,
N = 10 000, one thread): 6.17-6.20 against 6.77-7.06 ns per vehicle-step, results identical.

The option is one of LLVM's process-wide settings (``llvmlite.binding.set_option``). So that it
never changes how anything else compiles, a listener on Numba's ``numba:compile`` event sets it
when Numba starts compiling one of the fast steps (the functions named ``fast_step`` of
``skateboard.engine.lanes``) and puts LLVM's default (0: its cost model) back when that compile
ends: a user's own Numba functions in the same process, the range-extender step and the rest of
the kernel compile as they would without it. Numba compiles under one global lock, so no other
compile runs meanwhile. Loading a compiled function from the cache involves no LLVM and no
event. Measured per variant on the bundled Hongqi derivatives' WLTP procedure (1 024 variants,
one thread, three alternating pairs): range-extended 0.189-0.204 ms against 0.198-0.208 ms,
battery-electric 0.084 against 0.085 ms, so the procedures, mostly constant-speed steps, are
unchanged and UDDS-like driving gains.

``SKATEBOARD_LLVM_INTERLEAVE`` (an integer, read once at import) replaces the count: 0 leaves
LLVM's choice (for measuring). It applies to what is compiled afterwards; a kernel already in
Numba's cache keeps the code it was compiled with.
"""

from __future__ import annotations

import os

#: Vectors per iteration of the lane loops (``SKATEBOARD_LLVM_INTERLEAVE`` overrides it).
DEFAULT_COUNT = 2
#: The functions whose compiles get the count: the fast steps of ``engine/lanes.py`` (every
#: variant ``_make_fast_step`` makes is named ``fast_step``), by module and name.
MODULE, NAME = "skateboard.engine.lanes", "fast_step"


def count_from_env() -> int:
    """The interleave count: ``SKATEBOARD_LLVM_INTERLEAVE`` when it is a non-negative integer,
    else :data:`DEFAULT_COUNT`."""
    text = os.environ.get("SKATEBOARD_LLVM_INTERLEAVE", "").strip()
    return int(text) if text.isdigit() else DEFAULT_COUNT


def _set_llvm_count(count: int) -> None:
    import llvmlite.binding as llvm

    llvm.set_option("", f"-force-vector-interleave={count}")


def is_fast_step(dispatcher) -> bool:
    func = getattr(dispatcher, "py_func", None)
    return getattr(func, "__module__", None) == MODULE and getattr(func, "__name__", None) == NAME


class CompileListener:
    """Sets the count at the start of the outermost compile of a fast step and puts
    LLVM's default back at its end. ``set_count`` is the setter (LLVM's, or a test's)."""

    def __init__(self, count: int, set_count=_set_llvm_count):
        self.count = count
        self.set_count = set_count
        self.depth = 0  # fast-step compiles under way (nested ones keep the count set)

    def on_start(self, event) -> None:
        if is_fast_step(event.data.get("dispatcher")):
            if self.depth == 0:
                self.set_count(self.count)
            self.depth += 1

    def on_end(self, event) -> None:
        if is_fast_step(event.data.get("dispatcher")):
            self.depth -= 1
            if self.depth == 0:
                self.set_count(0)


def numba_listener(inner: CompileListener):
    """``inner`` as a listener Numba accepts (its abstract ``event.Listener``)."""
    from numba.core import event

    class _Listener(event.Listener):
        def on_start(self, ev):
            inner.on_start(ev)

        def on_end(self, ev):
            inner.on_end(ev)

    return _Listener()


_installed: CompileListener | None = None


def install() -> CompileListener | None:
    """Register the listener once per process (None when the count is 0: LLVM's choice)."""
    global _installed
    if _installed is not None:
        return _installed
    count = count_from_env()
    if count == 0:
        return None
    from numba.core import event

    _installed = CompileListener(count)
    event.register("numba:compile", numba_listener(_installed))
    return _installed
