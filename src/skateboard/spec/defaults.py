"""The calibrated physics defaults: what a car gets when its files do not say.

One set of values for every user and for validation (``docs/accuracy.md``, "The generic
vehicle"): a TOML platform that gives no ``charger_efficiency`` and a drive unit that gives no
``loss_map`` get exactly the values and rule that ``skateboard validate epa-testcar`` scores.
:class:`skateboard.validation.GenericDefaults` reads its defaults from here; nothing else holds
these numbers.

How they were fitted (``skateboard.validation.calibrate``; ``docs/accuracy.md``, "Calibration"):
on the bundled EPA MY2022 calibration file (86 screened UDDS and HWFET tests of the US EPA Test
Car List, unadjusted AC consumption), each grid point of no-load scale x load scale simulated at a
charger efficiency of 1, the zero-bias charger efficiency found in closed form and constrained to
the plausible 0.85-0.92 (``docs/sources.md``), the admissible point with the lowest MAPE kept
(6.11 %). The rating exponent was chosen among 0, 0.25, 0.5, 0.75 and 1 by the lowest
leave-one-make-out error (6.89 %). The reference power is a structural assumption. Since
2026-12-04 the drive-unit technology scales (induction machines, SiC inverters) are fitted on
the same file with the two generic scales held, and the charger efficiency refitted with them.
"""

from __future__ import annotations

from skateboard.physics.drive_unit import NAMED_LOSS_MAPS, rated_loss_coefficients

#: AC mains -> battery charging efficiency [-]. Fitted: 0.8512 rounded to 0.851 (within
#: docs/sources.md's 0.85-0.92), refitted 2026-12-04 with the drive-unit technology scales;
#: 0.855 before, 0.865 before the six unit-defect records of 2026-12-02.
CHARGER_EFFICIENCY = 0.851

#: Name of the default drive-unit loss rule: the :data:`BASE_LOSS_MAP` shape with the calibrated
#: scales below, referred to :data:`LOSS_REFERENCE_POWER` (see :func:`calibrated_loss_coefficients`).
CALIBRATED_LOSS_MAP = "calibrated"
#: The shape the calibrated rule scales (Larminie & Lowry form, skateboard.physics.drive_unit).
BASE_LOSS_MAP = "pmsm_generic"
#: Multiplies the no-load terms (c0, c_speed, c_speed3) of :data:`BASE_LOSS_MAP`, referred to a
#: unit of :data:`LOSS_REFERENCE_POWER` [-]. Fitted: 0.15 (0.2 before the 2026-12-02 refit; the
#: surface is flat between them).
NO_LOAD_LOSS_SCALE = 0.15
#: Multiplies the load term (c_torque2) of :data:`BASE_LOSS_MAP` [-]. Fitted: 5. An effective
#: value standing for every load-dependent loss (copper, inverter conduction, wiring).
COPPER_LOSS_SCALE = 5.0
#: The load term follows the unit's rated power as (rated / reference)^(1 - exponent), i.e. the
#: load loss per N m^2 goes as 1 / rated power^exponent [-]. Chosen by leave-one-make-out: 0.25.
COPPER_LOSS_RATING_EXPONENT = 0.25
#: [W] The no-load terms are those of a unit of this rating whatever the unit's own rating (rated
#: power is mostly a battery and inverter current limit: a 750 kW car does not lose 5 times the
#: no-load power of a 150 kW one). Assumption (a structural choice): 150 kW.
LOSS_REFERENCE_POWER = 150e3

#: Motor maximum speed / base speed (the end of constant torque) of the generic torque rule the
#: calibration used: peak torque = peak power x ratio / maximum speed [-]. Assumption: 3, a
#: typical field-weakening range of PMSM traction motors (Nissan Leaf EM57: 110 kW, 320 N m,
#: i.e. base 3280 rpm of 10390 rpm max [check]). The calibrated load term is referred to this
#: torque (see :func:`calibrated_loss_coefficients`).
BASE_SPEED_RATIO = 3.0

