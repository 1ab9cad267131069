"""What a variant costs its maker to build: a breakdown by cost line, vectorised over variants.

The cost of N variants is computed from arrays of their features (:class:`Features`: pack gross
energy and chemistry, drive-unit ratings, range-extender power, masses, the top hat's given
cost), so a sweep of 100 000 variants costs in a few array operations, and a program's three
variants go through the same code. Every amount comes out in the report's currency and price
year (:meth:`~skateboard.economics.costbook.CostBook.factor`).

Lines and formulas (``docs/economics.md`` has the sources):

* pack: E * (base + size_coefficient / E**size_exponent - learning * t * exp(-learning_decay * t)),
  E gross kWh, t = production year - reference year (chemistry LFP or NMC);
* drive: per unit a motor (value * kW + fixed; permanent-magnet, or induction for the front unit
  of a two-unit variant), an inverter (same form) and a gearbox; kW = the unit's peak power;
* range extender: engine (value * litres + fixed, litres = engine kW / quantity kW per litre),
  generator (motor + inverter lines at the range extender's electrical power), fuel tank,
  exhaust, aftertreatment (value * litres + fixed), extra cooling;
* platform: on-board charger (value * quantity kW), harnesses, LV battery, charge cable,
  thermal, HVAC, platform structure (value * quantity kg), chassis systems;
* top hat: the derivative's ``top_hat.cost``, or ``top_hat.cost_per_kg`` (else the book's rate)
  times the top-hat mass = curb mass - pack - drive units - range extender - platform structure
  mass - chassis-systems mass (at least 0);
* assembly per vehicle; warranty = share * (everything above).
"""

from __future__ import annotations

import functools

from dataclasses import dataclass

import numpy as np

from skateboard.economics.costbook import CostBook, parse_money
from skateboard.errors import SpecError
from skateboard.physics.constants import KWH

#: Breakdown columns (report currency per vehicle) and the lines in each.
GROUPS = {
    "cost_pack": ("pack_lfp", "pack_nmc"),
    "cost_drive": ("motor", "motor_induction", "inverter", "gearbox"),
    "cost_range_extender": ("engine", "fuel_tank", "exhaust", "aftertreatment", "rex_cooling"),
    "cost_electrical": ("onboard_charger", "hv_harness", "lv_harness", "lv_battery", "charge_cable"),
    "cost_thermal": ("thermal", "hvac"),
    "cost_platform_structure": ("platform_structure",),
    "cost_chassis": ("chassis_systems",),
    "cost_top_hat": ("top_hat",),
    "cost_assembly": ("assembly",),
    "cost_warranty": ("warranty",),
}
COST_COLUMNS = tuple(GROUPS) + ("cost_total", "platform_cost", "platform_cost_share")


@dataclass
class Features:
    """What the cost depends on, one array entry per variant (SI units).

    gross_energy [J]; lfp: True for LFP, False for NMC; unit_power_1 [W]: the first (single or
    rear) drive unit's peak power; unit_power_2 [W]: a second drive unit's (0 if none);
    rex_power [W]: the range extender's electrical maximum (0 if none); rex_engine_power [W]:
    its engine's shaft power; curb_mass, pack_mass, drive_mass, rex_mass [kg];
    top_hat_cost, top_hat_rate: the derivative's top-hat cost [report money] or rate
    [report money per kg], NaN when not given.
    """

    gross_energy: np.ndarray
    lfp: np.ndarray
    unit_power_1: np.ndarray
    unit_power_2: np.ndarray
    rex_power: np.ndarray
    rex_engine_power: np.ndarray
    curb_mass: np.ndarray
    pack_mass: np.ndarray
    drive_mass: np.ndarray
    rex_mass: np.ndarray
    top_hat_cost: np.ndarray
    top_hat_rate: np.ndarray

    def take(self, index: np.ndarray) -> "Features":
        """The features of ``index`` (e.g. a sweep's combination codes)."""
        return Features(**{k: np.asarray(v)[index] for k, v in self.__dict__.items()})

    def __len__(self) -> int:
        return len(self.gross_energy)


