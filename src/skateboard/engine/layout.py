"""Column layout of the arrays the compiled kernel reads and writes.

The kernel takes one float64 matrix of parameters (N variants x N_PARAMS), so adding a
parameter is adding a name here and a line in :mod:`skateboard.engine.batch`. Every value is SI.
"""

from __future__ import annotations


def _enum(names: str) -> dict[str, int]:
    return {n: i for i, n in enumerate(names.split())}


#: Parameter columns (N x N_PARAMS). Names match :class:`skateboard.spec.variant.Variant` where
#: they mean the same; units in DESIGN.md's glossary. Columns named inv_*, *_to_* and *_factor
#: are derived by :func:`skateboard.engine.batch.derive` (reciprocals and products the kernel
#: would otherwise divide for at every step).
PARAM_NAMES = """
mass inertial_mass f0 f1 f2 gravity
wheel_radius wheelbase cg_height front_mass_share tyre_road_friction
du0_present du0_front du0_peak_power du0_peak_torque du0_max_speed du0_gear_ratio du0_gear_eff
du0_c0 du0_c1 du0_c2 du0_c3 du0_zero_torque_loss
du0_inv_max_speed du0_inv_peak_torque du0_force_to_torque du0_torque_to_force du0_gear_loss_factor
du1_present du1_front du1_peak_power du1_peak_torque du1_max_speed du1_gear_ratio du1_gear_eff
du1_c0 du1_c1 du1_c2 du1_c3 du1_zero_torque_loss
du1_inv_max_speed du1_inv_peak_torque du1_force_to_torque du1_torque_to_force du1_gear_loss_factor
inv_wheel_radius load_transfer_per_acc both_axles_driven
ocv_row capacity resistance temperature v_min v_max soc_min soc_max soc_initial
max_discharge_power max_charge_power max_current
aux_power regen_fade_low regen_fade_high
rex_present rex_max_power rex_gen_eff rex_idle_fuel_power rex_min_on_time rex_start_fuel_energy
rex_fuel_mass_max rex_lhv rex_fuel_density rex_best_power
em_strategy em_soc_target em_soc_low em_soc_high em_gain em_min_power
rex_eff_row
""".split()
P = {n: i for i, n in enumerate(PARAM_NAMES)}
N_PARAMS = len(PARAM_NAMES)

#: Summary columns per variant (N x N_SUMMARY). Energies in J, distances in m, times in s.
#: ``depleted_at``: when the pack reached the bottom of its usable window and stopped serving
#: traction and auxiliaries [s], NaN when it never did.
SUMMARY_NAMES = """
distance time soc_end
e_battery_chem e_battery_terminal e_battery_loss e_regen
e_aero e_rolling e_grade e_inertia e_drivetrain_loss e_aux e_friction_brake
e_fuel e_engine_loss e_generator_loss e_engine_electric
fuel_mass engine_starts engine_on_time electric_distance
trace_miss_time max_shortfall breakoff_distance breakoff_time stopped
repeats_done depleted_at
""".split()
S = {n: i for i, n in enumerate(SUMMARY_NAMES)}
N_SUMMARY = len(SUMMARY_NAMES)

#: Per (variant, repeat, phase) records.
PHASE_NAMES = "distance e_battery_chem e_battery_terminal fuel_mass soc_end time".split()
R = {n: i for i, n in enumerate(PHASE_NAMES)}
N_PHASE = len(PHASE_NAMES)

#: Time-series channels, recorded on request (N x steps x N_TRACE).
TRACE_NAMES = "speed target_speed soc battery_power engine_power motor_power friction_power".split()
TR = {n: i for i, n in enumerate(TRACE_NAMES)}
N_TRACE = len(TRACE_NAMES)

STRATEGIES = {"none": 0, "thermostat": 1, "load_following": 2, "hold": 3}


# Integer constants for the compiled kernel (numba reads module attributes as compile-time
# constants): P_MASS, S_DISTANCE, R_FUEL_MASS, TR_SOC, ...
for _prefix, _table in (("P_", P), ("S_", S), ("R_", R), ("TR_", TR)):
    for _name, _index in _table.items():
        globals()[_prefix + _name.upper()] = _index
DU_STRIDE = P["du1_present"] - P["du0_present"]
