"""Electric drive unit: torque/power envelope and losses of motor + inverter + gearbox.

Losses follow the loss model of Larminie & Lowry (Electric Vehicle Technology Explained,
2nd ed., Wiley 2012, sec. 7.2.6, eq. 7.x)::

    P_loss = k_c T^2 + k_i w + k_w w^3 + C

copper losses (k_c T^2), iron losses (k_i w), windage (k_w w^3) and constant inverter/controller
losses (C). We write it per unit of the motor's rating so one map scales to any motor:

    P_loss / P_peak = c0 + c_speed * s + c_torque2 * tau^2 + c_speed3 * s^3
    s = w / w_max,  tau = |T| / T_peak

A speed x torque efficiency map given by a user is turned into the four coefficients by a
non-negative least-squares fit (:func:`fit_loss_coefficients`), so the compiled kernel evaluates one
polynomial instead of a table.

The equations live once, in the compiled scalar functions :func:`wheel_force_limit` (with
:func:`wheel_force_envelope`),
:func:`torque_limit` and :func:`unit_loss`, which both paths of the engine's kernel call (LLVM
inlines them); :func:`max_torque`, :func:`loss_power` and :func:`efficiency` are their array
forms for analysis and tests. Arguments follow one order everywhere: operating point (speed,
torque), then the rating (peak torque, peak power, maximum speed), then the loss coefficients.
"""

from __future__ import annotations

import numpy as np

from skateboard.jitcache import njit

# Default coefficients of a permanent-magnet synchronous drive unit (motor + SiC/IGBT inverter).
# Shape from Larminie & Lowry (2012) sec. 7.2.6; magnitudes chosen so that the peak efficiency
# is about 0.95 and efficiency at 10 % load about 0.90, the range of FASTSim-2's
# `large_baseline_eff` curve (0.83 at 0 %, 0.91 at 10 %, 0.94 peak; see docs/sources.md).
# Assumption: a generic map, not any maker's measured one.
NAMED_LOSS_MAPS: dict[str, tuple[float, float, float, float]] = {
    # c0, c_speed, c_torque2, c_speed3
    "pmsm_generic": (0.0040, 0.0150, 0.0450, 0.0150),
    # Induction machines: higher magnetising and rotor copper losses (about 2 points lower
    # efficiency than PMSM; Larminie & Lowry sec. 7.4 discuss the difference). Assumption.
    "induction_generic": (0.0060, 0.0250, 0.0650, 0.0150),
    # Measured technology maps: the same form fitted (fit_per_unit_loss) to every in-envelope
    # motoring point of the measured maps of one machine type in data/drive_units/ (motor +
    # inverter/controller drives of the 1990s from NREL's ADVISOR 2003 library; sources in its
    # PROVENANCE.md), each drive in its own per-unit terms; 4 significant digits
    # (skateboard.validation.drive_maps refits them; docs/accuracy.md). Their loss *level* is
    # that of 16-83 kW drives of that decade, not of a modern unit: the calibrated rule is the
    # default.
    "pmsm_measured": (0.003660, 0.04352, 0.1464, 0.03590),        # 5 drives, 430 points
    "induction_measured": (0.008710, 0.02692, 0.1608, 0.01204),   # 4 drives, 318 points
}


def rated_loss_coefficients(base, peak_power, no_load_scale, copper_scale, rating_exponent,
                            reference_power):
    """Loss coefficients of a unit of ``peak_power`` [W] from a per-unit ``base`` map (c0, c_speed,
    c_torque2, c_speed3) with its no-load terms referred to a unit of ``reference_power`` [W] and
    its load term following the rating with ``rating_exponent`` (docs/accuracy.md, "The generic
    vehicle")::

        no-load terms x no_load_scale x P_ref / P
        load term     x copper_scale x (P / P_ref)^(1 - rating_exponent)

    so the unit's no-load loss [W] is the reference unit's whatever its rating, and its load
    loss per unit torque squared goes as 1 / P^rating_exponent. ``reference_power`` None refers
    both to the unit's own rating (the native per-unit scaling). The calibrated values live in
    :mod:`skateboard.spec.defaults`."""
    c0, c1, c2, c3 = base
    ratio = peak_power / reference_power if reference_power else 1.0
    ref = no_load_scale / ratio
    k = copper_scale * ratio ** (1.0 - rating_exponent)
    return (c0 * ref, c1 * ref, c2 * k, c3 * ref)


