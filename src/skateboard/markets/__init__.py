"""Markets as data: which procedure, fuel, climate cases and regulatory metric apply.

The definitions live in ``skateboard/data/markets/*.toml`` (one file per market, sources in
comments); this module only reads and validates them."""

from __future__ import annotations

import functools
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from skateboard.errors import SpecError, unknown_name

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "markets"

class Metric(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["fleet_co2", "zev", "cltc_range", "label", "none"]
    name: str
    target_g_per_km: float | None = None
    note: str = ""


class Market(BaseModel):
    """A market: its headline test procedure (with options), fuel, climate cases [degC] and metric."""

    model_config = ConfigDict(extra="forbid")
    name: str
    title: str
    headline: Literal["wltp", "wltp_3phase", "cltc", "epa", "nedc"]
    procedure_options: dict = {}
    fuel: str
    climate_cases_c: list[float]
    metric: Metric
    #: Market-entry and compliance rules (raw tables, validated by :mod:`skateboard.economics`).
    entry: dict | None = None
    compliance: dict | None = None


def list_markets() -> list[str]:
    return sorted(p.stem for p in DATA_DIR.glob("*.toml"))


@functools.cache
def load_market(name: str) -> Market:
    """A bundled market by name; unknown names list the valid ones."""
    if not isinstance(name, str) or name not in list_markets():  # a name, never a path
        raise unknown_name("market", str(name), list_markets(), field="markets")
    path = DATA_DIR / f"{name}.toml"
    with open(path, "rb") as fh:
        data = tomllib.load(fh)
    try:
        return Market(**data)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise SpecError(err["msg"], file=str(path), field=".".join(str(x) for x in err["loc"]),
                        value=err.get("input", ...)) from None
