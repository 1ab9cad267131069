"""Result columns of many variants in many markets, in batch, and the targets they must meet.

:func:`columns_for` computes the columns of ``evaluate`` (``skateboard.evaluation.COLUMNS``) for
a whole population at once: each market's headline procedure, and only the performance runs and
climate cases that the asked-for columns need, each as one batch through the kernel. The cost
columns come from :data:`COST_MODEL`; until the economics model lands that is
:func:`cost_standin`.

Merge points (one line each):

* :data:`COST_MODEL`: the cost model, ``f(variants, markets) -> DataFrame``; switch it to the
  economics model's ``cost_total`` / ``landed_cost`` once ``skateboard.economics`` exists.
* :func:`targets_for`: a variant's targets in one market; switch it to the per-market targets
  of ``skateboard.evaluation`` once they exist.
"""

from __future__ import annotations

import functools
import math
import tomllib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from skateboard.evaluation import (
    CLIMATE_CASES_C,
    HEADLINE,
    MOTORWAY,
    check_targets,
    climate_column,
)
from skateboard.physics.constants import KWH
from skateboard.targets import lookup

COST_FILE = Path(__file__).resolve().parent.parent / "data" / "optimise" / "costs.toml"

#: Columns of each market's headline procedure (evaluate's names, one meaning per column).
HEADLINE_COLUMNS = (*HEADLINE, "energy_audit_residual")
#: Performance columns (the same in every market) -> (from, to) km/h, or None for top speed.
PERFORMANCE_COLUMNS = {"accel_0_100_s": (0.0, 100.0), "accel_80_120_s": (80.0, 120.0),
                       "top_speed_kmh": None}
#: Climate columns -> ambient [degC]; computed in a market only for its climate cases, as in
#: ``evaluate`` (NaN elsewhere).
CLIMATE_COLUMNS = {climate_column(t): t for t in CLIMATE_CASES_C}
#: Motorway range columns (the same in every market), from ``procedures.motorway``.
MOTORWAY_COLUMNS = tuple(MOTORWAY)
#: Input columns of each variant (the same in every market).
INPUT_COLUMNS = ("pack_gross_energy_kwh", "pack_usable_energy_kwh", "drive_peak_power_kw",
                 "curb_mass_kg")
#: Total constraint violation given to a variant whose simulation failed.
ERROR_VIOLATION = 1.0e3


# ---------------------------------------------------------------------------------------------
# Cost stand-in
# ---------------------------------------------------------------------------------------------

@functools.cache
def cost_data() -> dict:
    """The cost figures of ``data/optimise/costs.toml`` (sources in that file)."""
    with open(COST_FILE, "rb") as fh:
        return tomllib.load(fh)


def pack_cost_per_kwh(gross_kwh, chemistry: str, model_year: int | None = None) -> np.ndarray:
    """Direct cost [USD 2022 per gross kWh] of a pack, Argonne's curve as used by EPA OMEGA:
    ``a + b / kWh**c - d t exp(-e t)``, ``t = model_year - 2023`` (small packs cost more per kWh).
    """
    data = cost_data()
    k = data["pack"][chemistry]
    t = float((model_year or data["model_year"]) - 2023)
    e = np.asarray(gross_kwh, float)
    return k["a"] + k["b"] / e ** k["c"] - k["d"] * t * math.exp(-k["e"] * t)


def drive_unit_cost(peak_kw) -> np.ndarray:
    """Direct cost [USD 2022] of one drive unit's motor and inverter (FEV, via EPA OMEGA)."""
    d = cost_data()["drive_unit"]
    kw = np.asarray(peak_kw, float)
    return (d["motor_per_kw"] + d["inverter_per_kw"]) * kw + d["motor_fixed"] + d["inverter_fixed"]


