"""Tests of the spec layer: TOML files -> validated models -> resolved variants.

Reference values are hand calculations (shown in comments) or figures from the bundled files'
cited sources. Error tests check that the one SpecError names the file, the field path and what
is allowed (or a close-match suggestion).
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest

from skateboard.errors import SpecError
from skateboard.physics import drive_unit
from skateboard.spec import (Program, list_derivatives, list_fuels, list_platforms, list_programs,
                             load_derivative, load_fuel, load_platform, load_program,
                             resolve_variant, usable_soc_window)
from skateboard.spec import models

KWH = 3.6e6  # J per kWh
RPM = 2 * math.pi / 60  # rad/s per rpm
DOCS = Path(__file__).resolve().parents[1] / "docs" / "spec.md"

# A small platform written for the tests (values arbitrary but plausible).
PLATFORM = """\
name = "testbed"
maker = "Test"
title = "Test platform"

[packs.big]
chemistry = "LFP"
usable_energy = "65 kWh"
gross_energy = "67.1 kWh"
nominal_voltage = "332.8 V"
max_discharge_power = "180 kW"
max_charge_power = "150 kW"

[drive_units.rear]
axle = "rear"
peak_power = "160 kW"
continuous_power = "80 kW"
peak_torque = "240 N*m"
max_speed = "16000 rpm"
gear_ratio = 10.6

[drive_units.rear_alt]
axle = "rear"
peak_power = "120 kW"
continuous_power = "60 kW"
peak_torque = "200 N*m"
max_speed = "15000 rpm"
gear_ratio = 10.0

[chassis]
wheelbase = "2735 mm"
track = "1610 mm"
max_gross_mass = "2150 kg"
max_front_axle_load = "1100 kg"
max_rear_axle_load = "1200 kg"

[wheels.18in]
size = "215/55 R18"
"""

REX = """
[range_extenders.rex]
engine_max_power = "65 kW"
fuel_tank_volume = "50 l"

[energy_management]
strategy = "thermostat"
soc_low = 0.20
soc_high = 0.30
"""

DERIVATIVE = """\
name = "testcar"
label = "Test car"
maker = "Test"
platform = "platform.toml"

[top_hat]
curb_mass = "1.7 t"
drag_coefficient = 0.29
frontal_area = "2.6 m^2"

