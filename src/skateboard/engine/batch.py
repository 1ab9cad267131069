"""Variants -> the kernel's structure of arrays (one row of SI parameters per variant)."""

from __future__ import annotations

import functools
import operator
from collections.abc import Sequence

import numpy as np

from skateboard.engine import layout as L
from skateboard.physics import battery
from skateboard.physics.constants import AIR_DENSITY_WLTP, DRIVER_MASS, GRAVITY  # noqa: F401 (re-exported)
from skateboard.physics.road_load import coefficients as road_load_physical
from skateboard.spec.batch import VariantBatch, column, has_range_extender, take
from skateboard.spec.variant import Variant

#: Peak tyre-road friction on dry asphalt (Wong, Theory of Ground Vehicles, 4th ed., 2008,
#: Table 1.3: 0.8-0.9); we take 0.9.
DRY_ASPHALT_FRICTION = 0.9
#: Regenerative braking fades linearly to zero between these speeds [m/s] (5 and 10 km/h).
#: Assumption: blended-brake calibrations hand braking to the friction brakes near standstill,
#: where motor torque is imprecise; FASTSim-2 applies a comparable low-speed regen taper.
REGEN_FADE = (5.0 / 3.6, 10.0 / 3.6)
REX_TABLE_POINTS = 21


def _as_array(value, n, default):
    if value is None:
        return np.full(n, default, dtype=float)
    arr = np.asarray(value, dtype=float)
    return np.broadcast_to(arr, (n,)).astype(float) if arr.ndim == 0 or arr.shape == (n,) else arr


@functools.lru_cache(maxsize=4096)
def pack_state(pack) -> dict:
    """OCV table row, capacity [C], voltage limits [V] and usable SOC window of a pack (one row
    of :func:`pack_columns`)."""
    cols, tables = _one_pack_columns(pack)
    capacity, _, v_min, v_max, soc_min, soc_max = (float(x) for x in cols[0, 1:7])
    return dict(table=tables[0], capacity=capacity, soc_min=soc_min, soc_max=soc_max,
                v_min=v_min, v_max=v_max)


@functools.lru_cache(maxsize=4096)
def _one_pack_columns(pack) -> tuple[np.ndarray, np.ndarray]:
    """:func:`pack_columns` of one pack, cached with it (callers copy before changing them)."""
    return pack_columns([pack])


def pack_columns(packs: Sequence) -> tuple[np.ndarray, np.ndarray]:
    """The pack columns of the parameter row for each of ``packs`` (in the order of
    ``_PACK_COLS``: OCV table row, capacity, resistance, voltage limits, usable SOC window,
    power and current limits) and their OCV tables (one per distinct chemistry and nominal
    voltage). Vectorised over packs: a sweep of pack sizes has a pack per variant, and the SOC
    window is solved for all of them at once (:func:`battery.usable_windows`)."""
    n = len(packs)
    if n == 0:
        return np.zeros((0, len(_PACK_COLS))), np.zeros((0, battery.OCV_TABLE_POINTS))
    keys = [(p.chemistry, p.nominal_voltage) for p in packs]
    distinct = list(dict.fromkeys(keys))
    index = {key: i for i, key in enumerate(distinct)}
    rows = np.fromiter((index[key] for key in keys), dtype=np.intp, count=n)
    num = np.array([(p.gross_energy, p.usable_energy, p.resistance, p.max_discharge_power,
                     p.max_charge_power, np.nan if p.max_current is None else p.max_current)
                    for p in packs], dtype=float).reshape(n, 6)
    return _pack_columns(distinct, rows, num)


def _batch_pack_columns(batch) -> tuple[np.ndarray, np.ndarray]:
    """:func:`pack_columns` of a :class:`~skateboard.spec.batch.VariantBatch`'s packs (one
    chemistry and voltage; energies, resistance and limits from its arrays)."""
    num = np.column_stack([batch.pack_column(k) for k in (
        "gross_energy", "usable_energy", "resistance", "max_discharge_power", "max_charge_power",
        "max_current")])
    key = (batch.template.pack.chemistry, batch.template.pack.nominal_voltage)
    return _pack_columns([key], np.zeros(len(batch), dtype=np.intp), num)


