"""Cost books: TOML files of cost lines, each with a unit, currency, price year and source.

A cost book (``data/costs/<name>.toml``; the bundled one is ``2026``) holds

* ``[lines.<name>]`` the cost of each part of a variant (:data:`LINES` lists the names and the
  unit each is priced per),
* ``[equipment.<name>]`` what a market's own equipment costs (charging inlet, right-hand drive,
  hot-climate cooling),
* ``[currencies]`` units of each currency per USD, ``[price_index]`` a price index by year,
* ``[plants.<name>]`` the origin country of each plant.

A user's book (``--costs FILE``) is laid over the bundled one: a line it gives replaces the
bundled line whole; currencies and plants add to or replace the bundled ones.

Money moves between currencies and price years as: amount in currency C of price year Y
-> USD at the book's rate -> times index[P] / index[Y] (P the report's price year) -> the report
currency at the book's rate. ``docs/economics.md`` gives every line's source.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from skateboard.errors import SpecError, close_matches, unknown_name
from skateboard.spec.models import validate

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "costs"
DEFAULT_BOOK = "2026"

#: Line name -> (what its unit is per, who supplies it by default). "" = per vehicle (or per
#: drive unit for the gearbox), "1" = a share of the manufacturing cost.
LINES: dict[str, tuple[str, str]] = {
    "pack_lfp": ("kWh", "platform"), "pack_nmc": ("kWh", "platform"),
    "motor": ("kW", "platform"), "motor_induction": ("kW", "platform"),
    "inverter": ("kW", "platform"), "gearbox": ("", "platform"),
    "onboard_charger": ("kW", "platform"), "hv_harness": ("", "platform"),
    "lv_harness": ("", "platform"), "lv_battery": ("", "platform"),
    "charge_cable": ("", "platform"), "thermal": ("", "platform"), "hvac": ("", "platform"),
    "platform_structure": ("kg", "platform"), "chassis_systems": ("", "platform"),
    "engine": ("l", "platform"), "fuel_tank": ("", "platform"), "exhaust": ("", "platform"),
    "aftertreatment": ("l", "platform"), "rex_cooling": ("", "platform"),
    "top_hat": ("kg", "derivative"), "assembly": ("", "derivative"),
    "warranty": ("1", "derivative"),
}
EQUIPMENT = ("charging_inlet_gbt", "charging_inlet_ccs2", "charging_inlet_ccs1",
             "charging_inlet_nacs", "right_hand_drive", "hot_climate_cooling")
_CURVE = ("base", "size_coefficient", "size_exponent", "learning", "learning_decay",
          "reference_year", "years")

_MONEY = re.compile(r"^\s*([-+]?(?:\d[\d_,]*\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([A-Za-z]{3})"
                    r"\s*(?:/\s*([A-Za-z0-9]+))?\s*$")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CostLine(_Model):
    """One cost line. ``value`` per ``unit`` (e.g. 1.26 USD/kW) plus ``fixed``; a pack curve
    gives the curve's parameters instead of ``value``."""

    unit: str
    source: str = Field(min_length=1)
    value: float | None = None
    fixed: float = 0.0
    quantity: float | None = None
    currency: str | None = None
    price_year: int | None = None
    supplied_by: Literal["platform", "derivative"] | None = None
    base: float | None = None
    size_coefficient: float | None = None
    size_exponent: float | None = None
    learning: float | None = None
    learning_decay: float | None = None
    reference_year: int | None = None
    years: list[int] | None = None


class Currencies(_Model):
    model_config = ConfigDict(extra="allow")
    year: int | None = None
    source: str | None = None


class PriceIndex(_Model):
    source: str = Field(min_length=1)
    years: list[int] = Field(min_length=1)
    values: list[float] = Field(min_length=1)


class Plant(_Model):
    origin: str = Field(min_length=1)
    source: str = Field(min_length=1)
    #: Pack cost at this plant relative to the pack lines (US direct costs), e.g. 1 / 1.31 in
    #: China (BNEF 2024: US pack prices 31 % above China's).
    pack_price_factor: float = Field(default=1.0, gt=0)
    pack_price_factor_source: str | None = None


class BookFile(_Model):
    name: str | None = None
    title: str | None = None
    production_year: int | None = None
    currency: str | None = None
    price_year: int | None = None
    currencies: Currencies | None = None
    price_index: PriceIndex | None = None
    lines: dict[str, CostLine] = Field(default_factory=dict)
    equipment: dict[str, CostLine] = Field(default_factory=dict)
    plants: dict[str, Plant] = Field(default_factory=dict)


