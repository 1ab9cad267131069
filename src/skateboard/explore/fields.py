"""What a sweep may vary, and how ``--vary FIELD=SPEC`` is read.

A FIELD is ``<variant>.<path>``: the name of one of the program's variants and a path in the
derivative's file, e.g. ``hongqi-b10-bev.top_hat.drag_coefficient``. A SPEC is

* a range ``LOW..HIGH[:STEPS]``: ``0.26..0.32:7``, ``"1700 kg".."1.9 t":5``; quantities carry
  pint units as in the TOML files (a bare number is read in the field's SI unit); STEPS is the
  number of grid points (``--method grid``; ignored by ``--method lhs``, where ``--samples``
  decides);
* a list ``{a,b,c}`` or ``a|b|c``: option names for an option field (``{56kwh,67kwh}``), or
  values for a numeric field (``{0.26,0.28,"0.3"}``).

Two kinds of field:

* *option* fields (``options.pack``, ``options.wheels``, ``options.drive_units``,
  ``options.range_extender``) choose among the platform's options; each combination of them is
  resolved once by the spec layer (:func:`skateboard.spec.resolve_variant`), so every platform
  limit is checked;
* *numeric* fields map one-to-one onto a field of the resolved
  :class:`~skateboard.spec.variant.Variant` (or of its pack, or of one of its drive units,
  ``drive_units.<unit>.<field>``) and are applied with ``Variant.replace``: cheap enough for
  millions of variants. Their unit and allowed range are those of the spec models
  (``docs/spec.md``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from skateboard.errors import SpecError, close_matches, unknown_name
from skateboard.physics.constants import KWH
from skateboard.spec import models as m


@dataclass(frozen=True)
class Field:
    """One field a sweep can vary.

    path : canonical spec path (``top_hat.curb_mass``).
    kind : "numeric" or "option".
    target : where a numeric value goes: ``("variant", attr)`` a Variant field, ``("pack", attr)``
        a field of the Variant's pack, ``("drive_unit", attr)`` a field of its drive unit
        ``unit``; for options the ``[options]`` key.
    model, model_field : the spec model and field whose unit and range a numeric value obeys.
    level : "derivative" when the loader sees the value (its limits are checked by resolving),
        "pack" when it is a platform pack value (checked here: gross >= usable energy),
        "drive_unit" when it is a value of the platform drive unit named ``unit`` (checked
        here: the variant has that unit; peak >= continuous power).
    unit : the drive unit's option name (drive-unit fields only).
    unit_suffix, scale : result column ``<path><unit_suffix>`` holds the SI value / scale.
    """

    path: str
    kind: Literal["numeric", "option"]
    target: tuple[str, str]
    model: type | None = None
    model_field: str | None = None
    level: Literal["derivative", "pack", "drive_unit", "option"] = "derivative"
    unit_suffix: str = ""
    scale: float = 1.0
    unit: str | None = None

    @property
    def column(self) -> str:
        """The result column holding this field's value (unit in the name)."""
        return f"{self.path}{self.unit_suffix}"

    @property
    def quantity(self) -> m.QuantityInfo | None:
        if self.model is None:
            return None
        for meta in self.model.model_fields[self.model_field].metadata:
            q = getattr(meta, "func", None)
            if isinstance(q, m.QuantityInfo):
                return q
        return None  # pragma: no cover - every numeric field is a Quantity


def _top_hat(name: str, suffix: str = "") -> Field:
    return Field(f"top_hat.{name}", "numeric", ("variant", name), m.TopHat, name,
                 unit_suffix=suffix)


