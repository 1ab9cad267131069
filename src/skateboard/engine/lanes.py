"""The tiled lane kernel: variants stepped in lock-step, ``LANES`` at a time, in SIMD registers.

Why: a variant's step is a chain of dependent operations (speed -> force -> motor -> battery
current -> SOC), so one variant at a time is bound by latency (measured 59 ns per
vehicle-step). Across variants the steps are independent. Here a tile of ``LANES`` variants
keeps its state in structure-of-arrays form (``state[quantity, lane]``) and every time step runs
one loop over the lanes that has no branch LLVM cannot turn into a select, so it compiles to
AVX2/AVX-512 vector code that advances 4-8 variants per instruction and interleaves the chains.

Three ways through a step, one physics:

* the *fast path* (the vectorised loop) covers the common case: a battery-electric variant
  that follows the trace within its motor, grip and battery limits, with regeneration under
  the battery's charge limit and a battery current below its maximum-power point;
* the *exact path* (:func:`exact_step`, scalar) covers everything else, for the lanes that
  need it at that step only: trace misses (bisection for the reachable speed), regeneration
  scaled down to the charge limit, the range extender's start and stop, the maximum-power point
  and break-off;
* between them, for a range-extended lane whose engine runs and keeps running, the *generating
  step* (:func:`skateboard.engine.generating.generating_step`, scalar): the fast step's drive-unit
  results and the exact step's range-extender operations.

A lane the fast path declines is left untouched by it and stepped by the generating step or the
exact path, so every path starts from the same state. Both paths call the same compiled physics functions of
:mod:`skateboard.physics` (road load, axle loads, torque envelope, drive-unit loss, braking
share and fade, battery limits and current); the fast path only arranges them for vectors (one
loss evaluation per unit shared by traction, regeneration and spinning, reciprocals per lane,
every branch a select). Tests check that the two paths agree to round-off on every bundled
vehicle and cycle. A variant's result depends on its own lane only (no reduction
across lanes, no remainder loop: tiles are padded), so results are independent of batch
composition and chunking.

Over 500 lines because the fused step, the exact step and the tile driver must change together;
tests check the fast path against the exact kernel. The tile buffer's layout (the ``X_*`` state
indices) is in :mod:`.tile`.
"""

from __future__ import annotations

import numpy as np

from skateboard.engine import interleave
from skateboard.engine import layout as L
from skateboard.engine import tile as T
from skateboard.engine.generating import generating_step
from skateboard.engine.kernel import (BISECTION_STEPS, FASTMATH, _battery_limits, _max_traction_force,
                                      _regen, _required_force, _spin_loss, _traction)
from skateboard.engine.tile import H0, LANES, N_ROWS, N_STATE, OCV_KNOTS, S0
from skateboard.jitcache import njit
from skateboard.physics.battery import (current_for_power, interp_uniform, resistance_at_soc,
                                        resistance_factor, terminal_power_limits)
from skateboard.physics.braking import axle_brake_share, free_distribution, regen_fade
from skateboard.physics.drive_unit import unit_loss, wheel_force_envelope
from skateboard.physics.road_load import axle_loads, road_load, step_kinematics, tractive_force
from skateboard.physics.range_extender import generator_efficiency_along_line, operating_point_power

interleave.install()  # two vectors per iteration of the fast steps' lane loops, while they compile

_HINGE_CACHE: dict = {}


def ocv_hinges(ocv_tables):
    """:func:`_ocv_hinges`, cached by table content (a run of one vehicle would otherwise spend a
    third of its time here)."""
    tables = np.ascontiguousarray(ocv_tables, dtype=float)
    key = (tables.shape, tables.tobytes())
    out = _HINGE_CACHE.get(key)
    if out is None:
        if len(_HINGE_CACHE) > 256:
            _HINGE_CACHE.clear()
        out = _HINGE_CACHE[key] = _ocv_hinges(tables)
    return out


def _ocv_hinges(ocv_tables):
    """Hinge coefficients of uniform OCV tables (rows x OCV_KNOTS + 2); the last column is 1 where
    the table is piecewise linear between the knots (the hinges reproduce it), else 0 (that
    row's lanes are stepped by the exact path, which interpolates the table)."""
    tables = np.asarray(ocv_tables, dtype=float)
    n = tables.shape[1] - 1
    out = np.zeros((tables.shape[0], OCV_KNOTS + 2))
    if n % OCV_KNOTS:
        return out
    step = n // OCV_KNOTS
    grid = np.linspace(0.0, 1.0, n + 1)
    knots = tables[:, ::step]
    slopes = np.diff(knots, axis=1) * OCV_KNOTS
    out[:, 0] = knots[:, 0]
    out[:, 1] = slopes[:, 0]
    out[:, 2:OCV_KNOTS + 1] = np.diff(slopes, axis=1)
    for r in range(tables.shape[0]):
        rebuilt = np.interp(grid, grid[::step], knots[r])
        out[r, OCV_KNOTS + 1] = float(np.allclose(rebuilt, tables[r], rtol=1e-12, atol=0.0))
    return out

