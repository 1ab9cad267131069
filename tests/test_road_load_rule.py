"""The physical road load's speed term and the spec-sheet road load against EPA coast-downs
(skateboard.validation.road_load, `skateboard validate road-load`)."""

from __future__ import annotations

import json

import numpy as np
import pytest

import synthetic as syn
from clirun import run_cli
from skateboard.engine.batch import road_load_coefficients
from skateboard.errors import SpecError
from skateboard.physics.constants import AIR_DENSITY_WLTP, GRAVITY
from skateboard.physics.road_load import coefficients
from skateboard.spec import defaults as D
from skateboard.spec import load_derivative, resolve_variant
from skateboard.validation import read_epa_testcar
from skateboard.validation.epa_list import EPA_TESTCAR_FILE
from skateboard.validation.road_load import (AERO_FILE, aero_of, check_road_load, fit_speed_coefficient,
                                             load_aero, with_spec_sheet_road_load)


def test_physical_coefficients_by_hand():
    # F = m g (c_rr + c_v v) + rho Cd A v^2 / 2: F0 = c_rr m g, F1 = c_v m g, F2 = rho Cd A / 2
    f0, f1, f2 = coefficients(0.008, 0.28, 2.5, 2000.0, 1.2, 1.5e-4)
    assert f0 == pytest.approx(0.008 * 2000 * GRAVITY, rel=1e-15)
    assert f1 == pytest.approx(1.5e-4 * 2000 * GRAVITY, rel=1e-15)
    assert f2 == pytest.approx(0.5 * 1.2 * 0.28 * 2.5, rel=1e-15)
    assert coefficients(0.008, 0.28, 2.5, 2000.0, 1.2)[1] == 0.0   # no speed term unless given


def test_a_toml_car_gets_the_default_speed_term_and_lists_it():
    v = resolve_variant(load_derivative("hongqi-b10-bev"))
    assert v.rolling_resistance_speed_coefficient == D.ROLLING_RESISTANCE_SPEED_COEFFICIENT
    assert "top_hat.rolling_resistance_speed_coefficient" in v.defaults
    m = 2000.0
    f0, f1, f2 = road_load_coefficients(v, m)
    assert f1 == pytest.approx(D.ROLLING_RESISTANCE_SPEED_COEFFICIENT * m * GRAVITY, rel=1e-12)
    assert f0 == pytest.approx(v.rolling_resistance_coefficient * m * GRAVITY, rel=1e-12)
    assert f2 == pytest.approx(0.5 * AIR_DENSITY_WLTP * v.drag_coefficient * v.frontal_area, rel=1e-12)


def test_the_speed_term_is_read_in_units_and_can_be_switched_off(tmp_path):
    v = resolve_variant(load_derivative("hongqi-b10-bev"))
    w = v.replace(rolling_resistance_speed_coefficient="0.5e-4 s/m")
    assert w.rolling_resistance_speed_coefficient == pytest.approx(0.5e-4)
    assert road_load_coefficients(v.replace(rolling_resistance_speed_coefficient=0.0), 1800.0)[1] == 0.0
    with pytest.raises(SpecError, match="rolling_resistance_speed_coefficient"):
        v.replace(rolling_resistance_speed_coefficient="1 s/m")
    # the coast-down form ignores it: F1 is the measured one
    cd = v.replace(drag_coefficient=None, frontal_area=None, rolling_resistance_coefficient=None,
                   f0=150.0, f1=1.0, f2=0.4)
    assert road_load_coefficients(cd, 1800.0) == (150.0, 1.0, 0.4)


def test_more_speed_term_means_more_consumption_on_every_cycle():
    slow = syn.variant(rolling_resistance_speed_coefficient=0.0)
    fast = syn.variant(rolling_resistance_speed_coefficient=2e-4)
    from skateboard.cycles import load_cycle
    from skateboard.engine.simulate import simulate
    for name in ("wltc_class3b", "udds", "hwfet"):
        r = simulate([slow, fast], load_cycle(name))
        e = r["e_battery_terminal"]
        assert e[1] > e[0], name
        assert np.all(np.abs(r.energy_audit_residual()) < 1e-9)


