"""Range extender on its operating line (issue #21): the dedicated engine map and the generator
losses against their sources, the operating-point strategy's levels and SOC band, and the
energy audit of every strategy on random vehicles and traces."""

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import synthetic as syn
from skateboard.cycles import load_cycle
from skateboard.engine import simulate
from skateboard.physics import range_extender as rx
from skateboard.spec.models import RangeExtenderOption

FUELS = {"E10": syn.E10_TEST_FUEL}
WLTC = load_cycle("wltc_class3b")


def test_dedicated_map_at_its_published_points():
    x, eta = np.array(rx.DEDICATED_LOAD_FRACTIONS), np.array(rx.DEDICATED_EFFICIENCY)
    # peak = the published 42 % (Nissan e-Power STARC; Chinese 1.5 l range extenders 42-45 %)
    assert eta.max() == pytest.approx(0.42, abs=1e-12)
    # FASTSim's Atkinson plateau (14-20 % of output, efficiency 0.40) stretched to 35-50 %
    assert np.interp([0.35, 0.50], x, eta) == pytest.approx([0.42, 0.42], abs=1e-6)
    # FASTSim 40 % -> 0.38, 60 % -> 0.37, 100 % -> 0.35, scaled by 0.42 / 0.40
    assert np.interp([0.625, 0.75, 1.0], x, eta) == pytest.approx([0.399, 0.3885, 0.3675], abs=1e-6)
    # FASTSim 4 % -> 0.35 at 10 % of rated power here
    assert np.interp(0.10, x, eta) == pytest.approx(0.3675, abs=1e-6)
    assert x[0] == 0.0 and x[-1] == pytest.approx(1.0) and np.all(np.diff(x) > 0)


def test_generator_losses_along_the_line():
    # FASTSim's machine curve (0.86 ... 0.95 ... 0.93) scaled to the spec's value at rated output
    assert rx.generator_efficiency_along_line(0.94, 1.0) == pytest.approx(0.94, rel=1e-12)
    assert rx.generator_efficiency_along_line(0.94, 0.5) == pytest.approx(0.94 * 0.95 / 0.93, rel=1e-12)
    assert rx.generator_efficiency_along_line(0.94, 0.1) == pytest.approx(0.94 * 0.92 / 0.93, rel=1e-12)
    assert rx.generator_efficiency_along_line(0.94, 0.0) == pytest.approx(0.94 * 0.86 / 0.93, rel=1e-12)
    assert rx.generator_efficiency_along_line(0.94, 2.0) == pytest.approx(0.94, rel=1e-12)  # clipped


def test_generator_curve_as_selects_gives_the_bits_of_numpy_interp():
    """The branch-free form of the generator's curve (which lets the generating step vectorise)
    against numpy.interp and the search it replaced: on the knots, between them, at the ends, on
    200 011 points of [0, 1] and on NaN."""
    xs = np.concatenate([rx._GEN_FRACTIONS, np.nextafter(rx._GEN_FRACTIONS, 2.0),
                         np.nextafter(rx._GEN_FRACTIONS, -1.0)[1:], np.linspace(0.0, 1.0, 200_011),
                         np.random.default_rng(0).random(10_000)])
    got = np.array([rx._generator_shape(x) for x in xs])
    assert np.array_equal(got, np.interp(xs, rx._GEN_FRACTIONS, rx._GEN_SHAPE))
    assert np.array_equal(got, np.array([rx._interp(x, rx._GEN_FRACTIONS, rx._GEN_SHAPE) for x in xs]))
    assert np.isnan(rx._generator_shape(np.nan))


def test_operating_levels_by_hand():
    # 40 kW best point of a 60 kW unit, no min_power: 20 / 40 / 50 / 60 kW
    assert rx.operating_levels(0.0, 40e3, 60e3) == pytest.approx((20e3, 40e3, 50e3, 60e3))
    assert rx.operating_levels(15e3, 40e3, 60e3)[0] == 15e3
    pick = lambda d: rx.operating_point_power(d, 0.0, 0.0, 40e3, 60e3)
    assert [pick(d) for d in (0.0, 5e3, 20e3, 20.1e3, 45e3, 55e3, 90e3)] == \
        [20e3, 20e3, 20e3, 40e3, 50e3, 60e3, 60e3]
    # the SOC term adds to the steady demand
    assert rx.operating_point_power(15e3, 10e3, 0.0, 40e3, 60e3) == 40e3