@njit(cache=True, fastmath=FASTMATH, error_model="numpy")
def init_lane(p, ocv_tables, hinges, b, l):
    """Parameters and initial state of lane ``l`` from parameter row ``p``."""
    row = int(p[L.P_OCV_ROW])
    for k in range(OCV_KNOTS + 1):
        b[(H0 + k) * LANES + l] = hinges[row, k]
    for c in range(L.N_PARAMS):
        b[c * LANES + l] = p[c]
    for x in range(N_STATE):
        b[(S0 + x) * LANES + l] = 0.0
    soc = p[L.P_SOC_INITIAL]
    b[(S0 + T.X_SOC) * LANES + l] = soc
    b[(S0 + T.X_V) * LANES + l] = 0.0
    b[(S0 + T.X_R_TEMP) * LANES + l] = p[L.P_RESISTANCE] * resistance_factor(0.5, p[L.P_BATTERY_TEMPERATURE])
    has_rex = p[L.P_REX_PRESENT] != 0.0
    strategy = int(p[L.P_EM_STRATEGY]) if has_rex else 0
    target = p[L.P_EM_SOC_TARGET]
    low = p[L.P_EM_SOC_LOW]
    high = p[L.P_EM_SOC_HIGH]
    if strategy == 3:  # hold: keep the SOC the run starts with, with the strategy's band around it
        low = soc - (target - low)
        high = soc + (high - target)
        target = soc
    b[(S0 + T.X_TARGET) * LANES + l] = target
    b[(S0 + T.X_LOW) * LANES + l] = low
    b[(S0 + T.X_HIGH) * LANES + l] = high
    b[(S0 + T.X_GROSS_ENERGY_PER_HOUR) * LANES + l] = (p[L.P_CAPACITY] * interp_uniform(ocv_tables, int(p[L.P_OCV_ROW]), 0.5)
                                      / 3600.0)
    # an OCV table the hinges do not reproduce: every step exact
    b[(S0 + T.X_EXACT_ONLY) * LANES + l] = 1.0 if hinges[row, OCV_KNOTS + 1] == 0.0 else 0.0
    # a range-extended lane takes the fast path while its engine is off and stays off (the
    # engine starts when the SOC falls below the strategy's low threshold); the SOC below which
    # it must go exact is kept here, -1 for a battery-electric lane
    b[(S0 + T.X_ENGINE_START_SOC) * LANES + l] = low if has_rex else -1.0
    b[(S0 + T.X_INV_CAPACITY) * LANES + l] = 1.0 / p[L.P_CAPACITY]
    b[(S0 + T.X_INV_MG) * LANES + l] = 1.0 / (p[L.P_MASS] * p[L.P_GRAVITY])
    b[(S0 + T.X_INV_FADE) * LANES + l] = 1.0 / (p[L.P_REGEN_FADE_HIGH] - p[L.P_REGEN_FADE_LOW])
    b[(S0 + T.X_MG) * LANES + l] = p[L.P_MASS] * p[L.P_GRAVITY]
    for u in range(2):
        o = u * L.DU_STRIDE
        eta = p[L.P_DU0_GEARBOX_EFFICIENCY + o]
        b[(S0 + T.X_INV_E2_0 + u) * LANES + l] = 1.0 / (eta * eta) if eta > 0.0 else 0.0
        b[(S0 + T.X_TFORCE_0 + u) * LANES + l] = p[L.P_DU0_PEAK_TORQUE + o] * p[L.P_DU0_TORQUE_TO_FORCE + o]
        b[(S0 + T.X_PETA_0 + u) * LANES + l] = p[L.P_DU0_PEAK_POWER + o] * eta
        w_per_v = p[L.P_INV_WHEEL_RADIUS] * p[L.P_DU0_GEAR_RATIO + o]
        b[(S0 + T.X_W_PER_V_0 + u) * LANES + l] = w_per_v
        b[(S0 + T.X_S_PER_V_0 + u) * LANES + l] = w_per_v * p[L.P_DU0_INV_MAX_SPEED + o]
        b[(S0 + T.X_F2T_E2_0 + u) * LANES + l] = p[L.P_DU0_FORCE_TO_TORQUE + o] * (eta * eta)
        b[(S0 + T.X_ONE_MINUS_ETA_0 + u) * LANES + l] = 1.0 - eta
    ocv_segment(b, l)


@njit(cache=True, fastmath=FASTMATH, error_model="numpy")
def ocv_segment(b, l):
    """Put lane ``l``'s OCV line on the hinge segment that holds its SOC: on [j / OCV_KNOTS,
    (j + 1) / OCV_KNOTS] the hinge sum h0 + h1 s + sum_k h_(1+k) max(s - k / OCV_KNOTS, 0) is
    (h0 - sum_(k<=j) h_(1+k) k / OCV_KNOTS) + (h1 + sum_(k<=j) h_(1+k)) s: two operations per fast
    step instead of a sum over every knot (equal to round-off)."""
    sc = min(max(b[(S0 + T.X_SOC) * LANES + l], 0.0), 1.0)
    j = min(int(sc * OCV_KNOTS), OCV_KNOTS - 1)
    if j > 0 and j * (1.0 / OCV_KNOTS) > sc:  # sc * OCV_KNOTS rounded up (0.7 * 10 = 7.000000000000001)
        j -= 1
    a = b[H0 * LANES + l]
    slope = b[(H0 + 1) * LANES + l]
    for k in range(1, j + 1):
        h = b[(H0 + 1 + k) * LANES + l]
        a -= h * (k * (1.0 / OCV_KNOTS))
        slope += h
    b[(S0 + T.X_OCV_A) * LANES + l] = a
    b[(S0 + T.X_OCV_B) * LANES + l] = slope
    b[(S0 + T.X_OCV_LO) * LANES + l] = j * (1.0 / OCV_KNOTS)
    b[(S0 + T.X_OCV_HI) * LANES + l] = 1.0 if j == OCV_KNOTS - 1 else (j + 1) * (1.0 / OCV_KNOTS)


