"""Regression tests of issue 17's reproducers owned by the loaders: quantity strings evaluated
without bounds, internal errors where a spec error belongs, files read from outside the
workspace and their content echoed (items 1, 2 and 5). Each asserts exit 2 and the message."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from skateboard.errors import SpecError, shown
from skateboard.spec import load_program, resolve_variant
from skateboard.units import MAX_QUANTITY_LENGTH, parse_quantity

ROOT = Path(__file__).resolve().parents[1]
DERIVATIVE = (ROOT / "src/skateboard/data/derivatives/hongqi-b10-bev.toml").read_text()


def run(*args, cwd, root_env=None, timeout=300):
    """``skateboard ARGS`` in ``cwd`` with the command line's own workspace default."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("SKATEBOARD_DEBUG", None)
    env.pop("SKATEBOARD_ROOT", None)
    if root_env is not None:
        env["SKATEBOARD_ROOT"] = root_env
    return subprocess.run([sys.executable, "-m", "skateboard.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout)


def one_error_line(r) -> str:
    assert r.returncode == 2, (r.returncode, r.stderr)
    lines = [x for x in r.stderr.splitlines() if x.strip()]
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("error: ") and "internal error" not in lines[0]
    assert "Traceback" not in r.stderr
    return lines[0]


def program_with(tmp_path, derivative_text, name="car.toml"):
    (tmp_path / name).write_text(derivative_text)
    (tmp_path / "program.toml").write_text(
        f'name = "p"\ntitle = "p"\nvariants = ["{name}"]\n')
    return "program.toml"


# --- item 1: a bounded quantity grammar -------------------------------------------------------

@pytest.mark.parametrize("value, reason", [
    ("9**9**9 kg", "a power applies to units only, never to a number"),   # hung before
    ("10**400 kg", "a power applies to units only, never to a number"),   # OverflowError before
    ("1e400 kg", "number too large"),
    ("1e308 * 10 kg", "the value overflows"),
])
def test_unbounded_quantity_is_a_spec_error_on_the_command_line(tmp_path, value, reason):
    text = DERIVATIVE.replace('curb_mass = "1785 kg"', f'curb_mass = "{value}"')
    line = one_error_line(run("evaluate", program_with(tmp_path, text), cwd=tmp_path, timeout=120))
    assert "car.toml: top_hat.curb_mass: cannot read this as a mass" in line
    assert reason in line and repr(value) in line


def test_unbounded_quantity_through_sweep_vary(tmp_path):
    line = one_error_line(run(
        "sweep", "hongqi-on-b10", "--quiet", "--vary",
        'hongqi-b10-bev.top_hat.curb_mass="9**9**9 kg".."2 t":3', cwd=tmp_path, timeout=120))
    assert line.startswith("error: --vary hongqi-b10-bev.top_hat.curb_mass: cannot read this as a mass")
    assert "a power applies to units only" in line
    line = one_error_line(run(
        "sweep", "hongqi-on-b10", "--quiet", "--vary",
        "hongqi-b10-bev.top_hat.curb_mass=1700..1900:" + "9" * 5000, cwd=tmp_path, timeout=120))
    assert "too many grid points" in line   # ValueError (int digits limit) before


def test_bundled_expression_keeps_working():
    v = resolve_variant("hongqi-b10-bev")
    assert v.frontal_area == 1.895 * 1.640 * 0.85   # "1.895 m * 1.640 m * 0.85", bit for bit


@pytest.mark.parametrize("text, unit, expected", [
    ("67.1 kWh", "J", 67.1 * 3.6e6),
    ("15 kWh/100 km", "J/m", 540.0),                    # side by side binds tighter than /
    ("0.03 N/(km/h)^2", "N*s**2/m**2", 0.03 * 3.6 ** 2),
    ("0.03 N/(km/h)²", "N*s**2/m**2", 0.03 * 3.6 ** 2),
    ("-7 degC", "K", 266.15),
    ("97 %", "", 0.97),
    ("1.0 1/h", "1/s", 1 / 3600),
    ("1.2e5", "W", 1.2e5),
])
def test_grammar_reads_what_users_write(text, unit, expected):
    assert parse_quantity(text, unit) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("text, reason", [
    ("1" * (MAX_QUANTITY_LENGTH - 2) + " kg", f"longer than {MAX_QUANTITY_LENGTH} characters"),
    ("((((1)))) kg", "more than 3 nested parentheses"),
    ("(2 m)^2", "a power applies to units only"),
    ("1 kg^10", "within +/-9"),
    ("1/0 kg", "division by zero"),
    ("1.5.5 kg", "two numbers run together"),
    ("5 kg 3", "a number after a unit"),
    ("nan kg", "unknown unit 'nan'"),
])
def test_grammar_refuses(text, reason):
    with pytest.raises(SpecError, match="cannot read this quantity") as err:
        parse_quantity(text, "kg", field="top_hat.curb_mass", file="car.toml")
    assert reason in str(err.value)
    assert "car.toml: top_hat.curb_mass" in str(err.value)


def test_longest_quantity_accepted():
    text = "1" + "0" * (MAX_QUANTITY_LENGTH - 6) + " kg"
    assert len(text) == MAX_QUANTITY_LENGTH - 2
    with pytest.raises(SpecError, match="out of range"):   # read, then checked against its range
        parse_quantity(text, "kg", maximum=1e4)


@pytest.mark.parametrize("value", [float("inf"), float("nan"), 10 ** 400, -10 ** 400])
def test_non_finite_numbers_are_spec_errors(value):
    with pytest.raises(SpecError, match="must be finite") as err:
        parse_quantity(value, "kg", field="top_hat.curb_mass", file="car.toml")
    assert len(err.value.one_line()) < 300   # a 400-digit number is not printed whole


# --- item 2: no internal error from a file ---------------------------------------------------

def test_program_nested_5000_brackets_deep(tmp_path):
    (tmp_path / "deep.toml").write_text(
        'name = "p"\ntitle = "t"\nvariants = ' + "[" * 5000 + "]" * 5000 + "\n")
    line = one_error_line(run("evaluate", "deep.toml", cwd=tmp_path, timeout=120))
    assert "deep.toml: malformed TOML: arrays or tables nested too deeply" in line  # RecursionError before


def test_program_nested_too_deeply_for_the_loaders_but_not_for_tomllib(tmp_path):
    (tmp_path / "deep.toml").write_text(
        'name = "p"\ntitle = "t"\nvariants = ' + "[" * 100 + "]" * 100 + "\n")
    with pytest.raises(SpecError, match="nested too deeply") as err:
        load_program(tmp_path / "deep.toml")
    assert err.value.field.startswith("variants[0][0]")


def test_integer_of_5000_digits(tmp_path):
    (tmp_path / "big.toml").write_text('name = "p"\ntitle = "t"\nvariants = ' + "9" * 5000 + "\n")
    with pytest.raises(SpecError, match="malformed TOML: a value that cannot be read"):
        load_program(tmp_path / "big.toml")


def test_rich_markup_in_a_name_is_printed_as_text(tmp_path):
    line = one_error_line(run("simulate", "--variant", "[/x]", cwd=tmp_path))  # MarkupError before
    assert "unknown variant (got '[/x]')" in line


def test_usage_errors_are_one_line_naming_the_flag(tmp_path):
    line = one_error_line(run("sweep", "hongqi-on-b10", "--samples", "abc", cwd=tmp_path))
    assert "'--samples'" in line


def test_a_market_is_a_name_never_a_path(tmp_path):
    (tmp_path / "evil.toml").write_text('name = "evil"\n')
    line = one_error_line(run("evaluate", "--markets", str(tmp_path / "evil"), cwd=tmp_path))
    assert "markets: unknown market" in line


def test_values_in_errors_are_short():
    deep: list = []
    for _ in range(5000):
        deep = [deep]
    assert len(shown(deep)) <= 48 and len(shown("x" * 10 ** 6)) <= 48
    assert shown(10 ** 5000) == "<int>"
    err = SpecError("bad", file="f.toml", field="a\nb", value="line 1\nline 2")
    assert "\n" not in err.one_line()


# --- item 5: files outside the workspace, content never echoed -------------------------------

def test_platform_outside_the_workspace_is_refused_unread(tmp_path):
    text = DERIVATIVE.replace('platform = "b10"', 'platform = "../../../../../../etc/passwd"')
    line = one_error_line(run("evaluate", program_with(tmp_path, text), cwd=tmp_path))
    assert "car.toml: platform: platform file outside the workspace root" in line
    assert "malformed TOML" not in line and "root:" not in line   # the file was parsed before


def test_cycle_outside_the_workspace_is_refused_unread(tmp_path):
    line = one_error_line(run("simulate", "--cycle", "/etc/passwd", cwd=tmp_path))
    assert line.startswith("error: /etc/passwd: drive-cycle file outside the workspace root")
    assert "root:x" not in line   # the file's first line was printed before


def test_cycle_inside_the_workspace_is_not_echoed(tmp_path):
    (tmp_path / "secret.csv").write_text("SECRET=hunter2-do-not-print\nx\n")
    line = one_error_line(run("simulate", "--cycle", "secret.csv", cwd=tmp_path))
    assert "secret.csv: line 1 is not a drive-cycle header" in line
    assert "hunter2" not in line
    (tmp_path / "row.csv").write_text("time_s,speed_kmh\n0,0\n1,hunter2-do-not-print-this\n")
    line = one_error_line(run("simulate", "--cycle", "row.csv", cwd=tmp_path))
    assert "line 3: not a number" in line and "hunter2-do-not-print-this" not in line


def test_root_option_and_environment(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    (work / "hill.csv").write_text("time_s,speed_kmh\n0,0\n1,3.6\n2,7.2\n3,3.6\n4,0\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    # from another directory the file is outside the default root (the current directory) ...
    line = one_error_line(run("simulate", "--cycle", str(work / "hill.csv"), cwd=elsewhere))
    assert "outside the workspace root" in line
    # ... and inside with --root or SKATEBOARD_ROOT
    r = run("--root", str(work), "simulate", "--variant", "leapmotor-b10", "--cycle",
            str(work / "hill.csv"), "--json", cwd=elsewhere)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)[0]["distance_km"] == pytest.approx(0.004, abs=1e-6)  # 0+1+2+1+0 m/s, trapezoid
    r = run("simulate", "--variant", "leapmotor-b10", "--cycle", str(work / "hill.csv"),
            "--json", cwd=elsewhere, root_env=str(work))
    assert r.returncode == 0, r.stderr
    line = one_error_line(run("--root", str(tmp_path / "nowhere"), "simulate", cwd=elsewhere))
    assert line.startswith("error: --root: the workspace root must be an existing directory")
    line = one_error_line(run("simulate", cwd=elsewhere, root_env=str(tmp_path / "nowhere")))
    assert line.startswith("error: SKATEBOARD_ROOT: the workspace root must be an existing directory")


# --- other flags and environment values found by hunting -------------------------------------

def test_numba_threads_below_one(tmp_path):
    env = dict(os.environ, NUMBA_NUM_THREADS="0")
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("SKATEBOARD_ROOT", None)
    r = subprocess.run([sys.executable, "-m", "skateboard.cli", "simulate"], cwd=tmp_path,
                       env=env, capture_output=True, text=True, timeout=300)
    env_line = one_error_line(r)   # ValueError from Numba's thread pool before
    assert env_line.startswith("error: NUMBA_NUM_THREADS: Numba needs at least one thread")


@pytest.mark.parametrize("args, flag", [
    (("simulate", "--variant", "leapmotor-b10", "--cycle", "us06", "--timeseries",
      "/proc/no/ts.csv"), "--timeseries"),
    (("evaluate", "--markets", "eu", "--out", "/proc/no/report"), "--out"),
])
def test_unwritable_output_names_the_flag(tmp_path, args, flag):
    line = one_error_line(run(*args, cwd=tmp_path))   # FileNotFoundError before
    assert line.startswith(f"error: {flag}: cannot write")