#: Drive-unit technology (issue #15 §3): the calibrated rule's four loss coefficients x
#: :data:`INDUCTION_LOSS_SCALE` for an induction machine x :data:`SIC_LOSS_SCALE` for a
#: silicon-carbide inverter (:func:`technology_loss_scale`).
#: Fitted with the scales above on the same file, each row's technology taken from the sourced
#: side table ``src/skateboard/data/validation/drive_technology.csv`` (never fitted per row or
#: per make; docs/accuracy.md, "Drive-unit technology"). Induction (asynchronous) machines: 2,
#: i.e. twice the losses of the generic permanent-magnet unit (rotor copper and magnetising
#: losses; fitted). Electrically excited synchronous machines: 1 (not fitted: the file's EESM
#: cars, BMW's, are predicted within 3 % by the generic rule). Silicon-carbide inverters: 0.7
#: (fitted; lower switching and light-load conduction losses than silicon IGBTs). Grid searched:
#: induction 1-3 in steps of 0.5, SiC 0.6-1 in steps of 0.1 (validation.calibrate).
INDUCTION_LOSS_SCALE = 2.0
SIC_LOSS_SCALE = 0.7
#: The values a drive unit's ``motor_type`` and ``inverter`` may take (the spec and the
#: validation's side table read these).
MOTOR_TYPES = ("pmsm", "induction", "eesm")
INVERTERS = ("si", "sic")


def technology_loss_scale(motor_type: str = "pmsm", inverter: str = "si", *,
                          induction_scale: float = INDUCTION_LOSS_SCALE,
                          sic_scale: float = SIC_LOSS_SCALE) -> float:
    """Factor on the calibrated rule's loss coefficients for a unit's technology [-]: the
    induction scale for an induction machine (1 for PMSM and EESM) times the SiC scale for a
    silicon-carbide inverter (1 for silicon)."""
    if motor_type not in MOTOR_TYPES or inverter not in INVERTERS:
        raise ValueError(f"unknown drive-unit technology {motor_type!r}/{inverter!r}")
    return ((induction_scale if motor_type == "induction" else 1.0)
            * (sic_scale if inverter == "sic" else 1.0))


#: Every loss-map name a drive unit may give.
LOSS_MAP_NAMES = (CALIBRATED_LOSS_MAP, *NAMED_LOSS_MAPS)
#: The loss map of a drive unit that names none.
DEFAULT_LOSS_MAP = CALIBRATED_LOSS_MAP


def zero_torque_loss_factor(motor_type: str, disconnect: bool = False) -> float:
    """Share of a drive unit's no-load loss it keeps while turning at zero torque [-].

    - A permanent-magnet machine coupled to its wheels stays magnetised: its iron losses go on
      whenever it turns (1). Assumption: the whole no-load loss of the calibrated rule.
    - An induction machine with no stator current has no field, hence no iron loss or drag
      beyond bearings and windage ("when powered off, induction motors exhibit minimal
      resistance to motion", Munro & Associates, leandesign.com/ev-motor-induction-vs-permanent-
      magnet; the reason Tesla and VW put them on secondary axles): 0.
    - An electrically excited synchronous machine with its rotor current off likewise has no
      field: 0 (the same reasoning; its rotor carries no magnets).
    - A unit whose disconnect decouples it from the wheels does not turn: 0.
    Bearing and windage losses of an unpowered machine are neglected (assumption)."""
    if disconnect or motor_type in ("induction", "eesm"):
        return 0.0
    return 1.0


def rule_peak_torque(peak_power: float, max_speed: float) -> float:
    """Peak torque [N m] of the generic torque rule: peak power [W] x :data:`BASE_SPEED_RATIO` /
    maximum speed [rad/s] (power reached at a third of the maximum speed)."""
    return peak_power * BASE_SPEED_RATIO / max_speed


