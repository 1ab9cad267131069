"""Validation against measured (EPA test car list) and published (WLTP) figures."""

from __future__ import annotations

import csv
import json
import math

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from skateboard import validation as V
from skateboard.errors import SpecError

BUNDLED = V.EPA_TESTCAR_FILE
#: Four rows that cover every drive layout and both cycles (file line numbers of the bundled file):
#: 2 BMW i4 eDrive40 18" RWD HWFET, 35 Lucid Air Dream R AWD UDDS, 45 Nissan Leaf FWD UDDS,
#: 71 Tesla Model S Long Range 4WD HWFET.
SAMPLE_LINES = (2, 35, 45, 71)
#: Predicted unadjusted AC consumption [Wh/km] of those rows with the calibrated defaults,
#: computed once (2026-11, engine as of this commit; recomputed when the generic load-loss rule
#: changed to copper_loss_rating_exponent 0.25 with charger efficiency 0.855, no-load scale 0.2,
#: copper scale 5 -- before: 132.11, 125.60, 140.84, 139.75; recomputed again when the charger
#: efficiency was refitted to 0.865 without the Bolt EV record defects: x 0.855 / 0.865, before
#: 133.32, 134.67, 131.30, 140.84). How the first one is made up, so a
#: reader can redo it by hand: the BMW i4 on HWFET (701.87 km to break-off) draws per km
#: 53.29 Wh aerodynamic (F2 = 0.371 N/(m/s)^2 x distance-weighted mean v^2 of HWFET,
#: 517 m^2/s^2) + 44.00 Wh rolling (F0 = 150.8 N -> 41.9 Wh, F1 v -> 2.0 Wh) + 11.63 Wh
#: drive-unit and gearbox losses (motoring and regenerating) + 0.82 Wh battery loss + 3.86 Wh
#: auxiliaries (300 W x 765 s / 16.51 km) + 0.39 Wh inertia and friction brakes = 113.99 Wh
#: electrochemical (19.13 Wh/km went back into the battery by regeneration; it is already net
#: in these sums); / charger efficiency 0.865 = 131.78 Wh/km (measured 135.29).
#: The Leaf on UDDS: 26.46 aero + 45.05 rolling + 28.60 drive losses + 0.94 battery + 9.50 aux
#: + 1.70 inertia and brakes = 112.25 Wh (51.48 regenerated); / 0.865 = 129.77 (measured 120.36).
#: Tolerance 0.5 %: far above round-off (the runs are deterministic), far below any change of
#: the physics or of the defaults worth noticing.
EXPECTED_WH_PER_KM = {2: 131.78, 35: 133.11, 45: 129.78, 71: 139.21}
TOLERANCE = 0.005


def _bundled_rows(lines=SAMPLE_LINES):
    with open(BUNDLED, newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0], [rows[i - 1] for i in lines]


def _write(path, header, rows):
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


@pytest.fixture()
def sample_file(tmp_path):
    header, rows = _bundled_rows()
    return _write(tmp_path / "sample.csv", header, rows)


@pytest.fixture(scope="module")
def bundled_result():
    return V.validate_epa_testcar()


# --- expected figures -----------------------------------------------------------------------

def test_expected_figures_on_sample_rows(sample_file):
    res = V.validate_epa_testcar(sample_file)
    got = dict(zip(res.rows["line"], res.rows["predicted_wh_per_km_ac"]))
    # the sample file has the same rows on lines 2..5
    by_bundled_line = dict(zip(SAMPLE_LINES, (got[i] for i in range(2, 6))))
    for line, expected in EXPECTED_WH_PER_KM.items():
        assert by_bundled_line[line] == pytest.approx(expected, rel=TOLERANCE), line
    assert res.summary["max_energy_audit_residual"] < 1e-9


