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
#: Predicted unadjusted AC consumption [Wh/km] of those rows with the calibrated defaults
#: (charger efficiency 0.851, no-load scale 0.15, copper scale 5, load-loss exponent 0.25; each
#: row's drive-unit technology from the side table: the i4's EESM, the Lucid's SiC inverters x
#: 0.7, the Leaf and the Model S generic), computed once (2026-12-04, engine as of this commit;
#: before the technology scales, at 0.855: 132.00, 131.31, 129.62, 138.16). How the first one is
#: made up, so a reader can redo it by hand: the BMW i4 on HWFET (708.89 km to break-off) draws
#: per km 53.35 Wh aerodynamic (F2 = 0.371 N/(m/s)^2 x distance-weighted mean v^2 of HWFET,
#: 517 m^2/s^2) + 44.00 Wh rolling (F0 = 150.8 N -> 41.9 Wh, F1 v -> 2.0 Wh) + about 10.45 Wh
#: drive-unit and gearbox losses (motoring and regenerating; an EESM keeps no loss while it
#: coasts at zero torque) + 0.81 Wh battery loss + 3.86 Wh auxiliaries (300 W x 765 s /
#: 16.51 km) + 0.37 Wh inertia and friction brakes = about 112.84 Wh electrochemical
#: (regeneration is already net in these sums); / charger efficiency 0.851 = 132.59 Wh/km
#: (measured 135.29).
#: The Leaf on UDDS: 26.39 aero + 45.03 rolling + 27.14 drive losses + 0.94 battery + 9.51 aux
#: + 1.81 inertia and brakes = 110.82 Wh; / 0.851 = 130.22 (measured 120.36).
#: Tolerance 0.5 %: far above round-off (the runs are deterministic), far below any change of
#: the physics or of the defaults worth noticing.
EXPECTED_WH_PER_KM = {2: 132.59, 35: 121.69, 45: 130.22, 71: 138.80}
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
    """Figures quoted in docs/accuracy.md (MAPE 5.41 %, bias +0.02 %, 86 rows, 6 excluded).
    MAPE within 0.3 points, bias within +/-1 %, as a guard that they are still true."""
    s = bundled_result.summary
    assert s["n"] == 86 and s["n_excluded"] == 6
    assert s["mape_percent"] == pytest.approx(5.41, abs=0.3)
    assert abs(s["bias_percent"]) < 1.0
    rows = bundled_result.rows
    err = rows["predicted_wh_per_km_ac"] / rows["measured_wh_per_km_ac"] * 100 - 100
    assert s["mape_percent"] == pytest.approx(float(np.mean(np.abs(err))), rel=1e-12)
    assert s["bias_percent"] == pytest.approx(float(np.mean(err)), rel=1e-9, abs=1e-12)
    assert s["max_abs_error_percent"] == pytest.approx(float(np.max(np.abs(err))), rel=1e-12)
    np.testing.assert_allclose(rows["error_percent"], err, rtol=1e-12, atol=1e-12)
    assert set(s["by_cycle"]) == {"UDDS", "HWFET"}
    assert sum(c["n"] for c in s["by_cycle"].values()) == s["n"]


def test_holdout_file_is_disjoint_and_predicted_as_well():
    """The hold-out file (the other BEV tests of the same list, nothing fitted on them) shares
    no test with the calibration file, and the calibrated defaults predict it about as well as
    the file they were fitted on (docs/accuracy.md: 111 rows, MAPE 5.76 %, bias -1.30 %). The
    bias bound is 3 %, not the issue's 2 %: that goal is for the calibration file, where the
    fit makes the bias zero by construction."""
    cols = ["make", "model", "cycle", "rated_hp", "test_mass_kg", "f0_n", "f1_n_per_mps",
            "f2_n_per_mps2", V.MEASURED_COLUMN]
    cal = V.read_epa_testcar(BUNDLED)[cols]
    hold = V.read_epa_testcar(V.EPA_HOLDOUT_FILE)[cols]
    assert len(hold.merge(cal, on=cols)) == 0
    s = V.validate_epa_testcar(V.EPA_HOLDOUT_FILE).summary
    assert s["n"] == 111 and s["n_excluded"] == 3
    assert s["mape_percent"] == pytest.approx(5.76, abs=0.3)
    assert abs(s["bias_percent"]) < 3.0


