"""Physical plausibility bounds of spec inputs, each with its source.

The quantity parser already refuses values outside a field's hard range (units slips such as a
bare 67.1 meant as kWh). These bounds go further where physics gives a narrower window:
efficiencies of real components, the traction voltage class, the cell voltage of a chemistry and
the current a pack can carry. A value outside is a :class:`~skateboard.errors.SpecError` naming
the file, the field, the value, the allowed range and where that range comes from.

The order rules between a part's ratings (gross >= usable energy, continuous <= peak power) are
here too, written once: the loader (``spec/models.py``), ``Variant.replace`` (``spec/checks.py``)
and the sweep planner's corner checks (``explore/plan.py``) all call them; ``context`` says where
the values came from (e.g. "everywhere in the range" for a sweep).
"""

from __future__ import annotations

from skateboard.errors import SpecError
from skateboard.physics.constants import KWH

#: Plausible range of each efficiency field (fraction) and its source. A value outside is almost
#: always a slip (a percentage read as a fraction, 1e-6 for 1 - 1e-6).
EFFICIENCY_BOUNDS = {
    "charger_efficiency": (0.70, 0.99,
                           "measured AC charging efficiency of Level 1 and Level 2 sessions is "
                           "about 0.80-0.95 (VEIC, An Assessment of Level 1 and Level 2 Electric "
                           "Vehicle Charging Efficiency, 2019 [check]); the range adds margin "
                           "(assumption)"),
    "gearbox_efficiency": (0.90, 0.995,
                           "a single-speed reduction has two gear meshes at 98-99 % each "
                           "(Naunheimer et al., Automotive Transmissions, 2011 [check]); the "
                           "range adds margin for bearings, seals and oil churning (assumption)"),
    "generator_efficiency": (0.80, 0.99,
                             "a range-extender generator with its rectifier is about 0.93-0.95 "
                             "(permanent-magnet machine and diode or active rectifier) [check]; "
                             "the range adds margin (assumption)"),
}

#: Nominal voltage window of a traction pack [V]: UN Regulation No. 100 (02 series), para. 2
#: definitions, "high voltage" = a working voltage above 60 V and up to 1 500 V DC (voltage
#: class B of ISO 6469-3); every M1 traction battery is a high-voltage system.
TRACTION_VOLTAGE = (60.0, 1500.0)
TRACTION_VOLTAGE_SOURCE = "UN R100 'high voltage': 60 V < working voltage <= 1500 V DC"

#: Nominal cell voltage ranges [V] by chemistry, for packs that declare their cells in series:
#: LFP about 3.2-3.3 V, NMC about 3.6-3.7 V (cell makers' data sheets; the values of
#: skateboard.physics.battery), widened by 0.05 V each side for rounding (assumption).
CELL_NOMINAL_RANGE = {"LFP": (3.15, 3.35), "NMC": (3.55, 3.75)}

#: Largest discharge current a passenger-car traction pack is taken to carry [A]. Assumption:
#: the most powerful production cars draw about 1.5-2 kA (e.g. about 1.4 MW from a pack near
#: 700 V) [check]; 2 500 A leaves margin. A pack whose rated power at its lowest voltage needs
#: more is refused (a 12 V, 67 kWh pack giving 200 kW would need over 20 kA).
MAX_PACK_CURRENT = 2500.0
MAX_PACK_CURRENT_SOURCE = ("assumption: production passenger-car packs carry at most about "
                           "2 kA; skateboard.spec.bounds.MAX_PACK_CURRENT")

#: Highest plausible peak brake efficiency of a range-extender engine. Assumption: well above the
#: 0.40-0.45 published for today's best dedicated range extenders (physics/range_extender.py), so
#: only slips (a percentage read as a fraction) are refused.
MAX_PEAK_ENGINE_EFFICIENCY = 0.6


def check_peak_engine_efficiency(field: str, peak: float, *, file=None, percent: bool = False) -> None:
    """Refuse an engine map's peak brake efficiency outside (0, :data:`MAX_PEAK_ENGINE_EFFICIENCY`];
    ``percent``: the value is given (and reported) in percent, as a validation file holds it."""
    if not 0.0 < peak <= MAX_PEAK_ENGINE_EFFICIENCY:
        allowed = (f"a percentage in (0, {MAX_PEAK_ENGINE_EFFICIENCY * 100:g}]" if percent
                   else f"a peak in (0, {MAX_PEAK_ENGINE_EFFICIENCY:g}]")
        raise SpecError("peak engine efficiency is implausible", file=file, field=field,
                        value=peak * 100 if percent else peak, allowed=allowed)


