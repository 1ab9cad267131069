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

from numba import njit, prange

from skateboard.engine import layout as L
from skateboard.physics.battery import (RESISTANCE_SOC_CURVATURE, current_for_power, interp_uniform,
                                        resistance_factor)

#: WLTP/R13-H: below a braking rate of 0.15 g any front/rear distribution is allowed
#: (UN R13-H Annex 5 para. 3.1.1 requires the ideal-distribution ordering only for
#: z = 0.15 ... 0.8), so blended brakes may put all of it on the driven axle(s).
FREE_BRAKE_RATE = 0.15
BISECTION_STEPS = 40
#: LLVM fast-math flags that are safe here: fused multiply-add, reciprocal and reassociation of
#: sums, approximate functions and signed zeros. Not 'nnan'/'ninf': the kernel tests for NaN.
FASTMATH = {"contract", "arcp", "reassoc", "afn", "nsz"}


@njit(cache=True, inline="always", fastmath=FASTMATH, error_model="numpy")
def _max_torque(w, peak_torque, peak_power, max_speed):
    if w > max_speed:
        return 0.0
    if w * peak_torque > peak_power:
        return peak_power / w
    return peak_torque


@njit(cache=True, inline="always", fastmath=FASTMATH, error_model="numpy")
def _loss(p, o, w, tq):
    """Drive-unit loss [W] (physics.drive_unit.loss_power, scalar form)."""
    pk = p[L.P_DU0_PEAK_POWER + o]
    s = w * p[L.P_DU0_INV_MAX_SPEED + o]
    tau = abs(tq) * p[L.P_DU0_INV_PEAK_TORQUE + o]
    if s == 0.0 and tau == 0.0:
        return 0.0
    return pk * (p[L.P_DU0_C0 + o] + p[L.P_DU0_C1 + o] * s + p[L.P_DU0_C2 + o] * tau * tau
                 + p[L.P_DU0_C3 + o] * s * s * s)


@njit(cache=True, inline="always", fastmath=FASTMATH, error_model="numpy")
def _normal_loads(p, acc, cos_t):
    """Front and rear axle normal loads [N] with longitudinal load transfer."""
    m = p[L.P_MASS]
    w = m * p[L.P_GRAVITY] * cos_t
    transfer = acc * p[L.P_LOAD_TRANSFER_PER_ACC]
    nf = w * p[L.P_FRONT_MASS_SHARE] - transfer
    return nf, w - nf


@njit(cache=True, fastmath=FASTMATH, error_model="numpy")
def _traction(p, force, vbar, acc, cos_t):
    """Share a positive wheel force between drive units, primary first (unit 0 = the platform's
    primary axle takes demand up to its limit; the rest goes to unit 1).

    Returns (feasible, electrical power [W], motor losses [W], gearbox losses [W])."""
    inv_r = p[L.P_INV_WHEEL_RADIUS]
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
        w = vbar * inv_r * p[L.P_DU0_GEAR_RATIO + o]
        tmax = _max_torque(w, p[L.P_DU0_PEAK_TORQUE + o], p[L.P_DU0_PEAK_POWER + o], p[L.P_DU0_MAX_SPEED + o])
        n_ax = nf if p[L.P_DU0_FRONT + o] != 0.0 else nr
        fmax = min(tmax * p[L.P_DU0_TORQUE_TO_FORCE + o], mu * max(n_ax, 0.0))
        fu = min(remaining, fmax) if remaining > 0.0 else 0.0
        remaining -= fu
        tq = fu * p[L.P_DU0_FORCE_TO_TORQUE + o]
        loss = _loss(p, o, w, tq)
        pel += tq * w + loss
        mloss += loss
        gloss += fu * vbar * p[L.P_DU0_GEAR_LOSS_FACTOR + o]
    return remaining <= 1e-9 * max(force, 1.0), pel, mloss, gloss


