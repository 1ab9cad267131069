"""China's procedure details (GB/T 18386.1-2021, GB 27999-2019 4.1.2) and the `validate cltc` /
`validate climate` scoring of the bundled published-figure files."""

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import synthetic as syn

from skateboard.cycles import load_cycle
from skateboard.engine.batch import AIR_DENSITY_WLTP, GRAVITY
from skateboard.procedures import cltc, common, real_world, wltp
from skateboard.spec.fuels import load_fuel
from skateboard.validation.climate import CLIMATE_FILE, validate_climate
from skateboard.validation.cltc import BUNDLED, CLTC_FILE, validate_cltc
from skateboard.validation.spec_sheet import (
    DEFAULT_DRAG_COEFFICIENT,
    missing_inputs,
    spec_sheet_variant,
)

from clirun import run_cli as _cli
ROOT = Path(__file__).resolve().parents[1]
NO_FADE = (0.0, 1e-9)


def _rows(path, keep):
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        return reader.fieldnames, [r for r in reader if keep(r)]


def _write(tmp_path, name, fields, rows):
    out = tmp_path / name
    with open(out, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)
    return out


# --- the procedure against the standards' text ----------------------------------------------

def test_cltc_test_temperature_is_23_degc():
    # GB/T 18386.1-2021 4.1.1: "The test room temperature shall be set to 23 degC"
    assert cltc.TEST_TEMPERATURE_K == pytest.approx(273.15 + 23.0)
    v = syn.variant(pack=syn.pack(usable_energy=20 * syn.KWH, gross_energy=21 * syn.KWH))
    default = cltc.run([v])
    at_23 = cltc.run([v], battery_temperature=296.15)
    at_35 = cltc.run([v], battery_temperature=308.15)
    assert default["range_km"][0] == at_23["range_km"][0]
    assert default["range_km"][0] != at_35["range_km"][0]   # the temperature reaches the pack


def test_china_test_mass_is_kerb_plus_100_kg_for_m1():
    # GB/T 18386-2017 4.3.1: test mass = kerb mass + additional mass, 100 kg for M1, N1 and M2
    # up to 3500 kg; the WLTP test mass of the same car is higher (MRO + 25 kg + 15 % of load)
    v = syn.variant(curb_mass=1705.0, max_gross_mass=2150.0)
    assert common.china_test_mass(v)[0] == 1805.0
    assert cltc.run([v])["test_mass_kg"][0] == 1805.0
    assert common.wltp_test_mass(v)[0] > 1805.0


def _lossless_erev():
    # the engine runs only at its rated output (the operating-point strategy with all levels at
    # max power), where the generator's efficiency is the spec's 0.94 exactly
    # (skateboard.physics.range_extender: losses along the line); a charge limit that never
    # binds, so the engine's committed output never cuts regeneration
    from skateboard.spec.variant import EnergyManagement

    ideal = dict(gearbox_efficiency=1.0, loss_coefficients=(0.0, 0.0, 0.0, 0.0))
    flat = (0.35,) * 7
    rex = syn.range_extender(engine_efficiency=flat, idle_fuel_power=0.0, generator_efficiency=0.94)
    em = EnergyManagement("operating_point", 0.20, 0.18, 0.25, best_efficiency_power=rex.max_power,
                          min_power=rex.max_power)
    return syn.erev("operating_point",
                    drive_units=(syn.drive_unit(**ideal), syn.drive_unit(name="front", axle="front", **ideal)),
                    pack=syn.pack(usable_energy=28 * syn.KWH, gross_energy=29.5 * syn.KWH, resistance=1e-9,
                                  max_discharge_power=150e3, max_charge_power=400e3),
                    range_extender=rex, energy_management=em, aux_power=0.0, charger_efficiency=1.0)


def _road_work_per_m(v, cycle, tm):
    s = cycle.speed
    vbar = 0.5 * (s[1:] + s[:-1])
    f0 = v.rolling_resistance_coefficient * tm * GRAVITY
    f2 = 0.5 * AIR_DENSITY_WLTP * v.drag_coefficient * v.frontal_area
    return np.sum(np.where(vbar > 0, f0, 0.0) * vbar + f2 * vbar**3) / np.sum(vbar)


