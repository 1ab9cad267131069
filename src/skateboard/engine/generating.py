"""The step of range-extended lanes whose engine runs: the exact path's rules without its search.

A range-extended lane whose engine runs is declined by the vectorised fast step of
:mod:`skateboard.engine.lanes` (the engine's on/off rules and its map do not vectorise). Most
such steps need none of the exact path's searches, though: the lane follows the trace, the
engine stays on, the battery takes or gives the difference within its limits. This step covers
them, for the tile's lanes at once (vectorised, :func:`generating_step`), after the fast step and
before the exact one:

* the drive units' part (force, traction or regeneration power, losses, friction) is what the
  fast step computed for the step's speeds and grade and left in the rows ``X_C_*`` (it does not
  depend on the lane's state; a steady step reuses it in the same way);
* the battery limits as the fast step forms them (the open-circuit voltage on its segment's
  line), raised by the generator's maximum power for traction, as :func:`~.lanes.exact_step`
  does for a running engine;
* the range extender's output, fuel and losses with the same operations as
  :func:`~.lanes.exact_step` for the thermostat, load-following and hold strategies.

A lane goes on to the exact path when any rule it leaves out could apply: the engine would
stop (SOC above the band after the minimum on-time, or the tank empty) or has not yet delivered
power (the exact path records that step), the operating-point strategy (whose level needs a
second traction evaluation), a trace the lane cannot follow, regeneration above the charge
limit, the battery's maximum-power point, current limit or usable window, an OCV segment
change. Measured 2026-12-04 (2-core AMD EPYC, one thread, 256 copies of the bundled EREV on
three WLTCs from its sustain SOC): 145 ns per vehicle-step on the exact path before, 37-38 ns
with this step scalar; vectorised (2 048 copies, engine on 79 % of the steps) 16.2-16.4 ns
against 34.0-35.0 scalar, interleaved.
"""

from __future__ import annotations

from skateboard.engine import layout as L
from skateboard.engine import tile as T
from skateboard.engine.kernel import FASTMATH
from skateboard.engine.tile import LANES, S0
from skateboard.jitcache import njit
from skateboard.physics.battery import (current_for_power, interp_uniform, resistance_at_soc,
                                        terminal_power_limits)
from skateboard.physics.range_extender import generator_efficiency_along_line
from skateboard.physics.road_load import step_kinematics

#: The operating-point strategy's code (:data:`skateboard.engine.layout.STRATEGIES`): its lanes
#: stay on the exact path.
OPERATING_POINT = float(L.STRATEGIES["operating_point"])
THERMOSTAT = float(L.STRATEGIES["thermostat"])


