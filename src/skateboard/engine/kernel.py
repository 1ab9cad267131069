"""The physics of one time step, shared by both paths of the tiled kernel
(:mod:`skateboard.engine.lanes`, which steps the variants; a single vehicle is N = 1).

Per time step (backward-difference, quasi-static; the step from sample k-1 to k):

    a = (v_k - v_{k-1}) / dt,   v_bar = (v_{k-1} + v_k) / 2
    F = m_i a + F0 + F1 v_bar + F2 v_bar^2 + m g sin(theta)          (road_load)

with m_i the inertial mass (test mass plus the rotating-mass allowance). Because
m_i a v_bar dt = m_i (v_k^2 - v_{k-1}^2) / 2 exactly, the per-step energy terms telescope and
the audit closes to round-off. When the powertrain, battery or grip cannot give F, the kernel
bisects for the highest reachable v_k, records the shortfall and follows the achieved speed.
"""

from __future__ import annotations

from numba import njit

from skateboard.engine import layout as L
from skateboard.physics.battery import RESISTANCE_SOC_CURVATURE, interp_uniform

#: WLTP/R13-H: below a braking rate of 0.15 g any front/rear distribution is allowed
#: (UN R13-H Annex 5 para. 3.1.1 requires the ideal-distribution ordering only for
#: z = 0.15 ... 0.8), so blended brakes may put all of it on the driven axle(s).
FREE_BRAKE_RATE = 0.15
BISECTION_STEPS = 40
#: No LLVM fast-math: strict IEEE arithmetic, so a variant's result is the same bit for bit
#: whatever code LLVM builds around it. With fast-math ('contract', 'reassoc', ...) LLVM fused and
#: reordered operations differently depending on where the kernel was inlined, and a cold-cache
#: Dask worker computed ranges 6e-14 away from the main process's (seen in CI). Measured: no
#: slower without it (13.0 against 17 us per vehicle-UDDS at N = 10 000).
FASTMATH = False


@njit(cache=True, inline="always", fastmath=FASTMATH, error_model="numpy")
def _max_torque(w, peak_torque, peak_power, max_speed):
    if w > max_speed:
        return 0.0
    if w * peak_torque > peak_power:
        return peak_power / w
    return peak_torque


@njit(cache=True, inline="always", fastmath=FASTMATH, error_model="numpy")
def _loss(p, o, w, tq):
    """Drive-unit loss [W] (physics.drive_unit.loss_power, scalar form). At zero torque the
    no-load loss is scaled by the unit's zero-torque loss factor (1: the machine turns with the
    wheels and loses all of it; 0: a disconnect clutch opens)."""
    pk = p[L.P_DU0_PEAK_POWER + o]
    s = w * p[L.P_DU0_INV_MAX_SPEED + o]
    tau = abs(tq) * p[L.P_DU0_INV_PEAK_TORQUE + o]
    if s == 0.0 and tau == 0.0:
        return 0.0
    if tau == 0.0:
        return (pk * (p[L.P_DU0_C0 + o] + p[L.P_DU0_C1 + o] * s + p[L.P_DU0_C3 + o] * s * s * s)
                * p[L.P_DU0_ZERO_TORQUE_LOSS + o])
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


@njit(cache=True, inline="always", fastmath=FASTMATH, error_model="numpy")
def _unit_force_limit(p, o, vbar, nf, nr):
    """Motor speed [rad/s] of the unit at offset ``o`` and the largest wheel force [N] it can
    give there: its torque envelope, capped by its axle's grip."""
    w = vbar * p[L.P_INV_WHEEL_RADIUS] * p[L.P_DU0_GEAR_RATIO + o]
    tmax = _max_torque(w, p[L.P_DU0_PEAK_TORQUE + o], p[L.P_DU0_PEAK_POWER + o], p[L.P_DU0_MAX_SPEED + o])
    n_ax = nf if p[L.P_DU0_FRONT + o] != 0.0 else nr
    return w, min(tmax * p[L.P_DU0_TORQUE_TO_FORCE + o], p[L.P_TYRE_ROAD_FRICTION] * max(n_ax, 0.0))


