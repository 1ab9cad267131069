"""The batch kernel: hand calculations, conservation of energy, limits and trace misses."""

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from skateboard.engine import simulate
from skateboard.engine.batch import AIR_DENSITY_WLTP, GRAVITY, build_params, pack_state
from skateboard.physics.battery import current_for_power

import synthetic as syn

FUELS = {"E10": syn.E10_TEST_FUEL}


def test_constant_speed_road_load_matches_hand_calculation():
    # Hand calculation (Gillespie, Fundamentals of Vehicle Dynamics, ch. 4):
    # F = (C_rr + c_v v) m g + rho Cd A v^2 / 2 at 100 km/h on the level; energy = F * distance
    # (c_v: the rolling resistance that grows with speed, skateboard.spec.defaults).
    v = syn.variant(rolling_resistance_speed_coefficient=1.2e-4)
    m = v.curb_mass + 75.0
    speed = 100 / 3.6
    hold = syn.constant_speed_cycle(100, hold_s=600)
    ramp = syn.constant_speed_cycle(100, hold_s=0)
    r_hold, r_ramp = simulate([v], hold), simulate([v], ramp)
    d = r_hold["distance"][0] - r_ramp["distance"][0]
    assert d == pytest.approx(speed * 600, rel=1e-12)
    aero = r_hold["e_aero"][0] - r_ramp["e_aero"][0]
    rolling = r_hold["e_rolling"][0] - r_ramp["e_rolling"][0]
    assert aero == pytest.approx(0.5 * AIR_DENSITY_WLTP * 0.30 * 2.5 * speed**2 * d, rel=1e-9)
    assert rolling == pytest.approx((0.009 + 1.2e-4 * speed) * m * GRAVITY * d, rel=1e-9)


def test_energy_audit_closes_on_a_random_trace():
    rng = np.random.default_rng(1)
    speed = np.clip(np.cumsum(rng.normal(0, 4, 2000)), 0, 140)
    speed[0] = speed[-1] = 0
    grade = rng.normal(0, 0.03, 2000)
    strategies = ("thermostat", "load_following", "hold", "operating_point")
    r = simulate([syn.variant()] + [syn.erev(s) for s in strategies], syn.cycle(speed, grade_rad=grade),
                 repeats=3, fuels=FUELS, soc_initial=0.185)
    assert np.all(np.abs(r.energy_audit_residual()) < 1e-9)
    # every range extender ran, so fuel is part of each audit
    assert np.all(r["e_fuel"][1:] > 0)


def test_coastdown_form_equals_physical_form_with_same_coefficients():
    v = syn.variant(rolling_resistance_speed_coefficient=1.2e-4)
    m = v.curb_mass + 75.0
    f0 = 0.009 * m * GRAVITY
    f1 = 1.2e-4 * m * GRAVITY
    f2 = 0.5 * AIR_DENSITY_WLTP * 0.30 * 2.5
    cd = v.replace(drag_coefficient=None, frontal_area=None, rolling_resistance_coefficient=None,
                   f0=f0, f1=f1, f2=f2)
    cyc = syn.constant_speed_cycle(80)
    a, b = simulate([v], cyc), simulate([cd], cyc)
    assert a["e_battery_terminal"][0] == pytest.approx(b["e_battery_terminal"][0], rel=1e-12)


def test_no_charge_accepted_above_the_usable_window():
    # Start 1 % of capacity above the usable window (about 0.6 kWh; the short drive uses about
    # 0.1 kWh, so the SOC stays above it): the BMS accepts no charge, regen may only feed the
    # auxiliaries, and the friction brakes take the rest.
    v = syn.variant()
    st_ = pack_state(v.pack)
    cyc = syn.constant_speed_cycle(60, hold_s=5)
    full = simulate([v], cyc, soc_initial=st_["soc_max"] + 0.01, record=True)
    normal = simulate([v], cyc, soc_initial=0.5)
    tr = full.trace_frame(0)
    assert tr["soc"].min() > st_["soc_max"]
    assert tr["battery_power_w"].min() >= -1e-9
    assert full["e_regen"][0] <= v.aux_power * 30 + 1e-6  # at most the aux load over the 30 s stop
    assert full["e_friction_brake"][0] > normal["e_friction_brake"][0] > 0.0
    assert normal["e_regen"][0] > full["e_regen"][0]


