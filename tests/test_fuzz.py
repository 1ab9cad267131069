"""Hostile and careless input, drawn by hypothesis: every case ends in a valid result or in one
SpecError that names its file or flag (exit 2 on the command line); never an internal error,
never a hang (issue 17).

Cases run in a child process (tests/fuzz_worker.py) with a time limit each: the parent kills
and restarts the child when a case overruns, so a hang inside C code is caught too. Kinds:
quantity strings for every sweepable field; derivative, platform and program files with
mutated fields, raw text and deep nesting; drive-cycle CSV files; ``--vary`` specifications;
file references in and outside the workspace root; and command lines (each in its own
``skateboard`` process).

Profiles: the default (CI) runs a few hundred cases in well under a minute; the long profile,
``SKATEBOARD_FUZZ=long``, runs more than 5 000 (docs/limits.md gives its figures).
``SKATEBOARD_FUZZ_REPORT=FILE.json`` writes the tallies (cases, errors, valid results,
internal errors, hangs) of each test to FILE.json.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fuzz_worker
from fuzz_strategies import (REFERENCES, clean_vary, command_lines, cycle_texts, quantity_cases,
                             spec_cases, vary_specs)

ROOT = Path(__file__).resolve().parents[1]
LONG = os.environ.get("SKATEBOARD_FUZZ") == "long"
#: examples per test: (default profile, long profile)
EXAMPLES = {"quantity": (120, 2000), "spec": (60, 1500), "cycle": (30, 800), "vary": (40, 700),
            "reference": (20, 300), "cli": (3, 100)}
#: per-case time limits [s]: an in-process case, and a command line (a new process that loads
#: the compiled kernel from Numba's cache)
CASE_SECONDS = 30.0
CLI_SECONDS = 180.0
STARTUP_SECONDS = 600.0

TALLY: dict[str, Counter] = {}
DETAILS: dict[str, list] = {}   # what the rows failing the checks held (first 20 per test)


def examples(kind: str) -> int:
    return EXAMPLES[kind][1 if LONG else 0]


def fuzz_settings(kind: str):
    return settings(max_examples=examples(kind), deadline=None, database=None,
                    suppress_health_check=list(HealthCheck))


# ---------------------------------------------------------------------------------------------
# The child process
# ---------------------------------------------------------------------------------------------

class Worker:
    """A child process running cases; restarted after a case overruns its time limit."""

    def __init__(self, work: Path):
        self.work = work
        self.proc = None
        self.start()

    def start(self) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=fuzz_worker.serve, args=(child, str(self.work)), daemon=True)
        self.proc.start()
        if not self.conn.poll(STARTUP_SECONDS):
            raise RuntimeError("fuzz worker did not start")
        assert self.conn.recv() == "ready"

    def run(self, case: dict):
        self.conn.send(case)
        if self.conn.poll(CASE_SECONDS):
            return self.conn.recv()
        self.proc.kill()
        self.proc.join()
        self.start()
        return ("hang", f"no answer within {CASE_SECONDS:g} s")

    def close(self) -> None:
        try:
            self.conn.send(None)
            self.proc.join(10)
        finally:
            if self.proc.is_alive():
                self.proc.kill()


@pytest.fixture(scope="module")
def worker(tmp_path_factory):
    w = Worker(tmp_path_factory.mktemp("fuzz-workspace"))
    yield w
    w.close()


def _record(test: str, outcome: str) -> None:
    TALLY.setdefault(test, Counter())[outcome] += 1


@pytest.fixture(scope="module", autouse=True)
def _report():
    yield
    path = os.environ.get("SKATEBOARD_FUZZ_REPORT")
    if path:
        old = json.loads(Path(path).read_text()) if Path(path).exists() else {}
        old.update({k: dict(v) for k, v in TALLY.items()})
        old.update({f"{k}: rows failing the checks": v for k, v in DETAILS.items()})
        Path(path).write_text(json.dumps(old, indent=1, sort_keys=True))


def check(test: str, result, *, bad_rows_allowed: bool = True) -> None:
    """A case's outcome is a valid result or a named, one-line SpecError."""
    kind = result[0]
    _record(test, kind)
    assert kind != "hang", result[1]
    assert kind != "internal", f"{result[1]}\n{result[2]}"
    if kind == "error":
        line, named = result[1], result[2]
        assert named, f"the error names no file or field: {line}"
        assert "\n" not in line and "\r" not in line, line
        assert "internal error" not in line
    if kind == "bad-row":
        DETAILS.setdefault(test, [])
        if len(DETAILS[test]) < 20:
            DETAILS[test].append(result[1])
        # A row outside physics is item 3's concern (checks on every result row); counted here.
        assert bad_rows_allowed, result[1]


# ---------------------------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------------------------

