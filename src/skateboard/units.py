"""Units at the boundary: quantities written by users are parsed once into SI floats.

Inside the package every number is SI (m, s, kg, N, W, J, K). A bare number means the unit
the field documents. Dimensionless coefficients may be written as numbers or strings ("0.29").

Quantity strings follow a small, bounded grammar (``docs/limits.md``), read by this module's
own parser; pint only names the units and converts them:

* at most :data:`MAX_QUANTITY_LENGTH` characters and :data:`MAX_PARENTHESES` nested parentheses;
* a *term* is one or more factors written side by side, numbers first (``67.1 kWh``,
  ``1.0 1/h``): a number (decimal or scientific notation: ``67.1``, ``1.2e5``), a unit name
  (``kWh``, ``degC``, ``%``, ASCII letters, digits and ``_`` plus ``µ``, ``Ω``, ``°``), or a
  parenthesised expression;
* terms are joined by ``*`` and ``/``, left to right (``1.895 m * 1.640 m * 0.85``); a term
  written side by side binds tighter, so ``15 kWh/100 km`` is 15 kWh per 100 km;
* a power (``^2``, ``**2``, ``²``, ``^-1``; integers from -9 to 9) applies to a unit or a
  parenthesised group of units (``(km/h)^2``), never to a number: ``9**9**9`` is refused;
* one sign may lead the string (``-7 degC``).

A number that overflows (``1e400``), a non-finite result and a value outside the field's range
are errors, like a malformed string: each is one :class:`~skateboard.errors.SpecError`.
"""

from __future__ import annotations

import functools
import math
import re
import sys
from pathlib import Path


def _import_pint():
    """Import pint without its probe for dask: ``pint.compat`` imports dask, when installed, to
    recognise dask arrays, which took 90 ms of every start-up here (pint 0.25 s against 0.16 s,
    three runs each, 2026-12-04). Skateboard never gives pint a dask array. dask itself is
    imported normally later (the sweep's Dask executor): the block lasts for this import only
    and only when nothing has imported dask yet."""
    block = "dask" not in sys.modules
    if block:
        sys.modules["dask"] = None  # an import of dask now raises ImportError
    try:
        import pint as module
    finally:
        if block and sys.modules.get("dask", 0) is None:
            del sys.modules["dask"]
    return module


class _LazyPint:
    """The ``pint`` module, imported on first use: a run that reads only quantity strings the
    memo (below) holds needs no pint, whose import takes about 0.11 s of a warm start-up."""

    def __getattr__(self, name):
        module = _import_pint()
        globals()["pint"] = module
        return getattr(module, name)


pint = _LazyPint()

from skateboard.errors import SpecError  # noqa: E402
from skateboard.quantity_memo import QuantityMemo, cache_root  # noqa: E402

#: Longest quantity string accepted [characters]. The longest bundled one,
#: "1.895 m * 1.640 m * 0.85", has 24.
MAX_QUANTITY_LENGTH = 80
#: Deepest nesting of parentheses accepted ("N/(km/h)^2" has 1).
MAX_PARENTHESES = 3
#: Largest magnitude of a power of a unit ("m^2", "s^-2").
MAX_UNIT_POWER = 9
#: Longest unit name [characters] ("kilowatt_hour" has 13).
MAX_UNIT_NAME = 32

GRAMMAR = ("number and unit terms joined by * or /, powers on units only, at most "
           f"{MAX_QUANTITY_LENGTH} characters")


@functools.cache
def registry() -> pint.UnitRegistry:
    """pint's registry with its parsed definitions cached on disk (pint's own ``cache_folder``,
    in the user's cache directory for Skateboard): building it from pint's text definitions
    takes ~0.15 s, loading the cache ~0.01 s. Without a writable cache it is built each time."""
    try:
        folder = cache_root() / "pint"
        folder.mkdir(parents=True, exist_ok=True)
        ureg = pint.UnitRegistry(autoconvert_offset_to_baseunit=True, cache_folder=folder)
    except Exception:  # noqa: BLE001 - a cache that cannot be written or read is only slower
        ureg = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)
    # Vehicle-engineering spellings that pint lacks.
    ureg.define("percent_ = 0.01 = pct")
    return ureg


_MEMO = QuantityMemo(Path(__file__))


# ---------------------------------------------------------------------------------------------
# The bounded grammar
# ---------------------------------------------------------------------------------------------

_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<number>(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z_µμΩ°][A-Za-z0-9_µμΩ]*)
  | (?P<power>\*\*|\^)
  | (?P<super>[²³])
  | (?P<op>[*/()%+-])
