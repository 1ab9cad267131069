"""Program economics: what each variant costs, what it costs to sell it in each market, what it
is worth against each market's regulation, and whether licensing the platform pays.

>>> import skateboard
>>> result = skateboard.economics("hongqi-on-b10")          # doctest: +SKIP
>>> result.to_pandas()[["variant", "market", "landed_cost", "margin_per_vehicle"]]  # doctest: +SKIP
>>> result.business_case["npv_license"]                   # doctest: +SKIP

Modules, one job each: :mod:`~skateboard.economics.costbook` (cost books, currencies, price
years), :mod:`~skateboard.economics.cost` (cost of a variant), :mod:`~skateboard.economics.commonality`,
:mod:`~skateboard.economics.entry` (market entry), :mod:`~skateboard.economics.compliance`,
:mod:`~skateboard.economics.business` (cash flows, NPV, IRR, break-even),
:mod:`~skateboard.economics.sensitivity` (tornado), :mod:`~skateboard.economics.analysis` (the
orchestrator), :mod:`~skateboard.economics.sweep_columns` (the sweep's cost columns).
``docs/economics.md`` explains the formulas and every cost line's source.
"""

from __future__ import annotations

import sys
import time
import types
from dataclasses import dataclass, field

import pandas as pd

from skateboard.economics.analysis import COLUMNS, Scenario

#: The keys of each row in JSON output (CLI ``--json`` and the web API).
JSON_ROW_KEYS = ["variant", "market", "powertrain", "currency", "cost_total", "cost_pack",
                 "cost_drive", "cost_range_extender", "cost_top_hat", "platform_cost_share",
                 "ex_works_cost", "shipping_cost", "import_duty", "landed_cost", "compliance_value",
                 "price", "margin_per_vehicle", "volume", "duty_rate", "royalty", "equipment_cost",
                 "compliance_value_if_short", "buyer_tax", "servable", "note"]


@dataclass
class Economics:
    """Result of :func:`economics`.

    rows : DataFrame, one row per variant and market (:data:`COLUMNS`; money in ``currency`` per
        vehicle, ``duty_rate`` a fraction, ``volume`` cars over the plan).
    business_case : dict (empty without a ``[business]`` table): NPVs, IRRs, payback years,
        break-even volumes, cash flows, months earlier.
    commonality : dict of the program's commonality indices; commonality_table : parts by variant.
    tornado : DataFrame of the sensitivity study.
    """

    rows: pd.DataFrame
    business_case: dict = field(default_factory=dict)
    commonality: dict = field(default_factory=dict)
    commonality_table: pd.DataFrame = field(default_factory=pd.DataFrame)
    tornado: pd.DataFrame = field(default_factory=pd.DataFrame)
    program: object = None
    context: object = field(default=None, repr=False)
    seconds: float = 0.0

    def to_pandas(self) -> pd.DataFrame:
        return self.rows

    def to_dict(self) -> dict:
        """JSON-ready: ``rows`` (the :data:`JSON_ROW_KEYS` of each row), ``business_case``,
        ``commonality`` and ``tornado`` (what ``skateboard economics --json`` prints and the web
        app's ``/api/programs/{name}/economics`` returns)."""
        from skateboard.jsonsafe import json_nested, json_records

        keys = [k for k in JSON_ROW_KEYS if k in self.rows.columns]
        return json_nested({"rows": json_records(self.rows[keys]),
                            "business_case": self.business_case,
                            "commonality": self.commonality,
                            "tornado": json_records(self.tornado)})

    def records(self) -> list[dict]:
        return self.rows.to_dict("records")


def economics(program="hongqi-on-b10", markets=None, costs=None, *, sensitivity: bool = True) -> Economics:
    """The economics of a program.

    Parameters
    ----------
    program : str or Program — a bundled name or a program file.
    markets : list of str, optional — the rows' markets (default the program's); the business
        case always covers the markets its volumes name.
    costs : str or path, optional — a cost book laid over the bundled one.
    sensitivity : bool — compute the tornado (a dozen business-case runs).
    """
    from skateboard.economics.analysis import (
        business_case,
        prepare,
        program_commonality,
        table,
    )
    from skateboard.economics.sensitivity import tornado

    t0 = time.perf_counter()
    ctx = prepare(program, markets=markets, costs=costs)
    rows, _ = table(ctx)
    case = business_case(ctx)
    common, common_table = program_commonality(ctx)
    torn = tornado(ctx, case) if sensitivity and case else pd.DataFrame()
    if case and len(torn):
        case["most_sensitive_drivers"] = torn["driver"].head(3).tolist()
    if case:
        case["commonality_cost_weighted"] = common.get("cost_weighted")
        case["commonality_part_count"] = common.get("part_count")
    return Economics(rows=rows, business_case=case, commonality=common,
                     commonality_table=common_table, tornado=torn, program=ctx.program,
                     context=ctx, seconds=time.perf_counter() - t0)


class _CallablePackage(types.ModuleType):
    """Lets ``skateboard.economics(...)`` call :func:`economics` although
    ``skateboard.economics`` is this package (Python binds the submodule to the name)."""

    def __call__(self, program="hongqi-on-b10", markets=None, costs=None, **kw) -> Economics:
        return economics(program, markets=markets, costs=costs, **kw)


sys.modules[__name__].__class__ = _CallablePackage

__all__ = ["COLUMNS", "Economics", "Scenario", "economics"]
