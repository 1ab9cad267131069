"""China: CLTC-P range and consumption (GB/T 18386.1-2021) and, for range-extended cars, the
pure-electric range on CLTC-P with the charge-sustaining fuel on WLTC (GB 27999-2019 4.1.2,
GB/T 19753-2021).

BEV, what the model follows (docs/china_procedures.md gives each source and what is open):

- test mass kerb + 100 kg for M1, N1 and M2 up to 3500 kg (GB/T 18386-2017 4.3.1, as
  transcribed in study notes of that text; the 2021 edition's clause 4.3 was not read and is
  taken to keep it: assumption);
- test room and soak at 23 degC (GB/T 18386.1-2021 4.1.1-4.1.2): the pack runs at
  :data:`TEST_TEMPERATURE_K` unless the caller gives ``battery_temperature``;
- heating and cooling off: the heater and air-conditioning tests are informative annexes
  (A and B) of GB/T 18386.1-2021, not the declared figure;
- conventional method: CLTC-P cycles from full charge until break-off. Shortened method: the
  same structure as WLTP's STP with CLTC-P dynamic segments and 100 km/h constant-speed
  segments [assumption: we model the shortened method by analogy with GTR 15's STP; the
  standard's own segment rules (its informative Annex D shows the REESS SOC profile) were not
  available to us]. The standard prescribes the conventional method when the range is at most
  8 CLTC-P cycles and the shortened one beyond [REFERENCE, not verified in the text];
  ``method="auto"`` does that. Energy is the REESS DC energy (GB/T 18386.1-2021 has a normative
  Annex E, "REESS current and voltage measurement"); the range is UBE / EC_DC as in WLTP's STP.

Range-extended (off-vehicle-charging hybrid) cars: GB 27999-2019 4.1.2 determines the fuel and
electric energy consumption of OVC hybrids "per GB/T 19753 on the WLTC", while makers publish the
pure-electric range on CLTC beside it (docs/china_procedures.md section 1). So:

- ``electric_range_km`` = ``all_electric_range_km``: the pure-electric range on CLTC-P (from
  full charge until the engine first starts), at the China test mass;
- ``fuel_cs_l_per_100km``: the charge-sustaining fuel on WLTC class 3b
  with China's 92-octane reference fuel, at the WLTP test-mass rule (GB/T 19753-2021 cites
  GB 18352.6-2016, China 6, whose type-1 test is WLTP's; taking GTR 15's test mass for it is an
  assumption: the clause was not read). ``co2_cs_g_per_km`` the matching CS CO2. No
  utility-factor weighting: GB/T 19753-2021 Appendix F's UF curve was not found (open), so
  ``fuel_weighted_l_per_100km`` and ``co2_weighted_g_per_km`` stay empty;
- ``wltc_all_electric_range_km``: the pure-electric range on WLTC (makers publish it too);
  ``fuel_cs_cltc_l_per_100km``: the CS fuel on CLTC-P, informational (no label shows it);
- ``range_km``: CLTC pure-electric range + tank / CS fuel on CLTC-P (a maker-style combined
  range; not a regulatory figure: assumption).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from skateboard.cycles import load_cycle
from skateboard.procedures import common as C
from skateboard.procedures import wltp
from skateboard.spec.batch import has_range_extender, pack_column, part_column, take
from skateboard.table import Table

if TYPE_CHECKING:
    import pandas as pd

CYCLE = "cltc_p"
CONVENTIONAL_MAX_CYCLES = 8
#: Test room and soak temperature [K]: 23 degC (GB/T 18386.1-2021 4.1.1, 4.1.2).
TEST_TEMPERATURE_K = 296.15


def methods_for(variants, method: str = "auto") -> np.ndarray:
    """"STP" (shortened) or "CCP" (conventional) for each variant. ``auto`` applies the
    standard's rule per variant: conventional when the range is at most 8 CLTC-P cycles,
    estimated as usable energy / 120 Wh/km (a low CLTC consumption, so long-range cars are not
    misclassified)."""
    if method != "auto":
        return np.full(len(variants), method, dtype=object)
    cyc = load_cycle(CYCLE)
    usable = pack_column(variants, "usable_energy")
    long_range = usable / (120 * 3.6) > CONVENTIONAL_MAX_CYCLES * cyc.distance
    return np.where(long_range, "STP", "CCP").astype(object)


def auto_methods(variants) -> np.ndarray:
    """The method ``auto`` picks for each variant on its own: :func:`methods_for` for a
    battery-electric variant, ``"auto"`` for a range-extended one (its CD and CS tests have one
    structure). Sweeps group their batches by it, so each batch runs one method."""
    return np.where(has_range_extender(variants), "auto", methods_for(variants)).astype(object)


def table(variants, *, method: str = "auto", fuel=None, **conditions) -> Table:
    """China figures, one row per variant in input order (see the module docstring). Each
    variant's method depends on that variant alone, so results never depend on which variants
    share the batch."""
    from skateboard.spec.fuels import load_fuel

    cyc = load_cycle(CYCLE)
    fuel = fuel or load_fuel("CN92")
    conditions.setdefault("battery_temperature", TEST_TEMPERATURE_K)
    methods = methods_for(variants, method)
    parts = []
    for m in sorted(set(methods.tolist())):
        idx = np.flatnonzero(methods == m)
        parts.append((idx, wltp.range_test(take(variants, idx), cyc, m, fuel,
                                           wltp.UF_DN_KM["euro6"], "CLTC", C.china_test_masses,
                                           **conditions)))
    out = parts[0][1] if len(parts) == 1 else Table.stack(parts, len(variants))
    rex = has_range_extender(variants)
    out["method"] = np.where(rex, "EREV: CD on CLTC-P, CS on WLTC",
                             np.where(methods == "STP", "shortened", "conventional")).astype(object)
    erev = np.flatnonzero(rex)
    if len(erev):
        _erev_china(out, take(variants, erev), erev, fuel, **conditions)
    return out


def run(variants, **options) -> pd.DataFrame:
    """:func:`table` as a DataFrame."""
    return table(variants, **options).to_pandas()


def _erev_china(out: Table, vs, idx, fuel, **conditions) -> None:
    """Replace the range-extended rows' figures by China's: CLTC pure-electric range, WLTC CS fuel."""
    masses = C.wltp_test_masses(vs)
    w = wltp.ovc_columns(vs, load_cycle(wltp.CYCLE), masses, fuel=fuel,
                         d_n_km=wltp.UF_DN_KM["euro6"], procedure="CLTC", **conditions)
    cltc_cs = np.asarray(out["fuel_cs_l_per_100km"], dtype=float)[idx]
    aer = np.asarray(out["all_electric_range_km"], dtype=float)[idx]
    tank = part_column(vs, "range_extender", "fuel_tank_volume") * 1e5  # l x 100
    residual = np.asarray(out["energy_audit_residual"], dtype=float)[idx]
    out.set_rows("fuel_cs_cltc_l_per_100km", idx, cltc_cs)
    out.set_rows("electric_range_km", idx, aer)
    out.set_rows("range_km", idx, aer + tank / cltc_cs)
    out.set_rows("fuel_cs_l_per_100km", idx, np.asarray(w["fuel_cs_l_per_100km"]))
    # the weighted figure (GB/T 19753's own utility factor) is not implemented, so it is left
    # empty rather than given with Europe's weighting (docs/results.md)
    out.set_rows("fuel_weighted_l_per_100km", idx, [np.nan] * len(idx))
    out.set_rows("co2_cs_g_per_km", idx, np.asarray(w["co2_cs_g_per_km"]))
    out.set_rows("co2_weighted_g_per_km", idx, [np.nan] * len(idx))
    out.set_rows("wltc_all_electric_range_km", idx, np.asarray(w["all_electric_range_km"]))
    out.set_rows("cs_test_mass_kg", idx, masses[:, 0])
    out.set_rows("utility_factor", idx, [np.nan] * len(idx))
    out.set_rows("energy_audit_residual", idx,
                 np.maximum(residual, np.asarray(w["energy_audit_residual"], dtype=float)))
