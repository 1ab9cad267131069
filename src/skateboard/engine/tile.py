"""The tile buffer of :mod:`skateboard.engine.lanes`: how a tile of ``LANES`` variants keeps its
parameters and state in one flat array, ``b[row * LANES + lane]``: rows 0 .. N_PARAMS - 1 hold
the parameters (:mod:`skateboard.engine.layout`), rows S0 ... the state (the ``X_*`` indices,
written out so that Numba compiles them as constants; ``tests/test_engine.py`` checks them
against ``ST``), rows H0 ... the open-circuit voltage as hinges. The kernel's step functions
(:mod:`.lanes`, :mod:`.generating`) share it."""

from __future__ import annotations

from skateboard.engine import layout as L

#: Variants per tile: a multiple of the widest vector (8 doubles in AVX-512) and small enough that
#: a tile's parameters and state stay in the L1 cache. Measured 2026-12-03 (2-core AMD EPYC,
#: AVX-512): with steady steps 16 lanes step the WLTP shortened test 1.5x faster than 8 (two
#: vectors hide the latency of the battery's SOC -> voltage -> current chain) and 32 no faster;
#: results are the same bits for any LANES.
LANES = 16

# state rows (quantity x lane); accumulators in J, m, s, kg. Distance, time and battery energies
# are summed per phase (ph_*) and added to the run's totals when a phase closes; battery loss,
# auxiliary energy, inertia and electric distance follow from other sums at the end.
_names = """v soc r_temp target low high gross_energy_per_hour engine_on on_time
distance time e_battery_chem e_battery_terminal e_regen e_aero e_rolling e_grade e_drivetrain_loss e_friction_brake
e_fuel e_engine_loss e_generator_loss e_engine_electric fuel_mass engine_starts engine_on_time e_nonelec trace_miss_time max_shortfall
breakoff_d breakoff_t stopped repeats_done depleted depleted_at aux_unserved aux_at_depletion ph_d ph_chem ph_term ph_fuel ph_t
exact_only inv_capacity take inv_mg inv_fade inv_e2_0 inv_e2_1 v_start engine_start_soc
c_motor c_loss c_fric c_regen c_tpel c_rback c_static c_pos
ocv_a ocv_b ocv_lo ocv_hi
mg tforce_0 tforce_1 peta_0 peta_1 w_per_v_0 w_per_v_1 s_per_v_0 s_per_v_1 f2t_e2_0 f2t_e2_1
one_minus_eta_0 one_minus_eta_1 run_k0 first_gen_step first_gen_d
g_ok g_soc g_pgen g_pshaft g_x g_chem g_term g_eta""".split()
ST = {n: i for i, n in enumerate(_names)}
N_STATE = len(_names)
#: The tile buffer holds the parameters (rows 0 .. N_PARAMS-1) then the state (rows S0 ...), one
#: row of LANES values per quantity: b[row * LANES + lane]. One flat buffer with compile-time
#: strides lets LLVM prove that the rows never overlap, so the lane loop vectorises.
S0 = L.N_PARAMS
#: OCV as hinges: rows H0 (value at SOC 0), H0 + 1 (slope on the first segment) and H0 + 1 + k
#: (change of slope at SOC k / OCV_KNOTS), from :func:`ocv_hinges`.
OCV_KNOTS = 10
H0 = S0 + N_STATE
N_ROWS = H0 + OCV_KNOTS + 1