def test_other_model_years_are_predicted_sensibly():
    """MY2017-2019 BEV tests (EPA's lists of those years; no record equal to a MY2022 one, so
    nothing in them was fitted): docs/accuracy.md gives 36 rows, MAPE 6.58 %, bias +2.81 %.
    'Sensible' is held to: MAPE within 1.5 points of the MY2022 hold-out's 5.76 %, |bias| < 3 %."""
    path = V.EPA_OTHER_YEARS_FILE
    cols = ["model", "cycle", "test_mass_kg", "f0_n", "f1_n_per_mps", "f2_n_per_mps2",
            V.MEASURED_COLUMN]
    other = V.read_epa_testcar(path)
    assert set(pd.read_csv(path)["model_year"]) == {2017, 2018, 2019}
    for f in (BUNDLED, V.EPA_HOLDOUT_FILE):
        assert len(other[cols].merge(V.read_epa_testcar(f)[cols], on=cols)) == 0
    s = V.validate_epa_testcar(path).summary
    assert s["n"] == 36 and s["n_excluded"] == 2
    assert s["mape_percent"] == pytest.approx(6.58, abs=0.3)
    assert abs(s["mape_percent"] - 5.76) < 1.5 and abs(s["bias_percent"]) < 3.0


def test_screen_reports_excluded_rows(bundled_result):
    ex = bundled_result.excluded.set_index("line")
    # Bolt EV (documented record defects), Kona (37 hp)
    assert sorted(ex.index) == [22, 23, 24, 25, 26, 27]
    assert "documented record defect" in ex.loc[22, "reason"]
    assert "rated power" in ex.loc[26, "reason"]
    assert math.isnan(ex.loc[26, "predicted_wh_per_km_ac"])          # input error: not simulated
    assert not set(ex.index) & set(bundled_result.rows["line"])


def test_unit_defect_records_are_read_in_kwh_per_100_miles(bundled_result):
    """The Mach-E AWD (test group NFMXV00.0B3A) and R1T records list 23.8-34.5 'MPGe': kWh per
    100 miles (UNIT_DEFECT_MPGE). Read so, 23.8 kWh/100 mi = 238 Wh / 1.609344 km = 147.89 Wh/km
    (hand calculation), a plausible result beside the list's other Mach-E AWD records
    (138.5-164.5 Wh/km)."""
    rows = bundled_result.rows.set_index("line")
    table = V.read_epa_testcar(BUNDLED).set_index("line")
    assert {20, 21, 66, 67, 68, 69} <= set(rows.index)
    assert rows.loc[20, V.MEASURED_COLUMN] == pytest.approx(238.0 / 1.609344, rel=1e-4)
    assert "kWh/100 mi" in table.loc[20, "measured_note"]
    # the Kona Electric records (lines 26-27, 17.2 and 21.7) are read so too, but stay excluded
    # for their 37 hp
    assert "kWh/100 mi" in table.loc[26, "measured_note"]
    assert (table.drop(index=[20, 21, 26, 27, 66, 67, 68, 69])["measured_note"] == "").all()
    assert bundled_result.summary["n_unit_defects"] == 8
    assert (rows.loc[[20, 21, 66, 67, 68, 69], "measured_note"] != "").all()