def _derivative_of(variant):
    """The derivative file a variant came from (None if it came from no file); read once per
    file version, since a sweep or an optimiser prices thousands of variants of one file (the
    loader's own cache would still deep-copy it for every variant)."""
    if not variant.source_file:
        return None
    from skateboard.spec.toml_file import file_version

    return _load_derivative_cached(str(variant.source_file), file_version(variant.source_file))


@functools.lru_cache(maxsize=64)
def _load_derivative_cached(path: str, version):
    from skateboard.spec import load_derivative

    return load_derivative(path)


def top_hat_given(variant, book: CostBook, currency: str, price_year: int) -> tuple[float, float]:
    """(cost, rate per kg) the derivative gives for its top hat, in report money (NaN if not)."""
    der = _derivative_of(variant)
    cost = rate = np.nan
    if der is None:
        return cost, rate
    file = der.source_file
    if der.top_hat.cost is not None and der.top_hat.cost_per_kg is not None:
        raise SpecError("give top_hat.cost or top_hat.cost_per_kg, not both", file=file,
                        field="top_hat.cost_per_kg", allowed="one of them")
    if der.top_hat.cost is not None:
        amount, cur = parse_money(der.top_hat.cost, file=file, field="top_hat.cost")
        cost = amount * book.factor(cur, price_year, currency, price_year, file=file,
                                    where="top_hat.cost")
    if der.top_hat.cost_per_kg is not None:
        amount, cur = parse_money(der.top_hat.cost_per_kg, file=file, field="top_hat.cost_per_kg",
                                  per="kg")
        rate = amount * book.factor(cur, price_year, currency, price_year, file=file,
                                    where="top_hat.cost_per_kg")
    return cost, rate


def features_of(variants, book: CostBook, currency: str, price_year: int) -> Features:
    """Features of resolved variants (a Python loop over a program's few variants, or a
    sweep's option combinations; sweeps then index and override arrays)."""
    rows = []
    for v in variants:
        units = sorted(v.drive_units, key=lambda du: du.axle != "rear")
        p1 = units[0].peak_power
        p2 = units[1].peak_power if len(units) > 1 else 0.0
        rex = v.range_extender
        th_cost, th_rate = top_hat_given(v, book, currency, price_year)
        rows.append((v.pack.gross_energy, v.pack.chemistry == "LFP", p1, p2,
                     rex.max_power if rex else 0.0,
                     rex.max_power / rex.generator_efficiency if rex else 0.0,
                     v.curb_mass, v.pack.mass, sum(du.mass for du in v.drive_units),
                     rex.mass if rex else 0.0, th_cost, th_rate))
    cols = list(zip(*rows)) if rows else [()] * 12
    names = list(Features.__dataclass_fields__)
    return Features(**{n: np.asarray(c, dtype=bool if n == "lfp" else float)
                       for n, c in zip(names, cols)})


def pack_price_per_kwh(line, gross_kwh: np.ndarray, year: int) -> np.ndarray:
    """The pack curve's direct cost per gross kWh in the line's money (see module docstring)."""
    c = line.curve
    first, last = c["years"]
    if not first <= year <= last:
        raise SpecError("production year outside the pack curve's range", file=line.file,
                        field=f"lines.{line.name}.years", value=year, allowed=f"{first} .. {last}")
    t = year - c["reference_year"]
    e = np.maximum(np.asarray(gross_kwh, float), 1e-9)
    return (c["base"] + c["size_coefficient"] / e ** c["size_exponent"]
            - c["learning"] * t * np.exp(-c["learning_decay"] * t))