# X_*: index into the lane state ST, written out (tests/test_engine.py checks them)
X_V = 0
X_SOC = 1
X_R_TEMP = 2
X_TARGET = 3
X_LOW = 4
X_HIGH = 5
X_GROSS_ENERGY_PER_HOUR = 6
X_ENGINE_ON = 7
X_ON_TIME = 8
X_DISTANCE = 9
X_TIME = 10
X_E_BATTERY_CHEM = 11
X_E_BATTERY_TERMINAL = 12
X_E_REGEN = 13
X_E_AERO = 14
X_E_ROLLING = 15
X_E_GRADE = 16
X_E_DRIVETRAIN_LOSS = 17
X_E_FRICTION_BRAKE = 18
X_E_FUEL = 19
X_E_ENGINE_LOSS = 20
X_E_GENERATOR_LOSS = 21
X_E_ENGINE_ELECTRIC = 22
X_FUEL_MASS = 23
X_ENGINE_STARTS = 24
X_ENGINE_ON_TIME = 25
X_E_NONELEC = 26
X_TRACE_MISS_TIME = 27
X_MAX_SHORTFALL = 28
X_BREAKOFF_D = 29
X_BREAKOFF_T = 30
X_STOPPED = 31
X_REPEATS_DONE = 32
X_DEPLETED = 33
X_DEPLETED_AT = 34
X_AUX_UNSERVED = 35
X_AUX_AT_DEPLETION = 36
X_PH_D = 37
X_PH_CHEM = 38
X_PH_TERM = 39
X_PH_FUEL = 40
X_PH_T = 41
X_EXACT_ONLY = 42
X_INV_CAPACITY = 43
X_TAKE = 44
X_INV_MG = 45
X_INV_FADE = 46
X_INV_E2_0 = 47
X_INV_E2_1 = 48
X_V_START = 49
X_ENGINE_START_SOC = 50
# what the fast step computed that depends on the step (speeds, grade) and the lane's parameters
# only, not on its state: a steady step (same speeds and grade as the last fast step) reuses it
X_C_MOTOR = 51
X_C_LOSS = 52
X_C_FRIC = 53
X_C_REGEN = 54
X_C_TPEL = 55
X_C_RBACK = 56
X_C_STATIC = 57
X_C_POS = 58
# the OCV's line on the segment [ocv_lo, ocv_hi] of the hinges that holds the lane's SOC:
# voc = ocv_a + ocv_b soc there (from :func:`ocv_segment`; a fast step outside it goes exact,
# and the exact path moves the line to the new segment)
X_OCV_A = 59
X_OCV_B = 60
X_OCV_LO = 61
X_OCV_HI = 62
# products of a lane's parameters the fast step would otherwise form at every step (a load costs
# no arithmetic): m g; per drive unit, its peak torque as a wheel force, peak power x gearbox
# efficiency, motor speed and relative speed per m/s of vehicle speed, force-to-torque x eta^2
# and 1 - eta (init_lane)
X_MG = 63
X_TFORCE_0 = 64
X_TFORCE_1 = 65
X_PETA_0 = 66
X_PETA_1 = 67
X_W_PER_V_0 = 68
X_W_PER_V_1 = 69
X_S_PER_V_0 = 70
X_S_PER_V_1 = 71
X_F2T_E2_0 = 72
X_F2T_E2_1 = 73
X_ONE_MINUS_ETA_0 = 74
X_ONE_MINUS_ETA_1 = 75
# the step at which the lane's current run of fast steps began: a fast step does not add its
# distance, time and road-load energies; they are the cycle's sums over the run, added when the
# run closes (close_run: before an exact step, at a phase's end)
X_RUN_K0 = 76
# the first step (t_index, from 1) in which the range extender delivered electrical power (0: not
# yet) and the distance driven before it: a charge-depleting test's all-electric range without a
# recorded time series (the engine runs on the exact path only, so the exact path sets them)
X_FIRST_GEN_STEP = 77
X_FIRST_GEN_D = 78
# the generating step's values between its passes (generating.generating_step): whether it takes
# the lane, the new SOC, generator and shaft power, the engine map's argument, the battery's
# chemical and terminal energy, and the engine efficiency looked up between the passes
X_G_OK = 79
X_G_SOC = 80
X_G_PGEN = 81
X_G_PSHAFT = 82
X_G_X = 83
X_G_CHEM = 84
X_G_TERM = 85
X_G_ETA = 86
