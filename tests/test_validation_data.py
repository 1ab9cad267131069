"""Structure of the sourced validation files of issues #15 and #21 (not model accuracy).

erev_published.csv, climate_range_tests.csv and cltc_published.csv: required columns present,
every row has a source, numbers are numbers in plausible physical ranges, and a few published
figures (cited in the files and in PROVENANCE.md) are checked verbatim so that an edit that
corrupts them fails.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "src" / "skateboard" / "data" / "validation"

SPEC_COLUMNS = ["curb_mass_kg", "cd", "frontal_area_m2", "width_mm", "height_mm",
                "battery_gross_kwh", "battery_usable_kwh", "chemistry", "motor_front_kw", "motor_rear_kw"]

# column -> (low, high): plausible physical bounds for a passenger car (assumption, generous)
BOUNDS = {
    "electric_range_km": (10, 800), "cltc_electric_range_km": (10, 800), "wltc_electric_range_km": (10, 800),
    "cs_fuel_l_per_100km": (2, 15), "wltc_cs_fuel_l_per_100km": (2, 15),
    "weighted_fuel_l_per_100km": (0.1, 10), "weighted_co2_g_per_km": (1, 250),
    "electric_consumption_kwh_per_100km": (8, 40), "cltc_consumption_kwh_per_100km": (8, 40),
    "rated_consumption_kwh_per_100km": (8, 40), "measured_consumption_kwh_per_100km": (8, 45),
    "wltp_consumption_kwh_per_100km": (8, 40),
    "total_range_km": (100, 1600), "cltc_range_km": (150, 1600), "rated_range_km": (150, 1100),
    "measured_range_km": (100, 1100), "wltp_range_km": (50, 1100),
    "curb_mass_kg": (800, 3500), "test_mass_kg": (900, 3600), "cd": (0.15, 0.5), "frontal_area_m2": (1.5, 4.0),
    "width_mm": (1400, 2200), "height_mm": (1200, 2100), "battery_gross_kwh": (0.5, 200),
    "battery_usable_kwh": (0.5, 200), "motor_front_kw": (20, 600), "motor_rear_kw": (20, 600),
    "engine_displacement_l": (0.3, 3.0), "engine_kw": (15, 200), "generator_kw": (15, 250), "tank_l": (5, 80),
    "ambient_min_c": (-45, 50), "ambient_max_c": (-45, 50),
}

FILES = {
    "erev_published.csv": ["make", "model", "version", "market", "procedure", "electric_range_km",
                           "cs_fuel_l_per_100km", "weighted_fuel_l_per_100km", "weighted_co2_g_per_km",
                           "engine_displacement_l", "engine_kw", "generator_kw", "tank_l", "source", "notes"] + SPEC_COLUMNS,
    "climate_range_tests.csv": ["test", "test_date", "ambient_min_c", "ambient_max_c", "make", "model",
                                "rated_procedure", "rated_range_km", "measured_range_km", "heat_pump",
                                "built_in_china", "source", "notes"] + SPEC_COLUMNS,
    "cltc_published.csv": ["make", "model", "version", "powertrain", "cltc_range_km", "cltc_electric_range_km",
                           "cltc_consumption_kwh_per_100km", "wltp_range_km", "source", "notes"] + SPEC_COLUMNS,
}

MIN_ROWS = {"erev_published.csv": 8, "climate_range_tests.csv": 20, "cltc_published.csv": 15}


def load(name: str) -> list[dict[str, str]]:
    with open(DATA / name, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize("name", sorted(FILES))
def test_required_columns_and_rows(name):
    rows = load(name)
    assert len(rows) >= MIN_ROWS[name]
    missing = [c for c in FILES[name] if c not in rows[0]]
    assert missing == []


@pytest.mark.parametrize("name", sorted(FILES))
def test_every_row_has_a_source_and_an_identity(name):
    for i, row in enumerate(load(name)):
        assert len(row["source"].strip()) > 10, (name, i)
        assert row["make"].strip() and row["model"].strip(), (name, i)


@pytest.mark.parametrize("name", sorted(FILES))
def test_numbers_are_numbers_in_plausible_ranges(name):
    for i, row in enumerate(load(name)):
        for col, (lo, hi) in BOUNDS.items():
            text = row.get(col, "")
            if text is None or text.strip() == "":
                continue
            value = float(text)  # a non-number fails here
            assert lo <= value <= hi, (name, i, col, value)


def test_climate_rows_are_usable_ratios():
    rows = load("climate_range_tests.csv")
    usable = [r for r in rows if r["rated_range_km"] and r["measured_range_km"] and r["ambient_max_c"]]
    wltp_cars = {(r["make"], r["model"]) for r in usable if r["rated_procedure"] == "WLTP"}
    assert len(wltp_cars) >= 20
    assert any(r["built_in_china"] == "yes" for r in usable)
    for r in usable:
        ratio = float(r["measured_range_km"]) / float(r["rated_range_km"])
        assert 0.3 < ratio < 1.3, r  # winter losses to summer gains, NAF's extremes lie inside
        if r["ambient_min_c"]:
            assert float(r["ambient_min_c"]) <= float(r["ambient_max_c"])


def test_erev_rows_name_a_known_procedure_and_cover_eight_cars():
    rows = load("erev_published.csv")
    assert all(r["procedure"].split()[0] in {"WLTP", "CLTC", "WLTC", "EPA", "NEDC"} for r in rows)
    assert len({(r["make"], r["model"], r["version"]) for r in rows}) >= 8
    # a plug-in row has an electric range or a weighted figure; a series hybrid has CS fuel
    for r in rows:
        assert r["electric_range_km"] or r["cs_fuel_l_per_100km"] or r["weighted_fuel_l_per_100km"], r


def test_published_figures_as_cited():
    """Figures quoted in PROVENANCE.md / docs/china_procedures.md, from their sources."""
    erev = {(r["model"], r["version"], r["procedure"].split()[0]): r for r in load("erev_published.csv")}
    c10 = erev[("C10 REEV", "290 (38.7 kWh)", "WLTC")]
    assert float(c10["cs_fuel_l_per_100km"]) == 5.84 and float(c10["electric_range_km"]) == 190
    assert float(erev[("C10 REEV", "290 (38.7 kWh)", "CLTC")]["electric_range_km"]) == 290
    eu = erev[("C10 REEV", "EU 28.4 kWh", "WLTP")]
    assert float(eu["electric_range_km"]) == 145 and float(eu["weighted_co2_g_per_km"]) == 10
    cltc = {(r["model"], r["version"]): r for r in load("cltc_published.csv")}
    assert float(cltc[("B10", "610")]["cltc_range_km"]) == 610
    assert float(cltc[("B10", "610")]["battery_gross_kwh"]) == 69.7
    seal = cltc[("Seal", "RWD 82.5 kWh")]
    assert float(seal["cltc_range_km"]) / float(seal["wltp_range_km"]) == pytest.approx(700 / 570)
    naf = [r for r in load("climate_range_tests.csv")
           if r["test"] == "NAF/Motor El Prix winter 2026" and r["model"] == "Inster"]
    assert [(float(r["rated_range_km"]), float(r["measured_range_km"])) for r in naf] == [(360.0, 256.0)]


@pytest.mark.parametrize("name", ["climate_range_tests.csv", "cltc_published.csv"])
def test_heat_pump_and_china_flags_use_a_small_vocabulary(name):
    for row in load(name):
        assert row["heat_pump"] in {"", "yes", "no", "no (not listed)"}, row["heat_pump"]
        if "built_in_china" in row:
            assert row["built_in_china"] in {"", "yes"}


def test_b10_cltc_over_wltp_for_the_same_packs():
    """Leapmotor B10 2025: CLTC 510/600 km (China) vs WLTP 361/434 km (EU), same 56.2/67.1 kWh packs."""
    b10 = {r["version"]: r for r in load("cltc_published.csv") if r["model"] == "B10" and r["wltp_range_km"]}
    ratios = sorted(float(r["cltc_range_km"]) / float(r["wltp_range_km"]) for r in b10.values())
    assert ratios == pytest.approx([600 / 434, 510 / 361])
    assert {float(r["battery_gross_kwh"]) for r in b10.values()} == {56.2, 67.1}


def test_climate_spec_rows_say_how_their_version_was_chosen():
    for row in load("climate_range_tests.csv"):
        has_specs = bool(row["curb_mass_kg"] or row["battery_gross_kwh"] or row["battery_usable_kwh"])
        assert row["spec_match"] in {"", "exact", "nearest"}
        if row["spec_match"] == "nearest":
            assert "possibly not the tested version" in row["notes"]
        if row["spec_match"]:
            assert has_specs


def test_climate_rows_name_a_bundled_drive_cycle_one_per_test():
    from skateboard.cycles import list_cycles

    per_test: dict = {}
    for row in load("climate_range_tests.csv"):
        assert row["drive_cycle"] in set(list_cycles()) | {""}
        per_test.setdefault(row["test"], set()).add(row["drive_cycle"])
    # the profile belongs to the test (its route), never to a car
    assert all(len(v) == 1 for v in per_test.values()), per_test


def test_cltc_defects_name_their_source_and_are_not_scored(tmp_path):
    from skateboard.validation.cltc import CLTC_FILE, validate_cltc

    defects = [r for r in load("cltc_published.csv") if r["defect"].strip()]
    import re
    # each defect names the source that shows it (a web address)
    assert defects and all(re.search(r"\b[\w-]+\.(com|de|net|org|cn)\b", r["defect"]) for r in defects)
    # a defect row alone: not scored, with the defect as the reason
    import csv
    with open(CLTC_FILE, encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        fields = reader.fieldnames
        rows = [r for r in reader if r["defect"].strip()]
    path = tmp_path / "d.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)
    res = validate_cltc(path)
    assert len(res.rows) == 0
    assert res.skipped["reason"].str.startswith("record defect: versions mixed").all()
