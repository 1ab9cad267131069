"""The economics orchestrator: program -> cost, entry, compliance and margin per variant and
market -> the business case (like :mod:`skateboard.evaluation` for the physics).

:func:`prepare` loads everything once (cost book, business table, market rules, the evaluation
that gives each variant's regulatory CO2 and consumption); :func:`table` and
:func:`business_case` then compute under a :class:`Scenario` (multipliers for the sensitivity
study), cheaply, so the tornado re-runs them a dozen times.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from skateboard.economics import business as B
from skateboard.economics.commonality import commonality, commonality_table, part_table
from skateboard.economics.compliance import compliance_per_car, compliance_rule, regulatory_co2
from skateboard.economics.cost import COST_COLUMNS, features_of, variant_costs
from skateboard.economics.costbook import CostBook, load_cost_book, parse_money
from skateboard.economics.entry import (amount, duty_rate, entry_rules, equipment_cost,
                                        landed_cost, luxury_car_tax, market_file)

#: Columns of the economics table (money in ``currency`` per vehicle unless said).
COLUMNS = ["variant", "market", "powertrain", "currency", "origin", "cost_total", "cost_pack",
           "cost_drive", "cost_range_extender", "cost_top_hat", "cost_electrical", "cost_thermal",
           "cost_platform_structure", "cost_chassis", "cost_assembly", "cost_warranty",
           "platform_cost_share", "equipment_cost", "royalty", "ex_works_cost", "shipping_cost",
           "duty_rate", "import_duty", "landed_cost", "regulatory_co2_g_per_km",
           "compliance_value", "compliance_value_if_short", "price", "margin_per_vehicle",
           "volume", "buyer_tax", "servable", "note"]


@dataclass(frozen=True)
class Scenario:
    """Multipliers of the sensitivity drivers (1 = as given)."""

    cell_price: float = 1.0
    duty_rate: float = 1.0
    volume: float = 1.0
    royalty: float = 1.0
    price: float = 1.0
    exchange_rate: float = 1.0


@dataclass
class Context:
    program: object
    variants: list
    markets: list              # Market objects of the rows
    case_markets: list         # Market objects the business case sells in
    book: CostBook
    business: B.Business | None
    currency: str
    price_year: int
    evaluation: pd.DataFrame
    features: object
    rhd: dict = field(default_factory=dict)


def prepare(program="hongqi-on-b10", markets=None, costs=None) -> Context:
    """Load the program, cost book, business table and market rules; evaluate the variants in
    the markets (for their regulatory CO2, electric range and fuel consumption)."""
    from skateboard.evaluation import evaluate
    from skateboard.markets import list_markets, load_market
    from skateboard.spec import load_program

    prog = load_program(program) if isinstance(program, str) else program
    book = load_cost_book(costs)
    biz = B.load_business(prog, book)
    names = list(markets or prog.markets or list_markets())
    mkts = [load_market(m) for m in names]
    case = [load_market(m) for m in (biz.markets() if biz else [])]
    for m in case:
        entry_rules(m, required=True)
    currency = biz.currency if biz else "USD"
    price_year = biz.price_year if biz else book.production_year
    book.check_year(price_year, file=getattr(prog, "source_file", None), where="business.price_year")
    all_names = list(dict.fromkeys(names + [m.name for m in case]))
    ev = evaluate(prog, markets=all_names).table
    from skateboard.economics.sweep_columns import platform_offers_rhd

    rhd = {}
    for v in prog.variants:
        if v.platform not in rhd:
            rhd[v.platform] = platform_offers_rhd(v)
    feats = features_of(prog.variants, book, currency, price_year)
    return Context(program=prog, variants=list(prog.variants), markets=mkts, case_markets=case,
                   book=book, business=biz, currency=currency, price_year=price_year,
                   evaluation=ev, features=feats, rhd=rhd)


def plant(ctx: Context) -> str:
    """The program's plant (``business.plant``, default hangzhou)."""
    return ctx.business.spec.plant if ctx.business else "hangzhou"


