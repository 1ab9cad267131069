"""``Variant.replace`` checks its changes as the TOML loader checks a file.

Each Variant field maps to the spec-model field it is copied from (its unit, range and error
text, ``docs/spec.md``); a value is a number in SI or a quantity string (``"1.9 t"``). Cross
checks: one road-load form, mass in running order within the maximum gross mass, gross pack
energy at least the usable energy, continuous at most peak power. Problems are SpecErrors,
never a NaN in a result. A cross check runs when a field it involves changes (a variant built
outside the loader is not checked for what ``replace`` does not touch)."""

from __future__ import annotations

import dataclasses
import functools
from typing import Any

import numpy as np

from skateboard.errors import SpecError, close_matches
from skateboard.physics.constants import DRIVER_MASS
from skateboard.spec import models as m
from skateboard.spec.bounds import check_energy_order, check_power_order

_VARIANT = {
    **{k: (m.TopHat, k) for k in ("curb_mass", "front_mass_share", "optional_equipment_mass",
                                  "rotating_inertia_fraction", "drag_coefficient", "frontal_area",
                                  "rolling_resistance_coefficient", "rolling_resistance_speed_coefficient",
                                  "f0", "f1", "f2")},
    "aux_power": (m.Overrides, "aux_power"),
    "charger_efficiency": (m.Overrides, "charger_efficiency"),
    "wheel_radius": (m.WheelOption, "rolling_radius"),
    **{k: (m.Chassis, k) for k in ("wheelbase", "track", "cg_height", "max_gross_mass",
                                   "max_front_axle_load", "max_rear_axle_load")},
}
_PACK = ("usable_energy", "gross_energy", "nominal_voltage", "resistance", "max_discharge_power",
         "max_charge_power", "mass")
_DRIVE_UNIT = ("peak_power", "continuous_power", "peak_torque", "max_speed", "gear_ratio",
               "gearbox_efficiency", "mass", "zero_torque_loss_factor")
_NAMES = ("name", "label", "platform", "maker")


@functools.cache
def _field_names(cls: type) -> frozenset:
    return frozenset(f.name for f in dataclasses.fields(cls))


def copy_with(obj: Any, changes: dict) -> Any:
    """``dataclasses.replace`` for the spec's frozen dataclasses (none has ``__post_init__``,
    ``InitVar`` or ``init=False`` fields), without the loader's checks: a shallow copy with
    ``changes`` set, without calling ``__init__`` (2 instead of 20 us). For values already
    checked: :func:`checked_replace` checks them first; a sweep checks its ranges and the
    corners of its box when it is planned (:mod:`skateboard.explore.plan`)."""
    new = object.__new__(type(obj))
    new.__dict__.update(obj.__dict__)
    new.__dict__.update(changes)
    return new


@functools.cache
def _info(model: type, name: str) -> m.QuantityInfo:
    for meta in model.model_fields[name].metadata:
        q = getattr(meta, "func", None)
        if isinstance(q, m.QuantityInfo):
            return q
    raise KeyError(name)  # pragma: no cover - every mapped field is a Quantity


def _parse(value: Any, model: type, name: str, field: str, file=None) -> float | None:
    if value is None and name in ("drag_coefficient", "frontal_area",
                                  "rolling_resistance_coefficient", "f0", "f1", "f2"):
        return None
    return m.parse_field(value, _info(model, name), field=field, file=file)


def _obj(obj: Any, model: type, names: tuple, cls: type, field: str, file=None) -> Any:
    if not isinstance(obj, cls):
        raise SpecError(f"expected a {cls.__name__}", file=file, field=field,
                        value=type(obj).__name__)
    parsed = {k: m.parse_field(getattr(obj, k), _info(model, k), field=f"{field}.{k}", file=file)
              for k in names}
    if hasattr(obj, "rerated"):  # a drive unit on the calibrated rule follows its peak power
        return obj.rerated(**parsed)
    return copy_with(obj, parsed)


