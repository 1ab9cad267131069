"""Results stay inside physics (issue 17, items 3 and 4): the pack never goes below its usable
window, its current stays within its limit, implausible inputs are refused at the spec layer,
every result row is checked, and range tests size their repetitions from the run's own
consumption."""

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from skateboard.checks import AUDIT_TOLERANCE, check_rows
from skateboard.cycles import load_cycle
from skateboard.engine import layout as L, simulate
from skateboard.engine.batch import build_params, pack_current_limit, pack_state
from skateboard.engine.result import SimResult
from skateboard.engine.simulate import simulate_params
from skateboard.errors import ResultError, SpecError
from skateboard.physics.battery import voltage_limits
from skateboard.procedures import common as C, wltp
from skateboard.spec.bounds import MAX_PACK_CURRENT
from skateboard.spec.loader import resolve_variant

import synthetic as syn

from clirun import run_cli
ROOT = Path(__file__).resolve().parents[1]
PLATFORM = ROOT / "src" / "skateboard" / "data" / "platforms" / "b10.toml"




def parked(hours, dt):
    """A cycle at rest for ``hours`` h, one sample every ``dt`` s."""
    n = int(round(hours * 3600 / dt))
    speed = np.zeros(n + 1)
    c = syn.cycle(speed, name="parked")
    c.time = np.arange(n + 1) * dt
    c.dt = dt
    return c


def _agree(fast, exact, rtol=1e-9):
    scale = np.abs(exact["e_battery_chem"]).max() + np.abs(exact["e_aux"]).max()
    for name in L.SUMMARY_NAMES:
        a, b = fast[name], exact[name]
        assert np.array_equal(np.isnan(a), np.isnan(b)), (name, a, b)
        a, b = np.nan_to_num(a), np.nan_to_num(b)
        tol = rtol * scale if name.startswith("e_") else rtol * np.maximum(np.abs(b), 1.0)
        assert np.all(np.abs(a - b) <= tol), (name, a, b)


# --- the pack never goes below its usable window ---------------------------------------------