@njit(cache=True, fastmath=FASTMATH, error_model="numpy")
def exact_step(p, ocv_tables, rex_tables, b, l, vt, sin_t, cos_t, dt):
    """One time step of lane ``l`` with every rule (scalar). Returns (shortfall [m/s], the
    values a trace records: speed, battery power, engine power, motor power, friction power)."""
    inv_dt = 1.0 / dt
    soc = b[(S0 + T.X_SOC) * LANES + l]
    v0 = b[(S0 + T.X_V) * LANES + l]
    # an empty pack (sticky: the pack's management has disconnected it) serves neither the
    # auxiliaries nor traction, and takes no charge
    depleted = b[(S0 + T.X_DEPLETED) * LANES + l] != 0.0
    aux = 0.0 if depleted else p[L.P_AUX_POWER]
    has_rex = p[L.P_REX_PRESENT] != 0.0
    rex_max = p[L.P_REX_MAX_POWER]
    inv_lhv = 1.0 / p[L.P_REX_LOWER_HEATING_VALUE]
    engine_on = b[(S0 + T.X_ENGINE_ON) * LANES + l] != 0.0
    # --- range extender on/off (state from the previous step) ---
    if has_rex:
        fuel_left = b[(S0 + T.X_FUEL_MASS) * LANES + l] < p[L.P_REX_FUEL_MASS_MAX]
        if engine_on:
            if (soc > b[(S0 + T.X_HIGH) * LANES + l] and b[(S0 + T.X_ON_TIME) * LANES + l] >= p[L.P_REX_MIN_ON_TIME]) or not fuel_left:
                engine_on = False
        elif soc < b[(S0 + T.X_LOW) * LANES + l] and fuel_left:
            engine_on = True
            start_energy = p[L.P_REX_START_FUEL_ENERGY]
            b[(S0 + T.X_ON_TIME) * LANES + l] = 0.0
            b[(S0 + T.X_ENGINE_STARTS) * LANES + l] += 1.0
            b[(S0 + T.X_E_FUEL) * LANES + l] += start_energy
            b[(S0 + T.X_E_ENGINE_LOSS) * LANES + l] += start_energy
            b[(S0 + T.X_FUEL_MASS) * LANES + l] += start_energy * inv_lhv
            b[(S0 + T.X_PH_FUEL) * LANES + l] += start_energy * inv_lhv
        b[(S0 + T.X_ENGINE_ON) * LANES + l] = 1.0 if engine_on else 0.0
    pdis, pchg, voc, res, p_hard, window = _battery_limits(p, ocv_tables, soc,
                                                           b[(S0 + T.X_R_TEMP) * LANES + l], dt)
    if depleted:
        pdis = 0.0
        pchg = 0.0
        p_hard = 0.0
    gen_cap = rex_max if engine_on else 0.0
    # --- the target speed, or the highest reachable one ---
    force, acc, vbar = _required_force(p, v0, vt, inv_dt, sin_t)
    ok = True
    pel = 0.0
    ml = 0.0
    gl = 0.0
    if force > 0.0:
        ok, pel, ml, gl = _traction(p, force, vbar, acc, cos_t)
        ok = ok and (pel + aux <= pdis + gen_cap)
    v1 = vt
    if not ok:
        lo = 0.0
        hi = vt
        for _ in range(BISECTION_STEPS):
            mid = 0.5 * (lo + hi)
            f_m, a_m, vb_m = _required_force(p, v0, mid, inv_dt, sin_t)
            good = True
            if f_m > 0.0:
                good, pel_m, ml_m, gl_m = _traction(p, f_m, vb_m, a_m, cos_t)
                good = good and (pel_m + aux <= pdis + gen_cap)
            if good:
                lo = mid
            else:
                hi = mid
        v1 = lo
        force, acc, vbar = _required_force(p, v0, v1, inv_dt, sin_t)
    # --- operating-point strategy: the engine's level, from the steady demand at this speed
    # (road load and grade, no acceleration) and the SOC; the battery buffers the rest ---
    p_commit = 0.0
    if engine_on and int(p[L.P_EM_STRATEGY]) == 4:
        p_cruise = aux
        f_cruise = force - p[L.P_INERTIAL_MASS] * acc
        if f_cruise > 0.0 and vbar > 0.0:
            p_cruise += _traction(p, f_cruise, vbar, 0.0, cos_t)[1]
        soc_corr = (p[L.P_EM_GAIN] * (b[(S0 + T.X_TARGET) * LANES + l] - soc)
                    * b[(S0 + T.X_GROSS_ENERGY_PER_HOUR) * LANES + l])
        p_commit = operating_point_power(p_cruise, soc_corr, p[L.P_EM_MIN_POWER],
                                         p[L.P_REX_BEST_EFFICIENCY_POWER], rex_max)
    # --- a moving vehicle that cannot even come to a stop within the step under its own traction
    # (a grade steeper than grip or torque allow) stops earlier, at full traction, after the
    # distance where that traction, the road load and the grade absorb its kinetic energy; it is
    # then held at rest (no roll-back model). Forces stay at the step's nominal mean speed and
    # acceleration; the energy balance over that distance is exact. ---
    dist = vbar * dt
    v_trac = vbar
    if v1 == 0.0 and v0 > 0.0 and force > 0.0:
        f_max = _max_traction_force(p, vbar, acc, cos_t)
        # ... and within what the pack (and generator) can supply at the step's mean speed
        f_try = min(f_max, force)
        good, pel_m, ml_m, gl_m = _traction(p, f_try, vbar, acc, cos_t)
        if pel_m + aux > pdis + gen_cap:
            lo = 0.0
            hi = f_try
            for _ in range(BISECTION_STEPS):
                mid = 0.5 * (lo + hi)
                good, pel_m, ml_m, gl_m = _traction(p, mid, vbar, acc, cos_t)
                if pel_m + aux <= pdis + gen_cap:
                    lo = mid
                else:
                    hi = mid
            f_max = lo
        if f_max < force * (1.0 - 1e-12):
            resist = force - p[L.P_INERTIAL_MASS] * acc  # road load + grade at vbar
            dist = 0.5 * p[L.P_INERTIAL_MASS] * v0 * v0 / (resist - f_max)
            v_trac = dist * inv_dt
            force = f_max
            ok = False
    # --- power flows at the chosen speed ---
    motor_loss = 0.0
    gear_loss = 0.0
    friction = 0.0
    regen_el = 0.0
    p_motor = 0.0
    if force > 0.0:
        if ok:
            p_motor = pel
            motor_loss = ml
            gear_loss = gl
        else:
            ok2, p_motor, motor_loss, gear_loss = _traction(p, force, v_trac, acc, cos_t)
            if dist == 0.0 and p_motor + aux > pdis + gen_cap:
                # at rest against a grade it cannot climb, beyond what the pack gives: held by
                # the brakes (no roll-back model), the motors give no torque
                p_motor = 0.0
                motor_loss = 0.0
                gear_loss = 0.0
    else:
        if force < 0.0:
            fb = -force
            freg, back, ml, gl = _regen(p, fb, vbar, acc, cos_t, 1.0)
            if back > pchg + aux - p_commit:
                # battery charge limit (less the engine's committed level): scale regen down
                # (bisection on the force share)
                lo = 0.0
                hi = 1.0
                for _ in range(BISECTION_STEPS):
                    mid = 0.5 * (lo + hi)
                    f_m, b_m, ml_m, gl_m = _regen(p, fb, vbar, acc, cos_t, mid)
                    if b_m <= pchg + aux - p_commit:
                        lo = mid
                    else:
                        hi = mid
                freg, back, ml, gl = _regen(p, fb, vbar, acc, cos_t, lo)
            friction = fb - freg
            p_motor = -back
            regen_el = back
            motor_loss = ml
            gear_loss = gl
        if p_motor == 0.0 and vbar > 0.0:
            spin = _spin_loss(p, vbar)
            p_motor = spin
            motor_loss = spin
    p_bus = p_motor + aux
    # --- range extender output for this step ---
    p_gen = 0.0
    if engine_on:
        gen_eff = p[L.P_REX_GENERATOR_EFFICIENCY]
        soc_err = b[(S0 + T.X_TARGET) * LANES + l] - soc
        if int(p[L.P_EM_STRATEGY]) == 1:
            p_gen = max(p[L.P_REX_BEST_EFFICIENCY_POWER], p_bus)
        elif int(p[L.P_EM_STRATEGY]) == 4:
            p_gen = p_commit
        else:
            p_gen = max(p_bus + p[L.P_EM_GAIN] * soc_err * b[(S0 + T.X_GROSS_ENERGY_PER_HOUR) * LANES + l],
                        p[L.P_EM_MIN_POWER])
        p_gen = min(max(p_gen, 0.0), rex_max, p_bus + pchg)
        p_gen = max(p_gen, min(p_bus - pdis, rex_max), 0.0)
        p_shaft = p_gen / generator_efficiency_along_line(gen_eff, p_gen / rex_max)
        if p_shaft > 0.0:
            eta_e = interp_uniform(rex_tables, int(p[L.P_REX_EFF_ROW]), p_shaft / (rex_max / gen_eff))
            fuel_power = p_shaft / eta_e
        else:
            fuel_power = p[L.P_REX_IDLE_FUEL_POWER]
        b[(S0 + T.X_E_ENGINE_LOSS) * LANES + l] += (fuel_power - p_shaft) * dt
        b[(S0 + T.X_E_GENERATOR_LOSS) * LANES + l] += (p_shaft - p_gen) * dt
        b[(S0 + T.X_E_FUEL) * LANES + l] += fuel_power * dt
        b[(S0 + T.X_E_ENGINE_ELECTRIC) * LANES + l] += p_gen * dt
        fuel_step = fuel_power * dt * inv_lhv
        b[(S0 + T.X_FUEL_MASS) * LANES + l] += fuel_step
        b[(S0 + T.X_PH_FUEL) * LANES + l] += fuel_step
        b[(S0 + T.X_ENGINE_ON_TIME) * LANES + l] += dt
        b[(S0 + T.X_ON_TIME) * LANES + l] += dt
    # --- battery ---
    p_term = p_bus - p_gen
    if p_term > p_hard:
        # the pack cannot give this step's demand (its usable window empties within the step, or
        # its current limit): traction already fits (above), so the auxiliaries and then the
        # losses of units spinning at zero torque are served only in part
        demand = p_term
        deficit = p_term - p_hard
        cut = min(deficit, aux)
        deficit -= cut
        p_term -= cut
        if window and not depleted:
            # ran out: the demand was met for the share p_hard / demand of the step; the
            # auxiliaries got their power until the step began and what is left of it here
            t_prev = b[(S0 + T.X_TIME) * LANES + l] + b[(S0 + T.X_PH_T) * LANES + l]
            b[(S0 + T.X_DEPLETED) * LANES + l] = 1.0
            b[(S0 + T.X_DEPLETED_AT) * LANES + l] = t_prev + dt * p_hard / demand
            b[(S0 + T.X_AUX_AT_DEPLETION) * LANES + l] = (aux * t_prev - b[(S0 + T.X_AUX_UNSERVED) * LANES + l]
                                                        + (aux - cut) * dt)
        else:
            b[(S0 + T.X_AUX_UNSERVED) * LANES + l] += cut * dt
        if deficit > 0.0 and force <= 0.0 and p_motor > 0.0:
            cut = min(deficit, p_motor)
            p_motor -= cut
            motor_loss -= cut
            p_term -= cut
    cur, within = current_for_power(p_term, voc, res)
    if not within:  # beyond the maximum power point: give what the cell can
        cur = voc / (2.0 * res)
    chem = voc * cur * dt
    term = chem - cur * cur * res * dt
    soc_min = p[L.P_SOC_MIN]
    above = soc >= soc_min
    soc -= cur * dt * b[(S0 + T.X_INV_CAPACITY) * LANES + l]
    if above and soc < soc_min:  # round-off of the window's current: never below the window
        soc = soc_min
    # --- energy by sink ---
    if engine_on:
        b[(S0 + T.X_E_NONELEC) * LANES + l] += dist
    b[(S0 + T.X_E_AERO) * LANES + l] += p[L.P_F2] * vbar * vbar * dist
    if vbar > 0.0:
        b[(S0 + T.X_E_ROLLING) * LANES + l] += (p[L.P_F0] + p[L.P_F1] * vbar) * dist
    b[(S0 + T.X_E_GRADE) * LANES + l] += p[L.P_MASS] * p[L.P_GRAVITY] * sin_t * dist
    b[(S0 + T.X_E_DRIVETRAIN_LOSS) * LANES + l] += (motor_loss + gear_loss) * dt
    b[(S0 + T.X_E_FRICTION_BRAKE) * LANES + l] += friction * dist
    b[(S0 + T.X_E_REGEN) * LANES + l] += regen_el * dt
    short = vt - v1
    if short > 1e-6:
        b[(S0 + T.X_TRACE_MISS_TIME) * LANES + l] += dt
        if short > b[(S0 + T.X_MAX_SHORTFALL) * LANES + l]:
            b[(S0 + T.X_MAX_SHORTFALL) * LANES + l] = short
    b[(S0 + T.X_PH_D) * LANES + l] += dist
    b[(S0 + T.X_PH_CHEM) * LANES + l] += chem
    b[(S0 + T.X_PH_TERM) * LANES + l] += term
    b[(S0 + T.X_PH_T) * LANES + l] += dt
    b[(S0 + T.X_SOC) * LANES + l] = soc
    b[(S0 + T.X_V) * LANES + l] = v1
    return short, p_term, p_gen, p_motor, friction * vbar