def test_regen_fades_to_zero_at_low_speed():
    # Braking from 4 km/h, below the 5 km/h fade threshold (engine.batch.REGEN_FADE): no regen.
    v = syn.variant()
    r = simulate([v], syn.cycle([0, 2, 4, 4, 2, 0]), soc_initial=0.5)
    assert r["e_regen"][0] == 0.0
    assert r["e_friction_brake"][0] > 0.0


def test_regen_limited_by_battery_charge_power():
    v = syn.variant(pack=syn.pack(max_charge_power=10e3))
    hard_stop = syn.cycle(np.concatenate([np.linspace(0, 120, 40), np.linspace(120, 0, 12)]))
    r = simulate([v], hard_stop, soc_initial=0.5, record=True)
    tr = r.trace_frame(0)
    # battery charging power never exceeds the 10 kW limit (sign: charging is negative)
    assert tr["battery_power_w"].min() >= -10e3 - 1e-6
    assert r["e_friction_brake"][0] > 0


def test_battery_current_matches_closed_form():
    # P = V I - R I^2  =>  I = (V - sqrt(V^2 - 4 R P)) / (2 R)
    for p in (-50e3, 0.0, 1e3, 80e3, 150e3):
        v, res = 380.0, 0.09
        i, feasible = current_for_power(p, v, res)
        assert feasible
        assert i == pytest.approx((v - np.sqrt(v * v - 4 * res * p)) / (2 * res), rel=1e-12, abs=1e-12)
        assert v * i - res * i * i == pytest.approx(p, abs=1e-6)
    assert not current_for_power(380.0**2 / (4 * 0.09) * 1.01, 380.0, 0.09)[1]


def test_trace_miss_is_recorded_and_run_continues():
    weak = syn.variant(drive_units=(syn.drive_unit(peak_power=30e3, peak_torque=80.0),))
    steep = syn.cycle(np.concatenate([np.linspace(0, 130, 10), np.full(50, 130), np.linspace(130, 0, 30)]))
    r = simulate([weak, syn.variant()], steep)
    assert r["trace_miss_time"][0] > 10
    assert r["max_shortfall"][0] > 10 / 3.6
    assert r["time"][0] == steep.time[-1]  # never aborts
    assert r["trace_miss_time"][1] < r["trace_miss_time"][0]
    assert np.all(np.abs(r.energy_audit_residual()) < 1e-9)


def test_grip_limits_launch_on_ice():
    # mu = 0.1 on the driven rear axle carrying about half the weight:
    # a <= mu g N_rear / (m_i) ~ 0.1 * 9.81 * 0.5 / 1.03 = 0.48 m/s^2 (before load transfer)
    v = syn.variant()
    launch = syn.cycle(np.concatenate([[0], np.full(10, 100.0)]))
    r = simulate([v], launch, tyre_road_friction=0.1, record=True)
    speed = r.trace_frame(0)["speed_kmh"].to_numpy() / 3.6
    acc = np.diff(speed)
    assert acc.max() < 0.1 * GRAVITY * 0.6 / 1.03
    assert acc.max() > 0.1 * GRAVITY * 0.4 / 1.03


def test_batch_of_copies_equals_single_runs():
    rng = np.random.default_rng(2)
    vs = [syn.variant(name=f"v{i}", curb_mass=1500 + 100 * i, drag_coefficient=0.25 + 0.02 * i) for i in range(5)]
    cyc = syn.cycle(np.clip(np.cumsum(rng.normal(0, 3, 600)), 0, 120))
    batch = simulate(vs, cyc).summary
    singles = np.vstack([simulate([v], cyc).summary for v in vs])
    np.testing.assert_array_equal(batch, singles)


@settings(max_examples=25, deadline=None)
@given(mass=st.floats(1000, 3000), cd=st.floats(0.2, 0.45), soc=st.floats(0.2, 0.9),
       temp=st.floats(253.15, 318.15))
