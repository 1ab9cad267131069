"""Road load, tractive force and axle loads of one time step (scalar, compiled).

Per step of the backward-difference, quasi-static model (the step from sample k-1 to k):

    a = (v_k - v_{k-1}) / dt,   v_bar = (v_{k-1} + v_k) / 2
    F = m_i a + F0 + F1 v_bar + F2 v_bar^2 + m g sin(theta)

with F0, F1, F2 the coast-down (road-load) coefficients of UN GTR 15 Annex 4 / 40 CFR 1066.210
(F0 and F1 only while the vehicle moves: a standing car has no rolling resistance), m_i the
inertial mass (test mass plus the rotating-mass allowance) and m g sin(theta) the grade force.
Because m_i a v_bar dt = m_i (v_k^2 - v_{k-1}^2) / 2 exactly, the per-step energy terms
telescope and the energy audit closes to round-off.

Axle loads with longitudinal load transfer: N_f = m g cos(theta) x front share - a x m h / L,
N_r = m g cos(theta) - N_f (the transfer per unit acceleration m h / L is computed once per
vehicle, :mod:`skateboard.engine.batch`).

Road-load coefficients of a car described by its physical parameters (:func:`coefficients`):
F0 = C_rr m g, F1 = 0, F2 = rho C_d A / 2 (Gillespie, Fundamentals of Vehicle Dynamics, 1992,
ch. 4); a car described by coast-down coefficients uses them as measured.

These are the only copies of these equations: both paths of the engine's kernel
(:mod:`skateboard.engine.kernel`, :mod:`skateboard.engine.lanes`) call them; LLVM inlines them.
"""

from __future__ import annotations

from skateboard.jitcache import njit
from skateboard.physics.constants import GRAVITY


@njit(cache=True, error_model="numpy")
def step_kinematics(v0, v1, inv_dt):
    """Mean acceleration [m/s^2] and mean speed [m/s] of a step from ``v0`` to ``v1`` [m/s]
    lasting 1 / ``inv_dt`` s."""
    return (v1 - v0) * inv_dt, 0.5 * (v0 + v1)


@njit(cache=True, error_model="numpy")
def road_load(f0, f1, f2, speed):
    """Aerodynamic (F2 v^2) and rolling (F0 + F1 v, zero at standstill) road-load forces [N]
    at ``speed`` [m/s] >= 0."""
    aero = f2 * speed * speed
    rolling = f0 + f1 * speed if speed > 0.0 else 0.0
    return aero, rolling


@njit(cache=True, error_model="numpy")
def tractive_force(inertial_mass, acceleration, aero, rolling, weight, sin_grade):
    """Wheel force [N] the trace demands: inertia + road load + grade (``weight`` = m g [N];
    positive: driving, negative: braking)."""
    return inertial_mass * acceleration + (aero + rolling) + weight * sin_grade


@njit(cache=True, error_model="numpy")
def axle_loads(weight, cos_grade, front_share, acceleration, transfer_per_acceleration):
    """Front and rear axle normal loads [N] with longitudinal load transfer (``weight`` = m g,
    ``transfer_per_acceleration`` = m h / L [kg])."""
    normal = weight * cos_grade
    front = normal * front_share - acceleration * transfer_per_acceleration
    return front, normal - front


def coefficients(rolling_resistance_coefficient, drag_coefficient, frontal_area, mass, air_density,
                 speed_coefficient=0.0):
    """(F0 [N], F1 [N/(m/s)], F2 [N/(m/s)^2]) of the physical form at test ``mass`` [kg] and
    ``air_density`` [kg/m^3]: F = m g (c_rr + ``speed_coefficient`` [s/m] x v) + 0.5 rho Cd A
    v^2; scalars or NumPy arrays (broadcast)."""
    return (rolling_resistance_coefficient * mass * GRAVITY, speed_coefficient * mass * GRAVITY,
            0.5 * air_density * drag_coefficient * frontal_area)
