"""Battery pack as an equivalent circuit: open-circuit voltage over SOC and a series resistance.

P_terminal = V_oc * I - R * I**2   (discharge positive, docs/physics.md, sign conventions)

solved exactly for the current. Cell curves are scaled to the pack by its nominal voltage.

References
----------
- OCV shapes: representative curves digitised for a graphite/LFP cell (flat plateau near
  3.3 V; Prada et al., J. Electrochem. Soc. 160 (2013) A616, PyBaMM parameter set
  ``Prada2013``) and a graphite/NMC811 cell (Chen et al., J. Electrochem. Soc. 167 (2020)
  080534, PyBaMM ``Chen2020``). Assumption: read off those papers' figures at 10 % steps, not
  a fit to any maker's cell.
- Resistance: PyBaMM ``ecm/example_set.py``: DCIR 1 mOhm at 25 degC and 50 % SOC for a
  100 Ah cell, quadratic in SOC rising to 1.2x at 0 and 100 %, Arrhenius in temperature with
  Ea = 20 kJ/mol. We keep that shape and scale it to the pack's resistance.
"""

from __future__ import annotations

import numpy as np

from skateboard.jitcache import njit

GAS_CONSTANT = 8.314462618  # J/(mol K), CODATA 2018
T_REF = 298.15              # K, 25 degC, reference temperature of the pack resistance
ACTIVATION_ENERGY = 20_000.0  # J/mol, PyBaMM ecm example_set (see module docstring)
RESISTANCE_SOC_CURVATURE = 0.8  # R(soc)/R(0.5) = 1 + 0.8 (soc - 0.5)^2 -> 1.2 at 0 and 1

CHEMISTRIES = ("LFP", "NMC")
#: nominal cell voltage [V] (docs/sources.md: LFP 3.2-3.3 V, NMC 3.6-3.7 V)
CELL_NOMINAL_VOLTAGE = {"LFP": 3.2, "NMC": 3.65}
#: cell voltage limits [V] (docs/sources.md: LFP 2.5-3.65 V, NMC 3.0-4.2 V)
CELL_VOLTAGE_LIMITS = {"LFP": (2.5, 3.65), "NMC": (3.0, 4.2)}

_SOC_POINTS = np.linspace(0.0, 1.0, 11)
#: cell OCV [V] at SOC 0, 0.1, ..., 1.0
CELL_OCV = {
    "LFP": np.array([2.90, 3.20, 3.24, 3.27, 3.29, 3.30, 3.31, 3.32, 3.33, 3.34, 3.45]),
    "NMC": np.array([3.30, 3.50, 3.58, 3.63, 3.67, 3.72, 3.79, 3.87, 3.95, 4.05, 4.17]),
}
OCV_TABLE_POINTS = 101  # the kernel's uniform OCV table resolution


def ocv_table(chemistry: str, nominal_voltage: float, points: int = OCV_TABLE_POINTS) -> np.ndarray:
    """Pack OCV [V] on a uniform SOC grid of ``points`` from 0 to 1.

    The cell curve is scaled by ``nominal_voltage / CELL_NOMINAL_VOLTAGE[chemistry]``
    (the number of cells in series, kept fractional so the pack's quoted voltage is kept)."""
    soc = np.linspace(0.0, 1.0, points)
    scale = nominal_voltage / CELL_NOMINAL_VOLTAGE[chemistry]
    return np.interp(soc, _SOC_POINTS, CELL_OCV[chemistry]) * scale


def voltage_limits(chemistry: str, nominal_voltage: float) -> tuple[float, float]:
    """Pack terminal voltage limits [V] (min, max)."""
    scale = nominal_voltage / CELL_NOMINAL_VOLTAGE[chemistry]
    lo, hi = CELL_VOLTAGE_LIMITS[chemistry]
    return lo * scale, hi * scale


def charge_capacity(table: np.ndarray, gross_energy: float) -> float:
    """Charge capacity [C] such that the OCV integral from SOC 0 to 1 equals ``gross_energy`` [J]."""
    soc = np.linspace(0.0, 1.0, len(table))
    return gross_energy / np.trapezoid(table, soc)


