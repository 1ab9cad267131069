"""Outputs a program team asks for (issue 16, items 12-13 and the sweep's target report): DC
fast charging from a power curve over SOC and temperature, motorway range, target failures."""

import dataclasses

import numpy as np
import pandas as pd
import pytest

import skateboard as sb
from skateboard.errors import SpecError
from skateboard.procedures import charging, motorway

KWH = 3.6e6


@pytest.fixture(scope="module")
def b10():
    return sb.load_program("hongqi-on-b10").variant("leapmotor-b10")


def _flat(pack, power):
    return dataclasses.replace(pack, dc_charge_curve=((0.0, 1.0), (power, power)))


def test_flat_curve_charging_time_is_energy_over_power(b10):
    pack = _flat(b10.pack, 100e3)
    df = charging.run([b10.replace(pack=pack)], ambient_c=[23.0])
    # 10 -> 80 % of the 65 kWh usable = 45.5 kWh at 100 kW = 27.3 min
    assert df["dc_charge_10_80_min"].iloc[0] == pytest.approx(0.7 * pack.usable_energy / 100e3 / 60, rel=1e-9)
    assert df["dc_charge_10_80_min"].iloc[0] == pytest.approx(27.3, rel=1e-9)
    # 10 minutes at 100 kW add 16.67 kWh; 20 minutes 33.33 kWh
    assert df["dc_energy_10min_kwh"].iloc[0] == pytest.approx(100.0 / 6.0, rel=1e-9)
    assert df["dc_energy_20min_kwh"].iloc[0] == pytest.approx(100.0 / 3.0, rel=1e-9)


def test_cold_pack_charges_at_the_derated_power(b10):
    pack = _flat(b10.pack, 100e3)
    df = charging.run([b10.replace(pack=pack)], ambient_c=[23.0, 10.0, -7.0]).set_index("ambient_c")
    warm = df.loc[23.0, "dc_charge_10_80_min"]
    # default derating: 0.5 at 10 degC, 0.25 at -7 degC (pack cold-soaked at ambient)
    assert df.loc[10.0, "dc_charge_10_80_min"] == pytest.approx(2 * warm, rel=1e-9)
    assert df.loc[-7.0, "dc_charge_10_80_min"] == pytest.approx(4 * warm, rel=1e-9)
    assert df.loc[-7.0, "pack_temperature_c"] == pytest.approx(-7.0)


def test_default_shape_against_the_c10s_published_charging_time():
    """Leapmotor C10, 83 kW DC peak: 30 to 80 % in 30 min at best (km77.com, C10 2024
    'consumo y recarga'). The default curve shape, peak 83 kW, gives 29.0 min."""
    from skateboard.spec import load_platform

    c10 = load_platform("c10").packs["70kwh"]
    soc, t, _ = charging.session(c10, 298.15, soc_start=0.3)
    minutes = np.interp(0.8, soc, t) / 60.0
    assert minutes == pytest.approx(30.0, rel=0.10)


def test_a_declared_curve_is_read_from_the_platform_file(tmp_path):
    from skateboard.spec import load_platform

    src = load_platform("b10")._source_file   # the bundled B10, copied with a curve
    body = open(src).read().replace('max_charge_power = "168 kW"        # source: e-auto.pt, targa67 (DC peak 168 kW)',
                                    'max_charge_power = "168 kW"\n'
                                    'dc_charge_curve = { soc = [0, 0.5, 1], power = ["168 kW", "168 kW", "20 kW"] }\n'
                                    'dc_charge_derating = { temperature = ["0 degC", "25 degC"], factor = [0.2, 1] }')
    path = tmp_path / "b10-curve.toml"
    path.write_text(body)
    pack = load_platform(path).packs["67kwh"]
    assert pack.dc_charge_curve.power == [168e3, 168e3, 20e3]
    assert pack.dc_charge_derating.temperature == pytest.approx([273.15, 298.15])
    bad = tmp_path / "b10-bad.toml"
    bad.write_text(body.replace("soc = [0, 0.5, 1]", "soc = [0, 0.5, 0.4]"))
    with pytest.raises(SpecError, match="strictly increasing") as err:
        load_platform(bad)
    assert "dc_charge_curve.soc" in err.value.field