@njit(cache=True, fastmath=FASTMATH, error_model="numpy")
def _traction(p, force, vbar, acc, cos_t):
    """Share a positive wheel force between drive units, primary first (unit 0 = the platform's
    primary axle takes demand up to its limit; the rest goes to unit 1).

    Returns (feasible, electrical power [W], motor losses [W], gearbox losses [W])."""
    nf, nr = _normal_loads(p, acc, cos_t)
    remaining = force
    pel = 0.0
    mloss = 0.0
    gloss = 0.0
    for u in range(2):
        o = u * L.DU_STRIDE
        if p[L.P_DU0_PRESENT + o] == 0.0:
            continue
        w, fmax = _unit_force_limit(p, o, vbar, nf, nr)
        fu = min(remaining, fmax) if remaining > 0.0 else 0.0
        remaining -= fu
        tq = fu * p[L.P_DU0_FORCE_TO_TORQUE + o]
        loss = _loss(p, o, w, tq)
        pel += tq * w + loss
        mloss += loss
        gloss += fu * vbar * p[L.P_DU0_GEAR_LOSS_FACTOR + o]
    return remaining <= 1e-9 * max(force, 1.0), pel, mloss, gloss


@njit(cache=True, fastmath=FASTMATH, error_model="numpy")
def _max_traction_force(p, vbar, acc, cos_t):
    """The largest positive wheel force the drive units can put down [N]: each unit's torque
    envelope at the speed, capped by its axle's grip (the limits :func:`_traction` applies)."""
    nf, nr = _normal_loads(p, acc, cos_t)
    total = 0.0
    for u in range(2):
        o = u * L.DU_STRIDE
        if p[L.P_DU0_PRESENT + o] != 0.0:
            total += _unit_force_limit(p, o, vbar, nf, nr)[1]
    return total


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
        eta = p[L.P_DU0_GEARBOX_EFFICIENCY + o]
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
def power_at_current(voc, res, cur):
    """Terminal power [W] the pack gives at discharge current ``cur`` [A] (V_oc I - R I^2), or its
    maximum power V_oc^2 / (4 R) when ``cur`` lies beyond the maximum-power point."""
    i = min(cur, 0.5 * voc / res)
    return voc * i - res * i * i


@njit(cache=True, inline="always", fastmath=FASTMATH, error_model="numpy")
def _battery_limits(p, ocv_tables, soc, r_temp, dt):
    """Discharge and charge power limits [W] at the terminals: the pack's rated limits, the
    voltage window (V_min, V_max) of the equivalent circuit, the usable SOC window and the pack's
    current limit. Also returns the hard discharge limit ``p_hard`` [W] over a step of ``dt`` s:
    the power at the smaller of the current limit and the current that empties the usable window
    within the step (the pack never goes below its lowest usable SOC), and whether that window
    (not the current limit) set it."""
    voc = interp_uniform(ocv_tables, int(p[L.P_OCV_ROW]), soc)
    d = soc - 0.5
    res = r_temp * (1.0 + RESISTANCE_SOC_CURVATURE * d * d)
    vmin = p[L.P_V_MIN]
    vmax = p[L.P_V_MAX]
    inv_res = 1.0 / res
    i_left = max(soc - p[L.P_SOC_MIN], 0.0) * p[L.P_CAPACITY] / dt
    i_max = p[L.P_MAX_CURRENT]
    window = i_left <= i_max
    p_hard = power_at_current(voc, res, min(i_left, i_max))
    pdis = 0.0
    if soc > p[L.P_SOC_MIN] and voc > vmin:
        pdis = min(p[L.P_MAX_DISCHARGE_POWER], vmin * (voc - vmin) * inv_res, p_hard)
    pchg = 0.0
    if soc < p[L.P_SOC_MAX] and vmax > voc:
        pchg = min(p[L.P_MAX_CHARGE_POWER], vmax * (vmax - voc) * inv_res)
    return pdis, pchg, voc, res, p_hard, window
