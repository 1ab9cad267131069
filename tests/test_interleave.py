"""The interleave listener (``skateboard.engine.interleave``): it sets LLVM's interleave count
for the fast steps' compiles only and puts LLVM's default back after each, nested or not."""

import types

import numba
import numpy as np
from numba.core import event

from skateboard.engine import interleave


def _ev(module, name="fast_step"):
    f = types.FunctionType(compile("def f():\n    pass\n", "<test>", "exec").co_consts[0], {})
    f.__module__, f.__name__ = module, name
    return types.SimpleNamespace(data={"dispatcher": types.SimpleNamespace(py_func=f)})


def test_listener_sets_the_count_for_our_outermost_compile_only():
    calls = []
    lst = interleave.CompileListener(2, set_count=calls.append)
    ours, inner, user = _ev("skateboard.engine.lanes"), _ev("skateboard.engine.lanes"), _ev("mine")
    kernel, gen = _ev("skateboard.engine.lanes", "run_tiles"), _ev("skateboard.engine.generating", "generating_step")
    lst.on_start(user)             # a user's compile: untouched
    lst.on_start(ours)             # a fast step, nested in the user's: set
    lst.on_start(inner)            # nested in it: already set
    lst.on_end(inner)
    lst.on_end(ours)               # the outermost fast step ends: LLVM's default back
    lst.on_end(user)
    assert calls == [2, 0]
    for other in (kernel, gen):    # the rest of the kernel and the range-extender step: untouched
        lst.on_start(other)
        lst.on_end(other)
    assert calls == [2, 0]
    assert lst.depth == 0


def test_count_from_env(monkeypatch):
    monkeypatch.setenv("SKATEBOARD_LLVM_INTERLEAVE", "0")
    assert interleave.count_from_env() == 0
    monkeypatch.setenv("SKATEBOARD_LLVM_INTERLEAVE", "4")
    assert interleave.count_from_env() == 4
    monkeypatch.setenv("SKATEBOARD_LLVM_INTERLEAVE", "two")
    assert interleave.count_from_env() == interleave.DEFAULT_COUNT
    monkeypatch.delenv("SKATEBOARD_LLVM_INTERLEAVE")
    assert interleave.count_from_env() == interleave.DEFAULT_COUNT


def test_numba_compile_events_reach_the_listener():
    """Real Numba compiles: a fast step (by module and name) sets and restores, a user's does not."""
    calls = []
    lst = interleave.CompileListener(2, set_count=calls.append)

    def fast_step(x):
        s = 0.0
        for v in x:
            s += v
        return s

    def theirs(x):
        return x.sum()

    fast_step.__module__ = "skateboard.engine.lanes"
    with event.install_listener("numba:compile", interleave.numba_listener(lst)):
        numba.njit(theirs)(np.ones(4))
        assert calls == []
        assert numba.njit(fast_step)(np.ones(4)) == 4.0
    assert calls == [2, 0]
