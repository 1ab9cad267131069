"""How much of a braking force the drive units may recover (scalar, compiled).

- **Axle share** (UN R13-H Annex 5 para. 3.1.1): the ideal-distribution ordering of front and
  rear braking is required only for braking rates z = 0.15 ... 0.8, so below
  :data:`FREE_BRAKE_RATE` a blended brake system may put all of the braking on the driven
  axle(s); above it, and always when both axles are driven, each axle takes the share of its
  dynamic normal load.
- **Fade**: regeneration fades linearly to zero between the vehicle's ``regen_fade_high`` and
  ``regen_fade_low`` speeds (spec field; the motor's back-EMF and the friction brakes' blending
  take over at walking pace).

Both paths of the engine's kernel call these functions; LLVM inlines them.
"""

from __future__ import annotations

from skateboard.jitcache import njit


#: Braking rate below which any front/rear distribution is allowed (UN R13-H Annex 5 para. 3.1.1).
FREE_BRAKE_RATE = 0.15


@njit(cache=True, error_model="numpy")
def free_distribution(brake_force, weight, both_axles_driven):
    """True when a single driven axle may take all of ``brake_force`` [N] (braking rate below
    :data:`FREE_BRAKE_RATE`; ``weight`` = m g [N])."""
    return (not both_axles_driven) and brake_force <= FREE_BRAKE_RATE * weight


@njit(cache=True, error_model="numpy")
def axle_brake_share(axle_load, inv_total_load, free):
    """Share of the braking force an axle with normal load ``axle_load`` [N] may take: all of it
    under free distribution, else its share of the total normal load (given as a reciprocal)."""
    return 1.0 if free else axle_load * inv_total_load


@njit(cache=True, error_model="numpy")
def regen_fade(speed, fade_low, inv_fade_span):
    """Regeneration's fade factor (0..1) at ``speed`` [m/s]: 0 below ``fade_low``, 1 above
    ``fade_low`` + 1 / ``inv_fade_span``, linear between."""
    return min(max((speed - fade_low) * inv_fade_span, 0.0), 1.0)
