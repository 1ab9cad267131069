"""The inputs a run actually used, and warnings for inputs that are valid but unlikely.

:func:`inputs_table` echoes, per variant, the test masses of each procedure, the road-load
coefficients, the pack, drive-unit and range-extender values and which values were defaulted
(``evaluate --inputs``, ``evaluate --json``, the HTML report's inputs table).

:func:`plausibility_warnings` flags values no production car has (warnings, never errors:
a concept study may mean them). Bounds, each an assumption from the production cars named:

* curb mass below pack + drive units + :data:`MIN_BODY_MASS` (600 kg: the lightest M1 BEVs
  weigh about 1 000 kg without their pack, e.g. Renault Twingo E-Tech 1 159 kg with a 22 kWh
  pack of about 165 kg [check]; 600 kg leaves a wide margin);
* peak power per curb mass outside :data:`POWER_TO_MASS_W_PER_KG` (30-650 W/kg: Dacia Spring
  33 kW / 970 kg = 34 W/kg; Rimac Nevera 1 408 kW / 2 300 kg = 612 W/kg [check]);
* drag coefficient outside :data:`DRAG_COEFFICIENT` (0.19-0.55: Lucid Air 0.197 and Mercedes
  EQS 0.20 the lowest in production; Mercedes G-Class about 0.54 among the highest [check]);
* usable energy above 98 % of gross (makers keep a buffer of 2-10 %; REFERENCE figures of the
  bundled packs: 96-98 %).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from skateboard.physics.constants import KWH

if TYPE_CHECKING:
    import pandas as pd

MIN_BODY_MASS = 600.0                    # kg, assumption (module docstring)
POWER_TO_MASS_W_PER_KG = (30.0, 650.0)   # assumption (module docstring)
DRAG_COEFFICIENT = (0.19, 0.55)          # assumption (module docstring)
MAX_USABLE_SHARE = 0.98                  # assumption (module docstring)


def inputs_table(variants) -> pd.DataFrame:
    """One row per variant: the resolved values the procedures use (SI values shown in the
    units of the column names) and ``defaulted``, the fields no file gave."""
    from skateboard.engine.batch import road_load_coefficients
    from skateboard.procedures import common as C

    rows = []
    for v in variants:
        tm, im = C.wltp_test_mass(v)
        f0, f1, f2 = road_load_coefficients(v, tm)
        du = v.drive_units
        rex = v.range_extender
        row = {
            "variant": v.name, "platform": v.platform, "powertrain": v.powertrain,
            "options": ", ".join(f"{k}={val}" for k, val in v.options.items()),
            "curb_mass_kg": v.curb_mass, "optional_equipment_mass_kg": v.optional_equipment_mass,
            "max_gross_mass_kg": v.max_gross_mass,
            "wltp_test_mass_kg": tm, "wltp_inertial_mass_kg": im,
            "china_test_mass_kg": C.china_test_mass(v)[0],
            "epa_test_weight_kg": C.epa_equivalent_test_weight(v)[0],
            "front_mass_share": v.front_mass_share,
            "rotating_inertia_fraction": v.rotating_inertia_fraction,
            "drag_coefficient": v.drag_coefficient, "frontal_area_m2": v.frontal_area,
            "rolling_resistance_coefficient": v.rolling_resistance_coefficient,
            "rolling_resistance_speed_coefficient_s_per_m": (
                None if v.f0 is not None else v.rolling_resistance_speed_coefficient),
            "road_load_f0_n": f0, "road_load_f1_n_per_m_s": f1, "road_load_f2_n_per_m2_s2": f2,
            "road_load_form": "coast-down" if v.f0 is not None else "physical",
            "wheel_radius_m": v.wheel_radius,
            "pack": v.pack.name, "pack_chemistry": v.pack.chemistry,
            "pack_usable_kwh": v.pack.usable_energy / KWH,
            "pack_gross_kwh": v.pack.gross_energy / KWH,
            "pack_nominal_voltage_v": v.pack.nominal_voltage,
            "pack_resistance_mohm": v.pack.resistance * 1e3,
            "pack_max_discharge_kw": v.pack.max_discharge_power / 1e3,
            "pack_max_charge_kw": v.pack.max_charge_power / 1e3,
            "pack_mass_kg": v.pack.mass,
            "drive_units": ", ".join(f"{d.name} ({d.axle})" for d in du),
            "motor_peak_kw": sum(d.peak_power for d in du) / 1e3,
            "motor_continuous_kw": sum(d.continuous_power for d in du) / 1e3,
            "motor_peak_torque_n_m": ", ".join(f"{d.peak_torque:g}" for d in du),
            "gear_ratio": ", ".join(f"{d.gear_ratio:g}" for d in du),
            "gearbox_efficiency": ", ".join(f"{d.gearbox_efficiency:g}" for d in du),
            # motor type / inverter per unit: on the calibrated loss rule they scale the losses
            "drive_unit_technology": ", ".join(f"{d.motor_type}/{d.inverter}" for d in du),
            "aux_power_w": v.aux_power, "charger_efficiency": v.charger_efficiency,
            "range_extender_kw": rex.max_power / 1e3 if rex else float("nan"),
            "fuel_tank_l": rex.fuel_tank_volume * 1e3 if rex else float("nan"),
            "energy_management": v.energy_management.strategy if v.energy_management else "",
            "defaulted": ", ".join(getattr(v, "defaults", ()) or ()),
        }
        rows.append(row)
    import pandas as pd

    return pd.DataFrame(rows)


def plausibility_warnings(v) -> list[str]:
    """Warnings for one variant's valid but unlikely values (see the module docstring)."""
    out = []
    where = f"{v.source_file}: " if v.source_file else ""
    drive_mass = sum(d.mass for d in v.drive_units)
    floor = v.pack.mass + drive_mass + MIN_BODY_MASS
    if v.curb_mass < floor:
        out.append(f"{where}{v.name}: curb mass {v.curb_mass:.0f} kg is below the pack "
                   f"({v.pack.mass:.0f} kg) + drive units ({drive_mass:.0f} kg) + a minimal body "
                   f"({MIN_BODY_MASS:.0f} kg) = {floor:.0f} kg")
    ratio = sum(d.peak_power for d in v.drive_units) / v.curb_mass
    lo, hi = POWER_TO_MASS_W_PER_KG
    if not lo <= ratio <= hi:
        out.append(f"{where}{v.name}: peak power per curb mass {ratio:.0f} W/kg lies outside "
                   f"what production cars have ({lo:g}-{hi:g} W/kg)")
    if v.drag_coefficient is not None:
        lo, hi = DRAG_COEFFICIENT
        if not lo <= v.drag_coefficient <= hi:
            out.append(f"{where}{v.name}: drag coefficient {v.drag_coefficient:g} lies outside "
                       f"what production cars have ({lo:g}-{hi:g})")
    share = v.pack.usable_energy / v.pack.gross_energy
    if share > MAX_USABLE_SHARE:
        out.append(f"{where}{v.name}: usable energy is {100 * share:.1f} % of gross "
                   f"(makers keep a buffer; usually at most {100 * MAX_USABLE_SHARE:g} %)")
    return out


__all__ = ["inputs_table", "plausibility_warnings"]
