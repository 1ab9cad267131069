"""Building blocks shared by the procedures: test masses, synthetic cycle segments, depletion
runs, charge-depleting/charge-sustaining analysis of range-extended vehicles."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from skateboard.cycles import Cycle, Phase
from skateboard.engine import layout as L
from skateboard.engine.batch import DRIVER_MASS, build_params
from skateboard.engine.simulate import simulate_many, simulate_params
from skateboard.engine.tile import LANES
from skateboard.errors import ResultError
from skateboard.physics import battery
from skateboard.physics.constants import POUND
from skateboard.spec.batch import column, part_column, take
from skateboard.spec.batch import names as names_of

LB = POUND  # kg per pound (exact, 40 CFR 1066.1005)

# --- test masses ---------------------------------------------------------------------------

def masses_in_running_order(variants) -> np.ndarray:
    """EU mass in running order [kg] of each variant: kerb mass + 75 kg driver (EU 2021/535
    Annex XIII)."""
    return column(variants, "curb_mass") + DRIVER_MASS


def _of_one(masses_rule, v) -> tuple[float, float]:
    """A (N, 2) mass rule's (test mass, inertial mass) of one variant [kg]."""
    tm, im = masses_rule([v])[0]
    return float(tm), float(im)


def wltp_test_masses(variants) -> np.ndarray:
    """WLTP test mass and inertial mass [kg] of each variant, (N, 2) (EU 2017/1151 Annex XXI
    3.2.25-3.2.29; GTR 15 Annex 4).

    TM = MRO + m_opt + 25 kg + 15 % of the maximum vehicle load (M1), where the maximum load is
    the technically permissible laden mass - MRO - 25 kg - m_opt. Rotating masses: 3 % of
    (MRO + 25 kg) added to the inertia (GTR 15 Annex 4 para. 2.5.1, the default allowance)."""
    mro = masses_in_running_order(variants)
    m_opt = column(variants, "optional_equipment_mass")
    load = np.maximum(column(variants, "max_gross_mass") - mro - 25.0 - m_opt, 0.0)
    tm = mro + m_opt + 25.0 + 0.15 * load
    return np.column_stack([tm, tm + 0.03 * (mro + 25.0)])


def wltp_test_mass(v) -> tuple[float, float]:
    """:func:`wltp_test_masses` of one variant."""
    return _of_one(wltp_test_masses, v)


def china_test_masses(variants) -> np.ndarray:
    """GB/T 18386.1-2021: curb mass + 100 kg for M1 [kg]; inertia with the variant's own
    rotating-mass fraction. (N, 2)."""
    tm = column(variants, "curb_mass") + 100.0
    return np.column_stack([tm, tm * (1.0 + column(variants, "rotating_inertia_fraction"))])


def china_test_mass(v) -> tuple[float, float]:
    """:func:`china_test_masses` of one variant."""
    return _of_one(china_test_masses, v)


def nedc_reference_masses(variants) -> np.ndarray:
    """UN R101/R83 reference mass: mass in running order - 75 kg driver + 100 kg = kerb + 100 kg."""
    return china_test_masses(variants)


def nedc_reference_mass(v) -> tuple[float, float]:
    """:func:`nedc_reference_masses` of one variant."""
    return _of_one(nedc_reference_masses, v)


def epa_equivalent_test_weights(variants) -> np.ndarray:
    """EPA equivalent test weight [kg] (40 CFR 1066.805): loaded vehicle weight = curb + 300 lb,
    rounded to its inertia class: 125-lb steps up to 4000 lb, 250-lb steps to 5500 lb and 500-lb
    steps above. The dynamometer simulates the ETW; rotating parts add the variant's fraction.
    (N, 2)."""
    lvw_lb = (column(variants, "curb_mass") + 300.0 * LB) / LB
    step = np.where(lvw_lb <= 4000.0 + 62.5, 125.0, np.where(lvw_lb <= 5500.0 + 125.0, 250.0, 500.0))
    etw = np.floor(lvw_lb / step + 0.5) * step * LB
    return np.column_stack([etw, etw * (1.0 + column(variants, "rotating_inertia_fraction"))])


def epa_equivalent_test_weight(v) -> tuple[float, float]:
    """:func:`epa_equivalent_test_weights` of one variant."""
    return _of_one(epa_equivalent_test_weights, v)