def test_aero_table_is_sourced_and_every_row_matches_an_epa_record():
    rows = load_aero()
    assert len(rows) >= 20
    from skateboard.validation import EPA_HOLDOUT_FILE
    texts = [f"{a} {b}".lower() for path in (EPA_TESTCAR_FILE, EPA_HOLDOUT_FILE)
             for a, b in read_epa_testcar(path)[["make", "model"]].itertuples(index=False)]
    for pattern, aero in rows:
        assert any(pattern.search(t) for t in texts), pattern.pattern
        assert 0.19 <= aero.cd <= 0.35 and 1.7 < aero.width < 2.1 and 1.3 < aero.height < 1.8
    with open(AERO_FILE, encoding="utf-8") as f:
        import csv
        for r in csv.DictReader(f):
            assert r["sources"].strip() and r["quotes"].strip()
    # first match wins: the Cross Turismo has its own row before the sedan's
    assert aero_of("Porsche", "Taycan 4S Cross Turismo").cd == 0.26
    assert aero_of("Porsche", "Taycan Turbo").cd == 0.24
    assert aero_of("Tesla", "Model X Long Range") is None   # left out: its Cd looked copied


def test_a_bad_aero_table_is_one_clear_error(tmp_path):
    bad = tmp_path / "aero.csv"
    bad.write_text("pattern,cd,width_mm,height_mm,sources,quotes\n^x\\b,0.9,1800,1500,s,q\n")
    with pytest.raises(SpecError) as e:
        load_aero(bad)
    assert f"{bad}:2" in str(e.value) and "0.9" in str(e.value)


def test_spec_sheet_road_load_rows_by_hand():
    table = read_epa_testcar(EPA_TESTCAR_FILE)
    out = with_spec_sheet_road_load(table, 1e-4)
    assert 0 < len(out) < len(table)
    r = out.iloc[0]
    a = aero_of(r["make"], r["model"])
    m = r["test_mass_kg"]
    assert r["f0_n"] == pytest.approx(0.0077 * m * GRAVITY, rel=1e-12)
    assert r["f1_n_per_mps"] == pytest.approx(1e-4 * m * GRAVITY, rel=1e-12)
    assert r["f2_n_per_mps2"] == pytest.approx(0.5 * AIR_DENSITY_WLTP * a.cd * a.width * a.height
                                               * D.FRONTAL_AREA_FACTOR, rel=1e-12)


def test_the_shipped_speed_coefficient_is_what_the_fit_returns():
    fit = fit_speed_coefficient()
    assert fit.best == D.ROLLING_RESISTANCE_SPEED_COEFFICIENT
    t = fit.table.set_index("speed_coefficient_s_per_m")
    # without the term the spec-sheet road load under-predicts, more on the highway
    assert t.loc[0.0, "bias_percent"] < -8.0
    assert t.loc[0.0, "hwfet_bias_percent"] < t.loc[0.0, "udds_bias_percent"] < 0.0
    # the fitted value leaves both cycles unbiased within 1 %
    assert abs(t.loc[fit.best, "udds_bias_percent"]) < 1.0 and abs(t.loc[fit.best, "hwfet_bias_percent"]) < 1.0
    # bias rises monotonically with the term
    assert np.all(np.diff(t["bias_percent"].to_numpy()) > 0)


def test_cli_validate_road_load(tmp_path):
    r = run_cli("validate", "road-load", "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    s = data["summary"]
    assert s["speed_coefficient_s_per_m"] == D.ROLLING_RESISTANCE_SPEED_COEFFICIENT
    assert s["vs_coast_down"]["n"] == len(data["rows"]) > 50
    for row in data["rows"]:
        assert row["error_vs_coast_down_percent"] == pytest.approx(
            (row["spec_sheet_wh_per_km_ac"] / row["coast_down_wh_per_km_ac"] - 1) * 100)
    again = check_road_load()
    assert again.summary["vs_coast_down"]["mape_percent"] == pytest.approx(s["vs_coast_down"]["mape_percent"])
    bad = run_cli("validate", "road-load", str(tmp_path / "missing.csv"))
    assert bad.returncode == 2 and "not found" in bad.stderr and "Traceback" not in bad.stderr
