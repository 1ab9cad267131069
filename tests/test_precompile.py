"""The warm step's two-process compile (skateboard.engine.precompile): the argument types it
compiles the step functions for are the ones the kernel calls them with, so the kernel finds
them in the cache instead of compiling them again."""

import json
import os
import subprocess
import sys
import textwrap

CHECK = textwrap.dedent("""
    import json
    from skateboard.engine import precompile
    assert not precompile.kernel_cached()
    assert precompile.compile_steps_if_cold()        # fast group in a second process, exact here
    assert not precompile.kernel_cached()            # the steps only: the kernel compiles below
    from skateboard.cycles import load_cycle
    from skateboard.engine.simulate import simulate
    from skateboard.spec import resolve_variant
    # a battery-electric and a range-extended car: every step function is called
    simulate([resolve_variant("hongqi-b10-bev"), resolve_variant("hongqi-b10-erev")],
             load_cycle("udds"))
    assert precompile.kernel_cached() and not precompile.compile_steps_if_cold()
    out = {}
    for group, members in precompile._groups().items():
        for dispatcher, signature in members:
            out[dispatcher.py_func.__qualname__ + repr(dispatcher.py_func.__closure__ is not None)
                + str(len(out))] = [str(s) for s in dispatcher.signatures] + ["|" + str(signature)]
    print(json.dumps(out))
""")


def test_the_kernel_calls_the_step_functions_with_the_precompiled_types(tmp_path):
    """In a fresh cache (what a first ``evaluate`` meets without the warm step): the cache is
    found cold, both groups compile by their signatures (the fast one in a second process), the
    kernel compiles and types its calls, and each step function has one signature, the
    precompiled one (a call with other types would have added a second); the cache is then warm."""
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path))
    done = subprocess.run([sys.executable, "-c", CHECK], env=env, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(found) == 13
    for name, sigs in found.items():
        *compiled, wanted = sigs
        assert len(compiled) == 1, (name, compiled)
        assert compiled[0] == wanted[1:], (name, compiled, wanted)


def test_a_second_process_that_hangs_is_stopped(monkeypatch):
    """The warm step waits for the second process at most SECOND_PROCESS_TIMEOUT, then stops it."""
    from skateboard.engine import precompile

    monkeypatch.setattr(precompile, "SECOND_PROCESS_TIMEOUT", 0.5)
    hung = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    precompile.finish_second_process(hung)
    assert hung.returncode is not None and hung.returncode != 0
    precompile.finish_second_process(None)   # one CPU: nothing started