# --- cycles ----------------------------------------------------------------------------------

def truncate(cycle: Cycle, n_phases: int, name: str) -> Cycle:
    """The first ``n_phases`` phases of a cycle (e.g. WLTC without the extra-high phase)."""
    end = cycle.phases[n_phases - 1].end
    return Cycle(name=name, title=f"{cycle.title}, first {n_phases} phases", time=cycle.time[:end + 1],
                 speed=cycle.speed[:end + 1], grade=cycle.grade[:end + 1],
                 phases=cycle.phases[:n_phases], source=cycle.source)


def constant_speed_segment(speed: float, duration: float, dt: float = 1.0, ramp: float = 1.0) -> np.ndarray:
    """Speed samples [m/s]: from 0 up at ``ramp`` m/s^2, hold ``duration`` s, down to 0."""
    n_ramp = max(int(math.ceil(speed / ramp / dt)), 1)
    up = np.linspace(0.0, speed, n_ramp + 1)
    hold = np.full(max(int(round(duration / dt)), 0), speed)
    return np.concatenate([up, hold, up[::-1]])


def compose(name: str, parts: list[tuple[str, np.ndarray]], dt: float = 1.0) -> Cycle:
    """Join speed segments (each starting and ending at rest) into one cycle with a phase each."""
    speeds = []
    phases = []
    start = 0
    for j, (pname, seg) in enumerate(parts):
        seg = np.asarray(seg, float)
        body = seg if j == 0 else seg[1:]
        speeds.append(body)
        end = start + len(seg) - 1
        phases.append(Phase(pname, start, end))
        start = end
    speed = np.concatenate(speeds)
    return Cycle(name=name, title=name, time=np.arange(len(speed)) * dt, speed=speed,
                 grade=np.zeros_like(speed), phases=tuple(phases), source="composed by skateboard")


# --- runs ------------------------------------------------------------------------------------

def params_for(variants, masses, **conditions):
    """build_params at test masses ``masses``: (test mass, inertial mass) [kg] per variant."""
    ms = np.asarray(masses, dtype=float).reshape(len(variants), 2)
    return build_params(variants, mass=ms[:, 0], inertial_mass=ms[:, 1], **conditions)


#: Most repetitions of a cycle a depletion run may take. Assumption: a bound on memory and time
#: (the per-phase records grow with it), far above any car: 1 000 kWh at 20 Wh/km over the
#: 23.3 km WLTC is about 2 150 repetitions.
MAX_DEPLETION_REPEATS = 5000
#: Margin on the repetitions estimated from the first cycle: consumption per cycle rises towards
#: the bottom of the window (lower voltage, higher resistance); a run that still ends undepleted
#: is repeated with the count its own result implies.
DEPLETION_MARGIN = 1.10


def _available_energy(params, ocv) -> np.ndarray:
    """Electrochemical energy [J] between each row's initial SOC and the bottom of its usable
    window (zero when it starts at or below it)."""
    lo, hi = params[:, L.P_SOC_MIN], params[:, L.P_SOC_INITIAL]
    rows = params[:, L.P_OCV_ROW].astype(np.intp)
    energy = params[:, L.P_CAPACITY] * (battery.charge_energy_below(ocv, rows, hi)
                                        - battery.charge_energy_below(ocv, rows, lo))
    return np.where(hi > lo, energy, 0.0)


def _repeats_each(names, cycle, available, per_cycle) -> np.ndarray:
    """Repetitions that draw ``available`` [J] at ``per_cycle`` [J per cycle], per variant."""
    bad = np.flatnonzero(~(np.asarray(per_cycle, dtype=float) > 0.0))
    if len(bad):
        i = int(bad[0])
        raise ResultError(variant=names[i], cycle=cycle.name, quantity="battery energy per cycle",
                          value=float(per_cycle[i]), allowed="> 0 J: a cycle that draws no energy "
                          "from the pack never depletes it")
    need = np.ceil(DEPLETION_MARGIN * available / np.asarray(per_cycle)) + 2
    worst = int(np.argmax(need))
    if need[worst] > MAX_DEPLETION_REPEATS:
        raise ResultError(variant=names[worst], cycle=cycle.name, quantity="repetitions to deplete",
                          value=int(need[worst]), allowed=f"at most {MAX_DEPLETION_REPEATS} "
                          f"(procedures.common.MAX_DEPLETION_REPEATS)")
    return np.maximum(need.astype(int), 1)


