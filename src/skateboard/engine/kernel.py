"""The exact path's view of one vehicle at one time step: the physics functions of
:mod:`skateboard.physics` applied to a variant's parameter row.

The equations live in :mod:`skateboard.physics` (road load and axle loads in ``road_load``,
torque envelope and losses in ``drive_unit``, the equivalent circuit in ``battery``, the
braking share and fade in ``braking``); the helpers here read a parameter row (the columns of
:mod:`skateboard.engine.layout`) and combine them: sharing traction between the drive units,
the regenerative part of a braking force, the battery's power limits.
:mod:`skateboard.engine.lanes` calls them on its exact path; its vectorised fast path calls the
same physics functions on the tile's rows. When the powertrain, battery or grip cannot give the
demanded force, the exact path bisects for the highest reachable speed, records the shortfall
and follows the achieved speed.
"""

from __future__ import annotations

from skateboard.engine import layout as L
from skateboard.jitcache import njit
from skateboard.physics.battery import (interp_uniform, power_at_current, resistance_at_soc,
                                        terminal_power_limits)
from skateboard.physics.braking import axle_brake_share, free_distribution, regen_fade
from skateboard.physics.drive_unit import unit_loss, wheel_force_limit
from skateboard.physics.road_load import axle_loads, road_load, step_kinematics, tractive_force
BISECTION_STEPS = 40
#: No LLVM fast-math: strict IEEE arithmetic, so a variant's result is the same bit for bit
#: whatever code LLVM builds around it. With fast-math ('contract', 'reassoc', ...) LLVM fused and
#: reordered operations differently depending on where the kernel was inlined, and a cold-cache
#: Dask worker computed ranges 6e-14 away from the main process's (seen in CI). Measured: no
#: slower without it (13.0 against 17 us per vehicle-UDDS at N = 10 000).
FASTMATH = False
#: The compiled functions the kernel calls (physics, steps) are left to LLVM's inliner, not
#: Numba's ``inline="always"``, which re-types the inlined code at every call site. Measured
#: 2026-12-04 (2-core AMD EPYC): the kernel compiles in 14.7 s instead of 24.9 s, and steps as
#: fast (6.5-6.9 against 6.7-6.9 ns per vehicle-step, UDDS, N = 10 000, one thread), with the
#: same results: without fast-math, where code is inlined cannot change a bit.


@njit(cache=True, fastmath=FASTMATH, error_model="numpy")
def _unit_losses(p, o, w, tq):
    """(loss, zero-torque loss) [W] of the drive unit at offset ``o``: physics.drive_unit.unit_loss
    at motor speed ``w`` [rad/s] and shaft torque ``tq`` [N m]."""
    return unit_loss(w * p[L.P_DU0_INV_MAX_SPEED + o], abs(tq) * p[L.P_DU0_INV_PEAK_TORQUE + o],
                     p[L.P_DU0_PEAK_POWER + o], p[L.P_DU0_C0 + o], p[L.P_DU0_C1 + o], p[L.P_DU0_C2 + o],
                     p[L.P_DU0_C3 + o], p[L.P_DU0_ZERO_TORQUE_LOSS + o])


@njit(cache=True, fastmath=FASTMATH, error_model="numpy")
def _loss(p, o, w, tq):
    """Loss [W] of the drive unit at offset ``o`` (physics.drive_unit.unit_loss)."""
    return _unit_losses(p, o, w, tq)[0]


@njit(cache=True, fastmath=FASTMATH, error_model="numpy")
def _normal_loads(p, acc, cos_t):
    """Front and rear axle normal loads [N] with longitudinal load transfer."""
    return axle_loads(p[L.P_MASS] * p[L.P_GRAVITY], cos_t, p[L.P_FRONT_MASS_SHARE], acc,
                      p[L.P_LOAD_TRANSFER_PER_ACC])


@njit(cache=True, fastmath=FASTMATH, error_model="numpy")
def _unit_force_limit(p, o, vbar, nf, nr):
    """Motor speed [rad/s] of the unit at offset ``o``, the largest wheel force [N] its motor can
    give there (torque envelope) and the largest its axle's tyres can (grip)."""
    w = vbar * p[L.P_INV_WHEEL_RADIUS] * p[L.P_DU0_GEAR_RATIO + o]
    f_motor = wheel_force_limit(w, 1.0 / vbar, p[L.P_DU0_PEAK_TORQUE + o], p[L.P_DU0_PEAK_POWER + o],
                                p[L.P_DU0_MAX_SPEED + o], p[L.P_DU0_TORQUE_TO_FORCE + o],
                                p[L.P_DU0_GEARBOX_EFFICIENCY + o])
    n_ax = nf if p[L.P_DU0_FRONT + o] != 0.0 else nr
    return w, f_motor, p[L.P_TYRE_ROAD_FRICTION] * max(n_ax, 0.0)


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
        w, f_motor, grip = _unit_force_limit(p, o, vbar, nf, nr)
        fu = min(remaining, min(f_motor, grip)) if remaining > 0.0 else 0.0
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
            w, f_motor, grip = _unit_force_limit(p, o, vbar, nf, nr)
            total += min(f_motor, grip)
    return total