def _make_fast_step(n_units, steady=False, traction=False):
    @njit(cache=True, fastmath=FASTMATH, error_model="numpy")
    def fast_step(b, v_prev, vt, sin_t, cos_t, dt, inv_dt):
        """One time step of every lane of a tile on the fast path (vectorised). The state row
        ``take`` is set to 1 where the fast path applied, 0 where the lane needs :func:`exact_step`.

        The physics functions of the exact path, arranged to need few divisions: one loss
        evaluation per unit (shared by traction, regeneration and spinning), reciprocals
        precomputed per lane. Loop helpers take scalars only: an array
        argument costs a reference count that stops LLVM from vectorising the loop.

        Compiled twice: for tiles whose variants all have one drive unit (``n_units`` 1), and for
        tiles with a second unit. A one-unit lane gets the same result from both: the second
        unit adds exact zeros (tested bit for bit).

        ``steady`` (a compile-time constant) compiles the *steady step*: for a step whose speeds
        and grade equal those of the last fast step, the forces, axle loads and drive-unit
        results (which depend on them and on the lane's parameters only) are read back from
        the rows T.X_C_* that every fast step writes; only the battery and the commit are
        computed, with the same operations on the same values, so the same bits.

        ``traction`` (a compile-time constant) compiles the *traction step*, for steps whose
        trace accelerates (the driver's choice): the regeneration and spinning branches are left
        out, and a lane whose force is not positive after all goes exact. A lane it takes gets
        the same operations on the same values as from the full step (the branch it would have
        chosen), so the same bits; it is about a fifth cheaper (measured 2026-12-04)."""
        o1 = L.DU_STRIDE
        inv_cos = 1.0 / cos_t
        # the trace's step, the same for every lane that followed the trace to v_prev (a lane that
        # did not goes exact): out of the lanes' dependency chain, so a step's forces and losses
        # need not wait for the previous step's state
        acc, vbar = step_kinematics(v_prev, vt, inv_dt)
        inv_vbar = 1.0 / vbar
        moving = vbar > 0.0
        declined = 0  # lanes the fast path left to the exact one (an integer sum vectorises)
        for l in range(LANES):
            soc = b[(S0 + T.X_SOC) * LANES + l]
            v0 = b[(S0 + T.X_V) * LANES + l]
            # open-circuit voltage: piecewise linear between the knots k / OCV_KNOTS, on the line
            # of the segment that held the SOC at the last exact step (ocv_segment; no table
            # lookup: gathers do not vectorise); a SOC outside that segment goes exact
            sc = min(max(soc, 0.0), 1.0)
            voc = b[(S0 + T.X_OCV_A) * LANES + l] + b[(S0 + T.X_OCV_B) * LANES + l] * sc
            on_line = sc >= b[(S0 + T.X_OCV_LO) * LANES + l] and sc <= b[(S0 + T.X_OCV_HI) * LANES + l]
            # battery limits (physics.battery.terminal_power_limits; the hard limit is checked below)
            res = resistance_at_soc(b[(S0 + T.X_R_TEMP) * LANES + l], soc)
            pdis, pchg = terminal_power_limits(voc, res, soc, b[L.P_SOC_MIN * LANES + l],
                                               b[L.P_SOC_MAX * LANES + l], b[L.P_V_MIN * LANES + l],
                                               b[L.P_V_MAX * LANES + l],
                                               b[L.P_MAX_DISCHARGE_POWER * LANES + l],
                                               b[L.P_MAX_CHARGE_POWER * LANES + l])
            aux = b[L.P_AUX_POWER * LANES + l]
            if steady:  # read back what the last fast step computed (same speeds and grade)
                p_motor = b[(S0 + T.X_C_MOTOR) * LANES + l]
                loss = b[(S0 + T.X_C_LOSS) * LANES + l]
                friction = b[(S0 + T.X_C_FRIC) * LANES + l]
                regen_el = b[(S0 + T.X_C_REGEN) * LANES + l]
                t_pel = b[(S0 + T.X_C_TPEL) * LANES + l]
                r_back = b[(S0 + T.X_C_RBACK) * LANES + l]
                static_ok = b[(S0 + T.X_C_STATIC) * LANES + l] != 0.0
                pos = b[(S0 + T.X_C_POS) * LANES + l] != 0.0
            else:
                # required force (kernel._required_force)
                aero, rolling = road_load(b[L.P_F0 * LANES + l], b[L.P_F1 * LANES + l], b[L.P_F2 * LANES + l], vbar)
                m_g = b[(S0 + T.X_MG) * LANES + l]
                force = tractive_force(b[L.P_INERTIAL_MASS * LANES + l], acc, aero, rolling, m_g, sin_t)
                pos = force > 0.0
                neg = force < 0.0
                fb = -force
                # axle loads (kernel._normal_loads) and the share of braking each axle may take
                nf, nr = axle_loads(m_g, cos_t, b[L.P_FRONT_MASS_SHARE * LANES + l], acc,
                                    b[L.P_LOAD_TRANSFER_PER_ACC * LANES + l])
                mu = b[L.P_TYRE_ROAD_FRICTION * LANES + l]
                inv_n = b[(S0 + T.X_INV_MG) * LANES + l] * inv_cos  # 1 / (nf + nr)
                free = free_distribution(fb, m_g, b[L.P_BOTH_AXLES_DRIVEN * LANES + l] != 0.0)
                fade = regen_fade(vbar, b[L.P_REGEN_FADE_LOW * LANES + l], b[(S0 + T.X_INV_FADE) * LANES + l])
                # per drive unit: force limits, then the torque it gives (traction) or takes (regen)
                rem = force
                t_pel = 0.0
                t_ml = 0.0
                t_gl = 0.0
                r_freg = 0.0
                r_back = 0.0
                r_ml = 0.0
                r_gl = 0.0
                spin = 0.0
                for u in range(n_units):  # a compile-time constant: the unit loop unrolls
                    o = u * o1
                    present = b[(L.P_DU0_PRESENT + o) * LANES + l] != 0.0
                    n_ax = nf if b[(L.P_DU0_FRONT + o) * LANES + l] != 0.0 else nr
                    grip = mu * max(n_ax, 0.0)
                    w = vbar * b[(S0 + T.X_W_PER_V_0 + u) * LANES + l]
                    f2t = b[(L.P_DU0_FORCE_TO_TORQUE + o) * LANES + l]
                    pk = b[(L.P_DU0_PEAK_POWER + o) * LANES + l]
                    # motor force limit at the wheel: peak torque, peak power (P eta / v), zero above the
                    # maximum speed (its products formed once per lane)
                    f_motor = wheel_force_envelope(w, inv_vbar, b[(S0 + T.X_TFORCE_0 + u) * LANES + l],
                                                   b[(S0 + T.X_PETA_0 + u) * LANES + l],
                                                   b[(L.P_DU0_MAX_SPEED + o) * LANES + l])
                    # traction: this unit takes what remains, up to its limits
                    fu = min(rem, min(f_motor, grip))
                    fu = fu if (pos and rem > 0.0 and present) else 0.0
                    rem = rem - fu
                    if traction:  # (g and 1 - eta defined for Numba's typing; unused here)
                        g = 0.0
                        one_minus_eta = 0.0
                        tq = fu * f2t
                    else:
                        # regeneration (kernel._regen at scale 1)
                        share = axle_brake_share(n_ax, inv_n, free)
                        g = min(fb * share, f_motor * b[(S0 + T.X_INV_E2_0 + u) * LANES + l], grip) * fade
                        f2t_e2 = b[(S0 + T.X_F2T_E2_0 + u) * LANES + l]  # loaded unconditionally: a
                        one_minus_eta = b[(S0 + T.X_ONE_MINUS_ETA_0 + u) * LANES + l]  # load under a
                        tq = fu * f2t if pos else g * f2t_e2  # select is a branch: no vectors
                    s = vbar * b[(S0 + T.X_S_PER_V_0 + u) * LANES + l]
                    tau = abs(tq) * b[(L.P_DU0_INV_PEAK_TORQUE + o) * LANES + l]
                    loss, idle_loss = unit_loss(s, tau, pk, b[(L.P_DU0_C0 + o) * LANES + l],
                                                b[(L.P_DU0_C1 + o) * LANES + l], b[(L.P_DU0_C2 + o) * LANES + l],
                                                b[(L.P_DU0_C3 + o) * LANES + l],
                                                b[(L.P_DU0_ZERO_TORQUE_LOSS + o) * LANES + l])
                    loss = loss if present else 0.0
                    t_pel += tq * w + loss
                    t_ml += loss
                    t_gl += fu * vbar * b[(L.P_DU0_GEAR_LOSS_FACTOR + o) * LANES + l]
                    if not traction:
                        back = tq * w - loss
                        on = present and neg and g > 0.0 and back > 0.0
                        r_freg += g if on else 0.0
                        r_back += back if on else 0.0
                        r_ml += loss if on else 0.0
                        r_gl += g * vbar * one_minus_eta if on else 0.0
                        spin += idle_loss if present else 0.0
                static_ok = rem <= 1e-9 * max(force, 1.0)
                if traction:  # the traction branch only; a lane that does not drive goes exact
                    static_ok = static_ok and pos
                    pos = True
                    neg = False
                # choose the branch (as exact_step: traction, regeneration, or spinning at zero torque)
                spinning = (not pos) and r_back == 0.0 and moving
                p_motor = t_pel if pos else (spin if spinning else -r_back)
                motor_loss = t_ml if pos else (spin if spinning else r_ml)
                gear_loss = t_gl if pos else r_gl
                friction = fb - r_freg if neg else 0.0
                regen_el = r_back
                loss = motor_loss + gear_loss
                # the state-independent part, for the steady steps that may follow
                b[(S0 + T.X_C_MOTOR) * LANES + l] = p_motor
                b[(S0 + T.X_C_LOSS) * LANES + l] = loss
                b[(S0 + T.X_C_FRIC) * LANES + l] = friction
                b[(S0 + T.X_C_REGEN) * LANES + l] = regen_el
                b[(S0 + T.X_C_TPEL) * LANES + l] = t_pel
                b[(S0 + T.X_C_RBACK) * LANES + l] = r_back
                b[(S0 + T.X_C_STATIC) * LANES + l] = 1.0 if static_ok else 0.0
                b[(S0 + T.X_C_POS) * LANES + l] = 1.0 if pos else 0.0
            t_ok = static_ok and t_pel + aux <= pdis
            r_ok = r_back <= pchg + aux
            # battery
            p_term = p_motor + aux
            cur, within = current_for_power(p_term, voc, res)
            chem = voc * cur * dt
            term = chem - cur * cur * res * dt
            ok = (t_ok if pos else r_ok) and within
            ok = ok and b[(S0 + T.X_EXACT_ONLY) * LANES + l] == 0.0 and b[(S0 + T.X_STOPPED) * LANES + l] == 0.0
            ok = ok and b[(S0 + T.X_ENGINE_ON) * LANES + l] == 0.0 and soc >= b[(S0 + T.X_ENGINE_START_SOC) * LANES + l]
            ok = ok and v0 == v_prev and on_line
            # the pack's hard limits (kernel._battery_limits' p_hard): a step that would take the
            # SOC below the usable window or exceed the current limit, and an empty pack, go exact
            soc_new = soc - cur * dt * b[(S0 + T.X_INV_CAPACITY) * LANES + l]
            ok = ok and soc_new >= b[L.P_SOC_MIN * LANES + l] and cur <= b[L.P_MAX_CURRENT * LANES + l]
            ok = ok and b[(S0 + T.X_DEPLETED) * LANES + l] == 0.0
            # commit, branch-free (selects and unconditional stores vectorise; masked stores may not)
            b[(S0 + T.X_TAKE) * LANES + l] = 1.0 if ok else 0.0
            declined += 0 if ok else 1
            dist = vbar * dt if ok else 0.0
            tdt = dt if ok else 0.0
            soc_new = soc_new if ok else soc
            b[(S0 + T.X_SOC) * LANES + l] = soc_new
            b[(S0 + T.X_V) * LANES + l] = vt if ok else v0
            # distance, time and the road-load energies: the cycle's sums over the lane's run of
            # fast steps, added when the run closes (close_run)
            b[(S0 + T.X_E_DRIVETRAIN_LOSS) * LANES + l] += loss * tdt
            b[(S0 + T.X_E_FRICTION_BRAKE) * LANES + l] += friction * dist
            b[(S0 + T.X_E_REGEN) * LANES + l] += regen_el * tdt
            b[(S0 + T.X_PH_CHEM) * LANES + l] += chem if ok else 0.0
            b[(S0 + T.X_PH_TERM) * LANES + l] += term if ok else 0.0
        return declined
    return fast_step