def _pack_columns(distinct, rows, num) -> tuple[np.ndarray, np.ndarray]:
    """The pack columns from the distinct (chemistry, nominal voltage) keys, each pack's key
    ``rows`` and its numbers ``num`` (gross, usable energy, resistance, discharge and charge
    power, max current or NaN: N x 6)."""
    tables = np.array([battery.ocv_table(*key) for key in distinct])
    grid = np.linspace(0.0, 1.0, tables.shape[1])
    per_table = np.array([(np.trapezoid(t, grid), *battery.voltage_limits(*key))
                          for t, key in zip(tables, distinct)])
    capacity = num[:, 0] / per_table[rows, 0]
    soc_min, soc_max = battery.usable_windows(tables, rows, capacity, num[:, 1])
    v_min = per_table[rows, 1]
    # pack_current_limit: the declared max_current, else the rated power at the voltage floor
    current = np.where(np.isnan(num[:, 5]), num[:, 3] / v_min, num[:, 5])
    cols = np.column_stack([rows, capacity, num[:, 2], v_min, per_table[rows, 2], soc_min,
                            soc_max, num[:, 3], num[:, 4], current])
    return cols, tables


def pack_current_limit(pack) -> float:
    """Largest discharge current of a pack [A]: its declared ``max_current``, else its rated
    discharge power at its lowest terminal voltage (a pack rated for P_max down to V_min carries
    P_max / V_min; at that default the limit never binds before the voltage floor does). One
    row of :func:`pack_columns`."""
    return float(_one_pack_columns(pack)[0][0, -1])


def road_load_coefficients(variant: Variant, mass: float, air_density: float = AIR_DENSITY_WLTP):
    """(F0 [N], F1 [N/(m/s)], F2 [N/(m/s)^2]) of a variant at test ``mass`` [kg]: one row of
    :func:`road_load_arrays`."""
    f0, f1, f2 = road_load_arrays([variant], np.array([float(mass)]), air_density)
    return float(f0[0]), float(f1[0]), float(f2[0])


def road_load_arrays(variants: Sequence[Variant], mass: np.ndarray,
                     air_density: float = AIR_DENSITY_WLTP):
    """(F0, F1, F2) arrays of ``variants`` at test masses ``mass`` [kg].

    Physical form: :func:`skateboard.physics.road_load.coefficients`. Coast-down form: the
    coefficients as given (they were measured at the vehicle's own test mass)."""
    given = [column(variants, k) for k in ("f0", "f1", "f2")]
    coast = ~np.isnan(given[0])
    phys = [np.where(coast, np.nan, column(variants, k)) for k in (
        "rolling_resistance_coefficient", "drag_coefficient", "frontal_area",
        "rolling_resistance_speed_coefficient")]
    f0, f1, f2 = road_load_physical(phys[0], phys[1], phys[2], mass, air_density, phys[3])
    return (np.where(coast, given[0], f0), np.where(coast, given[1], f1),
            np.where(coast, given[2], f2))


def _rows_per_part(variants: Sequence[Variant], parts: tuple[str, ...], rows, n_cols: int) -> np.ndarray:
    """(N x n_cols) rows, built once per distinct combination of the objects ``v.<part>`` for
    ``parts`` and looked up for the other variants that share it (a sweep's variants share
    their packs, drive units and range extenders). The objects are told apart by identity,
    found for all variants at once (C-level attribute gets and NumPy); ``rows`` is called once
    with each combination's first variant, in the order of those variants, and returns their
    rows (one per variant: vectorised where the parts' values are, as for packs)."""
    if isinstance(variants, VariantBatch):   # one template: its row for every variant
        row = np.asarray(rows([variants.template]), dtype=float).reshape(1, n_cols)
        return np.repeat(row, len(variants), axis=0)
    ids = [np.fromiter(map(id, map(operator.attrgetter(part), variants)), dtype=np.uint64,
                       count=len(variants)) for part in parts]
    # one part: a plain unique (np.unique over rows sorts a structured view, 4x slower)
    _, first, of = (np.unique(ids[0], return_index=True, return_inverse=True) if len(ids) == 1 else
                    np.unique(np.stack(ids, axis=1), axis=0, return_index=True, return_inverse=True))
    order = np.argsort(first)            # distinct combinations in the order of their first variant
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    table = np.asarray(rows([variants[i] for i in first[order]]), dtype=float).reshape(len(first), n_cols)
    return table[rank[of.reshape(-1)]]


def _each(row):
    """A ``rows`` builder for :func:`_rows_per_part` from a one-variant ``row``."""
    return lambda vs: [row(v) for v in vs]


