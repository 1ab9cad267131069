"""Generic vehicles built from EPA rows, their predicted AC consumption, and error summaries."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from skateboard.errors import SpecError
from skateboard.spec import defaults as spec_defaults
from skateboard.spec.variant import DriveUnit, Pack, Variant
from skateboard.validation.defaults import CALIBRATED, GenericDefaults
from skateboard.validation.epa_list import (
    CYCLES,
    DRIVE_LAYOUTS,
    HORSEPOWER,
    MEASURED_COLUMN,
    SCREEN_MIN_RATED_HP,
)
from skateboard.validation.reader import drive_layout
from skateboard.validation.technology import GENERIC, technology_of

# ---------------------------------------------------------------------------------------------
# Generic vehicles and their prediction
# ---------------------------------------------------------------------------------------------

def generic_pack(defaults: GenericDefaults, max_discharge_power: float) -> Pack:
    """The generic pack of :class:`GenericDefaults` (resistance by skateboard's chemistry rule)."""
    from skateboard.spec.models import default_pack_resistance

    d = defaults
    return Pack(name="generic", chemistry=d.pack_chemistry, usable_energy=d.pack_usable_energy,
                    gross_energy=d.pack_gross_energy, nominal_voltage=d.pack_nominal_voltage,
                    resistance=default_pack_resistance(d.pack_chemistry, d.pack_nominal_voltage,
                                                       d.pack_gross_energy),
                    max_discharge_power=max_discharge_power,
                    max_charge_power=d.pack_max_charge_power, mass=0.0)


def generic_drive_unit(name: str, axle: str, rated_power: float,
                       defaults: GenericDefaults, motor_type: str = "pmsm", inverter: str = "si",
                       disconnect: bool = False) -> DriveUnit:
    """A drive unit of ``rated_power`` [W] by the generic rules of :class:`GenericDefaults`.

    Peak torque = rated power / base speed, base speed = max speed / ``base_speed_ratio``;
    gear ratio = max speed x wheel radius / ``top_speed``. Loss coefficients: the named map
    with its no-load terms (c0, c_speed, c_speed3) x ``no_load_loss_scale`` x reference power /
    rated power (so the unit's no-load loss is that of the reference unit, whatever its rating)
    and its load term (c_torque2) x ``copper_loss_scale`` x (rated power / reference
    power)^(1 - ``copper_loss_rating_exponent``), all four x the technology's scale
    (``motor_type``, ``inverter``); the zero-torque loss factor follows ``motor_type`` and
    ``disconnect`` as in the spec layer.
    """
    from skateboard.spec.defaults import calibrated_loss_coefficients, zero_torque_loss_factor

    d = defaults
    peak_torque = rated_power * d.base_speed_ratio / d.motor_max_speed
    # the unit follows the generic torque rule by construction (its base-speed ratio may be
    # varied in an experiment), so the load term is not referred again
    coefficients = calibrated_loss_coefficients(
        rated_power, base=d.loss_map, no_load_scale=d.no_load_loss_scale,
        copper_scale=d.copper_loss_scale, rating_exponent=d.copper_loss_rating_exponent,
        reference_power=d.loss_reference_power, motor_type=motor_type, inverter=inverter,
        induction_scale=d.induction_loss_scale, sic_scale=d.sic_loss_scale)
    # the spec layer's calibrated rule when the defaults are the calibrated ones (a trial of
    # calibrate() is labelled as such, so Variant.replace keeps its coefficients)
    rule = ("calibrated" if coefficients == calibrated_loss_coefficients(
        rated_power, peak_torque, d.motor_max_speed, motor_type=motor_type, inverter=inverter)
        else "calibration trial")
    return DriveUnit(
        name=name, axle=axle, peak_power=rated_power, continuous_power=0.5 * rated_power,
        peak_torque=peak_torque, max_speed=d.motor_max_speed, gear_ratio=d.motor_max_speed * d.wheel_radius / d.top_speed,
        gearbox_efficiency=d.gearbox_efficiency,
        loss_coefficients=coefficients, loss_map=rule, motor_type=motor_type, inverter=inverter,
        zero_torque_loss_factor=zero_torque_loss_factor(motor_type, disconnect))


def technology_unit(axle: str, rated_power: float, defaults: GenericDefaults, tech, awd: bool) -> DriveUnit:
    """The generic unit on ``axle`` with the side table's technology ``tech``
    (:class:`~skateboard.validation.technology.Technology`): its motor type and inverter, and a
    front unit that disconnects only on an all-wheel-drive car."""
    return generic_drive_unit(axle, axle, rated_power, defaults, tech.motor(axle), tech.inverter(axle),
                              axle == "front" and tech.front_disconnect and awd)


def epa_variant(row: Mapping[str, Any], defaults: GenericDefaults = CALIBRATED,
                name: str | None = None) -> Variant:
    """The generic vehicle of one EPA row, built from the :data:`INPUT_COLUMNS` only.

    ``row`` needs ``test_mass_kg``, ``f0_n``, ``f1_n_per_mps``, ``f2_n_per_mps2``,
    ``rated_hp`` and ``layout`` (or ``drive``); ``make``, ``model`` and ``cycle`` only name it.
    A measured value in ``row`` is not looked at.
    """
    d = defaults
    layout = row.get("layout") or drive_layout(str(row["drive"]))
    power = float(row["rated_hp"]) * HORSEPOWER
    tech = (technology_of(str(row.get("make", "")), str(row.get("model", "")))
            if d.technology else GENERIC)

    def unit(axle, rated):
        return technology_unit(axle, rated, d, tech, layout == "AWD")

    if layout == "FWD":
        units = (unit("front", power),)
    elif layout == "RWD":
        units = (unit("rear", power),)
    elif layout == "AWD":
        units = (unit("front", power * d.awd_front_share),
                 unit("rear", power * (1.0 - d.awd_front_share)))
    else:
        raise SpecError("unknown drive layout", field="drive", value=row.get("drive"),
                        allowed=", ".join(DRIVE_LAYOUTS))
    mass = float(row["test_mass_kg"])
    # the pack never limits the drive: rated power through a 0.85 drive efficiency, plus aux
    pack = generic_pack(d, spec_defaults.default_pack_discharge_power([power], d.aux_power))
    label = f"{row.get('make', '')} {row.get('model', '')} ({row.get('cycle', '')})".strip()
    return Variant(
        name=name or label, label=label, platform="generic (EPA test car)",
        maker=str(row.get("make", "")), powertrain="BEV",
        curb_mass=mass, max_gross_mass=mass, optional_equipment_mass=0.0,
        front_mass_share=d.front_mass_share, max_front_axle_load=mass, max_rear_axle_load=mass,
        rotating_inertia_fraction=0.0, wheelbase=d.wheelbase, track=d.track,
        cg_height=d.cg_height, wheel_radius=d.wheel_radius,
        drag_coefficient=None, frontal_area=None, rolling_resistance_coefficient=None,
        f0=float(row["f0_n"]), f1=float(row["f1_n_per_mps"]), f2=float(row["f2_n_per_mps2"]),
        pack=pack, drive_units=units, range_extender=None, energy_management=None,
        aux_power=d.aux_power, charger_efficiency=d.charger_efficiency,
        options={"layout": layout, "source": "EPA test car list row",
                 "technology": tech.matched or "generic"})


def _simulate_cycle(cycle: str, variants: Sequence[Variant], masses: Sequence[float]):
    """EPA multi-cycle test on one cycle for all ``variants`` in ONE engine call, at the records'
    test masses (:func:`skateboard.procedures.epa.multi_cycle_test`, the same test
    :func:`skateboard.procedures.epa.run` runs). Returns (AC consumption [Wh/km], energy-audit
    residual, trace-miss time [s]) per variant."""
    from skateboard.procedures import epa

    test = epa.multi_cycle_test(list(variants), CYCLES[cycle], list(masses))
    return test.ac_wh_per_km, test.residual, test.trace_miss_time


def predict_epa_testcar(inputs: pd.DataFrame, defaults: GenericDefaults = CALIBRATED) -> pd.DataFrame:
    """Predicted unadjusted AC consumption of EPA rows, from the :data:`INPUT_COLUMNS` only.

    ``inputs`` is what :func:`read_epa_testcar` returns (any measured column is dropped before
    anything is built). Rows below the rated-power screen get NaN. All rows of one cycle run in
    one engine call.

    Returns a DataFrame aligned with ``inputs``: ``predicted_wh_per_km_ac``,
    ``energy_audit_residual``, ``trace_miss_s``.
    """
    data = inputs[[c for c in inputs.columns if c != MEASURED_COLUMN]].reset_index(drop=True)
    out = pd.DataFrame({"predicted_wh_per_km_ac": np.nan, "energy_audit_residual": np.nan,
                        "trace_miss_s": np.nan}, index=data.index)
    for cyc in CYCLES:
        sel = data.index[(data["cycle"] == cyc) & (data["rated_hp"] >= SCREEN_MIN_RATED_HP)]
        if len(sel) == 0:
            continue
        recs = data.loc[sel].to_dict("records")
        variants = [epa_variant(r, defaults, name=f"row{i}") for i, r in zip(sel, recs)]
        wh, resid, miss = _simulate_cycle(cyc, variants, [r["test_mass_kg"] for r in recs])
        out.loc[sel, "predicted_wh_per_km_ac"] = wh
        out.loc[sel, "energy_audit_residual"] = resid
        out.loc[sel, "trace_miss_s"] = miss
    return out



def error_summary(predicted, measured) -> dict[str, float]:
    """n, MAPE, bias (mean signed error) and maximum absolute error [%] of predictions."""
    p = np.asarray(predicted, float)
    m = np.asarray(measured, float)
    err = (p / m - 1.0) * 100.0
    if err.size == 0:
        return {"n": 0, "mape_percent": math.nan, "bias_percent": math.nan,
                "max_abs_error_percent": math.nan}
    return {"n": int(err.size), "mape_percent": float(np.mean(np.abs(err))),
            "bias_percent": float(np.mean(err)), "max_abs_error_percent": float(np.max(np.abs(err)))}
