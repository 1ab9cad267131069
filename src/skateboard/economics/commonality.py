"""Commonality: how much of a program's cost and parts its derivatives share.

Each cost group of a variant is one *part* with an identity: a platform part is named by the
platform and the option chosen (``b10:pack:67kwh``, ``b10:drive_units:rear``,
``b10:range_extender:1500cc``; lines every variant of the platform carries, such as the
structure, by the platform alone); the top hat, its assembly and warranty by the body
(``top_hat.body``, default the derivative's name).

Two indices, both 1 when every derivative uses the same parts and lower the less they share:

* **cost-weighted commonality** C_cost = sum over variants of the cost of the parts all the
  variants share / sum over variants of their total cost. It weights each part by its unit
  cost; Johnson & Kirchain (IEEE Trans. Eng. Manag. 57(4), 2010) found commonality weighted by
  a part's fabrication investment to predict the fixed-cost savings of sharing best, and
  investment per part is not in the spec, so unit cost stands in (an approximation we state).
* **part-count commonality** CI = 1 - (u - max_j p_j) / (sum_j p_j - max_j p_j), u the number of
  distinct parts, p_j the parts of variant j: the commonality index of Martin & Ishii (1996),
  one of the six indices compared by Thevenot & Simpson (J. Eng. Design 17(2), 2006).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from skateboard.economics.cost import GROUPS

#: Cost group -> option of the platform that names the part ("" = the platform alone,
#: None = the body).
PART_OF = {
    "cost_pack": "pack", "cost_drive": "drive_units", "cost_range_extender": "range_extender",
    "cost_electrical": "", "cost_thermal": "", "cost_platform_structure": "", "cost_chassis": "",
    "cost_top_hat": None, "cost_assembly": None, "cost_warranty": None,
}


def body_of(variant) -> str:
    """The top hat's part-set name: ``top_hat.body`` or the derivative's name."""
    from skateboard.spec import load_derivative

    if variant.source_file:
        body = load_derivative(variant.source_file).top_hat.body
        if body:
            return body
    return variant.name


def part_table(variants, costs: dict[str, np.ndarray]) -> pd.DataFrame:
    """One row per variant and cost group: ``variant, group, part, cost`` (groups of zero cost,
    e.g. no range extender, are left out)."""
    rows = []
    for i, v in enumerate(variants):
        body = body_of(v)
        for group in GROUPS:
            cost = float(costs[group][i])
            if cost == 0.0:
                continue
            option = PART_OF[group]
            if option is None:
                part = f"body:{body}:{group[5:]}"
            elif option == "":
                part = f"{v.platform}:{group[5:]}"
            else:
                part = f"{v.platform}:{option}:{v.options.get(option, '')}"
            rows.append({"variant": v.name, "group": group, "part": part, "cost": cost})
    return pd.DataFrame(rows, columns=["variant", "group", "part", "cost"])


def commonality(parts: pd.DataFrame) -> dict:
    """Cost-weighted and part-count commonality of the variants in ``parts`` (see module)."""
    names = list(dict.fromkeys(parts["variant"]))
    if not names:
        return {"variants": [], "cost_weighted": np.nan, "part_count": np.nan, "common_parts": []}
    sets = {n: set(parts.loc[parts["variant"] == n, "part"]) for n in names}
    common = set.intersection(*sets.values())
    total = parts["cost"].sum()
    shared = parts.loc[parts["part"].isin(common), "cost"].sum()
    p = np.array([len(s) for s in sets.values()], float)
    u = len(set.union(*sets.values()))
    denom = p.sum() - p.max()
    ci = 1.0 if denom == 0 else 1.0 - (u - p.max()) / denom
    return {"variants": names, "cost_weighted": float(shared / total) if total > 0 else np.nan,
            "part_count": float(ci), "common_parts": sorted(common), "distinct_parts": u}


def commonality_table(parts: pd.DataFrame) -> pd.DataFrame:
    """Parts by variant: the cost of each part in each variant (NaN where it has none) and
    whether all variants share it."""
    if parts.empty:
        return pd.DataFrame(columns=["part", "shared_by_all"])
    wide = parts.pivot_table(index="part", columns="variant", values="cost", aggfunc="sum")
    wide = wide[list(dict.fromkeys(parts["variant"]))]
    wide.insert(0, "shared_by_all", wide.notna().all(axis=1))
    return wide.reset_index()


__all__ = ["PART_OF", "body_of", "commonality", "commonality_table", "part_table"]