def check_efficiency(name: str, value: float | None, *, file=None, field=None) -> None:
    """Refuse an efficiency outside :data:`EFFICIENCY_BOUNDS` (``None`` passes)."""
    if value is None:
        return
    lo, hi, source = EFFICIENCY_BOUNDS[name]
    if not lo <= value <= hi:
        raise SpecError(f"implausible {name.replace('_', ' ')}", file=file, field=field or name,
                        value=value, allowed=f"{lo:g} ... {hi:g} (source: {source})")


def cell_voltage_window(chemistry: str, nominal_voltage: float) -> float:
    """The pack's lowest terminal voltage [V] (cells in series x the cell's lower limit)."""
    from skateboard.physics.battery import voltage_limits

    return voltage_limits(chemistry, nominal_voltage)[0]


def check_pack(*, chemistry: str, nominal_voltage: float, max_discharge_power: float,
               cells_in_series: int | None = None, max_current: float | None = None,
               file=None, prefix: str | None = None,
               power_field: str = "max_discharge_power") -> None:
    """Refuse a pack whose voltage and current are outside what its cells allow.

    * the nominal voltage must lie in the traction class :data:`TRACTION_VOLTAGE`;
    * with ``cells_in_series`` given, voltage / cells must be the chemistry's cell voltage
      (:data:`CELL_NOMINAL_RANGE`);
    * the current the pack carries at its rated power and lowest voltage (or its declared
      ``max_current``) must not exceed :data:`MAX_PACK_CURRENT`.
    """
    def where(name: str) -> str:
        return f"{prefix}.{name}" if prefix else name

    lo, hi = TRACTION_VOLTAGE
    if not lo <= nominal_voltage <= hi:
        raise SpecError("nominal_voltage outside the traction-voltage class", file=file,
                        field=where("nominal_voltage"), value=f"{nominal_voltage:g} V",
                        allowed=f"{lo:g} ... {hi:g} V (source: {TRACTION_VOLTAGE_SOURCE})")
    if cells_in_series is not None:
        cell = nominal_voltage / cells_in_series
        c_lo, c_hi = CELL_NOMINAL_RANGE[chemistry]
        if not c_lo <= cell <= c_hi:
            raise SpecError(f"nominal_voltage / cells_in_series = {cell:.3g} V is not a "
                            f"{chemistry} cell voltage", file=file, field=where("cells_in_series"),
                            value=cells_in_series,
                            allowed=f"{nominal_voltage / c_hi:.0f} ... {nominal_voltage / c_lo:.0f} "
                            f"cells for {nominal_voltage:g} V ({chemistry} cells {c_lo:g}-{c_hi:g} V; "
                            "source: skateboard.spec.bounds.CELL_NOMINAL_RANGE)")
    if max_current is not None:
        if not 0.0 < max_current <= MAX_PACK_CURRENT:
            raise SpecError("implausible pack current limit", file=file, field=where("max_current"),
                            value=f"{max_current:g} A",
                            allowed=f"0 < max_current <= {MAX_PACK_CURRENT:g} A "
                            f"(source: {MAX_PACK_CURRENT_SOURCE})")
        return
    v_min = cell_voltage_window(chemistry, nominal_voltage)
    current = max_discharge_power / v_min
    if current > MAX_PACK_CURRENT:
        raise SpecError(f"{max_discharge_power / 1e3:g} kW at the pack's lowest voltage "
                        f"({v_min:.3g} V for a {nominal_voltage:g} V {chemistry} pack) needs "
                        f"{current:.4g} A", file=file, field=where(power_field),
                        value=f"{max_discharge_power / 1e3:g} kW",
                        allowed=f"at most {MAX_PACK_CURRENT:g} A x {v_min:.3g} V = "
                        f"{MAX_PACK_CURRENT * v_min / 1e3:.3g} kW at this voltage, or a higher "
                        f"nominal_voltage, or a declared max_current (source: "
                        f"{MAX_PACK_CURRENT_SOURCE})")


def check_energy_order(gross_energy: float, usable_energy: float, *, field: str = "gross_energy",
                       file=None, context: str = "") -> None:
    """SpecError unless ``gross_energy`` [J] >= ``usable_energy`` [J]."""
    if gross_energy < usable_energy:
        raise SpecError("gross_energy must not be below usable_energy", file=file, field=field,
                        value=f"{gross_energy / KWH:g} kWh",
                        allowed=f">= usable_energy ({usable_energy / KWH:g} kWh){context}")


def check_power_order(continuous_power: float, peak_power: float, *,
                      field: str = "continuous_power", file=None, context: str = "") -> None:
    """SpecError unless ``continuous_power`` [W] <= ``peak_power`` [W]."""
    if continuous_power > peak_power:
        raise SpecError("continuous_power must not exceed peak_power", file=file, field=field,
                        value=f"{continuous_power / 1e3:g} kW",
                        allowed=f"<= peak_power ({peak_power / 1e3:g} kW){context}")