def test_parked_300_hours_stops_at_the_bottom_of_the_window_cli(tmp_path):
    # reproducer: 300 h parked (speed 0, one row per hour) gave soc_end = -0.394 with exit 0
    rows = ["time_s,speed_kmh"] + [f"{h * 3600},0" for h in range(301)]
    (tmp_path / "park.csv").write_text("\n".join(rows) + "\n")
    r = run_cli("simulate", "--variant", "leapmotor-b10", "--cycle", "park.csv", "--json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    row = json.loads(r.stdout)[0]
    v = resolve_variant("leapmotor-b10")
    soc_min = pack_state(v.pack)["soc_min"]
    assert row["soc_end"] == pytest.approx(soc_min, abs=1e-12)
    # 300 W of auxiliaries (the platform default) stopped when the pack ran out: the energy they
    # got is 300 W x the time it took, and that is the usable energy less the pack's I^2 R loss
    t = row["depleted_at_s"]
    assert row["energy_aux_j"] == pytest.approx(300.0 * t, rel=1e-12)
    assert t == pytest.approx(v.pack.usable_energy / 300.0, rel=2e-3)   # 65 kWh / 300 W = 216.7 h
    assert abs(row["energy_audit_residual"]) < 1e-9
    r = run_cli("simulate", "--variant", "leapmotor-b10", "--cycle", "park.csv", cwd=tmp_path)
    assert r.returncode == 0 and "the pack ran out at" in r.stdout


def test_constant_aux_power_drains_the_usable_energy_in_e_over_p_seconds():
    # hand calculation: a parked car whose only load is P = 1 kW of auxiliaries, a pack with
    # negligible resistance: the usable energy E (the OCV integral over the usable window, the
    # kernel's own definition) lasts E / P seconds. Steps of 60 s: the kernel takes the OCV at
    # the start of each step (a left Riemann sum, error about dV/V per step, 1e-5 here).
    p_aux = 1000.0
    v = syn.variant(aux_power=p_aux, pack=syn.pack(usable_energy=20 * syn.KWH, gross_energy=21 * syn.KWH,
                                                   resistance=1e-6))
    res = simulate([v], parked(30, 60.0))
    expected = 20 * syn.KWH / p_aux   # 72 000 s = 20 h
    assert res["depleted_at"][0] == pytest.approx(expected, rel=1e-4)
    assert res["soc_end"][0] == pytest.approx(pack_state(v.pack)["soc_min"], abs=1e-12)
    assert res["e_aux"][0] == pytest.approx(p_aux * res["depleted_at"][0], rel=1e-12)
    assert res["time"][0] == pytest.approx(30 * 3600)   # the run goes on, nothing served
    assert abs(res.energy_audit_residual()[0]) < 1e-9


def test_a_pack_that_never_runs_out_reports_nan():
    res = simulate([syn.variant()], load_cycle("wltc_class3b"))
    assert math.isnan(res["depleted_at"][0])
    assert math.isnan(res.to_pandas()["depleted_at_s"][0])


def test_fast_path_equals_exact_path_when_the_pack_runs_out_while_driving():
    # a 3 kWh pack over three WLTCs without break-off: it runs out in the first, the car coasts
    # to a stop and stays there; regeneration and auxiliaries stop with it
    v = syn.variant(pack=syn.pack(usable_energy=3 * syn.KWH, gross_energy=3.2 * syn.KWH))
    params, ocv, rex = build_params([v])
    cyc = load_cycle("wltc_class3b")
    fast = simulate_params(params, ocv, rex, cyc, repeats=3)
    exact = simulate_params(params, ocv, rex, cyc, repeats=3, fast=False)
    assert 0 < fast["depleted_at"][0] < cyc.time[-1]
    assert fast["soc_end"][0] == pytest.approx(params[0, L.P_SOC_MIN], abs=1e-12)
    # it stood still for the rest (the WLTC's own stops, about 13 % of it, are no miss)
    assert fast["trace_miss_time"][0] > 1.5 * cyc.time[-1]
    assert fast["distance"][0] < cyc.distance
    _agree(fast, exact)
    assert abs(fast.energy_audit_residual()[0]) < 1e-9
    rec = simulate_params(params, ocv, rex, cyc, repeats=3, record=True)
    assert rec.trace[0, :, L.TR_SOC].min() >= params[0, L.P_SOC_MIN] - 1e-15


@settings(max_examples=25, deadline=None)
@given(mass=st.floats(900, 3000), usable_kwh=st.floats(0.5, 6.0), aux=st.floats(0.0, 5000.0),
       soc=st.floats(0.0, 0.6), temp=st.floats(253.15, 318.15), grade=st.floats(-0.06, 0.06),
       awd=st.booleans(), seed=st.integers(0, 2**16))
def test_audit_closes_and_soc_stays_in_the_window_when_depleted(mass, usable_kwh, aux, soc, temp, grade,
                                                                awd, seed):
    units = (syn.drive_unit(),)
    if awd:
        units += (syn.drive_unit(name="front", axle="front", peak_power=80e3, peak_torque=120.0,
                                 zero_torque_loss_factor=0.3),)
    v = syn.variant(curb_mass=mass, aux_power=aux, drive_units=units,
                    pack=syn.pack(usable_energy=usable_kwh * syn.KWH, gross_energy=1.05 * usable_kwh * syn.KWH))
    rng = np.random.default_rng(seed)
    speed = np.clip(np.cumsum(rng.normal(0, 4, 1500)), 0, 140)
    cyc = syn.cycle(speed, grade_rad=np.full(len(speed), grade))
    params, ocv, rex = build_params([v], soc_initial=soc, battery_temperature=temp)
    fast = simulate_params(params, ocv, rex, cyc)
    exact = simulate_params(params, ocv, rex, cyc, fast=False)
    _agree(fast, exact)
    for r in (fast, exact):
        assert abs(r.energy_audit_residual()[0]) < AUDIT_TOLERANCE
        assert r["soc_end"][0] >= min(soc, params[0, L.P_SOC_MIN]) - 1e-12
    if not math.isnan(fast["depleted_at"][0]):
        assert fast["soc_end"][0] <= max(soc, params[0, L.P_SOC_MIN]) + 1e-12


def test_a_test_that_needs_full_cycles_refuses_a_depleted_pack():
    # a range extender whose half-litre tank runs dry, with a tiny pack: the charge-depleting
    # and charge-sustaining tests would report figures for cycles the car did not drive
    v = syn.erev("thermostat", pack=syn.pack(usable_energy=1.5 * syn.KWH, gross_energy=1.7 * syn.KWH,
                                             max_discharge_power=150e3),
                 range_extender=syn.range_extender(fuel_tank_volume=0.0005))
    with pytest.raises(ResultError, match="depleted_at_s"):
        C.ovc_hev([v], load_cycle("wltc_class3b"), [C.wltp_test_mass(v)], fuel=syn.E10_TEST_FUEL)


# --- currents and voltages within the pack's limits -----------------------------------------

def test_declared_current_limit_caps_power_and_never_binds_by_default():
    base = syn.pack(nominal_voltage=400.0)
    # default: the rated power at the voltage floor (never binds before the voltage floor does)
    v_min = voltage_limits("LFP", 400.0)[0]
    assert pack_current_limit(base) == pytest.approx(base.max_discharge_power / v_min)
    cyc = load_cycle("us06")
    free = simulate([syn.variant(pack=base)], cyc, record=True)
    limited_pack = syn.pack(nominal_voltage=400.0, max_current=150.0)
    limited = simulate([syn.variant(pack=limited_pack)], cyc, record=True)
    p_free = free.trace[0, :, L.TR_BATTERY_POWER].max()
    p_lim = limited.trace[0, :, L.TR_BATTERY_POWER].max()
    v_max = voltage_limits("LFP", 400.0)[1]
    assert p_free > 150.0 * v_max             # the case under test: US06 needs more
    assert p_lim <= 150.0 * v_max              # I <= 150 A at any terminal voltage <= V_max
    assert limited["trace_miss_time"][0] > free["trace_miss_time"][0]
    assert abs(limited.energy_audit_residual()[0]) < 1e-9


def _write_car(tmp_path, pack_lines=None, platform_lines=None):
    text = PLATFORM.read_text()
    for old, new in (pack_lines or {}).items():
        assert old in text
        text = text.replace(old, new, 1)
    for old, new in (platform_lines or {}).items():
        assert old in text
        text = text.replace(old, new, 1)
    (tmp_path / "b10x.toml").write_text(text)
    car = (ROOT / "src" / "skateboard" / "data" / "derivatives" / "leapmotor-b10.toml").read_text()
    (tmp_path / "car.toml").write_text(car.replace('platform = "b10"', 'platform = "b10x.toml"'))
    (tmp_path / "prog.toml").write_text('name = "p"\ntitle = "p"\nvariants = ["car.toml"]\n')


def test_a_12_volt_67_kwh_pack_is_refused(tmp_path):
    # reproducer: evaluated normally before (0-100 km/h in 7.8 s would need over 12 kA)
    _write_car(tmp_path, {'gross_energy = "67.1 kWh"          # source: docs/sources.md, e-auto.pt\n'
                          'usable_energy = "65.0 kWh"         # source: vroom.be ("67,1 kWh (65 kWh nets)")\n'
                          'nominal_voltage = "332.8 V"':
                          'gross_energy = "67.1 kWh"\nusable_energy = "65.0 kWh"\nnominal_voltage = "12 V"'})
    r = run_cli("evaluate", "prog.toml", "--markets", "eu", cwd=tmp_path)
    assert r.returncode == 2, (r.stdout, r.stderr)
    line = r.stderr.strip()
    assert len(line.splitlines()) == 1 and "Traceback" not in line
    for part in ("b10x.toml", "packs.67kwh.nominal_voltage", "12 V", "60 ... 1500 V", "UN R100"):
        assert part in line, line


def test_a_pack_whose_rated_power_needs_kiloamperes_is_refused():
    from skateboard.spec import models as m
    # 100 V LFP: the voltage floor is 78 V, so 300 kW needs 3.8 kA
    data = dict(chemistry="LFP", usable_energy="60 kWh", gross_energy="62 kWh", nominal_voltage="100 V",
                max_discharge_power="300 kW", max_charge_power="100 kW")
    with pytest.raises(SpecError) as exc:
        m.validate(m.PackOption, data, file="plat.toml", prefix="packs.x")
    msg = exc.value.one_line()
    assert "packs.x.max_discharge_power" in msg and "A" in msg and str(int(MAX_PACK_CURRENT)) in msg
    # declared current limit: accepted, and the kernel limits the power physically
    ok = m.validate(m.PackOption, dict(data, max_current="1000 A"), file="plat.toml")
    assert ok.max_current == 1000.0
    with pytest.raises(SpecError, match="cells_in_series"):
        m.validate(m.PackOption, dict(data, max_discharge_power="50 kW", cells_in_series=10))
    assert m.validate(m.PackOption, dict(data, max_discharge_power="50 kW", cells_in_series=31))


def test_charger_efficiency_1e_minus_6_is_refused(tmp_path):
    _write_car(tmp_path, platform_lines={"charger_efficiency = 0.86": "charger_efficiency = 1e-6"})
    r = run_cli("simulate", "prog.toml", cwd=tmp_path)
    assert r.returncode == 2, (r.stdout, r.stderr)
    line = r.stderr.strip()
    assert len(line.splitlines()) == 1
    for part in ("b10x.toml", "charger_efficiency", "1e-06", "0.7 ... 0.99", "source:"):
        assert part in line, line


@pytest.mark.parametrize("field, value", [("gearbox_efficiency", 0.5), ("generator_efficiency", 0.3)])
def test_other_efficiencies_have_plausible_ranges(field, value):
    from skateboard.spec.bounds import check_efficiency
    with pytest.raises(SpecError, match=f"{field}.*source:"):
        check_efficiency(field, value, file="f.toml")
    check_efficiency(field, 0.95)


# --- every result row is checked -------------------------------------------------------------

@pytest.mark.parametrize("column, value, fragment", [
    ("soc_end", -0.394, "soc_end"),
    ("soc_end", 1.2, "soc_end"),
    ("range_km", float("nan"), "range_km"),
    ("consumption_wh_per_km", float("inf"), "consumption_wh_per_km"),
    ("energy_audit_residual", 1e-6, "energy_audit_residual"),
])
def test_a_row_outside_physics_is_an_error_naming_variant_cycle_and_quantity(column, value, fragment):
    row = {"variant": "car-a", "cycle": "park", "distance_km": 1.0, "soc_end": 0.5, "range_km": 400.0,
           "energy_audit_residual": 1e-14}
    row[column] = value
    with pytest.raises(ResultError) as exc:
        check_rows(pd.DataFrame([row]))
    msg = exc.value.one_line()
    assert "'car-a'" in msg and "'park'" in msg and fragment in msg


_CELL = st.sampled_from([0.0, 0.5, 1.0, -0.1, 1.2, 1e-6, 1e-14, 400.0, float("nan"), float("inf"),
                         -float("inf")])
_KEYS = ["soc_start", "soc_end", "range_km", "distance_km", "consumption_wh_per_km",
         "energy_audit_residual", "energy_battery_j", "depleted_at_s", "accel_0_100_s"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.fixed_dictionaries({k: _CELL for k in _KEYS}), min_size=1, max_size=6),
       st.sets(st.sampled_from(_KEYS)))