def test_engine_map_option_fills_the_lists_and_refuses_both():
    o = RangeExtenderOption(engine_max_power=65e3, fuel_tank_volume=0.05, engine_map="dedicated_range_extender")
    assert tuple(o.engine_efficiency) == rx.DEDICATED_EFFICIENCY
    assert tuple(o.efficiency_load_fractions) == rx.DEDICATED_LOAD_FRACTIONS
    # (the model raises the SpecError inside pydantic's ValueError; the loader unwraps it)
    with pytest.raises(ValueError, match="engine_map replaces"):
        RangeExtenderOption(engine_max_power=65e3, fuel_tank_volume=0.05, engine_map="dedicated_range_extender",
                            efficiency_load_fractions=[0, 1], engine_efficiency=[0.1, 0.3])
    with pytest.raises(ValueError, match="not a valid choice"):
        RangeExtenderOption(engine_max_power=65e3, fuel_tank_volume=0.05, engine_map="rotary")


def test_peak_engine_efficiency_scales_the_map_keeping_its_shape():
    o = RangeExtenderOption(engine_max_power=65e3, fuel_tank_volume=0.05, engine_map="dedicated_range_extender",
                            peak_engine_efficiency=0.36)
    eff, ded = np.array(o.engine_efficiency), np.array(rx.DEDICATED_EFFICIENCY)
    assert eff.max() == pytest.approx(0.36, abs=1e-6)
    # same shape: every point scaled by 0.36 / 0.42 (to the 6 digits the map is rounded to)
    np.testing.assert_allclose(eff, ded * 0.36 / 0.42, atol=1e-6)
    # scaling the dedicated map to its own peak gives the same numbers
    assert rx.scale_to_peak(rx.DEDICATED_EFFICIENCY, 0.42) == rx.DEDICATED_EFFICIENCY
    # the generic curve (peak 0.39) scaled
    g = RangeExtenderOption(engine_max_power=65e3, fuel_tank_volume=0.05, peak_engine_efficiency=0.30)
    assert max(g.engine_efficiency) == pytest.approx(0.30, abs=1e-6)
    with pytest.raises(ValueError, match="put the peak in the list"):
        RangeExtenderOption(engine_max_power=65e3, fuel_tank_volume=0.05, peak_engine_efficiency=0.3,
                            efficiency_load_fractions=[0, 1], engine_efficiency=[0.1, 0.3])


def test_operating_point_holds_its_band_and_never_runs_below_its_lowest_level():
    v = syn.erev("operating_point")   # band 0.18 .. 0.25, target 0.20; 80 kW charge limit
    em, rex = v.energy_management, v.range_extender
    r = simulate([v], WLTC, repeats=8, record=True, soc_initial=em.soc_target, fuels=FUELS)
    tr = r.trace_frame(0)
    soc, p_eng = tr["soc"].to_numpy(), tr["engine_power_w"].to_numpy()
    assert soc.min() > em.soc_low - 0.02 and soc.max() < em.soc_high + 0.02
    assert abs(soc[-1] - em.soc_target) < 0.06
    on = p_eng[p_eng > 0]
    grid = np.linspace(0, 1, 21)
    eff = np.interp(grid, rex.efficiency_load_fractions, rex.engine_efficiency)
    p_best = grid[1:][np.argmax(eff[1:])] * rex.max_power
    levels = np.array(rx.operating_levels(0.0, p_best, rex.max_power))
    assert on.size > 0 and on.min() >= levels[0] * (1 - 1e-9)      # never below the lowest level
    # the levels of the synthetic map's best point (as engine.batch finds it): every output is
    # one of them (no load following)
    assert np.all(np.min(np.abs(on[:, None] - levels[None, :]), axis=1) < 1e-6 * rex.max_power)
    assert r["engine_starts"][0] >= 1 and abs(r.energy_audit_residual()[0]) < 1e-9


def test_operating_point_min_power_sets_the_lowest_level():
    base = syn.erev("operating_point")
    v = base.replace(energy_management=dataclasses.replace(base.energy_management, min_power=25e3))
    r = simulate([v], WLTC, repeats=4, record=True, soc_initial=0.2, fuels=FUELS)
    on = r.trace_frame(0)["engine_power_w"].to_numpy()
    assert on[on > 0].min() >= 25e3 - 1e-6


@settings(max_examples=15, deadline=None)
@given(strategy=st.sampled_from(["thermostat", "load_following", "hold", "operating_point"]),
       mass=st.floats(1200, 2600), soc=st.floats(0.15, 0.3), grade=st.floats(-0.05, 0.05),
       rex_kw=st.floats(15.0, 90.0), seed=st.integers(0, 2**16))
def test_audit_closes_for_every_strategy_on_random_erevs(strategy, mass, soc, grade, rex_kw, seed):
    v = syn.erev(strategy, curb_mass=mass, range_extender=syn.range_extender(max_power=rex_kw * 1e3))
    rng = np.random.default_rng(seed)
    speed = np.clip(np.cumsum(rng.normal(0, 4, 1200)), 0, 130)
    speed[0] = speed[-1] = 0
    r = simulate([v], syn.cycle(speed, grade_rad=np.full(len(speed), grade)), repeats=2,
                 soc_initial=soc, fuels=FUELS)
    assert abs(r.energy_audit_residual()[0]) < 1e-9