def energy_between(table: np.ndarray, capacity: float, soc_low: float, soc_high: float) -> float:
    """Energy [J] at open-circuit voltage between two SOCs (exact for the piecewise-linear table)."""
    grid = np.linspace(0.0, 1.0, len(table))
    inner = grid[(grid > soc_low) & (grid < soc_high)]
    s = np.concatenate([[soc_low], inner, [soc_high]])
    return capacity * np.trapezoid(np.interp(s, grid, table), s)


def _integral_at_knots(tables: np.ndarray) -> np.ndarray:
    """Integral of each uniform table (tables x points) from SOC 0 to each knot [V]."""
    k = tables.shape[1] - 1
    return np.concatenate([np.zeros((len(tables), 1)),
                           np.cumsum(0.5 * (tables[:, 1:] + tables[:, :-1]), axis=1) / k], axis=1)


def charge_energy_below(tables: np.ndarray, rows, soc) -> np.ndarray:
    """Integral of the OCV [V] from SOC 0 to ``soc`` (clipped to [0, 1]) for each ``rows`` entry
    of the uniform tables ``tables`` (tables x points): exact for the piecewise-linear table, as
    :func:`energy_between` is; x capacity [C] gives energy [J]. Vectorised over variants: the
    table's integral up to each knot, plus the trapezoid from that knot to ``soc``."""
    tables = np.asarray(tables, dtype=float)
    k = tables.shape[1] - 1
    at_knots = _integral_at_knots(tables)
    rows = np.asarray(rows, dtype=np.intp)
    s = np.clip(np.asarray(soc, dtype=float), 0.0, 1.0)
    j = np.minimum((s * k).astype(np.intp), k - 1)
    v0 = tables[rows, j]
    v_s = v0 + (tables[rows, j + 1] - v0) * (s * k - j)
    return at_knots[rows, j] + (s - j / k) * 0.5 * (v0 + v_s)


def soc_at_charge_energy(tables: np.ndarray, rows, integral) -> np.ndarray:
    """The inverse of :func:`charge_energy_below`: the SOC whose OCV integral from SOC 0 is
    ``integral`` [V] (clipped to the table's range), for each ``rows`` entry. Exact for the
    piecewise-linear table: in the knot interval holding the integral, the integral is quadratic
    in SOC, I(s) = I_j + v_j x + a x^2 / 2 with x = s - s_j and a the interval's slope, solved
    as x = 2 r / (v_j + sqrt(v_j^2 + 2 a r)), r = integral - I_j (no cancellation; v_j > 0)."""
    tables = np.asarray(tables, dtype=float)
    k = tables.shape[1] - 1
    at_knots = _integral_at_knots(tables)
    rows = np.asarray(rows, dtype=np.intp)
    cum = at_knots[rows]
    target = np.clip(np.asarray(integral, dtype=float), 0.0, cum[:, -1])
    j = np.clip(np.sum(cum <= target[:, None], axis=1) - 1, 0, k - 1)
    v0 = tables[rows, j]
    slope = (tables[rows, j + 1] - v0) * k
    r = target - cum[np.arange(len(rows)), j]
    x = 2.0 * r / (v0 + np.sqrt(np.maximum(v0 * v0 + 2.0 * slope * r, 0.0)))
    return np.clip(j / k + x, 0.0, 1.0)


def usable_windows(tables: np.ndarray, rows, capacity, usable_energy,
                   top_share: float = 0.25) -> tuple[np.ndarray, np.ndarray]:
    """SOC limits (low, high) whose OCV energy equals ``usable_energy`` [J], for packs of
    ``capacity`` [C] on the ``rows`` entries of the uniform OCV ``tables``: vectorised over
    packs (a sweep of pack sizes has one pack per variant).

    The unusable energy (gross - usable) is kept as a buffer, ``top_share`` of it at the top and
    the rest at the bottom. Assumption: makers keep most of the buffer at the bottom, where
    power capability and ageing are worst; 25 % on top is our generic split. A usable energy at
    or above gross gives the whole table, (0, 1)."""
    tables = np.asarray(tables, dtype=float)
    rows = np.asarray(rows, dtype=np.intp)
    capacity = np.asarray(capacity, dtype=float)
    total = _integral_at_knots(tables)[rows, -1]            # [V]: gross energy / capacity
    buffer = np.maximum(total - np.asarray(usable_energy, dtype=float) / capacity, 0.0)
    top = total - buffer * top_share
    high = np.where(buffer > 0.0, soc_at_charge_energy(tables, rows, top), 1.0)
    low = np.where(buffer > 0.0, soc_at_charge_energy(tables, rows, top - (total - buffer)), 0.0)
    return low, high