def pack_factor(ctx: Context) -> float:
    p = ctx.book.plants.get(plant(ctx))
    return p.pack_price_factor if p is not None else 1.0


def _money(ctx: Context, text, where: str, *, to_currency=None) -> float:
    amount_, cur = parse_money(text, file=ctx.business.file if ctx.business else None, field=where)
    return amount_ * ctx.book.factor(cur, ctx.price_year, to_currency or ctx.currency,
                                     ctx.price_year, file=getattr(ctx.program, "source_file", None),
                                     where=where)


def market_rows(ctx: Context, market, costs: dict, sc: Scenario) -> tuple[pd.DataFrame, dict]:
    """Rows of one market for every variant, and its fixed costs {"homologation": per variant,
    "equipment": {line: amount}}."""
    book, biz, cur, py = ctx.book, ctx.business, ctx.currency, ctx.price_year
    vs = ctx.variants
    n = len(vs)
    names = [v.name for v in vs]
    ev = ctx.evaluation[ctx.evaluation["market"] == market.name].set_index("variant").reindex(names)
    co2 = regulatory_co2(ev).to_numpy(float)
    rules = entry_rules(market)
    origin = ctx.book.plants[plant(ctx)].origin if plant(ctx) in ctx.book.plants else "china"
    notes = [[] for _ in range(n)]
    df = pd.DataFrame({"variant": names, "market": market.name,
                       "powertrain": [v.powertrain for v in vs], "currency": cur, "origin": origin})
    for c in COST_COLUMNS:
        if c != "platform_cost":
            df[c] = costs[c]
    royalty = np.array([biz.royalty_per_unit * sc.royalty if biz and biz.licensed(v.name) else 0.0
                        for v in vs])
    fixed = {"homologation": np.full(n, np.nan), "equipment": {}}
    if rules is None:
        for c in ("equipment_cost", "ex_works_cost", "shipping_cost", "duty_rate", "import_duty",
                  "landed_cost"):
            df[c] = np.nan
        df["royalty"] = royalty
        df["servable"] = True
        for nt in notes:
            nt.append("no entry rules in the market file")
    else:
        file = market_file(market)
        equip, fixed["equipment"] = equipment_cost(book, rules, cur, py, exchange_rate=sc.exchange_rate)
        ship = amount(book, rules.shipping, cur, py, file=file, where="entry.shipping")
        ship *= sc.exchange_rate if rules.shipping.unit.strip() != cur else 1.0
        homol = amount(book, rules.homologation, cur, py, file=file, where="entry.homologation")
        fixed["homologation"] = np.full(n, homol)
        rates = np.empty(n)
        for i, v in enumerate(vs):
            rates[i], applied = duty_rate(rules, origin, v.powertrain, v.maker)
            if len(applied) > 1:
                notes[i].append(" + ".join(applied))
        rates *= sc.duty_rate
        ex_works = costs["cost_total"] + equip + royalty
        duty, landed = landed_cost(ex_works, ship, rates, rules.duty_base)
        servable = np.array([not rules.right_hand_drive or ctx.rhd.get(v.platform, False) for v in vs])
        for i in np.nonzero(~servable)[0]:
            notes[i].append(f"not servable: the market needs right-hand drive and platform "
                            f"{vs[i].platform!r} does not offer it")
        nan = np.where(servable, 1.0, np.nan)
        df["equipment_cost"] = equip * nan
        df["royalty"] = royalty
        df["ex_works_cost"] = ex_works * nan
        df["shipping_cost"] = ship * nan
        df["duty_rate"] = rates * nan
        df["import_duty"] = duty * nan
        df["landed_cost"] = landed * nan
        df["servable"] = servable
    df["regulatory_co2_g_per_km"] = co2
    rule = compliance_rule(market)
    position = biz.position(market.name) if biz else "short"
    credit = None
    if biz and market.name in biz.spec.credit_prices and rule is not None:
        credit = _money(ctx, biz.spec.credit_prices[market.name],
                        f"business.credit_prices.{market.name}", to_currency=rule.currency)
    erange = ev["electric_range_km"].to_numpy(float) if "electric_range_km" in ev else np.full(n, np.nan)
    value, note = compliance_per_car(rule, df["powertrain"].to_numpy(), co2, erange, position, credit)
    short, _ = compliance_per_car(rule, df["powertrain"].to_numpy(), co2, erange, "short", credit)
    k = book.factor(rule.currency, py, cur, py, file=market_file(market),
                    where="compliance.currency") if rule is not None else 1.0
    df["compliance_value"] = value * k
    df["compliance_value_if_short"] = short * k
    for nt in notes:
        nt.append(f"compliance: {note}")
    price = np.full(n, np.nan)
    tax = np.full(n, np.nan)
    volume = np.zeros(n)
    if biz:
        for i, v in enumerate(vs):
            p = biz.spec.prices.get(v.name, {}).get(market.name)
            if p is not None:
                price[i] = sc.price * _money(ctx, p, f"business.prices.{v.name}.{market.name}")
            volume[i] = sc.volume * biz.volume(v.name, market.name).sum()
            retail = biz.spec.retail_prices.get(v.name, {}).get(market.name)
            if retail is not None and rules is not None and rules.buyer_tax is not None:
                bt = rules.buyer_tax
                local = _money(ctx, retail, f"business.retail_prices.{v.name}.{market.name}",
                               to_currency=bt.currency)
                fuel = ev["fuel_l_per_100km"].to_numpy(float)[i] if "fuel_l_per_100km" in ev else np.nan
                tax[i] = luxury_car_tax(bt, np.array([local]), np.array([fuel]))[0] * book.factor(
                    bt.currency, py, cur, py, file=market_file(market), where="entry.buyer_tax")
    df["price"] = price
    df["margin_per_vehicle"] = price - df["landed_cost"].to_numpy(float) + np.nan_to_num(
        df["compliance_value"].to_numpy(float), nan=0.0)
    df["volume"] = volume
    df["buyer_tax"] = tax
    df["note"] = ["; ".join(nt) for nt in notes]
    return df[COLUMNS], fixed