#: Canonical path -> Field. Each numeric field is the Variant (or Pack) field of the same
#: name, which the loader copies unchanged from the derivative (tests check the fast path
#: against a full resolution).
FIELDS: dict[str, Field] = {f.path: f for f in [
    _top_hat("curb_mass", "_kg"),
    _top_hat("front_mass_share"),
    _top_hat("optional_equipment_mass", "_kg"),
    _top_hat("rotating_inertia_fraction"),
    _top_hat("drag_coefficient"),
    _top_hat("frontal_area", "_m2"),
    _top_hat("rolling_resistance_coefficient"),
    _top_hat("rolling_resistance_speed_coefficient", "_s_per_m"),
    _top_hat("f0", "_n"),
    _top_hat("f1", "_n_s_per_m"),
    _top_hat("f2", "_n_s2_per_m2"),
    Field("overrides.aux_power", "numeric", ("variant", "aux_power"), m.Overrides, "aux_power",
          unit_suffix="_w"),
    Field("overrides.charger_efficiency", "numeric", ("variant", "charger_efficiency"),
          m.Overrides, "charger_efficiency"),
    Field("overrides.pack.max_discharge_power", "numeric", ("pack", "max_discharge_power"),
          m.PackOverrides, "max_discharge_power", unit_suffix="_w"),
    Field("overrides.pack.max_charge_power", "numeric", ("pack", "max_charge_power"),
          m.PackOverrides, "max_charge_power", unit_suffix="_w"),
    Field("overrides.pack.resistance", "numeric", ("pack", "resistance"), m.PackOverrides,
          "resistance", unit_suffix="_ohm"),
    Field("pack.usable_energy", "numeric", ("pack", "usable_energy"), m.PackOption,
          "usable_energy", level="pack", unit_suffix="_kwh", scale=KWH),
    Field("pack.gross_energy", "numeric", ("pack", "gross_energy"), m.PackOption,
          "gross_energy", level="pack", unit_suffix="_kwh", scale=KWH),
    Field("options.pack", "option", ("options", "pack"), level="option"),
    Field("options.wheels", "option", ("options", "wheels"), level="option"),
    Field("options.drive_units", "option", ("options", "drive_units"), level="option"),
    Field("options.range_extender", "option", ("options", "range_extender"), level="option"),
]}

#: Drive-unit fields a sweep may vary (``drive_units.<unit>.<field>``) -> result column suffix.
#: The unit's loss coefficients are per unit of its peak power and torque, so its losses scale
#: with a varied rating as they do between bundled units (an inline efficiency table is not
#: refitted); its mass does not change (vary ``top_hat.curb_mass`` alongside if it should).
DRIVE_UNIT_FIELDS = {"peak_power": "_w", "peak_torque": "_n_m", "gear_ratio": "",
                     "gearbox_efficiency": "", "zero_torque_loss_factor": ""}
_DRIVE_UNIT_PATH = re.compile(r"^drive_units\.(?P<unit>[^.]+)\.(?P<attr>[a-z_0-9]+)$")


def drive_unit_field(unit: str, attr: str) -> Field:
    """The Field of ``drive_units.<unit>.<attr>``."""
    return Field(f"drive_units.{unit}.{attr}", "numeric", ("drive_unit", attr), m.DriveUnitOption,
                 attr, level="drive_unit", unit_suffix=DRIVE_UNIT_FIELDS[attr], unit=unit)


#: Short spellings accepted on the command line.
ALIASES: dict[str, str] = {
    "pack": "options.pack", "wheels": "options.wheels", "drive_units": "options.drive_units",
    "range_extender": "options.range_extender", "aux_power": "overrides.aux_power",
    "charger_efficiency": "overrides.charger_efficiency",
    "pack.max_discharge_power": "overrides.pack.max_discharge_power",
    "pack.max_charge_power": "overrides.pack.max_charge_power",
    "pack.resistance": "overrides.pack.resistance",
    **{p.split(".", 1)[1]: p for p in FIELDS if p.startswith("top_hat.")},
}

#: Platform table holding the options of each option field.
OPTION_TABLES = {"options.pack": "packs", "options.wheels": "wheels",
                 "options.drive_units": "drive_units", "options.range_extender": "range_extenders"}
#: The value of ``options.range_extender`` that means "no range extender".
NO_RANGE_EXTENDER = "none"
_PHYSICAL = {"top_hat.drag_coefficient", "top_hat.frontal_area",
             "top_hat.rolling_resistance_coefficient", "top_hat.rolling_resistance_speed_coefficient"}
_COAST_DOWN = {"top_hat.f0", "top_hat.f1", "top_hat.f2"}