def cost_standin(variants: Sequence, markets: Sequence) -> pd.DataFrame:
    """STAND-IN for the economics model's cost: pack gross energy x its cost per kWh plus each
    drive unit's peak power x a cost per kW (plus the unit's fixed part), direct cost in USD of
    2022 (``data/optimise/costs.toml``). The same in every market.

    Returns one row per variant x market (variant-major), column ``cost_standin`` [USD 2022].
    """
    gross = np.array([v.pack.gross_energy / KWH for v in variants])
    chem = np.array([v.pack.chemistry for v in variants])
    pack = np.zeros(len(variants))
    for c in np.unique(chem):
        sel = chem == c
        pack[sel] = gross[sel] * pack_cost_per_kwh(gross[sel], str(c))
    drive = np.array([float(sum(drive_unit_cost(du.peak_power / 1e3) for du in v.drive_units))
                      for v in variants])
    cost = pack + drive
    return pd.DataFrame({"cost_standin": np.repeat(cost, len(markets))})


cost_standin.columns = ("cost_standin",)            # the columns it returns
cost_standin.market_independent = ("cost_standin",)  # columns equal in every market
cost_standin.unit = "USD (2022), direct cost of pack and drive units (stand-in)"

def cost_economics(variants, markets) -> pd.DataFrame:
    """Manufacturing cost of each variant from the economics cost book (``cost_total`` and its
    breakdown, :func:`skateboard.economics.cost.variant_costs`), the same in every market, in
    EUR of 2026 with the Hangzhou plant's pack prices: the bundled program's ``[business]``
    currency, price year and plant (``data/costs/2026.toml``; docs/economics.md)."""
    from skateboard.economics.cost import features_of, variant_costs
    from skateboard.economics.costbook import load_cost_book

    book = load_cost_book()
    plant = book.plants.get(ECONOMICS_PLANT)
    f = features_of(variants, book, ECONOMICS_CURRENCY, ECONOMICS_PRICE_YEAR)
    c = variant_costs(f, book, ECONOMICS_CURRENCY, ECONOMICS_PRICE_YEAR,
                      pack_factor=plant.pack_price_factor if plant is not None else 1.0)
    k = len(markets)
    return pd.DataFrame({col: np.repeat(c[col], k) for col in cost_economics.columns})


ECONOMICS_CURRENCY, ECONOMICS_PRICE_YEAR, ECONOMICS_PLANT = "EUR", 2026, "hangzhou"
cost_economics.columns = ("cost_total", "cost_pack", "cost_drive", "cost_range_extender")
cost_economics.market_independent = cost_economics.columns
cost_economics.unit = "EUR (2026) per vehicle, manufacturing cost from the economics cost book"

#: The cost model: a function ``(variants, markets) -> DataFrame`` with one row per variant x
#: market (variant-major) and attributes ``columns`` (the first is the default cost objective),
#: ``market_independent`` and ``unit``. :func:`cost_standin` (pack and drive units only) is kept
#: for comparison.
COST_MODEL = cost_economics


# ---------------------------------------------------------------------------------------------
# Targets
# ---------------------------------------------------------------------------------------------

def targets_for(program, variant: str, market: str) -> dict:
    """The targets of ``variant`` in ``market`` (target name -> limit): the variant-wide ones
    overridden by the market's own table (:func:`skateboard.targets.for_market`, as evaluate
    applies them)."""
    from skateboard.targets import for_market

    return for_market((getattr(program, "targets", {}) or {}).get(variant, {}), market)


