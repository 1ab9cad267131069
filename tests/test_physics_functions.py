"""The compiled physics functions both paths of the kernel call (physics/road_load.py,
physics/braking.py, physics/drive_unit.py, physics/battery.py), against hand calculations and
against each other on random inputs."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skateboard.physics import battery, braking, drive_unit, road_load
from skateboard.physics.constants import GRAVITY

pos = st.floats(0.0, 1e4, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(v0=st.floats(0.0, 60.0), v1=st.floats(0.0, 60.0), f0=pos, f1=st.floats(0.0, 20.0),
       f2=st.floats(0.0, 1.0), m=st.floats(500.0, 4000.0), grade=st.floats(-0.3, 0.3))
def test_tractive_force_is_the_road_load_equation(v0, v1, f0, f1, f2, m, grade):
    # F = m_i a + F0 + F1 v + F2 v^2 + m g sin(theta), rolling terms only while moving (GTR 15 Annex 4)
    acc, vbar = road_load.step_kinematics(v0, v1, 1.0)
    assert acc == v1 - v0 and vbar == 0.5 * (v0 + v1)
    aero, rolling = road_load.road_load(f0, f1, f2, vbar)
    mi = 1.03 * m
    want = mi * acc + (f0 + f1 * vbar if vbar > 0 else 0.0) + f2 * vbar**2 + m * GRAVITY * math.sin(grade)
    got = road_load.tractive_force(mi, acc, aero, rolling, m * GRAVITY, math.sin(grade))
    assert got == pytest.approx(want, rel=1e-12, abs=1e-9)


@settings(max_examples=200, deadline=None)
@given(m=st.floats(500.0, 4000.0), share=st.floats(0.3, 0.7), acc=st.floats(-10.0, 10.0),
       transfer=st.floats(0.0, 400.0), grade=st.floats(-0.3, 0.3))
def test_axle_loads_sum_to_the_normal_force(m, share, acc, transfer, grade):
    nf, nr = road_load.axle_loads(m * GRAVITY, math.cos(grade), share, acc, transfer)
    assert nf + nr == pytest.approx(m * GRAVITY * math.cos(grade), rel=1e-12)
    # accelerating moves load to the rear by m h / L x a
    assert nf == pytest.approx(m * GRAVITY * math.cos(grade) * share - acc * transfer, rel=1e-12, abs=1e-9)


@settings(max_examples=300, deadline=None)
@given(v=st.floats(0.1, 70.0), ratio=st.floats(5.0, 14.0), radius=st.floats(0.3, 0.4),
       eta=st.floats(0.9, 0.99), pt=st.floats(100.0, 600.0), pk=st.floats(20e3, 400e3),
       ws=st.floats(500.0, 2500.0))
def test_wheel_force_limit_is_the_torque_envelope_at_the_wheel(v, ratio, radius, eta, pt, pk, ws):
    # the fast path's force form equals the torque envelope through the gear:
    # F = T_max(w) x gear ratio x eta / r, with w = v x gear ratio / r
    w = v * ratio / radius
    t2f = ratio * eta / radius
    want = drive_unit.torque_limit(w, pt, pk, ws) * t2f
    got = drive_unit.wheel_force_limit(w, 1.0 / v, pt, pk, ws, t2f, eta)
    assert got == pytest.approx(want, rel=1e-12)
    assert drive_unit.torque_limit(w, pt, pk, ws) == (0.0 if w > ws else min(pt, pk / w))


def test_braking_share_and_fade_by_hand():
    m_g = 2000 * GRAVITY
    # UN R13-H: below z = 0.15 a single driven axle may take all braking; above, its load share
    assert braking.free_distribution(0.14 * m_g, m_g, False)
    assert not braking.free_distribution(0.16 * m_g, m_g, False)
    assert not braking.free_distribution(0.05 * m_g, m_g, True)  # both axles driven: load share
    assert braking.axle_brake_share(0.4 * m_g, 1 / m_g, True) == 1.0
    assert braking.axle_brake_share(0.4 * m_g, 1 / m_g, False) == pytest.approx(0.4)
    # fade between 5 and 10 km/h
    low, high = 5 / 3.6, 10 / 3.6
    assert braking.regen_fade(1.0, low, 1 / (high - low)) == 0.0
    assert braking.regen_fade(7.5 / 3.6, low, 1 / (high - low)) == pytest.approx(0.5)
    assert braking.regen_fade(20.0, low, 1 / (high - low)) == 1.0


@settings(max_examples=200, deadline=None)
@given(voc=st.floats(250.0, 800.0), res=st.floats(0.01, 0.3), frac=st.floats(0.0, 0.99))
def test_battery_functions_close_the_equivalent_circuit(voc, res, frac):
    # the voltage-window limit is the power at which V_oc - R I reaches V_min
    vmin = voc * (1 - 0.3 * frac)
    p_dis, _ = battery.voltage_window_limits(voc, 1 / res, vmin, voc * 1.2)
    i = (voc - vmin) / res
    assert p_dis == pytest.approx(vmin * i, rel=1e-12)
    # current_for_power inverts power_at_current below the maximum-power point
    i_max = voc / (2 * res)
    p = battery.power_at_current(voc, res, frac * i_max)
    cur, feasible = battery.current_for_power(p, voc, res)
    assert feasible and cur == pytest.approx(frac * i_max, rel=1e-9, abs=1e-9)
    # beyond it: the maximum power V_oc^2 / 4R
    assert battery.power_at_current(voc, res, 2 * i_max) == pytest.approx(voc * voc / (4 * res), rel=1e-12)
    assert not battery.current_for_power(1.01 * voc * voc / (4 * res), voc, res)[1]
    assert battery.resistance_at_soc(res, 0.0) == pytest.approx(1.2 * res)  # PyBaMM ECM example set


def test_physical_road_load_coefficients_by_hand():
    # C_rr 0.010 at 1 500 kg: F0 = 0.010 * 1500 * 9.80665 = 147.09975 N; rho 1.2, C_d 0.30,
    # A 2.0 m^2: F2 = 0.5 * 1.2 * 0.30 * 2.0 = 0.36 N/(m/s)^2 (Gillespie 1992, ch. 4)
    f0, f1, f2 = road_load.coefficients(0.010, 0.30, 2.0, 1500.0, 1.2)
    assert f0 == pytest.approx(147.09975, rel=1e-12)
    assert f1 == 0.0
    assert f2 == pytest.approx(0.36, rel=1e-12)


@settings(max_examples=200, deadline=None)
@given(lo=st.floats(0.0, 1.0), hi=st.floats(0.0, 1.0), chemistry=st.sampled_from(["LFP", "NMC"]))
def test_charge_energy_below_is_the_ocv_integral(lo, hi, chemistry):
    """Vectorised OCV integral (used for the energy left in every variant's window): equal to
    energy_between's trapezoid over the same piecewise-linear table, and exact for a line."""
    from skateboard.physics import battery as B

    lo, hi = min(lo, hi), max(lo, hi)
    tables = np.array([B.ocv_table("LFP", 400.0), B.ocv_table(chemistry, 350.0)])
    got = B.charge_energy_below(tables, [1, 1], [lo, hi])
    assert got[1] - got[0] == pytest.approx(B.energy_between(tables[1], 1.0, lo, hi), rel=1e-9, abs=1e-9)
    # a straight OCV line v = 300 + 100 s: the integral from 0 to s is 300 s + 50 s^2
    line = np.array([300.0 + 100.0 * np.linspace(0.0, 1.0, 101)])
    assert B.charge_energy_below(line, [0], [hi])[0] == pytest.approx(300.0 * hi + 50.0 * hi * hi, rel=1e-12, abs=1e-12)


@settings(max_examples=200, deadline=None)
@given(soc=st.floats(0.0, 1.0), chemistry=st.sampled_from(["LFP", "NMC"]))
def test_soc_at_charge_energy_inverts_the_ocv_integral(soc, chemistry):
    """The closed-form inverse gives back the SOC whose integral it was given, and on a straight
    OCV line v = 300 + 100 s the root of 300 s + 50 s^2 = I by hand."""
    from skateboard.physics import battery as B

    tables = np.array([B.ocv_table(chemistry, 400.0)])
    integral = B.charge_energy_below(tables, [0], [soc])
    assert B.soc_at_charge_energy(tables, [0], integral)[0] == pytest.approx(soc, abs=1e-12)
    line = np.array([300.0 + 100.0 * np.linspace(0.0, 1.0, 101)])
    i_line = 300.0 * soc + 50.0 * soc * soc
    want = (-300.0 + math.sqrt(300.0 ** 2 + 200.0 * i_line)) / 100.0
    assert B.soc_at_charge_energy(line, [0], [i_line])[0] == pytest.approx(want, abs=1e-12)


def _window_by_bisection(table, capacity, usable, top_share=0.25):
    """The usable window by bisection on energy_between, the way it was computed until
    2026-12-05: an independent check of the closed form."""
    from skateboard.physics import battery as B

    gross = B.energy_between(table, capacity, 0.0, 1.0)
    buffer = max(gross - usable, 0.0)

    def solve(f, target, lo, hi):
        for _ in range(80):
            mid = 0.5 * (lo + hi)
            lo, hi = (mid, hi) if f(mid) > target else (lo, mid)
        return 0.5 * (lo + hi)

    high = solve(lambda s: B.energy_between(table, capacity, s, 1.0), buffer * top_share, 0.0, 1.0)
    low = solve(lambda s: B.energy_between(table, capacity, s, high), usable, 0.0, high)
    return low, high


@settings(max_examples=60, deadline=None)
@given(gross_kwh=st.floats(10.0, 200.0), share=st.floats(0.5, 1.05),
       chemistry=st.sampled_from(["LFP", "NMC"]), volts=st.floats(200.0, 900.0))
def test_usable_windows_match_bisection_and_hold_the_usable_energy(gross_kwh, share, chemistry, volts):
    """usable_windows (vectorised, closed form) against a bisection, and its window holds the
    usable energy with a quarter of the buffer on top (the split of its docstring)."""
    from skateboard.physics import battery as B

    table = B.ocv_table(chemistry, volts)
    gross = gross_kwh * 3.6e6
    capacity = B.charge_capacity(table, gross)
    usable = share * gross
    tables = np.array([B.ocv_table("NMC", 355.0), table])
    low, high = B.usable_windows(tables, [1, 1], [capacity] * 2, [usable, min(usable, gross)])
    ref = _window_by_bisection(table, capacity, usable)
    assert low[0] == pytest.approx(ref[0], abs=1e-12) and high[0] == pytest.approx(ref[1], abs=1e-12)
    if share < 1.0:
        assert B.energy_between(table, capacity, low[0], high[0]) == pytest.approx(usable, rel=1e-9)
        assert B.energy_between(table, capacity, high[0], 1.0) == pytest.approx(
            0.25 * (gross - usable), rel=1e-9, abs=1e-3)
    else:
        assert (low[0], high[0]) == (0.0, 1.0)
