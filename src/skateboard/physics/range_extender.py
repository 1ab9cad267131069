"""Range extender along its operating line: engine map, generator losses, operating-point choice.

A series range extender's generator decouples engine speed from vehicle speed, so for each
electrical output the engine runs at its best-efficiency speed and load: its efficiency is a
function of power alone (the *operating line*). Three pieces, each a compiled function the
kernel calls (:mod:`skateboard.engine.lanes`):

Engine map of a dedicated range-extender engine (:data:`DEDICATED_LOAD_FRACTIONS`,
:data:`DEDICATED_EFFICIENCY`; ``engine_map = "dedicated_range_extender"`` in a platform's
``[range_extenders.<option>]``)
    Brake efficiency over shaft power / rated shaft power. Peak 0.42: Nissan's e-Power engine
    (STARC, a dedicated series-hybrid generator engine) is published at 42 % (dpmeredith.com,
    quoted in ``data/validation/erev_published.csv``), and purpose-built 1.5 l range extenders
    in China at 42-45 % (hugeauto.com, "Why 1.5T engine dominates range extenders", 2025; Chery
    44.5 %); the lowest of these published peaks is taken. Shape: NREL FASTSim's default map of
    an Atkinson-cycle hybrid engine (efficiency 0.10, 0.12, 0.28, 0.35, 0.375, 0.39, 0.40, 0.40,
    0.38, 0.37, 0.36, 0.35 at 0, 0.5, 1.5, 4, 6, 10, 14, 20, 40, 60, 80, 100 % of rated output),
    scaled to the 0.42 peak, with its power axis stretched so that its plateau (14-20 % of rated
    output in FASTSim, where the engine of a power-split hybrid sees its load) sits at 35-50 %:
    FASTSim fractions up to 20 % are multiplied by 2.5 and those from 20 to 100 % are mapped
    linearly onto 50-100 % (assumption: a dedicated range extender is sized so that its best
    zone is mid-power; hugeauto.com: "operates solely within its most efficient RPM band").
Generator and rectifier losses along the line (:func:`generator_efficiency_along_line`)
    Efficiency over electrical output / rated electrical output: NREL FASTSim's default
    electric-machine curve (0.86, 0.86, 0.88, 0.90, 0.91, 0.92, 0.94, 0.95, 0.95, 0.94, 0.93 at
    0, 2, 4, 6, 8, 10, 20, 40, 60, 80, 100 %), scaled so that it equals the range extender's
    ``generator_efficiency`` at rated output (the spec's value keeps its meaning there: max
    electrical power = engine max power x generator_efficiency).
Operating-point strategy (:func:`operating_point_power`, strategy ``operating_point``)
    While the engine runs it delivers one of a few levels on the operating line: the lowest
    level, the best-efficiency power, the middle of best and maximum, and the maximum. The level
    is the lowest that covers the demand = the steady road-load power at the vehicle's speed
    (the drive units' electrical power to hold that speed on that grade, plus the auxiliaries)
    + ``gain`` x (``soc_target`` - SOC) x gross energy per hour. The battery buffers the
    difference to the instantaneous demand, so the engine never follows the load at low power.
    Lowest level = ``min_power`` when given, else :data:`LOW_LEVEL_OF_BEST` x the
    best-efficiency power (assumption). Production series hybrids publish this behaviour, not
    their levels (Nissan e-Power, Leapmotor, Li Auto: engine at fixed efficient points chosen
    by speed and charge; issue #21).
"""

from __future__ import annotations

import numpy as np

from skateboard.jitcache import njit

_FASTSIM_FRACTIONS = (0.0, 0.005, 0.015, 0.04, 0.06, 0.10, 0.14, 0.20, 0.40, 0.60, 0.80, 1.0)
_FASTSIM_ATKINSON = (0.10, 0.12, 0.28, 0.35, 0.375, 0.39, 0.40, 0.40, 0.38, 0.37, 0.36, 0.35)
PEAK_BRAKE_EFFICIENCY = 0.42


def _stretch(f: float) -> float:
    return 2.5 * f if f <= 0.20 else 0.5 + (f - 0.20) / 0.80 * 0.5


def scale_to_peak(efficiency, peak: float) -> tuple[float, ...]:
    """An engine map's brake efficiencies scaled so their highest is ``peak`` (same shape),
    rounded to 6 digits: how a published peak brake thermal efficiency enters a map
    (``peak_engine_efficiency`` of a range-extender option)."""
    top = max(efficiency)
    return tuple(round(e * peak / top, 6) for e in efficiency)


