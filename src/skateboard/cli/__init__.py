"""The `skateboard` command line: one typer app, one module per command group (:mod:`.core`,
:mod:`.sweep`, :mod:`.optimise`, :mod:`.economics`, :mod:`.validate`, :mod:`.serve`) sharing
:mod:`.common`; it only calls the public Python API."""

from __future__ import annotations

import atexit
import os
import sys
import threading
from typing import NoReturn

import typer
from rich.text import Text

from skateboard.cli import (
    core,  # noqa: F401  (registers simulate, evaluate, markets, platforms, cycles)
    economics,
    optimise,
    serve,
    sweep,
    validate,
)
from skateboard.cli.common import app, err_console
from skateboard.errors import SpecError, clip

app.add_typer(validate.validate_app, name="validate",
              help="Compare predictions with measured and published data.")
economics.register(app)
sweep.register(app)
optimise.register(app)
serve.register(app)


class _SkipNumbaBlasProbe:
    """Import hook: Numba's start-up probes for BLAS by importing ``scipy.linalg.cython_blas``
    (``numba.np.linalg.ensure_blas``, called once from ``numba.np.arraymath`` when the first
    compiled function loads), which imports all of ``scipy.linalg``: 0.2 s of a warm
    ``skateboard evaluate`` of 1.9 s (cProfile, 2026-12-04). Skateboard's compiled code uses no
    BLAS; without it Numba's ``np.correlate`` and ``np.convolve`` use their loop (their only use
    of the probe's answer, ``numba/np/arraymath.py``). This hook refuses ``scipy.linalg`` to
    that probe only, in the CLI's own process; every other import of SciPy works as before."""

    @staticmethod
    def find_spec(fullname, path=None, target=None):
        if fullname == "scipy.linalg" or fullname.startswith("scipy.linalg."):
            frame = sys._getframe(1)
            while frame is not None:
                if (frame.f_code.co_name == "ensure_blas"
                        and frame.f_globals.get("__name__") == "numba.np.linalg"):
                    raise ImportError("skipped for Numba's BLAS probe (skateboard.cli)")
                frame = frame.f_back
        return None


def skip_numba_blas_probe() -> None:
    """Install :class:`_SkipNumbaBlasProbe` (once)."""
    if _SkipNumbaBlasProbe not in sys.meta_path:
        sys.meta_path.insert(0, _SkipNumbaBlasProbe)


def _run() -> int | str | None:
    """Run the command line; the exit status (``sys.exit``'s argument). Bad input prints one
    line and gives 2, never a traceback."""
    try:
        app(standalone_mode=False)
    except SpecError as exc:
        err_console.print(Text.assemble(("error:", "red"), " ", exc.one_line()), highlight=False,
                          soft_wrap=True)
        return 2
    except (typer.Abort, KeyboardInterrupt):
        err_console.print("aborted")
        return 130
    except SystemExit as exc:
        return exc.code
    except Exception as exc:  # noqa: BLE001 - the CLI never shows a traceback unless asked
        # usage errors of the command line (click's, or typer's own copy of click): one line, 2
        if hasattr(exc, "format_message") and hasattr(exc, "exit_code"):
            ctx = getattr(exc, "ctx", None)
            hint = f" (see {ctx.command_path} --help)" if ctx is not None else ""
            if not exc.format_message():  # no arguments: click showed the help
                exc.show()
                return exc.exit_code
            err_console.print(Text.assemble(("error:", "red"), " ", clip(exc.format_message(), 400),
                                            hint), highlight=False, soft_wrap=True)
            return exc.exit_code
        if type(exc).__name__ == "Exit" and hasattr(exc, "exit_code"):
            return exc.exit_code
        if os.environ.get("SKATEBOARD_DEBUG"):
            raise
        err_console.print(Text.assemble(("internal error:", "red"), f" {type(exc).__name__}: "
                                        f"{clip(str(exc), 400)} (set SKATEBOARD_DEBUG=1 for the "
                                        "traceback)"), highlight=False, soft_wrap=True)
        return 1
    return 0


def exit_without_teardown(code: int | str | None) -> NoReturn:
    """End the process with ``code`` as ``sys.exit`` would, but without the interpreter's
    teardown of every module and object, which took 0.25 s of a warm ``skateboard evaluate``
    (mostly Numba's: 0.17 s after ``import numba`` and loading its registries alone; six runs,
    2026-12-04). What a normal exit does that matters is done first: the engine's thread pools
    are shut down, the ``atexit`` functions run (logging's flush, Dask's), stdout and stderr are
    flushed (a closed pipe gives status 120, as Python's own exit does). Every file Skateboard
    writes is closed by then (``with`` blocks). If a thread that is not a daemon still runs (a
    caller's), the exit is the normal one; so is it when ``SKATEBOARD_FULL_EXIT`` is set."""
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:  # sys.exit("message"): the message on stderr, status 1
        print(code, file=sys.stderr)
        status = 1
    simulate = sys.modules.get("skateboard.engine.simulate")
    if simulate is not None:
        simulate.shutdown_pools()
    main_thread = threading.main_thread()
    running = [t for t in threading.enumerate()
               if t is not main_thread and not t.daemon and t.is_alive()]
    if running or os.environ.get("SKATEBOARD_FULL_EXIT") or threading.current_thread() is not main_thread:
        sys.exit(status)
    atexit._run_exitfuncs()  # noqa: SLF001 - the atexit module's own "run them now"
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            status = status or 120
    os._exit(status)


def main() -> None:
    """Console entry point: bad input prints one line and exits 2, never a traceback."""
    skip_numba_blas_probe()
    exit_without_teardown(_run())


if __name__ == "__main__":
    main()