def test_motorway_range_falls_with_speed_and_obeys_the_road_load(b10):
    from skateboard.engine.batch import road_load_coefficients
    from skateboard.procedures import common as C

    df = motorway.run([b10]).iloc[0]
    r110, r120, r130 = df["motorway_range_110_km"], df["motorway_range_120_km"], df["motorway_range_130_km"]
    assert r110 > r120 > r130 > 0
    # at a steady 130 km/h the battery supplies at least the road load force (J/m = N), and at
    # most road load / 0.75 drive efficiency + auxiliaries
    v = 130 / 3.6
    f0, f1, f2 = road_load_coefficients(b10, C.wltp_test_mass(b10)[0])
    force = f0 + f1 * v + f2 * v * v
    wh_per_km = df["motorway_consumption_130_wh_per_km"]
    assert force / 3.6 < wh_per_km < (force / 0.75 + b10.aux_power / v) / 3.6
    # the range uses (nearly) all the usable energy
    assert r130 * wh_per_km / 1000 == pytest.approx(b10.pack.usable_energy / KWH, rel=0.05)
    assert 0 < df["motorway_range_artemis_km"] < r110


def test_target_failures_count_each_target_per_market():
    from skateboard.explore.pareto import target_failures

    df = pd.DataFrame({"feasible": [True, True, True, False],
                       "eu_range_km": [450.0, 410.0, 390.0, 100.0],
                       "us_range_km": [360.0, 320.0, 290.0, 100.0],
                       "eu_consumption_wh_per_km": [150.0, 170.0, 150.0, np.nan],
                       "us_consumption_wh_per_km": [190.0, 210.0, 199.0, np.nan]})
    targets = {"min_range_km": 400.0, "max_consumption_wh_per_km": 160.0, "max_accel_0_100_s": 8.0,
               "us": {"min_range_km": 300.0, "max_consumption_wh_per_km": 200.0}}
    mask, failures, unchecked = target_failures(df, targets, ["eu", "us"])
    assert mask.tolist() == [True, False, False, False]
    by = {f["target"]: f for f in failures}
    assert by["min_range_km"]["limits"] == {"eu": 400.0, "us": 300.0}
    assert by["min_range_km"]["by_market"] == {"eu": 1, "us": 1} and by["min_range_km"]["n_fail"] == 1
    assert by["max_consumption_wh_per_km"]["by_market"] == {"eu": 1, "us": 1}
    assert by["max_consumption_wh_per_km"]["n_fail"] == 1
    assert unchecked == ["max_accel_0_100_s"]


# --- pack-size sweeps that follow physics (item 8) ---------------------------------------------

def test_pack_mass_follows_energy_unless_mass_is_varied():
    from skateboard.explore.sweep import _fast, plan_sweep

    base = sb.load_program("hongqi-on-b10").variant("hongqi-b10-bev")   # 67.1 kWh, 420 kg pack
    plan = plan_sweep("hongqi-on-b10", ['hongqi-b10-bev.pack.gross_energy="66 kWh".."67.1 kWh":2'])
    v = _fast(base, plan.dims, [66.0 * KWH], "x")
    dm = 420.0 * (66.0 / 67.1 - 1.0)                  # same energy density (Wh per kg)
    assert v.pack.mass == pytest.approx(420.0 + dm, rel=1e-12)
    assert v.curb_mass == pytest.approx(base.curb_mass + dm, rel=1e-12)
    plan = plan_sweep("hongqi-on-b10", ['hongqi-b10-bev.pack.gross_energy="66 kWh".."67.1 kWh":2',
                                        'hongqi-b10-bev.top_hat.curb_mass="1.7 t".."1.8 t":2'])
    v = _fast(base, plan.dims, [66.0 * KWH, 1750.0], "x")
    assert v.curb_mass == 1750.0 and v.pack.mass == 420.0