#: The first unit's parameter column of each DriveUnit field a sweep may vary (the second
#: unit's is DU_STRIDE further; the loss coefficients are four columns from P_DU0_C0).
_UNIT_COLUMN = {"peak_power": L.P_DU0_PEAK_POWER, "peak_torque": L.P_DU0_PEAK_TORQUE,
                "max_speed": L.P_DU0_MAX_SPEED, "gear_ratio": L.P_DU0_GEAR_RATIO,
                "gearbox_efficiency": L.P_DU0_GEARBOX_EFFICIENCY,
                "zero_torque_loss_factor": L.P_DU0_ZERO_TORQUE_LOSS}


def _batch_unit_columns(batch, params: np.ndarray) -> None:
    """Write a batch's per-variant drive-unit values into their slots of ``params``."""
    for u, du in enumerate(_slot_order(batch.template.drive_units)):
        o = u * L.DU_STRIDE
        for attr, values in batch.units.get(du.name, {}).items():
            if attr == "loss_coefficients":
                params[:, [L.P_DU0_C0 + o + k for k in range(4)]] = values
            else:
                params[:, _UNIT_COLUMN[attr] + o] = values


def _slot_order(drive_units) -> list:
    """Drive units in the order of their parameter slots: rear (the primary) first."""
    return sorted(drive_units, key=lambda d: d.axle != "rear")


def _unit_slots(v: Variant, n_cols: int) -> tuple:
    """The two drive-unit slots of a variant's parameter row (rear, the primary, first; an
    absent unit is zeros), flattened."""
    units = _slot_order(v.drive_units)
    if len(units) > 2:
        raise ValueError(f"{v.name}: at most two drive units are supported")
    out: list[float] = []
    for u in range(2):
        du = units[u] if u < len(units) else None
        out += ((0.0,) * n_cols if du is None else (
            1.0, 1.0 if du.axle == "front" else 0.0, du.peak_power, du.peak_torque,
            du.max_speed, du.gear_ratio, du.gearbox_efficiency, du.zero_torque_loss_factor,
            *du.loss_coefficients))
    return tuple(out)


_PACK_COLS = [L.P_OCV_ROW, L.P_CAPACITY, L.P_RESISTANCE, L.P_V_MIN, L.P_V_MAX, L.P_SOC_MIN,
              L.P_SOC_MAX, L.P_MAX_DISCHARGE_POWER, L.P_MAX_CHARGE_POWER, L.P_MAX_CURRENT]


_REX_COLS = [L.P_REX_PRESENT, L.P_REX_MAX_POWER, L.P_REX_GENERATOR_EFFICIENCY, L.P_REX_IDLE_FUEL_POWER,
             L.P_REX_MIN_ON_TIME, L.P_REX_START_FUEL_ENERGY, L.P_REX_FUEL_MASS_MAX,
             L.P_REX_LOWER_HEATING_VALUE, L.P_REX_FUEL_DENSITY, L.P_REX_BEST_EFFICIENCY_POWER,
             L.P_EM_STRATEGY, L.P_EM_SOC_TARGET, L.P_EM_SOC_LOW, L.P_EM_SOC_HIGH, L.P_EM_GAIN,
             L.P_EM_MIN_POWER, L.P_REX_EFF_ROW]


def _rex_columns(variants: Sequence[Variant], params: np.ndarray, fuel, fuels) -> np.ndarray | None:
    """Write the range-extender columns of ``params`` (variants without one keep theirs) and
    return the engine-efficiency tables, one row per distinct (range extender, energy
    management): a sweep's variants share them (the fuel follows from the range extender and
    the arguments). None when no variant has a range extender."""
    with_rex = np.flatnonzero(has_range_extender(variants))
    if not len(with_rex):
        return None
    tables: list[np.ndarray] = []

    def row(v) -> tuple:
        rex, em = v.range_extender, v.energy_management
        fuel_v = fuel if fuel is not None else (fuels or {}).get(rex.fuel, rex.fuel_properties)
        if fuel_v is None:
            raise ValueError(f"variant {v.name!r}: the properties of its range extender's "
                             f"fuel {rex.fuel!r} are not known; build the variant with "
                             "RangeExtender.fuel_properties (the spec loader does) or "
                             "pass fuel= or fuels=")
        grid = np.linspace(0.0, 1.0, REX_TABLE_POINTS)
        eff = np.maximum(np.interp(grid, rex.efficiency_load_fractions, rex.engine_efficiency), 1e-3)
        tables.append(eff)
        best = grid[1:][np.argmax(eff[1:])]
        return (1.0, rex.max_power, rex.generator_efficiency, rex.idle_fuel_power,
                rex.min_on_time, rex.start_fuel_energy, rex.fuel_tank_volume * fuel_v.density,
                fuel_v.lower_heating_value, fuel_v.density,
                em.best_efficiency_power if em.best_efficiency_power > 0 else best * rex.max_power,
                L.STRATEGIES[em.strategy], em.soc_target, em.soc_low, em.soc_high, em.gain,
                em.min_power, len(tables) - 1)

    params[np.ix_(with_rex, _REX_COLS)] = _rows_per_part(
        take(variants, with_rex), ("range_extender", "energy_management"), _each(row),
        len(_REX_COLS))
    return np.array(tables)