@njit(cache=True, fastmath=FASTMATH, error_model="numpy")
def generating_step(b, rex_tables, v_prev, vt, dt, inv_dt):
    """Step the lanes of tile buffer ``b`` that the fast step declined and whose engine runs and
    keeps running, where no rule of the exact path beyond this step's applies (module
    docstring). Sets ``X_TAKE`` to 1 for each lane it steps; returns how many it stepped.

    Branch-free, like the fast step, so that its lane loops vectorise: every lane computes the
    step, and a lane that a rule excludes keeps its state (selects, not branches); a lane it takes
    gets the operations of the scalar step in the same order, so the same bits. In three passes,
    because loads from the engine's table at a lane's own index stop LLVM vectorising a loop
    that stores into the tile (it cannot bound them): the step up to the engine map's argument
    (vectorised), the map (scalar, one lookup per lane), the fuel and the commit (vectorised);
    the passes hand their values over in the rows ``X_G_*``."""
    vbar = step_kinematics(v_prev, vt, inv_dt)[1]
    dist = vbar * dt
    for l in range(LANES):
        ok = (b[(S0 + T.X_TAKE) * LANES + l] == 0.0 and b[(S0 + T.X_ENGINE_ON) * LANES + l] != 0.0
              and b[L.P_EM_STRATEGY * LANES + l] != OPERATING_POINT
              and b[(S0 + T.X_FIRST_GEN_STEP) * LANES + l] != 0.0
              and b[(S0 + T.X_EXACT_ONLY) * LANES + l] == 0.0 and b[(S0 + T.X_STOPPED) * LANES + l] == 0.0
              and b[(S0 + T.X_DEPLETED) * LANES + l] == 0.0 and b[(S0 + T.X_V) * LANES + l] == v_prev)
        soc = b[(S0 + T.X_SOC) * LANES + l]
        # the engine keeps running (exact_step's switch-off rule)
        fuel_left = b[(S0 + T.X_FUEL_MASS) * LANES + l] < b[L.P_REX_FUEL_MASS_MAX * LANES + l]
        ok = ok and fuel_left and not (soc > b[(S0 + T.X_HIGH) * LANES + l]
                                       and b[(S0 + T.X_ON_TIME) * LANES + l] >= b[L.P_REX_MIN_ON_TIME * LANES + l])
        # battery limits, as the fast step forms them (these lines repeat the fast step's: a shared
        # helper would take the tile buffer, and an array argument in the fast step's lane loop
        # costs a reference count that stops LLVM vectorising it: tried 2026-12-04, 6.4 -> 27 ns
        # per vehicle-step on UDDS)
        sc = min(max(soc, 0.0), 1.0)
        ok = ok and sc >= b[(S0 + T.X_OCV_LO) * LANES + l] and sc <= b[(S0 + T.X_OCV_HI) * LANES + l]
        voc = b[(S0 + T.X_OCV_A) * LANES + l] + b[(S0 + T.X_OCV_B) * LANES + l] * sc
        res = resistance_at_soc(b[(S0 + T.X_R_TEMP) * LANES + l], soc)
        pdis, pchg = terminal_power_limits(voc, res, soc, b[L.P_SOC_MIN * LANES + l],
                                           b[L.P_SOC_MAX * LANES + l], b[L.P_V_MIN * LANES + l],
                                           b[L.P_V_MAX * LANES + l],
                                           b[L.P_MAX_DISCHARGE_POWER * LANES + l],
                                           b[L.P_MAX_CHARGE_POWER * LANES + l])
        aux = b[L.P_AUX_POWER * LANES + l]
        rex_max = b[L.P_REX_MAX_POWER * LANES + l]
        # the drive units' part of the step (state-independent; the fast step's rows)
        p_motor = b[(S0 + T.X_C_MOTOR) * LANES + l]
        traction_ok = (b[(S0 + T.X_C_STATIC) * LANES + l] != 0.0
                       and b[(S0 + T.X_C_TPEL) * LANES + l] + aux <= pdis + rex_max)
        regen_ok = b[(S0 + T.X_C_RBACK) * LANES + l] <= pchg + aux
        ok = ok and (traction_ok if b[(S0 + T.X_C_POS) * LANES + l] != 0.0 else regen_ok)
        p_bus = p_motor + aux
        # the range extender's output (exact_step, strategies other than operating point)
        soc_err = b[(S0 + T.X_TARGET) * LANES + l] - soc
        p_follow = max(p_bus + b[L.P_EM_GAIN * LANES + l] * soc_err * b[(S0 + T.X_GROSS_ENERGY_PER_HOUR) * LANES + l],
                       b[L.P_EM_MIN_POWER * LANES + l])
        p_thermostat = max(b[L.P_REX_BEST_EFFICIENCY_POWER * LANES + l], p_bus)
        p_gen = p_thermostat if b[L.P_EM_STRATEGY * LANES + l] == THERMOSTAT else p_follow
        p_gen = min(max(p_gen, 0.0), rex_max, p_bus + pchg)
        p_gen = max(p_gen, min(p_bus - pdis, rex_max), 0.0)
        # the battery gives or takes the rest, within its maximum-power point, current limit and
        # usable window
        p_term = p_bus - p_gen
        cur, within = current_for_power(p_term, voc, res)
        soc_new = soc - cur * dt * b[(S0 + T.X_INV_CAPACITY) * LANES + l]
        ok = ok and within and soc_new >= b[L.P_SOC_MIN * LANES + l] and cur <= b[L.P_MAX_CURRENT * LANES + l]
        gen_eff = b[L.P_REX_GENERATOR_EFFICIENCY * LANES + l]
        p_shaft = p_gen / generator_efficiency_along_line(gen_eff, p_gen / rex_max)
        chem = voc * cur * dt
        b[(S0 + T.X_G_OK) * LANES + l] = 1.0 if ok else 0.0
        b[(S0 + T.X_G_SOC) * LANES + l] = soc_new
        b[(S0 + T.X_G_PGEN) * LANES + l] = p_gen
        b[(S0 + T.X_G_PSHAFT) * LANES + l] = p_shaft
        b[(S0 + T.X_G_X) * LANES + l] = p_shaft / (rex_max / gen_eff)
        b[(S0 + T.X_G_CHEM) * LANES + l] = chem
        b[(S0 + T.X_G_TERM) * LANES + l] = chem - cur * cur * res * dt
    # the engine's efficiency at its shaft power (exact_step: interp_uniform), for the lanes taken
    for l in range(LANES):
        if b[(S0 + T.X_G_OK) * LANES + l] != 0.0 and b[(S0 + T.X_G_PSHAFT) * LANES + l] > 0.0:
            b[(S0 + T.X_G_ETA) * LANES + l] = interp_uniform(rex_tables, int(b[L.P_REX_EFF_ROW * LANES + l]),
                                                             b[(S0 + T.X_G_X) * LANES + l])
    taken = 0
    for l in range(LANES):
        ok = b[(S0 + T.X_G_OK) * LANES + l] != 0.0
        p_gen = b[(S0 + T.X_G_PGEN) * LANES + l]
        p_shaft = b[(S0 + T.X_G_PSHAFT) * LANES + l]
        fuel_power = (p_shaft / b[(S0 + T.X_G_ETA) * LANES + l] if p_shaft > 0.0
                      else b[L.P_REX_IDLE_FUEL_POWER * LANES + l])
        # commit, in exact_step's order; a lane not taken adds zeros and keeps its values
        tdt = dt if ok else 0.0
        b[(S0 + T.X_E_ENGINE_LOSS) * LANES + l] += (fuel_power - p_shaft) * dt if ok else 0.0
        b[(S0 + T.X_E_GENERATOR_LOSS) * LANES + l] += (p_shaft - p_gen) * dt if ok else 0.0
        b[(S0 + T.X_E_FUEL) * LANES + l] += fuel_power * dt if ok else 0.0
        b[(S0 + T.X_E_ENGINE_ELECTRIC) * LANES + l] += p_gen * dt if ok else 0.0
        fuel_step = fuel_power * dt * (1.0 / b[L.P_REX_LOWER_HEATING_VALUE * LANES + l]) if ok else 0.0
        b[(S0 + T.X_FUEL_MASS) * LANES + l] += fuel_step
        b[(S0 + T.X_PH_FUEL) * LANES + l] += fuel_step
        b[(S0 + T.X_ENGINE_ON_TIME) * LANES + l] += tdt
        b[(S0 + T.X_ON_TIME) * LANES + l] += tdt
        b[(S0 + T.X_SOC) * LANES + l] = b[(S0 + T.X_G_SOC) * LANES + l] if ok else b[(S0 + T.X_SOC) * LANES + l]
        b[(S0 + T.X_V) * LANES + l] = vt if ok else b[(S0 + T.X_V) * LANES + l]
        b[(S0 + T.X_E_NONELEC) * LANES + l] += dist if ok else 0.0
        b[(S0 + T.X_E_DRIVETRAIN_LOSS) * LANES + l] += b[(S0 + T.X_C_LOSS) * LANES + l] * dt if ok else 0.0
        b[(S0 + T.X_E_FRICTION_BRAKE) * LANES + l] += b[(S0 + T.X_C_FRIC) * LANES + l] * dist if ok else 0.0
        b[(S0 + T.X_E_REGEN) * LANES + l] += b[(S0 + T.X_C_REGEN) * LANES + l] * dt if ok else 0.0
        b[(S0 + T.X_PH_CHEM) * LANES + l] += b[(S0 + T.X_G_CHEM) * LANES + l] if ok else 0.0
        b[(S0 + T.X_PH_TERM) * LANES + l] += b[(S0 + T.X_G_TERM) * LANES + l] if ok else 0.0
        b[(S0 + T.X_TAKE) * LANES + l] = 1.0 if ok else b[(S0 + T.X_TAKE) * LANES + l]
        taken += 1 if ok else 0
    return taken