def check_rows(table: pd.DataFrame, targets: dict, *, file=None,
               variant=None) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Rows of a ``columns_for`` table against one set of targets.

    The verdict is ``skateboard.evaluation.check_targets`` on each row (a missing value does not
    fail). The violation, for ranking the rows that fail, is the sum over targets of the shortfall
    relative to the limit, ``max(0, limit - value) / |limit|`` for a minimum and
    ``max(0, value - limit) / |limit|`` for a maximum; a row with an ``error`` gets
    :data:`ERROR_VIOLATION`.

    Returns (met, violation, failed text) per row."""
    n = len(table)
    check_targets({}, targets, file=file, variant=variant)  # unknown target names -> SpecError
    violation = np.zeros(n)
    for key, limit in targets.items():
        target = lookup(key)
        kind = target.kind
        v = np.full(n, np.nan)
        for col in target.columns:  # the first column with a value, as evaluate checks it
            if col in table:
                v = np.where(np.isnan(v), table[col].to_numpy(dtype=float), v)
        g = (limit - v) if kind == "min" else (v - limit)
        g = np.maximum(g, 0.0) / max(abs(float(limit)), 1e-12)
        violation += np.where(np.isnan(g), 0.0, g)
    cols = sorted({c for k in targets for c in lookup(k).columns if c in table})
    met = np.ones(n, dtype=bool)
    failed = [""] * n
    if targets:
        arrays = [table[c].to_numpy(dtype=float).tolist() for c in cols]
        for i, values in enumerate(zip(*arrays)):
            ok, why = check_targets(dict(zip(cols, values)), targets)
            met[i] = bool(ok)
            failed[i] = "; ".join(why)
    # the verdict is evaluate's; the violation only ranks the rows that fail
    violation = np.where(met, 0.0, np.maximum(violation, 1e-9))
    if "error" in table:
        err = table["error"].notna().to_numpy()
        met &= ~err
        violation = np.where(err, ERROR_VIOLATION, violation)
        failed = [f"error: {e}" if isinstance(e, str) else f
                  for f, e in zip(failed, table["error"])]
    return met, violation, failed


# ---------------------------------------------------------------------------------------------
# Columns in batch
# ---------------------------------------------------------------------------------------------

def _chunks(variants: Sequence) -> list[list[int]]:
    """Positions grouped for procedure calls: battery-electric and range-extended variants in
    batches of the sweep's sizes (range-extended runs keep a time series per variant)."""
    from skateboard.explore.sweep import BEV_BATCH, EREV_BATCH

    bev = [i for i, v in enumerate(variants) if v.range_extender is None]
    rex = [i for i, v in enumerate(variants) if v.range_extender is not None]
    return ([bev[i:i + BEV_BATCH] for i in range(0, len(bev), BEV_BATCH)]
            + [rex[i:i + EREV_BATCH] for i in range(0, len(rex), EREV_BATCH)])


def _batched(fn, variants: Sequence, errors: list, label: str) -> dict[str, np.ndarray]:
    """``fn(list of variants) -> {column: array}`` over the batches of :func:`_chunks`; a batch
    that raises is retried variant by variant so one failure stays with its variant."""
    n = len(variants)
    out: dict[str, np.ndarray] = {}

    def put(idx, res):
        for c, a in res.items():
            if c not in out:
                out[c] = (np.full(n, None, dtype=object) if np.asarray(a).dtype == object
                          else np.full(n, np.nan))
            out[c][idx] = a

    for idx in _chunks(variants):
        try:
            put(idx, fn([variants[i] for i in idx]))
        except Exception:  # noqa: BLE001 - isolate the variant(s) that fail, keep the others
            for i in idx:
                try:
                    put([i], fn([variants[i]]))
                except Exception as exc:  # noqa: BLE001
                    errors[i] = errors[i] or f"{label}: {type(exc).__name__}: {exc}"
    return out


def _headline(market, fuel):
    from skateboard.procedures import PROCEDURES

    def run(vs):
        df = PROCEDURES[market.headline](vs, fuel=fuel, **dict(market.procedure_options))
        out = {c: (df[c].to_numpy(dtype=float) if c in df else np.full(len(vs), np.nan))
               for c in HEADLINE_COLUMNS}
        proc = df["procedure"].astype(str)
        if "method" in df:
            proc = proc + df["method"].map(lambda m: f" {m}" if isinstance(m, str) else "")
        out["procedure"] = proc.to_numpy(dtype=object)
        return out
    return run