""", re.VERBOSE)


class _Unreadable(Exception):
    """A quantity string outside the grammar; the message says why."""


def _tokens(text: str) -> list[tuple[str, str]]:
    out = []
    pos = 0
    spaced = True
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise _Unreadable(f"unexpected character {text[pos]!r}")
        pos = m.end()
        kind = m.lastgroup
        if kind == "space":
            spaced = True
            continue
        if kind == "number" and not spaced and out and out[-1][0] == "number":
            raise _Unreadable(f"two numbers run together ({out[-1][1]}{m.group()})")
        out.append((kind, m.group()))
        spaced = False
    return out


@functools.lru_cache(maxsize=512)
def _unit(name: str) -> pint.Unit:
    if len(name) > MAX_UNIT_NAME:
        raise _Unreadable("unit name too long")
    try:
        unit = registry().Unit("percent" if name == "%" else name)
    except Exception:  # noqa: BLE001 - pint raises several types for names it does not know
        raise _Unreadable(f"unknown unit {name[:16]!r}") from None
    return unit


class _Parser:
    """Recursive descent over the tokens; depth is bounded by MAX_PARENTHESES.

    Every node evaluates to (magnitude, unit, has_number, has_unit): the magnitude is a Python
    float (so no operation can take unbounded time or memory), the unit a pint unit."""

    def __init__(self, tokens: list[tuple[str, str]]):
        self.tokens = tokens
        self.i = 0
        self.depth = 0
        self.one = registry().dimensionless

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def quantity(self):
        sign = 1.0
        tok = self.peek()
        if tok is not None and tok[1] in "+-" and tok[0] == "op":
            self.take()
            sign = -1.0 if tok[1] == "-" else 1.0
        mag, unit, has_number, has_unit = self.product()
        if self.peek() is not None:
            raise _Unreadable(f"unexpected {self.peek()[1]!r}")
        return sign * mag, unit, has_number, has_unit

    def product(self):
        mag, unit, has_number, has_unit = self.term()
        while (tok := self.peek()) is not None and tok[1] in ("*", "/") and tok[0] == "op":
            self.take()
            m2, u2, n2, h2 = self.term()
            if tok[1] == "*":
                mag, unit = mag * m2, unit * u2
            else:
                if m2 == 0.0:
                    raise _Unreadable("division by zero")
                mag, unit = mag / m2, unit / u2
            has_number, has_unit = has_number or n2, has_unit or h2
        return mag, unit, has_number, has_unit

    def term(self):
        factors = []
        while (tok := self.peek()) is not None and (
                tok[0] in ("number", "name") or tok[1] in ("(", "%")):
            if tok[0] == "number" and factors and factors[-1][3]:
                raise _Unreadable(f"a number after a unit ({tok[1]}); join terms with * or /")
            factors.append(self.factor())
        if not factors:
            tok = self.peek()
            raise _Unreadable("expected a number or a unit" + (
                "" if tok is None else f" before {tok[1]!r}"))
        mag, unit, has_number, has_unit = factors[0]
        for m2, u2, n2, h2 in factors[1:]:
            mag, unit = mag * m2, unit * u2
            has_number, has_unit = has_number or n2, has_unit or h2
        return mag, unit, has_number, has_unit

    def factor(self):
        kind, text = self.take()
        if kind == "number":
            value = float(text)
            if not math.isfinite(value):
                raise _Unreadable("number too large")
            node = (value, self.one, True, False)
        elif kind == "name" or text == "%":
            node = (1.0, _unit(text), False, True)
        else:  # "("
            self.depth += 1
            if self.depth > MAX_PARENTHESES:
                raise _Unreadable(f"more than {MAX_PARENTHESES} nested parentheses")
            node = self.product()
            if self.peek() != ("op", ")"):
                raise _Unreadable("missing ')'")
            self.take()
            self.depth -= 1
        return self.power(node)

    def power(self, node):
        tok = self.peek()
        if tok is None or tok[0] not in ("power", "super"):
            return node
        self.take()
        if tok[0] == "super":
            exponent = 2 if tok[1] == "²" else 3
        else:
            sign = 1
            if self.peek() in (("op", "-"), ("op", "+")):
                sign = -1 if self.take()[1] == "-" else 1
            nxt = self.peek()
            if nxt is None or nxt[0] != "number" or not nxt[1].isdigit():
                raise _Unreadable("a power needs an integer exponent (e.g. m^2)")
            self.take()
            exponent = sign * int(nxt[1]) if len(nxt[1]) <= 2 else MAX_UNIT_POWER + 1
        mag, unit, has_number, has_unit = node
        if has_number:
            raise _Unreadable("a power applies to units only, never to a number")
        if abs(exponent) > MAX_UNIT_POWER:
            raise _Unreadable(f"a unit's power must lie within +/-{MAX_UNIT_POWER}")
        if self.peek() is not None and self.peek()[0] in ("power", "super"):
            raise _Unreadable("a power of a power is not allowed")
        return mag, unit ** exponent, has_number, has_unit


def read_quantity(text: str) -> tuple[float, pint.Unit | None]:
    """Read a quantity string with the bounded grammar (module docstring).

    Returns
    -------
    magnitude : float
        Finite.
    unit : pint.Unit or None
        None when the string holds numbers only (the caller applies the field's unit).

    Raises
    ------
    ValueError
        The string is outside the grammar; the message says why.
    """
    if len(text) > MAX_QUANTITY_LENGTH:
        raise ValueError(f"longer than {MAX_QUANTITY_LENGTH} characters")
    try:
        tokens = _tokens(text.strip())
        if not tokens:
            raise _Unreadable("empty")
        mag, unit, _, has_unit = _Parser(tokens).quantity()
    except _Unreadable as exc:
        raise ValueError(str(exc)) from None
    if not math.isfinite(mag):
        raise ValueError("the value overflows")
    return mag, (unit if has_unit else None)


# ---------------------------------------------------------------------------------------------
# Fields
# ---------------------------------------------------------------------------------------------

def parse_quantity(value: object, unit: str, *, field: str | None = None,
                   file: str | None = None, minimum: float | None = None,
                   maximum: float | None = None, exclusive_minimum: bool = False) -> float:
    """Parse ``value`` ("67.1 kWh", "1.7 t", 160000, "25 degC") into a float in ``unit``.

    Parameters
    ----------
    value : str, int or float
        The user's value. A bare number is taken to be in ``unit``. A string follows the
        bounded grammar of this module.
    unit : str
        The SI unit to return, as pint understands it (``"J"``, ``"kg"``, ``"W"``, ``"m"``,
        ``"K"``, ``""`` for dimensionless).
    minimum, maximum : float, optional
        Allowed range in ``unit`` (inclusive unless ``exclusive_minimum``).

    Raises
    ------
    SpecError
        Malformed value, wrong dimension, not finite or out of range, naming the field and
        what is allowed.
    """
    if isinstance(value, bool):
        raise SpecError("expected a number or a quantity with units", file=file, field=field,
                        value=value, allowed=_target(unit)[1])
    if isinstance(value, (int, float)):  # a bare number is in ``unit``: no pint on this path
        try:
            result = float(value)
        except OverflowError:
            result = math.inf
    elif isinstance(value, str) and (known := _memo_value(value, unit)) is not None:
        result = known  # read before, with the same grammar and pint (skateboard.quantity_memo)
    elif isinstance(value, str):
        try:
            magnitude, given = read_quantity(value)
        except ValueError as exc:
            raise SpecError(f"cannot read this quantity: {exc}", file=file, field=field,
                            value=value, allowed=GRAMMAR) from None
        if given is None:  # numbers only ("160000"): the documented unit
            result = magnitude
        else:
            target = _target(unit)[0]
            try:
                result = float(registry().Quantity(magnitude, given).to(target).magnitude)
            except pint.DimensionalityError:
                raise SpecError(f"wrong unit: expected a {_dimension_name(target)}", file=file,
                                field=field, value=value,
                                allowed=f"units convertible to {target:~P}" if unit
                                else "a dimensionless number") from None
            except (pint.PintError, ArithmeticError, ValueError):
                # offset units in a product ("2 degC * 3"), overflow in the conversion
                raise SpecError("cannot read this quantity: cannot convert it", file=file,
                                field=field, value=value, allowed=GRAMMAR) from None
            if math.isfinite(result):
                _MEMO.put(value, unit, result)
    else:
        raise SpecError("expected a number or a quantity with units", file=file, field=field,
                        value=value, allowed=_target(unit)[1])
    if not math.isfinite(result):
        raise SpecError("must be finite", file=file, field=field, value=value, allowed=_range(
            minimum, maximum, exclusive_minimum, unit) or "a finite number")
    low_bad = minimum is not None and (result <= minimum if exclusive_minimum else result < minimum)
    high_bad = maximum is not None and result > maximum
    if low_bad or high_bad:
        raise SpecError("out of range", file=file, field=field, value=value,
                        allowed=_range(minimum, maximum, exclusive_minimum, unit))
    return result


def _memo_value(text: str, unit: str) -> float | None:
    """The memo's value of ``text`` in ``unit`` (a string pint converted before), else None."""
    return _MEMO.get(text, unit) if len(text) <= MAX_QUANTITY_LENGTH else None


@functools.lru_cache(maxsize=None)
def _target(unit: str):
    """(pint unit, "a quantity in <unit>") of a field's SI unit, built once per unit (building
    and formatting a pint unit costs far more than reading a number)."""
    ureg = registry()
    target = ureg.Unit(unit) if unit else ureg.dimensionless
    return target, (f"a quantity in {target:~P}" if unit else "a number")


def _range(minimum: float | None, maximum: float | None, exclusive_minimum: bool,
           unit: str) -> str:
    lo = "" if minimum is None else (f"> {minimum:g}" if exclusive_minimum else f">= {minimum:g}")
    hi = "" if maximum is None else f"<= {maximum:g}"
    rng = " and ".join(x for x in (lo, hi) if x)
    return f"{rng} {unit}".strip() if rng else ""


def _dimension_name(unit: pint.Unit) -> str:
    ureg = registry()
    names = {"kg": "mass", "m": "length", "s": "time", "J": "energy", "W": "power", "N": "force",
             "K": "temperature", "m/s": "speed", "m**2": "area", "m**3": "volume", "A": "current",
             "V": "voltage", "ohm": "resistance", "N*m": "torque (N m)"}
    for u, name in names.items():
        if ureg.Unit(u).dimensionality == unit.dimensionality:
            return name
    return str(unit.dimensionality)