@dataclass
class Line:
    """A checked cost line: per-unit ``value`` and ``fixed`` in the line's own money."""

    name: str
    per: str
    value: float
    fixed: float
    quantity: float | None
    currency: str
    price_year: int
    supplied_by: str
    source: str
    file: str | None
    curve: dict | None = None


@dataclass
class CostBook:
    """A merged, checked cost book (see the module docstring)."""

    name: str
    production_year: int
    lines: dict[str, Line]
    equipment: dict[str, Line]
    rates: dict[str, float]            # units of currency per USD
    index: dict[int, float]            # price index by year
    plants: dict[str, Plant]
    files: list[str] = field(default_factory=list)

    # --- money ---
    def check_currency(self, code: str, *, file=None, where=None) -> str:
        if code not in self.rates:
            raise SpecError(f"unknown currency{close_matches(code, self.rates)}", file=file,
                            field=where, value=code, allowed=", ".join(sorted(self.rates)))
        return code

    def check_year(self, year: int, *, file=None, where=None) -> int:
        if year not in self.index:
            raise SpecError("price year outside the price index's range", file=file, field=where,
                            value=year, allowed=f"{min(self.index)} .. {max(self.index)}")
        return year

    def factor(self, currency: str, price_year: int, to_currency: str, to_year: int, *,
               file=None, where=None) -> float:
        """Multiply an amount in (currency, price_year) by this to get (to_currency, to_year)."""
        self.check_currency(currency, file=file, where=where)
        self.check_currency(to_currency, file=file, where=where)
        self.check_year(price_year, file=file, where=where)
        self.check_year(to_year, file=file, where=where)
        return (self.rates[to_currency] / self.rates[currency]
                * self.index[to_year] / self.index[price_year])


def parse_money(text: Any, *, file=None, field=None, per: str | None = None) -> tuple[float, str]:
    """``"31500 EUR"`` -> (31500.0, "EUR"); with ``per``, ``"500 EUR/kWh"`` needs ``/kWh``."""
    if isinstance(text, bool) or not isinstance(text, str):
        raise SpecError("expected a money amount with its currency", file=file, field=field,
                        value=text, allowed="e.g. '31500 EUR'" + (f" or '9 USD/{per}'" if per else ""))
    m = _MONEY.match(text)
    if not m:
        raise SpecError("cannot read this as a money amount", file=file, field=field, value=text,
                        allowed="a number and a 3-letter currency code, e.g. '31500 EUR'"
                        + (f" or '9 USD/{per}'" if per else ""))
    amount = float(m.group(1).replace("_", "").replace(",", ""))
    if (m.group(3) or None) != per:
        raise SpecError("wrong unit", file=file, field=field, value=text,
                        allowed=f"CURRENCY/{per}" if per else "an amount per vehicle, e.g. '31500 EUR'")
    return amount, m.group(2).upper()


def _split_unit(unit: str, name: str, per: str, default_currency: str | None, file, where):
    text = unit.strip()
    if per == "1":
        if text not in ("1", "fraction", "share"):
            raise SpecError("wrong unit", file=file, field=where, value=unit,
                            allowed="'1' (a share of the manufacturing cost)")
        return default_currency or "USD"
    cur, _, den = text.partition("/")
    if den.strip() != per:
        raise SpecError("wrong unit", file=file, field=where, value=unit,
                        allowed=f"CURRENCY/{per}" if per else "CURRENCY (per vehicle)")
    return cur.strip()


def _line(name: str, raw: CostLine, per: str, supplier: str, book: BookFile, file) -> Line:
    where = f"lines.{name}" if name in LINES else f"equipment.{name}"
    currency = _split_unit(raw.unit, name, per, raw.currency or book.currency, file, where + ".unit")
    if raw.currency and per != "1" and raw.currency != currency:
        raise SpecError("currency and unit disagree", file=file, field=where + ".currency",
                        value=raw.currency, allowed=currency)
    price_year = raw.price_year or book.price_year
    if price_year is None:
        raise SpecError("missing price year", file=file, field=where + ".price_year",
                        allowed="a year, here or at the top of the book")
    curve = None
    if name.startswith("pack_"):
        missing = [k for k in _CURVE if getattr(raw, k) is None]
        if missing:
            raise SpecError("missing pack-curve parameter", file=file, field=f"{where}.{missing[0]}",
                            allowed=", ".join(_CURVE))
        if len(raw.years) != 2 or raw.years[0] > raw.years[1]:
            raise SpecError("years must be (first, last) with first <= last", file=file, field=where + ".years",
                            value=raw.years)
        curve = {k: getattr(raw, k) for k in _CURVE}
        value = 0.0
    else:
        if raw.value is None:
            raise SpecError("missing required field", file=file, field=where + ".value",
                            allowed=f"a number in {raw.unit}")
        if raw.value < 0 or raw.fixed < 0:
            raise SpecError("a cost must not be negative", file=file, field=where + ".value",
                            value=raw.value if raw.value < 0 else raw.fixed, allowed=">= 0")
        value = raw.value
    return Line(name=name, per=per, value=value, fixed=raw.fixed, quantity=raw.quantity,
                currency=currency, price_year=int(price_year),
                supplied_by=raw.supplied_by or supplier, source=raw.source, file=file, curve=curve)


