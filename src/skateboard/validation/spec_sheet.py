"""Generic vehicles built from what a maker's spec sheet gives, for the published-figure files.

A row of ``cltc_published.csv`` or ``climate_range_tests.csv`` gives curb mass, width and height
(or frontal area), Cd where published, pack energy (gross and/or usable) and chemistry, and motor
power per axle. :func:`spec_sheet_variant` turns such a row into a :class:`Variant` with the
**same** generic drive-unit rules, charger efficiency and auxiliary load that
``skateboard validate epa-testcar`` scores (:data:`skateboard.validation.CALIBRATED`, fitted on
the EPA calibration file only), plus the fixed defaults below for what the sheet does not give.
Nothing here is fitted on the published files; every default is the same for every row.

Defaults (each an assumption unless a source is named):

- :data:`DEFAULT_DRAG_COEFFICIENT` 0.28 when Cd is not published (assumption: between the
  0.215-0.27 published in these files and the 0.29-0.30 the bundled derivatives assume).
- frontal area = width x height x :data:`FRONTAL_AREA_FACTOR` 0.85 (the estimate the bundled
  derivatives use, e.g. ``derivatives/leapmotor-b10.toml``; assumption).
- rolling resistance: skateboard's default 0.0077 (EU tyre label class B upper limit,
  ``skateboard.spec.models.DEFAULT_ROLLING_RESISTANCE_COEFFICIENT``).
- usable = gross x 0.95 (``skateboard.spec.defaults.USABLE_SHARE``) when only gross energy is published, and the
  converse (assumption; the bundled B10 packs are 0.97-0.98, C10 REEV 0.93).
- chemistry: LFP as given; NMC for NMC, "li-ion" and mixed packs (assumption).
- nominal voltage 400 V (assumption; only the pack resistance follows from it).
- maximum laden mass = curb + 5 x 75 kg + 70 kg luggage (the rule of the bundled B10,
  ``platforms/b10.toml``; assumption). It sets only the WLTP test mass.
- rotating-inertia fraction 0.03 (skateboard's default, GTR 15 Annex 4 2.5.1's allowance).
- drive-unit technology (motor type per axle, inverter, whether the front unit disconnects): the
  first row of ``drive_technology.csv`` whose pattern is found in "make model version" (plus
  " AWD" when the row has a motor on each axle and its name does not say so: the table's patterns
  name all-wheel-drive versions as EPA's records do), as the EPA validation reads it
  (:mod:`skateboard.validation.technology`; sourced, never fitted); a car no row matches gets
  permanent-magnet units on silicon inverters, no disconnect.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from skateboard.errors import SpecError
from skateboard.physics.constants import KWH
from skateboard.spec import defaults as spec_defaults
from skateboard.spec.models import DEFAULT_ROTATING_INERTIA_FRACTION
from skateboard.spec.variant import Pack, Variant
from skateboard.validation.defaults import CALIBRATED, GenericDefaults
from skateboard.validation.predict import technology_unit
from skateboard.validation.technology import GENERIC, technology_of

DEFAULT_DRAG_COEFFICIENT = 0.28
# the spec layer's spec-sheet defaults, the ones a user's minimal car gets (one set of rules)
FRONTAL_AREA_FACTOR = spec_defaults.FRONTAL_AREA_FACTOR
NOMINAL_VOLTAGE = spec_defaults.NOMINAL_VOLTAGE
OCCUPANTS_AND_LUGGAGE = spec_defaults.OCCUPANTS_AND_LUGGAGE
ROTATING_INERTIA_FRACTION = DEFAULT_ROTATING_INERTIA_FRACTION
#: Columns a row needs (besides one of the pack energies and one of the motor powers).
NEEDED = ("curb_mass_kg",)


def _num(row: Mapping[str, Any], key: str) -> float:
    v = row.get(key)
    if v is None or (isinstance(v, str) and not v.strip()):
        return math.nan
    try:
        return float(v)
    except (TypeError, ValueError):
        return math.nan


def missing_inputs(row: Mapping[str, Any]) -> list[str]:
    """The spec-sheet inputs a row lacks for :func:`spec_sheet_variant` ([] = buildable)."""
    miss = [k for k in NEEDED if not _num(row, k) > 0]
    if not (_num(row, "frontal_area_m2") > 0 or (_num(row, "width_mm") > 0 and _num(row, "height_mm") > 0)):
        miss.append("frontal_area_m2 or width_mm + height_mm")
    if not (_num(row, "battery_usable_kwh") > 0 or _num(row, "battery_gross_kwh") > 0):
        miss.append("battery_usable_kwh or battery_gross_kwh")
    if not (_num(row, "motor_front_kw") > 0 or _num(row, "motor_rear_kw") > 0):
        miss.append("motor_front_kw or motor_rear_kw")
    return miss


def technology_key(row: Mapping[str, Any]) -> tuple[str, str]:
    """(make, "model version") of a spec-sheet row as the drive-technology side table is matched
    on: " AWD" appended when the row has a motor on each axle and its name does not say so (the
    table's patterns name all-wheel-drive versions as EPA's records do)."""
    model = f"{row.get('model', '')} {row.get('version', '')}".strip()
    awd = _num(row, "motor_front_kw") > 0 and _num(row, "motor_rear_kw") > 0
    if awd and not re.search(r"\b(awd|4wd|all-wheel)", model, re.IGNORECASE):
        model += " AWD"
    return str(row.get("make", "")), model


def spec_sheet_variant(row: Mapping[str, Any], name: str, defaults: GenericDefaults = CALIBRATED,
                       file: str | None = None) -> Variant:
    """The generic BEV of one spec-sheet row (see the module docstring for every default)."""
    from skateboard.spec.models import DEFAULT_ROLLING_RESISTANCE_COEFFICIENT, default_pack_resistance

    miss = missing_inputs(row)
    if miss:
        raise SpecError("spec-sheet inputs missing", file=file, field=name, value=None,
                        allowed="; ".join(miss))
    d = defaults
    curb = _num(row, "curb_mass_kg")
    cd = _num(row, "cd")
    cd = cd if cd > 0 else DEFAULT_DRAG_COEFFICIENT
    area = _num(row, "frontal_area_m2")
    if not area > 0:
        area = _num(row, "width_mm") / 1e3 * _num(row, "height_mm") / 1e3 * FRONTAL_AREA_FACTOR
    chem = "LFP" if str(row.get("chemistry", "")).strip().upper() == "LFP" else "NMC"
    gross, usable = _num(row, "battery_gross_kwh"), _num(row, "battery_usable_kwh")
    if not usable > 0:
        usable = spec_defaults.usable_from_gross(chem, gross)
    if not gross > 0:
        gross = spec_defaults.gross_from_usable(chem, usable)
    front, rear = _num(row, "motor_front_kw") * 1e3, _num(row, "motor_rear_kw") * 1e3
    tech = technology_of(*technology_key(row)) if d.technology else GENERIC
    units = [technology_unit(axle, power, d, tech, front > 0 and rear > 0)
             for axle, power in (("rear", rear), ("front", front)) if power > 0]
    pack = Pack(name=f"{gross:g} kWh", chemistry=chem, usable_energy=usable * KWH,
                    gross_energy=gross * KWH, nominal_voltage=NOMINAL_VOLTAGE,
                    resistance=default_pack_resistance(chem, NOMINAL_VOLTAGE, gross * KWH),
                    max_discharge_power=spec_defaults.default_pack_discharge_power(
                        [u.peak_power for u in units], d.aux_power),
                    max_charge_power=d.pack_max_charge_power, mass=0.0)
    gvm = curb + OCCUPANTS_AND_LUGGAGE
    label = f"{row.get('make', '')} {row.get('model', '')} {row.get('version', '')}".strip()
    return Variant(
        name=name, label=label, platform="generic (spec sheet)", maker=str(row.get("make", "")),
        powertrain="BEV", curb_mass=curb, max_gross_mass=gvm, optional_equipment_mass=0.0,
        front_mass_share=d.front_mass_share, max_front_axle_load=gvm, max_rear_axle_load=gvm,
        rotating_inertia_fraction=ROTATING_INERTIA_FRACTION, wheelbase=d.wheelbase, track=d.track,
        cg_height=d.cg_height, wheel_radius=d.wheel_radius, drag_coefficient=cd,
        frontal_area=area, rolling_resistance_coefficient=DEFAULT_ROLLING_RESISTANCE_COEFFICIENT,
        f0=None, f1=None, f2=None, pack=pack, drive_units=tuple(units), range_extender=None,
        energy_management=None, aux_power=d.aux_power, charger_efficiency=d.charger_efficiency,
        options={"source": "spec-sheet row", "technology": tech.matched or "generic"})