def variant_costs(f: Features, book: CostBook, currency: str, price_year: int, *,
                  year: int | None = None, cell_price: float = 1.0,
                  exchange_rate: float = 1.0, pack_factor: float = 1.0) -> dict[str, np.ndarray]:
    """The cost breakdown of every variant in ``f`` (columns :data:`COST_COLUMNS`, report money).

    ``year`` is the production year (default the book's); ``cell_price`` scales the pack line;
    ``exchange_rate`` scales every line not priced in the report currency (sensitivity);
    ``pack_factor`` is the plant's pack-price factor (cost book ``[plants]``)."""
    year = book.production_year if year is None else year
    L = book.lines

    def k(name: str) -> float:
        line = L[name]
        fx = exchange_rate if line.currency != currency else 1.0
        return fx * book.factor(line.currency, line.price_year, currency, price_year,
                                file=line.file, where=f"lines.{name}")

    n = len(f)
    kwh = f.gross_energy / KWH
    out: dict[str, np.ndarray] = {}
    lfp = pack_price_per_kwh(L["pack_lfp"], kwh, year) * k("pack_lfp")
    nmc = pack_price_per_kwh(L["pack_nmc"], kwh, year) * k("pack_nmc")
    out["cost_pack"] = cell_price * pack_factor * kwh * np.where(f.lfp, lfp, nmc)

    def lin(name: str, x) -> np.ndarray:
        """value * x + fixed (x = 1 for a line priced per vehicle)."""
        return (L[name].value * x + L[name].fixed) * k(name)

    kw1, kw2 = f.unit_power_1 / 1e3, f.unit_power_2 / 1e3
    two = kw2 > 0
    motor1 = lin("motor", kw1)
    motor2 = np.where(two, lin("motor_induction", kw2), 0.0)
    inverters = lin("inverter", kw1) + np.where(two, lin("inverter", kw2), 0.0)
    gearboxes = (1 + two) * lin("gearbox", 1.0)
    out["cost_drive"] = motor1 + motor2 + inverters + gearboxes

    has_rex = f.rex_power > 0
    litres = f.rex_engine_power / 1e3 / L["engine"].quantity
    generator = lin("motor", f.rex_power / 1e3) + lin("inverter", f.rex_power / 1e3)
    rex = (lin("engine", litres) + generator + lin("fuel_tank", 1.0) + lin("exhaust", 1.0)
           + lin("aftertreatment", litres) + lin("rex_cooling", 1.0))
    out["cost_range_extender"] = np.where(has_rex, rex, 0.0)

    obc = L["onboard_charger"]
    elec = (lin("onboard_charger", obc.quantity or 0.0) + lin("hv_harness", 1.0)
            + lin("lv_harness", 1.0) + lin("lv_battery", 1.0) + lin("charge_cable", 1.0))
    out["cost_electrical"] = np.full(n, elec)
    out["cost_thermal"] = np.full(n, lin("thermal", 1.0) + lin("hvac", 1.0))
    structure = L["platform_structure"]
    out["cost_platform_structure"] = np.full(n, lin("platform_structure", structure.quantity or 0.0))
    out["cost_chassis"] = np.full(n, lin("chassis_systems", 1.0))

    chassis_mass = L["chassis_systems"].quantity or 0.0
    top_mass = np.maximum(f.curb_mass - f.pack_mass - f.drive_mass - f.rex_mass
                          - (structure.quantity or 0.0) - chassis_mass, 0.0)
    rate = np.where(np.isnan(f.top_hat_rate), L["top_hat"].value * k("top_hat"), f.top_hat_rate)
    out["cost_top_hat"] = np.where(np.isnan(f.top_hat_cost), top_mass * rate, f.top_hat_cost)
    out["cost_assembly"] = np.full(n, lin("assembly", 1.0))
    before = sum(out[c] for c in GROUPS if c != "cost_warranty")
    out["cost_warranty"] = L["warranty"].value * before
    out["cost_total"] = before + out["cost_warranty"]
    platform = np.zeros(n)
    for col, names in GROUPS.items():
        supplier = {L[nm].supplied_by for nm in names}
        if supplier == {"platform"}:
            platform = platform + out[col]
    out["platform_cost"] = platform
    out["platform_cost_share"] = platform / np.where(out["cost_total"] > 0, out["cost_total"], np.nan)
    return out


__all__ = ["COST_COLUMNS", "Features", "GROUPS", "features_of", "pack_price_per_kwh",
           "top_hat_given", "variant_costs"]
