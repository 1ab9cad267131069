"""The quantity memo (``skateboard.units._Memo``): a string read before gives pint's own value
without importing pint; anything else goes through pint."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: Strings of the bundled specs' kinds, each with its unit and the value a hand calculation gives.
CASES = [("67.1 kWh", "J", 67.1 * 3.6e6), ("1.7 t", "kg", 1700.0), ("160 kW", "W", 160e3),
         ("1.895 m * 1.640 m * 0.85", "m**2", 1.895 * 1.640 * 0.85), ("25 degC", "K", 298.15),
         ("120 km/h", "m/s", 120 / 3.6), ("15 kWh/100 km", "J/m", 15 * 3.6e6 / 1e5)]

SCRIPT = """
import json, sys
from skateboard.units import parse_quantity
cases = json.loads(sys.argv[1])
print(json.dumps({"values": [parse_quantity(t, u, field="f") for t, u, _ in cases],
                  "pint": "pint" in sys.modules}))
"""


def _run(cache: Path, cases=CASES):
    env = dict(os.environ, XDG_CACHE_HOME=str(cache), PYTHONPATH=str(ROOT / "src"))
    r = subprocess.run([sys.executable, "-c", SCRIPT, json.dumps(cases)], capture_output=True,
                       text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_a_string_read_before_needs_no_pint_and_gives_the_same_bits(tmp_path):
    first = _run(tmp_path)
    assert first["pint"] is True
    for (text, _, expected), value in zip(CASES, first["values"]):
        assert value == pytest.approx(expected, rel=1e-12), text
    memo = tmp_path / "skateboard" / "units-memo.json"
    assert len(json.loads(memo.read_text())["values"]) == len(CASES)
    second = _run(tmp_path)
    assert second["pint"] is False
    assert second["values"] == first["values"]            # every bit: JSON keeps a float's repr


def test_a_memo_of_other_sources_or_damaged_is_ignored(tmp_path):
    memo = tmp_path / "skateboard" / "units-memo.json"
    memo.parent.mkdir(parents=True)
    key = "J\x1f67.1 kWh"
    memo.write_text(json.dumps({"stamp": "another version", "values": {key: 1.0}}))
    out = _run(tmp_path, CASES[:1])
    assert out["pint"] is True and out["values"] == [pytest.approx(67.1 * 3.6e6)]
    memo.write_text("{not json")
    assert _run(tmp_path, CASES[:1])["pint"] is True
    assert _run(tmp_path, CASES[:1])["pint"] is False      # rewritten by the run before


def test_errors_are_never_memoised():
    from skateboard.errors import SpecError
    from skateboard.units import _MEMO, parse_quantity

    assert parse_quantity("2 kWh", "J", field="f") == pytest.approx(7.2e6)
    assert _MEMO.get("2 kWh", "J") == pytest.approx(7.2e6)
    with pytest.raises(SpecError, match="wrong unit"):           # same string, other unit
        parse_quantity("2 kWh", "kg", field="f")
    assert _MEMO.get("2 kWh", "kg") is None
    with pytest.raises(SpecError, match="out of range"):         # range checks still apply
        parse_quantity("2 kWh", "J", field="f", maximum=1e6)
