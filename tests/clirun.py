"""Run the command line as a user would: ``python -m skateboard.cli ARGS`` in a subprocess, with
the repository's ``src`` first on the path and debug tracebacks off (tests check the one-line
errors users see)."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_cli(*args, cwd=None, timeout=900):
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("SKATEBOARD_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "skateboard.cli", *[str(a) for a in args]],
                          capture_output=True, text=True, env=env, cwd=cwd or ROOT,
                          timeout=timeout)
