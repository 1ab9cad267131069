"""Column layout of the arrays the compiled kernel reads and writes.

The kernel takes one float64 matrix of parameters (N variants x N_PARAMS), so adding a
parameter is adding a name here and a line in :mod:`skateboard.engine.batch`. Every value is SI.
"""

from __future__ import annotations


#: Parameter columns (N x N_PARAMS). Names match :class:`skateboard.spec.variant.Variant` where
#: they mean the same; units in the glossary in docs/physics.md. Columns named inv_*, *_to_* and *_factor
#: are derived by :func:`skateboard.engine.batch.derive` (reciprocals and products the kernel
#: would otherwise divide for at every step).
PARAM_NAMES = """
mass inertial_mass f0 f1 f2 gravity
wheel_radius wheelbase cg_height front_mass_share tyre_road_friction
du0_present du0_front du0_peak_power du0_peak_torque du0_max_speed du0_gear_ratio du0_gearbox_efficiency
du0_c0 du0_c1 du0_c2 du0_c3 du0_zero_torque_loss
du0_inv_max_speed du0_inv_peak_torque du0_force_to_torque du0_torque_to_force du0_gear_loss_factor
du1_present du1_front du1_peak_power du1_peak_torque du1_max_speed du1_gear_ratio du1_gearbox_efficiency
du1_c0 du1_c1 du1_c2 du1_c3 du1_zero_torque_loss
du1_inv_max_speed du1_inv_peak_torque du1_force_to_torque du1_torque_to_force du1_gear_loss_factor
inv_wheel_radius load_transfer_per_acc both_axles_driven
ocv_row capacity resistance battery_temperature v_min v_max soc_min soc_max soc_initial
max_discharge_power max_charge_power max_current
aux_power regen_fade_low regen_fade_high
rex_present rex_max_power rex_generator_efficiency rex_idle_fuel_power rex_min_on_time rex_start_fuel_energy
rex_fuel_mass_max rex_lower_heating_value rex_fuel_density rex_best_efficiency_power
em_strategy em_soc_target em_soc_low em_soc_high em_gain em_min_power
rex_eff_row
""".split()
P = {n: i for i, n in enumerate(PARAM_NAMES)}
N_PARAMS = len(PARAM_NAMES)