@njit(cache=True, fastmath=FASTMATH, error_model="numpy")
def _regen(p, brake_force, vbar, acc, cos_t, scale):
    """Regenerative part of a braking force [N] (> 0).

    Limited by the driven axles' share of braking (all of it below FREE_BRAKE_RATE, the
    dynamic-load share above), motor generating torque, tyre grip, and a linear fade between
    ``regen_fade_low`` and ``regen_fade_high``; ``scale`` (0..1) lowers it further for the
    battery's charge limit. Returns (regen force [N], electrical power to the bus [W],
    motor losses [W], gearbox losses [W]); a unit whose losses would exceed its generated power
    does not regenerate."""
    inv_r = p[L.P_INV_WHEEL_RADIUS]
    m = p[L.P_MASS]
    nf, nr = _normal_loads(p, acc, cos_t)
    total_n = nf + nr
    z = brake_force / (m * p[L.P_GRAVITY])
    lo = p[L.P_REGEN_FADE_LOW]
    hi = p[L.P_REGEN_FADE_HIGH]
    fade = 1.0 if vbar >= hi else (0.0 if vbar <= lo else (vbar - lo) / (hi - lo))
    mu = p[L.P_TYRE_ROAD_FRICTION]
    both_driven = p[L.P_BOTH_AXLES_DRIVEN] != 0.0
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
        if both_driven:
            share = n_ax / total_n           # both axles driven: dynamic-load split
        elif z <= FREE_BRAKE_RATE:
            share = 1.0                      # R13-H: free distribution at low braking rates
        else:
            share = n_ax / total_n
        eta = p[L.P_DU0_GEAR_EFF + o]
        eta2 = eta * eta
        w = vbar * inv_r * p[L.P_DU0_GEAR_RATIO + o]
        tmax = _max_torque(w, p[L.P_DU0_PEAK_TORQUE + o], p[L.P_DU0_PEAK_POWER + o], p[L.P_DU0_MAX_SPEED + o])
        # wheel -> motor: T = F r eta / g = F * force_to_torque * eta^2 (losses on the way back)
        fu = min(brake_force * share, tmax * p[L.P_DU0_TORQUE_TO_FORCE + o] / eta2,
                 mu * max(n_ax, 0.0)) * fade * scale
        if fu <= 0.0:
            continue
        tq = fu * p[L.P_DU0_FORCE_TO_TORQUE + o] * eta2
        loss = _loss(p, o, w, tq)
        back = tq * w - loss
        if back <= 0.0:
            continue
        freg += fu
        pel += back
        mloss += loss
        gloss += fu * vbar * (1.0 - eta)
    return freg, pel, mloss, gloss


@njit(cache=True, fastmath=FASTMATH, error_model="numpy")
def _spin_loss(p, vbar):
    """Losses of drive units turning at zero torque (supplied electrically) [W]."""
    inv_r = p[L.P_INV_WHEEL_RADIUS]
    total = 0.0
    for u in range(2):
        o = u * L.DU_STRIDE
        if p[L.P_DU0_PRESENT + o] != 0.0:
            total += _loss(p, o, vbar * inv_r * p[L.P_DU0_GEAR_RATIO + o], 0.0)
    return total


@njit(cache=True, inline="always", fastmath=FASTMATH, error_model="numpy")
def _required_force(p, v0, v1, inv_dt, sin_t):
    acc = (v1 - v0) * inv_dt
    vbar = 0.5 * (v0 + v1)
    road = p[L.P_F2] * vbar * vbar
    if vbar > 0.0:
        road += p[L.P_F0] + p[L.P_F1] * vbar
    return p[L.P_INERTIAL_MASS] * acc + road + p[L.P_MASS] * p[L.P_GRAVITY] * sin_t, acc, vbar


@njit(cache=True, inline="always", fastmath=FASTMATH, error_model="numpy")
def _battery_limits(p, ocv_tables, soc, r_temp):
    """Discharge and charge power limits [W] at the terminals: the pack's rated limits, the
    voltage window (V_min, V_max) of the equivalent circuit and the usable SOC window."""
    voc = interp_uniform(ocv_tables, int(p[L.P_OCV_ROW]), soc)
    d = soc - 0.5
    res = r_temp * (1.0 + RESISTANCE_SOC_CURVATURE * d * d)
    vmin = p[L.P_V_MIN]
    vmax = p[L.P_V_MAX]
    inv_res = 1.0 / res
    pdis = 0.0
    if soc > p[L.P_SOC_MIN] and voc > vmin:
        pdis = min(p[L.P_MAX_DISCHARGE_POWER], vmin * (voc - vmin) * inv_res)
    pchg = 0.0
    if soc < p[L.P_SOC_MAX] and vmax > voc:
        pchg = min(p[L.P_MAX_CHARGE_POWER], vmax * (vmax - voc) * inv_res)
    return pdis, pchg, voc, res


