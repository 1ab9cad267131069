"""The economics columns of a sweep: cost, landed cost, compliance value and margin per variant.

:func:`plan` runs once per sweep (in ``plan_sweep``): it loads the bundled cost book, the
program's ``[business]`` table and each market's rules, and prices every option combination
(a handful of variants). :func:`columns` then runs per chunk, vectorised: it takes the
combinations' features by the chunk's combination codes, overwrites the swept numeric fields
that change the cost (pack gross energy, curb mass, drive-unit peak power), and computes the
cost breakdown, entry costs, compliance value and margin as arrays (no per-variant Python).

Columns (money in :attr:`SweepEconomics.currency` of :attr:`SweepEconomics.price_year` per
vehicle): ``cost_total``, ``cost_pack``, ``cost_drive``, ``cost_range_extender``,
``cost_top_hat``, ``platform_cost_share``, and per market ``<market>_ex_works_cost``,
``_shipping_cost``, ``_import_duty``, ``_landed_cost``, ``_compliance_value``, ``_price``,
``_margin_per_vehicle``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from skateboard.economics.compliance import compliance_per_car
from skateboard.economics.cost import Features, features_of, variant_costs

VARIANT_COLUMNS = ("cost_total", "cost_pack", "cost_drive", "cost_range_extender", "cost_top_hat",
                   "platform_cost_share")
MARKET_COLUMNS = ("ex_works_cost", "shipping_cost", "import_duty", "landed_cost",
                  "compliance_value", "price", "margin_per_vehicle")


@dataclass
class MarketEconomics:
    """Per-combination entry figures of one market (report money; NaN = not costed)."""

    prefix: str
    equipment: float
    shipping: float
    duty_base: str
    rates: np.ndarray            # per combination
    servable: np.ndarray         # per combination
    rule: object = None          # ComplianceRule or None
    position: str = "short"
    credit_price: float | None = None
    rule_factor: float = 1.0     # rule currency -> report currency
    price: float = float("nan")  # the varied derivative's price here
    has_entry: bool = True


@dataclass
class SweepEconomics:
    """What a chunk needs to price its variants (picklable, sent with the sweep plan)."""

    book: object
    currency: str
    price_year: int
    pack_factor: float
    royalty: float
    features: Features                       # per combination
    powertrain: np.ndarray                   # per combination
    slots: dict = field(default_factory=dict)  # drive-unit name -> per-combination slot (0, 1, -1)
    markets: list = field(default_factory=list)

    def column_names(self) -> list[str]:
        return list(VARIANT_COLUMNS) + [m.prefix + c for m in self.markets for c in MARKET_COLUMNS]


def plan(program, variant_name: str, combinations, markets, prefix) -> SweepEconomics:
    """Price the sweep's option combinations once (``prefix(market)`` names a market's columns)."""
    from skateboard.economics import business as B
    from skateboard.economics.compliance import compliance_rule
    from skateboard.economics.costbook import load_cost_book, parse_money
    from skateboard.economics.entry import (amount, duty_rate, entry_rules, equipment_cost,
                                            market_file)

    book = load_cost_book()
    biz = B.load_business(program, book)
    currency = biz.currency if biz else "USD"
    price_year = biz.price_year if biz else book.production_year
    plant = biz.spec.plant if biz else "hangzhou"
    pk = book.plants[plant].pack_price_factor if plant in book.plants else 1.0
    origin = book.plants[plant].origin if plant in book.plants else "china"
    base = program.variant(variant_name)
    variants = [c.variant if c.variant is not None else base for c in combinations]
    feats = features_of(variants, book, currency, price_year)
    slots: dict = {}
    for i, v in enumerate(variants):
        order = [du.name for du in sorted(v.drive_units, key=lambda du: du.axle != "rear")]
        for name in {du.name for vv in variants for du in vv.drive_units}:
            slots.setdefault(name, np.full(len(variants), -1))[i] = order.index(name) if name in order else -1
    rhd = platform_offers_rhd(base)
    licensed = bool(biz and biz.licensed(variant_name))
    out = SweepEconomics(book=book, currency=currency, price_year=price_year, pack_factor=pk,
                         royalty=biz.royalty_per_unit if licensed else 0.0, features=feats,
                         powertrain=np.array([v.powertrain for v in variants]), slots=slots)
    for mk in markets:
        rules = entry_rules(mk)
        rule = compliance_rule(mk)
        me = MarketEconomics(prefix=prefix(mk), equipment=np.nan, shipping=np.nan, duty_base="cif",
                             rates=np.full(len(variants), np.nan),
                             servable=np.ones(len(variants), bool), rule=rule,
                             has_entry=rules is not None)
        if rules is not None:
            file = market_file(mk)
            me.equipment = equipment_cost(book, rules, currency, price_year)[0]
            me.shipping = amount(book, rules.shipping, currency, price_year, file=file,
                                 where="entry.shipping")
            me.duty_base = rules.duty_base
            me.rates = np.array([duty_rate(rules, origin, v.powertrain, v.maker)[0] for v in variants])
            me.servable = np.array([not rules.right_hand_drive or rhd] * len(variants))
        if biz:
            me.position = biz.position(mk.name)
            if rule is not None and mk.name in biz.spec.credit_prices:
                a, c = parse_money(biz.spec.credit_prices[mk.name], file=biz.file,
                                   field=f"business.credit_prices.{mk.name}")
                me.credit_price = a * book.factor(c, price_year, rule.currency, price_year)
            p = biz.spec.prices.get(variant_name, {}).get(mk.name)
            if p is not None:
                a, c = parse_money(p, file=biz.file, field=f"business.prices.{variant_name}.{mk.name}")
                me.price = a * book.factor(c, price_year, currency, price_year)
        if rule is not None:
            me.rule_factor = book.factor(rule.currency, price_year, currency, price_year)
        out.markets.append(me)
    return out


def platform_offers_rhd(variant) -> bool:
    """Whether the variant's platform declares right-hand drive."""
    from pathlib import Path

    from skateboard.spec import load_derivative, load_platform
    from skateboard.spec.loader import locate

    der = load_derivative(variant.source_file)
    return load_platform(locate("platform", der.platform, relative_to=Path(variant.source_file).parent,
                                file=variant.source_file, field="platform")).right_hand_drive