[options]
pack = "big"
drive_units = ["rear"]
wheels = "18in"
"""


def write(tmp_path: Path, platform: str = PLATFORM, derivative: str = DERIVATIVE) -> Path:
    (tmp_path / "platform.toml").write_text(platform)
    path = tmp_path / "derivative.toml"
    path.write_text(derivative)
    return path


def spec_error(func, *args, **kwargs) -> SpecError:
    with pytest.raises(SpecError) as info:
        func(*args, **kwargs)
    return info.value


def assert_error(err: SpecError, *, file: str, field: str | None, contains: tuple[str, ...] = ()):
    text = str(err)
    assert err.file is not None and err.file.endswith(file), text
    assert file in text
    if field is not None:
        assert err.field == field, text
        assert field in text
    for piece in contains:
        assert piece in text, f"{piece!r} not in {text!r}"
    # never a pydantic chain or message behind the one line
    assert err.__cause__ is None
    assert "pydantic" not in text and "validation error" not in text.lower()


# ---------------------------------------------------------------------------------------------
# Bundled data
# ---------------------------------------------------------------------------------------------

def test_bundled_names():
    assert list_platforms() == ["b10", "c10"]
    assert list_derivatives() == ["hongqi-b10-bev", "hongqi-b10-erev", "leapmotor-b10",
                                  "leapmotor-c10", "leapmotor-c10-reev"]
    assert list_programs() == ["hongqi-on-b10"]
    assert list_fuels() == ["CN92", "E10", "E5"]


@pytest.mark.parametrize("name", ["hongqi-b10-bev", "hongqi-b10-erev", "leapmotor-b10",
                                  "leapmotor-c10", "leapmotor-c10-reev"])
def test_every_bundled_derivative_loads_and_resolves(name):
    derivative = load_derivative(name)
    assert derivative.name == name  # the file stem is the variant name
    variant = resolve_variant(derivative)
    assert variant.name == name
    assert variant.source_file.endswith(f"{name}.toml")
    # EREV exactly when a range extender is chosen, with its energy management
    assert (variant.powertrain == "EREV") == (variant.range_extender is not None)
    assert (variant.energy_management is None) == (variant.range_extender is None)
    # physical road load in all bundled derivatives
    assert variant.f0 is None and variant.drag_coefficient > 0 and variant.frontal_area > 0


@pytest.mark.parametrize("name", ["b10", "c10"])
def test_every_bundled_platform_loads(name):
    platform = load_platform(name)
    assert platform.name == name
    assert platform.packs and platform.drive_units and platform.wheels
    for pack in platform.packs.values():
        assert 0 < pack.resistance < 1.0  # derived where the file gives none
    for wheel in platform.wheels.values():
        assert 0.3 < wheel.rolling_radius < 0.4


def test_bundled_program():
    program = load_program("hongqi-on-b10")
    assert isinstance(program, Program)
    assert program.name == "hongqi-on-b10"
    assert [v.name for v in program.variants] == ["leapmotor-b10", "hongqi-b10-bev",
                                                  "hongqi-b10-erev"]
    assert program.reference_variant == "leapmotor-b10"
    # the markets of the 2025 agreement plus China and the US; each variant has targets
    assert set(program.markets) == {"eu", "uk", "australia", "new-zealand", "gulf", "china", "us"}
    assert set(program.targets) == {"leapmotor-b10", "hongqi-b10-bev", "hongqi-b10-erev"}
    assert "leapmotor-c10-reev" not in program.variant_names
    assert program.variant("hongqi-b10-erev").powertrain == "EREV"
    err = spec_error(program.variant, "hongqi-b10-ere")
    assert "did you mean 'hongqi-b10-erev'" in str(err)


def test_bundled_b10_figures():
    # source: docs/sources.md (67.1 kWh pack, 160 kW rear motor, wheelbase 2735 mm)
    v = resolve_variant("leapmotor-b10")
    assert v.pack.gross_energy == pytest.approx(67.1 * KWH)
    assert v.pack.usable_energy == pytest.approx(65.0 * KWH)  # vroom.be: 65 kWh net
    assert v.drive_units[0].peak_power == pytest.approx(160e3)
    assert v.drive_units[0].peak_torque == pytest.approx(240.0)  # e-auto.pt: 240 Nm
    assert v.wheelbase == pytest.approx(2.735)
    assert v.curb_mass == pytest.approx(1705.0)
    # frontal area estimate 1.885 m x 1.655 m x 0.85 = 2.6517 m^2
    assert v.frontal_area == pytest.approx(1.885 * 1.655 * 0.85)
    # charger efficiency from WLTP 14.9 / 17.3 kWh/100 km
    assert v.charger_efficiency == pytest.approx(0.86)


def test_bundled_c10_reev_figures():
    v = resolve_variant("leapmotor-c10-reev")
    assert v.platform == "c10"
    assert v.pack.gross_energy == pytest.approx(28.4 * KWH)  # docs/sources.md
    assert v.range_extender.fuel_tank_volume == pytest.approx(0.050)  # 50 l
    # electrical max power = 65 kW engine x 0.94 generator = 61.1 kW
    assert v.range_extender.max_power == pytest.approx(61.1e3)
    assert v.range_extender.fuel == "E10"


def test_hongqi_erev_overrides_applied():
    v = resolve_variant("hongqi-b10-erev")
    assert v.range_extender.fuel_tank_volume == pytest.approx(0.045)  # 45 l override
    em = v.energy_management
    assert (em.strategy, em.soc_low, em.soc_target, em.soc_high, em.gain) == (
        "load_following", 0.18, 0.22, 0.30, 1.0)


# ---------------------------------------------------------------------------------------------
# Units and derived defaults, by hand
# ---------------------------------------------------------------------------------------------

def test_units_parsed_through_the_loader(tmp_path):
    path = write(tmp_path)
    v = resolve_variant(path)
    # "67.1 kWh" = 67.1 * 3.6e6 J = 241.56e6 J
    assert v.pack.gross_energy == pytest.approx(241.56e6, rel=1e-12)
    # "1.7 t" = 1700 kg
    assert v.curb_mass == pytest.approx(1700.0, rel=1e-12)
    # "16000 rpm" = 16000 * 2 pi / 60 = 1675.516 rad/s
    assert v.drive_units[0].max_speed == pytest.approx(1675.5160819, rel=1e-9)
    # "2735 mm" = 2.735 m
    assert v.wheelbase == pytest.approx(2.735, rel=1e-12)


def test_derived_defaults_by_hand(tmp_path):
    v = resolve_variant(write(tmp_path))
    # pack resistance: n_s = 332.8 / 3.2 = 104 cells; Q = 67100 Wh / 332.8 V = 201.62 Ah;
    # R = 104 * 0.1 ohm Ah / 201.62 Ah = 0.051582 ohm (PyBaMM ecm: 1 mOhm for a 100 Ah cell)
    assert v.pack.resistance == pytest.approx(104 * 0.1 / (67100 / 332.8), rel=1e-9)
    assert v.pack.resistance == pytest.approx(0.051582, rel=1e-4)
    # 215/55 R18: 18 * 25.4 / 2 + 215 * 0.55 = 228.6 + 118.25 = 346.85 mm; x 0.97 = 336.44 mm
    assert v.wheel_radius == pytest.approx(0.33644, rel=1e-4)
    # rolling resistance from the wheel option's default (EU label class B upper limit)
    assert v.rolling_resistance_coefficient == pytest.approx(0.0077)
    # documented defaults
    assert v.drive_units[0].gearbox_efficiency == pytest.approx(0.97)
    assert v.drive_units[0].zero_torque_loss_factor == 1.0  # no clutch: the conservative default
    # no loss map: the calibrated rule (spec/defaults.py) for a 160 kW, 240 N m, 16000 rpm
    # unit. pmsm_generic's no-load terms (0.004, 0.015, 0.015) x 0.15 x 150/160 and its load
    # term 0.045 x 5 x (160/150)^0.75 per unit of the rule's torque 160 kW x 3 / 16000 rpm
    # = 286.48 N m, i.e. x (240 / 286.48)^2 per unit of the unit's own 240 N m (docs/spec.md)
    du = v.drive_units[0]
    assert du.peak_power == pytest.approx(160e3)
    c0, c1, c2, c3 = du.loss_coefficients
    assert c0 == pytest.approx(0.004 * 0.15 * 150 / 160, rel=1e-12)
    assert c1 == pytest.approx(0.015 * 0.15 * 150 / 160, rel=1e-12)
    assert c3 == pytest.approx(0.015 * 0.15 * 150 / 160, rel=1e-12)
    rule_torque = 160e3 * 3 / (16000 * RPM)
    assert rule_torque == pytest.approx(286.479, rel=1e-5)
    assert c2 == pytest.approx(0.045 * 5 * (160 / 150) ** 0.75 * (240 / rule_torque) ** 2, rel=1e-12)
    assert du.loss_map == "calibrated"
    assert v.aux_power == pytest.approx(300.0)
    # the calibrated charger efficiency, fitted on EPA test data (docs/accuracy.md)
    assert v.charger_efficiency == pytest.approx(0.851)
    assert v.cg_height == pytest.approx(0.6)
    assert v.front_mass_share == pytest.approx(0.5)
    assert v.rotating_inertia_fraction == pytest.approx(0.03)
    assert v.optional_equipment_mass == 0.0
    assert v.options == {"pack": "big", "drive_units": "rear", "wheels": "18in"}


def test_coast_down_form_converts_units(tmp_path):
    derivative = DERIVATIVE.replace('drag_coefficient = 0.29\nfrontal_area = "2.6 m^2"',
                                    'f0 = "150 N"\nf1 = "0.3 N/(km/h)"\nf2 = "0.03 N/(km/h)^2"')
    v = resolve_variant(write(tmp_path, derivative=derivative))
    assert v.f0 == pytest.approx(150.0)
    # 0.3 N/(km/h) = 0.3 N / (1/3.6 m/s) = 1.08 N/(m/s)
    assert v.f1 == pytest.approx(1.08, rel=1e-12)
    # 0.03 N/(km/h)^2 = 0.03 * 3.6^2 = 0.3888 N/(m/s)^2
    assert v.f2 == pytest.approx(0.3888, rel=1e-12)
    assert v.drag_coefficient is None and v.frontal_area is None
    assert v.rolling_resistance_coefficient is None


def test_physical_form_takes_the_top_hats_rolling_resistance(tmp_path):
    derivative = DERIVATIVE.replace("drag_coefficient = 0.29",
                                    "drag_coefficient = 0.29\nrolling_resistance_coefficient = '8.5 N/kN'")
    v = resolve_variant(write(tmp_path, derivative=derivative))
    assert v.rolling_resistance_coefficient == pytest.approx(0.0085)
    assert v.f0 is None and v.f1 is None and v.f2 is None


def test_range_extender_defaults_and_units(tmp_path):
    derivative = DERIVATIVE.replace('wheels = "18in"', 'wheels = "18in"\nrange_extender = "rex"')
    v = resolve_variant(write(tmp_path, PLATFORM + REX, derivative))
    rex = v.range_extender
    assert v.powertrain == "EREV"
    assert rex.max_power == pytest.approx(65e3 * 0.94)  # engine power x generator efficiency
    assert rex.fuel_tank_volume == pytest.approx(0.050)  # "50 l"
    assert rex.min_on_time == 60.0 and rex.fuel == "E10"
    assert max(rex.engine_efficiency) == pytest.approx(0.39)
    em = v.energy_management
    # thermostat: target defaults to the middle of the band
    assert (em.strategy, em.soc_low, em.soc_high, em.soc_target) == ("thermostat", 0.2, 0.3, 0.25)
    assert em.gain == 1.0


def test_range_extender_cold_start_is_read_in_units_and_listed_when_defaulted(tmp_path):
    from skateboard.spec import defaults as D

    derivative = DERIVATIVE.replace('wheels = "18in"', 'wheels = "18in"\nrange_extender = "rex"')
    v = resolve_variant(write(tmp_path, PLATFORM + REX, derivative))
    assert v.range_extender.cold_start_fuel_energy == D.COLD_START_FUEL_ENERGY
    assert "range_extenders.rex.cold_start_fuel_energy" in v.defaults
    given = REX.replace('fuel_tank_volume = "50 l"', 'fuel_tank_volume = "50 l"\ncold_start_fuel_energy = "2.5 MJ"')
    v = resolve_variant(write(tmp_path, PLATFORM + given, derivative))
    assert v.range_extender.cold_start_fuel_energy == pytest.approx(2.5e6)
    assert "range_extenders.rex.cold_start_fuel_energy" not in v.defaults
    bad = REX.replace('fuel_tank_volume = "50 l"', 'fuel_tank_volume = "50 l"\ncold_start_fuel_energy = "3 kW"')
    with pytest.raises(SpecError, match="cold_start_fuel_energy"):
        resolve_variant(write(tmp_path, PLATFORM + bad, derivative))


def test_overrides(tmp_path):
    derivative = DERIVATIVE + """