fast_step_1 = _make_fast_step(1)
fast_step_2 = _make_fast_step(2)
traction_step_1 = _make_fast_step(1, traction=True)
traction_step_2 = _make_fast_step(2, traction=True)
steady_step = _make_fast_step(1, steady=True)


@njit(cache=True, fastmath=FASTMATH, error_model="numpy")
def cycle_sums(speed, grade_sin, dt):
    """Running sums over a cycle's steps 1..k of what a fast step would add to a lane's distance
    and road-load energies, the same for every lane that follows the trace: distance sum(v dt),
    sum(v^2 dt), sum(v^3 dt) and sum(sin(grade) v dt), with v the step's mean speed."""
    n = speed.shape[0]
    sums = np.zeros((4, n))
    for k in range(1, n):
        vbar = 0.5 * (speed[k - 1] + speed[k])
        d = vbar * dt
        sums[0, k] = sums[0, k - 1] + d
        sums[1, k] = sums[1, k - 1] + vbar * d
        sums[2, k] = sums[2, k - 1] + vbar * vbar * d
        sums[3, k] = sums[3, k - 1] + grade_sin[k] * d
    return sums


@njit(cache=True, fastmath=FASTMATH, error_model="numpy")
def close_run(b, l, k, sums, dt):
    """Add lane ``l``'s run of fast steps (after step T.X_RUN_K0, through step ``k``) to its phase
    distance and time and its road-load energies, from the cycle's running sums: aero F2 sum(v^3
    dt), rolling F0 sum(v dt) + F1 sum(v^2 dt), grade m g sum(sin v dt). Equal to the per-step sums
    to round-off; it saves the fast step five accumulators (measured 2026-12-04)."""
    k0 = int(b[(S0 + T.X_RUN_K0) * LANES + l])
    if k > k0:
        d = sums[0, k] - sums[0, k0]
        b[(S0 + T.X_PH_D) * LANES + l] += d
        b[(S0 + T.X_PH_T) * LANES + l] += (k - k0) * dt
        b[(S0 + T.X_E_AERO) * LANES + l] += b[L.P_F2 * LANES + l] * (sums[2, k] - sums[2, k0])
        b[(S0 + T.X_E_ROLLING) * LANES + l] += (b[L.P_F0 * LANES + l] * d
                                              + b[L.P_F1 * LANES + l] * (sums[1, k] - sums[1, k0]))
        b[(S0 + T.X_E_GRADE) * LANES + l] += b[(S0 + T.X_MG) * LANES + l] * (sums[3, k] - sums[3, k0])
    b[(S0 + T.X_RUN_K0) * LANES + l] = k


