"""Quantities and choices at the boundary of the spec files: the unit, range and example of every
field, parsed once with the bounded grammar of :mod:`skateboard.units` into SI floats, and the
base model that refuses unknown fields."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
)

from skateboard.physics.constants import KWH
from skateboard.errors import SpecError, close_matches
from skateboard.units import GRAMMAR, parse_quantity

# ---------------------------------------------------------------------------------------------
# Quantities and choices at the boundary
# ---------------------------------------------------------------------------------------------

def _is_bare_number(value: object) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    if isinstance(value, str):
        try:
            float(value)
            return True
        except ValueError:
            return False
    return False


_NM = re.compile(r"(?<![A-Za-z])Nm\b")


@dataclass(frozen=True)
class QuantityInfo:
    """How one field's quantity is read: its SI unit, its meaning, its allowed range.

    Used as a pydantic before-validator; it also documents the field (docs/spec.md and the
    meta-test that checks every field is documented read it)."""

    unit: str                       # pint spelling of the SI unit stored ("" = dimensionless)
    kind: str                       # "an energy", "a torque" ... for error messages
    display: str = ""               # the unit as shown to users, e.g. "N/(m/s)"
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    example: str | None = None      # a valid input, e.g. "67.1 kWh"

    @property
    def shown(self) -> str:
        return self.display or self.unit or "1 (dimensionless)"

    def __call__(self, value: Any) -> float | None:
        if value is None:
            return None
        return parse_field(value, self)


def parse_field(value: object, info: QuantityInfo, *, field: str | None = None,
                file: str | None = None) -> float:
    """Parse one user value with ``info``; errors say what kind of quantity was expected."""
    text = value
    if info.unit == "N*m" and isinstance(value, str):
        text = _NM.sub("N*m", value)  # pint reads "Nm" as nanometre; makers write torque so
    try:
        return parse_quantity(text, info.unit, field=field, file=file, minimum=info.minimum,
                              maximum=info.maximum, exclusive_minimum=info.exclusive_minimum)
    except SpecError as exc:
        example = f", e.g. {info.example!r}" if info.example else ""
        if exc.message.startswith("wrong unit"):
            raise SpecError(f"wrong unit: expected {info.kind}", file=file, field=field,
                            value=value, allowed=f"units convertible to {info.shown}{example}") from None
        if exc.message == "out of range" and info.unit and _is_bare_number(value):
            raise SpecError(f"out of range (a bare number is read in {info.shown}; "
                            f"write the unit{example})", file=file, field=field, value=value,
                            allowed=exc.allowed) from None
        if exc.message.startswith("cannot read"):
            reason = exc.message.partition(": ")[2]
            raise SpecError(f"cannot read this as {info.kind}" + (f": {reason}" if reason else ""),
                            file=file, field=field, value=value,
                            allowed=f"a number in {info.shown} or a quantity with units{example}"
                            f" ({GRAMMAR})" if info.unit else f"a number ({GRAMMAR})") from None
        raise SpecError(exc.message, file=file, field=field, value=value,
                        allowed=exc.allowed) from None


def Quantity(unit: str, kind: str, *, display: str = "", minimum: float | None = None,
             maximum: float | None = None, exclusive_minimum: bool = False,
             example: str | None = None) -> Any:
    """A float field read from a number or a quantity string, stored in SI ``unit``."""
    info = QuantityInfo(unit, kind, display, minimum, maximum, exclusive_minimum, example)
    return Annotated[float, BeforeValidator(info)]


def OptionalQuantity(unit: str, kind: str, **kw: Any) -> Any:
    """Like :func:`Quantity` but may be left out (``None``)."""
    info = QuantityInfo(unit, kind, **kw)
    return Annotated[float | None, BeforeValidator(info)]


class Choice:
    """Before-validator for a string from a fixed set, with a close-match suggestion."""

    def __init__(self, *values: str):
        self.values = values

    def __call__(self, value: Any) -> Any:
        if isinstance(value, str) and value in self.values:
            return value
        hint = ""
        if isinstance(value, str):
            same_case = [v for v in self.values if v.lower() == value.lower()]
            hint = f"; did you mean {same_case[0]!r}?" if same_case else close_matches(value, self.values)
        raise SpecError(f"not a valid choice{hint}", value=value, allowed=", ".join(self.values))


def _fraction(kind: str = "a fraction", example: str = "0.5", **kw: Any) -> Any:
    return Quantity("", kind, display="1 (fraction, 0..1; '50 %' allowed)", minimum=0.0,
                    maximum=1.0, example=example, **kw)


def _optional_fraction(kind: str = "a fraction", example: str = "0.5", **kw: Any) -> Any:
    return OptionalQuantity("", kind, display="1 (fraction, 0..1; '50 %' allowed)", minimum=0.0,
                            maximum=1.0, example=example, **kw)


Name = Annotated[str, Field(min_length=1)]

# Quantities used by several models (ranges: plausible for M1 passenger cars; a value outside
# is almost always a unit slip such as a bare 67.1 meant as kWh).
Energy = Quantity("J", "an energy", minimum=KWH, maximum=1e3 * KWH, example="67.1 kWh")
Power = Quantity("W", "a power", minimum=1e3, maximum=2e6, example="160 kW")
SmallPower = Quantity("W", "a power", minimum=0.0, maximum=5e4, example="300 W")
PartMass = Quantity("kg", "a mass", minimum=0.0, maximum=3000.0, example="420 kg")
VehicleMass = Quantity("kg", "a mass", minimum=300.0, maximum=10000.0, example="1.7 t")
Efficiency = Quantity("", "an efficiency", display="1 (fraction, 0..1; '97 %' allowed)",
                      minimum=0.0, maximum=1.0, exclusive_minimum=True, example="0.97")



class SpecModel(BaseModel):
    """Base of all file models: unknown fields are errors (typos must not pass silently)."""

    model_config = ConfigDict(extra="forbid")


