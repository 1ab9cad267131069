"""The compiled batch kernel: N variants stepped in lock-step through one drive cycle.

Outer loop over variants in parallel (``numba.prange``), inner loop over time; every variant's
state lives in registers and the cycle arrays are shared, so the work scales with N x T with no
Python in the loop. A single vehicle is N = 1.

Per time step (backward-difference, quasi-static; the step from sample k-1 to k):

    a = (v_k - v_{k-1}) / dt,   v_bar = (v_{k-1} + v_k) / 2
    F = m_i a + F0 + F1 v_bar + F2 v_bar^2 + m g sin(theta)          (road_load)

with m_i the inertial mass (test mass plus the rotating-mass allowance). Because
m_i a v_bar dt = m_i (v_k^2 - v_{k-1}^2) / 2 exactly, the per-step energy terms telescope and
the audit closes to round-off. When the powertrain, battery or grip cannot give F, the kernel
bisects for the highest reachable v_k, records the shortfall and follows the achieved speed.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from skateboard.engine import layout as L
from skateboard.physics.battery import current_for_power, interp_uniform, resistance_factor

#: WLTP/R13-H: below a braking rate of 0.15 g any front/rear distribution is allowed
#: (UN R13-H Annex 5 para. 3.1.1 requires the ideal-distribution ordering only for
#: z = 0.15 ... 0.8), so blended brakes may put all of it on the driven axle(s).
FREE_BRAKE_RATE = 0.15
BISECTION_STEPS = 40


@njit(cache=True, inline="always")
def _max_torque(w, peak_torque, peak_power, max_speed):
    if w > max_speed:
        return 0.0
    if w * peak_torque > peak_power:
        return peak_power / w
    return peak_torque


@njit(cache=True, inline="always")
def _loss(p, o, w, tq):
    """Drive-unit loss [W] (physics.drive_unit.loss_power, scalar form)."""
    pk = p[L.P_DU0_PEAK_POWER + o]
    s = w / p[L.P_DU0_MAX_SPEED + o]
    tau = abs(tq) / p[L.P_DU0_PEAK_TORQUE + o]
    if s == 0.0 and tau == 0.0:
        return 0.0
    return pk * (p[L.P_DU0_C0 + o] + p[L.P_DU0_C1 + o] * s + p[L.P_DU0_C2 + o] * tau * tau
                 + p[L.P_DU0_C3 + o] * s * s * s)


@njit(cache=True, inline="always")
def _normal_loads(p, acc, cos_t):
    """Front and rear axle normal loads [N] with longitudinal load transfer."""
    m = p[L.P_MASS]
    w = m * p[L.P_GRAVITY] * cos_t
    transfer = m * acc * p[L.P_CG_HEIGHT] / p[L.P_WHEELBASE]
    nf = w * p[L.P_FRONT_MASS_SHARE] - transfer
    return nf, w - nf


@njit(cache=True)
def _traction(p, force, vbar, acc, cos_t):
    """Share a positive wheel force between drive units, primary first (unit 0 = the platform's
    primary axle takes demand up to its limit; the rest goes to unit 1).

    Returns (feasible, electrical power [W], motor losses [W], gearbox losses [W])."""
    r = p[L.P_WHEEL_RADIUS]
    nf, nr = _normal_loads(p, acc, cos_t)
    mu = p[L.P_TYRE_ROAD_FRICTION]
    remaining = force
    pel = 0.0
    mloss = 0.0
    gloss = 0.0
    for u in range(2):
        o = u * L.DU_STRIDE
        if p[L.P_DU0_PRESENT + o] == 0.0:
            continue
        g = p[L.P_DU0_GEAR_RATIO + o]
        eta = p[L.P_DU0_GEAR_EFF + o]
        w = vbar / r * g
        tmax = _max_torque(w, p[L.P_DU0_PEAK_TORQUE + o], p[L.P_DU0_PEAK_POWER + o], p[L.P_DU0_MAX_SPEED + o])
        n_ax = nf if p[L.P_DU0_FRONT + o] != 0.0 else nr
        fmax = min(tmax * g * eta / r, mu * max(n_ax, 0.0))
        fu = min(remaining, fmax) if remaining > 0.0 else 0.0
        remaining -= fu
        tq = fu * r / (g * eta)
        loss = _loss(p, o, w, tq)
        pel += tq * w + loss
        mloss += loss
        gloss += fu * vbar * (1.0 / eta - 1.0)
    return remaining <= 1e-9 * max(force, 1.0), pel, mloss, gloss


@njit(cache=True)
def _regen(p, brake_force, vbar, acc, cos_t, scale):
    """Regenerative part of a braking force [N] (> 0).

    Limited by the driven axles' share of braking (all of it below FREE_BRAKE_RATE, the
    dynamic-load share above), motor generating torque, tyre grip, and a linear fade between
    ``regen_fade_low`` and ``regen_fade_high``; ``scale`` (0..1) lowers it further for the
    battery's charge limit. Returns (regen force [N], electrical power to the bus [W],
    motor losses [W], gearbox losses [W]); a unit whose losses would exceed its generated power
    does not regenerate."""
    r = p[L.P_WHEEL_RADIUS]
    m = p[L.P_MASS]
    nf, nr = _normal_loads(p, acc, cos_t)
    total_n = nf + nr
    z = brake_force / (m * p[L.P_GRAVITY])
    lo = p[L.P_REGEN_FADE_LOW]
    hi = p[L.P_REGEN_FADE_HIGH]
    fade = 1.0 if vbar >= hi else (0.0 if vbar <= lo else (vbar - lo) / (hi - lo))
    mu = p[L.P_TYRE_ROAD_FRICTION]
    # driven axles
    front_driven = False
    rear_driven = False
    for u in range(2):
        o = u * L.DU_STRIDE
        if p[L.P_DU0_PRESENT + o] != 0.0:
            if p[L.P_DU0_FRONT + o] != 0.0:
                front_driven = True
            else:
                rear_driven = True
    freg = 0.0
    pel = 0.0
    mloss = 0.0
    gloss = 0.0
    for u in range(2):
        o = u * L.DU_STRIDE
        if p[L.P_DU0_PRESENT + o] == 0.0:
            continue
        front = p[L.P_DU0_FRONT + o] != 0.0
        n_ax = nf if front else nr
        if front_driven and rear_driven:
            share = n_ax / total_n           # both axles driven: dynamic-load split
        elif z <= FREE_BRAKE_RATE:
            share = 1.0                      # R13-H: free distribution at low braking rates
        else:
            share = n_ax / total_n
        g = p[L.P_DU0_GEAR_RATIO + o]
        eta = p[L.P_DU0_GEAR_EFF + o]
        w = vbar / r * g
        tmax = _max_torque(w, p[L.P_DU0_PEAK_TORQUE + o], p[L.P_DU0_PEAK_POWER + o], p[L.P_DU0_MAX_SPEED + o])
        fu = min(brake_force * share, tmax * g / (eta * r), mu * max(n_ax, 0.0)) * fade * scale
        if fu <= 0.0:
            continue
        tq = fu * r * eta / g
        loss = _loss(p, o, w, tq)
        back = tq * w - loss
        if back <= 0.0:
            continue
        freg += fu
        pel += back
        mloss += loss
        gloss += fu * vbar * (1.0 - eta)
    return freg, pel, mloss, gloss


@njit(cache=True)
def _spin_loss(p, vbar):
    """Losses of drive units turning at zero torque (supplied electrically) [W]."""
    r = p[L.P_WHEEL_RADIUS]
    total = 0.0
    for u in range(2):
        o = u * L.DU_STRIDE
        if p[L.P_DU0_PRESENT + o] != 0.0:
            total += _loss(p, o, vbar / r * p[L.P_DU0_GEAR_RATIO + o], 0.0)
    return total


@njit(cache=True, inline="always")
def _required_force(p, v0, v1, dt, sin_t):
    acc = (v1 - v0) / dt
    vbar = 0.5 * (v0 + v1)
    road = p[L.P_F2] * vbar * vbar
    if vbar > 0.0:
        road += p[L.P_F0] + p[L.P_F1] * vbar
    return p[L.P_INERTIAL_MASS] * acc + road + p[L.P_MASS] * p[L.P_GRAVITY] * sin_t, acc, vbar


@njit(cache=True)
def _battery_limits(p, ocv_tables, soc):
    """Discharge and charge power limits [W] at the terminals: the pack's rated limits, the
    voltage window (V_min, V_max) of the equivalent circuit and the usable SOC window."""
    voc = interp_uniform(ocv_tables, int(p[L.P_OCV_ROW]), soc)
    res = p[L.P_RESISTANCE] * resistance_factor(soc, p[L.P_TEMPERATURE])
    vmin = p[L.P_V_MIN]
    vmax = p[L.P_V_MAX]
    pdis = 0.0
    if soc > p[L.P_SOC_MIN] and voc > vmin:
        pdis = min(p[L.P_MAX_DISCHARGE_POWER], vmin * (voc - vmin) / res)
    pchg = 0.0
    if soc < p[L.P_SOC_MAX] and vmax > voc:
        pchg = min(p[L.P_MAX_CHARGE_POWER], vmax * (vmax - voc) / res)
    return pdis, pchg, voc, res


@njit(cache=True)
def simulate_one(i, p, ocv_tables, rex_tables, speed, grade_sin, grade_cos, phase_of_step, dt,
                 n_repeats, stop_on_breakoff, breakoff_shortfall, record, summary, phases, trace):
    n_steps = speed.shape[0]
    soc = p[L.P_SOC_INITIAL]
    capacity = p[L.P_CAPACITY]
    aux = p[L.P_AUX_POWER]
    has_rex = p[L.P_REX_PRESENT] != 0.0
    strategy = int(p[L.P_EM_STRATEGY]) if has_rex else 0
    rex_max = p[L.P_REX_MAX_POWER]
    gen_eff = p[L.P_REX_GEN_EFF]
    eff_row = int(p[L.P_REX_EFF_ROW])
    # hold mode: keep the SOC the run starts with, with the strategy's band around it
    target = p[L.P_EM_SOC_TARGET]
    low = p[L.P_EM_SOC_LOW]
    high = p[L.P_EM_SOC_HIGH]
    if strategy == 3:
        low = soc - (target - low)
        high = soc + (high - target)
        target = soc
    gross_energy_per_hour = capacity * interp_uniform(ocv_tables, int(p[L.P_OCV_ROW]), 0.5) / 3600.0
    engine_on = False
    on_time = 0.0
    v = speed[0]
    e = np.zeros(L.N_SUMMARY)
    if record:
        trace[i, 0, L.TR_SPEED] = v
        trace[i, 0, L.TR_TARGET_SPEED] = speed[0]
        trace[i, 0, L.TR_SOC] = soc
    stopped = False
    t_index = 0
    for rep in range(n_repeats):
        if stopped:
            break
        for k in range(1, n_steps):
            t_index += 1
            sin_t = grade_sin[k]
            cos_t = grade_cos[k]
            v0 = v
            vt = speed[k]
            # --- range extender on/off (state from the previous step) ---
            if has_rex:
                fuel_left = e[L.S_FUEL_MASS] < p[L.P_REX_FUEL_MASS_MAX]
                if engine_on:
                    if (soc > high and on_time >= p[L.P_REX_MIN_ON_TIME]) or not fuel_left:
                        engine_on = False
                elif soc < low and fuel_left:
                    engine_on = True
                    on_time = 0.0
                    e[L.S_ENGINE_STARTS] += 1.0
                    e[L.S_E_FUEL] += p[L.P_REX_START_FUEL_ENERGY]
                    e[L.S_E_ENGINE_LOSS] += p[L.P_REX_START_FUEL_ENERGY]
                    e[L.S_FUEL_MASS] += p[L.P_REX_START_FUEL_ENERGY] / p[L.P_REX_LHV]
            pdis, pchg, voc, res = _battery_limits(p, ocv_tables, soc)
            gen_cap = rex_max if engine_on else 0.0
            # --- the target speed, or the highest reachable one ---
            force, acc, vbar = _required_force(p, v0, vt, dt, sin_t)
            ok = True
            if force > 0.0:
                ok, pel, ml, gl = _traction(p, force, vbar, acc, cos_t)
                ok = ok and (pel + aux <= pdis + gen_cap)
            v1 = vt
            if not ok:
                lo = 0.0
                hi = vt
                for _ in range(BISECTION_STEPS):
                    mid = 0.5 * (lo + hi)
                    f_m, a_m, vb_m = _required_force(p, v0, mid, dt, sin_t)
                    good = True
                    if f_m > 0.0:
                        good, pel_m, ml_m, gl_m = _traction(p, f_m, vb_m, a_m, cos_t)
                        good = good and (pel_m + aux <= pdis + gen_cap)
                    if good:
                        lo = mid
                    else:
                        hi = mid
                v1 = lo
                force, acc, vbar = _required_force(p, v0, v1, dt, sin_t)
            # --- power flows at the chosen speed ---
            motor_loss = 0.0
            gear_loss = 0.0
            friction = 0.0
            regen_el = 0.0
            if force > 0.0:
                ok2, p_motor, motor_loss, gear_loss = _traction(p, force, vbar, acc, cos_t)
            else:
                p_motor = 0.0
                if force < 0.0:
                    fb = -force
                    freg, back, ml, gl = _regen(p, fb, vbar, acc, cos_t, 1.0)
                    if back > pchg + aux:
                        # battery charge limit: scale regen down (bisection on the force share)
                        lo = 0.0
                        hi = 1.0
                        for _ in range(BISECTION_STEPS):
                            mid = 0.5 * (lo + hi)
                            f_m, b_m, ml_m, gl_m = _regen(p, fb, vbar, acc, cos_t, mid)
                            if b_m <= pchg + aux:
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
            fuel_power = 0.0
            if engine_on:
                if strategy == 1:
                    p_gen = max(p[L.P_REX_BEST_POWER], p_bus)
                else:
                    p_gen = p_bus + p[L.P_EM_GAIN] * (target - soc) * gross_energy_per_hour
                p_gen = min(max(p_gen, 0.0), rex_max, p_bus + pchg)
                p_gen = max(p_gen, min(p_bus - pdis, rex_max), 0.0)
                p_shaft = p_gen / gen_eff
                if p_shaft > 0.0:
                    eta_e = interp_uniform(rex_tables, eff_row, p_shaft / (rex_max / gen_eff))
                    fuel_power = p_shaft / eta_e
                else:
                    fuel_power = p[L.P_REX_IDLE_FUEL_POWER]
                e[L.S_E_ENGINE_LOSS] += (fuel_power - p_shaft) * dt
                e[L.S_E_GENERATOR_LOSS] += (p_shaft - p_gen) * dt
                e[L.S_E_FUEL] += fuel_power * dt
                e[L.S_E_ENGINE_ELECTRIC] += p_gen * dt
                e[L.S_FUEL_MASS] += fuel_power * dt / p[L.P_REX_LHV]
                e[L.S_ENGINE_ON_TIME] += dt
                on_time += dt
            # --- battery ---
            p_term = p_bus - p_gen
            cur = current_for_power(p_term, voc, res)
            if cur != cur:  # beyond the maximum power point: give what the cell can
                cur = voc / (2.0 * res)
            e[L.S_E_BATTERY_CHEM] += voc * cur * dt
            e[L.S_E_BATTERY_LOSS] += cur * cur * res * dt
            e[L.S_E_BATTERY_TERMINAL] += (voc * cur - cur * cur * res) * dt
            soc -= cur * dt / capacity
            # --- energy by sink ---
            dist = vbar * dt
            e[L.S_DISTANCE] += dist
            e[L.S_TIME] += dt
            if not engine_on:
                e[L.S_ELECTRIC_DISTANCE] += dist
            e[L.S_E_AERO] += p[L.P_F2] * vbar * vbar * dist
            if vbar > 0.0:
                e[L.S_E_ROLLING] += (p[L.P_F0] + p[L.P_F1] * vbar) * dist
            e[L.S_E_GRADE] += p[L.P_MASS] * p[L.P_GRAVITY] * sin_t * dist
            e[L.S_E_INERTIA] += 0.5 * p[L.P_INERTIAL_MASS] * (v1 * v1 - v0 * v0)
            e[L.S_E_DRIVETRAIN_LOSS] += (motor_loss + gear_loss) * dt
            e[L.S_E_AUX] += aux * dt
            e[L.S_E_FRICTION_BRAKE] += friction * dist
            e[L.S_E_REGEN] += regen_el * dt
            short = vt - v1
            if short > 1e-6:
                e[L.S_TRACE_MISS_TIME] += dt
                e[L.S_MAX_SHORTFALL] = max(e[L.S_MAX_SHORTFALL], short)
            ph = phase_of_step[k]
            phases[i, rep, ph, L.R_DISTANCE] += dist
            phases[i, rep, ph, L.R_E_BATTERY_CHEM] += voc * cur * dt
            phases[i, rep, ph, L.R_E_BATTERY_TERMINAL] += (voc * cur - cur * cur * res) * dt
            phases[i, rep, ph, L.R_FUEL_MASS] += fuel_power * dt / p[L.P_REX_LHV] if engine_on else 0.0
            phases[i, rep, ph, L.R_SOC_END] = soc
            phases[i, rep, ph, L.R_TIME] += dt
            if record:
                trace[i, t_index, L.TR_SPEED] = v1
                trace[i, t_index, L.TR_TARGET_SPEED] = vt
                trace[i, t_index, L.TR_SOC] = soc
                trace[i, t_index, L.TR_BATTERY_POWER] = p_term
                trace[i, t_index, L.TR_ENGINE_POWER] = p_gen
                trace[i, t_index, L.TR_MOTOR_POWER] = p_motor
                trace[i, t_index, L.TR_FRICTION_POWER] = friction * vbar
            v = v1
            if stop_on_breakoff and short > breakoff_shortfall:
                e[L.S_BREAKOFF_DISTANCE] = e[L.S_DISTANCE]
                e[L.S_BREAKOFF_TIME] = e[L.S_TIME]
                e[L.S_STOPPED] = 1.0
                stopped = True
                break
        e[L.S_REPEATS_DONE] = rep + 1
    e[L.S_SOC_END] = soc
    for c in range(L.N_SUMMARY):
        summary[i, c] = e[c]


@njit(cache=True, parallel=True)
def run_batch(params, ocv_tables, rex_tables, speed, grade_sin, grade_cos, phase_of_step, dt,
              n_repeats, stop_on_breakoff, breakoff_shortfall, record, summary, phases, trace):
    """Step every row of ``params`` through ``speed`` (m/s, constant ``dt`` s), ``n_repeats``
    times in a row, writing ``summary`` (N x N_SUMMARY), ``phases`` (N x repeats x phases x
    N_PHASE) and, when ``record``, ``trace`` (N x steps x N_TRACE)."""
    for i in prange(params.shape[0]):
        simulate_one(i, params[i], ocv_tables, rex_tables, speed, grade_sin, grade_cos,
                     phase_of_step, dt, n_repeats, stop_on_breakoff, breakoff_shortfall, record,
                     summary, phases, trace)
