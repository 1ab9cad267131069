"""Compliance value: what one more car of a variant is worth against a market's regulation.

The rule is data in the market file's ``[compliance]`` table. For a maker *short* of its target
(its fleet would pay a penalty), one more car is worth the penalty it avoids; for a maker
already *compliant* it is worth nothing, or the traded credit price when the program gives one
(``business.credit_prices``). Kinds:

* ``co2_per_g`` (EU fleet CO2, Australia NVES, NZ Clean Car Standard):
  value = rate * (target - CO2) per car [rate per g/km per car]; negative above the target.
* ``zev_credit`` (UK ZEV mandate): a ZEV (0 g/km) earns one credit and adds ``zev_share`` to the
  obligation, any other car adds ``zev_share`` only: value = (1 - share) * v for a ZEV and
  -share * v otherwise, v = the fine per missing credit (short) or min(credit price, fine).
* ``nev_credit`` (China dual credits): credits = min(cap, slope * range + offset) for a BEV,
  ``phev_credits`` for an EREV, times a credit price; no price is sourced, so the value is
  reported as not sourced (NaN) and left out of totals.

A market with no ``[compliance]`` table (Gulf, US) gives NaN and says so. The regulatory CO2 is
read through :func:`regulatory_co2`, which prefers a weighted column when the table has one.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from skateboard.economics.entry import market_file
from skateboard.errors import SpecError
from skateboard.spec.models import validate

POSITIONS = ("short", "compliant")


class ComplianceRule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["co2_per_g", "zev_credit", "nev_credit"]
    currency: str
    source: str = Field(min_length=1)
    applies_from: str
    rate: float | None = None
    target_g_per_km: float | None = None
    fine: float | None = None
    zev_share: float | None = Field(default=None, ge=0, le=1)
    bev_slope_per_km: float | None = None
    bev_offset: float | None = None
    bev_cap: float | None = None
    phev_credits: float | None = None

    def check(self, file: str) -> "ComplianceRule":
        need = {"co2_per_g": ("rate", "target_g_per_km"), "zev_credit": ("fine", "zev_share"),
                "nev_credit": ("bev_slope_per_km", "bev_offset", "bev_cap", "phev_credits")}[self.kind]
        for key in need:
            if getattr(self, key) is None:
                raise SpecError(f"a {self.kind} rule needs {key}", file=file,
                                field=f"compliance.{key}", allowed=", ".join(need))
        return self


def compliance_rule(market) -> ComplianceRule | None:
    if not market.compliance:
        return None
    file = market_file(market)
    return validate(ComplianceRule, market.compliance, file=file, prefix="compliance").check(file)


def regulatory_co2(table: pd.DataFrame) -> pd.Series:
    """The CO2 a regulation counts [g/km]: ``co2_weighted_g_per_km`` where the table has it
    (range-extended variants: utility-factor weighted), else ``co2_g_per_km``."""
    base = table["co2_g_per_km"] if "co2_g_per_km" in table else pd.Series(np.nan, index=table.index)
    if "co2_weighted_g_per_km" in table:
        return table["co2_weighted_g_per_km"].fillna(base)
    return base


def compliance_per_car(rule: ComplianceRule | None, powertrain, co2, electric_range_km,
                       position: str, credit_price: float | None = None) -> tuple[np.ndarray, str]:
    """Value of one more car [rule currency] (arrays over cars) and a note. NaN = not sourced."""
    co2 = np.asarray(co2, float)
    n = co2.shape
    if rule is None:
        return np.full(n, np.nan), "no compliance rule sourced for this market"
    if rule.kind == "co2_per_g":
        per_g = rule.rate if position == "short" else (credit_price or 0.0)
        return per_g * (rule.target_g_per_km - co2), (
            f"{per_g:g} {rule.currency} per g/km against {rule.target_g_per_km:g} g/km ({position})")
    if rule.kind == "zev_credit":
        if position == "short":
            v = rule.fine if credit_price is None else min(credit_price, rule.fine)
        else:
            v = credit_price or 0.0
        zev = np.isfinite(co2) & (co2 <= 0.0)
        value = np.where(zev, (1 - rule.zev_share) * v, -rule.zev_share * v) + 0.0  # no -0
        return value, f"ZEV credit {v:g} {rule.currency}, share {rule.zev_share:.0%} ({position})"
    credits = np.where(np.asarray(powertrain) == "BEV",
                       np.minimum(rule.bev_cap, rule.bev_slope_per_km
                                  * np.asarray(electric_range_km, float) + rule.bev_offset),
                       rule.phev_credits)
    if credit_price is None:
        return np.full(n, np.nan), f"NEV credits {np.nanmean(credits):.2f} per car; credit price not sourced"
    return credits * credit_price, f"NEV credits at {credit_price:g} {rule.currency}"


__all__ = ["ComplianceRule", "POSITIONS", "compliance_per_car", "compliance_rule", "regulatory_co2"]
