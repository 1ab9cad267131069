"""Sensitivity: a tornado of the NPV difference (licence - own platform).

Each driver is moved alone to its low and high multiplier (``business.sensitivity``; defaults in
:class:`skateboard.economics.business.Sensitivity`), the business case is recomputed, and the
drivers are sorted by the swing |NPV difference at high - at low|. Drivers: cell price (the pack
line), duty rate (every import-duty rate), volume (every yearly volume), royalty (per car),
price (every market price), exchange rate (the value of every cost not priced in the report
currency).
"""

from __future__ import annotations

import pandas as pd

from skateboard.economics.analysis import Context, Scenario, business_case

DRIVERS = ("cell_price", "duty_rate", "volume", "royalty", "price", "exchange_rate")


def tornado(ctx: Context, base: dict | None = None) -> pd.DataFrame:
    """One row per driver: multipliers, NPV difference and licence NPV at low and high, swing;
    sorted by swing, largest first."""
    if ctx.business is None:
        return pd.DataFrame()
    base = base or business_case(ctx)
    ranges = ctx.business.spec.sensitivity.model_dump()
    rows = []
    for name in DRIVERS:
        lo, hi = ranges[name]
        low = business_case(ctx, Scenario(**{name: lo}))
        high = business_case(ctx, Scenario(**{name: hi}))
        rows.append({"driver": name, "low": lo, "high": hi,
                     "npv_difference_low": low["npv_difference"],
                     "npv_difference_high": high["npv_difference"],
                     "npv_license_low": low["npv_license"], "npv_license_high": high["npv_license"],
                     "swing": abs(high["npv_difference"] - low["npv_difference"]),
                     "swing_npv_license": abs(high["npv_license"] - low["npv_license"])})
    out = pd.DataFrame(rows).sort_values("swing", ascending=False, kind="stable")
    out["npv_difference_base"] = base["npv_difference"]
    return out.reset_index(drop=True)


__all__ = ["DRIVERS", "tornado"]