def test_unit_defect_needs_both_records_of_the_vehicle(tmp_path):
    """A low 'MPGe' is read as kWh/100 mi only when the vehicle's record on the other cycle is
    low too; alone (the EQS 450+ highway record beside a UDDS record of 138 MPGe) it stays an
    unexplained value and the screen excludes it."""
    header, rows = _bundled_rows((20, 21, 2, 3))
    col = header.index(V.MEASURED_COLUMN)
    path = _write(tmp_path / "pair.csv", header, rows)
    t = V.read_epa_testcar(path)
    assert list(t["measured_note"] != "") == [True, True, False, False]
    # the i4 HWFET record (line 2 of the bundled file) with a low value, its UDDS partner normal
    lone = [r[:] for r in rows]
    lone[2][col] = "700.0"
    t = V.read_epa_testcar(_write(tmp_path / "lone.csv", header, lone))
    assert t.loc[2, "measured_note"] == "" and t.loc[2, V.MEASURED_COLUMN] == 700.0
    assert "outside 80-400" in V.screen(t).iloc[2]
    # both i4 records low: both read as kWh/100 mi
    both = [r[:] for r in lone]
    both[3][col] = "600.0"
    t = V.read_epa_testcar(_write(tmp_path / "both.csv", header, both))
    kwh = 33705.0 / (np.array([700.0, 600.0]) * 1.609344)
    np.testing.assert_allclose(t[V.MEASURED_COLUMN].iloc[2:], kwh * 10 / 1.609344, rtol=1e-12)


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


# --- EPA's own list files -------------------------------------------------------------------

#: The columns of EPA's Test Car List files (MY2018-2022 layout; MY2017 has a subset).
RAW_HEADER = ("Model Year,Vehicle Manufacturer Name,Veh Mfr Code,Represented Test Veh Make,"
              "Represented Test Veh Model,Test Vehicle ID,Test Veh Configuration #,"
              "Test Veh Displacement (L),Actual Tested Testgroup,Vehicle Type,Rated Horsepower,"
              "# of Cylinders and Rotors,Engine Code,Drive System Description,"
              "Equivalent Test Weight (lbs.),Test Procedure Description,Test Fuel Type Cd,"
              "Test Fuel Type Description,Test Category,RND_ADJ_FE,FE_UNIT,Target Coef A (lbf),"
              "Target Coef B (lbf/mph),Target Coef C (lbf/mph**2)").split(",")
PROCEDURE = {"UDDS": "Charge Depleting UDDS", "HWFET": "Charge Depleting Highway"}


def _raw_record(row: dict, **change) -> list[str]:
    """A record of EPA's list holding a row of the validation format."""
    rec = {"Model Year": "2022", "Represented Test Veh Make": row["make"],
           "Represented Test Veh Model": row["model"], "Actual Tested Testgroup": row["test_group"],
           "Rated Horsepower": row["rated_hp"], "# of Cylinders and Rotors": "",
           "Drive System Description": row["drive"], "Equivalent Test Weight (lbs.)": row["etw_lb"],
           "Test Procedure Description": PROCEDURE[row["cycle"]], "Test Fuel Type Cd": "62",
           "Test Fuel Type Description": "Electricity", "Test Category": "CD",
           "RND_ADJ_FE": row["measured_mpge_unadjusted"], "FE_UNIT": "MPG",
           "Target Coef A (lbf)": row["target_a_lbf"], "Target Coef B (lbf/mph)": row["target_b_lbf_per_mph"],
           "Target Coef C (lbf/mph**2)": row["target_c_lbf_per_mph2"], **change}
    return [rec.get(k, "") for k in RAW_HEADER]