def named_loss_map(name: str) -> tuple[float, float, float, float]:
    """Loss coefficients of a bundled generic map; KeyError lists the valid names."""
    try:
        return NAMED_LOSS_MAPS[name]
    except KeyError:
        raise KeyError(f"unknown loss map {name!r}; valid: {', '.join(sorted(NAMED_LOSS_MAPS))}") from None


@njit(cache=True, error_model="numpy")
def torque_limit(speed, peak_torque, peak_power, max_speed):
    """Torque envelope [N m] at motor speed ``speed`` >= 0 [rad/s]: min(T_peak, P_peak / w),
    zero above ``max_speed``."""
    if speed > max_speed:
        return 0.0
    if speed * peak_torque > peak_power:
        return peak_power / speed
    return peak_torque


@njit(cache=True, error_model="numpy")
def wheel_force_limit(speed, inv_vehicle_speed, peak_torque, peak_power, max_speed, torque_to_force,
                      gearbox_efficiency):
    """The torque envelope as a force at the wheel [N]: peak torque through the gear
    (T_peak x ``torque_to_force``), peak power through the gearbox (P_peak eta / v, with
    ``inv_vehicle_speed`` = 1 / v), zero above ``max_speed`` (motor speed ``speed`` [rad/s]).
    Equal to :func:`torque_limit` x ``torque_to_force`` (torque_to_force = gear ratio x eta /
    wheel radius, w = v x gear ratio / wheel radius) without a division per call."""
    return wheel_force_envelope(speed, inv_vehicle_speed, peak_torque * torque_to_force,
                                peak_power * gearbox_efficiency, max_speed)


@njit(cache=True, error_model="numpy")
def wheel_force_envelope(speed, inv_vehicle_speed, peak_torque_force, peak_power_at_wheel, max_speed):
    """:func:`wheel_force_limit` from its products: the peak torque as a wheel force [N]
    (T_peak x torque_to_force) and the peak power through the gearbox [W] (P_peak eta), for a
    caller that forms them once per vehicle (the kernel's fast path)."""
    force = min(peak_torque_force, peak_power_at_wheel * inv_vehicle_speed)
    return 0.0 if speed > max_speed else force


@njit(cache=True, error_model="numpy")
def unit_loss(s, tau, peak_power, c0, c1, c2, c3, zero_torque_loss_factor):
    """Loss of a drive unit [W] at relative speed ``s`` = w / w_max >= 0 and relative torque
    ``tau`` = |T| / T_peak >= 0, and its loss when turning at zero torque at that speed.

    loss = P_peak (c0 + c1 s + c3 s^3) + P_peak c2 tau^2; at zero torque the no-load part is
    multiplied by ``zero_torque_loss_factor`` (1: the machine turns with the wheels and loses
    all of it; 0: a disconnect clutch opens or the machine is de-excited); zero at standstill
    with zero torque (inverter off). Returns (loss [W], zero-torque loss [W])."""
    no_load = peak_power * (c0 + c1 * s + c3 * s * s * s)
    idle = no_load * zero_torque_loss_factor if s != 0.0 else 0.0
    loss = (idle if tau == 0.0 else no_load) + peak_power * c2 * tau * tau
    return loss, idle


def max_torque(speed, peak_torque, peak_power, max_speed):
    """:func:`torque_limit` over arrays of motor speed [rad/s] (either sign)."""
    speed = np.abs(np.asarray(speed, dtype=float))
    out = np.array([torque_limit(w, peak_torque, peak_power, max_speed) for w in speed.ravel()])
    return out.reshape(speed.shape)