def checked_replace(variant, changes: dict) -> Any:
    """The variant with ``changes`` applied, after the loader's checks (SpecError otherwise)."""
    # the variant's own classes (this module sits above spec.variant, which calls it)
    Pack = type(variant.pack)
    DriveUnit = type(variant.drive_units[0])

    fields = _field_names(type(variant))
    where = variant.source_file
    out: dict[str, Any] = {}
    for key, value in changes.items():
        field = f"{variant.name}.{key}"
        if key not in fields:
            raise SpecError(f"not a Variant field{close_matches(key, fields)}", file=where,
                            field=field, allowed=", ".join(sorted(fields)))
        if key in _VARIANT:
            out[key] = _parse(value, *_VARIANT[key], field, where)
        elif key == "pack":
            pack = _obj(value, m.PackOption, _PACK, Pack, field, where)
            check_energy_order(pack.gross_energy, pack.usable_energy, field=f"{field}.gross_energy",
                               file=where)
            out[key] = pack
        elif key == "drive_units":
            units = tuple(_obj(du, m.DriveUnitOption, _DRIVE_UNIT, DriveUnit, f"{field}[{i}]", where)
                          for i, du in enumerate(value))
            if not units:
                raise SpecError("a variant needs a drive unit", file=where, field=field)
            for i, du in enumerate(units):
                check_power_order(du.continuous_power, du.peak_power,
                                  field=f"{field}[{i}].continuous_power", file=where)
            out[key] = units
        elif key in _NAMES:
            if not isinstance(value, str) or not value.strip():
                raise SpecError("expected a non-empty name", file=where, field=field, value=value)
            out[key] = value
        else:
            out[key] = value
    new = copy_with(variant, out)
    _cross_checks(new, set(out), where)
    return new


_ROAD = {"drag_coefficient", "frontal_area", "rolling_resistance_coefficient", "f0", "f1", "f2"}
# rolling_resistance_speed_coefficient is read only by the physical form: no cross-check
_AXLES = {"front_mass_share", "max_gross_mass", "max_front_axle_load", "max_rear_axle_load"}
_MASS = {"curb_mass", "optional_equipment_mass", "max_gross_mass"}


def _cross_checks(v, changed: set, where) -> None:
    if changed & _ROAD:
        physical = [k for k in ("drag_coefficient", "frontal_area") if getattr(v, k) is not None]
        coast = [k for k in ("f0", "f1", "f2") if getattr(v, k) is not None]
        if (physical and coast) or not (len(physical) == 2 or len(coast) == 3):
            key = sorted(changed & (_ROAD - {"rolling_resistance_coefficient"})) or ["f0"]
            raise SpecError("road load must be in one form: drag_coefficient + frontal_area, or "
                            "f0 + f1 + f2 (set the other form's values to None)", file=where,
                            field=f"{v.name}.{key[0]}", allowed="one complete form")
        if not coast and v.rolling_resistance_coefficient is None:
            raise SpecError("a physical road load needs rolling_resistance_coefficient", file=where,
                            field=f"{v.name}.rolling_resistance_coefficient", allowed="0 .. 0.05")
    if changed & _AXLES:
        _check_axle_loads(*(np.array([getattr(v, k)]) for k in (
            "max_gross_mass", "front_mass_share", "max_front_axle_load", "max_rear_axle_load")),
            lambda i, key: f"{v.name}.{key}", where)
    if changed & _MASS:
        _check_running_order_mass(*(np.array([getattr(v, k)]) for k in (
            "curb_mass", "optional_equipment_mass", "max_gross_mass")),
            lambda i, key: f"{v.name}.{key}", where)


def _check_axle_loads(gross, share, front_max, rear_max, field_of, where) -> None:
    """SpecError at the first row whose static axle load at maximum gross mass exceeds its axle's
    maximum (arrays [kg], [-]; ``field_of(i, key)`` names row ``i``'s field)."""
    for axle, load, limit in (("front", gross * share, front_max),
                              ("rear", gross * (1 - share), rear_max)):
        bad = np.flatnonzero(load > limit * (1 + 1e-12))
        if len(bad):
            i = int(bad[0])
            raise SpecError(f"static {axle} axle load at maximum gross mass {load[i]:.0f} kg "
                            f"exceeds the maximum {axle} axle load {limit[i]:.0f} kg", file=where,
                            field=field_of(i, "front_mass_share"), value=float(share[i]),
                            allowed=f"front_mass_share between "
                            f"{max(0.0, 1 - rear_max[i] / gross[i]):.3f} and "
                            f"{min(1.0, front_max[i] / gross[i]):.3f}")


def _check_running_order_mass(curb, optional, gross, field_of, where) -> None:
    """SpecError at the first row whose mass in running order exceeds its maximum gross mass."""
    mro = curb + DRIVER_MASS + optional
    bad = np.flatnonzero(mro > gross)
    if len(bad):
        i = int(bad[0])
        raise SpecError(f"mass in running order {mro[i]:.0f} kg exceeds the maximum gross mass "
                        f"{gross[i]:.0f} kg", file=where, field=field_of(i, "curb_mass"),
                        value=f"{curb[i]:g} kg", allowed=f"curb_mass + {DRIVER_MASS:g} kg "
                        f"driver + optional_equipment_mass <= {gross[i]:g} kg")


