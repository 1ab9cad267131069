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
        gross, share = v.max_gross_mass, v.front_mass_share
        for axle, load, limit in (("front", gross * share, v.max_front_axle_load),
                                  ("rear", gross * (1 - share), v.max_rear_axle_load)):
            if load > limit * (1 + 1e-12):
                raise SpecError(f"static {axle} axle load at maximum gross mass {load:.0f} kg "
                                f"exceeds the maximum {axle} axle load {limit:.0f} kg", file=where,
                                field=f"{v.name}.front_mass_share", value=share,
                                allowed=f"front_mass_share between "
                                f"{max(0.0, 1 - v.max_rear_axle_load / gross):.3f} and "
                                f"{min(1.0, v.max_front_axle_load / gross):.3f}")
    mro = v.curb_mass + DRIVER_MASS + v.optional_equipment_mass
    if changed & _MASS and mro > v.max_gross_mass:
        raise SpecError(f"mass in running order {mro:.0f} kg exceeds the maximum gross mass "
                        f"{v.max_gross_mass:.0f} kg", file=where, field=f"{v.name}.curb_mass",
                        value=f"{v.curb_mass:g} kg", allowed=f"curb_mass + {DRIVER_MASS:g} kg "
                        f"driver + optional_equipment_mass <= {v.max_gross_mass:g} kg")


def check_batch(batch) -> None:
    """A :class:`~skateboard.spec.batch.VariantBatch`'s arrays checked as ``replace`` checks one
    variant's changes, for all rows at once: known fields, one value per variant, finite, within
    the spec's range, and the cross checks (road-load form, gross >= usable energy, continuous <=
    peak power, mass in running order within the maximum gross mass, axle loads). The first
    failing row is named in the SpecError (``<name>#<i>.<field>``)."""
    import numpy as np

    t, n, where = batch.template, batch.n, batch.template.source_file

    def fail(message, key, i, value=None, allowed=None):
        raise SpecError(message, file=where, field=f"{batch.name(int(i))}.{key}",
                        value=value, allowed=allowed)

    def values(key, a, model, name, shape=(n,)):
        arr = np.asarray(a, dtype=float) if np.ndim(a) else np.full(shape, np.nan)
        if arr.shape != shape:
            raise SpecError(f"expected {shape[0]} values (one per variant)", file=where,
                            field=f"{batch.name_prefix}.{key}", value=f"shape {np.shape(a)}")
        bad = np.flatnonzero(~np.isfinite(arr).reshape(n, -1).all(axis=1))
        if len(bad):
            fail("expected a finite number", key, bad[0], value=str(arr[bad[0]]))
        if model is None:
            return arr
        q = _info(model, name)
        lo = arr < q.minimum if q.minimum is not None and not q.exclusive_minimum else \
            (arr <= q.minimum if q.minimum is not None else np.zeros(shape, bool))
        hi = arr > q.maximum if q.maximum is not None else np.zeros(shape, bool)
        bad = np.flatnonzero(lo | hi)
        if len(bad):
            i = bad[0]
            unit = f" {q.shown}" if q.unit else ""
            fail(f"{q.kind} out of range", key, i, value=f"{arr[i]:g}{unit}",
                 allowed=f"{q.minimum:g} .. {q.maximum:g}{unit}" if q.maximum is not None
                 else f"{'>' if q.exclusive_minimum else '>='} {q.minimum:g}{unit}")
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
                bad = np.flatnonzero((arr < 0).any(axis=1))
                if len(bad):
                    fail("loss coefficients must not be negative", f"drive_units.{unit}.{key}",
                         bad[0], value=str(arr[bad[0]].tolist()))
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
        key = sorted(other)[0]
        fail(f"road load must be in one form: the variant's is "
             f"{'f0 + f1 + f2' if coast else 'drag_coefficient + frontal_area'}", key, 0,
             allowed="fields of the variant's road-load form")
    bad = np.flatnonzero(pack("gross_energy") < pack("usable_energy"))
    if len(bad):
        i = bad[0]
        check_energy_order(pack("gross_energy")[i], pack("usable_energy")[i],
                           field=f"{batch.name(int(i))}.pack.gross_energy", file=where)
    for du in t.drive_units:
        u = batch.units.get(du.name, {})
        cont = np.broadcast_to(np.asarray(u.get("continuous_power", du.continuous_power), float), (n,))
        peak = np.broadcast_to(np.asarray(u.get("peak_power", du.peak_power), float), (n,))
        bad = np.flatnonzero(cont > peak)
        if len(bad):
            i = bad[0]
            check_power_order(cont[i], peak[i], file=where,
                              field=f"{batch.name(int(i))}.drive_units.{du.name}.continuous_power")
    gross, share = col("max_gross_mass"), col("front_mass_share")
    mro = col("curb_mass") + DRIVER_MASS + col("optional_equipment_mass")
    bad = np.flatnonzero(mro > gross)
    if len(bad):
        i = bad[0]
        fail(f"mass in running order {mro[i]:.0f} kg exceeds the maximum gross mass "
             f"{gross[i]:.0f} kg", "curb_mass", i, value=f"{col('curb_mass')[i]:g} kg",
             allowed=f"curb_mass + {DRIVER_MASS:g} kg driver + optional_equipment_mass <= "
             f"{gross[i]:g} kg")
    for axle, load, limit in (("front", gross * share, col("max_front_axle_load")),
                              ("rear", gross * (1 - share), col("max_rear_axle_load"))):
        bad = np.flatnonzero(load > limit * (1 + 1e-12))
        if len(bad):
            i = bad[0]
            fail(f"static {axle} axle load at maximum gross mass {load[i]:.0f} kg exceeds the "
                 f"maximum {axle} axle load {limit[i]:.0f} kg", "front_mass_share", i,
                 value=float(share[i]))


__all__ = ["check_batch", "checked_replace", "copy_with"]