def _window_and_first_cycle(params, ocv, rex, cycle: Cycle, names):
    """(energy left in each variant's usable window [J], electrical energy its first cycle drew
    [J]: battery electrochemical + range-extender electricity), driving that cycle once."""
    first = simulate_params(params, ocv, rex, cycle, names=names, repeats=1)
    return _available_energy(params, ocv), first["e_battery_chem"] + first["e_engine_electric"]


def repeats_each(params, ocv, rex, cycle: Cycle, names) -> np.ndarray:
    """Repetitions of ``cycle`` that empty each variant's usable window, from the run's own
    consumption: one cycle is driven first, and the electrical energy it drew per variant
    against the energy left in the window gives the count (times :data:`DEPLETION_MARGIN`,
    plus 2). No assumed consumption. Each variant's count depends on that variant alone."""
    return _repeats_each(names, cycle, *_window_and_first_cycle(params, ocv, rex, cycle, names))


def tile_order(length: np.ndarray) -> np.ndarray:
    """An order of the rows for a run to break-off in which each tile of the kernel
    (:data:`skateboard.engine.tile.LANES` consecutive rows) holds variants of about the same
    ``length`` (the cycles each is expected to drive): a tile steps until its last lane breaks
    off, so mixed lengths step lanes that have stopped. Full tiles of sorted rows are taken
    alternately from the short and the long end, so that the contiguous blocks of tiles
    :func:`skateboard.engine.simulate.run_kernel` gives its threads carry about equal work;
    the rows of a last, partial tile stay last. A variant's result does not depend on its row
    (``tests/test_lanes.py``), so only the time changes."""
    order = np.argsort(np.asarray(length, dtype=float), kind="stable")
    n_full = len(order) // LANES
    ends = []
    lo, hi = 0, n_full - 1
    while lo <= hi:
        ends.append(lo)
        if hi != lo:
            ends.append(hi)
        lo, hi = lo + 1, hi - 1
    tiles = [order[t * LANES:(t + 1) * LANES] for t in ends]
    return np.concatenate(tiles + [order[n_full * LANES:]])


def deplete(variants, cycle: Cycle, masses, **conditions):
    """Repeat ``cycle`` from full until each variant breaks off (cannot follow the trace within
    2 km/h); the range extender stays off. Returns the SimResult (rows in the order of
    ``variants``; the kernel runs them in :func:`tile_order`)."""
    params, ocv, rex = params_for(variants, masses, range_extender_enabled=False, **conditions)
    names = np.asarray(names_of(variants), dtype=object)
    available, per_cycle = _window_and_first_cycle(params, ocv, rex, cycle, names)
    n = int(_repeats_each(names, cycle, available, per_cycle).max())
    order = tile_order(available / per_cycle)   # cycles each window holds
    back = np.argsort(order)
    run_params, run_names = params[order], names[order]
    for _ in range(3):
        res = simulate_params(run_params, ocv, rex, cycle, names=run_names, repeats=n,
                              stop_on_breakoff=True).take(back)
        if np.all(res["stopped"] > 0):
            return res
        # consumption rose more than the margin allows: the count this run's own energy implies
        n = max(n + 1, int(_repeats_each(names, cycle, available,
                                         res["e_battery_chem"] / np.maximum(res["repeats_done"], 1)).max()))
    bad = names[np.asarray(res["stopped"]) == 0]
    raise ResultError(variant=", ".join(bad), cycle=cycle.name, quantity="break-off",
                      value=f"none after {n} cycles", allowed="a range test that ends at break-off")


def require_not_depleted(variants, res, what: str) -> None:
    """Raise ResultError when a run that must drive its cycles in full ran a pack empty."""
    out = np.nonzero(~np.isnan(res["depleted_at"]))[0]
    if len(out):
        i = int(out[0])
        raise ResultError(variant=names_of(variants)[i], cycle=f"{res.cycle} ({what})", quantity="depleted_at_s",
                          value=float(res["depleted_at"][i]), allowed="never: the test needs the "
                          "full cycles, and the pack ran out")