def test_a_table_is_checked_as_its_rows_are(rows, dropped):
    """check_rows on a DataFrame (whole columns at once) passes or fails exactly as the same rows
    checked one by one, and names the same row and quantity."""
    rows = [{"variant": f"v{i}", "cycle": "c", **{k: r[k] for k in _KEYS if k not in dropped}}
            for i, r in enumerate(rows)]  # one column order, as a table has

    def outcome(arg):
        try:
            check_rows(arg)
        except ResultError as exc:
            return exc.one_line()
        return None

    assert outcome(pd.DataFrame(rows)) == outcome(rows)


def test_not_applicable_nan_passes_the_check():
    rows = [{"variant": "a", "cycle": "parked", "distance_km": 0.0, "consumption_wh_per_km": np.nan,
             "depleted_at_s": np.nan, "range_45c_km": np.nan, "accel_0_100_s": np.nan,
             "soc_end": 0.0, "energy_audit_residual": 0.0}]
    assert check_rows(rows) is rows


def test_simresult_rows_are_checked_before_they_leave():
    res = simulate([syn.variant()], load_cycle("udds"))
    bad = SimResult(names=res.names, cycle="udds", summary=res.summary.copy(), phases=res.phases,
                    phase_names=res.phase_names, trace=None, params=res.params)
    bad.summary[0, L.S["soc_end"]] = -0.394
    with pytest.raises(ResultError, match="variant 'synthetic', cycle 'udds', soc_end"):
        bad.to_pandas()


