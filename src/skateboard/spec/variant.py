"""A resolved variant: platform + top hat + chosen options, flattened to SI floats.

This is the contract between ``spec`` (what users write) and ``engine`` (what is simulated).
Everything is SI: m, s, kg, N, W, J, K, rad/s, m**3. Optional parts are ``None``.
Procedures derive test masses and road-load coefficients from these fields
(see :mod:`skateboard.engine.batch`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from skateboard.spec import defaults
from skateboard.spec.defaults import ROLLING_RESISTANCE_SPEED_COEFFICIENT

if TYPE_CHECKING:
    from skateboard.spec.fuels import Fuel

Chemistry = Literal["LFP", "NMC"]
Axle = Literal["front", "rear"]
Strategy = Literal["thermostat", "load_following", "hold", "operating_point"]


@dataclass(frozen=True)
class Pack:
    """A traction battery pack.

    name : option name in the platform file.
    chemistry : "LFP" or "NMC" (selects the cell OCV and resistance curves).
    usable_energy : usable energy [J] (what the maker quotes; WLTP's UBE is measured, ours is
        the energy between the usable SOC limits at open-circuit voltage).
    gross_energy : gross (nameplate) energy [J], >= usable_energy.
    nominal_voltage : pack nominal voltage [V]; cells in series follow from the chemistry.
    resistance : pack DC internal resistance at 25 degC and 50 % SOC [ohm].
    max_discharge_power : [W] at the terminals.
    max_charge_power : [W] at the terminals (limits regenerative braking and range-extender charging).
    mass : [kg] (informational; the derivative's curb mass already includes the pack it is declared with).
    max_current : largest discharge current [A] of the pack (contactors, fuses, busbars, cells);
        ``None`` (the default): ``max_discharge_power`` at the lowest terminal voltage, i.e. the
        pack is rated to give its full power down to its voltage floor
        (:func:`skateboard.engine.batch.pack_current_limit`).
    """

    name: str
    chemistry: Chemistry
    usable_energy: float
    gross_energy: float
    nominal_voltage: float
    resistance: float
    max_discharge_power: float
    max_charge_power: float
    mass: float
    max_current: float | None = None
    #: DC charging power [W] over displayed SOC: ((soc, ...), (power, ...)), or None for the
    #: default shape times max_charge_power (skateboard.procedures.charging).
    dc_charge_curve: tuple[tuple[float, ...], tuple[float, ...]] | None = None
    #: Charging power factor over pack temperature: ((K, ...), (factor, ...)), or None.
    dc_charge_derating: tuple[tuple[float, ...], tuple[float, ...]] | None = None


@dataclass(frozen=True)
class DriveUnit:
    """An electric drive unit (motor + inverter + single-speed gearbox) on one axle.

    loss_coefficients : (c0, c_speed, c_torque2, c_speed3) of the drive-unit loss model
        P_loss = P_peak * (c0 + c_speed * s + c_torque2 * tau**2 + c_speed3 * s**3),
        s = motor speed / max_speed, tau = |torque| / peak_torque
        (Larminie & Lowry, Electric Vehicle Technology Explained, 2nd ed., 2012, sec. 7.2.6).
    zero_torque_loss_factor : share of the no-load loss (c0, c_speed, c_speed3 terms) the unit
        still loses while it gives no torque, 0..1: 1 for a machine that turns with the wheels
        and stays magnetised (a permanent-magnet machine without a clutch, the default), 0 for a
        unit whose disconnect clutch opens at zero torque.
    """

    name: str
    axle: Axle
    peak_power: float           # W, mechanical at the shaft
    continuous_power: float     # W
    peak_torque: float          # N*m at the motor shaft
    max_speed: float            # rad/s of the motor shaft
    gear_ratio: float           # motor speed / wheel speed
    gearbox_efficiency: float   # 0..1, constant
    loss_coefficients: tuple[float, float, float, float]
    mass: float = 0.0           # kg, informational
    zero_torque_loss_factor: float = 1.0
    #: Where ``loss_coefficients`` came from: "calibrated" (the rated rule of
    #: :mod:`skateboard.spec.defaults`, which follows the rating), a fixed per-unit map's
    #: name, "table" (fitted to the file's efficiency map) or "" (given directly).
    loss_map: str = ""
    #: The technology (skateboard.spec.defaults.technology_loss_scale): "pmsm", "induction" or
    #: "eesm"; the inverter "si" or "sic". On the calibrated rule they scale the losses.
    motor_type: str = "pmsm"
    inverter: str = "si"

    def rerated(self, **changes) -> "DriveUnit":
        """This unit with ``changes`` applied; a unit on the calibrated rule gets the loss
        coefficients of its new rating, as the loader would give it."""
        new = dataclasses.replace(self, **changes)
        if new.loss_map == defaults.CALIBRATED_LOSS_MAP:
            new = dataclasses.replace(new, loss_coefficients=defaults.calibrated_loss_coefficients(
                new.peak_power, new.peak_torque, new.max_speed, motor_type=new.motor_type,
                inverter=new.inverter))
        return new


@dataclass(frozen=True)
class RangeExtender:
    """Engine + generator producing electricity (series hybrid / EREV).

    max_power : maximum electrical output [W].
    efficiency_load_fractions, engine_efficiency : brake efficiency of the engine over its
        shaft power as a fraction of max shaft power (same length, increasing fractions from 0 to 1).
    generator_efficiency : generator + rectifier, constant.
    idle_fuel_power : fuel chemical power while on with no output [W].
    min_on_time : minimum time the engine stays on once started [s].
    start_fuel_energy : fuel chemical energy per start [J] (0 if not modelled).
    cold_start_fuel_energy : extra fuel chemical energy of the first start after a test's soak
        [J]; the procedures add it once per cold-start test, the kernel never sees it.
    fuel_tank_volume : [m**3]. fuel : name of a fuel in skateboard's fuel table.
    fuel_properties : the named fuel's properties (a :class:`skateboard.spec.fuels.Fuel`:
        density, lower heating value, CO2), resolved by whoever builds the variant (the spec
        loader does), so the engine never looks a name up in the spec layer. A procedure's
        market fuel replaces it for that procedure.
    """

    name: str
    max_power: float
    efficiency_load_fractions: tuple[float, ...]
    engine_efficiency: tuple[float, ...]
    generator_efficiency: float
    idle_fuel_power: float
    min_on_time: float
    start_fuel_energy: float
    cold_start_fuel_energy: float
    fuel_tank_volume: float
    fuel: str
    mass: float = 0.0
    fuel_properties: Fuel | None = None


@dataclass(frozen=True)
class EnergyManagement:
    """Range-extender control. SOC values are fractions of gross capacity (0..1).

    thermostat: engine on below soc_low, off above soc_high, output = max(best-efficiency power,
        demand) capped at max power. load_following: output = demand + gain * (soc_target - soc) *
        gross capacity-per-hour, at least min_power (keeps the engine out of its inefficient
        low-load region; the surplus charges the battery), within limits; on below soc_low, off
        above soc_high. hold: keep the SOC at the
        start of the run (soc_target is replaced by the initial SOC). operating_point: on below
        soc_low, off above soc_high; output = one of a few levels on the engine's operating line
        (min_power or half the best-efficiency power, best efficiency, their middle with max,
        max), the lowest covering the steady demand at the vehicle's speed + gain * (soc_target
        - soc) * gross capacity-per-hour; the battery buffers the rest
        (:mod:`skateboard.physics.range_extender`).
    """

    strategy: Strategy
    soc_target: float
    soc_low: float
    soc_high: float
    gain: float = 1.0          # 1/h: fraction of gross energy per hour per unit SOC error
    best_efficiency_power: float = 0.0   # W electrical; 0 means: computed from the map
    min_power: float = 0.0     # W electrical: load-following/hold never run the engine below this


@dataclass(frozen=True)
class Variant:
    """A derivative with its options chosen: everything the engine and procedures need."""

    name: str
    label: str
    platform: str
    maker: str
    powertrain: Literal["BEV", "EREV"]
    # masses
    curb_mass: float                 # kg, kerb mass without driver (maker's figure)
    max_gross_mass: float            # kg, technically permissible maximum laden mass
    optional_equipment_mass: float   # kg
    front_mass_share: float          # static share of curb mass on the front axle, 0..1
    max_front_axle_load: float       # kg
    max_rear_axle_load: float        # kg
    rotating_inertia_fraction: float # equivalent mass of rotating parts as a share of mass
    # geometry
    wheelbase: float                 # m
    track: float                     # m
    cg_height: float                 # m
    wheel_radius: float              # m, dynamic rolling radius
    # road load: either physical (all three) or coast-down (all three); the other three None
    drag_coefficient: float | None
    frontal_area: float | None       # m**2
    rolling_resistance_coefficient: float | None
    f0: float | None                 # N
    f1: float | None                 # N/(m/s)
    f2: float | None                 # N/(m/s)**2
    # powertrain
    pack: Pack
    drive_units: tuple[DriveUnit, ...]
    range_extender: RangeExtender | None
    energy_management: EnergyManagement | None
    # electrical
    aux_power: float                 # W, low-voltage auxiliaries, always on
    charger_efficiency: float        # AC mains -> battery, 0..1
    # chosen option names, for reports
    options: dict[str, str] = field(default_factory=dict)
    source_file: str | None = None
    #: fields no file gave (their defaults are documented in docs/spec.md)
    defaults: tuple[str, ...] = field(default=(), compare=False)
    #: cabin heating: "heat_pump" or "resistive" (skateboard.physics.climate)
    hvac_system: Literal["heat_pump", "resistive"] = "heat_pump"
    #: physical road load only: the part of the rolling resistance that grows with speed [s/m]
    #: (F = m g (c_rr + this x v) + ...; skateboard.spec.defaults.ROLLING_RESISTANCE_SPEED_COEFFICIENT)
    rolling_resistance_speed_coefficient: float = ROLLING_RESISTANCE_SPEED_COEFFICIENT

    def replace(self, **changes) -> "Variant":
        """A copy with ``changes``, checked as the TOML loader checks a file: numbers in SI or
        quantity strings (``curb_mass="1.9 t"``), the spec's ranges, one road-load form, mass
        within the maximum gross mass; a bad value raises
        :class:`~skateboard.errors.SpecError`."""
        from skateboard.spec.checks import checked_replace

        return checked_replace(self, changes)
