"""The command line as a user runs it: exit codes, one-line errors, JSON output, README's job."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from skateboard.errors import SpecError

ROOT = Path(__file__).resolve().parents[1]


def run(*args, cwd=None):
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("SKATEBOARD_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "skateboard.cli", *args], capture_output=True, text=True,
                          env=env, cwd=cwd or ROOT, timeout=600)


def test_simulate_json_b10_within_15_percent_of_published_wltp():
    # Leapmotor B10 67.1 kWh: WLTP 14.9 kWh/100 km at the battery (docs/sources.md, maker's figure);
    # one WLTC of the calibrated model is about 10 % below it (docs/accuracy.md, "One model")
    r = run("simulate", "--variant", "leapmotor-b10", "--cycle", "wltc_class3b", "--json")
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    assert len(rows) == 1
    row = rows[0]
    for key in ("variant", "cycle", "distance_km", "consumption_wh_per_km", "consumption_ac_wh_per_km",
                "soc_end", "trace_miss_s", "energy_audit_residual"):
        assert key in row
    assert row["consumption_wh_per_km"] == pytest.approx(149.0, rel=0.15)
    assert abs(row["energy_audit_residual"]) < 1e-9
    assert row["distance_km"] == pytest.approx(23.266, abs=0.001)   # UN GTR 15 WLTC 3b


@pytest.mark.parametrize("args, fragment", [
    (("simulate", "--cycle", "wltc_clas3b"), "did you mean 'wltc_class3b'"),
    (("simulate", "--variant", "nonexistent"), "unknown variant"),
    (("simulate", "no-such-program.toml"), "no-such-program"),
    (("evaluate", "--markets", "mars"), "unknown market"),
])
def test_bad_input_one_line_exit_2(args, fragment):
    r = run(*args)
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    lines = [x for x in r.stderr.strip().splitlines() if x.strip()]
    assert len(lines) == 1, r.stderr
    assert fragment in lines[0]


def test_bad_spec_file_names_file_and_field(tmp_path):
    bad = tmp_path / "car.toml"
    bad.write_text('name = "x"\nlabel = "x"\nmaker = "x"\nplatform = "b10"\n'
                   '[top_hat]\ncurb_mass = "1.7 kWh"\nfrontal_area = "2.5 m^2"\ndrag_coefficient = 0.3\n'
                   '[options]\npack = "67kwh"\ndrive_units = ["rear"]\nwheels = "18in"\n')
    prog = tmp_path / "prog.toml"
    prog.write_text(f'name = "p"\ntitle = "p"\nvariants = ["{bad}"]\n')
    r = run("simulate", str(prog))
    assert r.returncode == 2
    assert "car.toml" in r.stderr and "curb_mass" in r.stderr and "Traceback" not in r.stderr


def test_timeseries_never_overwrites(tmp_path):
    out = tmp_path / "ts.csv"
    out.write_text("precious")
    r = run("simulate", "--variant", "leapmotor-b10", "--timeseries", str(out))
    assert r.returncode == 2
    assert out.read_text() == "precious"
    new = tmp_path / "new.parquet"
    r = run("simulate", "--variant", "leapmotor-b10", "--timeseries", str(new))
    assert r.returncode == 0, r.stderr
    import pandas as pd
    df = pd.read_parquet(new)
    assert len(df) == 1801 and df["speed_kmh"].max() == pytest.approx(131.3, abs=0.05)


def test_listing_commands():
    for cmd, word in (("platforms", "b10"), ("cycles", "cltc_p"), ("markets", "new-zealand")):
        r = run(cmd)
        assert r.returncode == 0, r.stderr
        assert word in r.stdout


def test_readme_quickstart_is_three_commands_and_ci_runs_the_second():
    text = (ROOT / "README.md").read_text()
    block = text.split("## Quickstart", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in block.strip().splitlines() if line.strip()]
    assert commands == ["python3 dev.py demo", "python3 dev.py test", "python3 dev.py serve"]
    dev = (ROOT / "dev.py").read_text()
    assert '"demo": [str(BIN / "skateboard"), "evaluate"]' in dev
    assert '"test": [str(PY), "-m", "pytest"]' in dev
    assert '"serve": [str(BIN / "skateboard"), "serve"]' in dev
    ci = (ROOT / ".ci" / "run").read_text()
    assert "python3 dev.py test" in ci


def test_dev_script_rejects_unknown_job():
    r = subprocess.run([sys.executable, str(ROOT / "dev.py"), "nonsense"], capture_output=True, text=True)
    assert r.returncode == 2 and "python3 dev.py demo" in r.stdout


def test_user_csv_cycle(tmp_path):
    csv = tmp_path / "hill.csv"
    rows = ["time_s,speed_kmh,grade_percent"] + [f"{t},{min(t, 50) if t < 100 else max(0, 150 - t)},{4.0}" for t in range(151)]
    csv.write_text("\n".join(rows) + "\n")
    r = run("simulate", "--variant", "leapmotor-b10", "--cycle", str(csv), "--json")
    assert r.returncode == 0, r.stderr
    row = json.loads(r.stdout)[0]
    assert row["energy_grade_j"] > 0           # climbing 4 % stores potential energy
    assert abs(row["energy_audit_residual"]) < 1e-9
    bad = tmp_path / "bad.csv"
    bad.write_text("time_s,speed_kmh\n0,0\n2,5\n1,3\n")
    r = run("simulate", "--cycle", str(bad))
    assert r.returncode == 2 and "bad.csv" in r.stderr and "Traceback" not in r.stderr


def test_main_job_evaluate_json_all_markets():
    # README's main job: all variants x all seven markets
    r = run("evaluate", "--json")
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    markets = {x["market"] for x in rows}
    assert markets == {"china", "eu", "uk", "australia", "new-zealand", "gulf", "us"}
    assert {x["variant"] for x in rows} == {"leapmotor-b10", "hongqi-b10-bev", "hongqi-b10-erev"}
    for x in rows:
        assert x["powertrain"] in ("BEV", "EREV")
        assert x["range_km"] > 0
        if x["powertrain"] == "EREV":
            assert x["electric_range_km"] < x["range_km"]
            assert x["fuel_cs_l_per_100km"] > 0   # every market reports the CS fuel of an EREV


def test_usage_errors_exit_2_without_traceback():
    for args in (("simulate", "--cycle"), ("evaluate", "--no-such-option")):
        r = run(*args)
        assert r.returncode == 2
        assert "Traceback" not in r.stderr and "internal error" not in r.stderr
        # one line, like every other error, naming the flag
        assert r.stderr.startswith("error: ") and len(r.stderr.strip().splitlines()) == 1
        assert args[1] in r.stderr


def test_warm_compiles_the_kernel_and_refuses_arguments():
    # python3 dev.py runs this after installing (README, "first run")
    r = subprocess.run([sys.executable, "-m", "skateboard.cli.warm"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "kernel compiled and cached in" in r.stdout
    r = subprocess.run([sys.executable, "-m", "skateboard.cli.warm", "batch"], capture_output=True,
                       text=True)
    assert r.returncode == 2 and r.stderr.startswith("usage:") and "Traceback" not in r.stderr


def test_the_cli_skips_numbas_blas_probe_and_nothing_else():
    """The CLI refuses scipy.linalg to Numba's BLAS probe only (0.2 s of start-up): Numba then
    loads without importing scipy.linalg, and scipy.linalg still imports for everything else."""
    import subprocess
    import sys

    code = ("import sys\n"
            "from skateboard.cli import skip_numba_blas_probe\n"
            "skip_numba_blas_probe(); skip_numba_blas_probe()\n"
            "import numba.np.arraymath as am\n"
            "assert am._HAVE_BLAS is False and 'scipy.linalg' not in sys.modules\n"
            "import scipy.linalg, scipy.stats.qmc\n"
            "assert scipy.linalg.norm([3.0, 4.0]) == 5.0\n"
            "print(sum(1 for f in sys.meta_path if getattr(f, '__name__', '') == '_SkipNumbaBlasProbe'))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "1"      # installed once


def test_the_cli_exits_without_teardown_yet_as_sys_exit_would():
    """main() ends with exit_without_teardown (0.25 s of Python's module teardown skipped):
    the status is sys.exit's, atexit functions run, buffered output is flushed, a str code is
    printed with status 1, and a running non-daemon thread gets the normal exit (it finishes)."""
    import subprocess
    import sys

    def run(body: str):
        code = ("import atexit, sys, threading, time\n"
                "from skateboard.cli import exit_without_teardown\n"
                "atexit.register(lambda: sys.stdout.write('atexit ran;'))\n"
                "sys.stdout.write('buffered;')\n" + body)
        return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              timeout=120)

    r = run("exit_without_teardown(3)\n")
    assert r.returncode == 3 and r.stdout == "buffered;atexit ran;", (r.returncode, r.stdout, r.stderr)
    r = run("exit_without_teardown(None)\n")
    assert r.returncode == 0 and r.stdout == "buffered;atexit ran;"
    r = run("exit_without_teardown('bad input')\n")
    assert r.returncode == 1 and r.stderr.strip() == "bad input"
    r = run("t = threading.Thread(target=lambda: (time.sleep(0.5), sys.stdout.write('thread done;')))\n"
            "t.start()\n"
            "exit_without_teardown(4)\n")
    assert r.returncode == 4 and r.stdout == "buffered;thread done;atexit ran;", r.stdout


def test_the_engine_pools_shut_down_and_start_again():
    import importlib

    import numpy as np

    S = importlib.import_module("skateboard.engine.simulate")

    S._pool(1)
    S.shutdown_pools()
    assert S._POOLS == {}
    assert S._pool(1).submit(np.add, 1, 2).result() == 3
    S.shutdown_pools()


def test_evaluate_table_marks_targets_and_lists_the_failed_ones(tmp_path):
    """The table view (built from the result's rows, no pandas): pass/FAIL per market, the
    failed targets named under it, and per-variant columns (the B10's EPA label range is 367 km,
    tests/data/evaluate_reference.csv)."""
    path = tmp_path / "program.toml"
    path.write_text('name = "t"\ntitle = "t"\nvariants = ["leapmotor-b10"]\nmarkets = ["eu", "us"]\n'
                    '[targets.leapmotor-b10]\nmin_range_km = "420 km"\n')
    r = run("evaluate", str(path), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    eu = next(x for x in lines if "│ eu " in x)
    us = next(x for x in lines if "│ us " in x)
    assert "pass" in eu and "FAIL" in us
    assert any(x.startswith("leapmotor-b10 in us: min_range_km: range_km 367") for x in lines)
    assert "per variant: performance" in r.stdout                  # the per-variant table