def test_batching_does_not_change_a_row(sample_file, bundled_result):
    """A row predicted alone among four equals the same row predicted in the full file."""
    res = V.validate_epa_testcar(sample_file)
    full = bundled_result.rows.set_index("line")["predicted_wh_per_km_ac"]
    small = res.rows["predicted_wh_per_km_ac"].to_numpy()
    np.testing.assert_allclose(small, full.loc[list(SAMPLE_LINES)].to_numpy(), rtol=1e-12)


def test_bundled_file_summary(bundled_result):
    """Figures quoted in docs/accuracy.md (MAPE 6.11 %, bias -0.05 %, 80 rows, 12 excluded).
    MAPE within 0.3 points, bias within +/-1 %, as a guard that they are still true."""
    s = bundled_result.summary
    assert s["n"] == 80 and s["n_excluded"] == 12
    assert s["mape_percent"] == pytest.approx(6.11, abs=0.3)
    assert abs(s["bias_percent"]) < 1.0
    rows = bundled_result.rows
    err = rows["predicted_wh_per_km_ac"] / rows["measured_wh_per_km_ac"] * 100 - 100
    assert s["mape_percent"] == pytest.approx(float(np.mean(np.abs(err))), rel=1e-12)
    assert s["bias_percent"] == pytest.approx(float(np.mean(err)), rel=1e-9, abs=1e-12)
    assert s["max_abs_error_percent"] == pytest.approx(float(np.max(np.abs(err))), rel=1e-12)
    np.testing.assert_allclose(rows["error_percent"], err, rtol=1e-12)
    assert set(s["by_cycle"]) == {"UDDS", "HWFET"}
    assert sum(c["n"] for c in s["by_cycle"].values()) == s["n"]


def test_holdout_file_is_disjoint_and_predicted_as_well():
    """The hold-out file (the other BEV tests of the same list, nothing fitted on them) shares
    no test with the calibration file, and the calibrated defaults predict it about as well as
    the file they were fitted on (docs/accuracy.md: 87 rows, MAPE 7.09 %, bias -2.18 %). The
    bias bound is 3 %, not the issue's 2 %: that goal is for the calibration file, where the
    fit makes the bias zero by construction; out of sample -2.2 % is what the model does."""
    cols = ["make", "model", "cycle", "rated_hp", "test_mass_kg", "f0_n", "f1_n_per_mps",
            "f2_n_per_mps2", V.MEASURED_COLUMN]
    cal = V.read_epa_testcar(BUNDLED)[cols]
    hold = V.read_epa_testcar(V.EPA_HOLDOUT_FILE)[cols]
    assert len(hold.merge(cal, on=cols)) == 0
    s = V.validate_epa_testcar(V.EPA_HOLDOUT_FILE).summary
    assert s["n"] == 87 and s["n_excluded"] == 27
    assert s["mape_percent"] == pytest.approx(7.09, abs=0.3)
    assert abs(s["bias_percent"]) < 3.0


def test_screen_reports_excluded_rows(bundled_result):
    ex = bundled_result.excluded.set_index("line")
    # Mach-E AWD, Bolt EV (documented record defects), Kona, R1T
    assert sorted(ex.index) == [20, 21, 22, 23, 24, 25, 26, 27, 66, 67, 68, 69]
    assert "documented record defect" in ex.loc[22, "reason"]
    assert "rated power" in ex.loc[26, "reason"]
    assert math.isnan(ex.loc[26, "predicted_wh_per_km_ac"])          # input error: not simulated
    assert "outside 80-400" in ex.loc[20, "reason"]
    assert 100 < ex.loc[20, "predicted_wh_per_km_ac"] < 300          # still predicted
    assert not set(ex.index) & set(bundled_result.rows["line"])


