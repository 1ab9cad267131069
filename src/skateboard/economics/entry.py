"""Market entry: what it costs to bring a car built at a plant into a market.

The rules are data in each market file's ``[entry]`` table (sources and the date each applies
from are in the file): the import duty (a general rate, preferential rates by origin, extra
duties by origin, powertrain and maker), whether duty is charged on the CIF or FOB value, the
shipping and logistics cost per car, the per-variant homologation cost, the equipment the market
needs (charging inlet, right-hand drive, hot-climate cooling) and a buyer's tax that depends on
the price and consumption (Australia's luxury car tax).

Per car (report money):
    ex_works = manufacturing cost + market equipment (+ royalty, for a licensed platform)
    customs value = ex_works (+ shipping when the duty base is CIF)
    import_duty = customs value * (rate for the origin + extra duties that apply)
    landed = ex_works + shipping + import_duty
The customs value is taken at cost (assumption: the maker's importer buys at cost); a market
that needs right-hand drive on a platform that does not offer it is *not servable*: its entry
costs are NaN and the row says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from skateboard.economics.costbook import CostBook
from skateboard.errors import SpecError
from skateboard.spec.models import validate

INLETS = ("gbt", "ccs2", "ccs1", "nacs")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Amount(_Model):
    value: float = Field(ge=0)
    unit: str
    price_year: int
    source: str = Field(min_length=1)


class ExtraDuty(_Model):
    name: str
    origin: str
    powertrains: list[Literal["BEV", "EREV"]] = Field(min_length=1)
    rate: float = Field(ge=0)
    rate_by_maker: dict[str, float] = Field(default_factory=dict)
    source: str = Field(min_length=1)
    applies_from: str


class Duty(_Model):
    rate: float = Field(ge=0)
    origin_rates: dict[str, float] = Field(default_factory=dict)
    additional: list[ExtraDuty] = Field(default_factory=list)
    source: str = Field(min_length=1)
    applies_from: str


class BuyerTax(_Model):
    kind: Literal["luxury_car_tax"]
    rate: float = Field(ge=0)
    gst: float = Field(ge=0)
    threshold: float = Field(ge=0)
    fuel_efficient_threshold: float = Field(ge=0)
    fuel_efficient_max_l_per_100km: float = Field(ge=0)
    currency: str
    source: str = Field(min_length=1)
    applies_from: str


class EntryRules(_Model):
    currency: str
    duty_base: Literal["cif", "fob"]
    charging_inlet: Literal["gbt", "ccs2", "ccs1", "nacs"]
    right_hand_drive: bool = False
    hot_climate: bool = False
    shipping: Amount
    homologation: Amount
    duty: Duty
    buyer_tax: BuyerTax | None = None


def market_file(market) -> str:
    from skateboard.markets import DATA_DIR

    return str(DATA_DIR / f"{market.name}.toml")


def entry_rules(market, *, required: bool = False) -> EntryRules | None:
    """The market's validated ``[entry]`` rules (None when it has none, unless ``required``)."""
    if not market.entry:
        if required:
            raise SpecError("the market has no entry rules (no entry table in its file), and "
                            "the program sells there",
                            file=market_file(market), field="entry",
                            allowed="an entry table (docs/economics.md), or no volumes there")
        return None
    return validate(EntryRules, market.entry, file=market_file(market), prefix="entry")


def amount(book: CostBook, a: Amount, currency: str, price_year: int, *, file, where) -> float:
    """An [entry] amount in report money."""
    cur = a.unit.strip()
    return a.value * book.factor(cur, a.price_year, currency, price_year, file=file, where=where)


def duty_rate(rules: EntryRules, origin: str, powertrain: str, maker: str) -> tuple[float, list[str]]:
    """Total duty rate for a car of this origin, powertrain and maker, and the duties applied."""
    base = rules.duty.origin_rates.get(origin, rules.duty.rate)
    applied = [f"{base:.1%} import duty"]
    total = base
    for extra in rules.duty.additional:
        if extra.origin != origin or powertrain not in extra.powertrains:
            continue
        rate = extra.rate
        for name, r in extra.rate_by_maker.items():
            if name.lower() in maker.lower():
                rate = r
        total += rate
        applied.append(f"{rate:.1%} {extra.name}")
    return total, applied


@dataclass
class Entry:
    """Per-car entry figures of N cars in one market (report money, arrays)."""

    equipment: np.ndarray
    shipping: np.ndarray
    duty_rate: np.ndarray
    import_duty: np.ndarray
    landed: np.ndarray
    servable: np.ndarray


def equipment_lines(rules: EntryRules) -> list[str]:
    """The cost book's equipment lines a market needs."""
    names = [f"charging_inlet_{rules.charging_inlet}"]
    if rules.right_hand_drive:
        names.append("right_hand_drive")
    if rules.hot_climate:
        names.append("hot_climate_cooling")
    return names


def equipment_cost(book: CostBook, rules: EntryRules, currency: str, price_year: int,
                   *, exchange_rate: float = 1.0) -> tuple[float, dict[str, float]]:
    """(per-car cost, {line: fixed engineering cost}) of the market's equipment."""
    per_car, fixed = 0.0, {}
    for name in equipment_lines(rules):
        line = book.equipment[name]
        fx = exchange_rate if line.currency != currency else 1.0
        k = fx * book.factor(line.currency, line.price_year, currency, price_year, file=line.file,
                             where=f"equipment.{name}")
        per_car += line.value * k
        if line.fixed:
            fixed[name] = line.fixed * k
    return per_car, fixed


def landed_cost(ex_works: np.ndarray, shipping: float, rate: np.ndarray | float,
                duty_base: str) -> tuple[np.ndarray, np.ndarray]:
    """(import duty, landed cost) per car from the ex-works cost, shipping and the duty rate."""
    ex_works = np.asarray(ex_works, float)
    value = ex_works + shipping if duty_base == "cif" else ex_works
    duty = value * rate
    return duty, ex_works + shipping + duty


def luxury_car_tax(tax: BuyerTax, retail_price: np.ndarray, fuel_l_per_100km: np.ndarray) -> np.ndarray:
    """Australia's LCT [tax currency]: rate * (retail - threshold) / (1 + GST), at least 0; the
    fuel-efficient threshold applies at or below its consumption (a BEV uses 0 l/100 km)."""
    fuel = np.nan_to_num(np.asarray(fuel_l_per_100km, float), nan=0.0)
    threshold = np.where(fuel <= tax.fuel_efficient_max_l_per_100km, tax.fuel_efficient_threshold,
                         tax.threshold)
    return tax.rate * np.maximum(np.asarray(retail_price, float) - threshold, 0.0) / (1 + tax.gst)


__all__ = ["Entry", "EntryRules", "amount", "duty_rate", "entry_rules", "equipment_cost",
           "equipment_lines", "landed_cost", "luxury_car_tax", "market_file"]