def test_epa_list_file_is_converted_exactly(tmp_path, sample_file):
    """One of EPA's own list files gives the same rows, inputs and predictions as the
    validation-format file made from it; records that are not BEV charge-depleting UDDS or
    highway results are left out: a plug-in hybrid tested on electricity (it has cylinders), a
    gasoline test, a 20 degF FTP and a record without a result."""
    with open(sample_file, newline="") as fh:
        rows = list(csv.DictReader(fh))
    recs = [_raw_record(r) for r in rows]
    extra = [_raw_record(rows[0], **{"# of Cylinders and Rotors": "4"}),
             _raw_record(rows[0], **{"Test Fuel Type Description": "Tier 2 Cert Gasoline"}),
             _raw_record(rows[0], **{"Test Procedure Description": "Charge Depleting 20 Degree F FTP"}),
             _raw_record(rows[0], RND_ADJ_FE="")]
    raw = _write(tmp_path / "22-tstcar.csv", RAW_HEADER, [recs[0], *extra, *recs[1:]])
    converted, skipped = V.convert_epa_test_car_list(raw)
    assert [line for line, _ in converted] == [2, 7, 8, 9]
    assert skipped == {"not a BEV record": 2, "not a charge-depleting UDDS or highway test": 1,
                       "no measured fuel economy": 1}
    a = V.validate_epa_testcar(sample_file).rows
    b = V.validate_epa_testcar(raw).rows
    for col in ("make", "model", "cycle", "rated_hp", "test_mass_kg", V.MEASURED_COLUMN,
                "predicted_wh_per_km_ac"):
        np.testing.assert_array_equal(a[col].to_numpy(), b[col].to_numpy(), err_msg=col)
    assert list(b["line"]) == [2, 7, 8, 9]           # lines of the list file
    out = tmp_path / "extract.csv"
    assert V.write_epa_extract(raw, out) == (4, 4)
    same = V.read_epa_testcar(out)
    np.testing.assert_array_equal(same[V.MEASURED_COLUMN], V.read_epa_testcar(sample_file)[V.MEASURED_COLUMN])
    # --exclude leaves out the rows of another file: the sample itself -> nothing left
    out2 = tmp_path / "holdout.csv"
    assert V.write_epa_extract(raw, out2, exclude=sample_file) == (4, 0)


def test_epa_list_kwh_unit_and_errors(tmp_path, sample_file):
    """FE_UNIT in kWh/100 mi is converted (20 kWh/100 mi = 168.5 MPGe: 33.705 / 0.2); a list
    without a BEV test, and an extract over an existing file, are clear errors."""
    with open(sample_file, newline="") as fh:
        row = next(csv.DictReader(fh))
    out, why = V.epa_list_record(dict(zip(RAW_HEADER, _raw_record(row, RND_ADJ_FE="20", FE_UNIT="kWh/100mi"))))
    assert why == "" and float(out[V.EPA_FORMAT_COLUMNS.index("measured_mpge_unadjusted")]) == pytest.approx(168.525, abs=0.006)
    assert float(out[-1]) == pytest.approx(200.0 / 1.609344, abs=0.005)
    empty = _write(tmp_path / "none.csv", RAW_HEADER, [_raw_record(row, **{"# of Cylinders and Rotors": "4"})])
    with pytest.raises(SpecError, match="no battery-electric"):
        V.read_epa_testcar(empty)
    target = tmp_path / "kept.csv"
    target.write_text("precious\n")
    with pytest.raises(SpecError, match="not overwritten"):
        V.write_epa_extract(empty, target)
    assert target.read_text() == "precious\n"


def test_cli_epa_extract(tmp_path, sample_file):
    from skateboard.cli.validate import validate_app

    with open(sample_file, newline="") as fh:
        rows = list(csv.DictReader(fh))
    raw = _write(tmp_path / "list.csv", RAW_HEADER, [_raw_record(r) for r in rows])
    out = tmp_path / "bev.csv"
    r = CliRunner().invoke(validate_app, ["epa-extract", str(raw), str(out)])
    assert r.exit_code == 0, r.output
    assert "4 BEV charge-depleting tests" in r.output and len(pd.read_csv(out)) == 4
    r = CliRunner().invoke(validate_app, ["epa-extract", str(raw), str(out)])
    assert isinstance(r.exception, SpecError) and "not overwritten" in str(r.exception)


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
    assert obj["fitted_parameters"] == ["charger_efficiency", "no_load_loss_scale", "copper_loss_scale",
                                        "induction_loss_scale", "sic_loss_scale"]


def test_cli_epa_testcar(tmp_path, sample_file):
    from skateboard.cli.validate import validate_app

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
                      induction_scales=(2.0,), sic_scales=(0.7,), charger_bounds=(0.0, 1.0))
    assert len(res.grid) == 1 and res.grid["admissible"].all()
    assert abs(res.summary["bias_percent"]) < 1e-9
    check = V.validate_epa_testcar(sample_file, defaults=res.defaults)
    assert abs(check.summary["bias_percent"]) < 1e-9
    assert check.summary["mape_percent"] == pytest.approx(res.summary["mape_percent"], rel=1e-9)


