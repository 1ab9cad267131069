"""The tiled lane kernel (engine.lanes): its vectorised fast path against its exact path, and
results independent of where a variant sits in a batch."""

import os

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from skateboard.cycles import load_cycle
from skateboard.engine import layout as L, simulate
from skateboard.engine.batch import build_params
from skateboard.engine.lanes import LANES, OCV_KNOTS, ocv_hinges
from skateboard.engine.simulate import simulate_params
from skateboard.physics.battery import interp_uniform, ocv_table
from skateboard.spec.loader import list_derivatives, resolve_variant

import synthetic as syn

#: Quantities compared between the paths, with the energy scale they are judged against:
#: the paths evaluate the same formulas in a different order (force-domain motor limits,
#: hinge OCV), so they agree to round-off, not bit for bit.
ENERGIES = [n for n in L.SUMMARY_NAMES if n.startswith("e_")]


def _agree(fast, exact, rtol=1e-9):
    scale = np.abs(exact.summary[:, L.S["e_battery_chem"]]).max() + np.abs(exact["e_aero"]).max()
    for name in L.SUMMARY_NAMES:
        a, b = fast[name], exact[name]
        assert np.array_equal(np.isnan(a), np.isnan(b)), (name, a, b)  # depleted_at: NaN = never
        a, b = np.nan_to_num(a), np.nan_to_num(b)
        tol = rtol * scale if name in ENERGIES else rtol * np.maximum(np.abs(b), 1.0)
        assert np.all(np.abs(a - b) <= tol), (name, a, b)
    np.testing.assert_allclose(fast.phases, exact.phases, rtol=rtol, atol=rtol * scale)


@pytest.mark.parametrize("cycle", ["wltc_class3b", "udds", "hwfet", "cltc_p", "us06"])
def test_fast_path_equals_exact_path_on_bundled_vehicles(cycle):
    vs = [resolve_variant(d) for d in list_derivatives()]
    params, ocv, rex = build_params(vs)
    cyc = load_cycle(cycle)
    _agree(simulate_params(params, ocv, rex, cyc), simulate_params(params, ocv, rex, cyc, fast=False))


def test_fast_path_equals_exact_path_through_depletion_and_breakoff():
    # a range test: full charge (regeneration limited by the charge limit), to break-off at the
    # end of the usable window (the battery limits the power): both hand over to the exact path
    vs = [syn.variant(pack=syn.pack(usable_energy=8 * syn.KWH, gross_energy=8.5 * syn.KWH))]
    params, ocv, rex = build_params(vs)
    cyc = load_cycle("wltc_class3b")
    fast = simulate_params(params, ocv, rex, cyc, repeats=6, stop_on_breakoff=True)
    exact = simulate_params(params, ocv, rex, cyc, repeats=6, stop_on_breakoff=True, fast=False)
    assert fast["stopped"][0] == 1.0  # the case under test happened
    assert fast["e_regen"][0] > 0.0
    _agree(fast, exact)


@pytest.mark.parametrize("strategy", ["thermostat", "load_following", "hold", "operating_point"])
def test_fast_path_equals_exact_path_for_range_extenders(strategy):
    # charge-depleting on the fast path, the engine starting on the exact path and running on
    # the generating step (engine/generating.py; the operating-point strategy on the exact path)
    v = syn.erev(strategy, pack=syn.pack(usable_energy=12 * syn.KWH, gross_energy=13 * syn.KWH))
    params, ocv, rex = build_params([v], fuel=syn.E10_TEST_FUEL)
    cyc = load_cycle("wltc_class3b")
    fast = simulate_params(params, ocv, rex, cyc, repeats=6)
    exact = simulate_params(params, ocv, rex, cyc, repeats=6, fast=False)
    assert fast["engine_starts"][0] >= 1 and 0 < fast["electric_distance"][0] < fast["distance"][0]
    _agree(fast, exact)


