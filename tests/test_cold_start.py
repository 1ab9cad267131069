"""The range extender's cold start in the type-approval tests (procedures.common.ovc_hev): the
extra fuel of the engine's first start after the soak, once per cold test, checked by hand."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import synthetic as S
from skateboard.cycles import load_cycle
from skateboard.procedures import common as C
from skateboard.procedures import epa, wltp
from skateboard.spec import defaults, load_derivative, resolve_variant
from skateboard.spec.fuels import load_fuel
from skateboard.validation.erev import spec_sheet_erev

E_COLD = 3.0e6  # J of fuel energy: a round figure for the hand calculations


def _pair(strategy="load_following"):
    hot = S.erev(strategy)
    cold = dataclasses.replace(hot, range_extender=dataclasses.replace(hot.range_extender,
                                                                       cold_start_fuel_energy=E_COLD))
    return hot, cold


def _ovc(variants, cycle, **kw):
    fuel = load_fuel("E10")
    return C.ovc_hev(variants, cycle, [C.wltp_test_mass(v) for v in variants], fuel=fuel, **kw), fuel


@pytest.mark.parametrize("strategy", ["thermostat", "load_following", "operating_point"])
def test_the_cold_start_is_added_once_to_the_cs_test_and_the_transition_cycle(strategy):
    cyc = load_cycle(wltp.CYCLE)
    (hot, cold), (o, fuel) = _pair(strategy), _ovc(list(_pair(strategy)), cyc)
    m = E_COLD / fuel.lower_heating_value                              # kg of fuel
    one_cycle = float(np.sum(0.5 * (cyc.speed[1:] + cyc.speed[:-1]) * np.diff(cyc.time)))
    assert o.cold_start_fuel[0] == 0.0
    assert o.cold_start_fuel[1] == pytest.approx(m, rel=1e-12)
    # the kernel's hot runs are the same; the CS test (one cycle, cold) carries m once
    assert o.cs_fuel_uncorrected_per_m[1] == o.cs_fuel_uncorrected_per_m[0]
    assert o.cs_fuel_per_m[1] - o.cs_fuel_per_m[0] == pytest.approx(m / one_cycle, rel=1e-6)
    # charge-depleting phases: only the phase of the engine's first start changes, by m
    d_hot, d_cold = o.cd_phase_fuel[0], o.cd_phase_fuel[1]
    assert len(d_hot) == len(d_cold) and len(d_hot) >= 2
    first = int(np.flatnonzero(d_hot > 0)[0])
    assert first > 0 and np.all(d_hot[:first] == 0.0)
    diff = d_cold - d_hot
    assert diff[first] == pytest.approx(m, rel=1e-9)
    np.testing.assert_array_equal(np.delete(diff, first), 0.0)


def test_wltp_cs_fuel_and_weighted_co2_by_hand():
    hot, cold = _pair()
    df = wltp.run([hot, cold], uf_stage="euro6")
    fuel = load_fuel("E10")
    cyc = load_cycle(wltp.CYCLE)
    one_cycle_km = float(np.sum(0.5 * (cyc.speed[1:] + cyc.speed[:-1]) * np.diff(cyc.time))) / 1e3
    litres = E_COLD / fuel.lower_heating_value / fuel.density * 1e3
    d_cs = df["fuel_cs_l_per_100km"].iloc[1] - df["fuel_cs_l_per_100km"].iloc[0]
    assert d_cs == pytest.approx(litres / one_cycle_km * 100.0, rel=1e-6)
    # with more CS fuel the weighted fuel rises too, and the EAER (Annex 8 4.4.4.1) changes
    assert df["fuel_weighted_l_per_100km"].iloc[1] > df["fuel_weighted_l_per_100km"].iloc[0]
    assert df["all_electric_range_km"].iloc[1] == df["all_electric_range_km"].iloc[0]


def test_epa_weights_the_cold_start_as_the_ftp_does():
    hot, cold = _pair()
    df = epa.run([hot, cold])
    fuel = load_fuel("E10")
    udds = load_cycle("udds")
    udds_m = float(np.sum(0.5 * (udds.speed[1:] + udds.speed[:-1]) * np.diff(udds.time)))
    m = E_COLD / fuel.lower_heating_value
    # city = FTP: 0.43 x the cold-start UDDS; highway starts hot; combined 55/45; label / 0.7
    want = epa.CITY_WEIGHT * epa.FTP_COLD_START_WEIGHT * m / udds_m / fuel.density * 1e8 / epa.LABEL_FACTOR
    got = df["fuel_cs_l_per_100km"].iloc[1] - df["fuel_cs_l_per_100km"].iloc[0]
    assert got == pytest.approx(want, rel=1e-6)
    assert epa.FTP_COLD_START_WEIGHT == 0.43     # 40 CFR 86.144-94(a)


def test_one_default_for_files_and_spec_sheets():
    v = resolve_variant(load_derivative("hongqi-b10-erev"))
    assert v.range_extender.cold_start_fuel_energy == defaults.COLD_START_FUEL_ENERGY
    row = {"make": "A", "model": "B", "version": "", "curb_mass_kg": "2000", "width_mm": "1900",
           "height_mm": "1700", "battery_gross_kwh": "40", "motor_rear_kw": "200",
           "engine_displacement_l": "1.5", "engine_kw": "", "tank_l": ""}
    assert spec_sheet_erev(row, "x").range_extender.cold_start_fuel_energy == defaults.COLD_START_FUEL_ENERGY


def test_the_kernel_never_sees_the_cold_start():
    hot, cold = _pair()
    from skateboard.engine.batch import build_params
    assert np.array_equal(build_params([hot])[0], build_params([cold])[0])