def usable_window(table: np.ndarray, capacity: float, usable_energy: float,
                  top_share: float = 0.25) -> tuple[float, float]:
    """One pack's usable SOC window: :func:`usable_windows` for one table."""
    low, high = usable_windows(np.asarray(table, dtype=float)[None, :], [0], [capacity],
                               [usable_energy], top_share)
    return float(low[0]), float(high[0])


@njit(cache=True, error_model="numpy")
def resistance_at_soc(resistance_mid, soc):
    """Pack resistance [Ohm] at ``soc`` from its value at 50 % SOC: quadratic in SOC,
    1 + 0.8 (soc - 0.5)^2 (:data:`RESISTANCE_SOC_CURVATURE`)."""
    d = soc - 0.5
    return resistance_mid * (1.0 + RESISTANCE_SOC_CURVATURE * d * d)


@njit(cache=True, error_model="numpy")
def resistance_factor(soc: float, temperature: float) -> float:
    """R(soc, T) / R(0.5, 25 degC): quadratic in SOC, Arrhenius in temperature [K]."""
    return resistance_at_soc(1.0, soc) * np.exp(
        ACTIVATION_ENERGY / GAS_CONSTANT * (1.0 / temperature - 1.0 / T_REF))


@njit(cache=True, error_model="numpy")
def current_for_power(power: float, ocv: float, resistance: float):
    """Current [A] that delivers terminal ``power`` [W] (discharge > 0): the smaller root of
    R I^2 - V_oc I + P = 0, in the numerically stable form 2 P / (V_oc + sqrt(disc)).

    Returns (current, feasible): ``feasible`` is False when the power exceeds the pack's maximum
    power V_oc^2 / (4 R); the current is then not meaningful (the maximum-power current is
    V_oc / (2 R))."""
    disc = ocv * ocv - 4.0 * resistance * power
    return 2.0 * power / (ocv + np.sqrt(max(disc, 0.0))), disc >= 0.0


@njit(cache=True, error_model="numpy")
def power_at_current(ocv, resistance, current):
    """Terminal power [W] the pack gives at discharge ``current`` [A] (V_oc I - R I^2), or its
    maximum power V_oc^2 / (4 R) when ``current`` lies beyond the maximum-power point."""
    i = min(current, 0.5 * ocv / resistance)
    return ocv * i - resistance * i * i


@njit(cache=True, error_model="numpy")
def voltage_window_limits(ocv, inv_resistance, v_min, v_max):
    """Discharge and charge power [W] at which the terminal voltage V_oc -/+ R I reaches the
    window's ``v_min`` / ``v_max``: V_min (V_oc - V_min) / R and V_max (V_max - V_oc) / R."""
    return v_min * (ocv - v_min) * inv_resistance, v_max * (v_max - ocv) * inv_resistance


@njit(cache=True, error_model="numpy")
def terminal_power_limits(ocv, resistance, soc, soc_min, soc_max, v_min, v_max, max_discharge,
                          max_charge):
    """Discharge and charge power limits [W] at the terminals: the pack's rated powers, the
    voltage window (:func:`voltage_window_limits`), nothing to discharge at or below the usable
    window's bottom or the voltage floor, nothing to charge at or above its top or the ceiling.
    Written as selects, so a vectorised lane loop keeps them branch-free."""
    by_voltage_dis, by_voltage_chg = voltage_window_limits(ocv, 1.0 / resistance, v_min, v_max)
    pdis = min(max_discharge, by_voltage_dis)
    pdis = pdis if (soc > soc_min and ocv > v_min) else 0.0
    pchg = min(max_charge, by_voltage_chg)
    pchg = pchg if (soc < soc_max and v_max > ocv) else 0.0
    return pdis, pchg


@njit(cache=True)
def interp_uniform(table, row: int, x: float) -> float:
    """Linear interpolation in ``table[row]`` sampled uniformly on [0, 1] (clamped)."""
    n = table.shape[1] - 1
    if x <= 0.0:
        return table[row, 0]
    if x >= 1.0:
        return table[row, n]
    f = x * n
    j = int(f)
    w = f - j
    return table[row, j] * (1.0 - w) + table[row, j + 1] * w