def test_china_erev_cs_fuel_on_wltc_by_hand():
    # GB 27999-2019 4.1.2: the fuel consumption of OVC hybrids per GB/T 19753 on the WLTC.
    # Lossless drive, battery and auxiliaries, engine at a flat 35 % and generator 94 %: the
    # SOC-corrected CS fuel is the road-load work per metre on WLTC 3b at the WLTP test mass
    # / (0.35 x 0.94) / the fuel's lower heating value. China's CN92 reference fuel.
    v = _lossless_erev()
    fuel = load_fuel("CN92")
    df = cltc.run([v], fuel=fuel, regen_fade=NO_FADE)
    tm_wltp = common.wltp_test_mass(v)[0]
    kg_per_m = _road_work_per_m(v, load_cycle("wltc_class3b"), tm_wltp) / (0.35 * 0.94) / fuel.lower_heating_value
    l_per_100km = kg_per_m / fuel.density * 1000.0 * 1e5
    assert df["fuel_cs_l_per_100km"][0] == pytest.approx(l_per_100km, rel=2e-3)
    # no weighting in China (GB/T 19753's utility factor is not implemented): left empty
    assert np.isnan(df["fuel_weighted_l_per_100km"][0]) and np.isnan(df["co2_weighted_g_per_km"][0])
    assert df["cs_test_mass_kg"][0] == tm_wltp
    # the CLTC CS figure is kept for information, by the same hand rule at the China test mass
    tm_cn = common.china_test_mass(v)[0]
    kg_cltc = _road_work_per_m(v, load_cycle("cltc_p"), tm_cn) / (0.35 * 0.94) / fuel.lower_heating_value
    assert df["fuel_cs_cltc_l_per_100km"][0] == pytest.approx(kg_cltc / fuel.density * 1e8, rel=2e-3)
    # CS CO2 = fuel x the fuel's CO2 per litre
    assert df["co2_cs_g_per_km"][0] == pytest.approx(df["fuel_cs_l_per_100km"][0] / 100.0 * fuel.co2_per_volume,
                                                  rel=1e-9)
    assert df["energy_audit_residual"][0] < 1e-9


def test_china_erev_reports_cltc_pure_electric_range():
    # Makers publish the pure-electric range on CLTC beside the WLTC one (docs/china_procedures.md);
    # CLTC-P is slower than WLTC, so its pure-electric range is the longer one.
    v = syn.erev("load_following")
    df = cltc.run([v])
    assert df["electric_range_km"][0] == df["all_electric_range_km"][0]
    assert df["electric_range_km"][0] > df["wltc_all_electric_range_km"][0]
    assert df["method"][0] == "EREV: CD on CLTC-P, CS on WLTC"
    # combined range = pure-electric range + tank / CS fuel on CLTC-P
    tank_l = v.range_extender.fuel_tank_volume * 1000.0
    assert df["range_km"][0] == pytest.approx(df["electric_range_km"][0]
                                              + tank_l / df["fuel_cs_cltc_l_per_100km"][0] * 100.0)


# --- spec-sheet vehicles -----------------------------------------------------------------------

def test_spec_sheet_defaults_by_hand():
    row = {"make": "X", "model": "Y", "version": "", "curb_mass_kg": "1850", "width_mm": "1836",
           "height_mm": "1572", "battery_gross_kwh": "66", "battery_usable_kwh": "",
           "chemistry": "li-ion", "motor_front_kw": "", "motor_rear_kw": "200", "cd": ""}
    v = spec_sheet_variant(row, "y")
    assert v.frontal_area == pytest.approx(1.836 * 1.572 * 0.85)   # docs/spec.md: width x height x 0.85
    assert v.drag_coefficient == DEFAULT_DRAG_COEFFICIENT
    assert v.pack.usable_energy == pytest.approx(66 * 0.95 * 3.6e6)  # usable = gross x 0.95
    assert v.pack.chemistry == "NMC"
    assert v.max_gross_mass == 1850 + 5 * 75 + 70
    assert [u.axle for u in v.drive_units] == ["rear"] and v.drive_units[0].peak_power == 200e3
    assert missing_inputs({**row, "curb_mass_kg": ""}) == ["curb_mass_kg"]