def build_params(variants: Sequence[Variant], *, mass=None, inertial_mass=None, soc_initial=None,
                 battery_temperature=None, hvac_power=None, air_density: float = AIR_DENSITY_WLTP,
                 tyre_road_friction=None, range_extender_enabled: bool = True,
                 fuels: dict | None = None, fuel=None, regen_fade=REGEN_FADE):
    """Build the kernel's inputs.

    Parameters
    ----------
    variants : sequence of Variant
    mass : float or array (N,), optional
        Test mass [kg]; default curb mass + 75 kg driver.
    inertial_mass : float or array (N,), optional
        Mass that accelerates, including rotating parts [kg]; default
        mass x (1 + rotating_inertia_fraction). Procedures set it by their own rule.
    regen_fade : (float, float)
        Speeds [m/s] between which regenerative braking fades in; default REGEN_FADE.
    fuel : Fuel, optional
        Fuel for every range extender (a market's fuel); default each range extender's own.
    soc_initial : float or array, optional
        Initial SOC (fraction of gross capacity); default the top of the usable window.
    battery_temperature : float or array, optional
        Pack temperature [K]; default 298.15 K (25 degC).
    hvac_power : float or array, optional
        Cabin heating/cooling electrical power [W] added to the auxiliaries; default 0.
    tyre_road_friction : float or array, optional
        Peak friction coefficient; default 0.9 (dry asphalt).
    range_extender_enabled : bool
        False runs EREVs on their battery alone (engine never starts).

    Returns
    -------
    params (N x N_PARAMS), ocv_tables (distinct packs x 101), rex_tables (distinct range
    extenders x 21: engine efficiency along the operating line, row ``P_REX_EFF_ROW``)
    """
    n = len(variants)
    params = np.zeros((n, L.N_PARAMS))
    curb = column(variants, "curb_mass")
    mass = _as_array(mass, n, np.nan)
    mass = np.where(np.isnan(mass), curb + DRIVER_MASS, mass)
    inertial = _as_array(inertial_mass, n, np.nan)
    temp = _as_array(battery_temperature, n, 298.15)
    hvac = _as_array(hvac_power, n, 0.0)
    mu = _as_array(tyre_road_friction, n, DRY_ASPHALT_FRICTION)
    soc0 = _as_array(soc_initial, n, np.nan)
    # Per-variant attributes are gathered into lists and written column by column (one NumPy
    # assignment per column, not one per variant and field); the arithmetic is on arrays.
    rot = column(variants, "rotating_inertia_fraction")
    params[:, L.P_MASS] = mass
    params[:, L.P_INERTIAL_MASS] = np.where(np.isnan(inertial), mass * (1.0 + rot), inertial)
    params[:, L.P_F0], params[:, L.P_F1], params[:, L.P_F2] = road_load_arrays(
        variants, mass, air_density)
    params[:, L.P_GRAVITY] = GRAVITY
    params[:, L.P_TYRE_ROAD_FRICTION] = mu
    params[:, L.P_BATTERY_TEMPERATURE] = temp
    params[:, L.P_REGEN_FADE_LOW], params[:, L.P_REGEN_FADE_HIGH] = regen_fade
    chassis_cols = [L.P_WHEEL_RADIUS, L.P_WHEELBASE, L.P_CG_HEIGHT, L.P_FRONT_MASS_SHARE]
    params[:, chassis_cols] = np.column_stack(
        [column(variants, k) for k in ("wheel_radius", "wheelbase", "cg_height", "front_mass_share")]
    ).reshape(n, len(chassis_cols))
    unit_cols = [L.P_DU0_PRESENT, L.P_DU0_FRONT, L.P_DU0_PEAK_POWER, L.P_DU0_PEAK_TORQUE,
                 L.P_DU0_MAX_SPEED, L.P_DU0_GEAR_RATIO, L.P_DU0_GEARBOX_EFFICIENCY,
                 L.P_DU0_ZERO_TORQUE_LOSS, L.P_DU0_C0, L.P_DU0_C0 + 1, L.P_DU0_C0 + 2, L.P_DU0_C0 + 3]
    params[:, [c + u * L.DU_STRIDE for u in range(2) for c in unit_cols]] = _rows_per_part(
        variants, ("drive_units",), _each(lambda v: _unit_slots(v, len(unit_cols))),
        2 * len(unit_cols))
    if isinstance(variants, VariantBatch) and variants.units:   # rated per variant
        _batch_unit_columns(variants, params)
    ocv: list[np.ndarray] = []    # the OCV tables of the distinct packs' chemistries and voltages

    def pack_rows(firsts):
        if len(firsts) == 1:   # one pack (most batches): its row is cached with the pack
            cols, tables = _one_pack_columns(firsts[0].pack)
            tables = tables.copy()   # the kernel's input, not the cache's
        else:
            cols, tables = pack_columns([v.pack for v in firsts])
        ocv.append(tables)
        return cols

    if isinstance(variants, VariantBatch) and variants.pack:     # a pack per variant
        cols, tables = _batch_pack_columns(variants)
        ocv.append(tables)
        params[:, _PACK_COLS] = cols
    else:
        params[:, _PACK_COLS] = _rows_per_part(variants, ("pack",), pack_rows, len(_PACK_COLS))
    params[:, L.P_SOC_INITIAL] = np.where(np.isnan(soc0), params[:, L.P_SOC_MAX], soc0)
    params[:, L.P_AUX_POWER] = column(variants, "aux_power") + hvac
    params[:, L.P_REX_LOWER_HEATING_VALUE] = 1.0  # avoids 0/0 for BEVs; no fuel flows without a range extender
    rex_tables = _rex_columns(variants, params, fuel, fuels) if range_extender_enabled else None
    if rex_tables is None:
        rex_tables = np.ones((1, REX_TABLE_POINTS))
    derive(params)
    ocv_tables = ocv[0] if ocv else np.zeros((1, battery.OCV_TABLE_POINTS))
    return params, ocv_tables, rex_tables