def test_audit_invariant_over_random_vehicles(mass, cd, soc, temp):
    v = syn.variant(curb_mass=mass, drag_coefficient=cd)
    cyc = syn.cycle(np.concatenate([np.linspace(0, 100, 20), np.full(30, 100), np.linspace(100, 0, 15)]))
    r = simulate([v], cyc, soc_initial=soc, battery_temperature=temp)
    assert abs(r.energy_audit_residual()[0]) < 1e-9
    # more drag never costs less energy
    r2 = simulate([v.replace(drag_coefficient=cd + 0.05)], cyc, soc_initial=soc, battery_temperature=temp)
    assert r2["e_battery_chem"][0] > r["e_battery_chem"][0]


def test_build_params_uses_test_mass_for_rolling_resistance():
    v = syn.variant()
    p, _, _ = build_params([v], mass=2000.0)
    from skateboard.engine import layout as L
    assert p[0, L.P_F0] == pytest.approx(0.009 * 2000.0 * GRAVITY)
    assert p[0, L.P_INERTIAL_MASS] == pytest.approx(2000.0 * 1.03)


def test_a_disconnecting_front_unit_saves_exactly_its_no_load_loss():
    """AWD car, gentle ramp to 80 km/h (0.5 km/h per s) and a cruise on the level, no braking:
    the primary (rear) unit never saturates, so the front unit gives no torque at any step. With
    zero_torque_loss_factor 0 (a disconnect clutch) the drivetrain loses exactly the front unit's
    no-load loss less, summed over the steps at its motor speed (physics.drive_unit.loss_power
    at zero torque, an independent implementation of the loss model); with 0.5, half of it.
    The battery supplies the saving and the audit closes."""
    from skateboard.physics.drive_unit import loss_power

    front = syn.drive_unit(name="front", axle="front", peak_power=80e3, peak_torque=150.0)
    speed_kmh = np.concatenate([np.linspace(0.0, 80.0, 161), np.full(300, 80.0)])
    vs = [syn.variant(drive_units=(syn.drive_unit(), replace(front, zero_torque_loss_factor=k)))
          for k in (1.0, 0.5, 0.0)]
    r = simulate(vs, syn.cycle(speed_kmh))
    v = speed_kmh / 3.6
    vbar = 0.5 * (v[1:] + v[:-1])
    w = vbar / vs[0].wheel_radius * front.gear_ratio
    no_load = loss_power(w, 0.0, front.peak_torque, front.peak_power, front.max_speed,
                         front.loss_coefficients).sum() * 1.0  # dt = 1 s
    saved = r["e_drivetrain_loss"][0] - r["e_drivetrain_loss"]
    assert saved[2] == pytest.approx(no_load, rel=1e-9)
    assert saved[1] == pytest.approx(0.5 * no_load, rel=1e-9)
    assert np.all(np.diff(r["e_battery_terminal"]) < 0.0)
    np.testing.assert_array_equal(r["distance"], r["distance"][0])
    assert np.all(np.abs(r.energy_audit_residual()) < 1e-9)


def test_written_out_kernel_constants_equal_their_tables():
    # engine/layout.py and engine/tile.py write the kernel's integer constants out by hand
    # (names grep can find); each must equal its table's index
    from skateboard.engine import layout, tile

    for prefix, table in (("P_", layout.P), ("S_", layout.S), ("R_", layout.R), ("TR_", layout.TR)):
        for name, index in table.items():
            assert getattr(layout, prefix + name.upper()) == index, prefix + name
    for name, index in tile.ST.items():
        assert getattr(tile, "X_" + name.upper()) == index, name
    # and nothing else carries a prefix (a stale constant left after a table changed)
    stale = [n for n in dir(layout) if n[:2] in ("P_", "S_", "R_") and n[2:].lower() not in
             {"P_": layout.P, "S_": layout.S, "R_": layout.R}[n[:2]]]
    assert stale == []
    assert [n for n in dir(tile) if n.startswith("X_") and n[2:].lower() not in tile.ST] == []