def test_record_defects_match_only_the_documented_records(tmp_path):
    """A documented record defect (the Bolt EV rows: label MPGe in the unadjusted column) is
    excluded wherever the same record appears, and a row that differs from it in any required
    column, here the measured value or the cycle, is not."""
    header, rows = _bundled_rows((22, 23, 2))
    col = header.index(V.MEASURED_COLUMN)
    mpge = header.index("measured_mpge_unadjusted")
    # Bolt EV HWFET with an unadjusted result (label 109 MPGe / 0.7 = 155.7 MPGe -> 134.5 Wh/km)
    fixed = rows[1][:col] + ["134.50"] + rows[1][col + 1:]
    fixed[mpge] = "155.7"
    cyc = header.index("cycle")
    other_cycle = rows[0][:cyc] + ["HWFET"] + rows[0][cyc + 1:]
    path = _write(tmp_path / "defects.csv", header, [rows[0], rows[1], rows[2], fixed, other_cycle])
    table = V.read_epa_testcar(path)
    reasons = V.screen(table)
    assert ["documented record defect" in r for r in reasons] == [True, True, False, False, False]
    with open(V.RECORD_DEFECTS_FILE, newline="") as fh:
        defects = list(csv.DictReader(fh))
    assert defects and all(d["defect"] and len(d["evidence"]) > 40 for d in defects)
    assert all(c in defects[0] for c in V.REQUIRED_COLUMNS)


# --- the measured value is never read to build or adjust a vehicle -------------------------

def test_predictions_ignore_the_measured_column(tmp_path, sample_file):
    header, rows = _bundled_rows()
    col = header.index(V.MEASURED_COLUMN)
    base = V.validate_epa_testcar(sample_file)
    permuted = [r[:col] + [rows[(i + 1) % len(rows)][col]] + r[col + 1:] for i, r in enumerate(rows)]
    zeroed = [r[:col] + ["0"] + r[col + 1:] for r in rows]
    for name, data in (("permuted", permuted), ("zeroed", zeroed)):
        res = V.validate_epa_testcar(_write(tmp_path / f"{name}.csv", header, data))
        both = pd.concat([res.rows, res.excluded]).set_index("line")["predicted_wh_per_km_ac"]
        np.testing.assert_array_equal(both.loc[base.rows["line"]].to_numpy(),
                                      base.rows["predicted_wh_per_km_ac"].to_numpy(), err_msg=name)
    # zeroed measurements fail the plausibility screen: every row is reported as excluded
    assert len(res.rows) == 0 and len(res.excluded) == len(rows)


def test_predict_drops_the_measured_column():
    table = V.read_epa_testcar(BUNDLED).iloc[:4]
    a = V.predict_epa_testcar(table)
    b = V.predict_epa_testcar(table.assign(**{V.MEASURED_COLUMN: 1e9}))
    np.testing.assert_array_equal(a["predicted_wh_per_km_ac"], b["predicted_wh_per_km_ac"])


def test_generic_vehicle_rules():
    row = {"make": "X", "model": "Y", "cycle": "UDDS", "drive": "All Wheel Drive", "rated_hp": 400.0,
           "test_mass_kg": 2000.0, "f0_n": 150.0, "f1_n_per_mps": 1.0, "f2_n_per_mps2": 0.4}
    v = V.epa_variant(row)
    assert (v.f0, v.f1, v.f2) == (150.0, 1.0, 0.4) and v.drag_coefficient is None
    assert sorted(d.axle for d in v.drive_units) == ["front", "rear"]
    assert sum(d.peak_power for d in v.drive_units) == pytest.approx(400 * 745.699872)
    d = V.CALIBRATED
    for du in v.drive_units:   # base-speed rule: peak torque x base speed = rated power
        assert du.peak_torque * du.max_speed / d.base_speed_ratio == pytest.approx(du.peak_power)
        # the no-load loss at a given speed is that of the reference unit, whatever the rating
        assert du.loss_coefficients[0] * du.peak_power == pytest.approx(
            0.004 * d.no_load_loss_scale * d.loss_reference_power)
        # the load term follows the rating with copper_loss_rating_exponent: k T^2 with
        # k = c_torque2 x scale x (P / P_ref)^(1 - e) x P / T_peak^2 ~ P^-e
        k = du.loss_coefficients[2] * du.peak_power / du.peak_torque**2
        ratio = du.peak_power / d.loss_reference_power
        assert k == pytest.approx(0.045 * d.copper_loss_scale * ratio ** (1 - d.copper_loss_rating_exponent)
                                  * du.peak_power / du.peak_torque**2)
    assert v.charger_efficiency == d.charger_efficiency and v.aux_power == d.aux_power
    fwd = V.epa_variant({**row, "drive": "2-Wheel Drive, Front"})
    assert [u.axle for u in fwd.drive_units] == ["front"]