def calibrated_loss_coefficients(peak_power: float, peak_torque: float | None = None,
                                 max_speed: float | None = None, *, base: str = BASE_LOSS_MAP,
                                 no_load_scale: float = NO_LOAD_LOSS_SCALE,
                                 copper_scale: float = COPPER_LOSS_SCALE,
                                 rating_exponent: float = COPPER_LOSS_RATING_EXPONENT,
                                 reference_power: float | None = LOSS_REFERENCE_POWER,
                                 motor_type: str = "pmsm", inverter: str = "si",
                                 induction_scale: float = INDUCTION_LOSS_SCALE,
                                 sic_scale: float = SIC_LOSS_SCALE,
                                 ) -> tuple[float, float, float, float]:
    """(c0, c_speed, c_torque2, c_speed3) of a unit of ``peak_power`` [W] by the calibrated rule
    (the keyword arguments exist for :func:`skateboard.validation.calibrate`, which varies them).

    The calibration ran units whose peak torque followed :func:`rule_peak_torque`; the fitted
    load term is a loss per (torque / rule torque)^2. A unit with its own ``peak_torque`` [N m]
    and ``max_speed`` [rad/s] gets the load term x (peak_torque / rule torque)^2, so its load
    loss at a given shaft torque is the calibrated one whatever torque limit it declares (the
    limit then only limits). Without them the unit is taken to follow the rule.

    ``motor_type`` and ``inverter`` scale all four coefficients by
    :func:`technology_loss_scale` (1 for the generic permanent-magnet unit on silicon)."""
    c0, c1, c2, c3 = rated_loss_coefficients(NAMED_LOSS_MAPS[base], peak_power, no_load_scale,
                                             copper_scale, rating_exponent, reference_power)
    if peak_torque is not None and max_speed is not None:
        c2 = c2 * (peak_torque / rule_peak_torque(peak_power, max_speed)) ** 2
    k = technology_loss_scale(motor_type, inverter, induction_scale=induction_scale,
                              sic_scale=sic_scale)
    return (c0 * k, c1 * k, c2 * k, c3 * k)


def loss_coefficients_by_name(name: str, peak_power: float, peak_torque: float,
                              max_speed: float, motor_type: str = "pmsm",
                              inverter: str = "si") -> tuple[float, float, float, float]:
    """The loss coefficients of a named map for a unit of ``peak_power`` [W], ``peak_torque``
    [N m] and ``max_speed`` [rad/s]: the calibrated rule for :data:`CALIBRATED_LOSS_MAP` (with
    the technology's scale), the bundled per-unit map otherwise (a measured unit's own map: the
    technology scale does not apply)."""
    if name == CALIBRATED_LOSS_MAP:
        return calibrated_loss_coefficients(peak_power, peak_torque, max_speed,
                                            motor_type=motor_type, inverter=inverter)
    return NAMED_LOSS_MAPS[name]


# ---------------------------------------------------------------------------------------------
# Spec-sheet defaults: what a maker's spec sheet does not give (issue #15 §2)
# ---------------------------------------------------------------------------------------------
# The same rules build the validation's spec-sheet cars (skateboard.validation.spec_sheet), so
# there is one set. Every one is listed, with its effect on the WLTP range, in docs/spec.md
# ("A minimal car"); a variant that uses any is listed by `skateboard evaluate --inputs`.

#: Usable / gross pack energy when only one is given, per chemistry [-]. Assumption (no
#: per-chemistry source found): 0.95 for both, between the bundled B10 packs (0.97-0.98) and the
#: C10 REEV's (0.93).
USABLE_SHARE = {"LFP": 0.95, "NMC": 0.95}
#: Pack nominal voltage [V]. Assumption: 400 V, the common class (only the pack resistance and
#: current follow from it).
NOMINAL_VOLTAGE = 400.0
#: Pack DC charging power [W] when not given. Assumption: 150 kW (the validation's generic pack).
MAX_CHARGE_POWER = 150e3
#: Drive efficiency by which the default pack discharge power covers the drive units: pack
#: power = sum of the platform's drive-unit peak powers / 0.85 + auxiliary load, so the pack
#: never limits the drive [-]. Assumption.
PACK_POWER_DRIVE_EFFICIENCY = 0.85
#: Continuous / peak power of a drive unit [-]. Assumption: 0.5 (the bundled units' ratio).
CONTINUOUS_SHARE = 0.5
#: Motor maximum speed [rad/s]. Assumption: 16 000 rpm (the bundled units' figure).
MOTOR_MAX_SPEED = 16000.0 * 2.0 * 3.141592653589793 / 60.0
#: Vehicle speed at the motor's maximum speed [m/s], which sets the default gear ratio
#: (max speed x rolling radius / this). Assumption: 180 km/h.
TOP_SPEED = 180.0 / 3.6
#: Wheelbase and track [m] when not given. Assumption: 2.9 m and 1.6 m (a C/D-segment car; they
#: only set the axle-load transfer for the grip and regeneration limits).
WHEELBASE = 2.9
TRACK = 1.6
#: Maximum laden mass = curb mass + this [kg]: five occupants of 75 kg and 70 kg of luggage
#: (the rule of the bundled B10, platforms/b10.toml). Assumption. Each axle's maximum load
#: defaults to the whole maximum laden mass (no axle limit).
OCCUPANTS_AND_LUGGAGE = 5 * 75.0 + 70.0
#: Road-load force proportional to speed, per unit of weight, that the physical road load adds
#: to the rolling-resistance coefficient [s/m]: F = m g (c_rr + this x v) + 0.5 rho Cd A v^2.
#: It stands for what a coast-down measures and a spec sheet does not give: tyre rolling
#: resistance rising with speed, bearing and brake drag, and the gap between a maker's best-case
#: Cd and the road load of the version tested. Fitted, 2026-12-04 (docs/accuracy.md, "Spec-sheet
#: road load against EPA coast-downs"): on the EPA calibration file's rows whose model has a
#: published Cd, width and height (data/validation/epa_aero.csv), the spec-sheet road load
#: (c_rr 0.0077, Cd, width x height x 0.85, this) reproduces the consumption the rows' own
#: coast-downs give; grid 0-2e-4 in steps of 1e-5 (validation.road_load.fit_speed_coefficient).
#: With 0 the spec-sheet road load under-predicts that consumption by 11.0 % (UDDS 8.3 %, HWFET
#: 13.7 %); with 1.2e-4 the bias is -0.3 % (hold-out file +4.7 %).
ROLLING_RESISTANCE_SPEED_COEFFICIENT = 1.2e-4
#: Frontal area = width x height x this [-] (the estimate the bundled derivatives use, e.g.
#: derivatives/leapmotor-b10.toml). Assumption.
FRONTAL_AREA_FACTOR = 0.85
#: Frontal area [m^2] used to split a drag area (``cd_a``) given alone into drag coefficient x
#: area; only the product enters the road load. Assumption: 2.5 m^2.
CD_A_REFERENCE_AREA = 2.5