[overrides]
aux_power = "450 W"
charger_efficiency = "88 %"

[overrides.pack]
max_discharge_power = "150 kW"
"""
    v = resolve_variant(write(tmp_path, derivative=derivative))
    assert v.aux_power == pytest.approx(450.0)
    assert v.charger_efficiency == pytest.approx(0.88)
    assert v.pack.max_discharge_power == pytest.approx(150e3)
    assert v.pack.max_charge_power == pytest.approx(150e3)  # not overridden


def test_inline_loss_map_is_fitted(tmp_path):
    # An efficiency map made from known coefficients must give them back.
    coef = (0.004, 0.015, 0.045, 0.015)
    peak_power, peak_torque, max_speed = 160e3, 240.0, 16000 * RPM
    speeds_rpm = [1000, 3000, 5000, 7000, 9000, 11000, 13000, 15000]
    torques = [20, 60, 100, 140, 180, 220]
    w = np.array(speeds_rpm) * RPM
    eta = [[float(drive_unit.efficiency(s, t, peak_torque, peak_power, max_speed, coef))
            if t <= drive_unit.max_torque(s, peak_torque, peak_power, max_speed) else 0.0
            for t in torques] for s in w]
    table = ("{speed_unit = 'rpm', speed = %s, torque = %s, efficiency = %s}"
             % (speeds_rpm, torques, [[round(e, 12) for e in row] for row in eta]))
    platform = PLATFORM.replace("gear_ratio = 10.6", f"gear_ratio = 10.6\nloss_map = {table}")
    v = resolve_variant(write(tmp_path, platform))
    assert v.drive_units[0].loss_coefficients == pytest.approx(coef, abs=1e-9)


def test_fuels():
    e10 = load_fuel("E10")
    # 749.5 kg/m3 x 0.828 carbon x 44.009/12.011 = 2273.9 kg CO2/m3 (2.27 kg/l)
    assert e10.co2_per_volume == pytest.approx(749.5 * 0.828 * 44.009 / 12.011, rel=1e-6)
    assert e10.co2_per_volume == pytest.approx(2273.9, abs=0.5)
    assert e10.density == pytest.approx(749.5)  # Reg. 2017/1151 Annex IX: 743-756 kg/m3
    assert e10.lower_heating_value == pytest.approx(41.5e6)
    # docs/sources.md: petrol 2.31-2.33 kg CO2/l for E5 [check]
    assert 2310 <= load_fuel("E5").co2_per_volume <= 2330
    assert load_fuel("CN92").co2_per_volume == pytest.approx(2308.9, abs=0.5)
    err = spec_error(load_fuel, "E1O")
    assert "did you mean 'E10'" in str(err) and "CN92, E10, E5" in str(err)


# ---------------------------------------------------------------------------------------------
# Errors: files, names, syntax
# ---------------------------------------------------------------------------------------------

def test_missing_file(tmp_path):
    err = spec_error(load_platform, tmp_path / "nothere.toml")
    assert_error(err, file="nothere.toml", field=None, contains=("not found",))


def test_malformed_toml_names_the_line(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text('name = "x"\nmaker = "y"\ntitle = \n')
    err = spec_error(load_platform, path)
    assert_error(err, file="broken.toml", field=None, contains=("malformed TOML", "line 3"))


def test_unknown_bundled_names():
    err = spec_error(load_platform, "b1O")
    assert "did you mean 'b10'" in str(err) and "allowed: b10, c10" in str(err)
    err = spec_error(load_derivative, "leapmotor-b11")
    assert "did you mean 'leapmotor-b10'" in str(err) and "hongqi-b10-bev" in str(err)
    err = spec_error(load_program, "hongqi")
    assert "unknown program" in str(err) and "allowed: hongqi-on-b10" in str(err)


def test_unknown_platform_name_in_a_derivative(tmp_path):
    path = write(tmp_path, derivative=DERIVATIVE.replace('"platform.toml"', '"b1O"'))
    err = spec_error(resolve_variant, path)
    assert_error(err, file="derivative.toml", field="platform",
                 contains=("unknown platform", "did you mean 'b10'", "allowed: b10, c10"))


def test_platform_path_relative_to_the_derivative(tmp_path, monkeypatch):
    path = write(tmp_path)
    monkeypatch.chdir(Path("/"))
    assert resolve_variant(path).platform == "testbed"
    missing = write(tmp_path, derivative=DERIVATIVE.replace("platform.toml", "other/p.toml"))
    err = spec_error(resolve_variant, missing)
    assert_error(err, file="derivative.toml", field="platform", contains=("not found", "other/p.toml"))


# ---------------------------------------------------------------------------------------------
# Errors: fields
# ---------------------------------------------------------------------------------------------

def test_unknown_field_suggests_the_close_match(tmp_path):
    path = write(tmp_path, derivative=DERIVATIVE.replace("drag_coefficient", "drag_coefficent"))
    err = spec_error(resolve_variant, path)
    assert_error(err, file="derivative.toml", field="top_hat.drag_coefficent",
                 contains=("unknown field", "did you mean 'drag_coefficient'", "frontal_area"))


def test_unknown_field_deep_in_the_platform(tmp_path):
    write(tmp_path, PLATFORM.replace("max_charge_power", "max_charge_pwr"))
    err = spec_error(load_platform, tmp_path / "platform.toml")
    assert_error(err, file="platform.toml", field="packs.big.max_charge_pwr",
                 contains=("did you mean 'max_charge_power'", "allowed: chemistry"))


def test_wrong_unit_dimension(tmp_path):
    path = write(tmp_path, derivative=DERIVATIVE.replace('"1.7 t"', '"1.7 kW"'))
    err = spec_error(resolve_variant, path)
    assert_error(err, file="derivative.toml", field="top_hat.curb_mass",
                 contains=("wrong unit: expected a mass", "'1.7 kW'", "convertible to kg"))


def test_torque_written_as_Nm(tmp_path):
    # pint reads "Nm" as nanometre; a torque field reads it as newton metre
    write(tmp_path, PLATFORM.replace('"240 N*m"', '"240 Nm"'))
    assert load_platform(tmp_path / "platform.toml").drive_units["rear"].peak_torque == 240.0
    write(tmp_path, PLATFORM.replace('"240 N*m"', '"240 kW"'))
    err = spec_error(load_platform, tmp_path / "platform.toml")
    assert_error(err, file="platform.toml", field="drive_units.rear.peak_torque",
                 contains=("expected a torque",))


def test_bare_number_out_of_range_hints_at_units(tmp_path):
    write(tmp_path, PLATFORM.replace('usable_energy = "65 kWh"', "usable_energy = 65"))
    err = spec_error(load_platform, tmp_path / "platform.toml")
    assert_error(err, file="platform.toml", field="packs.big.usable_energy",
                 contains=("out of range", "bare number is read in J", "'67.1 kWh'", ">= 3.6e+06"))
    write(tmp_path, PLATFORM.replace('max_speed = "16000 rpm"', "max_speed = 16000"))
    err = spec_error(load_platform, tmp_path / "platform.toml")
    assert_error(err, file="platform.toml", field="drive_units.rear.max_speed",
                 contains=("rad/s", "'16000 rpm'", "<= 5000"))


def test_out_of_range_fraction(tmp_path):
    write(tmp_path, PLATFORM + REX.replace("soc_high = 0.30", "soc_high = 1.3"))
    err = spec_error(load_platform, tmp_path / "platform.toml")
    assert_error(err, file="platform.toml", field="energy_management.soc_high",
                 contains=("out of range", ">= 0 and <= 1"))


def test_zero_torque_loss_factor_read_and_checked(tmp_path):
    write(tmp_path, PLATFORM.replace('gear_ratio = 10.6\n', 'gear_ratio = 10.6\nzero_torque_loss_factor = "20 %"\n'))
    assert load_platform(tmp_path / "platform.toml").drive_units["rear"].zero_torque_loss_factor == pytest.approx(0.2)
    write(tmp_path, PLATFORM.replace('gear_ratio = 10.6\n', 'gear_ratio = 10.6\nzero_torque_loss_factor = 1.5\n'))
    err = spec_error(load_platform, tmp_path / "platform.toml")
    assert_error(err, file="platform.toml", field="drive_units.rear.zero_torque_loss_factor",
                 contains=("out of range", ">= 0 and <= 1"))


@pytest.mark.parametrize("lines, factor", [
    ("", 1.0),                                            # a coupled permanent-magnet machine
    ('motor_type = "pmsm"\ndisconnect = true\n', 0.0),    # decoupled: it does not turn
    ('motor_type = "induction"\n', 0.0),                 # no stator current, no field
    ('motor_type = "eesm"\n', 0.0),                      # rotor current off, no field
    ('motor_type = "induction"\nzero_torque_loss_factor = 0.3\n', 0.3),  # a given value wins
])
def test_zero_torque_loss_factor_follows_the_motor_technology(tmp_path, lines, factor):
    write(tmp_path, PLATFORM.replace('gear_ratio = 10.6\n', 'gear_ratio = 10.6\n' + lines))
    du = load_platform(tmp_path / "platform.toml").drive_units["rear"]
    assert du.zero_torque_loss_factor == factor
    assert "zero_torque_loss_factor" not in du._defaulted  # it follows from the inputs


def test_motor_type_is_checked(tmp_path):
    write(tmp_path, PLATFORM.replace('gear_ratio = 10.6\n', 'gear_ratio = 10.6\nmotor_type = "PMSM"\n'))
    err = spec_error(load_platform, tmp_path / "platform.toml")
    assert_error(err, file="platform.toml", field="drive_units.rear.motor_type",
                 contains=("did you mean 'pmsm'", "pmsm, induction, eesm"))


def test_inverter_is_read_checked_and_scales_the_calibrated_losses(tmp_path):
    """``inverter = "sic"`` multiplies the calibrated rule's four coefficients by the SiC scale
    and ``motor_type = "induction"`` by the induction scale (skateboard.spec.defaults); a wrong
    value is one error naming the field."""
    from skateboard.spec import defaults as D

    write(tmp_path)
    base = load_platform(tmp_path / "platform.toml").drive_units["rear"]
    assert (base.motor_type, base.inverter) == ("pmsm", "si")
    write(tmp_path, PLATFORM.replace('gear_ratio = 10.6\n', 'gear_ratio = 10.6\ninverter = "sic"\nmotor_type = "induction"\n'))
    du = load_platform(tmp_path / "platform.toml").drive_units["rear"]
    k = D.SIC_LOSS_SCALE * D.INDUCTION_LOSS_SCALE
    assert du.loss_coefficients == pytest.approx(tuple(k * c for c in base.loss_coefficients), rel=1e-15)
    write(tmp_path, PLATFORM.replace('gear_ratio = 10.6\n', 'gear_ratio = 10.6\ninverter = "GaN"\n'))
    err = spec_error(load_platform, tmp_path / "platform.toml")
    assert_error(err, file="platform.toml", field="drive_units.rear.inverter", contains=("si, sic",))


def test_missing_required_field(tmp_path):
    # (the wheelbase has a spec-sheet default since #15 §2; a drive unit's peak power has none)
    write(tmp_path, PLATFORM.replace('peak_power = "160 kW"\n', "", 1))
    err = spec_error(load_platform, tmp_path / "platform.toml")
    assert_error(err, file="platform.toml", field="drive_units.rear.peak_power",
                 contains=("missing required field", "a power in W"))


def test_bad_choice_suggests(tmp_path):
    write(tmp_path, PLATFORM.replace('chemistry = "LFP"', 'chemistry = "lfp"'))
    err = spec_error(load_platform, tmp_path / "platform.toml")
    assert_error(err, file="platform.toml", field="packs.big.chemistry",
                 contains=("did you mean 'LFP'", "allowed: LFP, NMC"))


def test_gross_below_usable(tmp_path):
    write(tmp_path, PLATFORM.replace('"65 kWh"', '"70 kWh"'))
    err = spec_error(load_platform, tmp_path / "platform.toml")
    assert_error(err, file="platform.toml", field="packs.big.gross_energy",
                 contains=(">= usable_energy (70 kWh)",))


def test_bad_tyre_size(tmp_path):
    write(tmp_path, PLATFORM.replace('"215/55 R18"', '"215/55 18"'))
    err = spec_error(load_platform, tmp_path / "platform.toml")
    assert_error(err, file="platform.toml", field="wheels.18in.size",
                 contains=("tyre size", "'215/55 R18'"))


def test_unknown_loss_map_name(tmp_path):
    write(tmp_path, PLATFORM.replace("gear_ratio = 10.6", 'gear_ratio = 10.6\nloss_map = "pmsm_generc"'))
    err = spec_error(load_platform, tmp_path / "platform.toml")
    assert_error(err, file="platform.toml", field="drive_units.rear.loss_map",
                 contains=("did you mean 'pmsm_generic'", "induction_generic"))


def test_inline_loss_map_outside_the_envelope_is_one_clear_error(tmp_path):
    # four valid efficiencies, all at torques beyond the unit's peak torque: nothing to fit
    table = ("{speed_unit = 'rpm', speed = [1000, 2000], torque = [5000, 6000], "
             "efficiency = [[0.9, 0.9], [0.9, 0.9]]}")
    write(tmp_path, PLATFORM.replace("gear_ratio = 10.6", f"gear_ratio = 10.6\nloss_map = {table}"))
    err = spec_error(load_platform, tmp_path / "platform.toml")
    assert_error(err, file="platform.toml", field="drive_units.rear.loss_map.efficiency",
                 contains=("at least 4 motoring points inside the torque envelope, got 0",))


def test_inline_loss_map_shape_error(tmp_path):
    table = "{speed = [100, 200], torque = [50, 100, 150], efficiency = [[0.9, 0.9, 0.9], [0.9, 0.9]]}"
    write(tmp_path, PLATFORM.replace("gear_ratio = 10.6", f"gear_ratio = 10.6\nloss_map = {table}"))
    err = spec_error(load_platform, tmp_path / "platform.toml")
    assert_error(err, file="platform.toml", field="drive_units.rear.loss_map.efficiency[1]",
                 contains=("3 values",))


def test_range_extender_power_given_twice(tmp_path):
    write(tmp_path, PLATFORM + REX.replace('engine_max_power = "65 kW"',
                                           'engine_max_power = "65 kW"\nmax_power = "60 kW"'))
    err = spec_error(load_platform, tmp_path / "platform.toml")
    assert_error(err, file="platform.toml", field="range_extenders.rex.max_power",
                 contains=("exactly one", "both given"))


def test_range_extender_unknown_fuel(tmp_path):
    write(tmp_path, PLATFORM + REX.replace('fuel_tank_volume = "50 l"',
                                           'fuel_tank_volume = "50 l"\nfuel = "E1"'))
    err = spec_error(load_platform, tmp_path / "platform.toml")
    assert_error(err, file="platform.toml", field="range_extenders.rex.fuel",
                 contains=("unknown fuel", "CN92, E10, E5"))


def test_platform_energy_management_needs_a_slot(tmp_path):
    em = REX.split("[energy_management]")[1]
    write(tmp_path, PLATFORM + "\n[energy_management]" + em)
    err = spec_error(load_platform, tmp_path / "platform.toml")
    assert_error(err, file="platform.toml", field="energy_management",
                 contains=("range-extender slot",))


def test_platform_strategy_without_its_parameters(tmp_path):
    write(tmp_path, PLATFORM + REX.replace('strategy = "thermostat"', 'strategy = "load_following"'))
    err = spec_error(load_platform, tmp_path / "platform.toml")
    assert_error(err, file="platform.toml", field="energy_management.soc_target",
                 contains=("'load_following' needs soc_target", "soc_low, soc_target, soc_high, gain"))


# ---------------------------------------------------------------------------------------------
# Errors: road-load forms
# ---------------------------------------------------------------------------------------------

def test_mixed_road_load_forms(tmp_path):
    path = write(tmp_path, derivative=DERIVATIVE.replace("drag_coefficient = 0.29",
                                                         'drag_coefficient = 0.29\nf0 = "150 N"'))
    err = spec_error(resolve_variant, path)
    assert_error(err, file="derivative.toml", field="top_hat.f0",
                 contains=("two forms", "drag_coefficient, frontal_area", "f0 (coast-down)"))


def test_partial_coast_down(tmp_path):
    path = write(tmp_path, derivative=DERIVATIVE.replace(
        'drag_coefficient = 0.29\nfrontal_area = "2.6 m^2"', 'f0 = "150 N"\nf2 = 0.4'))
    err = spec_error(resolve_variant, path)
    assert_error(err, file="derivative.toml", field="top_hat.f1",
                 contains=("incomplete coast-down", "missing f1", "all of f0, f1, f2"))


def test_partial_physical_road_load(tmp_path):
    path = write(tmp_path, derivative=DERIVATIVE.replace('frontal_area = "2.6 m^2"\n', ""))
    err = spec_error(resolve_variant, path)
    assert_error(err, file="derivative.toml", field="top_hat.frontal_area",
                 contains=("missing frontal_area",))


# ---------------------------------------------------------------------------------------------
# Errors: platform limits and options
# ---------------------------------------------------------------------------------------------

def test_mass_in_running_order_above_max_gross_mass(tmp_path):
    # 2000 kg + 75 kg driver + 100 kg optional equipment = 2175 kg > 2150 kg
    path = write(tmp_path, derivative=DERIVATIVE.replace(
        'curb_mass = "1.7 t"', 'curb_mass = "2000 kg"\noptional_equipment_mass = "100 kg"'))
    err = spec_error(resolve_variant, path)
    assert_error(err, file="derivative.toml", field="top_hat.curb_mass",
                 contains=("mass in running order 2175 kg exceeds the platform's maximum gross "
                           "mass 2150 kg",))
    # exactly at the limit is allowed: 1975 + 75 + 100 = 2150
    ok = write(tmp_path, derivative=DERIVATIVE.replace(
        'curb_mass = "1.7 t"', 'curb_mass = "1975 kg"\noptional_equipment_mass = "100 kg"'))
    assert resolve_variant(ok).curb_mass == 1975.0


def test_front_axle_load(tmp_path):
    # 2150 kg x 0.6 = 1290 kg > 1100 kg; allowed shares: 1 - 1200/2150 = 0.442 .. 1100/2150 = 0.512
    path = write(tmp_path, derivative=DERIVATIVE.replace(
        "drag_coefficient = 0.29", "drag_coefficient = 0.29\nfront_mass_share = '60 %'"))
    err = spec_error(resolve_variant, path)
    assert_error(err, file="derivative.toml", field="top_hat.front_mass_share",
                 contains=("front axle load at maximum gross mass 1290 kg",
                           "maximum front axle load 1100 kg", "between 0.442 and 0.512"))


def test_rear_axle_load(tmp_path):
    # 2150 kg x (1 - 0.4) = 1290 kg > 1200 kg
    path = write(tmp_path, derivative=DERIVATIVE.replace(
        "drag_coefficient = 0.29", "drag_coefficient = 0.29\nfront_mass_share = 0.4"))
    err = spec_error(resolve_variant, path)
    assert_error(err, file="derivative.toml", field="top_hat.front_mass_share",
                 contains=("rear axle load at maximum gross mass 1290 kg",
                           "maximum rear axle load 1200 kg"))


@pytest.mark.parametrize("option,value,field,offered", [
    ("pack", "small", "options.pack", "allowed: big"),
    ("wheels", "19in", "options.wheels", "allowed: 18in"),
    ("drive_units", '["front"]', "options.drive_units[0]", "allowed: rear, rear_alt"),
])
def test_option_not_offered(tmp_path, option, value, field, offered):
    line = {"pack": 'pack = "big"', "wheels": 'wheels = "18in"',
            "drive_units": 'drive_units = ["rear"]'}[option]
    new = f'{option} = "{value}"' if not value.startswith("[") else f"{option} = {value}"
    path = write(tmp_path, derivative=DERIVATIVE.replace(line, new))
    err = spec_error(resolve_variant, path)
    assert_error(err, file="derivative.toml", field=field,
                 contains=("not offered by platform 'testbed'", offered))


def test_two_drive_units_on_one_axle(tmp_path):
    path = write(tmp_path, derivative=DERIVATIVE.replace('["rear"]', '["rear", "rear_alt"]'))
    err = spec_error(resolve_variant, path)
    assert_error(err, file="derivative.toml", field="options.drive_units[1]",
                 contains=("two drive units on the rear axle", "at most one drive unit per axle"))


def test_erev_on_a_platform_without_a_slot(tmp_path):
    path = write(tmp_path, derivative=DERIVATIVE.replace('wheels = "18in"',
                                                         'wheels = "18in"\nrange_extender = "rex"'))
    err = spec_error(resolve_variant, path)
    assert_error(err, file="derivative.toml", field="options.range_extender",
                 contains=("platform 'testbed' has no range-extender slot",))


def test_range_extender_not_offered(tmp_path):
    path = write(tmp_path, PLATFORM + REX, DERIVATIVE.replace(
        'wheels = "18in"', 'wheels = "18in"\nrange_extender = "rex2"'))
    err = spec_error(resolve_variant, path)
    assert_error(err, file="derivative.toml", field="options.range_extender",
                 contains=("did you mean 'rex'", "allowed: rex"))


def test_energy_management_overrides_on_a_bev(tmp_path):
    path = write(tmp_path, PLATFORM + REX, DERIVATIVE + "\n[overrides.energy_management]\nsoc_low = 0.1\n")
    err = spec_error(resolve_variant, path)
    assert_error(err, file="derivative.toml", field="overrides.energy_management.soc_low",
                 contains=("only to a derivative with a range extender", "'rex'"))


def test_sustain_target_outside_the_usable_window(tmp_path):
    derivative = DERIVATIVE.replace('wheels = "18in"', 'wheels = "18in"\nrange_extender = "rex"')
    derivative += ("\n[overrides.energy_management]\nstrategy = 'load_following'\n"
                   "soc_low = 0.005\nsoc_target = 0.01\nsoc_high = 0.3\ngain = 1\n")
    pack = resolve_variant(write(tmp_path, PLATFORM + REX, DERIVATIVE)).pack
    low, high = usable_soc_window(pack)
    # buffer 2.1 kWh of 67.1 kWh, 3/4 of it at the bottom: the window starts a few % up
    assert 0.015 < low < 0.04 and 0.98 < high < 1.0
    path = write(tmp_path, PLATFORM + REX, derivative)
    err = spec_error(resolve_variant, path)
    assert_error(err, file="derivative.toml", field="overrides.energy_management.soc_low",
                 contains=("outside the usable SOC window of pack 'big'",
                           f"{low:.3f} .. {high:.3f}"))


def test_strategy_without_its_parameters_in_overrides(tmp_path):
    derivative = DERIVATIVE.replace('wheels = "18in"', 'wheels = "18in"\nrange_extender = "rex"')
    derivative += "\n[overrides.energy_management]\nstrategy = 'load_following'\n"
    err = spec_error(resolve_variant, write(tmp_path, PLATFORM + REX, derivative))
    assert_error(err, file="derivative.toml", field="overrides.energy_management.soc_target",
                 contains=("'load_following' needs soc_target",))
    # with the missing parameters given, it resolves (soc_low/soc_high from the platform)
    derivative += "soc_target = 0.25\ngain = '2 1/h'\n"
    em = resolve_variant(write(tmp_path, PLATFORM + REX, derivative)).energy_management
    assert (em.strategy, em.soc_low, em.soc_target, em.soc_high, em.gain) == (
        "load_following", 0.2, 0.25, 0.3, 2.0)


def test_soc_band_order(tmp_path):
    derivative = DERIVATIVE.replace('wheels = "18in"', 'wheels = "18in"\nrange_extender = "rex"')
    derivative += "\n[overrides.energy_management]\nsoc_high = 0.15\n"
    err = spec_error(resolve_variant, write(tmp_path, PLATFORM + REX, derivative))
    assert_error(err, file="derivative.toml", field="overrides.energy_management.soc_high",
                 contains=("above soc_low",))


def test_bad_strategy_name(tmp_path):
    derivative = DERIVATIVE.replace('wheels = "18in"', 'wheels = "18in"\nrange_extender = "rex"')
    derivative += "\n[overrides.energy_management]\nstrategy = 'load-following'\n"
    err = spec_error(resolve_variant, write(tmp_path, PLATFORM + REX, derivative))
    assert_error(err, file="derivative.toml", field="overrides.energy_management.strategy",
                 contains=("did you mean 'load_following'", "thermostat, load_following, hold"))


# ---------------------------------------------------------------------------------------------
# Programs
# ---------------------------------------------------------------------------------------------

def _program(tmp_path, body: str) -> Path:
    write(tmp_path)
    path = tmp_path / "program.toml"
    path.write_text('name = "p"\ntitle = "P"\n' + body)
    return path


def test_program_with_paths_and_targets(tmp_path):
    path = _program(tmp_path, 'reference = "testcar"\nvariants = ["derivative.toml", "leapmotor-b10"]\n'
                              'markets = ["eu"]\n[targets.testcar]\nmin_range_km = 400\n')
    program = load_program(path)
    assert [v.name for v in program.variants] == ["testcar", "leapmotor-b10"]
    assert program.markets == ["eu"]
    assert program.targets == {"testcar": {"min_range_km": 400.0}}
    assert program.reference_variant == "testcar"
    assert program.source_file == str(path)


def test_program_reference_must_be_a_variant(tmp_path):
    path = _program(tmp_path, 'reference = "testcr"\nvariants = ["derivative.toml"]\n')
    err = spec_error(load_program, path)
    assert_error(err, file="program.toml", field="reference",
                 contains=("did you mean 'testcar'", "allowed: testcar"))


def test_program_targets_for_an_unknown_variant(tmp_path):
    path = _program(tmp_path, 'variants = ["derivative.toml"]\n[targets.other]\nrange_km = 1\n')
    err = spec_error(load_program, path)
    assert_error(err, file="program.toml", field="targets.other", contains=("allowed: testcar",))


def test_program_unknown_variant_name(tmp_path):
    path = _program(tmp_path, 'variants = ["leapmotor-b1"]\n')
    err = spec_error(load_program, path)
    assert_error(err, file="program.toml", field="variants[0]",
                 contains=("unknown derivative", "did you mean 'leapmotor-b10'"))


def test_program_duplicate_variant(tmp_path):
    path = _program(tmp_path, 'variants = ["leapmotor-b10", "leapmotor-b10"]\n')
    err = spec_error(load_program, path)
    assert_error(err, file="program.toml", field="variants[1]", contains=("share one name",))


def test_program_unknown_market_names_the_program_file(tmp_path):
    path = _program(tmp_path, 'variants = ["leapmotor-b10"]\nmarkets = ["eu", "chna"]\n')
    err = spec_error(load_program, path)
    assert_error(err, file="program.toml", field="markets[1]",
                 contains=("unknown market", "did you mean 'china'", "got 'chna'"))


def test_error_inside_a_programs_derivative_names_that_file(tmp_path):
    path = _program(tmp_path, 'variants = ["derivative.toml"]\n')
    (tmp_path / "derivative.toml").write_text(DERIVATIVE.replace('pack = "big"', 'pack = "bog"'))
    err = spec_error(load_program, path)
    assert_error(err, file="derivative.toml", field="options.pack",
                 contains=("did you mean 'big'",))


# ---------------------------------------------------------------------------------------------
# Documentation covers every field (python-control style meta-test)
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("model", [
    models.Platform, models.PackOption, models.DriveUnitOption, models.LossMapTable,
    models.Chassis, models.WheelOption, models.RangeExtenderOption,
    models.EnergyManagementSettings, models.Derivative, models.TopHat, models.Options,
    models.Overrides, models.PackOverrides, models.RangeExtenderOverrides, models.ProgramSpec,
    models.FuelSpec,
])
def test_every_field_is_documented(model):
    text = DOCS.read_text()
    rows = set(re.findall(r"^\|\s*`([a-z_0-9]+)`", text, flags=re.M))
    missing = [name for name in model.model_fields if name not in rows]
    assert not missing, f"{model.__name__} fields missing from docs/spec.md tables: {missing}"


def test_min_power_of_load_following(tmp_path):
    derivative = DERIVATIVE.replace('wheels = "18in"', 'wheels = "18in"\nrange_extender = "rex"')
    derivative += ("\n[overrides.energy_management]\nstrategy = 'load_following'\nsoc_target = 0.25\n"
                   "gain = '2 1/h'\nmin_power = '20 kW'\n")
    em = resolve_variant(write(tmp_path, PLATFORM + REX, derivative)).energy_management
    assert em.min_power == 20e3
    too_much = derivative.replace("min_power = '20 kW'", "min_power = '300 kW'")
    err = spec_error(resolve_variant, write(tmp_path, PLATFORM + REX, too_much))
    assert_error(err, file="derivative.toml", field="overrides.energy_management.min_power",
                 contains=("exceeds",))