# --- errors -------------------------------------------------------------------------------

def test_missing_column_names_file_line_and_column(tmp_path):
    header, rows = _bundled_rows()
    k = header.index("f0_n")
    path = _write(tmp_path / "missing.csv", header[:k] + header[k + 1:],
                  [r[:k] + r[k + 1:] for r in rows])
    with pytest.raises(SpecError) as exc:
        V.validate_epa_testcar(path)
    assert exc.value.file == str(path) and exc.value.field == "f0_n"
    assert "line 1" in str(exc.value) and "missing column" in str(exc.value)


@pytest.mark.parametrize("column, value, needle", [
    ("rated_hp", "abc", "not a number"),
    ("test_mass_kg", "", "missing value"),
    ("f2_n_per_mps2", "nan", "out of range"),
    ("test_mass_kg", "5000000", "out of range"),
    ("cycle", "US06", "unknown cycle"),
    ("drive", "Front Wheel Drive", "unknown drive system"),
])
def test_bad_value_names_file_line_and_column(tmp_path, column, value, needle):
    header, rows = _bundled_rows()
    rows[2][header.index(column)] = value       # the third data row: line 4
    path = _write(tmp_path / "bad.csv", header, rows)
    with pytest.raises(SpecError) as exc:
        V.read_epa_testcar(path)
    assert exc.value.file == str(path) and exc.value.field == column
    assert "line 4" in str(exc.value) and needle in str(exc.value)


def test_wrong_number_of_values_and_empty_file(tmp_path):
    header, rows = _bundled_rows()
    rows[0] = rows[0][:-1]
    with pytest.raises(SpecError, match="line 2: expected"):
        V.read_epa_testcar(_write(tmp_path / "short.csv", header, rows))
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(SpecError, match="empty"):
        V.read_epa_testcar(tmp_path / "empty.csv")
    with pytest.raises(SpecError, match="not found"):
        V.read_epa_testcar(tmp_path / "nope.csv")


def test_extra_columns_are_ignored(tmp_path, sample_file):
    header, rows = _bundled_rows()
    path = _write(tmp_path / "extra.csv", ["note", *header, "other"],
                  [["hello", *r, "1,2"] for r in rows])
    a = V.validate_epa_testcar(sample_file).rows["predicted_wh_per_km_ac"].to_numpy()
    b = V.validate_epa_testcar(path).rows["predicted_wh_per_km_ac"].to_numpy()
    np.testing.assert_array_equal(a, b)


# --- JSON and CLI -----------------------------------------------------------------------------

def test_json_has_summary_and_rows(sample_file):
    obj = json.loads(V.validate_epa_testcar(sample_file).to_json())
    for key in ("n", "mape_percent", "bias_percent", "max_abs_error_percent", "rows", "excluded",
                "parameters", "fitted_parameters", "screen"):
        assert key in obj, key
    assert obj["n"] == 4 and len(obj["rows"]) == 4
    for row in obj["rows"]:
        for key in ("make", "model", "cycle", "predicted_wh_per_km_ac", "measured_wh_per_km_ac",
                    "error_percent"):
            assert key in row, key
    assert obj["fitted_parameters"] == ["charger_efficiency", "no_load_loss_scale", "copper_loss_scale"]


