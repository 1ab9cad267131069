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


MINIMAL = ROOT / "examples" / "minimal-car" / "program.toml"


def test_the_minimal_car_runs_and_lists_its_defaults():
    """examples/minimal-car (issue #15 §2): a car from its spec sheet (curb mass, Cd, width and
    height, usable energy and chemistry, one motor's power, a tyre size) runs; every value it
    did not give is listed, each derived by the documented rule (docs/spec.md, 'A minimal car');
    --strict refuses to run it with one line and exit 2."""
    from clirun import run_cli

    r = run_cli("evaluate", MINIMAL, "--inputs", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    row, used = out["rows"][0], out["inputs"][0]
    assert row["range_km"] > 0 and abs(row["energy_audit_residual"]) < 1e-9
    listed = set(used["defaulted"].split(", "))
    assert {"packs.main.gross_energy", "packs.main.nominal_voltage", "drive_units.rear.peak_torque",
            "drive_units.rear.gear_ratio", "drive_units.rear.motor_type", "drive_units.rear.inverter",
            "chassis.wheelbase",
            "chassis.max_gross_mass", "wheels.18in.rolling_resistance_coefficient"} <= listed
    assert not listed & {"top_hat.curb_mass", "top_hat.drag_coefficient", "packs.main.usable_energy",
                         "drive_units.rear.peak_power"}  # given in the files
    # the rules by hand: gross = 65 kWh / 0.95 (LFP usable share); area = 1.885 m x 1.655 m x 0.85;
    # peak torque = 160 kW x 3 / 16 000 rpm; 215/55 R18 rolls at 0.97 x (228.6 + 118.25) mm =
    # 0.336445 m, so the gear reaching 16 000 rpm at 180 km/h is 1675.516 x 0.336445 / 50;
    # pack power = 160 kW / 0.85 + 0.3 kW of auxiliaries; laden mass = 1705 + 5 x 75 + 70 kg
    w_max = 16000 * 2 * 3.141592653589793 / 60
    assert used["pack_gross_kwh"] == pytest.approx(65 / 0.95, rel=1e-12)
    assert used["frontal_area_m2"] == pytest.approx(1.885 * 1.655 * 0.85, rel=1e-12)
    assert float(used["motor_peak_torque_n_m"]) == pytest.approx(160e3 * 3 / w_max, rel=1e-5)
    assert used["drive_unit_technology"] == "pmsm/si"  # the defaults, listed as defaulted above
    assert float(used["gear_ratio"]) == pytest.approx(w_max * 0.336445 / 50.0, rel=1e-5)
    assert used["pack_max_discharge_kw"] == pytest.approx(160 / 0.85 + 0.3, rel=1e-12)
    assert used["max_gross_mass_kg"] == pytest.approx(1705 + 445, rel=1e-12)
    strict = run_cli("evaluate", MINIMAL, "--strict")
    assert strict.returncode == 2
    assert strict.stderr.count("\n") <= 1 and "--strict" in strict.stderr and "Traceback" not in strict.stderr