def usable_from_gross(chemistry: str, gross_energy: float) -> float:
    return gross_energy * USABLE_SHARE[chemistry]


def gross_from_usable(chemistry: str, usable_energy: float) -> float:
    return usable_energy / USABLE_SHARE[chemistry]


def default_gear_ratio(max_speed: float, rolling_radius: float) -> float:
    """Gear ratio [-] that reaches the motor's ``max_speed`` [rad/s] at :data:`TOP_SPEED` on
    wheels of ``rolling_radius`` [m]."""
    return max_speed * rolling_radius / TOP_SPEED


def default_pack_discharge_power(drive_peak_powers, aux_power: float) -> float:
    """Pack discharge power [W] that never limits the drive: sum of peak powers / 0.85 + aux."""
    return sum(drive_peak_powers) / PACK_POWER_DRIVE_EFFICIENCY + aux_power


#: Extra fuel chemical energy of a range-extender engine's first start after the type-approval
#: soak (engine, oil, coolant and catalyst at the test cell's 20-30 degC) over the same running
#: hot [J]. Type-1 tests start cold: WLTP's and China's charge-sustaining test is one cycle after
#: a 6-36 h soak at 23 degC (GTR 15 Annex 8 3.2.5; GB/T 19753 via GB 18352.6), the FTP weights
#: its cold-start test 0.43 (40 CFR 86.144-94). The procedures add it once per cold test
#: (``procedures.common.ovc_hev``); the kernel never sees it, and real-world and climate cases
#: leave it out. Assumption, 2.5 MJ (60 g of E10 at 41.5 MJ/kg), from the two measured figures
#: for petrol cars at 20-24 degC: Taylor & Stewart (SAE 2001-01-0221: the FTP's cold bag 1 uses
#: 20 % more fuel than the hot bag 3) and a maker's statement of +20 % over the first 5 km at
#: +20 degC (Cadillac BLS owner's manual, manual.onestart.ai: 12 against 10 l/100 km). Converted
#: here: 75-80 g for cars of their era (25 mpg, 10 l/100 km), 45-52 g for a modern car of
#: 6 l/100 km; 60 g lies between. A
#: check, our own integration (not a CO2MPAS output) of JRC CO2MPAS's cold-friction rule (loss
#: term x (T_coolant / T_thermostat)^-4.5, its default exponent, github.com/JRCSTU/CO2MPAS-TA
#: co2mpas/defaults.py) over a 400-800 s warm-up of a 1.5 l engine: 32-105 g (1.3-4.4 MJ). Not
#: fitted on the validation file (docs/range_extender.md, "Cold start").
COLD_START_FUEL_ENERGY = 2.5e6
