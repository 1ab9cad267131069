"""The business case of a program: licence the platform, or build an own one?

The program's ``[business]`` table (validated here; every field in ``docs/economics.md``) gives
volumes per variant, market and year, the price per market, the licence deal (upfront fee,
engineering services paid to the licensor, royalty per car, months to start of production), the
own-platform alternative (development cost, months to start of production, cost difference per
car), the derivative's own development cost (paid in both cases), the discount rate and the
start year (year 0 of the cash flows).

Cash flows per year (report money), for each path:
    year 0: - upfront fee - engineering services - derivative development   (licence)
            - derivative development; own development spread evenly over its months (own)
    each year: sum over variants and markets of volume * margin per car
               - homologation of a (variant, market) and the fixed cost of market equipment in
                 the first year the variant sells there (the equipment's once for all markets)
The own platform sells the licence case's yearly volumes shifted later by the difference in
months to start of production (spread evenly over the months of each year), cut at the last
year: the market window does not move. Its margin per car has no royalty and
``unit_cost_difference`` more cost.

NPV and IRR come from numpy-financial (``npf.npv`` takes the first flow at t = 0). Payback year:
the first year the cumulative (undiscounted) cash flow is >= 0. Both NPVs are linear in a scale
k of all volumes, NPV(k) = A + k B, so the break-even volume is -A / B times the planned volume
(licence NPV = 0), and the volume at which licence and own platform are worth the same follows
likewise from their difference.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy_financial as npf
from pydantic import BaseModel, ConfigDict, Field

from skateboard.economics.costbook import CostBook, parse_money
from skateboard.errors import SpecError, close_matches
from skateboard.spec.models import validate


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class License(_Model):
    upfront_fee: str = "0 EUR"
    engineering_services: str = "0 EUR"
    royalty_per_unit: str = "0 EUR"
    months_to_sop: float = Field(ge=0)


class OwnPlatform(_Model):
    development_cost: str
    months_to_sop: float = Field(ge=0)
    unit_cost_difference: str = "0 EUR"


class DerivativeDevelopment(_Model):
    development_cost: str = "0 EUR"


Range = tuple[float, float]


class Sensitivity(_Model):
    """Multipliers (low, high) of each tornado driver. Defaults: assumptions, see docs."""

    cell_price: Range = (0.8, 1.2)
    duty_rate: Range = (0.5, 1.5)
    volume: Range = (0.75, 1.25)
    royalty: Range = (0.5, 1.5)
    price: Range = (0.95, 1.05)
    exchange_rate: Range = (0.9, 1.1)


class BusinessSpec(_Model):
    currency: str
    price_year: int
    start_year: int
    discount_rate: float = Field(ge=0, le=1)
    plant: str = "hangzhou"
    compliance_position: str | dict[str, str] = "short"
    credit_prices: dict[str, str] = Field(default_factory=dict)
    years: list[int] = Field(min_length=1)
    volumes: dict[str, dict[str, list[float]]] = Field(default_factory=dict)
    prices: dict[str, dict[str, str]] = Field(default_factory=dict)
    retail_prices: dict[str, dict[str, str]] = Field(default_factory=dict)
    license: License
    own_platform: OwnPlatform
    derivative: DerivativeDevelopment = Field(default_factory=DerivativeDevelopment)
    sensitivity: Sensitivity = Field(default_factory=Sensitivity)


@dataclass
class Business:
    """A checked business spec with every amount in report money."""

    spec: BusinessSpec
    file: str | None
    origin: str
    upfront_fee: float
    engineering_services: float
    royalty_per_unit: float
    derivative_development: float
    own_development: float
    own_unit_cost_difference: float

    @property
    def currency(self) -> str:
        return self.spec.currency

    @property
    def price_year(self) -> int:
        return self.spec.price_year

    def position(self, market: str) -> str:
        p = self.spec.compliance_position
        return p.get(market, "short") if isinstance(p, dict) else p

    def volume(self, variant: str, market: str) -> np.ndarray:
        return np.asarray(self.spec.volumes.get(variant, {}).get(market, [0.0] * len(self.spec.years)),
                          float)

    def markets(self) -> list[str]:
        return list(dict.fromkeys(m for per in self.spec.volumes.values() for m in per))

    def licensed(self, variant: str) -> bool:
        return variant in self.spec.volumes or variant in self.spec.prices

    def money(self, text, where: str, book: CostBook) -> float:
        amount, cur = parse_money(text, file=self.file, field=f"business.{where}")
        return amount * book.factor(cur, self.price_year, self.currency, self.price_year,
                                    file=self.file, where=f"business.{where}")


def load_business(program, book: CostBook, *, markets: list[str] | None = None) -> Business | None:
    """Validate a program's ``[business]`` table (None when it has none)."""
    from skateboard.economics.compliance import POSITIONS
    from skateboard.markets import list_markets

    raw = getattr(program, "business", None)
    if not raw:
        return None
    file = getattr(program, "source_file", None)
    spec = validate(BusinessSpec, raw, file=file, prefix="business")
    book.check_currency(spec.currency, file=file, where="business.currency")
    book.check_year(spec.price_year, file=file, where="business.price_year")
    if spec.plant not in book.plants:
        raise SpecError(f"unknown plant{close_matches(spec.plant, book.plants)}", file=file,
                        field="business.plant", value=spec.plant,
                        allowed=", ".join(sorted(book.plants)) + " (the cost book's plants)")
    if spec.start_year > spec.years[0]:
        raise SpecError("start_year must not be after the first year of volumes", file=file,
                        field="business.start_year", value=spec.start_year,
                        allowed=f"<= {spec.years[0]}")
    if any(b != a + 1 for a, b in zip(spec.years, spec.years[1:])):
        raise SpecError("years must be consecutive", file=file, field="business.years",
                        value=spec.years)
    names = [v.name for v in program.variants]
    known = list_markets()
    for table in ("volumes", "prices", "retail_prices"):
        for variant, per in getattr(spec, table).items():
            if variant not in names:
                raise SpecError(f"not a variant of the program{close_matches(variant, names)}",
                                file=file, field=f"business.{table}.{variant}",
                                allowed=", ".join(names))
            for market, value in per.items():
                where = f"business.{table}.{variant}.{market}"
                if market not in known:
                    raise SpecError(f"unknown market{close_matches(market, known)}", file=file,
                                    field=where, allowed=", ".join(known))
                if table == "volumes":
                    if len(value) != len(spec.years):
                        raise SpecError(f"{len(value)} volumes for {len(spec.years)} years",
                                        file=file, field=where, allowed=f"{len(spec.years)} numbers")
                    bad = [x for x in value if not x >= 0]
                    if bad:
                        raise SpecError("a volume must not be negative", file=file, field=where,
                                        value=bad[0], allowed=">= 0 cars per year")
                    if sum(value) > 0 and variant not in spec.prices:
                        raise SpecError("volumes without a price", file=file,
                                        field=f"business.prices.{variant}",
                                        allowed=f"a price in {market}")
                    if sum(value) > 0 and market not in spec.prices.get(variant, {}):
                        raise SpecError("volumes in a market without a price", file=file,
                                        field=f"business.prices.{variant}.{market}",
                                        allowed="a money amount, e.g. '30000 EUR'")
    positions = spec.compliance_position
    for market, p in (positions.items() if isinstance(positions, dict) else [("", positions)]):
        if p not in POSITIONS:
            where = "business.compliance_position" + (f".{market}" if market else "")
            raise SpecError("not a valid compliance position", file=file, field=where, value=p,
                            allowed=", ".join(POSITIONS))
    from skateboard.markets import load_market

    asked = list(spec.credit_prices) + (list(positions) if isinstance(positions, dict) else [])
    for market in asked:
        table = "credit_prices" if market in spec.credit_prices else "compliance_position"
        if market not in known:
            raise SpecError(f"unknown market{close_matches(market, known)}", file=file,
                            field=f"business.{table}.{market}", allowed=", ".join(known))
        if not load_market(market).compliance:
            with_rule = [m for m in known if load_market(m).compliance]
            raise SpecError("the market has no compliance rule to price (no compliance table "
                            "in its file)", file=file,
                            field=f"business.{table}.{market}", value=market,
                            allowed="a market with a rule: " + ", ".join(with_rule))
    for sname, (lo, hi) in spec.sensitivity.model_dump().items():
        if not 0 <= lo <= hi:
            raise SpecError("a range is (low, high) with 0 <= low <= high", file=file,
                            field=f"business.sensitivity.{sname}", value=[lo, hi])
    biz = Business(spec=spec, file=file, origin=book.plants[spec.plant].origin, upfront_fee=0.0,
                   engineering_services=0.0, royalty_per_unit=0.0, derivative_development=0.0,
                   own_development=0.0, own_unit_cost_difference=0.0)
    biz.upfront_fee = biz.money(spec.license.upfront_fee, "license.upfront_fee", book)
    biz.engineering_services = biz.money(spec.license.engineering_services,
                                         "license.engineering_services", book)
    biz.royalty_per_unit = biz.money(spec.license.royalty_per_unit, "license.royalty_per_unit", book)
    biz.derivative_development = biz.money(spec.derivative.development_cost,
                                           "derivative.development_cost", book)
    biz.own_development = biz.money(spec.own_platform.development_cost,
                                    "own_platform.development_cost", book)
    biz.own_unit_cost_difference = biz.money(spec.own_platform.unit_cost_difference,
                                             "own_platform.unit_cost_difference", book)
    for name, amount in (("license.upfront_fee", biz.upfront_fee),
                         ("license.engineering_services", biz.engineering_services),
                         ("license.royalty_per_unit", biz.royalty_per_unit),
                         ("derivative.development_cost", biz.derivative_development),
                         ("own_platform.development_cost", biz.own_development)):
        if amount < 0:
            raise SpecError("must not be negative", file=file, field=f"business.{name}",
                            value=amount, allowed=">= 0")
    return biz