@njit(cache=True, fastmath=FASTMATH, error_model="numpy")
def _flush_phase(b, l, phases, i, rep, ph):
    """Close lane ``l``'s record of phase ``ph`` and add it to the run's totals (distance, time
    and battery energies are summed per phase, then per run: fewer sums in the step)."""
    b[(S0 + T.X_DISTANCE) * LANES + l] += b[(S0 + T.X_PH_D) * LANES + l]
    b[(S0 + T.X_TIME) * LANES + l] += b[(S0 + T.X_PH_T) * LANES + l]
    b[(S0 + T.X_E_BATTERY_CHEM) * LANES + l] += b[(S0 + T.X_PH_CHEM) * LANES + l]
    b[(S0 + T.X_E_BATTERY_TERMINAL) * LANES + l] += b[(S0 + T.X_PH_TERM) * LANES + l]
    phases[i, rep, ph, L.R_DISTANCE] += b[(S0 + T.X_PH_D) * LANES + l]
    phases[i, rep, ph, L.R_E_BATTERY_CHEM] += b[(S0 + T.X_PH_CHEM) * LANES + l]
    phases[i, rep, ph, L.R_E_BATTERY_TERMINAL] += b[(S0 + T.X_PH_TERM) * LANES + l]
    phases[i, rep, ph, L.R_FUEL_MASS] += b[(S0 + T.X_PH_FUEL) * LANES + l]
    phases[i, rep, ph, L.R_TIME] += b[(S0 + T.X_PH_T) * LANES + l]
    phases[i, rep, ph, L.R_SOC_END] = b[(S0 + T.X_SOC) * LANES + l]
    b[(S0 + T.X_PH_D) * LANES + l] = 0.0
    b[(S0 + T.X_PH_CHEM) * LANES + l] = 0.0
    b[(S0 + T.X_PH_TERM) * LANES + l] = 0.0
    b[(S0 + T.X_PH_FUEL) * LANES + l] = 0.0
    b[(S0 + T.X_PH_T) * LANES + l] = 0.0