def table(ctx: Context, sc: Scenario = Scenario(), *, markets=None) -> tuple[pd.DataFrame, dict]:
    """The economics table of ``markets`` (default the context's) and their fixed costs."""
    costs = variant_costs(ctx.features, ctx.book, ctx.currency, ctx.price_year,
                          cell_price=sc.cell_price, exchange_rate=sc.exchange_rate,
                          pack_factor=pack_factor(ctx))
    frames, fixed = [], {}
    for m in markets or ctx.markets:
        df, fx = market_rows(ctx, m, costs, sc)
        frames.append(df)
        fixed[m.name] = fx
    return pd.concat(frames, ignore_index=True), fixed


def business_case(ctx: Context, sc: Scenario = Scenario()) -> dict:
    """Cash flows, NPV, IRR, payback of licence and own platform; break-even volumes."""
    biz = ctx.business
    if biz is None:
        return {}
    rows, fixed = table(ctx, sc, markets=ctx.case_markets)
    spec = biz.spec
    years = np.arange(spec.start_year, spec.years[-1] + 1)
    offset = spec.years[0] - spec.start_year
    lines, vols, m_lic, m_own, homol, warnings = [], [], [], [], [], []
    equipment: dict[str, list[int]] = {}
    amounts: dict[str, float] = {}
    for _, r in rows.iterrows():
        vol = biz.volume(r["variant"], r["market"]) * sc.volume
        if vol.sum() <= 0:
            continue
        if not r["servable"]:
            warnings.append(f"{r['variant']} in {r['market']}: {vol.sum():.0f} cars not counted "
                            "(the platform cannot serve the market)")
            continue
        i = len(lines)
        lines.append((r["variant"], r["market"]))
        vols.append(vol)
        m_lic.append(r["margin_per_vehicle"])
        m_own.append(r["margin_per_vehicle"] + r["royalty"] - biz.own_unit_cost_difference)
        v_index = [v.name for v in ctx.variants].index(r["variant"])
        homol.append(fixed[r["market"]]["homologation"][v_index])
        for name, amt in fixed[r["market"]]["equipment"].items():
            equipment.setdefault(name, []).append(i)
            amounts[name] = amt
    vols_a = np.array(vols).reshape(len(vols), len(spec.years))
    m_lic_a, m_own_a, homol_a = np.array(m_lic, float), np.array(m_own, float), np.array(homol, float)
    groups = [(amounts[k], idx) for k, idx in equipment.items()]
    n_years = len(years)
    delay = spec.own_platform.months_to_sop - spec.license.months_to_sop
    vols_own = B.shift_volumes(vols_a, delay) if len(vols) else vols_a
    up_lic = biz.upfront_fee + biz.engineering_services + biz.derivative_development
    up_own = -B.spread(biz.own_development, spec.own_platform.months_to_sop, n_years)
    up_own[0] -= biz.derivative_development

    r = spec.discount_rate
    cf_l = B.cash_flows(vols_a, m_lic_a, homol_a, groups, up_lic, offset, n_years)
    cf_o = B.cash_flows(vols_own, m_own_a, homol_a, groups, up_own, offset, n_years)
    total = float(vols_a.sum())
    # linear in the volume scale k (fixed costs once a line sells at all): NPV(k) = A + k B
    fixed_l = cf_l - B.cash_flows(vols_a, m_lic_a, homol_a * 0, [], 0.0, offset, n_years)
    fixed_o = cf_o - B.cash_flows(vols_own, m_own_a, homol_a * 0, [], 0.0, offset, n_years)
    a_l, a_o = B.npv(r, fixed_l), B.npv(r, fixed_o)
    b_l, b_o = B.npv(r, cf_l) - a_l, B.npv(r, cf_o) - a_o
    k_l = B.break_even_scale(a_l, b_l)
    k_d = B.break_even_scale(a_l - a_o, b_l - b_o)
    npv_l, npv_o = B.npv(r, cf_l), B.npv(r, cf_o)
    return {
        "currency": ctx.currency, "price_year": ctx.price_year, "discount_rate": r,
        "years": years.tolist(), "cash_flow_license": cf_l.tolist(),
        "cash_flow_own_platform": cf_o.tolist(),
        "npv_license": npv_l, "npv_own_platform": npv_o, "npv_difference": npv_l - npv_o,
        "irr_license": B.irr(cf_l), "irr_own_platform": B.irr(cf_o),
        "payback_year_license": B.payback_year(cf_l, spec.start_year),
        "payback_year_own_platform": B.payback_year(cf_o, spec.start_year),
        "volume_planned": total, "volume_own_platform": float(vols_own.sum()),
        "break_even_volume": None if k_l is None else k_l * total,
        "break_even_volume_vs_own_platform": None if k_d is None else k_d * total,
        "npv_linear": {"license": [a_l, b_l], "own_platform": [a_o, b_o]},
        "months_earlier": delay,
        "warnings": warnings,
    }


def program_commonality(ctx: Context) -> tuple[dict, pd.DataFrame]:
    """Commonality across the program's derivatives that the business case sells (else all)."""
    costs = variant_costs(ctx.features, ctx.book, ctx.currency, ctx.price_year,
                          pack_factor=pack_factor(ctx))
    parts = part_table(ctx.variants, costs)
    chosen = [v.name for v in ctx.variants if ctx.business and ctx.business.licensed(v.name)]
    if chosen:
        parts = parts[parts["variant"].isin(chosen)]
    return commonality(parts), commonality_table(parts)


__all__ = ["COLUMNS", "Context", "Scenario", "business_case", "market_rows", "prepare",
           "program_commonality", "table"]
