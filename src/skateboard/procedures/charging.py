"""DC fast charging: time from 10 to 80 % and energy added in 10 and 20 minutes.

The power the pack accepts at its terminals is

    P(soc, T) = min(P_curve(soc) * f(T), P_peak),

with ``soc`` the displayed state of charge (a fraction of the usable energy), ``P_curve`` the
pack's declared curve (``dc_charge_curve`` in the platform file) or the peak power
(``max_charge_power``) times the default shape :data:`DEFAULT_SHAPE`, and ``f`` the
temperature factor (``dc_charge_derating`` or :data:`DEFAULT_DERATING`) at the pack
temperature. The charger is assumed never to limit (a 350 kW station). Energy stored per unit
of displayed SOC is the usable energy; time = integral of usable energy d(soc) / P (losses
inside the pack are not added: assumption, a few per cent at these currents). Charging starts
at the pack temperature of the climate case (:func:`skateboard.physics.climate.battery_temperature_k`:
cold-soaked, no preconditioning, no warming during the session: assumption, so the cold figure
is a worst case).

Default shape (assumption): full power from 10 to 50 % and a taper to 55 % of the peak at 80 %,
as the generic curves of public charging guides describe (constant current to mid-SOC, then a
taper as the cell voltage nears its limit; e.g. Circuit électrique, "Electric vehicles and fast
charging: understanding the charging curve", 2021). Check: the Leapmotor C10's 83 kW pack
(km77.com, C10 2024 "consumo y recarga": 83 kW peak, 30 to 80 % in 30 min at best) gives
29.0 min here (``tests/test_outputs.py``).

Default temperature factor (assumption): 1 from 20 degC up (makers quote their peak power at
room temperature, and the type-approval cell is at 23 degC), 0.5 at 10 degC (the lithium-plating
limit on charge current roughly halves between 25 and 10 degC: evpulse.co.in, "DC fast charging
and battery degradation", 2024), linear between and below, at least 0.25 (from 2.5 degC down).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from skateboard.physics.constants import KWH
from skateboard.table import Table

if TYPE_CHECKING:
    import pandas as pd

#: (displayed SOC, fraction of peak power) of the default curve (assumption, module docstring).
DEFAULT_SHAPE = ((0.0, 0.1, 0.5, 0.8, 0.9, 1.0), (0.8, 1.0, 1.0, 0.55, 0.3, 0.1))
#: (pack temperature [K], power factor) of the default derating (assumption, module docstring).
DEFAULT_DERATING = ((273.15 - 5.0, 273.15 + 2.5, 273.15 + 10.0, 273.15 + 20.0),
                    (0.25, 0.25, 0.5, 1.0))
SOC_START, SOC_END = 0.10, 0.80
MINUTES = (10.0, 20.0)
_GRID = 2001


def power_curve(pack, soc, temperature_k: float) -> np.ndarray:
    """Power [W] the pack accepts at displayed ``soc`` (array) and pack temperature [K]."""
    soc = np.asarray(soc, float)
    curve = getattr(pack, "dc_charge_curve", None)
    if curve is not None:
        p = np.interp(soc, curve[0], curve[1])
    else:
        p = pack.max_charge_power * np.interp(soc, *DEFAULT_SHAPE)
    derating = getattr(pack, "dc_charge_derating", None) or DEFAULT_DERATING
    f = float(np.interp(temperature_k, derating[0], derating[1]))
    return np.minimum(p * f, pack.max_charge_power if curve is None else np.max(curve[1]))


def session(pack, temperature_k: float, soc_start: float = SOC_START,
            soc_end: float = 1.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(soc, time [s], energy added [J]) on a fine SOC grid from ``soc_start``: the time
    integral uses the trapezoidal rule on 1/P, exact for a constant power."""
    soc = np.linspace(soc_start, soc_end, _GRID)
    p = power_curve(pack, soc, temperature_k)
    inv = 1.0 / np.maximum(p, 1.0)
    de = pack.usable_energy * np.diff(soc)
    t = np.concatenate([[0.0], np.cumsum(de * 0.5 * (inv[1:] + inv[:-1]))])
    return soc, t, pack.usable_energy * (soc - soc_start)


def table(variants, *, ambient_c=(23.0,)) -> Table:
    """One row per variant and ambient temperature: ``dc_charge_10_80_min``,
    ``dc_energy_10min_kwh`` and ``dc_energy_20min_kwh`` (from 10 %), ``pack_temperature_c``."""
    from skateboard.physics import climate

    rows = []
    for t_amb in ambient_c:
        tk = float(climate.battery_temperature_k(t_amb))
        for v in variants:
            soc, t, e = session(v.pack, tk)
            row = {"variant": v.name, "ambient_c": float(t_amb), "pack_temperature_c": tk - 273.15,
                   "dc_charge_10_80_min": float(np.interp(SOC_END, soc, t)) / 60.0}
            for m in MINUTES:
                row[f"dc_energy_{m:g}min_kwh"] = float(np.interp(m * 60.0, t, e)) / KWH
            rows.append(row)
    return Table.from_records(rows)


def run(variants, *, ambient_c=(23.0,)) -> pd.DataFrame:
    """:func:`table` as a DataFrame."""
    return table(variants, ambient_c=ambient_c).to_pandas()


__all__ = ["DEFAULT_DERATING", "DEFAULT_SHAPE", "power_curve", "run", "session", "table"]
