"""Units at the boundary: quantities written by users are parsed once with pint into SI floats.

Inside the package every number is SI (m, s, kg, N, W, J, K). A bare number means the unit
the field documents. Dimensionless coefficients may be written as numbers or strings ("0.29").
"""

from __future__ import annotations

import functools
import math

import pint

from skateboard.errors import SpecError


@functools.cache
def registry() -> pint.UnitRegistry:
    ureg = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)
    # Vehicle-engineering spellings that pint lacks.
    ureg.define("percent_ = 0.01 = pct")
    return ureg


def parse_quantity(value: object, unit: str, *, field: str | None = None,
                   file: str | None = None, minimum: float | None = None,
                   maximum: float | None = None, exclusive_minimum: bool = False) -> float:
    """Parse ``value`` ("67.1 kWh", "1.7 t", 160000, "25 degC") into a float in ``unit``.

    Parameters
    ----------
    value : str, int or float
        The user's value. A bare number is taken to be in ``unit``.
    unit : str
        The SI unit to return, as pint understands it (``"J"``, ``"kg"``, ``"W"``, ``"m"``,
        ``"K"``, ``""`` for dimensionless).
    minimum, maximum : float, optional
        Allowed range in ``unit`` (inclusive unless ``exclusive_minimum``).

    Raises
    ------
    SpecError
        Malformed value, wrong dimension or out of range, naming the field and what is allowed.
    """
    ureg = registry()
    target = ureg.Unit(unit) if unit else ureg.dimensionless
    if isinstance(value, bool):
        raise SpecError("expected a number or a quantity with units", file=file, field=field,
                        value=value, allowed=f"a quantity in {target:~P}" if unit else "a number")
    if isinstance(value, (int, float)):
        result = float(value)
    elif isinstance(value, str):
        try:
            q = ureg.Quantity(value.strip())
        except Exception:
            raise SpecError("cannot read this quantity", file=file, field=field, value=value,
                            allowed=f"a number or a quantity such as '1 {target:~P}'"
                            if unit else "a number") from None
        if not isinstance(q, pint.Quantity):
            q = ureg.Quantity(float(q), "")
        if q.dimensionless and unit and not target.dimensionless:
            # A bare number inside a string ("160000") means the documented unit.
            q = ureg.Quantity(q.magnitude, target)
        try:
            result = float(q.to(target).magnitude)
        except pint.DimensionalityError:
            raise SpecError(f"wrong unit: expected a {_dimension_name(target)}", file=file,
                            field=field, value=value,
                            allowed=f"units convertible to {target:~P}" if unit
                            else "a dimensionless number") from None
    else:
        raise SpecError("expected a number or a quantity with units", file=file, field=field,
                        value=value, allowed=f"a quantity in {target:~P}" if unit else "a number")
    if not math.isfinite(result):
        raise SpecError("must be finite", file=file, field=field, value=value)
    low_bad = minimum is not None and (result <= minimum if exclusive_minimum else result < minimum)
    high_bad = maximum is not None and result > maximum
    if low_bad or high_bad:
        lo = "" if minimum is None else (f"> {minimum:g}" if exclusive_minimum else f">= {minimum:g}")
        hi = "" if maximum is None else f"<= {maximum:g}"
        rng = " and ".join(x for x in (lo, hi) if x)
        raise SpecError("out of range", file=file, field=field, value=value,
                        allowed=f"{rng} {unit}".strip())
    return result


def _dimension_name(unit: pint.Unit) -> str:
    ureg = registry()
    names = {"kg": "mass", "m": "length", "s": "time", "J": "energy", "W": "power", "N": "force",
             "K": "temperature", "m/s": "speed", "m**2": "area", "m**3": "volume", "A": "current",
             "V": "voltage", "ohm": "resistance", "N*m": "torque (N m)"}
    for u, name in names.items():
        if ureg.Unit(u).dimensionality == unit.dimensionality:
            return name
    return str(unit.dimensionality)