@settings(max_examples=20, deadline=None)
@given(mass=st.floats(900, 3200), cd=st.floats(0.18, 0.5), soc=st.floats(0.05, 0.98),
       temp=st.floats(253.15, 318.15), power=st.floats(30e3, 400e3), awd=st.booleans(),
       mu=st.floats(0.1, 1.0), grade=st.floats(-0.08, 0.08),
       idle=st.sampled_from([1.0, 0.3, 0.0]))
def test_fast_path_equals_exact_path_on_random_vehicles(mass, cd, soc, temp, power, awd, mu, grade, idle):
    units = (syn.drive_unit(peak_power=power, peak_torque=power / 600.0),)
    if awd:  # a front unit that loses all, some or none of its no-load loss at zero torque
        units += (syn.drive_unit(name="front", axle="front", peak_power=power / 2, peak_torque=power / 1200.0,
                                 zero_torque_loss_factor=idle),)
    v = syn.variant(curb_mass=mass, drag_coefficient=cd, drive_units=units)
    rng = np.random.default_rng(int(mass))
    speed = np.clip(np.cumsum(rng.normal(0, 4, 400)), 0, 160)
    cyc = syn.cycle(speed, grade_rad=np.full(len(speed), grade))
    params, ocv, rex = build_params([v], soc_initial=soc, battery_temperature=temp, tyre_road_friction=mu)
    fast = simulate_params(params, ocv, rex, cyc)
    exact = simulate_params(params, ocv, rex, cyc, fast=False)
    _agree(fast, exact)
    assert abs(fast.energy_audit_residual()[0]) < 1e-9


def test_steady_steps_follow_grade_and_speed_changes():
    """Constant-speed stretches reuse the fast step's forces and losses (lanes.steady_step).
    A route of holds at 100 km/h on the flat, up a 4 % grade and down a 7 % grade (regeneration
    at constant speed), a stop, standing still, and a hold at 50 km/h, on all bundled vehicles and
    an AWD one: the fast path, steady steps included, gives the exact path's result to
    round-off, and the energy audit closes. A step that reused stale forces after a change of
    grade or speed would miss by the grade force times the distance, far above round-off."""
    vs = [resolve_variant(d) for d in list_derivatives()]
    vs.append(syn.variant(name="awd", drive_units=(syn.drive_unit(), syn.drive_unit(name="front", axle="front"))))
    up = np.linspace(0.0, 100.0, 31)
    speed = np.concatenate([up, np.full(300, 100.0), np.full(300, 100.0), np.full(300, 100.0), up[::-1],
                            np.zeros(60), np.linspace(0.0, 50.0, 16), np.full(200, 50.0)])
    grade = np.zeros(len(speed))
    grade[331:631] = np.arctan(0.04)
    grade[631:931] = -np.arctan(0.07)
    cyc = syn.cycle(speed, grade_rad=grade)
    params, ocv, rex = build_params(vs)
    fast = simulate_params(params, ocv, rex, cyc)
    exact = simulate_params(params, ocv, rex, cyc, fast=False)
    _agree(fast, exact)
    assert np.all(np.abs(fast.energy_audit_residual()) < 1e-9)
    assert np.all(fast["e_regen"] > 0)  # the downhill hold regenerates


def test_result_does_not_depend_on_batch_position_or_size():
    # the lanes of a tile run the same instructions and never mix: a variant's result is the
    # same bit for bit alone, in any lane, next to EREVs and in batches above and below a tile
    vs = [resolve_variant(d) for d in list_derivatives()]
    awd = syn.variant(name="awd", drive_units=(syn.drive_unit(), syn.drive_unit(name="front", axle="front")))
    vs.append(awd)  # tiles with and without a second unit take different compiled code
    rng = np.random.default_rng(7)
    batch = [vs[i % len(vs)].replace(name=f"v{i}", curb_mass=1600 + 10 * (i % 40)) for i in range(3 * LANES + 3)]
    cyc = load_cycle("udds")
    whole = simulate(batch, cyc).summary
    for i in rng.choice(len(batch), 5, replace=False):
        np.testing.assert_array_equal(simulate([batch[i]], cyc).summary[0], whole[i])
    shuffled = rng.permutation(len(batch))
    np.testing.assert_array_equal(simulate([batch[i] for i in shuffled], cyc).summary, whole[shuffled])


