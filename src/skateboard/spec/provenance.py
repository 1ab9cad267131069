"""What the loader tells beyond the resolved values: which values were defaulted, whether a
derivative's own wheels fit the platform, and a warning for a forked platform that keeps a
bundled platform's name."""

from __future__ import annotations

from pathlib import Path

from skateboard.errors import SpecError
from skateboard.spec import models as m
from skateboard.spec.defaults import CALIBRATED_LOSS_MAP

#: Tolerance on the platform's wheel radii when it declares no limits (assumption, docs/spec.md).
WHEEL_RADIUS_TOLERANCE = 0.03


class SpecWarning(UserWarning):
    """A valid but suspicious specification (collected into ``Program.warnings``)."""


def wheel_radius_limits(platform: m.Platform) -> tuple[float, float]:
    """(min, max) rolling radius [m] a derivative's own wheels may have."""
    radii = [w.rolling_radius for w in platform.wheels.values()]
    ch = platform.chassis
    lo = ch.min_wheel_radius if ch.min_wheel_radius is not None else min(radii) * (1 - WHEEL_RADIUS_TOLERANCE)
    hi = ch.max_wheel_radius if ch.max_wheel_radius is not None else max(radii) * (1 + WHEEL_RADIUS_TOLERANCE)
    return lo, hi


def check_own_wheels(platform: m.Platform, wheel: m.WheelOption, src: str | None) -> None:
    lo, hi = wheel_radius_limits(platform)
    r = wheel.rolling_radius
    if not lo <= r <= hi:
        what = f"{wheel.size} (rolling radius {r * 1e3:.0f} mm)" if wheel.size else f"{r * 1e3:.0f} mm"
        raise SpecError(f"wheels {what} outside the platform's wheel limits", file=src,
                        field="wheels.size" if wheel.size else "wheels.rolling_radius",
                        value=wheel.size or f"{r * 1e3:.0f} mm",
                        allowed=f"rolling radius {lo * 1e3:.0f}-{hi * 1e3:.0f} mm "
                        f"(platform {platform.name!r}: chassis.min_wheel_radius/max_wheel_radius, "
                        "default its wheel options -/+ 3 %)")


def warn_forked(platform: m.Platform, bundled_dir: Path) -> None:
    """A platform file outside the bundled ones that keeps a bundled platform's name would be
    mistaken for it in every table: warn (``Program.warnings``)."""
    import warnings

    src = platform.source_file
    bundled = bundled_dir / f"{platform.name}.toml"
    if src and bundled.is_file() and Path(src).resolve() != bundled.resolve():
        warnings.warn(SpecWarning(
            f"{src}: name: platform file named {platform.name!r} like the bundled platform; "
            f"give the fork its own name (results name the platform); a derivative may bring its "
            f"own wheels without a fork ([wheels] in the derivative)"), stacklevel=3)


def defaulted(platform, derivative, pack_opt, wheel_opt, rex_opt) -> tuple[str, ...]:
    """The values of a variant no file gave (their defaults: docs/spec.md)."""
    top, over = derivative.top_hat, derivative.overrides
    out = [f"top_hat.{k}" for k in ("front_mass_share", "optional_equipment_mass",
                                    "rotating_inertia_fraction") if k not in top.model_fields_set]
    if top.road_load_form == "physical" and "rolling_resistance_speed_coefficient" not in top.model_fields_set:
        out.append("top_hat.rolling_resistance_speed_coefficient")
    if (top.road_load_form == "physical" and "rolling_resistance_coefficient" not in top.model_fields_set
            and "rolling_resistance_coefficient" not in wheel_opt.model_fields_set):
        where = f"wheels.{derivative.options.wheels}" if derivative.options.wheels else "wheels"
        out.append(f"{where}.rolling_resistance_coefficient")
    for k in ("aux_power", "charger_efficiency"):
        if k not in platform.model_fields_set and getattr(over, k) is None:
            out.append(k)
    out += [f"top_hat.{k}" for k in top._defaulted]
    out += [f"chassis.{k}" for k in ("wheelbase", "track", "cg_height")
            if k not in platform.chassis.model_fields_set]
    pack = f"packs.{derivative.options.pack}"
    out += [f"{pack}.{k}" for k in pack_opt._defaulted]
    if "resistance" not in pack_opt.model_fields_set and over.pack.resistance is None:
        out.append(f"{pack}.resistance (from the chemistry)")
    for k in ("dc_charge_curve", "dc_charge_derating"):
        if k not in pack_opt.model_fields_set:
            out.append(f"{pack}.{k}")
    for name in derivative.options.drive_units:
        du = platform.drive_units[name]
        out += [f"drive_units.{name}.{k}" for k in du._defaulted]
        out += [f"drive_units.{name}.{k}" for k in ("gearbox_efficiency", "loss_map")
                if k not in du.model_fields_set]
        # pmsm/si: on the calibrated rule the technology scales the losses, and the motor type
        # sets the zero-torque loss
        calibrated = du.loss_map == CALIBRATED_LOSS_MAP
        if "motor_type" not in du.model_fields_set and (
                calibrated or not du.model_fields_set & {"disconnect", "zero_torque_loss_factor"}):
            out.append(f"drive_units.{name}.motor_type")
        if calibrated and "inverter" not in du.model_fields_set:
            out.append(f"drive_units.{name}.inverter")
    if rex_opt is not None:
        name = derivative.options.range_extender
        # the engine map counts as given when its lists, a named map or its peak are given
        if not rex_opt.model_fields_set & {"engine_efficiency", "engine_map", "peak_engine_efficiency"}:
            out.append(f"range_extenders.{name}.engine_efficiency")
        out += [f"range_extenders.{name}.{k}" for k in (
            "generator_efficiency", "idle_fuel_power", "min_on_time",
            "start_fuel_energy", "cold_start_fuel_energy") if k not in rex_opt.model_fields_set]
    return tuple(out)


__all__ = ["SpecWarning", "WHEEL_RADIUS_TOLERANCE", "check_own_wheels", "defaulted", "warn_forked",
           "wheel_radius_limits"]
