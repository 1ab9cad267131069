"""The side of the fuzz test (tests/test_fuzz.py) that runs in a child process.

The parent draws cases with hypothesis and sends them here one at a time; this process runs a
case through Skateboard's loaders (and, for a valid specification or cycle, the engine) and
answers with its outcome. The parent kills and restarts this process when a case takes longer
than its time limit, so a hang is seen as a hang, even one inside C code.

Outcomes: ("valid", detail), ("error", one_line, named) where ``named`` says whether the
SpecError names a file or a field, or ("internal", "<type>: <message>", traceback).
"""

from __future__ import annotations

import json
import math
import os
import tempfile
import traceback
from pathlib import Path

#: A short bundled cycle for valid specifications (600 s).
SHORT_CYCLE = "us06"
#: Result columns every valid simulation row must hold as finite numbers.
FINITE_COLUMNS = ("distance_km", "consumption_wh_per_km", "soc_end", "energy_audit_residual")


# ---------------------------------------------------------------------------------------------
# A small TOML writer (the test extra has no TOML writer; values are plain data)
# ---------------------------------------------------------------------------------------------

def toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{json.dumps(str(k), ensure_ascii=False)} = {toml_value(x)}"
                               for k, x in v.items()) + "}"
    raise TypeError(type(v))


def toml_text(data: dict) -> str:
    return "".join(f"{json.dumps(str(k), ensure_ascii=False)} = {toml_value(v)}\n"
                   for k, v in data.items())


def _write(path: Path, content) -> None:
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif isinstance(content, str):
        path.write_bytes(content.encode("utf-8", "surrogatepass"))
    else:
        path.write_bytes(toml_text(content).encode("utf-8", "surrogatepass"))


# ---------------------------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------------------------

def _named(exc) -> bool:
    return bool(exc.file or exc.field)


def _check_rows(rows) -> str:
    """'' when every row holds finite values and a state of charge within [0, 1]; else what
    is wrong (reported as a failed check, not as an error of the loaders)."""
    for r in rows:
        for c in FINITE_COLUMNS:
            v = r.get(c)
            if not isinstance(v, (int, float)) or not math.isfinite(v):
                return f"{r.get('variant')}: {c} = {v!r}"
        if not -1e-9 <= r["soc_end"] <= 1 + 1e-9:
            return f"{r.get('variant')}: soc_end = {r['soc_end']!r}"
    return ""


def run_quantity(case, work: Path):
    from skateboard.spec import models as m
    from skateboard.explore.fields import FIELDS

    field = FIELDS[case["field"]]
    value = m.parse_field(case["value"], field.quantity, field=case["field"], file="fuzz.toml")
    info = field.quantity
    assert math.isfinite(value)
    assert info.minimum is None or value >= info.minimum
    assert info.maximum is None or value <= info.maximum
    return ("valid", f"{value!r}")


def run_spec(case, work: Path):
    from skateboard.api import simulate_program
    from skateboard.spec import load_program

    folder = Path(tempfile.mkdtemp(dir=work))
    for name, content in case["files"].items():
        _write(folder / name, content)
    prog = load_program(str(folder / "program.toml"))
    rows, _ = simulate_program(prog, cycle=case.get("cycle", SHORT_CYCLE))
    bad = _check_rows(rows)
    return ("valid", f"{len(rows)} rows") if not bad else ("bad-row", bad)


def run_cycle(case, work: Path):
    from skateboard.api import simulate_program

    folder = Path(tempfile.mkdtemp(dir=work))
    path = folder / case.get("name", "cycle.csv")
    _write(path, case["text"])
    rows, _ = simulate_program("hongqi-on-b10", variants=[case.get("variant", "leapmotor-b10")],
                               cycle=str(path))
    bad = _check_rows(rows)
    return ("valid", f"{len(rows)} rows") if not bad else ("bad-row", bad)


def run_vary(case, work: Path):
    from skateboard.explore.sweep import plan_sweep

    plan = plan_sweep("hongqi-on-b10", case["vary"], samples=case.get("samples"),
                      method=case.get("method"))
    return ("valid", f"{plan.n} variants")


def run_reference(case, work: Path):
    """A program naming files by paths, some outside the workspace root."""
    from skateboard.cycles import load_cycle
    from skateboard.spec import load_program

    if case["kind"] == "cycle":
        load_cycle(case["ref"])
        return ("valid", "cycle")
    folder = Path(tempfile.mkdtemp(dir=work))
    _write(folder / "program.toml", {"name": "p", "title": "t", "variants": [case["ref"]]})
    load_program(str(folder / "program.toml"))
    return ("valid", "program")


RUNNERS = {"quantity": run_quantity, "spec": run_spec, "cycle": run_cycle, "vary": run_vary,
           "reference": run_reference}


def run(case, work: Path):
    from skateboard.errors import SpecError

    try:
        return RUNNERS[case["type"]](case, work)
    except SpecError as exc:
        return ("error", exc.one_line(), _named(exc))
    except BaseException as exc:  # noqa: BLE001 - anything else is what the fuzz test hunts
        return ("internal", f"{type(exc).__name__}: {str(exc)[:300]}", traceback.format_exc())


def serve(conn, work: str) -> None:
    """Child process main loop: warm the engine up, then answer cases until told to stop."""
    from skateboard.workspace import set_workspace_root

    work_path = Path(work)
    set_workspace_root(work_path)
    os.chdir(work_path)
    run({"type": "cycle", "text": "time_s,speed_kmh\n0,0\n1,10\n2,0\n"}, work_path)  # compile
    conn.send("ready")
    while True:
        case = conn.recv()
        if case is None:
            return
        conn.send(run(case, work_path))
