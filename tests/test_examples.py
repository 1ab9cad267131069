"""The examples run as a user would run them (STYLE.md: examples are run by the tests)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from skateboard.spec import load_program

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "estate-on-b10" / "program.toml"


def test_example_program_resolves_user_files():
    prog = load_program(EXAMPLE)
    names = [v.name for v in prog.variants]
    assert names == ["estate-bev", "estate-erev", "leapmotor-b10"]
    bev = prog.variant("estate-bev")
    # coast-down C written per (km/h)^2: 0.0325 N/(km/h)^2 x 3.6^2 = 0.4212 N/(m/s)^2
    assert bev.f2 == pytest.approx(0.0325 * 3.6**2, rel=1e-12)
    assert bev.f1 == pytest.approx(0.9) and bev.f0 == pytest.approx(140.0)
    assert bev.drag_coefficient is None
    assert prog.variant("estate-erev").powertrain == "EREV"


def test_example_evaluates_from_the_command_line():
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    r = subprocess.run([sys.executable, "-m", "skateboard.cli", "evaluate", str(EXAMPLE), "--json"],
                       capture_output=True, text=True, env=env, timeout=600)
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    assert {x["market"] for x in rows} == {"eu", "australia", "gulf"}
    by = {(x["variant"], x["market"]): x for x in rows}
    # the reference variant has no targets; the others are checked
    assert by[("leapmotor-b10", "eu")]["targets_met"] is None
    assert by[("estate-bev", "eu")]["targets_met"] in (True, False)
    # an estate with the B10's pack and similar road load lands near the B10's WLTP range
    assert by[("estate-bev", "eu")]["range_km"] == pytest.approx(by[("leapmotor-b10", "eu")]["range_km"], rel=0.1)
    # the EREV's weighted CO2 is lower with the Euro 6 UF (Gulf market, d_n 800 km) than with
    # Euro 6e-bis (EU, d_n 2200 km): the older curve credits more electric driving
    assert (by[("estate-erev", "gulf")]["co2_weighted_g_per_km"]
            < by[("estate-erev", "eu")]["co2_weighted_g_per_km"])