def columns(econ: SweepEconomics, codes: np.ndarray, dims, values: list, results: dict) -> dict:
    """The economics columns of one chunk (arrays of the chunk's length).

    codes : combination index per row; dims, values : the sweep's dimensions and their values
    (SI floats for numeric ones); results : the chunk's market result columns (to read CO2)."""
    codes = np.asarray(codes)
    f = econ.features.take(codes)
    for d, v in zip(dims, values):
        if d.field.kind != "numeric":
            continue
        kind, attr = d.field.target
        v = np.asarray(v, float)
        if (kind, attr) == ("pack", "gross_energy"):
            f.gross_energy = v
        elif (kind, attr) == ("variant", "curb_mass"):
            f.curb_mass = v
        elif (kind, attr) == ("drive_unit", "peak_power"):
            slot = econ.slots.get(d.field.unit, np.full(len(econ.powertrain), -1))[codes]
            f.unit_power_1 = np.where(slot == 0, v, f.unit_power_1)
            f.unit_power_2 = np.where(slot == 1, v, f.unit_power_2)
    costs = variant_costs(f, econ.book, econ.currency, econ.price_year, pack_factor=econ.pack_factor)
    out = {c: costs[c] for c in VARIANT_COLUMNS}
    ex_works = costs["cost_total"] + econ.royalty
    powertrain = econ.powertrain[codes]
    for m in econ.markets:
        ok = np.where(m.servable[codes], 1.0, np.nan)
        ew = (ex_works + m.equipment) * ok
        rate = m.rates[codes]
        value = ew + m.shipping if m.duty_base == "cif" else ew
        duty = value * rate
        landed = ew + m.shipping + duty
        co2 = results.get(m.prefix + "co2_weighted_g_per_km", results.get(m.prefix + "co2_g_per_km"))
        erange = results.get(m.prefix + "electric_range_km", np.full(len(codes), np.nan))
        comp, _ = compliance_per_car(m.rule, powertrain, co2, erange, m.position, m.credit_price)
        comp = comp * m.rule_factor
        out[m.prefix + "ex_works_cost"] = ew
        out[m.prefix + "shipping_cost"] = np.full(len(codes), m.shipping) * ok
        out[m.prefix + "import_duty"] = duty
        out[m.prefix + "landed_cost"] = landed
        out[m.prefix + "compliance_value"] = comp
        out[m.prefix + "price"] = np.full(len(codes), m.price)
        out[m.prefix + "margin_per_vehicle"] = m.price - landed + np.nan_to_num(comp, nan=0.0)
    return out


__all__ = ["MARKET_COLUMNS", "MarketEconomics", "SweepEconomics", "VARIANT_COLUMNS", "columns", "plan",
           "platform_offers_rhd"]
