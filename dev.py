#!/usr/bin/env python3
"""Set up and run Skateboard with nothing but python3 (3.11+).

    python3 dev.py demo    # create .venv, install Skateboard, evaluate the bundled program
    python3 dev.py test    # create .venv, install Skateboard with test extras, run the tests
    python3 dev.py serve   # create .venv, install Skateboard, serve the web app on 127.0.0.1:8000

Standard library only: it creates the virtual environment at .venv/ beside this file, installs
the package into it (editable, so the source tree is what runs) when pyproject.toml is newer
than the last install, compiles the simulation kernel once after installing
(``python -m skateboard.cli.warm``), and runs the job inside it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".skateboard-installed"


def setup() -> None:
    if sys.version_info < (3, 11):
        sys.exit(f"Skateboard needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    if not PY.exists():
        print(f"creating {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    if not STAMP.exists() or STAMP.stat().st_mtime < (ROOT / "pyproject.toml").stat().st_mtime:
        print("installing Skateboard and its dependencies into .venv", flush=True)
        subprocess.run([str(PY), "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True)
        subprocess.run([str(PY), "-m", "pip", "install", "--quiet", "-e", f"{ROOT}[test]"], check=True)
        # Compile the kernel now so that the first run loads cached machine code instead of
        # compiling: skateboard/cli/warm.py.
        print("compiling the simulation kernel (once per install, 10-20 s)", flush=True)
        if subprocess.run([str(PY), "-m", "skateboard.cli.warm"]).returncode != 0:
            print("warning: the kernel could not be compiled ahead; the first run will compile it",
                  flush=True)
        STAMP.touch()


def main(argv: list[str]) -> int:
    jobs = {
        "demo": [str(BIN / "skateboard"), "evaluate"],
        "test": [str(PY), "-m", "pytest"],
        "serve": [str(BIN / "skateboard"), "serve"],
        "setup": None,
    }
    if len(argv) < 1 or argv[0] not in jobs:
        print(__doc__)
        return 2
    setup()
    cmd = jobs[argv[0]]
    if cmd is None:
        return 0
    return subprocess.run(cmd + argv[1:], cwd=ROOT).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