def test_pack_beyond_the_largest_option_needs_a_declared_limit(tmp_path):
    from skateboard.explore.sweep import plan_sweep
    from skateboard.spec import load_platform

    with pytest.raises(SpecError, match="above the platform's largest pack option 67.1 kWh") as err:
        plan_sweep("hongqi-on-b10", ['hongqi-b10-bev.pack.gross_energy="66 kWh".."80 kWh":2'])
    assert "declare chassis.max_pack_energy" in err.value.allowed
    # a platform that declares a larger floor: 80 kWh allowed, and the mass follows
    src = load_platform("b10")._source_file
    plat = tmp_path / "b10-long.toml"
    plat.write_text(open(src).read().replace('name = "b10"', 'name = "b10-long"')
                    .replace("[chassis]\n", '[chassis]\nmax_pack_energy = "80 kWh"\n'))
    deriv = tmp_path / "bev.toml"
    deriv.write_text(open(sb.load_program("hongqi-on-b10").variant("hongqi-b10-bev").source_file).read()
                     .replace('platform = "b10"', f'platform = "{plat}"'))
    prog = tmp_path / "p.toml"
    prog.write_text(f'name = "p"\ntitle = "p"\nvariants = ["{deriv}"]\n')
    plan = plan_sweep(str(prog), ['hongqi-b10-bev.pack.gross_energy="66 kWh".."80 kWh":2'])
    assert plan.n == 2
    with pytest.raises(SpecError, match="above the platform's max_pack_energy 80 kWh"):
        plan_sweep(str(prog), ['hongqi-b10-bev.pack.gross_energy="66 kWh".."90 kWh":2'])
    bad = tmp_path / "b10-bad.toml"
    bad.write_text(plat.read_text().replace('max_pack_energy = "80 kWh"', 'max_pack_energy = "60 kWh"'))
    with pytest.raises(SpecError, match="above chassis.max_pack_energy"):
        load_platform(bad)


# --- a derivative's own wheels; a forked platform's name (item 7) -----------------------------

def _derivative_with(tmp_path, old, new, name="wheels.toml"):
    src = sb.load_program("hongqi-on-b10").variant("hongqi-b10-bev").source_file
    path = tmp_path / name
    path.write_text(open(src).read().replace(old, new))
    return path


def test_derivative_brings_its_own_tyres_within_the_platform_limits(tmp_path):
    from skateboard.spec import load_platform, resolve_variant
    from skateboard.spec.loader import wheel_radius_limits

    lo, hi = wheel_radius_limits(load_platform("b10"))
    # 225/50 R19: (19 x 25.4 / 2 + 225 x 0.50) mm = 353.8 mm unloaded, x 0.97 = 343.2 mm rolling
    # (the B10 options: 326-347 mm with the 3 % margin)
    path = _derivative_with(tmp_path, 'wheels = "19in"\n', "")
    path.write_text(path.read_text() + '\n[wheels]\nsize = "225/50 R19"\n'
                    "rolling_resistance_coefficient = 0.0085\n")
    v = resolve_variant(path)
    assert v.wheel_radius == pytest.approx(0.97 * (19 * 25.4 / 2 + 225 * 0.50) / 1000, rel=1e-12)
    assert lo <= v.wheel_radius <= hi
    assert v.rolling_resistance_coefficient == 0.0085
    assert v.options["wheels"] == "own (225/50 R19)"
    big = path.read_text().replace('size = "225/50 R19"', 'size = "285/45 R22"')
    path.write_text(big)
    with pytest.raises(SpecError, match="outside the platform's wheel limits") as err:
        resolve_variant(path)
    assert err.value.field == "wheels.size"
    both = _derivative_with(tmp_path, 'wheels = "18in"', 'wheels = "18in"', "both.toml")
    both.write_text(both.read_text() + '\n[wheels]\nsize = "225/50 R19"\n')
    with pytest.raises(SpecError, match="choose the wheels once"):
        resolve_variant(both)


def test_a_forked_platform_keeping_the_bundled_name_is_warned_about(tmp_path):
    from skateboard.spec import load_platform

    fork = tmp_path / "my-b10.toml"
    fork.write_text(open(load_platform("b10")._source_file).read())   # a copy, same name
    deriv = _derivative_with(tmp_path, 'platform = "b10"', f'platform = "{fork}"', "on-fork.toml")
    prog = tmp_path / "p.toml"
    prog.write_text(f'name = "p"\ntitle = "p"\nvariants = ["{deriv}"]\n')
    p = sb.load_program(prog)
    assert len(p.warnings) == 1 and "named 'b10' like the bundled platform" in p.warnings[0]
    fork.write_text(fork.read_text().replace('name = "b10"', 'name = "b10-fork"'))
    assert sb.load_program(prog).warnings == ()