def lookup(path: str, *, where: str) -> Field:
    """The Field of a path (canonical or alias); an unknown path suggests a close match."""
    canonical = ALIASES.get(path, path)
    if canonical in FIELDS:
        return FIELDS[canonical]
    match = _DRIVE_UNIT_PATH.match(canonical)
    if match:
        if match["attr"] not in DRIVE_UNIT_FIELDS:
            raise SpecError(f"a sweep cannot vary drive-unit field {match['attr']!r}"
                            f"{close_matches(match['attr'], DRIVE_UNIT_FIELDS)}", field=where,
                            allowed=", ".join(f"drive_units.<unit>.{a}" for a in DRIVE_UNIT_FIELDS))
        return drive_unit_field(match["unit"], match["attr"])
    names = sorted(set(FIELDS) | set(ALIASES))
    raise SpecError(f"unknown field {path!r}{close_matches(path, names)}", field=where,
                    allowed=", ".join(sorted(FIELDS)) + ", drive_units.<unit>.<field> ("
                    + ", ".join(DRIVE_UNIT_FIELDS) + ")")


@dataclass(frozen=True)
class Dimension:
    """One ``--vary``: a field of one variant and the values it takes.

    Numeric values are SI floats; option values are option names (``drive_units`` as
    ``"front+rear"``, no range extender as ``"none"``). Exactly one of ``values`` (a list) and
    ``low``/``high`` (a range, with ``steps`` grid points or None) is given.
    """

    field: Field
    text: str
    values: tuple | None = None
    low: float | None = None
    high: float | None = None
    steps: int | None = None

    @property
    def is_range(self) -> bool:
        return self.values is None

    @property
    def label(self) -> str:
        """``--vary`` text, for messages."""
        return self.text

    def grid_size(self) -> int:
        if self.is_range:
            if self.steps is None:
                raise SpecError("a range needs its number of grid points for --method grid, "
                                "e.g. 0.26..0.32:7", field=f"--vary {self.text}",
                                allowed="LOW..HIGH:STEPS (or --method lhs with --samples N)")
            return self.steps
        return len(self.values)

    def canonical(self) -> dict:
        """Plain data for the manifest and its hash (floats in SI)."""
        out: dict[str, Any] = {"field": self.field.path}
        if self.is_range:
            out.update(low=self.low, high=self.high, steps=self.steps)
        else:
            out["values"] = list(self.values)
        return out


#: Longest STEPS accepted [digits]: a grid's size is the product of its STEPS, and the sweep
#: refuses 2**62 variants or more anyway.
MAX_STEPS_DIGITS = 18
_STEPS = re.compile(r"^(?P<body>.*?):\s*(?P<steps>[+-]?\d+)\s*$", re.S)


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1].strip()
    return text


def split_vary(text: str) -> tuple[str, str]:
    """``"FIELD=SPEC"`` -> (FIELD, SPEC)."""
    if "=" not in text:
        raise SpecError("expected FIELD=SPEC", field="--vary", value=text,
                        allowed="e.g. hongqi-b10-bev.top_hat.drag_coefficient=0.26..0.32:7 or "
                        "hongqi-b10-bev.pack={56kwh,67kwh}")
    field, spec = text.split("=", 1)
    field, spec = field.strip(), spec.strip()
    if not field or not spec:
        raise SpecError("expected FIELD=SPEC", field="--vary", value=text)
    return field, spec


def _split_list(spec: str) -> list[str] | None:
    if spec.startswith("{"):
        if not spec.endswith("}"):
            raise SpecError("a list needs a closing brace", value=spec,
                            allowed="{a,b,c} or a|b|c")
        items = spec[1:-1].split(",")
    elif "|" in spec:
        items = spec.split("|")
    else:
        return None
    items = [_unquote(i) for i in items]
    if any(not i for i in items) or not items:
        raise SpecError("empty item in the list", value=spec, allowed="{a,b,c} or a|b|c")
    if len(set(items)) != len(items):
        raise SpecError("an item is listed twice", value=spec, allowed="distinct items")
    return items


def _parse_value(text: str, field: Field, where: str) -> float:
    q = field.quantity
    try:
        return m.parse_field(text, q, field=where)
    except SpecError as exc:
        raise SpecError(exc.message, field=where, value=text, allowed=exc.allowed) from None