@pytest.mark.parametrize("threads", [1, 2, 3, 7])
def test_result_does_not_depend_on_the_number_of_threads(threads, monkeypatch):
    # a batch runs on engine_threads() threads, each over its own contiguous block of tiles
    # (simulate.run_kernel); any split gives the same bits, including more threads than tiles
    import importlib

    sim = importlib.import_module("skateboard.engine.simulate")  # the module, not the function
    vs = [resolve_variant(d) for d in list_derivatives()]
    batch = [vs[i % len(vs)].replace(name=f"v{i}", curb_mass=1500 + 7 * i) for i in range(5 * LANES + 2)]
    cyc = load_cycle("wltc_class3b")
    monkeypatch.setattr(sim, "engine_threads", lambda: 1)
    one = simulate(batch, cyc, repeats=2).summary
    monkeypatch.setattr(sim, "engine_threads", lambda: threads)
    np.testing.assert_array_equal(simulate(batch, cyc, repeats=2).summary, one)


def test_a_batch_runs_on_the_threads_numba_is_set_to(monkeypatch):
    # engine_threads() follows numba.set_num_threads (as each Dask worker sets 1), and a batch
    # of several tiles is then split over that many threads, one block of tiles each
    import importlib
    import threading

    import numba

    sim = importlib.import_module("skateboard.engine.simulate")
    calls = []
    real = sim.run_tiles

    def recording(t_start, t_stop, *args):
        calls.append((threading.get_ident(), t_start, t_stop))
        return real(t_start, t_stop, *args)

    monkeypatch.setattr(sim, "run_tiles", recording)
    v = resolve_variant(list_derivatives()[0])
    batch = [v.replace(name=f"v{i}") for i in range(4 * LANES)]
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        assert sim.engine_threads() == 1
        simulate(batch, load_cycle("udds"))
        assert [(t0, t1) for _, t0, t1 in calls] == [(0, 4)]
        if numba.config.NUMBA_NUM_THREADS >= 2:
            numba.set_num_threads(2)
            assert sim.engine_threads() == 2
            calls.clear()
            simulate(batch, load_cycle("udds"))
            assert sorted((t0, t1) for _, t0, t1 in calls) == [(0, 2), (2, 4)]
            assert len({ident for ident, _, _ in calls}) == 2
    finally:
        numba.set_num_threads(before)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_runs_batches_on_threads_of_its_own():
    # a process forked after the engine's pool exists (web or Dask workers) must not send work
    # to the parent's threads, which it does not have: it would wait for ever
    import multiprocessing

    vs = [resolve_variant(list_derivatives()[0]).replace(name=f"v{i}") for i in range(3 * LANES)]
    cyc = load_cycle("udds")
    parent = simulate(vs, cyc).summary  # with 2+ cores this creates the pool
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(1) as pool:
        child = pool.apply_async(_simulate_summary, (vs, cyc)).get(timeout=120)
    np.testing.assert_array_equal(child, parent)


def _simulate_summary(vs, cyc):
    return simulate(vs, cyc).summary


def test_hinge_ocv_reproduces_the_tables():
    tables = np.array([ocv_table("LFP", 400.0), ocv_table("NMC", 355.0)])
    h = ocv_hinges(tables)
    assert np.all(h[:, OCV_KNOTS + 1] == 1.0)
    for soc in np.linspace(-0.1, 1.1, 241):
        s = min(max(soc, 0.0), 1.0)
        for r in range(2):
            voc = h[r, 0] + h[r, 1] * s + sum(h[r, 1 + k] * max(s - k / OCV_KNOTS, 0.0) for k in range(1, OCV_KNOTS))
            assert voc == pytest.approx(interp_uniform(tables, r, soc), rel=1e-12)