def recharge_energy(variants, res) -> np.ndarray:
    """Energy from the mains to recharge [J]: the electrochemical energy drawn / charger efficiency
    (the charger efficiency covers on-board charger and battery charging losses)."""
    return res["e_battery_chem"] / column(variants, "charger_efficiency")


@dataclass
class OvcResult:
    """Charge-depleting and charge-sustaining figures of range-extended variants (SI).

    The CD phases of all variants are the rows of zero-padded arrays (N x the most phases any
    variant kept; ``cd_phases`` says how many are a variant's own): a padded phase has no
    distance, fuel or energy."""

    cd_distances: np.ndarray      # N x phases: CD phase distances [m], in order
    cd_fuels: np.ndarray          # N x phases: fuel mass per CD phase [kg], cold start included
    cd_energies: np.ndarray       # N x phases: battery electrochemical energy per CD phase [J]
    cd_phases: np.ndarray         # CD phases of each variant (through its transition cycle)
    cd_distance: np.ndarray       # R_CDC: distance of the CD cycles incl. the transition cycle [m]
    aer: np.ndarray               # distance before the engine first starts [m]
    cd_energy: np.ndarray         # electrochemical energy drawn in CD cycles [J]
    cs_fuel_per_m: np.ndarray     # SOC-corrected CS fuel of the test, cold start included [kg/m]
    cs_fuel_uncorrected_per_m: np.ndarray  # hot, uncorrected: the kernel's fuel [kg/m]
    cold_start_fuel: np.ndarray   # extra fuel of the cold start, x the test's weight [kg]
    fuel_density: np.ndarray      # kg/m3
    residual: np.ndarray          # worst audit residual of the runs

    def _own(self, padded) -> list:   # one slice per variant: read it once, not per index
        return [row[:k] for row, k in zip(padded, self.cd_phases)]

    @property
    def cd_phase_distance(self) -> list:
        """Per variant: its CD phase distances [m] (its row of ``cd_distances``, unpadded)."""
        return self._own(self.cd_distances)

    @property
    def cd_phase_fuel(self) -> list:
        """Per variant: fuel mass per CD phase [kg]."""
        return self._own(self.cd_fuels)

    @property
    def cd_phase_energy(self) -> list:
        """Per variant: battery electrochemical energy per CD phase [J]."""
        return self._own(self.cd_energies)