def test_spec_sheet_rows_get_the_side_tables_drive_technology():
    """A spec-sheet car gets the motor type and inverter of its row in drive_technology.csv, the
    side table the EPA validation reads (one model): the BYD Seal AWD's induction front unit
    (the 2022 MIIT filing) and the Zeekr 7X's SiC rear inverter; a two-motor row whose name does
    not say AWD still matches an AWD pattern; an unlisted car is generic."""
    from skateboard.spec.defaults import calibrated_loss_coefficients

    base = {"curb_mass_kg": "2150", "width_mm": "1875", "height_mm": "1460", "battery_gross_kwh": "82.5",
            "battery_usable_kwh": "", "chemistry": "LFP", "cd": "0.219"}
    seal = spec_sheet_variant({**base, "make": "BYD", "model": "Seal", "version": "",
                               "motor_front_kw": "160", "motor_rear_kw": "230"}, "s")
    units = {u.axle: u for u in seal.drive_units}
    assert (units["front"].motor_type, units["rear"].motor_type) == ("induction", "pmsm")
    assert units["front"].loss_coefficients == calibrated_loss_coefficients(
        160e3, units["front"].peak_torque, units["front"].max_speed, motor_type="induction", inverter="si")
    zeekr = spec_sheet_variant({**base, "make": "Zeekr", "model": "7X", "version": "base",
                                "motor_front_kw": "", "motor_rear_kw": "310"}, "z")
    assert zeekr.drive_units[0].inverter == "sic"
    generic = spec_sheet_variant({**base, "make": "X", "model": "Y", "version": "",
                                  "motor_front_kw": "160", "motor_rear_kw": "230"}, "g")
    assert {(u.motor_type, u.inverter) for u in generic.drive_units} == {("pmsm", "si")}
    assert generic.options["technology"] == "generic" and seal.options["technology"].startswith("^byd")


# --- validate cltc ------------------------------------------------------------------------------

def test_validate_cltc_bundled_and_spec_sheet_rows(tmp_path):
    fields, rows = _rows(CLTC_FILE, lambda r: (r["model"], r["version"]) in {
        ("B10", "2025 67.1 kWh"), ("X", "base"), ("C16", "2024 67.7 kWh")})
    assert len(rows) == 3
    res = validate_cltc(_write(tmp_path, "c.csv", fields, rows))
    assert list(res.skipped["model"]) == ["C16"]
    assert "missing curb_mass_kg" in res.skipped["reason"][0]
    b10 = res.rows[res.rows["model"] == "B10"].iloc[0]
    assert b10["built_from"] == "bundled leapmotor-b10"
    assert b10["published_cltc_km"] == 600 and b10["published_wltp_km"] == 434
    # the bundled car through the same path as `validate published`
    from skateboard.validation.published import _variant_with_pack
    v = _variant_with_pack(*BUNDLED[("Leapmotor", "B10", "2025 67.1 kWh")])
    assert b10["predicted_cltc_km"] == pytest.approx(cltc.run([v])["range_km"][0], rel=1e-12)
    assert b10["predicted_wltp_km"] == pytest.approx(wltp.run([v])["range_km"][0], rel=1e-12)
    for _, r in res.rows.iterrows():
        assert r["cltc_error_percent"] == pytest.approx((r["predicted_cltc_km"] / r["published_cltc_km"] - 1) * 100)
        assert r["predicted_ratio"] == pytest.approx(r["predicted_cltc_km"] / r["predicted_wltp_km"])
        # CLTC-P is slower than WLTC: every car's CLTC range exceeds its WLTP range
        assert 1.0 < r["predicted_ratio"] < 1.5
    assert res.summary["cltc"]["n"] == 2 and res.summary["ratio_bundled"]["n"] == 1