@settings(max_examples=200, deadline=None)
@given(soc=st.floats(-0.1, 1.1), chemistry=st.sampled_from(["LFP", "NMC"]))
def test_ocv_segment_line_reproduces_the_tables(soc, chemistry):
    """The fast step's OCV is the line of the hinge segment that holds the SOC (lanes.ocv_segment):
    on that segment it equals the table's interpolation to round-off, and the segment's bounds
    hold the (clamped) SOC, so the line is never used outside them."""
    from skateboard.engine.lanes import ocv_segment
    from skateboard.engine.tile import H0, N_ROWS, S0, X_OCV_A, X_OCV_B, X_OCV_HI, X_OCV_LO, X_SOC

    tables = np.array([ocv_table(chemistry, 400.0)])
    h = ocv_hinges(tables)
    b = np.zeros(N_ROWS * LANES)
    for k in range(OCV_KNOTS + 1):
        b[(H0 + k) * LANES + 3] = h[0, k]
    b[(S0 + X_SOC) * LANES + 3] = soc
    ocv_segment(b, 3)
    s = min(max(soc, 0.0), 1.0)
    lo, hi = b[(S0 + X_OCV_LO) * LANES + 3], b[(S0 + X_OCV_HI) * LANES + 3]
    assert lo <= s <= hi and hi - lo == pytest.approx(1.0 / OCV_KNOTS)
    voc = b[(S0 + X_OCV_A) * LANES + 3] + b[(S0 + X_OCV_B) * LANES + 3] * s
    assert voc == pytest.approx(interp_uniform(tables, 0, soc), rel=1e-12)


def test_traction_step_hands_lanes_that_brake_while_accelerating_to_the_exact_path():
    """Steps whose trace accelerates take the traction-only fast step (lanes.traction_step_*).
    Accelerating gently down a 10 % grade the wheels must brake: the traction step declines
    those lanes, the exact path regenerates, and the result equals the exact path's to
    round-off. A traction step that kept such a lane would book traction, no regeneration."""
    vs = [resolve_variant(d) for d in list_derivatives()]
    vs.append(syn.variant(name="awd", drive_units=(syn.drive_unit(), syn.drive_unit(name="front", axle="front"))))
    speed = np.concatenate([np.linspace(0.0, 30.0, 11), np.linspace(30.0, 60.0, 300), np.full(20, 60.0)])
    grade = np.zeros(len(speed))
    grade[11:311] = -np.arctan(0.10)
    cyc = syn.cycle(speed, grade_rad=grade)
    params, ocv, rex = build_params(vs)
    fast = simulate_params(params, ocv, rex, cyc)
    exact = simulate_params(params, ocv, rex, cyc, fast=False)
    assert np.all(fast["e_regen"] > 0)  # the case under test happened: regeneration while accelerating
    _agree(fast, exact)
    assert np.all(np.abs(fast.energy_audit_residual()) < 1e-9)


def test_a_table_the_hinges_cannot_represent_goes_to_the_exact_path():
    tables = np.array([ocv_table("LFP", 400.0)])
    tables[0, 5] += 1.0  # a kink between knots
    assert ocv_hinges(tables)[0, OCV_KNOTS + 1] == 0.0
    v = syn.variant()
    params, _, rex = build_params([v])
    cyc = load_cycle("udds")
    a = simulate_params(params, tables, rex, cyc)
    b = simulate_params(params, tables, rex, cyc, fast=False)
    np.testing.assert_array_equal(a.summary, b.summary)