#: Summary columns per variant (N x N_SUMMARY). Energies in J, distances in m, times in s.
#: ``depleted_at``: when the pack reached the bottom of its usable window and stopped serving
#: traction and auxiliaries [s], NaN when it never did. ``first_generation_step``: the first step
#: (counted from 1 over all repeats) in which the range extender delivered electrical power, 0
#: when it never did; ``first_generation_distance``: the distance driven before that step [m]
#: (the whole distance when it never did): the all-electric range of a charge-depleting test.
SUMMARY_NAMES = """
distance time soc_end
e_battery_chem e_battery_terminal e_battery_loss e_regen
e_aero e_rolling e_grade e_inertia e_drivetrain_loss e_aux e_friction_brake
e_fuel e_engine_loss e_generator_loss e_engine_electric
fuel_mass engine_starts engine_on_time electric_distance
trace_miss_time max_shortfall breakoff_distance breakoff_time stopped
repeats_done depleted_at first_generation_step first_generation_distance
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

STRATEGIES = {"none": 0, "thermostat": 1, "load_following": 2, "hold": 3, "operating_point": 4}


# Integer constants for the compiled kernel (numba reads module attributes as compile-time
# constants), written out so that a reader, grep and an editor find them;
# tests/test_engine.py checks that each equals its table's index above.
# P_*: index into PARAM_NAMES
P_MASS = 0
P_INERTIAL_MASS = 1
P_F0 = 2
P_F1 = 3
P_F2 = 4
P_GRAVITY = 5
P_WHEEL_RADIUS = 6
P_WHEELBASE = 7
P_CG_HEIGHT = 8
P_FRONT_MASS_SHARE = 9
P_TYRE_ROAD_FRICTION = 10
P_DU0_PRESENT = 11
P_DU0_FRONT = 12
P_DU0_PEAK_POWER = 13
P_DU0_PEAK_TORQUE = 14
P_DU0_MAX_SPEED = 15
P_DU0_GEAR_RATIO = 16
P_DU0_GEARBOX_EFFICIENCY = 17
P_DU0_C0 = 18
P_DU0_C1 = 19
P_DU0_C2 = 20
P_DU0_C3 = 21
P_DU0_ZERO_TORQUE_LOSS = 22
P_DU0_INV_MAX_SPEED = 23
P_DU0_INV_PEAK_TORQUE = 24
P_DU0_FORCE_TO_TORQUE = 25
P_DU0_TORQUE_TO_FORCE = 26
P_DU0_GEAR_LOSS_FACTOR = 27
P_DU1_PRESENT = 28
P_DU1_FRONT = 29
P_DU1_PEAK_POWER = 30
P_DU1_PEAK_TORQUE = 31
P_DU1_MAX_SPEED = 32
P_DU1_GEAR_RATIO = 33
P_DU1_GEARBOX_EFFICIENCY = 34
P_DU1_C0 = 35
P_DU1_C1 = 36
P_DU1_C2 = 37
P_DU1_C3 = 38
P_DU1_ZERO_TORQUE_LOSS = 39
P_DU1_INV_MAX_SPEED = 40
P_DU1_INV_PEAK_TORQUE = 41
P_DU1_FORCE_TO_TORQUE = 42
P_DU1_TORQUE_TO_FORCE = 43
P_DU1_GEAR_LOSS_FACTOR = 44
P_INV_WHEEL_RADIUS = 45
P_LOAD_TRANSFER_PER_ACC = 46
P_BOTH_AXLES_DRIVEN = 47
P_OCV_ROW = 48
P_CAPACITY = 49
P_RESISTANCE = 50
P_BATTERY_TEMPERATURE = 51
P_V_MIN = 52
P_V_MAX = 53
P_SOC_MIN = 54
P_SOC_MAX = 55
P_SOC_INITIAL = 56
P_MAX_DISCHARGE_POWER = 57
P_MAX_CHARGE_POWER = 58
P_MAX_CURRENT = 59
P_AUX_POWER = 60
P_REGEN_FADE_LOW = 61
P_REGEN_FADE_HIGH = 62
P_REX_PRESENT = 63
P_REX_MAX_POWER = 64
P_REX_GENERATOR_EFFICIENCY = 65
P_REX_IDLE_FUEL_POWER = 66
P_REX_MIN_ON_TIME = 67
P_REX_START_FUEL_ENERGY = 68
P_REX_FUEL_MASS_MAX = 69
P_REX_LOWER_HEATING_VALUE = 70
P_REX_FUEL_DENSITY = 71
P_REX_BEST_EFFICIENCY_POWER = 72
P_EM_STRATEGY = 73
P_EM_SOC_TARGET = 74
P_EM_SOC_LOW = 75
P_EM_SOC_HIGH = 76
P_EM_GAIN = 77
P_EM_MIN_POWER = 78
P_REX_EFF_ROW = 79
# S_*: index into SUMMARY_NAMES
S_DISTANCE = 0
S_TIME = 1
S_SOC_END = 2
S_E_BATTERY_CHEM = 3
S_E_BATTERY_TERMINAL = 4
S_E_BATTERY_LOSS = 5
S_E_REGEN = 6
S_E_AERO = 7
S_E_ROLLING = 8
S_E_GRADE = 9
S_E_INERTIA = 10
S_E_DRIVETRAIN_LOSS = 11
S_E_AUX = 12
S_E_FRICTION_BRAKE = 13
S_E_FUEL = 14
S_E_ENGINE_LOSS = 15
S_E_GENERATOR_LOSS = 16
S_E_ENGINE_ELECTRIC = 17
S_FUEL_MASS = 18
S_ENGINE_STARTS = 19
S_ENGINE_ON_TIME = 20
S_ELECTRIC_DISTANCE = 21
S_TRACE_MISS_TIME = 22
S_MAX_SHORTFALL = 23
S_BREAKOFF_DISTANCE = 24
S_BREAKOFF_TIME = 25
S_STOPPED = 26
S_REPEATS_DONE = 27
S_DEPLETED_AT = 28
S_FIRST_GENERATION_STEP = 29
S_FIRST_GENERATION_DISTANCE = 30
# R_*: index into PHASE_NAMES
R_DISTANCE = 0
R_E_BATTERY_CHEM = 1
R_E_BATTERY_TERMINAL = 2
R_FUEL_MASS = 3
R_SOC_END = 4
R_TIME = 5
# TR_*: index into TRACE_NAMES
TR_SPEED = 0
TR_TARGET_SPEED = 1
TR_SOC = 2
TR_BATTERY_POWER = 3
TR_ENGINE_POWER = 4
TR_MOTOR_POWER = 5
TR_FRICTION_POWER = 6
DU_STRIDE = P["du1_present"] - P["du0_present"]