#: Summary columns that are a state row as it stands at the end of the run: (S_*, X_*).
_SUMMARY_COPIES = (
    (L.S_DISTANCE, T.X_DISTANCE), (L.S_TIME, T.X_TIME), (L.S_SOC_END, T.X_SOC),
    (L.S_E_BATTERY_CHEM, T.X_E_BATTERY_CHEM), (L.S_E_BATTERY_TERMINAL, T.X_E_BATTERY_TERMINAL),
    (L.S_E_REGEN, T.X_E_REGEN), (L.S_E_AERO, T.X_E_AERO), (L.S_E_ROLLING, T.X_E_ROLLING),
    (L.S_E_GRADE, T.X_E_GRADE), (L.S_E_DRIVETRAIN_LOSS, T.X_E_DRIVETRAIN_LOSS),
    (L.S_E_FRICTION_BRAKE, T.X_E_FRICTION_BRAKE), (L.S_E_FUEL, T.X_E_FUEL),
    (L.S_E_ENGINE_LOSS, T.X_E_ENGINE_LOSS), (L.S_E_GENERATOR_LOSS, T.X_E_GENERATOR_LOSS),
    (L.S_E_ENGINE_ELECTRIC, T.X_E_ENGINE_ELECTRIC), (L.S_FUEL_MASS, T.X_FUEL_MASS),
    (L.S_ENGINE_STARTS, T.X_ENGINE_STARTS), (L.S_ENGINE_ON_TIME, T.X_ENGINE_ON_TIME),
    (L.S_TRACE_MISS_TIME, T.X_TRACE_MISS_TIME), (L.S_MAX_SHORTFALL, T.X_MAX_SHORTFALL),
    (L.S_BREAKOFF_DISTANCE, T.X_BREAKOFF_D), (L.S_BREAKOFF_TIME, T.X_BREAKOFF_T),
    (L.S_STOPPED, T.X_STOPPED), (L.S_REPEATS_DONE, T.X_REPEATS_DONE),
    (L.S_FIRST_GENERATION_STEP, T.X_FIRST_GEN_STEP),
)


@njit(cache=True, fastmath=FASTMATH, error_model="numpy")
def _write_summary(b, l, out):
    for s, x in _SUMMARY_COPIES:
        out[s] = b[(S0 + x) * LANES + l]
    out[L.S_E_BATTERY_LOSS] = b[(S0 + T.X_E_BATTERY_CHEM) * LANES + l] - b[(S0 + T.X_E_BATTERY_TERMINAL) * LANES + l]
    # the inertia terms of the steps telescope: m_i (v_end^2 - v_start^2) / 2
    v_end = b[(S0 + T.X_V) * LANES + l]
    v_start = b[(S0 + T.X_V_START) * LANES + l]
    out[L.S_E_INERTIA] = 0.5 * b[L.P_INERTIAL_MASS * LANES + l] * (v_end * v_end - v_start * v_start)
    # constant while served (less what a current-limited pack could not serve); an empty pack
    # serves nothing after it ran out
    depleted = b[(S0 + T.X_DEPLETED) * LANES + l] != 0.0
    if depleted:
        out[L.S_E_AUX] = b[(S0 + T.X_AUX_AT_DEPLETION) * LANES + l]
    else:
        out[L.S_E_AUX] = (b[L.P_AUX_POWER * LANES + l] * b[(S0 + T.X_TIME) * LANES + l]
                          - b[(S0 + T.X_AUX_UNSERVED) * LANES + l])
    out[L.S_ELECTRIC_DISTANCE] = b[(S0 + T.X_DISTANCE) * LANES + l] - b[(S0 + T.X_E_NONELEC) * LANES + l]
    out[L.S_DEPLETED_AT] = b[(S0 + T.X_DEPLETED_AT) * LANES + l] if depleted else np.nan
    out[L.S_FIRST_GENERATION_DISTANCE] = (b[(S0 + T.X_FIRST_GEN_D) * LANES + l]
                                          if b[(S0 + T.X_FIRST_GEN_STEP) * LANES + l] != 0.0
                                          else b[(S0 + T.X_DISTANCE) * LANES + l])


