"""Cabin heating by heat pump or resistive heater and pack heating at low temperature (issue #21):
the heat-pump COP and capacity against the published bench tests they come from, the spec's
``hvac_system`` option, and what the real-world procedure does with them."""

import numpy as np
import pytest

import synthetic as syn
from skateboard.physics import climate
from skateboard.procedures import real_world
from skateboard.spec import load_derivative, resolve_variant
from skateboard.spec.models import Overrides

# the bench tests of physics.climate: (ambient degC, COP, capacity W)
BENCH = [(-10.0, 3.26, 3100.0), (-5.0, 3.2, 3600.0), (-1.0, 1.9, 4200.0)]


def _carnot(t):  # condensing 45 degC, evaporating 10 K below ambient
    return 318.15 / (318.15 - (t - 10.0 + 273.15))


def test_heat_pump_cop_is_the_mean_carnot_fraction_of_the_bench_tests():
    # by hand: 3.26 / (318.15 / 65) = 0.666, 3.2 / (318.15 / 60) = 0.603, 1.9 / (318.15 / 56) = 0.334
    fractions = [cop / _carnot(t) for t, cop, _ in BENCH]
    assert fractions == pytest.approx([0.6660, 0.6035, 0.3344], abs=1e-3)
    assert climate.CARNOT_FRACTION == pytest.approx(np.mean(fractions), rel=1e-12)
    for t, cop, _ in BENCH:
        assert float(climate.heat_pump_cop(t)) == pytest.approx(np.mean(fractions) * _carnot(t), rel=1e-12)
        # within the bench tests' spread at their temperatures
        assert 1.9 * 0.9 < float(climate.heat_pump_cop(t)) < 3.26 * 1.1
    # colder air, lower COP; capped at 4 in mild air
    cops = climate.heat_pump_cop(np.array([-30.0, -20.0, -7.0, 5.0, 15.0]))
    assert np.all(np.diff(cops) > 0) and cops.max() <= 4.0


def test_heat_pump_capacity_is_the_least_squares_line_of_the_bench_tests():
    t = np.array([b[0] for b in BENCH])
    q = np.array([b[2] for b in BENCH])
    slope = np.sum((t - t.mean()) * (q - q.mean())) / np.sum((t - t.mean()) ** 2)
    for x in (-20.0, -10.0, -1.0):
        assert float(climate.heat_pump_capacity(x)) == pytest.approx(q.mean() + slope * (x - t.mean()), rel=1e-9)
    assert float(climate.heat_pump_capacity(-60.0)) == 0.0


def test_hvac_power_heat_pump_up_to_capacity_then_ptc():
    # -19.5 degC: cabin needs 100 W/K x 41.5 K = 4150 W; the heat pump gives its capacity at its
    # COP, the PTC heater the rest at COP 1, plus the 150 W blower
    t = -19.5
    q_hp = float(climate.heat_pump_capacity(t))
    assert q_hp < 4150.0                                       # the case under test
    expected = q_hp / float(climate.heat_pump_cop(t)) + (4150.0 - q_hp) + 150.0
    assert float(climate.hvac_power(t, heat_pump=True)) == pytest.approx(expected, rel=1e-12)
    assert float(climate.hvac_power(t, heat_pump=False)) == pytest.approx(4150.0 + 150.0, rel=1e-12)
    # -7 degC: 2900 W, all within the heat pump's capacity
    assert float(climate.hvac_power(-7.0, heat_pump=True)) == pytest.approx(
        2900.0 / float(climate.heat_pump_cop(-7.0)) + 150.0, rel=1e-12)


def test_pack_heating_by_hand():
    # 200 kg pack at -7 degC warmed to 10 degC: 200 x 1000 J/(kg K) x 17 K = 3.4 MJ, then held
    # against 10 W/K x 17 K = 170 W; the pack runs at 10 degC
    warm, hold, temp = climate.pack_heating(-7.0, 200.0, 28.4 * 3.6e6)
    assert (warm, hold, temp) == pytest.approx((3.4e6, 170.0, 283.15))
    # no mass given: gross energy / 150 Wh/kg
    assert climate.pack_heating(-7.0, 0.0, 60 * 3.6e6)[0] == pytest.approx(400.0 * 1000.0 * 17.0)
    assert climate.pack_heating(23.0, 200.0, 1e8) == (0.0, 0.0, 296.15)
    assert climate.pack_heating(45.0, 200.0, 1e8) == (0.0, 0.0, 308.15)   # cooled to 35 degC


def test_hvac_system_option_resolves_from_platform_and_overrides():
    assert resolve_variant(load_derivative("leapmotor-b10")).hvac_system == "heat_pump"
    assert resolve_variant(load_derivative("leapmotor-c10")).hvac_system == "heat_pump"
    assert resolve_variant(load_derivative("leapmotor-c10-reev")).hvac_system == "resistive"
    assert resolve_variant(load_derivative("hongqi-b10-erev")).hvac_system == "heat_pump"
    with pytest.raises(ValueError, match="not a valid choice"):
        Overrides(hvac_system="peltier")


def test_real_world_follows_the_variants_hvac_system_and_heats_the_pack():
    hp = syn.variant(name="hp")
    ptc = syn.variant(name="ptc", hvac_system="resistive")
    df = real_world.run([hp, ptc], ambient_c=(-7.0, 23.0))
    at = lambda name, t: df[(df["variant"] == name) & (df["ambient_c"] == t)].iloc[0]
    assert at("ptc", -7.0)["range_km"] < at("hp", -7.0)["range_km"]
    assert at("ptc", 23.0)["range_km"] == pytest.approx(at("hp", 23.0)["range_km"], rel=1e-12)
    warm, hold, _ = climate.pack_heating(-7.0, hp.pack.mass, hp.pack.gross_energy)
    assert at("hp", -7.0)["pack_warmup_kwh"] == pytest.approx(warm / 3.6e6)
    assert at("hp", -7.0)["hvac_power_w"] == pytest.approx(float(climate.hvac_power(-7.0)) + hold)
    assert at("hp", 23.0)["pack_warmup_kwh"] == 0.0
    # forcing one system for all, and switching pack heating off
    forced = real_world.run([ptc], ambient_c=(-7.0,), heat_pump=True)
    assert forced["range_km"][0] == pytest.approx(at("hp", -7.0)["range_km"], rel=1e-9)
    cold = real_world.run([hp], ambient_c=(-7.0,), pack_heating=False)
    assert cold["pack_warmup_kwh"][0] == 0.0
    assert abs(cold["range_km"][0] / at("hp", -7.0)["range_km"] - 1) > 1e-3   # it matters
    assert np.all(df["energy_audit_residual"] < 1e-9)