def test_validate_cltc_erev_row_compares_pure_electric_ranges(tmp_path):
    fields, rows = _rows(CLTC_FILE, lambda r: (r["model"], r["version"]) == ("C10 REEV", "2024 28.4 kWh"))
    res = validate_cltc(_write(tmp_path, "e.csv", fields, rows))
    r = res.rows.iloc[0]
    assert r["published_cltc_km"] == 210 and r["published_wltp_km"] == 145   # pure-electric, EAER
    assert r["cltc_method"] == "EREV: CD on CLTC-P, CS on WLTC"


# --- validate climate ---------------------------------------------------------------------------

def test_validate_climate_ratio_by_its_rule(tmp_path):
    fields, rows = _rows(CLIMATE_FILE, lambda r: r["model"] == "C11"
                         or (r["model"] == "Dolphin" and r["curb_mass_kg"] != ""))
    res = validate_climate(_write(tmp_path, "w.csv", fields, rows))
    assert list(res.skipped["model"]) == ["C11"]          # no spec columns
    r = res.rows.iloc[0]
    assert r["ambient_c"] == pytest.approx(0.5 * (-10 + -2))   # middle of the test's range
    assert r["measured_ratio"] == pytest.approx(339.2 / 427)
    v = spec_sheet_variant(rows[[x["model"] for x in rows].index("Dolphin")], "d")
    # the drive profile is the row's: NAF's mixed public roads -> the Common Artemis cycle
    assert r["drive_cycle"] == "cadc"
    rw = real_world.run([v], ambient_c=[-6.0], heat_pump=True, cycle="cadc")["range_km"][0]
    assert r["predicted_ratio"] == pytest.approx(rw / wltp.run([v])["range_km"][0], rel=1e-12)
    assert 0.5 < r["predicted_ratio"] < 1.0     # winter costs range
    # an empty drive_cycle falls back to WLTC class 3b
    for x in rows:
        x["drive_cycle"] = ""
    r2 = validate_climate(_write(tmp_path, "w2.csv", fields, rows)).rows.iloc[0]
    rw2 = real_world.run([v], ambient_c=[-6.0], heat_pump=True)["range_km"][0]
    assert r2["drive_cycle"] == "wltc_class3b"
    assert r2["predicted_ratio"] == pytest.approx(rw2 / wltp.run([v])["range_km"][0], rel=1e-12)
    # the faster mixed profile costs more range in winter than WLTC (more aero per km)
    assert r["predicted_ratio"] < r2["predicted_ratio"]


# --- the commands -------------------------------------------------------------------------------



def test_cli_validate_cltc_and_climate_json(tmp_path):
    fields, rows = _rows(CLTC_FILE, lambda r: (r["model"], r["version"]) == ("X", "base"))
    r = _cli("validate", "cltc", str(_write(tmp_path, "c.csv", fields, rows)), "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["summary"]["cltc"]["n"] == 1 and len(out["rows"]) == 1
    assert out["rows"][0]["published_cltc_km"] == 560
    fields, rows = _rows(CLIMATE_FILE, lambda r: r["model"] == "Dolphin" and r["curb_mass_kg"] != ""
                         and r["test"].startswith("NAF"))
    r = _cli("validate", "climate", str(_write(tmp_path, "w.csv", fields, rows)), "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["summary"]["n"] == 1


@pytest.mark.parametrize("cmd", ["cltc", "climate"])
def test_cli_validate_bad_file_one_line_exit_2(tmp_path, cmd):
    r = _cli("validate", cmd, str(tmp_path / "absent.csv"))
    assert r.returncode == 2
    assert "file not found" in r.stderr and "Traceback" not in r.stderr
    bad = tmp_path / "bad.csv"
    bad.write_text("make,model\nA,B\n")
    r = _cli("validate", cmd, str(bad))
    assert r.returncode == 2 and "missing required column" in r.stderr