# --- range tests: repetitions from the run's own consumption ----------------------------------

def efficient_car():
    # about 52 Wh/km over the WLTC with a 150 kWh pack: the old 70 Wh/km floor sized 94 WLTCs,
    # the car needs about 125
    return syn.variant(name="efficient", curb_mass=800.0, max_gross_mass=1200.0, drag_coefficient=0.10,
                       frontal_area=1.5, rolling_resistance_coefficient=0.0025, aux_power=50.0,
                       pack=syn.pack(usable_energy=150 * syn.KWH, gross_energy=155 * syn.KWH))


def test_a_very_efficient_car_is_depleted():
    v = efficient_car()
    cyc = load_cycle("wltc_class3b")
    old_floor = math.ceil(v.pack.usable_energy / (70 * 3.6 * cyc.distance)) + 2
    res = C.deplete([v], cyc, [C.wltp_test_mass(v)])
    assert res["stopped"][0] == 1.0
    assert res["repeats_done"][0] > old_floor           # the case under test
    consumption = res["e_battery_chem"][0] / res["distance"][0] / 3.6   # Wh/km
    assert consumption < 70.0
    # it drew its whole usable window (the OCV integral) before break-off
    assert res["e_battery_chem"][0] == pytest.approx(v.pack.usable_energy, rel=2e-3)
    rows = wltp.run([v])   # shortened test: CSSE bounded by the car's own road load
    assert rows["range_km"][0] == pytest.approx(res["breakoff_distance"][0] / 1000.0, rel=0.05)


def test_a_cycle_that_draws_nothing_cannot_be_used_to_deplete():
    v = syn.variant(aux_power=0.0)
    with pytest.raises(ResultError, match="battery energy per cycle"):
        C.deplete([v], parked(1, 1.0), [C.wltp_test_mass(v)])