#: Shaft power / rated shaft power of the dedicated range-extender map (see the docstring).
DEDICATED_LOAD_FRACTIONS = tuple(round(_stretch(f), 6) for f in _FASTSIM_FRACTIONS)
#: Brake efficiency at :data:`DEDICATED_LOAD_FRACTIONS` (see the docstring).
DEDICATED_EFFICIENCY = scale_to_peak(_FASTSIM_ATKINSON, PEAK_BRAKE_EFFICIENCY)
#: Named engine maps a range-extender option may choose (``engine_map``).
ENGINE_MAPS = {"dedicated_range_extender": (DEDICATED_LOAD_FRACTIONS, DEDICATED_EFFICIENCY)}

_GEN_FRACTIONS = np.array([0.0, 0.02, 0.04, 0.06, 0.08, 0.10, 0.20, 0.40, 0.60, 0.80, 1.0])
_GEN_SHAPE = np.array([0.86, 0.86, 0.88, 0.90, 0.91, 0.92, 0.94, 0.95, 0.95, 0.94, 0.93])
_GEN_SHAPE = _GEN_SHAPE / _GEN_SHAPE[-1]
#: Lowest level of the operating-point strategy as a share of the best-efficiency power when
#: ``min_power`` is not given (assumption).
LOW_LEVEL_OF_BEST = 0.5


@njit(cache=True)
def generator_efficiency_along_line(rated_efficiency, output_fraction):
    """Generator + rectifier efficiency at electrical output / rated electrical output
    ``output_fraction`` (clipped to 0..1), equal to ``rated_efficiency`` at 1."""
    x = min(max(output_fraction, 0.0), 1.0)
    return rated_efficiency * _generator_shape(x)


@njit(cache=True)
def _generator_shape(x):
    """:func:`_interp` on the generator's curve (``_GEN_FRACTIONS``, ``_GEN_SHAPE``) for ``x`` in
    [0, 1] (or NaN), written as selects over the segments instead of a search, so that the lane
    loop of :func:`skateboard.engine.generating.generating_step` vectorises: the largest knot at or
    below ``x`` gives its segment's slope, knot and value, and the same operations on the same
    values give the same bits as :func:`_interp` (``tests/test_operating_point.py``)."""
    n = _GEN_FRACTIONS.shape[0]
    slope = (_GEN_SHAPE[1] - _GEN_SHAPE[0]) / (_GEN_FRACTIONS[1] - _GEN_FRACTIONS[0])
    x0 = _GEN_FRACTIONS[0]
    f0 = _GEN_SHAPE[0]
    for k in range(1, n - 1):
        above = x >= _GEN_FRACTIONS[k]
        slope = ((_GEN_SHAPE[k + 1] - _GEN_SHAPE[k]) / (_GEN_FRACTIONS[k + 1] - _GEN_FRACTIONS[k])
                 if above else slope)
        x0 = _GEN_FRACTIONS[k] if above else x0
        f0 = _GEN_SHAPE[k] if above else f0
    value = f0 if x == x0 else slope * (x - x0) + f0
    return _GEN_SHAPE[n - 1] if x >= _GEN_FRACTIONS[n - 1] else value


@njit(cache=True)
def _interp(x, xp, fp):
    """``numpy.interp(x, xp, fp)`` for one ``x`` in [xp[0], xp[-1]] (or NaN), with numpy's own
    arithmetic (the slope of the segment, then slope (x - xp[j]) + fp[j]; a knot's value at a
    knot), so the same bits. Numba's ``np.interp`` builds arrays for a scalar and took 59 ns a
    call here against 5 ns (2026-12-04), a third of a range-extended exact step."""
    n = xp.shape[0]
    if x >= xp[n - 1]:
        return fp[n - 1]
    j = 0
    while x >= xp[j + 1]:
        j += 1
    if x == xp[j]:
        return fp[j]
    slope = (fp[j + 1] - fp[j]) / (xp[j + 1] - xp[j])
    return slope * (x - xp[j]) + fp[j]


@njit(cache=True)
def operating_levels(p_min, p_best, p_max):
    """The four output levels [W] (lowest, best efficiency, middle of best and max, max)."""
    low = p_min if p_min > 0.0 else LOW_LEVEL_OF_BEST * p_best
    low = min(low, p_best)
    return low, p_best, 0.5 * (p_best + p_max), p_max


@njit(cache=True)
def operating_point_power(p_cruise, soc_correction, p_min, p_best, p_max):
    """Electrical output [W] of the operating-point strategy: the lowest level covering
    ``p_cruise + soc_correction`` (the steady demand at the vehicle's speed and the SOC term),
    the maximum when none does."""
    demand = p_cruise + soc_correction
    l0, l1, l2, l3 = operating_levels(p_min, p_best, p_max)
    if demand <= l0:
        return l0
    if demand <= l1:
        return l1
    if demand <= l2:
        return l2
    return l3
