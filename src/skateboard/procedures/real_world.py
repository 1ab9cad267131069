"""Real-world climate cases: range at -7, 23, 35 and 45 degC with HVAC loads and pack
temperature (physics.climate), over repeated cycles to depletion (WLTC class 3b by default).

Range-extended variants report their electric range (engine off).

HVAC: each variant's ``hvac_system`` (heat pump or resistive heater) unless ``heat_pump`` forces
one for all. Pack heating (``pack_heating``, default on): below 10 degC the cold-soaked pack is
warmed from its own energy and held warm (:func:`skateboard.physics.climate.pack_heating`): the
warm-up energy leaves the pack before the run (a lower starting SOC), the holding power adds to
the HVAC load, and the pack runs at the target temperature. Assumption: the car starts the test
cold-soaked and unplugged (no preconditioning from the mains), as the winter range tests do."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from skateboard.cycles import load_cycle
from skateboard.errors import SpecError
from skateboard.markets import CLIMATE_CASES_C as CASES_C
from skateboard.physics import climate
from skateboard.physics.constants import KWH
from skateboard.procedures import common as C
from skateboard.table import Table

if TYPE_CHECKING:
    import pandas as pd



def table(variants, *, ambient_c=CASES_C, cycle: str = "wltc_class3b", heat_pump: bool | None = None,
          pack_heating: bool = True, **conditions) -> Table:
    """One row per variant and ambient temperature: range_km, consumption, hvac_power_w
    (cabin HVAC and pack holding power), pack_warmup_kwh."""
    from skateboard.engine.batch import pack_state

    bad = [t for t in ambient_c if not (np.isfinite(t) and -60.0 <= t <= 60.0)]
    if bad:  # a NaN ambient would run the physics at no temperature at all
        raise SpecError("ambient temperature out of range", field="ambient_c", value=bad[0],
                        allowed="a finite temperature from -60 to 60 degC")
    cyc = load_cycle(cycle)
    masses = C.wltp_test_masses(variants)
    hp = [v.hvac_system == "heat_pump" if heat_pump is None else bool(heat_pump) for v in variants]
    soc_max = np.array([pack_state(v.pack)["soc_max"] for v in variants])
    rows = []
    for t in ambient_c:
        hvac = np.array([float(climate.hvac_power(t, heat_pump=h)) for h in hp])
        heat = [climate.pack_heating(t, v.pack.mass, v.pack.gross_energy) if pack_heating
                else (0.0, 0.0, float(climate.battery_temperature_k(t))) for v in variants]
        warm = np.array([h[0] for h in heat])
        hvac = hvac + np.array([h[1] for h in heat])
        temp = np.array([h[2] for h in heat])
        soc0 = soc_max - warm / np.array([v.pack.gross_energy for v in variants])
        res = C.deplete(variants, cyc, masses, hvac_power=hvac, battery_temperature=temp,
                        soc_initial=soc0, **conditions)
        e_ac = C.recharge_energy(variants, res)
        residual = np.abs(res.energy_audit_residual())
        for i, v in enumerate(variants):
            d = res["breakoff_distance"][i]
            rows.append({"variant": v.name, "powertrain": v.powertrain, "procedure": "real-world",
                         "ambient_c": t, "hvac_power_w": float(hvac[i]), "cycle": cyc.name,
                         "pack_warmup_kwh": warm[i] / KWH,
                         "range_km": d / 1000.0, "electric_range_km": d / 1000.0,
                         "consumption_wh_per_km": res["e_battery_terminal"][i] / d / 3.6,
                         "consumption_ac_wh_per_km": e_ac[i] / d / 3.6,
                         "energy_audit_residual": float(residual[i])})
    return Table.from_records(rows)


def run(variants, **options) -> pd.DataFrame:
    """:func:`table` as a DataFrame."""
    return table(variants, **options).to_pandas()
