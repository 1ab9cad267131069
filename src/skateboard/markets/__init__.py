"""Markets as data: which procedure, fuel, climate cases and regulatory metric apply.

The definitions live in ``skateboard/data/markets/*.toml`` (one file per market, sources in
comments); this module only reads and validates them."""

from __future__ import annotations

import functools
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from skateboard.errors import SpecError, unknown_name

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "markets"
#: The ambient temperatures [degC] of the real-world climate cases Skateboard reports (one result
#: column each): the WLTP/EPA cold test (-7 degC), the reference (23 degC), an EPA SC03-like hot
#: case (35 degC) and a Gulf summer (45 degC). A market's ``climate_cases_c`` is a subset.
CLIMATE_CASES_C = (-7.0, 23.0, 35.0, 45.0)

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

    @field_validator("climate_cases_c")
    @classmethod
    def _reported_cases(cls, cases: list[float]) -> list[float]:
        unknown = [t for t in cases if t not in CLIMATE_CASES_C]
        if unknown:
            raise ValueError(f"climate cases {unknown} have no result column; allowed: "
                             f"{', '.join(f'{t:g}' for t in CLIMATE_CASES_C)} degC")
        return cases

    @property
    def headline_key(self) -> tuple:
        """(procedure, sorted options, fuel): markets with the same key get the same headline
        figures, so ``evaluate`` and a sweep run that procedure once for all of them."""
        return self.headline, tuple(sorted(self.procedure_options.items())), self.fuel


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