def derive(params: np.ndarray) -> np.ndarray:
    """Fill the derived columns (reciprocals and products) from the primary ones, in place.

    Call it again after changing primary columns of a parameter matrix (e.g. a sweep)."""
    p = params
    p[:, L.P_INV_WHEEL_RADIUS] = 1.0 / p[:, L.P_WHEEL_RADIUS]
    p[:, L.P_LOAD_TRANSFER_PER_ACC] = p[:, L.P_MASS] * p[:, L.P_CG_HEIGHT] / p[:, L.P_WHEELBASE]
    driven_front = np.zeros(len(p), dtype=bool)
    driven_rear = np.zeros(len(p), dtype=bool)
    for u in range(2):
        o = u * L.DU_STRIDE
        present = p[:, L.P_DU0_PRESENT + o] != 0.0
        front = p[:, L.P_DU0_FRONT + o] != 0.0
        driven_front |= present & front
        driven_rear |= present & ~front
    p[:, L.P_BOTH_AXLES_DRIVEN] = (driven_front & driven_rear).astype(float)
    for u in range(2):
        o = u * L.DU_STRIDE
        present = p[:, L.P_DU0_PRESENT + o] != 0.0
        safe = lambda col: np.where(present, p[:, col + o], 1.0)  # noqa: E731
        g, eta, r = safe(L.P_DU0_GEAR_RATIO), safe(L.P_DU0_GEARBOX_EFFICIENCY), p[:, L.P_WHEEL_RADIUS]
        p[:, L.P_DU0_INV_MAX_SPEED + o] = np.where(present, 1.0 / safe(L.P_DU0_MAX_SPEED), 0.0)
        p[:, L.P_DU0_INV_PEAK_TORQUE + o] = np.where(present, 1.0 / safe(L.P_DU0_PEAK_TORQUE), 0.0)
        p[:, L.P_DU0_FORCE_TO_TORQUE + o] = np.where(present, r / (g * eta), 0.0)
        p[:, L.P_DU0_TORQUE_TO_FORCE + o] = np.where(present, g * eta / r, 0.0)
        p[:, L.P_DU0_GEAR_LOSS_FACTOR + o] = np.where(present, 1.0 / eta - 1.0, 0.0)
    return params
