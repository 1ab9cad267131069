"""Drive-unit technology (issue #15 §3): the sourced side table of the EPA test cars, the spec's
``motor_type``/``inverter`` inputs, and the technology scales of the calibrated loss rule."""

from __future__ import annotations

import csv

import pytest

from skateboard import validation as V
from skateboard.errors import SpecError
from skateboard.spec import defaults as D
from skateboard.validation.technology import (
    GENERIC,
    TECHNOLOGY_FILE,
    load_technology,
    technology_of,
)

EPA_FILES = ("epa_2022_bev_calibration.csv", "epa_2022_bev_holdout.csv", "epa_2017_2019_bev.csv")


def _records():
    out = []
    for name in EPA_FILES:
        table = V.read_epa_testcar(V.EPA_TESTCAR_FILE.parent / name)
        out += list(zip(table["make"], table["model"], table["drive"]))
    return out


def _spec_sheet_names():
    """The "make model version" text of every spec-sheet row of the published-figure files, as
    spec_sheet_variant matches it (spec_sheet.technology_key)."""
    from skateboard.validation.spec_sheet import technology_key

    out = []
    for name in ("cltc_published.csv", "climate_range_tests.csv", "erev_published.csv"):
        with open(V.EPA_TESTCAR_FILE.parent / name, newline="", encoding="utf-8") as fh:
            out += [" ".join(technology_key(r)) for r in csv.DictReader(fh)]
    return out


def test_every_row_is_sourced_and_used():
    """One row per model family, each with public sources and the quoted words, and each
    matching at least one record of the bundled EPA files or one spec-sheet row of the
    published-figure files (no dead rows)."""
    with open(TECHNOLOGY_FILE, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(load_technology()) >= 8
    names = [f"{m} {mo}" for m, mo, _ in _records()] + _spec_sheet_names()
    for row, (pattern, _) in zip(rows, load_technology()):
        assert all(u.strip().startswith("http") for u in row["sources"].split(";")), row["pattern"]
        assert len(row["quotes"]) > 40, row["pattern"]
        assert any(pattern.search(n) for n in names), row["pattern"]


@pytest.mark.parametrize("make, model, expected", [
    # (front motor, rear motor, front inverter, rear inverter, front disconnect)
    ("AUDI", "e-tron S", ("induction", "induction", "si", "si", False)),
    ("AUDI", "e-tron GT", ("pmsm", "pmsm", "si", "si", False)),      # not the e-tron row
    ("Audi", "Q4 e-tron 50", ("induction", "pmsm", "si", "si", False)),
    ("Volkswagen", "ID.4 AWD Pro S", ("induction", "pmsm", "si", "si", False)),
    ("Volkswagen", "ID.4 Pro", ("pmsm", "pmsm", "si", "si", False)),  # rear-wheel drive: generic
    ("Tesla", "Model Y Long Range AWD", ("induction", "pmsm", "sic", "sic", False)),
    ("Tesla", "Model 3 RWD", ("pmsm", "pmsm", "si", "sic", False)),
    ("Hyundai", "Ioniq 5", ("pmsm", "pmsm", "si", "sic", True)),
    ("BMW", "iX xDrive50 (21\" Wheels)", ("eesm", "eesm", "si", "si", False)),
    ("NISSAN", "LEAF", ("pmsm", "pmsm", "si", "si", False)),          # sourced, and generic
    ("Kia", "Niro Electric", ("pmsm", "pmsm", "si", "si", False)),    # no row: generic
])
def test_lookup_of_a_record(make, model, expected):
    t = technology_of(make, model)
    assert (t.front_motor, t.rear_motor, t.front_inverter, t.rear_inverter, t.front_disconnect) == expected
    if model in ("LEAF", "Niro Electric", "e-tron GT", "ID.4 Pro"):
        # generic technology: confirmed by a sourced row (Leaf; the e-tron GT and the rear-drive
        # ID.4 since 2026-12-04), or no row at all (generic by assumption: Niro)
        assert (t == GENERIC) == (model == "Niro Electric")


def test_a_bad_side_table_is_one_clear_error(tmp_path):
    path = tmp_path / "tech.csv"
    path.write_text("pattern,front_motor,rear_motor,front_inverter,rear_inverter,front_disconnect,sources,quotes\n"
                    "leaf,pmsm,reluctance,si,si,no,https://example.org,words\n")
    with pytest.raises(SpecError) as err:
        load_technology(path)
    msg = err.value.one_line()
    assert "tech.csv" in msg and "rear_motor" in msg and "line 2" in msg and "reluctance" in msg
    path.write_text("pattern,front_motor,rear_motor,front_inverter,rear_inverter,front_disconnect,sources,quotes\n"
                    "leaf,pmsm,pmsm,si,si,no,,words\n")
    with pytest.raises(SpecError, match="sources"):
        load_technology(path)


def test_epa_vehicle_gets_its_technology():
    """An Audi e-tron (two induction machines) gets twice the generic losses on both units and
    no zero-torque loss; with technology off it is the generic vehicle."""
    rows = V.read_epa_testcar(V.EPA_TESTCAR_FILE)
    row = rows[rows["model"].str.contains("e-tron 55")].iloc[0].to_dict()
    audi = V.epa_variant(row)
    generic = V.epa_variant(row, V.CALIBRATED.replace(technology=False))
    for du, g in zip(audi.drive_units, generic.drive_units):
        assert du.motor_type == "induction" and g.motor_type == "pmsm"
        assert du.loss_coefficients == pytest.approx(
            tuple(D.INDUCTION_LOSS_SCALE * c for c in g.loss_coefficients), rel=1e-15)
        assert du.zero_torque_loss_factor == 0.0 and g.zero_torque_loss_factor == 1.0
        assert du.loss_map == "calibrated"
    assert audi.options["technology"].startswith("^audi")


def test_induction_losses_raise_the_audis_consumption():
    """The technology scale acts where it should: on the same row, the e-tron with its sourced
    induction machines needs more energy per km than the generic vehicle (UDDS and HWFET)."""
    table = V.read_epa_testcar(V.EPA_TESTCAR_FILE)
    audi = table[table["model"].str.contains("e-tron 55")].reset_index(drop=True)
    with_tech = V.predict_epa_testcar(audi)["predicted_wh_per_km_ac"].to_numpy()
    without = V.predict_epa_testcar(audi, V.CALIBRATED.replace(technology=False))["predicted_wh_per_km_ac"].to_numpy()
    assert (with_tech > 1.03 * without).all()