@settings(max_examples=300, deadline=None)
@given(w=st.floats(0.0, 2000.0), tq=st.one_of(st.just(0.0), st.floats(-400.0, 400.0)),
       pk=st.floats(20e3, 400e3), pt=st.floats(100.0, 600.0), ws=st.floats(500.0, 2500.0),
       c=st.tuples(*[st.floats(0.0, 0.05)] * 4), z=st.floats(0.0, 1.0))
def test_kernel_drive_unit_loss_is_the_physics_function(w, tq, pk, pt, ws, c, z):
    # one home for the equation: physics.drive_unit.unit_loss is Larminie & Lowry's loss model
    # written out here by hand, and the kernel's parameter-row adapter returns exactly it
    from skateboard.engine import kernel
    from skateboard.engine import layout as L
    from skateboard.physics.drive_unit import loss_power

    s, tau = w / ws, abs(tq) / pt
    by_hand = pk * (c[0] + c[1] * s + c[2] * tau**2 + c[3] * s**3)
    if tau == 0.0:
        by_hand = 0.0 if s == 0.0 else pk * (c[0] + c[1] * s + c[3] * s**3) * z
    want = float(loss_power(w, tq, pt, pk, ws, c, zero_torque_loss_factor=z))
    assert want == pytest.approx(by_hand, rel=1e-12, abs=1e-9)
    p = np.zeros(L.N_PARAMS)
    p[L.P_DU0_PEAK_POWER], p[L.P_DU0_INV_MAX_SPEED], p[L.P_DU0_INV_PEAK_TORQUE] = pk, 1 / ws, 1 / pt
    p[[L.P_DU0_C0, L.P_DU0_C1, L.P_DU0_C2, L.P_DU0_C3]] = c
    p[L.P_DU0_ZERO_TORQUE_LOSS] = z
    assert kernel._loss(p, 0, w, tq) == pytest.approx(want, rel=1e-12, abs=1e-9)


def test_the_kernel_writes_every_summary_column():
    """run_tiles fills every column of every variant's summary row (a column added to the layout
    but not to lanes._write_summary would keep what the array held)."""
    from skateboard.cycles import load_cycle
    from skateboard.engine.simulate import _prepare, run_kernel
    from skateboard.spec import resolve_variant

    vs = [resolve_variant("hongqi-b10-bev"), resolve_variant("hongqi-b10-erev")]
    params, ocv, rex = build_params(vs)
    call, result = _prepare(params, ocv, rex, load_cycle("udds"), repeats=2)
    summary = call[15]
    summary[:] = -123.0
    run_kernel(*call)
    assert not (result().summary == -123.0).any()


def test_pack_columns_of_many_packs_are_each_packs_own():
    """A sweep of pack sizes builds every pack's columns in one vectorised call: each row (and
    its OCV table, chosen by chemistry and nominal voltage) equals that pack's alone, and a
    variant's parameter row carries its own pack's window."""
    from skateboard.engine import layout as L
    from skateboard.engine.batch import pack_columns

    base = syn.variant().pack
    packs = [replace(base, gross_energy=g * 3.6e6, usable_energy=0.93 * g * 3.6e6, chemistry=c,
                     nominal_voltage=u, max_current=i)
             for g, c, u, i in [(40, "LFP", 350.0, None), (90, "NMC", 700.0, 600.0),
                                (60, "LFP", 350.0, None), (75, "NMC", 400.0, None)]]
    cols, tables = pack_columns(packs)
    assert len(tables) == 3                       # three distinct (chemistry, voltage)
    for p, row in zip(packs, cols):
        own_cols, own_tables = pack_columns([p])
        np.testing.assert_array_equal(row[1:], own_cols[0, 1:])
        np.testing.assert_array_equal(tables[int(row[0])], own_tables[0])
    variants = [syn.variant(pack=p) for p in packs]
    params, ocv, _ = build_params(variants)
    for p, prow in zip(packs, params):
        st_ = pack_state(p)
        assert prow[L.P_SOC_MIN] == st_["soc_min"] and prow[L.P_SOC_MAX] == st_["soc_max"]
        np.testing.assert_array_equal(ocv[int(prow[L.P_OCV_ROW])], st_["table"])
    assert cols[1, -1] == 600.0 and cols[0, -1] == pytest.approx(packs[0].max_discharge_power / cols[0, 3])