@njit(cache=True, fastmath=FASTMATH, error_model="numpy")
def simulate_one(i, p, ocv_tables, rex_tables, speed, grade_sin, grade_cos, phase_of_step, dt,
                 n_repeats, stop_on_breakoff, breakoff_shortfall, record, summary, phases, trace):
    """Step variant ``i`` (parameter row ``p``) through the cycle; see :func:`run_batch`.

    Accumulators are local scalars and per-phase sums are flushed only when the phase changes:
    writing the (variant, repeat, phase) records every step cost more than the physics."""
    n_steps = speed.shape[0]
    soc = p[L.P_SOC_INITIAL]
    capacity = p[L.P_CAPACITY]
    inv_capacity = 1.0 / capacity
    inv_dt = 1.0 / dt
    aux = p[L.P_AUX_POWER]
    mass = p[L.P_MASS]
    m_inertial = p[L.P_INERTIAL_MASS]
    m_g = mass * p[L.P_GRAVITY]
    f0 = p[L.P_F0]
    f1 = p[L.P_F1]
    f2 = p[L.P_F2]
    has_rex = p[L.P_REX_PRESENT] != 0.0
    strategy = int(p[L.P_EM_STRATEGY]) if has_rex else 0
    rex_max = p[L.P_REX_MAX_POWER]
    gen_eff = p[L.P_REX_GEN_EFF]
    inv_lhv = 1.0 / p[L.P_REX_LHV]
    eff_row = int(p[L.P_REX_EFF_ROW])
    ocv_row = int(p[L.P_OCV_ROW])
    # hold mode: keep the SOC the run starts with, with the strategy's band around it
    target = p[L.P_EM_SOC_TARGET]
    low = p[L.P_EM_SOC_LOW]
    high = p[L.P_EM_SOC_HIGH]
    if strategy == 3:
        low = soc - (target - low)
        high = soc + (high - target)
        target = soc
    gross_energy_per_hour = capacity * interp_uniform(ocv_tables, ocv_row, 0.5) / 3600.0
    engine_on = False
    on_time = 0.0
    # pack resistance at this temperature and 50 % SOC (the SOC shape is applied per step)
    r_temp = p[L.P_RESISTANCE] * resistance_factor(0.5, p[L.P_TEMPERATURE])
    v = speed[0]
    # accumulators (J, m, s, kg)
    distance = 0.0
    time = 0.0
    e_chem = 0.0
    e_term = 0.0
    e_bloss = 0.0
    e_regen = 0.0
    e_aero = 0.0
    e_roll = 0.0
    e_grade = 0.0
    e_inertia = 0.0
    e_drive = 0.0
    e_aux = 0.0
    e_fric = 0.0
    e_fuel = 0.0
    e_eloss = 0.0
    e_gloss = 0.0
    e_eel = 0.0
    fuel_mass = 0.0
    starts = 0.0
    on_total = 0.0
    e_dist = 0.0
    miss_time = 0.0
    max_short = 0.0
    breakoff_d = 0.0
    breakoff_t = 0.0
    repeats_done = 0.0
    if record:
        trace[i, 0, L.TR_SPEED] = v
        trace[i, 0, L.TR_TARGET_SPEED] = speed[0]
        trace[i, 0, L.TR_SOC] = soc
    stopped = False
    t_index = 0
    fuel_max = p[L.P_REX_FUEL_MASS_MAX]
    start_energy = p[L.P_REX_START_FUEL_ENERGY]
    min_on = p[L.P_REX_MIN_ON_TIME]
    for rep in range(n_repeats):
        if stopped:
            break
        cur_ph = phase_of_step[1] if n_steps > 1 else 0
        ph_d = 0.0
        ph_chem = 0.0
        ph_term = 0.0
        ph_fuel = 0.0
        ph_t = 0.0
        ph_soc = soc
        for k in range(1, n_steps):
            t_index += 1
            sin_t = grade_sin[k]
            cos_t = grade_cos[k]
            v0 = v
            vt = speed[k]
            # --- range extender on/off (state from the previous step) ---
            if has_rex:
                fuel_left = fuel_mass < fuel_max
                if engine_on:
                    if (soc > high and on_time >= min_on) or not fuel_left:
                        engine_on = False
                elif soc < low and fuel_left:
                    engine_on = True
                    on_time = 0.0
                    starts += 1.0
                    e_fuel += start_energy
                    e_eloss += start_energy
                    fuel_mass += start_energy * inv_lhv
                    ph_fuel += start_energy * inv_lhv
            pdis, pchg, voc, res = _battery_limits(p, ocv_tables, soc, r_temp)
            gen_cap = rex_max if engine_on else 0.0
            # --- the target speed, or the highest reachable one ---
            force, acc, vbar = _required_force(p, v0, vt, inv_dt, sin_t)
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
            # --- power flows at the chosen speed ---
            motor_loss = 0.0
            gear_loss = 0.0
            friction = 0.0
            regen_el = 0.0
            if force > 0.0:
                if ok:
                    p_motor = pel
                    motor_loss = ml
                    gear_loss = gl
                else:
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
                    p_gen = max(p_bus + p[L.P_EM_GAIN] * (target - soc) * gross_energy_per_hour,
                                p[L.P_EM_MIN_POWER])
                p_gen = min(max(p_gen, 0.0), rex_max, p_bus + pchg)
                p_gen = max(p_gen, min(p_bus - pdis, rex_max), 0.0)
                p_shaft = p_gen / gen_eff
                if p_shaft > 0.0:
                    eta_e = interp_uniform(rex_tables, eff_row, p_shaft / (rex_max / gen_eff))
                    fuel_power = p_shaft / eta_e
                else:
                    fuel_power = p[L.P_REX_IDLE_FUEL_POWER]
                e_eloss += (fuel_power - p_shaft) * dt
                e_gloss += (p_shaft - p_gen) * dt
                e_fuel += fuel_power * dt
                e_eel += p_gen * dt
                fuel_step = fuel_power * dt * inv_lhv
                fuel_mass += fuel_step
                ph_fuel += fuel_step
                on_total += dt
                on_time += dt
            # --- battery ---
            p_term = p_bus - p_gen
            cur = current_for_power(p_term, voc, res)
            if not (cur == cur):  # beyond the maximum power point: give what the cell can
                cur = voc / (2.0 * res)
            chem = voc * cur * dt
            term = chem - cur * cur * res * dt
            e_chem += chem
            e_bloss += chem - term
            e_term += term
            soc -= cur * dt * inv_capacity
            # --- energy by sink ---
            dist = vbar * dt
            distance += dist
            time += dt
            if not engine_on:
                e_dist += dist
            e_aero += f2 * vbar * vbar * dist
            if vbar > 0.0:
                e_roll += (f0 + f1 * vbar) * dist
            e_grade += m_g * sin_t * dist
            e_inertia += 0.5 * m_inertial * (v1 * v1 - v0 * v0)
            e_drive += (motor_loss + gear_loss) * dt
            e_aux += aux * dt
            e_fric += friction * dist
            e_regen += regen_el * dt
            short = vt - v1
            if short > 1e-6:
                miss_time += dt
                if short > max_short:
                    max_short = short
            # --- per-phase records, flushed when the phase changes ---
            ph = phase_of_step[k]
            if ph != cur_ph:
                phases[i, rep, cur_ph, L.R_DISTANCE] += ph_d
                phases[i, rep, cur_ph, L.R_E_BATTERY_CHEM] += ph_chem
                phases[i, rep, cur_ph, L.R_E_BATTERY_TERMINAL] += ph_term
                phases[i, rep, cur_ph, L.R_FUEL_MASS] += ph_fuel
                phases[i, rep, cur_ph, L.R_TIME] += ph_t
                phases[i, rep, cur_ph, L.R_SOC_END] = ph_soc
                ph_d = 0.0
                ph_chem = 0.0
                ph_term = 0.0
                ph_fuel = 0.0
                ph_t = 0.0
                cur_ph = ph
            ph_d += dist
            ph_chem += chem
            ph_term += term
            ph_t += dt
            ph_soc = soc
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
                breakoff_d = distance
                breakoff_t = time
                stopped = True
                break
        phases[i, rep, cur_ph, L.R_DISTANCE] += ph_d
        phases[i, rep, cur_ph, L.R_E_BATTERY_CHEM] += ph_chem
        phases[i, rep, cur_ph, L.R_E_BATTERY_TERMINAL] += ph_term
        phases[i, rep, cur_ph, L.R_FUEL_MASS] += ph_fuel
        phases[i, rep, cur_ph, L.R_TIME] += ph_t
        phases[i, rep, cur_ph, L.R_SOC_END] = soc
        repeats_done = rep + 1
    out = summary[i]
    out[L.S_DISTANCE] = distance
    out[L.S_TIME] = time
    out[L.S_SOC_END] = soc
    out[L.S_E_BATTERY_CHEM] = e_chem
    out[L.S_E_BATTERY_TERMINAL] = e_term
    out[L.S_E_BATTERY_LOSS] = e_bloss
    out[L.S_E_REGEN] = e_regen
    out[L.S_E_AERO] = e_aero
    out[L.S_E_ROLLING] = e_roll
    out[L.S_E_GRADE] = e_grade
    out[L.S_E_INERTIA] = e_inertia
    out[L.S_E_DRIVETRAIN_LOSS] = e_drive
    out[L.S_E_AUX] = e_aux
    out[L.S_E_FRICTION_BRAKE] = e_fric
    out[L.S_E_FUEL] = e_fuel
    out[L.S_E_ENGINE_LOSS] = e_eloss
    out[L.S_E_GENERATOR_LOSS] = e_gloss
    out[L.S_E_ENGINE_ELECTRIC] = e_eel
    out[L.S_FUEL_MASS] = fuel_mass
    out[L.S_ENGINE_STARTS] = starts
    out[L.S_ENGINE_ON_TIME] = on_total
    out[L.S_ELECTRIC_DISTANCE] = e_dist
    out[L.S_TRACE_MISS_TIME] = miss_time
    out[L.S_MAX_SHORTFALL] = max_short
    out[L.S_BREAKOFF_DISTANCE] = breakoff_d
    out[L.S_BREAKOFF_TIME] = breakoff_t
    out[L.S_STOPPED] = 1.0 if stopped else 0.0
    out[L.S_REPEATS_DONE] = repeats_done