def ovc_hev(variants, cycle: Cycle, masses, *, fuel=None, max_cd_cycles: int | None = None,
            cs_cycles: int = 3, cold_start_weight: float = 1.0, **conditions) -> OvcResult:
    """Charge-depleting cycles from full charge until the engine has started (the transition
    cycle) and the charge-sustaining test from the sustain SOC (GTR 15 Annex 8, 3.2.4-3.2.5).

    CS fuel is corrected for the net change of battery energy over the CS test at the vehicle's
    own average conversion (fuel energy per kWh of range-extender electricity): the physical
    equivalent of the regulation's correction (Sub-Annex 8 Appendix 2), which uses generic
    Willans factors instead.

    Both tests start after a soak at the test cell's temperature, so the engine's first start is
    cold: ``cold_start_weight`` x the range extender's ``cold_start_fuel_energy`` (as fuel mass
    at the procedure fuel's heating value) is added to the CD phase in which the engine first
    starts (in the transition cycle) and to one cycle of the CS test (GTR 15 Annex 8 3.2.5: the CS test is one
    cycle after the soak; the kernel's ``cs_cycles`` hot cycles only average its steady part).
    1 for WLTP, China and NEDC type-1 tests; the FTP weights its cold-start test 0.43 and the
    highway test starts hot (0)."""
    params, ocv, rex = params_for(variants, masses, fuel=fuel, **conditions)
    names = np.asarray(names_of(variants), dtype=object)
    # each variant's count from its own consumption, and variants with the same count run
    # together, so a variant's figures never depend on the batch it is in
    n_each = (np.full(len(variants), max_cd_cycles) if max_cd_cycles
              else repeats_each(params, ocv, rex, cycle, names) + 2)
    cold = cold_start_weight * part_column(variants, "range_extender", "cold_start_fuel_energy") \
        / params[:, L.P_REX_LOWER_HEATING_VALUE]   # kg
    n = len(variants)
    r_cdc = np.zeros(n)
    aer = np.zeros(n)
    cd_energy = np.zeros(n)
    cd_residual = np.zeros(n)
    kept = np.zeros(n, dtype=np.int64)
    steps_per_cycle = len(cycle.speed) - 1
    counts = sorted(set(int(k) for k in n_each))
    groups = [np.nonzero(n_each == n_cd)[0] for n_cd in counts]
    # each variant stops at the end of its transition cycle (the cycle in which the engine first
    # delivered power): the cycles after it are not part of the test; the groups run together
    runs = simulate_many([dict(params=params[idx], ocv_tables=ocv, rex_tables=rex, cycle=cycle,
                               names=names[idx], repeats=n_cd, stop_after_generation=True)
                          for n_cd, idx in zip(counts, groups)])
    n_phase = runs[0].phases.shape[2] if runs else 1
    width = max(counts, default=1) * n_phase
    d = np.zeros((n, width))
    f = np.zeros((n, width))
    e = np.zeros((n, width))
    for n_cd, idx, cd in zip(counts, groups, runs):
        group = take(variants, idx)
        require_not_depleted(group, cd, "charge-depleting test (range extender on)")
        cd_residual[idx] = np.abs(cd.energy_audit_residual())
        # the all-electric range: the distance before the first step in which the range extender
        # delivered power (the kernel records it; no time series needed)
        aer[idx] = cd["first_generation_distance"]
        # steps counted from 0; a test in which the engine never delivered power ends in its
        # last cycle
        first_step = np.asarray(cd["first_generation_step"])
        first = np.where(first_step > 0, first_step.astype(np.int64) - 1, n_cd * steps_per_cycle)
        transition = np.minimum(first // steps_per_cycle, n_cd - 1)
        kept[idx] = (transition + 1) * n_phase
        ph = cd.phases.reshape(len(idx), n_cd * n_phase, cd.phases.shape[-1])
        own = np.arange(n_cd * n_phase) < kept[idx, None]
        d[idx, :n_cd * n_phase] = np.where(own, ph[:, :, L.R_DISTANCE], 0.0)
        f[idx, :n_cd * n_phase] = np.where(own, ph[:, :, L.R_FUEL_MASS], 0.0)
        e[idx, :n_cd * n_phase] = np.where(own, ph[:, :, L.R_E_BATTERY_CHEM], 0.0)
    # the cold start's extra fuel, in the phase of the engine's first start (padding holds no fuel)
    burnt = f > 0.0
    started = np.flatnonzero(burnt.any(axis=1))
    f[started, np.argmax(burnt[started], axis=1)] += cold[started]
    # sums over each variant's own phases (numpy's sum of the same values, so the same bits as
    # summing each variant's phases alone; one call per count of phases, not per variant)
    for k in np.unique(kept):
        rows = np.flatnonzero(kept == k)
        r_cdc[rows] = d[rows, :k].sum(axis=1)
        cd_energy[rows] = e[rows, :k].sum(axis=1)
    width = int(kept.max()) if n else 1
    d, f, e = d[:, :width], f[:, :width], e[:, :width]
    # charge-sustaining test from the sustain target
    soc_cs = part_column(variants, "energy_management", "soc_target")
    cs_params, ocv, rex = params_for(variants, masses, fuel=fuel, soc_initial=soc_cs, **conditions)
    cs = simulate_params(cs_params, ocv, rex, cycle, names=names, repeats=cs_cycles)
    require_not_depleted(variants, cs, "charge-sustaining test")
    fuel_mass = cs["fuel_mass"]
    lhv = cs_params[:, L.P_REX_LOWER_HEATING_VALUE]
    el = cs["e_engine_electric"]
    conv = np.where(el > 0, cs["e_fuel"] / np.maximum(el, 1e-9), 0.0)  # J fuel per J electricity
    delta = cs["e_battery_chem"]  # net drawn from the battery (>0 means battery supplied energy)
    corrected = fuel_mass + delta * conv / lhv
    dist = cs["distance"]
    residual = np.maximum(cd_residual, np.abs(cs.energy_audit_residual()))
    test_distance = dist / cs_cycles    # the regulation's CS test is one cycle, started cold
    return OvcResult(d, f, e, kept, r_cdc, aer, cd_energy, corrected / dist + cold / test_distance,
                     fuel_mass / dist, cold, cs_params[:, L.P_REX_FUEL_DENSITY], residual)