def test_a_car_that_cannot_hold_a_grade_stops_early_and_closes_its_audit():
    """A moving car on a grade steeper than its grip allows cannot come to rest within the step
    under its own traction. It stops earlier, at full traction, after the distance d at which
    traction, road load and grade have absorbed its kinetic energy:
    F_max d = R d - 1/2 m_i v0^2 (hand formula), and is then held at rest (no roll-back model).
    Found by hypothesis: before, the step booked the full distance v0 dt / 2 and the audit
    missed (F_required - F_max) v0 dt / 2 (residual 1.5e-7)."""
    grade, mu, v0_kmh = 0.08, 0.1, 1.0
    v = syn.variant(drive_units=(syn.drive_unit(),))  # rear-wheel drive
    cyc = syn.cycle([v0_kmh, v0_kmh, v0_kmh], grade_rad=np.full(3, grade))
    params, ocv, rex = build_params([v], tyre_road_friction=mu)
    fast = simulate_params(params, ocv, rex, cyc)
    exact = simulate_params(params, ocv, rex, cyc, fast=False)
    _agree(fast, exact)
    assert abs(exact.energy_audit_residual()[0]) < 1e-9
    # the first step by hand: stop from v0 at nominal deceleration v0 / dt (load transfer),
    # forces at the nominal mean speed v0 / 2
    p = params[0]
    v0 = v0_kmh / 3.6
    m, m_i, g = p[L.P["mass"]], p[L.P["inertial_mass"]], p[L.P["gravity"]]
    acc, vbar = -v0 / 1.0, v0 / 2.0
    transfer = acc * m * p[L.P["cg_height"]] / p[L.P["wheelbase"]]
    n_rear = m * g * np.cos(grade) * (1.0 - p[L.P["front_mass_share"]]) + transfer
    f_max = mu * n_rear  # grip-limited: the rear unit's 240 N m would give far more
    resist = p[L.P["f0"]] + p[L.P["f1"]] * vbar + p[L.P["f2"]] * vbar**2 + m * g * np.sin(grade)
    assert resist - f_max > m_i * v0  # the case under test: it cannot even stop on its own
    d = 0.5 * m_i * v0**2 / (resist - f_max)
    assert d < 0.5 * v0 * 1.0
    assert exact["distance"][0] == pytest.approx(d, rel=1e-12)
    assert exact["soc_end"][0] < p[L.P["soc_initial"]]  # it pushed at full traction meanwhile
    assert exact["trace_miss_time"][0] == 2.0


@pytest.mark.parametrize("strategy", ["thermostat", "load_following", "hold"])
@pytest.mark.parametrize("v_prev, vt", [(10.0, 11.0), (20.0, 20.0), (25.0, 23.5), (0.0, 0.0)])
def test_generating_step_equals_the_exact_step_for_a_running_engine(strategy, v_prev, vt):
    """One step of 16 range-extended lanes whose engine runs (accelerating, cruising, braking,
    standing): the fast step declines every lane, the generating step takes every one, and each
    ends where the exact step takes it from the same state, to round-off."""
    taken = _generating_against_exact(strategy, v_prev, vt, 0.0, [-0.01 * (l % 3) for l in range(LANES)])
    assert taken.all()


_GENERATING_ROWS = ("X_SOC", "X_V", "X_FUEL_MASS", "X_E_FUEL", "X_E_ENGINE_LOSS", "X_E_GENERATOR_LOSS",
                    "X_E_ENGINE_ELECTRIC", "X_ENGINE_ON_TIME", "X_ON_TIME", "X_E_NONELEC",
                    "X_E_DRIVETRAIN_LOSS", "X_E_FRICTION_BRAKE", "X_E_REGEN", "X_PH_CHEM", "X_PH_TERM",
                    "X_PH_FUEL", "X_ENGINE_ON")