def parse_spec(field: Field, spec: str, *, name: str, options: list[str] | None = None) -> Dimension:
    """Read the SPEC of one ``--vary`` for ``field``.

    name : the FIELD as the user wrote it (``hongqi-b10-bev.top_hat.curb_mass``).
    options : the option names the platform offers (option fields only)."""
    text = f"{name}={spec}"
    where = f"--vary {name}"
    try:
        items = _split_list(spec)
    except SpecError as exc:
        raise SpecError(exc.message, field=where, value=exc.value, allowed=exc.allowed) from None
    if field.kind == "option":
        if items is None:
            if ".." in spec:
                raise SpecError("an option field takes a list of option names, not a range",
                                field=where, value=spec,
                                allowed="{" + ",".join(options or []) + "}")
            items = [_unquote(spec)]
        allowed = list(options or [])
        for item in items:
            if item not in allowed:
                raise SpecError(f"not an option of the platform{close_matches(item, allowed)}",
                                field=where, value=item, allowed=", ".join(allowed))
        return Dimension(field, text, values=tuple(items))
    if items is not None:
        values = [_parse_value(i, field, where) for i in items]
        return Dimension(field, text, values=tuple(values))
    if spec.count("..") != 1 or "..." in spec:
        raise SpecError("cannot read this range", field=where, value=spec,
                        allowed="LOW..HIGH or LOW..HIGH:STEPS (e.g. 0.26..0.32:7, "
                        "\"1700 kg\"..\"1900 kg\":5), or a list {a,b,c}")
    steps = None
    body = spec
    match = _STEPS.match(spec)
    if match and ".." in match["body"] and not match["body"].rstrip().endswith(".."):
        body, steps = match["body"], match["steps"]
        if len(steps.lstrip("+-")) > MAX_STEPS_DIGITS:
            raise SpecError("too many grid points", field=where, value=spec,
                            allowed=f"STEPS of at most {MAX_STEPS_DIGITS} digits")
        steps = int(steps)
    low_text, high_text = (_unquote(t) for t in body.split(".."))
    if not low_text or not high_text:
        raise SpecError("cannot read this range: an end is missing", field=where, value=spec,
                        allowed="LOW..HIGH[:STEPS]")
    low = _parse_value(low_text, field, where)
    high = _parse_value(high_text, field, where)
    if not low < high:
        raise SpecError("empty range: LOW must be below HIGH", field=where, value=spec,
                        allowed="LOW < HIGH")
    if steps is not None and steps < 2:
        raise SpecError("a range needs at least 2 grid points", field=where, value=spec,
                        allowed="STEPS >= 2 (or a one-item list {value})")
    return Dimension(field, text, low=low, high=high, steps=steps)


def split_field(text: str, variant_names: list[str], *, file: str | None = None) -> tuple[str, str]:
    """``"hongqi-b10-bev.top_hat.curb_mass"`` -> (variant, path): the longest variant name of
    the program followed by a dot."""
    for name in sorted(variant_names, key=len, reverse=True):
        if text.startswith(name + "."):
            return name, text[len(name) + 1:]
    guess = text.split(".", 1)[0]
    if text in variant_names:
        raise SpecError("FIELD needs a path after the variant name", field=f"--vary {text}",
                        allowed=f"{text}.top_hat.drag_coefficient, {text}.pack, ...")
    raise unknown_name("variant", guess, variant_names, file=file, field=f"--vary {text}")


def check_road_load_form(field: Field, variant, where: str) -> None:
    """A physical road-load field on a coast-down derivative (or the reverse) is an error."""
    coast = variant.f0 is not None
    if field.path in _PHYSICAL and coast:
        raise SpecError("the variant gives its road load as coast-down coefficients",
                        field=where, allowed="top_hat.f0, top_hat.f1, top_hat.f2")
    if field.path in _COAST_DOWN and not coast:
        raise SpecError("the variant gives its road load physically", field=where,
                        allowed="top_hat.drag_coefficient, top_hat.frontal_area, "
                        "top_hat.rolling_resistance_coefficient")


def check_drive_unit(field: Field, variant, where: str) -> None:
    """A drive-unit field must name a unit the variant has."""
    if field.level != "drive_unit" or variant is None:
        return
    names = [du.name for du in variant.drive_units]
    if field.unit not in names:
        raise SpecError(f"variant {variant.name!r} has no drive unit {field.unit!r}"
                        f"{close_matches(field.unit, names)}", field=where, value=field.unit,
                        allowed=", ".join(names))


__all__ = ["ALIASES", "DRIVE_UNIT_FIELDS", "Dimension", "FIELDS", "Field", "NO_RANGE_EXTENDER",
           "OPTION_TABLES", "check_drive_unit", "drive_unit_field",
           "check_road_load_form", "lookup", "parse_spec", "split_field", "split_vary"]