def test_calibration_keeps_the_charger_efficiency_plausible(sample_file):
    """Outside CHARGER_EFFICIENCY_BOUNDS a grid point is not admissible; with no admissible
    point the efficiency is clipped to the bounds."""
    free = V.calibrate(sample_file, no_load_scales=(0.2,), copper_scales=(5.0,),
                       induction_scales=(2.0,), sic_scales=(0.7,),
                       charger_bounds=(0.0, 1.0)).defaults.charger_efficiency
    lo, hi = free + 0.01, free + 0.02
    res = V.calibrate(sample_file, no_load_scales=(0.2,), copper_scales=(5.0,),
                      induction_scales=(2.0,), sic_scales=(0.7,), charger_bounds=(lo, hi))
    assert not res.grid["admissible"].any()
    assert res.defaults.charger_efficiency == pytest.approx(lo)
    assert res.summary["bias_percent"] < 0       # a better charger than zero bias wants


def test_the_shipped_defaults_are_what_calibrate_fits():
    """calibrate() on the bundled file (its default grid: the technology scales, the generic
    scales held) returns the spec layer's induction and SiC scales and, rounded to three
    decimals, its charger efficiency (docs/accuracy.md, "Drive-unit technology")."""
    from skateboard.spec import defaults as D

    res = V.calibrate()
    assert len(res.grid) == len(V.CALIBRATION_INDUCTION_SCALES) * len(V.CALIBRATION_SIC_SCALES)
    d = res.defaults
    assert (d.induction_loss_scale, d.sic_loss_scale) == (D.INDUCTION_LOSS_SCALE, D.SIC_LOSS_SCALE)
    assert round(d.charger_efficiency, 3) == D.CHARGER_EFFICIENCY
    assert res.summary["mape_percent"] == pytest.approx(5.40, abs=0.05)


# --- published figures ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def published():
    return V.validate_published().set_index(["vehicle", "quantity"])


def test_published_b10_and_c10_wltp_against_their_goal(published):
    """B10 WLTP: 434 km (67.1 kWh), 361 km (56.2 kWh), 14.9 / 17.3 kWh/100 km; C10 BEV 420 km
    (km77; docs/sources.md). The project's tolerance is +/-5 % (published.toml). With the road
    load's speed term fitted on EPA coast-downs (2026-12-04) four of the five are within it and
    the 56.2 kWh B10 is 5.3 % long (7-16 % before, without the term); a change that moves any
    of them past these bounds fails."""
    bounds = {("leapmotor-b10 [67kwh]", "range_km"): 5.0, ("leapmotor-b10 [56kwh]", "range_km"): 6.0,
              ("leapmotor-b10 [67kwh]", "consumption_wh_per_km"): 5.0,
              ("leapmotor-b10 [67kwh]", "consumption_ac_wh_per_km"): 5.0,
              ("leapmotor-c10 [70kwh]", "range_km"): 5.0}
    for key, bound in bounds.items():
        r = published.loc[key]
        assert r["tolerance_percent"] == 5.0
        assert abs(r["error_percent"]) <= bound, (key, r["predicted"], r["published"])
    assert not published.loc[("leapmotor-b10 [56kwh]", "range_km")]["within_tolerance"]
    assert published.loc[("leapmotor-c10 [70kwh]", "range_km")]["published"] == 420.0


def test_published_c10_electric_range_within_10_percent(published):
    r = published.loc[("leapmotor-c10-reev [28kwh]", "electric_range_km")]
    assert r["published"] == 145.0 and r["tolerance_percent"] == 10.0
    assert abs(r["error_percent"]) <= 10.0, r["predicted"]


def test_published_rows_carry_sources(published):
    assert published["source"].str.len().min() > 10
    info = published[published["tolerance_percent"].isna()]
    assert len(info) == 2 and info["within_tolerance"].isna().all()
