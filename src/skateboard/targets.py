"""Program targets: their names, how a value is read, and the check against a result row.

A program file sets targets per variant, with optional per-market tables that override the
variant-wide ones::

    [targets.hongqi-b10-bev]          # every market
    min_range_km = "420 km"
    max_consumption_wh_per_km = 160

    [targets.hongqi-b10-bev.us]       # the US only (replaces the same names above)
    min_label_range_mi = 250
    max_consumption_wh_per_km = 230

Each target names one result column (``docs/results.md``) and a bound: ``min_`` targets fail
below the value, ``max_`` targets above. A value is a number in the unit of the name or a
quantity string with units (``"400 km"``, ``"250 mi"``, ``"7.5 s"``). A target whose column is
empty in a market (the US label range in the EU, say) is not checked there.

Old names (before results had one meaning per column) still work with a warning; see
:data:`DEPRECATED`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from skateboard.errors import SpecError, close_matches


@dataclass(frozen=True)
class Target:
    """One target name: the column(s) it checks, min or max, and the unit of a bare number.

    columns : the first column with a value in the row is checked (old names check the
        weighted figure where the market reports one and the charge-sustaining one elsewhere,
        as the old single column did).
    unit : pint spelling of the unit of the name; ``scale`` converts a value parsed in that
        unit into the unit of the column (l/100 km is read as l/km, times 100).
    """

    name: str
    columns: tuple[str, ...]
    kind: str               # "min" or "max"
    unit: str               # pint unit of the number ("" = plain number)
    shown: str              # the unit as users read it
    scale: float = 1.0
    replaced_by: str | None = None


def _t(name: str, column: str, unit: str, shown: str, scale: float = 1.0) -> Target:
    return Target(name, (column,), name[:3], unit, shown, scale)


#: Every target name -> Target. The column is the name without its min_/max_ prefix.
TARGETS: dict[str, Target] = {t.name: t for t in [
    _t("min_range_km", "range_km", "km", "km"),
    _t("min_electric_range_km", "electric_range_km", "km", "km"),
    _t("min_label_range_km", "label_range_km", "km", "km"),
    _t("min_label_range_mi", "label_range_mi", "mi", "mi"),
    _t("min_mpge", "mpge", "", "MPGe (a number)"),
    _t("max_consumption_wh_per_km", "consumption_wh_per_km", "Wh/km", "Wh/km"),
    _t("max_consumption_ac_wh_per_km", "consumption_ac_wh_per_km", "Wh/km", "Wh/km"),
    _t("max_co2_weighted_g_per_km", "co2_weighted_g_per_km", "g/km", "g/km"),
    _t("max_co2_cs_g_per_km", "co2_cs_g_per_km", "g/km", "g/km"),
    _t("max_fuel_weighted_l_per_100km", "fuel_weighted_l_per_100km", "l/km", "l/100 km", 100.0),
    _t("max_fuel_cs_l_per_100km", "fuel_cs_l_per_100km", "l/km", "l/100 km", 100.0),
    _t("max_accel_0_100_s", "accel_0_100_s", "s", "s"),
    _t("max_accel_80_120_s", "accel_80_120_s", "s", "s"),
    _t("min_top_speed_kmh", "top_speed_kmh", "km/h", "km/h"),
    _t("min_range_wltc_minus7c_km", "range_wltc_minus7c_km", "km", "km"),
    _t("min_range_wltc_23c_km", "range_wltc_23c_km", "km", "km"),
    _t("min_range_wltc_35c_km", "range_wltc_35c_km", "km", "km"),
    _t("min_range_wltc_45c_km", "range_wltc_45c_km", "km", "km"),
    _t("max_dc_charge_10_80_min", "dc_charge_10_80_min", "min", "min"),
    _t("max_dc_charge_10_80_cold_min", "dc_charge_10_80_cold_min", "min", "min"),
    _t("min_dc_energy_10min_kwh", "dc_energy_10min_kwh", "kWh", "kWh"),
    _t("min_dc_energy_20min_kwh", "dc_energy_20min_kwh", "kWh", "kWh"),
    _t("min_motorway_range_110_km", "motorway_range_110_km", "km", "km"),
    _t("min_motorway_range_120_km", "motorway_range_120_km", "km", "km"),
    _t("min_motorway_range_130_km", "motorway_range_130_km", "km", "km"),
    _t("min_motorway_range_artemis_km", "motorway_range_artemis_km", "km", "km"),
]}

#: Old names -> what they check now (with a warning naming the new name).
DEPRECATED: dict[str, Target] = {t.name: t for t in [
    Target("max_co2_g_per_km", ("co2_weighted_g_per_km", "co2_cs_g_per_km"), "max", "g/km",
           "g/km", replaced_by="max_co2_weighted_g_per_km or max_co2_cs_g_per_km"),
    Target("max_fuel_l_per_100km", ("fuel_weighted_l_per_100km", "fuel_cs_l_per_100km"), "max",
           "l/km", "l/100 km", 100.0,
           replaced_by="max_fuel_weighted_l_per_100km or max_fuel_cs_l_per_100km"),
    Target("min_range_minus7c_km", ("range_wltc_minus7c_km",), "min", "km", "km",
           replaced_by="min_range_wltc_minus7c_km"),
    Target("min_range_45c_km", ("range_wltc_45c_km",), "min", "km", "km",
           replaced_by="min_range_wltc_45c_km"),
]}


def lookup(name: str) -> Target | None:
    return TARGETS.get(name) or DEPRECATED.get(name)


def parse_value(target: Target, value: object, *, file=None, field=None) -> float:
    """A target's value in the unit of its column: a number in the unit of the name, or a
    quantity string (``"400 km"``). Booleans, NaN, infinities and other types are errors."""
    from skateboard.units import parse_quantity

    allowed = (f"a finite number in {target.shown} or a quantity with units, e.g. "
               f"'{_example(target)}'" if target.unit else "a finite number")
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise SpecError("a target is a number or a quantity", file=file, field=field,
                        value=value, allowed=allowed)
    if isinstance(value, float) and not math.isfinite(value):
        raise SpecError("a target must be finite", file=file, field=field, value=value,
                        allowed=allowed)
    if target.scale != 1.0 and _bare(value):  # l/100 km: a bare number is already in the column's unit
        number = float(value)
        if not math.isfinite(number):
            raise SpecError("a target must be finite", file=file, field=field, value=value,
                            allowed=allowed)
        return number
    try:
        parsed = parse_quantity(value, target.unit, field=field, file=file)
    except SpecError as exc:
        raise SpecError(f"cannot read this target: {exc.message}", file=file, field=field,
                        value=value, allowed=allowed) from None
    return parsed * target.scale


def _bare(value: object) -> bool:
    if isinstance(value, (int, float)):
        return True
    try:
        float(value)
        return True
    except (TypeError, ValueError):
        return False


def _example(t: Target) -> str:
    return {"km": "400 km", "mi": "250 mi", "Wh/km": "160 Wh/km", "g/km": "50 g/km",
            "l/km": "5 l/(100 km)", "s": "8 s", "km/h": "180 km/h", "min": "30 min",
            "kWh": "20 kWh"}.get(t.unit, "1")


def parse_targets(raw: object, *, variant: str, markets: list[str], file=None
                  ) -> tuple[dict, list[str]]:
    """Check one variant's ``[targets.<variant>]`` table.

    Returns the table with every value in its column's unit (``{name: float, market:
    {name: float}}``) and the warnings for deprecated names. ``markets``: the market names a
    sub-table may use."""
    where = f"targets.{variant}"
    if not isinstance(raw, dict):
        raise SpecError("expected a table of targets", file=file, field=where, value=raw,
                        allowed="[targets.<variant>] with names such as min_range_km = 400")
    out: dict = {}
    warnings: list[str] = []
    for key, value in raw.items():
        if isinstance(value, dict):
            if key not in markets:
                names = sorted(set(TARGETS) | set(markets))
                raise SpecError(f"a sub-table of targets names a market{close_matches(key, names)}",
                                file=file, field=f"{where}.{key}", value=key,
                                allowed=", ".join(markets))
            sub: dict = {}
            for name, v in value.items():
                if isinstance(v, dict):
                    raise SpecError("targets nest one level: [targets.<variant>.<market>]",
                                    file=file, field=f"{where}.{key}.{name}",
                                    allowed="target = value")
                sub[name] = _one(name, v, f"{where}.{key}.{name}", file, warnings)
            out[key] = sub
        else:
            out[key] = _one(key, value, f"{where}.{key}", file, warnings)
    return out, warnings


def _one(name: str, value: object, field: str, file, warnings: list[str]) -> float:
    target = lookup(name)
    if target is None:
        raise SpecError(f"unknown target{close_matches(name, TARGETS)}", file=file, field=field,
                        value=name, allowed=", ".join(TARGETS) + ", or a market name for a "
                        "per-market table")
    if target.replaced_by:
        warnings.append(f"{file + ': ' if file else ''}{field}: the target {name} is deprecated; "
                        f"use {target.replaced_by} (docs/results.md)")
    return parse_value(target, value, file=file, field=field)


def for_market(targets: dict | None, market: str) -> dict[str, float]:
    """A variant's targets in one market: the variant-wide ones, overridden by the market's."""
    if not targets:
        return {}
    flat = {k: v for k, v in targets.items() if not isinstance(v, dict)}
    flat.update(targets.get(market, {}) or {})
    return flat


def all_names(targets: dict | None) -> list[str]:
    """Every target name a variant uses in any market, in file order."""
    names: dict[str, None] = {}
    for k, v in (targets or {}).items():
        if isinstance(v, dict):
            names.update(dict.fromkeys(v))
        else:
            names[k] = None
    return list(names)


def value_of(row: dict, target: Target) -> tuple[str, float] | None:
    """(column, value) the target checks in a row, or None when the row has no value for it."""
    for col in target.columns:
        v = row.get(col)
        if v is not None and not (isinstance(v, float) and math.isnan(v)):
            return col, float(v)
    return None


def check(row: dict, targets: dict[str, float]) -> tuple[bool | None, list[str]]:
    """(met, failures) of one row against one market's targets; (None, []) without targets.

    Each failure reads ``name: column value < limit``."""
    if not targets:
        return None, []
    failed = []
    for name, limit in targets.items():
        t = lookup(name)
        found = value_of(row, t)
        if found is None:
            continue
        col, value = found
        if (t.kind == "min" and value < limit) or (t.kind == "max" and value > limit):
            failed.append(f"{name}: {col} {value:.4g} {'<' if t.kind == 'min' else '>'} {limit:g}")
    return not failed, failed


__all__ = ["DEPRECATED", "TARGETS", "Target", "all_names", "check", "for_market", "lookup",
           "parse_targets", "parse_value", "value_of"]
