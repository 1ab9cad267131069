"""Validated models of the TOML files users write: platforms, derivatives, programs, fuels.

Every quantity is parsed once, at this boundary, with :func:`skateboard.units.parse_quantity`
and stored as an SI float. A bare number is read in the SI unit the field documents (J, W, kg,
m, rad/s, ...); a string carries its own unit ("67.1 kWh", "1.7 t", "16000 rpm"). The unit, range
and default of every field are listed in ``docs/spec.md``.

These models say *what the user wrote* (plus defaults that follow from it, such as a pack
resistance derived from the chemistry). Joining a derivative to its platform, checking the
platform's limits and flattening the result into a :class:`~skateboard.spec.variant.Variant`
is the loader's job (:mod:`skateboard.spec.loader`).

Errors: each model validation problem is turned into one :class:`~skateboard.errors.SpecError`
by :func:`translate_validation_error` (:mod:`skateboard.spec.translate`), never a pydantic
traceback. The quantity types every field uses live in :mod:`skateboard.spec.quantities`.
Over 500 lines because it is the one list of what a file may hold (platform, derivative, program
and fuel models side by side, as ``docs/spec.md`` documents them).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (BeforeValidator, Field, PrivateAttr, ValidationError,
                      field_validator, model_validator)

from skateboard.errors import SpecError, close_matches
from skateboard.spec.bounds import (check_efficiency, check_energy_order, check_pack,
                                    check_peak_engine_efficiency, check_power_order)
from skateboard.physics.constants import KWH
from skateboard.spec.toml_file import read_toml
from skateboard.physics.drive_unit import fit_loss_coefficients
from skateboard.spec import defaults as calibrated
from skateboard.spec.defaults import DEFAULT_LOSS_MAP, LOSS_MAP_NAMES, loss_coefficients_by_name
from skateboard.spec.quantities import (Choice, Efficiency, Energy, Name, OptionalQuantity,  # noqa: F401
                                        PartMass, Power, Quantity, QuantityInfo, SmallPower, SpecModel,
                                        VehicleMass, _fraction, _is_bare_number, _optional_fraction,
                                        parse_field)
from skateboard.spec.translate import translate_validation_error, validate  # noqa: F401 (re-exported)

# ---------------------------------------------------------------------------------------------
# Constants behind the defaults (each with its source; docs/spec.md repeats them)
# ---------------------------------------------------------------------------------------------

#: Pack DC resistance per unit of pack charge capacity, in ohm * Ah per cell in series.
#: PyBaMM ``ecm/example_set.py``: a 100 Ah cell has a DCIR of 1 mOhm at 25 degC and 50 % SOC,
#: i.e. R_cell * Q_cell = 0.1 ohm Ah. Cells in parallel divide R and multiply Q, so for the pack
#: R_pack = n_series * 0.1 ohm Ah / Q_pack, whatever the cell size. Assumption: the same value
#: for LFP and NMC (the example set is chemistry-neutral); connectors and busbars not added.
CELL_RESISTANCE_CAPACITY_PRODUCT = 0.1  # ohm * Ah

#: Nominal cell voltages [V] used to count cells in series (docs/sources.md: LFP 3.2-3.3 V,
#: NMC 3.6-3.7 V; the same numbers as :data:`skateboard.physics.battery.CELL_NOMINAL_VOLTAGE`).
CELL_NOMINAL_VOLTAGE = {"LFP": 3.2, "NMC": 3.65}

#: Single-speed reduction gearbox efficiency. Assumption: two helical gear meshes at about
#: 98.5 % each (typical spur/helical mesh efficiency 98-99 %, Naunheimer et al., Automotive
#: Transmissions, 2nd ed., Springer 2011 [check]) give about 0.97.
DEFAULT_GEARBOX_EFFICIENCY = 0.97

#: Dynamic rolling radius as a share of the unloaded tyre radius. Assumption: the effective
#: rolling radius of a radial tyre is 2-3 % below its free radius (Wong, Theory of Ground
#: Vehicles, 4th ed., Wiley 2008, sec. 1.3 [check]); we take 0.97.
DYNAMIC_RADIUS_FACTOR = 0.97

#: Tyre rolling-resistance coefficient when a wheel option gives none: 7.7 N/kN, the upper limit
#: of EU tyre-label class B for C1 (passenger-car) tyres (Regulation (EU) 2020/740 Annex I
#: part A: class B 6.6-7.7 N/kN [check]). Assumption: label value = on-road value.
DEFAULT_ROLLING_RESISTANCE_COEFFICIENT = 0.0077

#: Always-on low-voltage auxiliary load [W]: docs/sources.md gives 0.2-0.4 kW; we take the middle.
DEFAULT_AUX_POWER = 300.0
#: AC mains -> battery charging efficiency: the calibrated value (skateboard.spec.defaults,
#: fitted on the EPA calibration file within docs/sources.md's 0.85-0.92).
DEFAULT_CHARGER_EFFICIENCY = calibrated.CHARGER_EFFICIENCY
#: SUV centre-of-gravity height [m]. Assumption (no maker data): 0.6 m.
DEFAULT_CG_HEIGHT = 0.6
#: Static share of the curb mass on the front axle. Assumption: 0.5 when not given.
DEFAULT_FRONT_MASS_SHARE = 0.5
#: Equivalent mass of rotating parts as a share of the vehicle mass: WLTP's 3 % allowance
#: (UN GTR 15 Annex 4 / EU 2017/1151 Sub-Annex 4: 3 % of (MRO + 25 kg)) [check].
DEFAULT_ROTATING_INERTIA_FRACTION = 0.03

#: Range-extender generator + rectifier efficiency: docs/sources.md gives 0.93-0.95; we take 0.94.
DEFAULT_GENERATOR_EFFICIENCY = 0.94
#: Generic brake efficiency of a range-extender petrol engine over its load (shaft power / max
#: shaft power). Assumption: shape of a typical part-load BSFC line, scaled so the peak is 0.39 at
#: 70 % load (docs/sources.md: peak brake efficiency 0.36-0.41, 210-235 g/kWh). Zero at zero load:
#: fuel used at idle is ``idle_fuel_power``.
DEFAULT_ENGINE_LOAD_FRACTIONS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
DEFAULT_ENGINE_EFFICIENCY = (0.0, 0.20, 0.28, 0.33, 0.36, 0.375, 0.385, 0.39, 0.385, 0.375, 0.36)
#: Fuel chemical power while the engine idles [W]. Assumption: about 0.8 l/h for a 1.5 l petrol
#: engine (0.8 l/h * 0.75 kg/l * 42 MJ/kg / 3600 s/h = 7 kW).
DEFAULT_IDLE_FUEL_POWER = 7000.0
#: Minimum engine on-time once started [s]. Assumption (avoids start/stop chatter).
DEFAULT_MIN_ON_TIME = 60.0
#: Fuel energy per engine start [J]. Not modelled by default.
DEFAULT_START_FUEL_ENERGY = 0.0
#: Default fuel of a range extender: the EU WLTP reference fuel.
DEFAULT_FUEL = "E10"
#: Load-following gain [1/h] (fraction of gross energy per hour per unit SOC error); the
#: default of :class:`~skateboard.spec.variant.EnergyManagement`.
DEFAULT_EM_GAIN = 1.0


def _fill(model: SpecModel, name: str, value: Any, defaulted: bool = True) -> None:
    """Set a field the file left out without marking it as given (``model_fields_set`` stays
    what the file holds, so a re-validated dump is the same file), and note it as defaulted
    (``model._defaulted``, listed per variant by the loader) unless it follows exactly from
    other inputs."""
    model.__dict__[name] = value
    if defaulted:
        model._defaulted.append(name)


@functools.cache
def bundled_fuel_names() -> list[str]:
    """Names of the bundled fuels (the tables of ``data/fuels.toml``; read here so that the fuel
    module, which validates each fuel with :class:`FuelSpec`, is not needed to check a name)."""
    return sorted(read_toml(Path(__file__).resolve().parent.parent / "data" / "fuels.toml"))


# ---------------------------------------------------------------------------------------------
# Platform
# ---------------------------------------------------------------------------------------------

class ChargeCurve(SpecModel):
    """DC charging power the pack accepts over displayed SOC (``dc_charge_curve = {soc = [...],
    power = [...]}``); SOC strictly increasing within 0..1, one power per SOC."""

    soc: list[_fraction("a state of charge", "0.5")] = Field(min_length=2)
    power: list[Power] = Field(min_length=2)

    @model_validator(mode="after")
    def _check(self) -> "ChargeCurve":
        if len(self.power) != len(self.soc):
            raise SpecError(f"{len(self.power)} powers for {len(self.soc)} SOC points",
                            field="power", allowed=f"{len(self.soc)} values")
        if any(b <= a for a, b in zip(self.soc, self.soc[1:])):
            raise SpecError("must be strictly increasing", field="soc", value=self.soc)
        return self


class ChargeDerating(SpecModel):
    """Factor on the DC charging power over pack temperature (``dc_charge_derating =
    {temperature = ["-10 degC", "25 degC"], factor = [0.3, 1.0]}``)."""

    temperature: list[Quantity("K", "a temperature", display="K ('25 degC' allowed)",
                               minimum=200.0, maximum=400.0, example="25 degC")] = Field(min_length=2)
    factor: list[_fraction("a power factor", "0.5")] = Field(min_length=2)

    @model_validator(mode="after")
    def _check(self) -> "ChargeDerating":
        if len(self.factor) != len(self.temperature):
            raise SpecError(f"{len(self.factor)} factors for {len(self.temperature)} temperatures",
                            field="factor", allowed=f"{len(self.temperature)} values")
        if any(b <= a for a, b in zip(self.temperature, self.temperature[1:])):
            raise SpecError("must be strictly increasing", field="temperature",
                            value=self.temperature)
        return self


class PackOption(SpecModel):
    """A traction battery offered by the platform (``[packs.<option>]``)."""

    _defaulted: list[str] = PrivateAttr(default_factory=list)

    chemistry: Annotated[Literal["LFP", "NMC"], BeforeValidator(Choice("LFP", "NMC"))]
    #: One of usable_energy and gross_energy may be left out: the other follows from the
    #: chemistry's usable share (skateboard.spec.defaults.USABLE_SHARE).
    usable_energy: OptionalQuantity("J", "an energy", minimum=KWH, maximum=1e3 * KWH,
                                    example="67.1 kWh") = None
    gross_energy: OptionalQuantity("J", "an energy", minimum=KWH, maximum=1e3 * KWH,
                                   example="67.1 kWh") = None
    nominal_voltage: OptionalQuantity("V", "a voltage", minimum=12.0, maximum=1500.0,
                                      example="350 V") = None
    resistance: OptionalQuantity("ohm", "a resistance", minimum=0.0, exclusive_minimum=True,
                                 maximum=10.0, example="60 mohm") = None
    #: Default: the platform's drive units never limited (skateboard.spec.defaults).
    max_discharge_power: OptionalQuantity("W", "a power", minimum=1e3, maximum=2e6,
                                          example="160 kW") = None
    max_charge_power: OptionalQuantity("W", "a power", minimum=1e3, maximum=2e6,
                                       example="160 kW") = None
    mass: PartMass = 0.0
    cells_in_series: Annotated[int, Field(ge=1, le=2000)] | None = None
    max_current: OptionalQuantity("A", "a current", minimum=0.0, exclusive_minimum=True,
                                  maximum=1e5, example="800 A") = None
    #: DC fast-charging curve over SOC; default: max_charge_power x the default shape
    #: (skateboard.procedures.charging.DEFAULT_SHAPE).
    dc_charge_curve: ChargeCurve | None = None
    #: Factor on the charging power over pack temperature; default
    #: skateboard.procedures.charging.DEFAULT_DERATING.
    dc_charge_derating: ChargeDerating | None = None

    @model_validator(mode="after")
    def _derive(self) -> "PackOption":
        if self.usable_energy is None and self.gross_energy is None:
            raise SpecError("missing required field: give usable_energy or gross_energy (the "
                            "other follows from the chemistry)", field="usable_energy",
                            allowed="usable_energy = '65 kWh' and/or gross_energy = '67.1 kWh'")
        if self.usable_energy is None:
            _fill(self, "usable_energy", calibrated.usable_from_gross(self.chemistry, self.gross_energy))
        if self.gross_energy is None:
            _fill(self, "gross_energy", calibrated.gross_from_usable(self.chemistry, self.usable_energy))
        if self.nominal_voltage is None:
            _fill(self, "nominal_voltage", calibrated.NOMINAL_VOLTAGE)
        if self.max_charge_power is None:
            _fill(self, "max_charge_power", calibrated.MAX_CHARGE_POWER)
        check_energy_order(self.gross_energy, self.usable_energy)
        if self.max_discharge_power is not None:  # else the platform derives it and checks
            self.check_power()
        if self.resistance is None:
            self.resistance = default_pack_resistance(self.chemistry, self.nominal_voltage,
                                                      self.gross_energy)
        return self

    def check_power(self) -> None:
        check_pack(chemistry=self.chemistry, nominal_voltage=self.nominal_voltage,
                   max_discharge_power=self.max_discharge_power,
                   cells_in_series=self.cells_in_series, max_current=self.max_current)


def default_pack_resistance(chemistry: str, nominal_voltage: float, gross_energy: float) -> float:
    """Pack DC resistance [ohm] at 25 degC, 50 % SOC from the cell count and the pack capacity.

    R = n_series * 0.1 ohm Ah / Q_pack, n_series = V_nom / V_cell, Q_pack = E_gross / V_nom
    (see :data:`CELL_RESISTANCE_CAPACITY_PRODUCT`)."""
    n_series = nominal_voltage / CELL_NOMINAL_VOLTAGE[chemistry]
    capacity_ah = gross_energy / nominal_voltage / 3600.0
    return n_series * CELL_RESISTANCE_CAPACITY_PRODUCT / capacity_ah


class LossMapTable(SpecModel):
    """A motoring efficiency map given inline: ``{speed = [...], torque = [...], efficiency = [[...]]}``.

    ``efficiency[i][j]`` is the efficiency at ``speed[i]`` and ``torque[j]``. Bare numbers in
    ``speed`` and ``torque`` are read in ``speed_unit`` and ``torque_unit``."""

    speed_unit: str = "rad/s"
    torque_unit: str = "N*m"
    speed: list[Any] = Field(min_length=2)
    torque: list[Any] = Field(min_length=2)
    efficiency: list[list[Annotated[float, BeforeValidator(QuantityInfo(
        "", "an efficiency", "1 (fraction, 0..1)", 0.0, 1.0, False, "0.93"))]]] = Field(min_length=2)

    @model_validator(mode="after")
    def _convert(self) -> "LossMapTable":
        self.speed = self._axis("speed", self.speed, self.speed_unit,
                                QuantityInfo("rad/s", "a rotational speed", "rad/s",
                                             0.0, 5000.0, False, "8000 rpm"))
        self.torque = self._axis("torque", self.torque, self.torque_unit,
                                 QuantityInfo("N*m", "a torque", "N m", 0.0, 10000.0, False,
                                              "240 N*m"))
        if len(self.efficiency) != len(self.speed):
            raise SpecError(f"efficiency has {len(self.efficiency)} rows, one per speed is "
                            f"needed", field="efficiency", allowed=f"{len(self.speed)} rows")
        for i, row in enumerate(self.efficiency):
            if len(row) != len(self.torque):
                raise SpecError(f"row has {len(row)} values, one per torque is needed",
                                field=f"efficiency[{i}]", allowed=f"{len(self.torque)} values")
        return self

    @staticmethod
    def _axis(name: str, values: list[Any], unit: str, info: QuantityInfo) -> list[float]:
        out = []
        for i, v in enumerate(values):
            text = f"{v} {unit}" if _is_bare_number(v) else v
            try:
                out.append(parse_field(text, info, field=f"{name}[{i}]"))
            except SpecError as exc:
                raise SpecError(exc.message, field=exc.field, value=v, allowed=exc.allowed) from None
        if any(b <= a for a, b in zip(out, out[1:])):
            raise SpecError("must be strictly increasing", field=name, value=values)
        return out


class DriveUnitOption(SpecModel):
    """An electric drive unit offered by the platform (``[drive_units.<option>]``)."""

    _defaulted: list[str] = PrivateAttr(default_factory=list)

    axle: Annotated[Literal["front", "rear"], BeforeValidator(Choice("front", "rear"))]
    peak_power: Power
    #: Defaults (skateboard.spec.defaults): continuous = 0.5 x peak; max_speed 16 000 rpm; peak
    #: torque by the generic rule peak power x 3 / max speed; gear ratio reaching max speed at
    #: 180 km/h on the platform's first wheel option.
    continuous_power: OptionalQuantity("W", "a power", minimum=1e3, maximum=2e6,
                                       example="160 kW") = None
    peak_torque: OptionalQuantity("N*m", "a torque", display="N m", minimum=1.0, maximum=10000.0,
                                  example="240 N*m") = None
    max_speed: OptionalQuantity("rad/s", "a rotational speed", display="rad/s", minimum=100.0,
                                maximum=5000.0, example="16000 rpm") = None
    gear_ratio: OptionalQuantity("", "a gear ratio", display="1 (motor speed / wheel speed)",
                                 minimum=1.0, maximum=30.0, example="9.6") = None
    gearbox_efficiency: Efficiency = DEFAULT_GEARBOX_EFFICIENCY
    loss_map: Any = DEFAULT_LOSS_MAP
    mass: PartMass = 0.0
    #: The machine's technology (issue #15 §3): "pmsm" (permanent-magnet synchronous, the
    #: default), "induction" (asynchronous) or "eesm" (electrically excited synchronous, e.g.
    #: BMW's fifth-generation eDrive). It sets the default ``zero_torque_loss_factor``
    #: (skateboard.spec.defaults.zero_torque_loss_factor) and, on the calibrated loss rule, the
    #: technology's loss scale (skateboard.spec.defaults.technology_loss_scale: induction x 2).
    motor_type: Annotated[Literal[calibrated.MOTOR_TYPES],
                          BeforeValidator(Choice(*calibrated.MOTOR_TYPES))] = "pmsm"
    #: The inverter's power semiconductor: "si" (silicon IGBT, the default) or "sic" (silicon
    #: carbide MOSFET); on the calibrated loss rule "sic" scales the losses by 0.7
    #: (skateboard.spec.defaults.SIC_LOSS_SCALE).
    inverter: Annotated[Literal[calibrated.INVERTERS],
                        BeforeValidator(Choice(*calibrated.INVERTERS))] = "si"
    #: A clutch or dog ring that decouples the unit from its wheels when it gives no torque
    #: (e.g. the front-axle "Disconnector Actuator System" of Hyundai's E-GMP AWD cars).
    disconnect: bool = False
    #: Share of the no-load loss kept at zero torque: 1 = turns with the wheels, magnetised;
    #: 0 = no field and no drag (disconnected, or an unexcited induction or EESM rotor). Default
    #: from ``motor_type`` and ``disconnect`` (skateboard.spec.defaults.zero_torque_loss_factor).
    zero_torque_loss_factor: _optional_fraction("a share of the no-load loss", example="0") = None

    _loss_coefficients: tuple[float, float, float, float] = PrivateAttr(default=(0.0, 0.0, 0.0, 0.0))

    @field_validator("loss_map", mode="before")
    @classmethod
    def _check_loss_map(cls, value: Any) -> Any:
        if isinstance(value, str):
            if value not in LOSS_MAP_NAMES:
                raise SpecError(f"unknown loss map{close_matches(value, LOSS_MAP_NAMES)}",
                                value=value, allowed=", ".join(sorted(LOSS_MAP_NAMES))
                                + ", or an inline table {speed, torque, efficiency}")
            return value
        if isinstance(value, dict):
            try:
                return LossMapTable.model_validate(value)
            except ValidationError as exc:
                raise translate_validation_error(exc, LossMapTable) from None
        raise SpecError("expected a loss-map name or an inline table", value=value,
                        allowed=", ".join(sorted(LOSS_MAP_NAMES))
                        + ", or {speed = [...], torque = [...], efficiency = [[...]]}")

    @model_validator(mode="after")
    def _derive(self) -> "DriveUnitOption":
        check_efficiency("gearbox_efficiency", self.gearbox_efficiency)
        if self.continuous_power is None:
            _fill(self, "continuous_power", calibrated.CONTINUOUS_SHARE * self.peak_power)
        if self.max_speed is None:
            _fill(self, "max_speed", calibrated.MOTOR_MAX_SPEED)
        if self.peak_torque is None:
            _fill(self, "peak_torque", calibrated.rule_peak_torque(self.peak_power, self.max_speed))
        check_power_order(self.continuous_power, self.peak_power)
        if self.zero_torque_loss_factor is None:  # follows from motor_type and disconnect
            _fill(self, "zero_torque_loss_factor",
                  calibrated.zero_torque_loss_factor(self.motor_type, self.disconnect), False)
        if isinstance(self.loss_map, str):
            self._loss_coefficients = loss_coefficients_by_name(
                self.loss_map, self.peak_power, self.peak_torque, self.max_speed,
                self.motor_type, self.inverter)
        else:
            table = self.loss_map
            usable = sum(1 for row in table.efficiency for e in row if e > 0)
            if usable < 4:
                raise SpecError("an efficiency map needs at least 4 points with efficiency > 0 "
                                "to fit the 4 loss coefficients", field="loss_map.efficiency",
                                value=usable)
            try:
                self._loss_coefficients = fit_loss_coefficients(
                    table.speed, table.torque, table.efficiency, self.peak_torque,
                    self.peak_power, self.max_speed)
            except ValueError as exc:  # too few points inside the unit's torque envelope
                raise SpecError(str(exc), field="loss_map.efficiency", value=usable,
                                allowed="at least 4 points with efficiency > 0 within the "
                                "unit's peak torque and power") from None
        return self

    @property
    def loss_coefficients(self) -> tuple[float, float, float, float]:
        """(c0, c_speed, c_torque2, c_speed3) of the drive-unit loss model (see
        :mod:`skateboard.physics.drive_unit`)."""
        return self._loss_coefficients


class Chassis(SpecModel):
    """Geometry and legal limits of the platform (``[chassis]``)."""

    _defaulted: list[str] = PrivateAttr(default_factory=list)

    wheelbase: Quantity("m", "a length", minimum=1.0, maximum=5.0,
                        example="2735 mm") = calibrated.WHEELBASE
    track: Quantity("m", "a length", minimum=0.8, maximum=2.5, example="1610 mm") = calibrated.TRACK
    cg_height: Quantity("m", "a length", minimum=0.2, maximum=2.0, example="600 mm") = DEFAULT_CG_HEIGHT
    #: Defaults (set by the loader from the derivative): curb mass + 445 kg, and each axle the
    #: whole maximum laden mass (skateboard.spec.defaults.OCCUPANTS_AND_LUGGAGE).
    max_gross_mass: OptionalQuantity("kg", "a mass", minimum=300.0, maximum=10000.0,
                                     example="2150 kg") = None
    max_front_axle_load: OptionalQuantity("kg", "a mass", minimum=100.0, maximum=10000.0,
                                          example="1100 kg") = None
    max_rear_axle_load: OptionalQuantity("kg", "a mass", minimum=100.0, maximum=10000.0,
                                         example="1200 kg") = None
    #: Rolling radii a derivative's own wheels may have; default the platform's wheel options'
    #: smallest and largest radius -/+ 3 % (assumption: about one tyre size either way fits the
    #: wheel arches and the speed calibration).
    min_wheel_radius: OptionalQuantity("m", "a length", minimum=0.15, maximum=0.6,
                                       example="320 mm") = None
    max_wheel_radius: OptionalQuantity("m", "a length", minimum=0.15, maximum=0.6,
                                       example="360 mm") = None
    #: Largest pack the floor takes (gross energy); default the largest pack option. Sweeps
    #: may vary a pack's energy up to it.
    max_pack_energy: OptionalQuantity("J", "an energy", minimum=KWH, maximum=1e3 * KWH,
                                      example="80 kWh") = None


_TYRE_SIZE = re.compile(r"^\s*(\d{3})\s*/\s*(\d{2,3})\s*Z?R(?:F)?\s*(\d{2}(?:\.\d)?)\s*$", re.I)


def tyre_unloaded_radius(size: str) -> float:
    """Unloaded radius [m] of an ISO metric tyre size such as "215/55 R18":
    rim diameter / 2 + section width * aspect ratio. Raises ValueError when unreadable."""
    m = _TYRE_SIZE.match(size)
    if not m:
        raise ValueError(size)
    width_mm, aspect_pct, rim_in = float(m[1]), float(m[2]), float(m[3])
    return (rim_in * 25.4 / 2.0 + width_mm * aspect_pct / 100.0) / 1000.0


class WheelOption(SpecModel):
    """A wheel and tyre option (``[wheels.<option>]``)."""

    size: str | None = None
    rolling_radius: OptionalQuantity("m", "a length", minimum=0.15, maximum=0.6,
                                     example="336 mm") = None
    rolling_resistance_coefficient: Quantity(
        "", "a rolling-resistance coefficient", display="1 (N/N; '7.7 N/kN' allowed)",
        minimum=0.0, maximum=0.05, example="0.0077") = DEFAULT_ROLLING_RESISTANCE_COEFFICIENT
    mass: Quantity("kg", "a mass", minimum=0.0, maximum=100.0, example="22 kg") = 0.0

    @model_validator(mode="after")
    def _derive(self) -> "WheelOption":
        radius = None
        if self.size is not None:
            try:
                radius = DYNAMIC_RADIUS_FACTOR * tyre_unloaded_radius(self.size)
            except ValueError:
                raise SpecError("cannot read this tyre size", field="size", value=self.size,
                                allowed="an ISO metric size such as '215/55 R18' "
                                "(width mm / aspect % R rim inches)") from None
        if self.rolling_radius is None:
            if radius is None:
                raise SpecError("give size (the rolling radius is derived from it) or "
                                "rolling_radius", field="size",
                                allowed="'215/55 R18' or rolling_radius = '336 mm'")
            self.rolling_radius = radius
        return self


class RangeExtenderOption(SpecModel):
    """An engine + generator the platform can carry (``[range_extenders.<option>]``)."""

    max_power: OptionalQuantity("W", "a power", minimum=1e3, maximum=5e5, example="61 kW") = None
    engine_max_power: OptionalQuantity("W", "a power", minimum=1e3, maximum=5e5,
                                       example="65 kW") = None
    efficiency_load_fractions: list[_fraction("a load fraction", "0.7")] = Field(
        default_factory=lambda: list(DEFAULT_ENGINE_LOAD_FRACTIONS), min_length=2)
    engine_efficiency: list[_fraction("an efficiency", "0.39")] = Field(
        default_factory=lambda: list(DEFAULT_ENGINE_EFFICIENCY), min_length=2)
    #: A named engine map instead of the two lists above
    #: (:data:`skateboard.physics.range_extender.ENGINE_MAPS`).
    engine_map: Annotated[Literal["dedicated_range_extender"] | None,
                          BeforeValidator(Choice("dedicated_range_extender"))] = None
    #: The engine's published peak brake efficiency: scales the map (``engine_map`` or the
    #: generic curve) so its highest point is this value, keeping the map's shape.
    peak_engine_efficiency: _optional_fraction("a peak brake efficiency", "0.40") = None
    generator_efficiency: Efficiency = DEFAULT_GENERATOR_EFFICIENCY
    idle_fuel_power: SmallPower = DEFAULT_IDLE_FUEL_POWER
    min_on_time: Quantity("s", "a time", minimum=0.0, maximum=3600.0, example="60 s") = DEFAULT_MIN_ON_TIME
    start_fuel_energy: Quantity("J", "an energy", minimum=0.0, maximum=1e7,
                                example="50 kJ") = DEFAULT_START_FUEL_ENERGY
    #: Extra fuel of the first start after the test's soak (spec.defaults.COLD_START_FUEL_ENERGY).
    cold_start_fuel_energy: Quantity("J", "an energy", minimum=0.0, maximum=5e7,
                                     example="3 MJ") = calibrated.COLD_START_FUEL_ENERGY
    fuel_tank_volume: Quantity("m**3", "a volume", display="m**3", minimum=0.0, maximum=0.2,
                               example="50 l")
    fuel: str = DEFAULT_FUEL
    mass: PartMass = 0.0

    @field_validator("fuel")
    @classmethod
    def _known_fuel(cls, value: str) -> str:
        fuels = bundled_fuel_names()
        if value not in fuels:
            raise SpecError(f"unknown fuel{close_matches(value, fuels)}", value=value,
                            allowed=", ".join(fuels))
        return value


    @model_validator(mode="after")
    def _derive(self) -> "RangeExtenderOption":
        check_efficiency("generator_efficiency", self.generator_efficiency)
        if (self.max_power is None) == (self.engine_max_power is None):
            given = "both" if self.max_power is not None else "neither"
            raise SpecError(f"give exactly one of max_power (electrical output) and "
                            f"engine_max_power (engine shaft power); {given} given",
                            field="max_power", allowed="max_power = '61 kW' or engine_max_power = '65 kW'")
        if self.max_power is None:
            self.max_power = self.engine_max_power * self.generator_efficiency
        given = {"efficiency_load_fractions", "engine_efficiency"} & self.model_fields_set
        if self.engine_map is not None:
            if given:
                raise SpecError("engine_map replaces efficiency_load_fractions and engine_efficiency; "
                                "give one or the other", field="engine_map", value=self.engine_map,
                                allowed="engine_map or the two lists")
            from skateboard.physics.range_extender import ENGINE_MAPS

            fractions, efficiency = ENGINE_MAPS[self.engine_map]
            self.efficiency_load_fractions, self.engine_efficiency = list(fractions), list(efficiency)
        if len(given) == 1:
            missing = ({"efficiency_load_fractions", "engine_efficiency"} - given).pop()
            raise SpecError("efficiency_load_fractions and engine_efficiency go together; "
                            f"{missing} is missing", field=missing,
                            allowed="both lists (same length) or neither (generic curve)")
        if self.peak_engine_efficiency is not None:
            if given:
                raise SpecError("peak_engine_efficiency scales engine_map or the generic curve; "
                                "with your own engine_efficiency list, put the peak in the list",
                                field="peak_engine_efficiency", value=self.peak_engine_efficiency,
                                allowed="peak_engine_efficiency or the two lists")
            check_peak_engine_efficiency("peak_engine_efficiency", self.peak_engine_efficiency)
            from skateboard.physics.range_extender import scale_to_peak

            self.engine_efficiency = list(scale_to_peak(self.engine_efficiency, self.peak_engine_efficiency))
        x, y = self.efficiency_load_fractions, self.engine_efficiency
        if len(x) != len(y):
            raise SpecError(f"engine_efficiency has {len(y)} values for {len(x)} load fractions",
                            field="engine_efficiency", allowed=f"{len(x)} values")
        if x[0] != 0.0 or x[-1] != 1.0 or any(b <= a for a, b in zip(x, x[1:])):
            raise SpecError("load fractions must increase strictly from 0 to 1",
                            field="efficiency_load_fractions", value=x,
                            allowed="e.g. [0, 0.25, 0.5, 0.75, 1]")
        check_peak_engine_efficiency("engine_efficiency", max(y))
        return self


STRATEGIES = ("thermostat", "load_following", "hold", "operating_point")
#: Parameters each strategy needs from the user; the others get defaults (see loader).
STRATEGY_PARAMETERS = {
    "thermostat": ("soc_low", "soc_high"),
    "load_following": ("soc_low", "soc_target", "soc_high", "gain"),
    "hold": ("soc_low", "soc_target", "soc_high"),
    "operating_point": ("soc_low", "soc_target", "soc_high"),
}


class EnergyManagementSettings(SpecModel):
    """Range-extender control (``[energy_management]``; SOC as a fraction of gross capacity).

    Every field is optional here: a platform gives defaults, a derivative's
    ``[overrides.energy_management]`` replaces some of them; the merged set must hold the
    parameters of its strategy (:data:`STRATEGY_PARAMETERS`)."""

    strategy: Annotated[Literal["thermostat", "load_following", "hold", "operating_point"] | None,
                        BeforeValidator(Choice(*STRATEGIES))] = None
    soc_target: _optional_fraction("a state of charge", "0.25") = None
    soc_low: _optional_fraction("a state of charge", "0.20") = None
    soc_high: _optional_fraction("a state of charge", "0.30") = None
    gain: OptionalQuantity("1/h", "a gain", display="1/h", minimum=0.0, maximum=100.0,
                           example="1.0") = None
    best_efficiency_power: OptionalQuantity("W", "a power", minimum=0.0, maximum=5e5,
                                            example="40 kW") = None
    min_power: OptionalQuantity("W", "a power", minimum=0.0, maximum=5e5, example="20 kW") = None

    def given(self) -> dict[str, Any]:
        """The fields the user wrote."""
        return {k: getattr(self, k) for k in self.model_fields_set}


class Platform(SpecModel):
    """A platform file (``data/platforms/<name>.toml``): what derivatives may choose from."""

    name: Name
    maker: Name
    title: Name
    packs: dict[str, PackOption] = Field(min_length=1)
    drive_units: dict[str, DriveUnitOption] = Field(min_length=1)
    chassis: Chassis = Field(default_factory=Chassis)
    wheels: dict[str, WheelOption] = Field(min_length=1)
    aux_power: SmallPower = DEFAULT_AUX_POWER
    charger_efficiency: Efficiency = DEFAULT_CHARGER_EFFICIENCY
    range_extenders: dict[str, RangeExtenderOption] = Field(default_factory=dict)
    energy_management: EnergyManagementSettings | None = None
    #: Whether the platform offers right-hand drive (markets driving on the left need it; see
    #: docs/economics.md). Default False: a platform that does not say so cannot serve them.
    right_hand_drive: bool = False
    #: Cabin heating of the platform's thermal system: "heat_pump" or "resistive"
    #: (skateboard.physics.climate). Default "heat_pump" (assumption, the behaviour before the
    #: option existed).
    hvac_system: Annotated[Literal["heat_pump", "resistive"],
                           BeforeValidator(Choice("heat_pump", "resistive"))] = "heat_pump"

    _source_file: str | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _check(self) -> "Platform":
        check_efficiency("charger_efficiency", self.charger_efficiency)
        radius = next(iter(self.wheels.values())).rolling_radius
        for du in self.drive_units.values():
            if du.gear_ratio is None:
                _fill(du, "gear_ratio", calibrated.default_gear_ratio(du.max_speed, radius))
        power = calibrated.default_pack_discharge_power(
            [du.peak_power for du in self.drive_units.values()], self.aux_power)
        for name, pack in self.packs.items():
            if pack.max_discharge_power is None:
                _fill(pack, "max_discharge_power", power)
                try:
                    pack.check_power()
                except SpecError as exc:
                    raise SpecError(exc.message, field=f"packs.{name}.max_discharge_power",
                                    value=f"{power / 1e3:.0f} kW (default)", allowed=exc.allowed) from None
        limit = self.chassis.max_pack_energy
        for name, pack in self.packs.items():
            if limit is not None and pack.gross_energy > limit * (1 + 1e-12):
                raise SpecError(f"pack option {name!r} ({pack.gross_energy / KWH:g} kWh) is above "
                                "chassis.max_pack_energy", field="chassis.max_pack_energy",
                                value=f"{limit / KWH:g} kWh",
                                allowed=f">= {pack.gross_energy / KWH:g} kWh (the largest pack option)")
        if self.energy_management is not None and not self.range_extenders:
            raise SpecError("energy_management needs a range-extender slot", field="energy_management",
                            allowed="add [range_extenders.<option>] or remove [energy_management]")
        if self.range_extenders:
            if self.energy_management is None:
                raise SpecError("missing required table: a platform with range extenders gives "
                                "their default energy management", field="energy_management",
                                allowed="strategy = " + " | ".join(map(repr, STRATEGIES)))
            em = self.energy_management
            if em.strategy is None:
                raise SpecError("missing required field", field="energy_management.strategy",
                                allowed=", ".join(STRATEGIES))
            for key in STRATEGY_PARAMETERS[em.strategy]:
                if getattr(em, key) is None:
                    raise SpecError(f"strategy {em.strategy!r} needs {key}",
                                    field=f"energy_management.{key}",
                                    allowed=", ".join(STRATEGY_PARAMETERS[em.strategy]))
        return self

    @property
    def source_file(self) -> str | None:
        return self._source_file


# ---------------------------------------------------------------------------------------------
# Derivative
# ---------------------------------------------------------------------------------------------

_PHYSICAL = ("drag_coefficient", "frontal_area")
_COASTDOWN = ("f0", "f1", "f2")


class TopHat(SpecModel):
    """The body a derivative puts on the platform (``[top_hat]``).

    Road load in exactly one form: physical (``drag_coefficient`` + ``frontal_area``, and
    optionally ``rolling_resistance_coefficient``, else the wheel option's) or coast-down
    (``f0``, ``f1``, ``f2``)."""

    _defaulted: list[str] = PrivateAttr(default_factory=list)

    curb_mass: VehicleMass
    front_mass_share: Quantity("", "a fraction", display="1 (fraction, 0..1)", minimum=0.0,
                               maximum=1.0, exclusive_minimum=True,
                               example="0.48") = DEFAULT_FRONT_MASS_SHARE
    optional_equipment_mass: Quantity("kg", "a mass", minimum=0.0, maximum=1000.0,
                                      example="20 kg") = 0.0
    rotating_inertia_fraction: Quantity("", "a fraction", display="1 (fraction)", minimum=0.0,
                                        maximum=0.2, example="0.03") = DEFAULT_ROTATING_INERTIA_FRACTION
    drag_coefficient: OptionalQuantity("", "a drag coefficient", display="1", minimum=0.1,
                                       maximum=1.5, example="0.29") = None
    frontal_area: OptionalQuantity("m**2", "an area", display="m**2", minimum=0.5, maximum=10.0,
                                   example="2.65 m^2") = None
    rolling_resistance_coefficient: OptionalQuantity(
        "", "a rolling-resistance coefficient", display="1 (N/N)", minimum=0.0, maximum=0.05,
        example="0.0077") = None
    #: Physical form: the rolling resistance that grows with speed, F = m g (c_rr + this x v)
    #: (default skateboard.spec.defaults.ROLLING_RESISTANCE_SPEED_COEFFICIENT, fitted on EPA
    #: coast-downs).
    rolling_resistance_speed_coefficient: OptionalQuantity(
        "s/m", "a rolling-resistance speed coefficient", display="s/m", minimum=0.0,
        maximum=0.002, example="1.2e-4 s/m") = None
    #: Spec-sheet forms of the physical road load: the drag area Cd x A as one input, and the
    #: body's width and height, from which frontal area = width x height x 0.85
    #: (skateboard.spec.defaults.FRONTAL_AREA_FACTOR) when frontal_area is not given.
    cd_a: OptionalQuantity("m**2", "a drag area (Cd x A)", display="m**2", minimum=0.1,
                           maximum=5.0, example="0.75 m^2") = None
    width: OptionalQuantity("m", "a length", minimum=1.0, maximum=3.0, example="1885 mm") = None
    height: OptionalQuantity("m", "a length", minimum=0.8, maximum=4.0, example="1655 mm") = None
    f0: OptionalQuantity("N", "a force", display="N", minimum=0.0, maximum=2000.0,
                         example="150 N") = None
    f1: OptionalQuantity("N*s/m", "a force per speed", display="N/(m/s)", minimum=-50.0,
                         maximum=50.0, example="0.3 N/(km/h)") = None
    f2: OptionalQuantity("N*s**2/m**2", "a force per speed squared", display="N/(m/s)^2",
                         minimum=0.0, maximum=5.0, example="0.03 N/(km/h)^2") = None
    #: Economics (docs/economics.md): the top hat's unit cost as a money amount ("6500 USD"),
    #: or a rate per kg of top-hat mass ("9 USD/kg"); default the cost book's rate. ``body``
    #: names the top hat's part set: derivatives with the same body share their top-hat parts
    #: (commonality); default the derivative's own name.
    cost: str | None = None
    cost_per_kg: str | None = None
    body: str | None = None

    @model_validator(mode="after")
    def _one_road_load_form(self) -> "TopHat":
        physical = [k for k in (*_PHYSICAL, "cd_a", "width", "height", "rolling_resistance_coefficient",
                                "rolling_resistance_speed_coefficient")
                    if getattr(self, k) is not None]
        coast = [k for k in _COASTDOWN if getattr(self, k) is not None]
        if physical and coast:
            raise SpecError("road load given in two forms: " + ", ".join(physical)
                            + " (physical) and " + ", ".join(coast) + " (coast-down)",
                            field=coast[0], allowed="drag_coefficient + frontal_area "
                            "[+ rolling_resistance_coefficient], or f0 + f1 + f2")
        if coast and len(coast) < 3:
            missing = [k for k in _COASTDOWN if k not in coast]
            raise SpecError("incomplete coast-down road load: missing " + ", ".join(missing),
                            field=missing[0], allowed="all of f0, f1, f2")
        if (self.width is None) != (self.height is None):
            raise SpecError("width and height go together (frontal area = width x height x "
                            f"{calibrated.FRONTAL_AREA_FACTOR:g})",
                            field="width" if self.width is None else "height",
                            allowed="both width and height, or frontal_area")
        if not coast and self.frontal_area is None and self.width is not None:
            _fill(self, "frontal_area", self.width * self.height * calibrated.FRONTAL_AREA_FACTOR,
                  defaulted=False)
        if self.cd_a is not None:
            if self.drag_coefficient is not None:
                raise SpecError("drag given twice: cd_a and drag_coefficient", field="cd_a",
                                allowed="cd_a alone, or drag_coefficient + frontal_area")
            if self.frontal_area is None:
                _fill(self, "frontal_area", calibrated.CD_A_REFERENCE_AREA, defaulted=False)
            _fill(self, "drag_coefficient", self.cd_a / self.frontal_area, defaulted=False)
        if not coast:
            missing = [k for k in _PHYSICAL if getattr(self, k) is None]
            if missing:
                raise SpecError("incomplete road load: missing " + ", ".join(missing),
                                field=missing[0], allowed="drag_coefficient + frontal_area "
                                "[+ rolling_resistance_coefficient], or f0 + f1 + f2")
        return self

    @property
    def road_load_form(self) -> str:
        """"physical" or "coast_down"."""
        return "coast_down" if self.f0 is not None else "physical"


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


class Options(SpecModel):
    """Which of the platform's options the derivative takes (``[options]``)."""

    pack: Name
    drive_units: Annotated[list[Name], BeforeValidator(_as_list)] = Field(min_length=1)
    #: a wheel option of the platform; leave out when the derivative brings its own [wheels]
    wheels: Name | None = None
    range_extender: Name | None = None


class PackOverrides(SpecModel):
    max_discharge_power: OptionalQuantity("W", "a power", minimum=1e3, maximum=2e6,
                                          example="150 kW") = None
    max_charge_power: OptionalQuantity("W", "a power", minimum=1e3, maximum=2e6,
                                       example="100 kW") = None
    resistance: OptionalQuantity("ohm", "a resistance", minimum=0.0, exclusive_minimum=True,
                                 maximum=10.0, example="60 mohm") = None


class RangeExtenderOverrides(SpecModel):
    fuel_tank_volume: OptionalQuantity("m**3", "a volume", display="m**3", minimum=0.0,
                                       maximum=0.2, example="50 l") = None
    fuel: str | None = None

    @field_validator("fuel")
    @classmethod
    def _known_fuel(cls, value: str | None) -> str | None:
        return None if value is None else RangeExtenderOption._known_fuel(value)


class Overrides(SpecModel):
    """The few platform values a derivative may change (``[overrides]``)."""

    aux_power: OptionalQuantity("W", "a power", minimum=0.0, maximum=5e4, example="350 W") = None
    charger_efficiency: OptionalQuantity("", "an efficiency", display="1 (fraction, 0..1)",
                                         minimum=0.0, maximum=1.0, exclusive_minimum=True,
                                         example="0.9") = None
    #: Cabin heating, replacing the platform's ``hvac_system``.
    hvac_system: Annotated[Literal["heat_pump", "resistive"] | None,
                           BeforeValidator(Choice("heat_pump", "resistive"))] = None
    pack: PackOverrides = Field(default_factory=PackOverrides)
    range_extender: RangeExtenderOverrides = Field(default_factory=RangeExtenderOverrides)
    energy_management: EnergyManagementSettings = Field(default_factory=EnergyManagementSettings)

    @model_validator(mode="after")
    def _plausible(self) -> "Overrides":
        check_efficiency("charger_efficiency", self.charger_efficiency)
        return self


class Derivative(SpecModel):
    """A derivative file (``data/derivatives/<name>.toml``): a top hat on a platform."""

    name: Name
    label: Name
    maker: Name
    platform: Name
    top_hat: TopHat
    options: Options
    overrides: Overrides = Field(default_factory=Overrides)
    #: the derivative's own wheels and tyres (``[wheels]``, the fields of a platform wheel
    #: option), instead of ``options.wheels``; their radius must lie within the platform's
    #: limits (``chassis.min_wheel_radius`` / ``max_wheel_radius``).
    wheels: WheelOption | None = None

    _source_file: str | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _one_wheel_choice(self) -> "Derivative":
        if (self.wheels is None) == (self.options.wheels is None):
            given = "both" if self.wheels is not None else "neither"
            raise SpecError(f"choose the wheels once: options.wheels (a platform option) or a "
                            f"[wheels] table (the derivative's own); {given} given",
                            field="options.wheels", allowed="options.wheels = '<option>' or "
                            "[wheels] size = '235/50 R19'")
        return self

    @property
    def source_file(self) -> str | None:
        return self._source_file


# ---------------------------------------------------------------------------------------------
# Program and fuels
# ---------------------------------------------------------------------------------------------

class ProgramSpec(SpecModel):
    """A program file (``data/programs/<name>.toml``): the variants studied together."""

    name: Name
    title: Name
    reference: Name | None = None
    variants: list[Name] = Field(min_length=1)
    markets: list[Name] = Field(default_factory=list)
    targets: dict[str, dict[str, Any]] = Field(default_factory=dict)
    #: The ``[business]`` table (volumes, prices, licence deal, own-platform alternative), kept
    #: raw here and validated by :mod:`skateboard.economics.business`.
    business: dict[str, Any] | None = None


#: Molar masses [g/mol] (IUPAC 2021 conventional atomic weights): CO2 per unit of carbon.
CO2_PER_CARBON = (12.011 + 2 * 15.999) / 12.011


class FuelSpec(SpecModel):
    """One fuel of ``data/fuels.toml`` (``[<name>]``)."""

    title: str = ""
    density: Quantity("kg/m**3", "a density", display="kg/m**3", minimum=500.0, maximum=1000.0,
                      example="0.745 kg/l")
    lower_heating_value: Quantity("J/kg", "a specific energy", display="J/kg", minimum=1e7,
                                  maximum=1.5e8, example="41.5 MJ/kg")
    carbon_mass_fraction: _optional_fraction("a mass fraction", "0.829") = None
    co2_per_volume: OptionalQuantity("kg/m**3", "a CO2 mass per fuel volume", display="kg/m**3",
                                     minimum=0.0, maximum=5000.0, example="2.3 kg/l") = None

    @model_validator(mode="after")
    def _derive(self) -> "FuelSpec":
        if (self.carbon_mass_fraction is None) == (self.co2_per_volume is None):
            raise SpecError("give exactly one of carbon_mass_fraction and co2_per_volume",
                            field="co2_per_volume",
                            allowed="carbon_mass_fraction = 0.829 or co2_per_volume = '2.26 kg/l'")
        if self.co2_per_volume is None:
            self.co2_per_volume = self.density * self.carbon_mass_fraction * CO2_PER_CARBON
        return self


__all__ = [
    "Chassis", "Derivative", "DriveUnitOption", "EnergyManagementSettings", "FuelSpec",
    "LossMapTable", "Options", "Overrides", "PackOption", "PackOverrides", "Platform",
    "ProgramSpec", "QuantityInfo", "RangeExtenderOption", "RangeExtenderOverrides", "TopHat",
    "WheelOption", "default_pack_resistance", "translate_validation_error", "tyre_unloaded_radius",
    "validate",
]