@njit(cache=True, fastmath=FASTMATH, error_model="numpy")
def run_serial(params, ocv_tables, rex_tables, speed, grade_sin, grade_cos, phase_of_step, dt,
               n_repeats, stop_on_breakoff, breakoff_shortfall, record, summary, phases, trace):
    """:func:`run_batch` on one thread: small batches do not pay for waking the thread pool
    (about 1 ms per call, more than a single vehicle's UDDS)."""
    for i in range(params.shape[0]):
        simulate_one(i, params[i], ocv_tables, rex_tables, speed, grade_sin, grade_cos,
                     phase_of_step, dt, n_repeats, stop_on_breakoff, breakoff_shortfall, record,
                     summary, phases, trace)


@njit(cache=True, parallel=True, fastmath=FASTMATH, error_model="numpy")
def run_batch(params, ocv_tables, rex_tables, speed, grade_sin, grade_cos, phase_of_step, dt,
              n_repeats, stop_on_breakoff, breakoff_shortfall, record, summary, phases, trace):
    """Step every row of ``params`` through ``speed`` (m/s, constant ``dt`` s), ``n_repeats``
    times in a row, writing ``summary`` (N x N_SUMMARY), ``phases`` (N x repeats x phases x
    N_PHASE) and, when ``record``, ``trace`` (N x steps x N_TRACE)."""
    for i in prange(params.shape[0]):
        simulate_one(i, params[i], ocv_tables, rex_tables, speed, grade_sin, grade_cos,
                     phase_of_step, dt, n_repeats, stop_on_breakoff, breakoff_shortfall, record,
                     summary, phases, trace)