@fuzz_settings("quantity")
@given(case=quantity_cases())
def test_quantity_strings(worker, case):
    check("quantity", worker.run(case))


@fuzz_settings("spec")
@given(case=spec_cases())
def test_specification_files(worker, case):
    check("spec", worker.run(case))


@fuzz_settings("cycle")
@given(text=cycle_texts(), variant=st.sampled_from(["leapmotor-b10", "hongqi-b10-erev"]))
def test_cycle_files(worker, text, variant):
    check("cycle", worker.run({"type": "cycle", "text": text, "variant": variant}))


@fuzz_settings("vary")
@given(case=st.one_of(vary_specs(), vary_specs(), clean_vary()))
def test_sweep_vary(worker, case):
    result = worker.run(case)
    check("vary", result)
    if result[0] == "error":  # plan errors name the flag (or the program file)
        assert re.match(r"(--\w|\S+\.toml: )", result[1]), result[1]


@fuzz_settings("reference")
@given(kind=st.sampled_from(["cycle", "program"]), ref=REFERENCES)
def test_references_stay_in_the_workspace(worker, kind, ref):
    result = worker.run({"type": "reference", "kind": kind, "ref": ref})
    check("reference", result)
    assert "root:" not in str(result[1])  # nothing of /etc/passwd is ever shown


# --- command lines ---------------------------------------------------------------------------

def _cli(args, cwd):
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("SKATEBOARD_DEBUG", None)
    env.pop("SKATEBOARD_ROOT", None)   # the command line's own default: the current directory
    try:
        return subprocess.run([sys.executable, "-m", "skateboard.cli", *args], cwd=cwd, env=env,
                              capture_output=True, text=True, timeout=CLI_SECONDS,
                              errors="replace")
    except subprocess.TimeoutExpired:
        return None


@fuzz_settings("cli")
@given(args=command_lines())
def test_command_lines(tmp_path_factory, args):
    cwd = tmp_path_factory.mktemp("cli")
    (cwd / "p.toml").write_text('name = "p"\ntitle = "t"\nvariants = ["leapmotor-b10"]\n')
    r = _cli(args, cwd)
    if r is None:
        _record("cli", "hang")
        pytest.fail(f"no answer within {CLI_SECONDS:g} s: {args}")
    lines = [x for x in r.stderr.splitlines() if x.strip()]
    if r.returncode == 0:
        _record("cli", "valid")
        return
    _record("cli", "error" if r.returncode == 2 else "internal")
    assert r.returncode == 2, (args, r.stderr[-2000:])
    assert len(lines) == 1, (args, r.stderr[-2000:])
    line = lines[0]
    assert line.startswith("error: ") and "internal error" not in line, line
    assert "root:x:" not in line
    # names the file, field or flag: "error: FILE: ...", "error: --flag ...", click's "'--flag'"
    assert re.match(r"error: (\S[^:]*: |--|.*'-|.*argument|.*command)", line), line


# --- target values (in process: the target parser is pure Python over the bounded grammar) ---

def _target_values():
    from fuzz_strategies import quantity_strings

    scalars = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**30, 10**30),
                        st.booleans(), quantity_strings(), st.text(max_size=40))
    return st.one_of(scalars, st.lists(scalars, max_size=3), st.dictionaries(st.text(max_size=8),
                                                                             scalars, max_size=2))


def _target_tables():
    from skateboard.targets import DEPRECATED, TARGETS

    names = st.one_of(st.sampled_from(sorted(TARGETS) + sorted(DEPRECATED)), st.text(max_size=30))
    markets = st.sampled_from(["eu", "us", "china", "mars"])
    flat = st.dictionaries(names, _target_values(), max_size=4)
    return st.one_of(flat, st.dictionaries(markets, flat, max_size=2),
                     st.builds(lambda a, b: {**a, **b}, flat, st.dictionaries(markets, flat, max_size=2)))


@settings(max_examples=2000 if LONG else 200, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
@given(table=_target_tables())
def test_target_values_are_read_or_refused_in_one_line(table):
    # issue 17 item 2: a target value is a number in the unit of its name or a quantity string;
    # nan, booleans, lists, wrong units and unknown names are one SpecError naming the file
    import math

    from skateboard.errors import SpecError
    from skateboard.targets import parse_targets

    try:
        out, _ = parse_targets(table, variant="v", markets=["eu", "us", "china"], file="p.toml")
    except SpecError as exc:
        line = exc.one_line()
        assert "\n" not in line and exc.file == "p.toml"
        TALLY.setdefault("target", Counter())["error"] += 1
        return
    flat = [v for v in out.values() if not isinstance(v, dict)]
    flat += [v for sub in out.values() if isinstance(sub, dict) for v in sub.values()]
    assert all(isinstance(v, float) and math.isfinite(v) for v in flat)
    TALLY.setdefault("target", Counter())["valid"] += 1
