"""`skateboard validate erev`: range-extended cars of erev_published.csv against their published
electric range, charge-sustaining fuel and weighted CO2 (issue #21)."""

import csv
import json
from pathlib import Path

import pytest

from skateboard.errors import SpecError
from skateboard.procedures import cltc, epa, wltp
from skateboard.spec import load_derivative, resolve_variant
from skateboard.spec.models import DEFAULT_GENERATOR_EFFICIENCY
from skateboard.validation.erev import EREV_FILE, SPECIFIC_POWER, spec_sheet_erev, validate_erev

from clirun import run_cli as _cli
ROOT = Path(__file__).resolve().parents[1]


def _subset(tmp_path, keep):
    with open(EREV_FILE, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        fields, rows = reader.fieldnames, [r for r in reader if keep(r)]
    out = tmp_path / "e.csv"
    with open(out, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)
    return out, rows


def test_spec_sheet_erev_engine_rule_and_defaults():
    row = {"make": "A", "model": "B", "version": "", "curb_mass_kg": "2000", "width_mm": "1900",
           "height_mm": "1700", "battery_gross_kwh": "40", "motor_rear_kw": "200",
           "engine_displacement_l": "1.5", "engine_kw": "", "tank_l": ""}
    v = spec_sheet_erev(row, "x")
    assert v.powertrain == "EREV"
    # no engine power: 45 kW per litre (the C10 REEV's 1.5 l, 65-70 kW)
    assert v.range_extender.max_power == pytest.approx(1.5 * SPECIFIC_POWER * DEFAULT_GENERATOR_EFFICIENCY)
    assert v.range_extender.fuel_tank_volume == pytest.approx(0.050)
    v2 = spec_sheet_erev({**row, "engine_kw": "90", "tank_l": "60"}, "x")
    assert v2.range_extender.max_power == pytest.approx(90e3 * DEFAULT_GENERATOR_EFFICIENCY)
    assert v2.range_extender.fuel_tank_volume == pytest.approx(0.060)
    with pytest.raises(SpecError, match="engine_kw or engine_displacement_l"):
        spec_sheet_erev({**row, "engine_displacement_l": ""}, "x")


def test_spec_sheet_erev_published_peak_efficiency_scales_the_map():
    """A row's engine_peak_bte_percent scales the dedicated map to that peak (same shape); a
    missing one keeps the 0.42 map; an impossible one is a clear error."""
    from skateboard.physics.range_extender import DEDICATED_EFFICIENCY

    row = {"make": "A", "model": "B", "version": "", "curb_mass_kg": "2000", "width_mm": "1900",
           "height_mm": "1700", "battery_gross_kwh": "40", "motor_rear_kw": "200",
           "engine_displacement_l": "1.5", "engine_kw": "", "tank_l": ""}
    assert spec_sheet_erev(row, "x").range_extender.engine_efficiency == DEDICATED_EFFICIENCY
    eff = spec_sheet_erev({**row, "engine_peak_bte_percent": "30"}, "x").range_extender.engine_efficiency
    assert max(eff) == pytest.approx(0.30, abs=1e-6)
    assert eff == pytest.approx([e * 0.30 / 0.42 for e in DEDICATED_EFFICIENCY], abs=1e-6)
    for bad in ("70", "-5"):
        with pytest.raises(SpecError, match="peak engine efficiency is implausible"):
            spec_sheet_erev({**row, "engine_peak_bte_percent": bad}, "x")


def test_validate_erev_bundled_rows_are_the_procedures_results(tmp_path):
    path, rows = _subset(tmp_path, lambda r: (r["model"] == "C10 REEV" and "28.4" in r["version"])
                         or r["model"] == "MX-30 Rotary-EV")
    res = validate_erev(path)
    assert list(res.skipped["model"]) == ["MX-30 Rotary-EV"]
    assert "not modelled" in res.skipped["reason"].iloc[0]
    v = resolve_variant(load_derivative("leapmotor-c10-reev"))
    w = wltp.run([v], uf_stage="euro6").iloc[0]
    c = cltc.run([v]).iloc[0]
    got = {(r.procedure, r.quantity): (r.published, r.predicted) for r in res.rows.itertuples()}
    assert got[("WLTP", "electric_range_km")] == (145.0, pytest.approx(w["electric_range_km"], rel=1e-12))
    assert got[("WLTP", "weighted_co2_g_per_km")] == (10.0, pytest.approx(w["co2_weighted_g_per_km"], rel=1e-12))
    assert got[("CLTC", "electric_range_km")] == (210.0, pytest.approx(c["electric_range_km"], rel=1e-12))
    china = "WLTC (China MIIT, GB/T 19753)"
    assert got[(china, "cs_fuel_l_per_100km")] == (5.1, pytest.approx(c["fuel_cs_l_per_100km"], rel=1e-12))
    assert got[(china, "electric_range_km")] == (140.0, pytest.approx(c["wltc_all_electric_range_km"], rel=1e-12))
    for r in res.rows.itertuples():
        assert r.error_percent == pytest.approx((r.predicted / r.published - 1) * 100)
    assert res.summary["co2_within_10"]["n"] == 1


def test_validate_erev_strategy_override_changes_only_the_strategy(tmp_path):
    path, _ = _subset(tmp_path, lambda r: r["model"] == "i3 REx")
    own = validate_erev(path)
    th = validate_erev(path, strategy="thermostat")
    assert set(own.rows["strategy"]) == {"load_following"} and set(th.rows["strategy"]) == {"thermostat"}
    # the electric range ends where the engine starts: the same for both strategies
    rng = lambda r: r.rows.set_index("quantity").loc["electric_range_km", "predicted"]
    assert rng(own) == pytest.approx(rng(th), rel=1e-9)
    fuel = lambda r: r.rows.set_index("quantity").loc["cs_fuel_l_per_100km", "predicted"]
    assert fuel(own) != pytest.approx(fuel(th), rel=1e-3)
    # the EPA label's charge-sustaining fuel of the generic i3 REx
    v = spec_sheet_erev(next(csv.DictReader(open(path, encoding="utf-8"))), "i3")
    assert fuel(own) == pytest.approx(epa.run([v])["fuel_cs_l_per_100km"][0], rel=1e-12)
    with pytest.raises(SpecError, match="unknown strategy"):
        validate_erev(path, strategy="none")




def test_cli_validate_erev_json_and_bad_input(tmp_path):
    path, _ = _subset(tmp_path, lambda r: r["model"] == "i3 REx")
    r = _cli("validate", "erev", str(path), "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["summary"]["cs_fuel_l_per_100km"]["n"] == 1 and len(out["rows"]) == 2
    r = _cli("validate", "erev", str(path), "--strategy", "lazy")
    assert r.returncode == 2 and "unknown strategy" in r.stderr and "Traceback" not in r.stderr
    r = _cli("validate", "erev", str(tmp_path / "absent.csv"))
    assert r.returncode == 2 and "file not found" in r.stderr


def test_cli_validate_published_reports_the_erev_file():
    """Issue #21 section 2: `skateboard validate published` reports the range-extended file's
    errors too, the same summary `validate erev` computes."""
    from skateboard.api import EREV_FILE, validate_erev

    r = _cli("validate", "published")
    assert r.returncode == 0, r.stderr
    text = " ".join(r.stdout.split())
    s = validate_erev(EREV_FILE).summary
    for what, key in (("electric range", "electric_range_km"),
                      ("charge-sustaining fuel", "cs_fuel_l_per_100km")):
        assert f"{what}: n = {s[key]['n']}, MAPE {s[key]['mape_percent']:.2f} %" in text