def _generating_against_exact(strategy, v_prev, vt, grade, soc_offsets, on_time=0.0):
    """Run the fast step then the generating step on 16 lanes whose engine runs (SOC = target +
    offset), and check each lane against the exact step from the same state: a lane the
    generating step took ends where the exact step takes it (to round-off), one it declined is
    untouched. Returns which lanes it took."""
    from skateboard.engine import lanes
    from skateboard.engine import tile as T
    from skateboard.engine.batch import derive
    from skateboard.engine.generating import generating_step
    from skateboard.engine.tile import N_ROWS, S0

    vs = [syn.erev(strategy, drag_coefficient=0.25 + 0.01 * i) for i in range(LANES)]
    # from half charge: the hold strategy holds that; the others sustain their own target
    params, ocv, rex = build_params(vs, fuel=syn.E10_TEST_FUEL, soc_initial=0.5)
    params = derive(np.array(params, dtype=float, order="C"))
    hinges = ocv_hinges(ocv)
    b = np.zeros(N_ROWS * LANES)
    for l in range(LANES):
        lanes.init_lane(params[l], ocv, hinges, b, l)
        b[(S0 + T.X_V) * LANES + l] = v_prev
        b[(S0 + T.X_ENGINE_ON) * LANES + l] = 1.0          # running, and has delivered power
        b[(S0 + T.X_FIRST_GEN_STEP) * LANES + l] = 1.0
        b[(S0 + T.X_ON_TIME) * LANES + l] = on_time
        b[(S0 + T.X_SOC) * LANES + l] = b[(S0 + T.X_TARGET) * LANES + l] + soc_offsets[l]
        lanes.ocv_segment(b, l)
    before = b.copy()
    dt = 1.0
    sin_t, cos_t = np.sin(grade), np.cos(grade)
    declined = lanes.fast_step_1(b, v_prev, vt, sin_t, cos_t, dt, 1.0 / dt)
    assert declined == LANES                      # the fast step leaves a running engine alone
    n = generating_step(b, rex, v_prev, vt, dt, 1.0 / dt)
    taken = np.array([b[(S0 + T.X_TAKE) * LANES + l] == 1.0 for l in range(LANES)])
    assert n == taken.sum()
    for l in range(LANES):
        e = before.copy()
        lanes.exact_step(params[l], ocv, rex, e, l, vt, sin_t, cos_t, dt)
        for x in _GENERATING_ROWS:
            row = (S0 + getattr(T, x)) * LANES + l
            if taken[l]:
                assert b[row] == pytest.approx(e[row], rel=1e-9, abs=1e-6), (x, l)
            else:
                assert b[row] == before[row], (x, l)
        if taken[l]:
            assert b[(S0 + T.X_ENGINE_ON) * LANES + l] == 1.0 and b[(S0 + T.X_E_FUEL) * LANES + l] > 0.0
    return taken


@settings(max_examples=60, deadline=None)
@given(strategy=st.sampled_from(["thermostat", "load_following", "hold"]),
       v_prev=st.floats(0.0, 38.0), dv=st.floats(-3.0, 3.0), grade=st.floats(-0.08, 0.08),
       offsets=st.lists(st.floats(-0.08, 0.08), min_size=LANES, max_size=LANES),
       on_time=st.sampled_from([0.0, 1.0e4]))
def test_generating_step_takes_only_what_the_exact_step_would_do_alike(strategy, v_prev, dv, grade,
                                                                        offsets, on_time):
    """Random steps, grades and SOCs (above the band after the minimum on-time the engine must
    stop: the generating step leaves that to the exact step): every lane the generating step takes
    ends where the exact step takes it; every other lane is untouched."""
    _generating_against_exact(strategy, v_prev, max(v_prev + dv, 0.0), grade, offsets, on_time)


def test_calls_run_together_give_the_bits_of_calls_run_one_after_the_other(monkeypatch):
    """simulate_many shares the tiles of several calls out over the threads in blocks: every
    result equals that call alone, bit for bit (different cycles, sizes, repeats, a range
    extender, break-off)."""
    import numba

    from skateboard.engine.simulate import simulate_many

    vs = [resolve_variant(d) for d in list_derivatives()]
    rng = np.random.default_rng(3)
    jobs = []
    for n, cyc, reps, stop in ((40, "udds", 1, False), (3, "wltc_class3b", 2, False),
                               (70, "hwfet", 1, False), (17, "cltc_p", 45, True)):
        params, ocv, rex = build_params([vs[i % len(vs)] for i in range(n)])
        params[:, L.P_MASS] *= rng.uniform(0.9, 1.1, n)
        jobs.append(dict(params=params, ocv_tables=ocv, rex_tables=rex, cycle=load_cycle(cyc),
                         repeats=reps, stop_on_breakoff=stop))
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
        together = simulate_many(jobs)
    finally:
        numba.set_num_threads(before)
    for job, res in zip(jobs, together):
        alone = simulate_params(**job)
        np.testing.assert_array_equal(res.summary, alone.summary)
        np.testing.assert_array_equal(res.phases, alone.phases)
    assert together[3]["stopped"].any()     # the break-off job did break off