@njit(cache=True, fastmath=FASTMATH, error_model="numpy")
def _regen(p, brake_force, vbar, acc, cos_t, scale):
    """Regenerative part of a braking force [N] (> 0).

    Limited by the driven axles' share of braking (physics.braking), motor generating torque,
    tyre grip, and the fade at low speed; ``scale`` (0..1) lowers it further for the battery's
    charge limit. Returns (regen force [N], electrical power to the bus [W], motor losses [W],
    gearbox losses [W]); a unit whose losses would exceed its generated power does not
    regenerate."""
    m_g = p[L.P_MASS] * p[L.P_GRAVITY]
    nf, nr = _normal_loads(p, acc, cos_t)
    inv_n = 1.0 / (m_g * cos_t)  # 1 / (nf + nr)
    free = free_distribution(brake_force, m_g, p[L.P_BOTH_AXLES_DRIVEN] != 0.0)
    fade = regen_fade(vbar, p[L.P_REGEN_FADE_LOW], 1.0 / (p[L.P_REGEN_FADE_HIGH] - p[L.P_REGEN_FADE_LOW]))
    freg = 0.0
    pel = 0.0
    mloss = 0.0
    gloss = 0.0
    for u in range(2):
        o = u * L.DU_STRIDE
        if p[L.P_DU0_PRESENT + o] == 0.0:
            continue
        w, f_motor, grip = _unit_force_limit(p, o, vbar, nf, nr)
        share = axle_brake_share(nf if p[L.P_DU0_FRONT + o] != 0.0 else nr, inv_n, free)
        eta = p[L.P_DU0_GEARBOX_EFFICIENCY + o]
        eta2 = eta * eta
        # wheel -> motor: T = F r eta / g = F * force_to_torque * eta^2 (losses on the way back)
        fu = min(brake_force * share, f_motor * (1.0 / eta2), grip) * fade * scale
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
            total += _unit_losses(p, o, vbar * inv_r * p[L.P_DU0_GEAR_RATIO + o], 0.0)[1]
    return total


@njit(cache=True, fastmath=FASTMATH, error_model="numpy")
def _required_force(p, v0, v1, inv_dt, sin_t):
    """Wheel force [N] to go from ``v0`` to ``v1`` in the step, its acceleration and mean speed."""
    acc, vbar = step_kinematics(v0, v1, inv_dt)
    aero, rolling = road_load(p[L.P_F0], p[L.P_F1], p[L.P_F2], vbar)
    return tractive_force(p[L.P_INERTIAL_MASS], acc, aero, rolling, p[L.P_MASS] * p[L.P_GRAVITY], sin_t), acc, vbar


@njit(cache=True, fastmath=FASTMATH, error_model="numpy")
def _battery_limits(p, ocv_tables, soc, r_temp, dt):
    """Discharge and charge power limits [W] at the terminals: the pack's rated limits, the
    voltage window (V_min, V_max) of the equivalent circuit, the usable SOC window and the pack's
    current limit. Also returns the hard discharge limit ``p_hard`` [W] over a step of ``dt`` s:
    the power at the smaller of the current limit and the current that empties the usable window
    within the step (the pack never goes below its lowest usable SOC), and whether that window
    (not the current limit) set it."""
    voc = interp_uniform(ocv_tables, int(p[L.P_OCV_ROW]), soc)
    res = resistance_at_soc(r_temp, soc)
    i_left = max(soc - p[L.P_SOC_MIN], 0.0) * p[L.P_CAPACITY] / dt
    i_max = p[L.P_MAX_CURRENT]
    window = i_left <= i_max
    p_hard = power_at_current(voc, res, min(i_left, i_max))
    pdis, pchg = terminal_power_limits(voc, res, soc, p[L.P_SOC_MIN], p[L.P_SOC_MAX], p[L.P_V_MIN],
                                       p[L.P_V_MAX], p[L.P_MAX_DISCHARGE_POWER], p[L.P_MAX_CHARGE_POWER])
    # p_hard >= 0 (a current of at least 0 below the maximum-power point), so a zero limit stays 0
    return min(pdis, p_hard), pchg, voc, res, p_hard, window