def _read(path: Path) -> BookFile:
    from skateboard.spec.loader import read_toml

    return validate(BookFile, read_toml(path), file=str(path))


def book_path(ref: str | Path) -> Path:
    """A bundled book's name (``"2026"``) or a path."""
    text = str(ref)
    if text.endswith(".toml") or "/" in text or "\\" in text:
        path = Path(text).expanduser()
        if not path.is_file():
            raise SpecError("cost book file not found", file=str(path), field="--costs")
        return path
    path = DATA_DIR / f"{text}.toml"
    if not path.is_file():
        raise unknown_name("cost book", text, [p.stem for p in DATA_DIR.glob("*.toml")],
                           field="--costs")
    return path


def load_cost_book(costs: str | Path | None = None, *, base: str = DEFAULT_BOOK) -> CostBook:
    """The bundled book, with ``costs`` (a user's book: name or path) laid over it. Read once
    per version of its files (an optimiser prices every generation; reading and validating the
    TOML took ~4 ms): callers share the book and must not change it."""
    from skateboard.spec.toml_file import file_version

    paths = tuple([book_path(base)] + ([book_path(costs)] if costs is not None else []))
    return _load_cost_book(paths, tuple(file_version(p) for p in paths))


@functools.lru_cache(maxsize=16)
def _load_cost_book(paths: tuple, versions: tuple) -> CostBook:
    lines: dict[str, Line] = {}
    equipment: dict[str, Line] = {}
    rates: dict[str, float] = {}
    index: dict[int, float] = {}
    plants: dict[str, Plant] = {}
    name, year = "", None
    for path in paths:
        file = str(path)
        book = _read(path)
        name = book.name or path.stem
        year = book.production_year or year
        if book.currencies is not None:
            extra = book.currencies.model_extra or {}
            for code, rate in extra.items():
                if not re.fullmatch(r"[A-Z]{3}", code):
                    raise SpecError("a currency is a 3-letter upper-case code", file=file,
                                    field=f"currencies.{code}", allowed="e.g. EUR = 0.92")
                if not isinstance(rate, (int, float)) or isinstance(rate, bool) or rate <= 0:
                    raise SpecError("expected a positive number of units per USD", file=file,
                                    field=f"currencies.{code}", value=rate)
                rates[code] = float(rate)
        if book.price_index is not None:
            pi = book.price_index
            if len(pi.years) != len(pi.values) or any(v <= 0 for v in pi.values):
                raise SpecError("years and values must have the same length, values > 0",
                                file=file, field="price_index.values")
            index.update(dict(zip(pi.years, pi.values)))
        for key, raw in book.lines.items():
            if key not in LINES:
                raise SpecError(f"unknown cost line{close_matches(key, LINES)}", file=file,
                                field=f"lines.{key}", allowed=", ".join(LINES))
            per, supplier = LINES[key]
            lines[key] = _line(key, raw, per, supplier, book, file)
        for key, raw in book.equipment.items():
            if key not in EQUIPMENT:
                raise SpecError(f"unknown equipment{close_matches(key, EQUIPMENT)}", file=file,
                                field=f"equipment.{key}", allowed=", ".join(EQUIPMENT))
            equipment[key] = _line(key, raw, "", "derivative", book, file)
        plants.update(book.plants)
    result = CostBook(name=name, production_year=int(year or 2026), lines=lines,
                      equipment=equipment, rates=rates, index=index, plants=plants,
                      files=[str(p) for p in paths])
    for kind, table in (("lines", lines), ("equipment", equipment)):
        for key, line in table.items():
            result.check_currency(line.currency, file=line.file, where=f"{kind}.{key}.unit")
            result.check_year(line.price_year, file=line.file, where=f"{kind}.{key}.price_year")
    missing = [k for k in LINES if k not in lines]
    if missing:
        raise SpecError("cost book lacks lines", file=paths[-1], field=f"lines.{missing[0]}",
                        allowed=", ".join(LINES))
    return result


def list_cost_books() -> list[str]:
    """Names of the bundled cost books."""
    return sorted(p.stem for p in DATA_DIR.glob("*.toml"))


__all__ = ["CostBook", "Line", "LINES", "EQUIPMENT", "list_cost_books", "load_cost_book",
           "parse_money"]