@njit(cache=True, fastmath=FASTMATH, error_model="numpy")
def run_tile(tile, params, ocv_tables, hinges, rex_tables, speed, grade_sin, grade_cos, phase_of_step, dt,
             n_repeats, stop_on_breakoff, breakoff_shortfall, stop_after_generation, record, fast, summary,
             phases, trace, sums):
    """Step the variants of tile ``tile`` (rows tile*LANES ...) through the cycle (``sums``: its
    :func:`cycle_sums`, computed once per call of the kernel)."""
    n = params.shape[0]
    n_steps = speed.shape[0]
    first = tile * LANES
    n_real = min(LANES, n - first)
    rows = np.empty(LANES, dtype=np.int64)
    for l in range(LANES):
        rows[l] = first + l if l < n_real else first  # padding lanes repeat the tile's first row
    b = np.empty(N_ROWS * LANES)  # the tile's parameters and state, lane-contiguous
    for l in range(LANES):
        init_lane(params[rows[l]], ocv_tables, hinges, b, l)
        if record or not fast:  # traces come from the exact path
            b[(S0 + T.X_EXACT_ONLY) * LANES + l] = 1.0
        b[(S0 + T.X_V) * LANES + l] = speed[0]
        b[(S0 + T.X_V_START) * LANES + l] = speed[0]
        if record and l < n_real:
            trace[first + l, 0, L.TR_SPEED] = speed[0]
            trace[first + l, 0, L.TR_TARGET_SPEED] = speed[0]
            trace[first + l, 0, L.TR_SOC] = b[(S0 + T.X_SOC) * LANES + l]
    inv_dt = 1.0 / dt
    two_units = False
    generating = False  # a range extender in the tile: its running engine's steps (generating_step)
    for l in range(LANES):
        two_units = two_units or b[(L.P_DU0_PRESENT + L.DU_STRIDE) * LANES + l] != 0.0
        generating = generating or b[L.P_REX_PRESENT * LANES + l] != 0.0
    t_index = 0
    n_stopped = 0
    # the speeds and grade of the last fast step, whose state-independent part is in rows T.X_C_*
    cached = False
    key_v_prev = key_vt = key_sin = key_cos = 0.0
    for rep in range(n_repeats):
        if n_stopped == n_real:
            break
        cur_ph = phase_of_step[1] if n_steps > 1 else 0
        for k in range(1, n_steps):
            t_index += 1
            vt = speed[k]
            sin_t = grade_sin[k]
            cos_t = grade_cos[k]
            ph = phase_of_step[k]
            if ph != cur_ph:
                for l in range(n_real):
                    if b[(S0 + T.X_STOPPED) * LANES + l] == 0.0:
                        close_run(b, l, k - 1, sums, dt)
                        _flush_phase(b, l, phases, first + l, rep, cur_ph)
                cur_ph = ph
            v_prev = speed[k - 1]
            if (cached and v_prev == key_v_prev and vt == key_vt and sin_t == key_sin
                    and cos_t == key_cos):
                declined = steady_step(b, v_prev, vt, sin_t, cos_t, dt, inv_dt)
            else:
                if vt > v_prev:  # accelerating: nearly every lane drives
                    if two_units:
                        declined = traction_step_2(b, v_prev, vt, sin_t, cos_t, dt, inv_dt)
                    else:
                        declined = traction_step_1(b, v_prev, vt, sin_t, cos_t, dt, inv_dt)
                elif two_units:
                    declined = fast_step_2(b, v_prev, vt, sin_t, cos_t, dt, inv_dt)
                else:
                    declined = fast_step_1(b, v_prev, vt, sin_t, cos_t, dt, inv_dt)
                cached = True
                key_v_prev, key_vt, key_sin, key_cos = v_prev, vt, sin_t, cos_t
            if declined > 0 and generating:
                declined -= generating_step(b, rex_tables, v_prev, vt, dt, inv_dt)
            if declined > 0:  # most steps: every lane took the fast path
                for l in range(n_real):
                    if b[(S0 + T.X_TAKE) * LANES + l] == 0.0 and b[(S0 + T.X_STOPPED) * LANES + l] == 0.0:
                        close_run(b, l, k - 1, sums, dt)
                        d_before = b[(S0 + T.X_DISTANCE) * LANES + l] + b[(S0 + T.X_PH_D) * LANES + l]
                        short, p_term, p_gen, p_motor, p_fric = exact_step(
                            params[first + l], ocv_tables, rex_tables, b, l, vt, sin_t, cos_t, dt)
                        b[(S0 + T.X_RUN_K0) * LANES + l] = k  # the next run begins after this step
                        if p_gen > 0.0 and b[(S0 + T.X_FIRST_GEN_STEP) * LANES + l] == 0.0:
                            b[(S0 + T.X_FIRST_GEN_STEP) * LANES + l] = t_index
                            b[(S0 + T.X_FIRST_GEN_D) * LANES + l] = d_before
                        if record:
                            i = first + l
                            trace[i, t_index, L.TR_BATTERY_POWER] = p_term
                            trace[i, t_index, L.TR_ENGINE_POWER] = p_gen
                            trace[i, t_index, L.TR_MOTOR_POWER] = p_motor
                            trace[i, t_index, L.TR_FRICTION_POWER] = p_fric
                        if stop_on_breakoff and short > breakoff_shortfall:
                            _flush_phase(b, l, phases, first + l, rep, cur_ph)
                            b[(S0 + T.X_BREAKOFF_D) * LANES + l] = b[(S0 + T.X_DISTANCE) * LANES + l]
                            b[(S0 + T.X_BREAKOFF_T) * LANES + l] = b[(S0 + T.X_TIME) * LANES + l]
                            b[(S0 + T.X_STOPPED) * LANES + l] = 1.0
                            b[(S0 + T.X_REPEATS_DONE) * LANES + l] = rep + 1
                            n_stopped += 1
                        b[(S0 + T.X_TAKE) * LANES + l] = 2.0  # stepped exactly at this step (for the trace below)
                        ocv_segment(b, l)
            if record:
                for l in range(n_real):
                    i = first + l
                    if b[(S0 + T.X_TAKE) * LANES + l] != 0.0:
                        trace[i, t_index, L.TR_SPEED] = b[(S0 + T.X_V) * LANES + l]
                        trace[i, t_index, L.TR_TARGET_SPEED] = vt
                        trace[i, t_index, L.TR_SOC] = b[(S0 + T.X_SOC) * LANES + l]
            if n_stopped == n_real:
                break
        for l in range(n_real):
            if b[(S0 + T.X_STOPPED) * LANES + l] == 0.0:
                close_run(b, l, n_steps - 1, sums, dt)
                _flush_phase(b, l, phases, first + l, rep, cur_ph)
                b[(S0 + T.X_REPEATS_DONE) * LANES + l] = rep + 1
                if stop_after_generation and b[(S0 + T.X_FIRST_GEN_STEP) * LANES + l] != 0.0:
                    b[(S0 + T.X_STOPPED) * LANES + l] = 1.0  # its transition cycle is done
                    n_stopped += 1
        for l in range(LANES):
            b[(S0 + T.X_RUN_K0) * LANES + l] = 0.0  # the next repeat starts a run at its first step
    for l in range(n_real):
        _write_summary(b, l, summary[first + l])


@njit(cache=True, nogil=True, fastmath=FASTMATH, error_model="numpy")
def run_tiles(t_start, t_stop, params, ocv_tables, hinges, rex_tables, speed, grade_sin, grade_cos,
              phase_of_step, dt, n_repeats, stop_on_breakoff, breakoff_shortfall, stop_after_generation,
              record, fast, summary, phases, trace):
    """Step tiles ``t_start`` to ``t_stop - 1`` (LANES rows of ``params`` each) through ``speed``
    (m/s, constant ``dt`` s), ``n_repeats`` times in a row, writing their rows of ``summary``
    (N x N_SUMMARY), ``phases`` (N x repeats x phases x N_PHASE) and, when ``record``, ``trace``
    (N x steps x N_TRACE). ``fast`` False sends every step through the exact path (a check).
    ``stop_after_generation`` stops a variant at the end of the first repeat in which its range
    extender delivered power (a charge-depleting test ends with its transition cycle).

    The one compiled kernel. It releases the GIL, so :func:`skateboard.engine.simulate.simulate_params`
    runs disjoint tile ranges on several threads at once (tiles share no state)."""
    sums = cycle_sums(speed, grade_sin, dt)
    for t in range(t_start, t_stop):
        run_tile(t, params, ocv_tables, hinges, rex_tables, speed, grade_sin, grade_cos, phase_of_step, dt,
                 n_repeats, stop_on_breakoff, breakoff_shortfall, stop_after_generation, record, fast,
                 summary, phases, trace, sums)