def columns_for(variants: Sequence, markets: Sequence, columns: Sequence[str] | None = None
                ) -> pd.DataFrame:
    """The ``evaluate`` columns of every variant in every market, computed in batch.

    Parameters
    ----------
    variants : resolved :class:`~skateboard.spec.variant.Variant` objects.
    markets : market names or :class:`~skateboard.markets.Market` objects.
    columns : the columns wanted (default all); performance runs and climate cases no wanted
        column needs are skipped (their columns are NaN).

    Returns
    -------
    DataFrame, one row per variant x market (variant-major): ``index`` (position in
    ``variants``), ``variant``, ``powertrain``, ``market``, ``procedure``, the headline,
    performance and climate columns of ``evaluate``, :data:`INPUT_COLUMNS`, the cost model's
    columns, and ``error`` (None, or why the variant's simulation failed).
    """
    from skateboard.markets import load_market
    from skateboard.procedures import performance, real_world
    from skateboard.spec import load_fuel

    mkts = [load_market(m) if isinstance(m, str) else m for m in markets]
    want = set(columns) if columns is not None else None
    n, k = len(variants), len(mkts)
    errors: list = [None] * n

    head: dict = {}
    per_market = []
    for mk in mkts:
        key = (mk.headline, tuple(sorted(dict(mk.procedure_options).items())), mk.fuel)
        if key not in head:
            head[key] = _batched(_headline(mk, load_fuel(mk.fuel)), variants, errors, mk.name)
        per_market.append(head[key])

    perf = {}
    for col, span in PERFORMANCE_COLUMNS.items():
        if want is None or col in want:
            if span is None:
                fn = lambda vs: {col: performance.top_speed(vs)}  # noqa: E731
            else:
                fn = (lambda a, b, c: lambda vs: {c: performance.acceleration_time(vs, a, b)})(
                    span[0], span[1], col)
            perf.update(_batched(fn, variants, errors, "performance"))

    motorway = {}
    if want is None or want & set(MOTORWAY_COLUMNS):
        from skateboard.procedures import motorway as M

        def run_motorway(vs):
            df = M.run(vs)
            return {c: df[c].to_numpy(dtype=float) for c in MOTORWAY_COLUMNS}
        motorway = _batched(run_motorway, variants, errors, "motorway")

    temps = sorted({CLIMATE_COLUMNS[c] for c in CLIMATE_COLUMNS if want is None or c in want}
                   & {t for mk in mkts for t in mk.climate_cases_c})
    climate = {}
    if temps:
        def run_climate(vs):
            df = real_world.run(vs, ambient_c=temps)
            r = df["range_km"].to_numpy(dtype=float).reshape(len(temps), len(vs))
            return {t: r[j] for j, t in enumerate(temps)}
        climate = _batched(run_climate, variants, errors, "climate")

    data: dict = {
        "index": np.repeat(np.arange(n), k),
        "variant": np.repeat(np.array([v.name for v in variants], dtype=object), k),
        "powertrain": np.repeat(np.array([v.powertrain for v in variants], dtype=object), k),
        "market": np.tile(np.array([mk.name for mk in mkts], dtype=object), n),
    }
    proc = np.empty((n, k), dtype=object)
    for j, res in enumerate(per_market):
        proc[:, j] = res.get("procedure", np.full(n, None, dtype=object))
    data["procedure"] = proc.ravel()
    for c in HEADLINE_COLUMNS:
        data[c] = np.column_stack([res.get(c, np.full(n, np.nan)) for res in per_market]).ravel()
    for c in PERFORMANCE_COLUMNS:
        data[c] = np.repeat(perf.get(c, np.full(n, np.nan)), k)
    for c in MOTORWAY_COLUMNS:
        data[c] = np.repeat(motorway.get(c, np.full(n, np.nan)), k)
    for c, t in CLIMATE_COLUMNS.items():
        block = np.full((n, k), np.nan)
        for j, mk in enumerate(mkts):
            if t in climate and t in mk.climate_cases_c:
                block[:, j] = climate[t]
        data[c] = block.ravel()
    data["pack_gross_energy_kwh"] = np.repeat([v.pack.gross_energy / KWH for v in variants], k)
    data["pack_usable_energy_kwh"] = np.repeat([v.pack.usable_energy / KWH for v in variants], k)
    data["drive_peak_power_kw"] = np.repeat(
        [sum(du.peak_power for du in v.drive_units) / 1e3 for v in variants], k)
    data["curb_mass_kg"] = np.repeat([v.curb_mass for v in variants], k)
    table = pd.DataFrame(data)
    costs = COST_MODEL(variants, mkts)
    for c in COST_MODEL.columns:
        table[c] = costs[c].to_numpy()
    table["error"] = np.repeat(np.array(errors, dtype=object), k)
    return table


__all__ = ["CLIMATE_COLUMNS", "COST_MODEL", "HEADLINE_COLUMNS", "INPUT_COLUMNS",
           "MOTORWAY_COLUMNS", "PERFORMANCE_COLUMNS", "check_rows", "columns_for", "cost_economics", "cost_standin", "targets_for"]