def loss_power(speed, torque, peak_torque, peak_power, max_speed, coefficients,
               zero_torque_loss_factor=1.0):
    """:func:`unit_loss` over arrays: drive-unit loss [W] at motor speed [rad/s] and shaft torque
    [N m] (either sign)."""
    c0, c1, c2, c3 = coefficients
    s = np.abs(np.asarray(speed, dtype=float)) / max_speed
    tau = np.abs(np.asarray(torque, dtype=float)) / peak_torque
    s, tau = np.broadcast_arrays(s, tau)
    out = np.array([unit_loss(a, b, peak_power, c0, c1, c2, c3, zero_torque_loss_factor)[0]
                    for a, b in zip(s.ravel(), tau.ravel())])
    return out.reshape(s.shape)


def efficiency(speed, torque, peak_torque, peak_power, max_speed, coefficients):
    """Motoring efficiency P_mech / P_elec at (speed, torque > 0); generating: P_elec / P_mech."""
    speed = np.asarray(speed, dtype=float)
    torque = np.asarray(torque, dtype=float)
    p_mech = speed * torque
    loss = loss_power(speed, torque, peak_torque, peak_power, max_speed, coefficients)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(p_mech >= 0, p_mech / (p_mech + loss), (-p_mech - loss) / -p_mech)


def fit_loss_coefficients(speed, torque, efficiency_map, peak_torque, peak_power, max_speed):
    """Fit the four loss coefficients to a motoring efficiency map.

    Parameters
    ----------
    speed : array (n,) [rad/s];  torque : array (m,) [N m], positive;
    efficiency_map : array (n, m), 0..1, motoring efficiency at each (speed, torque).
        Points outside the torque envelope or with efficiency <= 0 are ignored.

    Returns
    -------
    tuple of 4 non-negative floats (c0, c_speed, c_torque2, c_speed3).
    """
    w, t = np.meshgrid(np.asarray(speed, float), np.asarray(torque, float), indexing="ij")
    eta = np.asarray(efficiency_map, float)
    if eta.shape != w.shape:
        raise ValueError(f"efficiency map has shape {eta.shape}, expected {w.shape} (speeds x torques)")
    ok = (eta > 0) & (eta <= 1) & (w > 0) & (t > 0) & (t <= max_torque(w, peak_torque, peak_power, max_speed) + 1e-9)
    return fit_per_unit_loss(w[ok] / max_speed, t[ok] / peak_torque, (w * t)[ok] / peak_power, eta[ok])


def fit_per_unit_loss(s, tau, power, efficiency) -> tuple[float, float, float, float]:
    """Fit the four per-unit loss coefficients to scattered motoring points, possibly of several
    machines at once (each point in its own machine's per-unit terms).

    Parameters
    ----------
    s : relative speed w / w_max [-];  tau : relative torque T / T_peak [-];
    power : shaft power / peak power [-], > 0;  efficiency : motoring efficiency, 0..1 [-].

    Least squares on the per-unit loss power / efficiency - power, each point weighted by
    1 / power (so its error counts as an efficiency error), with every coefficient kept
    non-negative (SciPy's ``optimize.nnls``: the best non-negative fit, not an unconstrained one
    clipped). :func:`fit_loss_coefficients` fits a grid map with it."""
    from scipy.optimize import nnls

    s, tau, p, eta = (np.asarray(a, dtype=float) for a in (s, tau, power, efficiency))
    if s.size < 4:
        raise ValueError(f"a loss fit needs at least 4 motoring points inside the torque envelope, got {s.size}")
    loss = p / eta - p
    a = np.column_stack([np.ones_like(s), s, tau**2, s**3]) / p[:, None]
    coef, _ = nnls(a, loss / p)
    return tuple(float(c) for c in coef)

