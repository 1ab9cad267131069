"""Range-extended and series-hybrid cars against their published figures
(``data/validation/erev_published.csv``; ``skateboard validate erev``).

Each row is one published version on one procedure. Rows that can be built run through that
procedure and their published figures are compared:

- ``electric_range_km``: WLTP EAER (:func:`skateboard.procedures.wltp.run`, Euro 6 utility
  factor, d_n = 800 km: the stage a 2024 type approval used; assumption, as in
  ``published.toml``); CLTC pure-electric range (:func:`skateboard.procedures.cltc.run`); China's
  WLTC pure-electric range (its ``wltc_all_electric_range_km``); the EPA label's electric range
  (:func:`skateboard.procedures.epa.run`, 2-cycle adjustment); the NEDC electric range of
  China's pre-2021 figures (:func:`skateboard.procedures.nedc.run`, UN R101 Annex 8);
- ``cs_fuel_l_per_100km``: the charge-sustaining fuel on WLTP (E10), on China's WLTC (CN92,
  GB 27999-2019 4.1.2; docs/china_procedures.md), on CLTC-P where the maker labels its figure
  so (CN92; the Leapmotor C11 REEV's page gives "CLTC最低荷电状态油耗") or on the EPA label;
- ``weighted_co2_g_per_km``: WLTP utility-factor weighted CO2 (Euro 6 stage as above).

Which vehicle: the rows of the bundled C10 REEV's 28.4 kWh pack run ``leapmotor-c10-reev``;
other rows with a spec sheet (curb mass, width x height or frontal area, pack energy, motor
power, engine power or displacement) run the generic vehicle of
:mod:`skateboard.validation.spec_sheet` with a range extender built by :func:`spec_sheet_erev`.
The rest are listed as not scored, with the reason. Nothing is fitted on the file: it is read
only to build (spec columns) and to compare (published columns); every default below is the same
for every row.

Range-extender defaults of a spec-sheet row (assumptions):

- engine shaft power = ``engine_kw``; without it, displacement x :data:`SPECIFIC_POWER`
  45 kW/l (the C10 REEV's 1.5 l engine: 65-70 kW, i.e. 43-47 kW/l, erev_published.csv);
- fuel tank ``tank_l``, else 50 l (the C10's; only the total range depends on it);
- engine map: the dedicated range-extender map of :mod:`skateboard.physics.range_extender`
  (every row's engine is a generator-only range extender), scaled to the engine's published
  peak brake thermal efficiency ``engine_peak_bte_percent`` where the row gives one (a
  technology input with its source, as ``peak_engine_efficiency`` in a TOML; the same for every
  car with that engine, never fitted); generator efficiency, idle fuel,
  minimum on-time: skateboard's range-extender defaults (:mod:`skateboard.spec.models`);
- energy management: :data:`SPEC_SHEET_ENERGY_MANAGEMENT`, the Leapmotor platforms' band
  (``platforms/c10.toml``), with the strategy the run is scored with.

``strategy`` replaces every scored vehicle's strategy (bundled ones too; the SOC band stays), so
the strategies are compared on the same rows: ``skateboard validate erev --strategy ...``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from skateboard.errors import SpecError
from skateboard.validation.cltc import _f, read_csv_rows
from skateboard.validation.defaults import CALIBRATED, GenericDefaults
from skateboard.validation.epa_list import DATA_DIR
from skateboard.validation.predict import error_summary
from skateboard.validation.spec_sheet import missing_inputs, spec_sheet_variant

EREV_FILE = DATA_DIR / "erev_published.csv"
REQUIRED = ("make", "model", "version", "market", "procedure", "electric_range_km",
            "cs_fuel_l_per_100km", "weighted_co2_g_per_km")
#: Row procedure -> how it is run (see the module docstring).
PROCEDURES = {"WLTP": "wltp", "CLTC": "cltc", "WLTC (China MIIT, GB/T 19753)": "china_wltc",
              "EPA (label, adjusted)": "epa", "NEDC": "nedc"}
#: (make, model, version) of rows that run a bundled derivative (same pack as the bundled car).
BUNDLED = {("Leapmotor", "C10 REEV", "EU 28.4 kWh"): "leapmotor-c10-reev",
           ("Leapmotor", "C10 REEV", "CN 2024 28.4 kWh"): "leapmotor-c10-reev"}
SPECIFIC_POWER = 45e3        # W per litre of displacement (assumption, see the docstring)
DEFAULT_TANK = 0.050         # m^3 (assumption: the C10 REEV's 50 l)
#: SOC band of spec-sheet EREVs (fractions of gross energy): the Leapmotor platforms' band.
SPEC_SHEET_ENERGY_MANAGEMENT = {"soc_low": 0.20, "soc_target": 0.25, "soc_high": 0.30, "gain": 1.0}
QUANTITIES = {  # quantity -> (file column, result column per procedure kind)
    "electric_range_km": ("electric_range_km", {"wltp": "electric_range_km", "cltc": "electric_range_km",
                                                "china_wltc": "wltc_all_electric_range_km",
                                                "epa": "electric_range_km", "nedc": "electric_range_km"}),
    "cs_fuel_l_per_100km": ("cs_fuel_l_per_100km", {"wltp": "fuel_cs_l_per_100km",
                                                    "cltc": "fuel_cs_cltc_l_per_100km",
                                                    "china_wltc": "fuel_cs_l_per_100km",
                                                    "epa": "fuel_cs_l_per_100km"}),
    "weighted_co2_g_per_km": ("weighted_co2_g_per_km", {"wltp": "co2_weighted_g_per_km"}),
}
ROW_COLUMNS = ["line", "make", "model", "version", "procedure", "built_from", "strategy",
               "quantity", "published", "predicted", "error_percent"]


@dataclass
class ErevValidation:
    """Result of :func:`validate_erev`: ``rows`` (one per published figure scored,
    :data:`ROW_COLUMNS`), ``skipped`` (file rows not scored, with ``reason``), ``summary``
    (:func:`skateboard.validation.error_summary` per quantity; ``co2_within_10`` counts the cars
    whose weighted CO2 is within +-10 %), ``source`` and ``strategy`` (None: each car's own)."""

    rows: pd.DataFrame
    skipped: pd.DataFrame
    summary: dict[str, Any]
    source: str
    strategy: str | None


def spec_sheet_erev(row, name: str, defaults: GenericDefaults = CALIBRATED, file: str | None = None):
    """The generic EREV of a spec-sheet row: :func:`spec_sheet_variant` plus a range extender
    (defaults in the module docstring). A :class:`SpecError` when engine power and displacement
    are both missing."""
    from skateboard.spec.bounds import check_peak_engine_efficiency
    from skateboard.spec.defaults import COLD_START_FUEL_ENERGY
    from skateboard.spec.fuels import load_fuel
    from skateboard.physics.range_extender import (DEDICATED_EFFICIENCY, DEDICATED_LOAD_FRACTIONS,
                                                   scale_to_peak)
    from skateboard.spec.models import (DEFAULT_FUEL, DEFAULT_GENERATOR_EFFICIENCY,
                                        DEFAULT_IDLE_FUEL_POWER, DEFAULT_MIN_ON_TIME,
                                        DEFAULT_START_FUEL_ENERGY)
    from skateboard.spec.variant import EnergyManagement, RangeExtender

    engine = _f(row.get("engine_kw")) * 1e3
    if not engine > 0:
        engine = _f(row.get("engine_displacement_l")) * SPECIFIC_POWER
    if not engine > 0:
        raise SpecError("spec-sheet inputs missing", file=file, field=name, value=None,
                        allowed="engine_kw or engine_displacement_l")
    tank = _f(row.get("tank_l")) * 1e-3
    peak = _f(row.get("engine_peak_bte_percent") or "") / 100
    efficiency = DEDICATED_EFFICIENCY
    if not math.isnan(peak):
        check_peak_engine_efficiency(f"{name}.engine_peak_bte_percent", peak, file=file, percent=True)
        efficiency = scale_to_peak(DEDICATED_EFFICIENCY, peak)
    v = spec_sheet_variant(row, name, defaults, file)
    rex = RangeExtender(
        name="spec sheet", max_power=engine * DEFAULT_GENERATOR_EFFICIENCY,
        efficiency_load_fractions=DEDICATED_LOAD_FRACTIONS, engine_efficiency=efficiency,
        generator_efficiency=DEFAULT_GENERATOR_EFFICIENCY, idle_fuel_power=DEFAULT_IDLE_FUEL_POWER,
        min_on_time=DEFAULT_MIN_ON_TIME, start_fuel_energy=DEFAULT_START_FUEL_ENERGY,
        cold_start_fuel_energy=COLD_START_FUEL_ENERGY,
        fuel_tank_volume=tank if tank > 0 else DEFAULT_TANK, fuel=DEFAULT_FUEL,
        fuel_properties=load_fuel(DEFAULT_FUEL))
    em = EnergyManagement(strategy="load_following", **SPEC_SHEET_ENERGY_MANAGEMENT)
    return replace(v, powertrain="EREV", range_extender=rex, energy_management=em)


def _with_strategy(v, strategy: str | None):
    if strategy is None or v.energy_management is None:
        return v
    return replace(v, energy_management=replace(v.energy_management, strategy=strategy))


def _ident(r) -> dict[str, Any]:
    return {"line": r["line"], "make": r["make"], "model": r["model"], "version": r["version"],
            "procedure": r["procedure"]}


def validate_erev(path: str | Path = EREV_FILE, *, strategy: str | None = None,
                  defaults: GenericDefaults = CALIBRATED) -> ErevValidation:
    """Score the EREV file; see the module docstring."""
    from skateboard.engine.layout import STRATEGIES
    from skateboard.procedures import cltc, epa, nedc, wltp
    from skateboard.spec import load_derivative, resolve_variant

    if strategy is not None and strategy not in STRATEGIES or strategy == "none":
        raise SpecError("unknown strategy", field="--strategy", value=strategy,
                        allowed=", ".join(s for s in STRATEGIES if s != "none"))
    rows = read_csv_rows(path, REQUIRED, "erev_published.csv")
    built, skipped = [], []
    bundled_cache: dict[str, Any] = {}
    for r in rows:
        kind = PROCEDURES.get(r["procedure"])
        key = (r["make"], r["model"], r["version"])
        published = [q for q, (col, cols) in QUANTITIES.items() if _f(r[col]) > 0 and kind in cols]
        if kind is None:
            skipped.append({**_ident(r), "reason": f"procedure {r['procedure']!r} not modelled"})
        elif not published:
            skipped.append({**_ident(r), "reason": "no published figure this procedure reports"})
        elif key in BUNDLED:
            name = BUNDLED[key]
            if name not in bundled_cache:
                bundled_cache[name] = resolve_variant(load_derivative(name))
            built.append((r, kind, published, bundled_cache[name], "bundled " + name))
        elif missing_inputs(r) or not (_f(r.get("engine_kw")) > 0 or _f(r.get("engine_displacement_l")) > 0):
            miss = missing_inputs(r) or ["engine_kw or engine_displacement_l"]
            skipped.append({**_ident(r), "reason": "missing " + "; ".join(miss)})
        else:
            built.append((r, kind, published, spec_sheet_erev(r, f"line{r['line']}", defaults, str(path)),
                          "spec sheet"))
    runners = {"wltp": lambda vs: wltp.run(vs, uf_stage="euro6"), "cltc": cltc.run,
               "china_wltc": cltc.run, "epa": epa.run, "nedc": nedc.run}
    results: dict[int, pd.Series] = {}
    for kind, run in runners.items():
        idx = [i for i, b in enumerate(built) if b[1] == kind]
        if idx:
            df = run([_with_strategy(built[i][3], strategy) for i in idx])
            for k, i in enumerate(idx):
                results[i] = df.iloc[k]
    out = []
    for i, (r, kind, published, v, how) in enumerate(built):
        used = _with_strategy(v, strategy).energy_management.strategy
        for q in published:
            col, cols = QUANTITIES[q]
            pub, pred = _f(r[col]), float(results[i][cols[kind]])
            out.append({**_ident(r), "built_from": how, "strategy": used, "quantity": q,
                        "published": pub, "predicted": pred, "error_percent": (pred / pub - 1) * 100})
    df = pd.DataFrame(out, columns=ROW_COLUMNS)
    summary: dict[str, Any] = {}
    for q in QUANTITIES:
        part = df[df["quantity"] == q]
        summary[q] = error_summary(part["predicted"], part["published"])
    co2 = df[df["quantity"] == "weighted_co2_g_per_km"]
    summary["co2_within_10"] = {"n": len(co2), "within": int((co2["error_percent"].abs() <= 10).sum())}
    summary["n_skipped"] = len(skipped)
    return ErevValidation(df, pd.DataFrame(skipped, columns=["line", "make", "model", "version",
                                                             "procedure", "reason"]),
                          summary, str(path), strategy)


__all__ = ["EREV_FILE", "ErevValidation", "spec_sheet_erev", "validate_erev"]