def check_batch(batch) -> None:
    """A :class:`~skateboard.spec.batch.VariantBatch`'s arrays checked as ``replace`` checks one
    variant's changes, for all rows at once: known fields, one value per variant, finite, within
    the spec's range, and the cross checks (road-load form, gross >= usable energy, continuous <=
    peak power, mass in running order within the maximum gross mass, axle loads). The first
    failing row is named in the SpecError (``<name>#<i>.<field>``)."""
    t, n, where = batch.template, batch.n, batch.template.source_file

    def field_of(i, key):
        return f"{batch.name(int(i))}.{key}"

    def values(key, a, model, name, shape=(n,)):
        arr = np.asarray(a, dtype=float)
        if arr.shape != shape:
            raise SpecError(f"expected {shape[0]} values (one per variant)", file=where,
                            field=f"{batch.name_prefix}.{key}", value=f"shape {np.shape(a)}")
        if model is not None and n:   # the extremes (or a NaN) fail first: the loader's check
            for i in {int(np.argmin(arr)), int(np.argmax(arr))}:
                m.parse_field(float(arr[i]), _info(model, name), field=field_of(i, key), file=where)
        return arr

    for key, a in batch.fields.items():
        if key not in _VARIANT:
            raise SpecError(f"not a Variant field a batch may vary{close_matches(key, _VARIANT)}",
                            file=where, field=f"{batch.name_prefix}.{key}",
                            allowed=", ".join(sorted(_VARIANT)))
        values(key, a, *_VARIANT[key])
    for key, a in batch.pack.items():
        if key not in _PACK + ("max_current",):
            raise SpecError(f"not a Pack field a batch may vary{close_matches(key, _PACK)}",
                            file=where, field=f"{batch.name_prefix}.pack.{key}",
                            allowed=", ".join(_PACK))
        values(f"pack.{key}", a, *((None, None) if key == "max_current" else (m.PackOption, key)))
    unit_names = {du.name for du in t.drive_units}
    for unit, changed in batch.units.items():
        if unit not in unit_names:
            raise SpecError(f"the variant has no drive unit {unit!r}", file=where,
                            field=f"{batch.name_prefix}.drive_units.{unit}",
                            allowed=", ".join(sorted(unit_names)))
        for key, a in changed.items():
            if key == "loss_coefficients":
                arr = values(f"drive_units.{unit}.{key}", a, None, None, shape=(n, 4))
                bad = np.flatnonzero(~(arr >= 0).all(axis=1) | ~np.isfinite(arr).all(axis=1))
                if len(bad):
                    raise SpecError("loss coefficients must be finite and not negative",
                                    file=where, field=field_of(bad[0], f"drive_units.{unit}.{key}"),
                                    value=str(arr[bad[0]].tolist()))
            elif key in _DRIVE_UNIT:
                values(f"drive_units.{unit}.{key}", a, m.DriveUnitOption, key)
            else:
                raise SpecError(f"not a DriveUnit field a batch may vary"
                                f"{close_matches(key, _DRIVE_UNIT)}", file=where,
                                field=f"{batch.name_prefix}.drive_units.{unit}.{key}",
                                allowed=", ".join(_DRIVE_UNIT + ("loss_coefficients",)))
    col, pack = batch.column, batch.pack_column
    # road load in one form: a batch cannot unset a field, so the template's form stays
    coast = t.f0 is not None
    other = ({"drag_coefficient", "frontal_area"} if coast else {"f0", "f1", "f2"}) & set(batch.fields)
    if other:
        raise SpecError(f"road load must be in one form: the variant's is "
                        f"{'f0 + f1 + f2' if coast else 'drag_coefficient + frontal_area'}",
                        file=where, field=field_of(0, sorted(other)[0]),
                        allowed="fields of the variant's road-load form")
    bad = np.flatnonzero(pack("gross_energy") < pack("usable_energy"))
    if len(bad):
        i = bad[0]
        check_energy_order(pack("gross_energy")[i], pack("usable_energy")[i],
                           field=field_of(i, "pack.gross_energy"), file=where)
    for du in t.drive_units:
        u = batch.units.get(du.name, {})
        cont = np.broadcast_to(np.asarray(u.get("continuous_power", du.continuous_power), float), (n,))
        peak = np.broadcast_to(np.asarray(u.get("peak_power", du.peak_power), float), (n,))
        bad = np.flatnonzero(cont > peak)
        if len(bad):
            i = bad[0]
            check_power_order(cont[i], peak[i], file=where,
                              field=field_of(i, f"drive_units.{du.name}.continuous_power"))
    _check_running_order_mass(col("curb_mass"), col("optional_equipment_mass"),
                              col("max_gross_mass"), field_of, where)
    _check_axle_loads(col("max_gross_mass"), col("front_mass_share"), col("max_front_axle_load"),
                      col("max_rear_axle_load"), field_of, where)


__all__ = ["check_batch", "checked_replace", "copy_with"]