# ---------------------------------------------------------------------------------------------
# cash flows
# ---------------------------------------------------------------------------------------------

def shift_volumes(volumes: np.ndarray, months: float) -> np.ndarray:
    """Yearly volumes (last axis) moved ``months`` later, spread evenly over each year's months,
    cut at the last year (and filled with 0 at the start)."""
    v = np.asarray(volumes, float)
    shift = int(round(months))
    monthly = np.repeat(v / 12.0, 12, axis=-1)
    out = np.zeros_like(monthly)
    n = monthly.shape[-1]
    if shift >= 0:
        if shift < n:
            out[..., shift:] = monthly[..., :n - shift]
    else:
        s = -shift
        if s < n:
            out[..., :n - s] = monthly[..., s:]
    return out.reshape(*v.shape[:-1], v.shape[-1], 12).sum(axis=-1)


def spread(total: float, months: float, n_years: int) -> np.ndarray:
    """``total`` spread evenly over the first ``months`` months, summed per year (whatever falls
    after the last year is counted in the last year)."""
    m = max(int(round(months)), 1)
    years = np.minimum(np.arange(m) // 12, n_years - 1)
    return np.bincount(years, weights=np.full(m, total / m), minlength=n_years)


def cash_flows(volumes: np.ndarray, margins: np.ndarray, fixed: np.ndarray, fixed_groups: list,
               upfront: float, offset: int, n_years: int) -> np.ndarray:
    """Yearly cash flows from year 0 (``n_years`` long).

    volumes : (k, Y) cars per year of each (variant, market) line, years starting at ``offset``.
    margins : (k,) margin per car. fixed : (k,) homologation of each line, charged in its first
    year with volume. fixed_groups : [(amount, [line indices])]: a fixed cost charged once in the
    first year any of the lines sells (market equipment). upfront : charged in year 0 (an array
    of n_years is added as is)."""
    cf = np.zeros(n_years)
    if np.ndim(upfront):
        cf += upfront
    else:
        cf[0] -= upfront
    if volumes.size:
        cf[offset:offset + volumes.shape[1]] += (volumes * margins[:, None]).sum(axis=0)
        selling = volumes > 0
        for i in np.nonzero(selling.any(axis=1))[0]:
            cf[offset + int(np.argmax(selling[i]))] -= fixed[i]
        for amount, lines in fixed_groups:
            rows = selling[lines].any(axis=0)
            if rows.any():
                cf[offset + int(np.argmax(rows))] -= amount
    return cf


def npv(rate: float, flows: np.ndarray) -> float:
    """Net present value, first flow at t = 0 (numpy-financial)."""
    return float(npf.npv(rate, flows))


def irr(flows: np.ndarray) -> float:
    """Internal rate of return (numpy-financial); NaN when there is none."""
    if not (np.any(flows > 0) and np.any(flows < 0)):
        return float("nan")
    return float(npf.irr(flows))


def payback_year(flows: np.ndarray, start_year: int) -> int | None:
    """First year the cumulative cash flow is >= 0 after having been negative (None: never)."""
    cum = np.cumsum(flows)
    neg = np.nonzero(cum < 0)[0]
    if len(neg) == 0:
        return start_year
    after = np.nonzero(cum[neg[0]:] >= 0)[0]
    return int(start_year + neg[0] + after[0]) if len(after) else None


def break_even_scale(a: float, b: float) -> float | None:
    """k with a + k b = 0 (None when b <= 0 or k < 0)."""
    if b <= 0:
        return None
    k = -a / b
    return k if k >= 0 else None


__all__ = ["Business", "BusinessSpec", "break_even_scale", "cash_flows", "irr", "load_business",
           "npv", "payback_year", "shift_volumes", "spread"]