def test_cli_epa_testcar(tmp_path, sample_file):
    from skateboard.cli_validate import validate_app

    runner = CliRunner()
    r = runner.invoke(validate_app, ["epa-testcar", str(sample_file), "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["n"] == 4
    out = tmp_path / "rows.csv"
    r = runner.invoke(validate_app, ["epa-testcar", str(sample_file), "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "MAPE" in r.output and "BMW" in r.output
    written = pd.read_csv(out)
    assert list(written["line"]) == [2, 3, 4, 5]
    before = out.read_bytes()
    r = runner.invoke(validate_app, ["epa-testcar", str(sample_file), "--out", str(out)])
    assert isinstance(r.exception, SpecError) and "exists" in str(r.exception)
    assert out.read_bytes() == before


def test_calibration_zeroes_the_bias(sample_file):
    """calibrate() picks the charger efficiency with zero mean error at every grid point
    (bounds opened here: on four rows the zero-bias efficiency need not be plausible)."""
    res = V.calibrate(sample_file, no_load_scales=(0.2,), copper_scales=(5.0,),
                      charger_bounds=(0.0, 1.0))
    assert len(res.grid) == 1 and res.grid["admissible"].all()
    assert abs(res.summary["bias_percent"]) < 1e-9
    check = V.validate_epa_testcar(sample_file, defaults=res.defaults)
    assert abs(check.summary["bias_percent"]) < 1e-9
    assert check.summary["mape_percent"] == pytest.approx(res.summary["mape_percent"], rel=1e-9)


def test_calibration_keeps_the_charger_efficiency_plausible(sample_file):
    """Outside CHARGER_EFFICIENCY_BOUNDS a grid point is not admissible; with no admissible
    point the efficiency is clipped to the bounds."""
    free = V.calibrate(sample_file, no_load_scales=(0.2,), copper_scales=(5.0,),
                       charger_bounds=(0.0, 1.0)).defaults.charger_efficiency
    lo, hi = free + 0.01, free + 0.02
    res = V.calibrate(sample_file, no_load_scales=(0.2,), copper_scales=(5.0,),
                      charger_bounds=(lo, hi))
    assert not res.grid["admissible"].any()
    assert res.defaults.charger_efficiency == pytest.approx(lo)
    assert res.summary["bias_percent"] < 0       # a better charger than zero bias wants


# --- published figures ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def published():
    return V.validate_published().set_index(["vehicle", "quantity"])


def test_published_b10_within_5_percent(published):
    """B10 WLTP: 434 km (67.1 kWh), 361 km (56.2 kWh), 14.9 / 17.3 kWh/100 km (issue: +/-5 %)."""
    for key in (("leapmotor-b10 [67kwh]", "range_km"), ("leapmotor-b10 [56kwh]", "range_km"),
                ("leapmotor-b10 [67kwh]", "consumption_wh_per_km"),
                ("leapmotor-b10 [67kwh]", "consumption_ac_wh_per_km")):
        r = published.loc[key]
        assert r["tolerance_percent"] == 5.0
        assert abs(r["error_percent"]) <= 5.0, (key, r["predicted"], r["published"])
        assert r["within_tolerance"]


def test_published_c10_bev_range_within_5_percent(published):
    """C10 BEV WLTP range 420 km (km77; REFERENCE.md): the same +/-5 % as the B10."""
    r = published.loc[("leapmotor-c10 [70kwh]", "range_km")]
    assert r["published"] == 420.0 and r["tolerance_percent"] == 5.0
    assert abs(r["error_percent"]) <= 5.0, r["predicted"]


def test_published_c10_electric_range_within_10_percent(published):
    r = published.loc[("leapmotor-c10-reev [28kwh]", "electric_range_km")]
    assert r["published"] == 145.0 and r["tolerance_percent"] == 10.0
    assert abs(r["error_percent"]) <= 10.0, r["predicted"]


def test_published_rows_carry_sources(published):
    assert published["source"].str.len().min() > 10
    info = published[published["tolerance_percent"].isna()]
    assert len(info) == 2 and info["within_tolerance"].isna().all()
