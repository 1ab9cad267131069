"""``skateboard platform-options``: which pack options (and drive-unit ratings) a platform should
offer so that every derivative meets its targets in every market at the lowest program cost.

1. Candidates. A pack candidate is a pack option of the derivative's platform named as in its
   file (``67kwh``), or a hypothetical pack given by its gross energy (``45kwh``, ``"52.5 kWh"``):
   the platform's pack of nearest gross energy with its cells' parallel strings scaled to that
   energy (:func:`scaled_pack`): usable energy, power limits and mass in proportion, resistance
   in inverse proportion, chemistry and voltage unchanged. A drive-unit candidate is a total
   peak power (``150kw``): each of the derivative's drive units scaled to it (peak and
   continuous power and peak torque in proportion, same speeds and loss coefficients per unit of
   rating). Fitting a pack changes the derivative's curb mass by the difference of the pack
   masses; a variant that then breaks a platform limit cannot take the candidate.
2. Every derivative x candidate is built and simulated in every market in one batch
   (:func:`skateboard.optimise.columns.columns_for`) and checked against the targets.
3. The selection is a mixed-integer program solved exactly
   (:func:`skateboard.optimise.selection.select_options`), for K = 1 .. ``--max-options``.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from skateboard.errors import SpecError, close_matches
from skateboard.optimise import columns as C
from skateboard.optimise.selection import Selection, select_options
from skateboard.physics.constants import KWH

FAMILIES = {"packs": "pack", "drive_units": "drive_unit"}
_ENERGY = re.compile(r"^\s*(?P<x>\d+(?:\.\d*)?|\.\d+)\s*kwh\s*$", re.I)
_POWER = re.compile(r"^\s*(?P<x>\d+(?:\.\d*)?|\.\d+)\s*kw\s*$", re.I)


# ---------------------------------------------------------------------------------------------
# Candidates
# ---------------------------------------------------------------------------------------------

def parse_candidates(texts: Sequence[str]) -> dict[str, list[str]]:
    """``["packs=40kwh,50kwh", "drive_units=150kw"]`` -> {"packs": [...], "drive_units": [...]}."""
    out: dict[str, list[str]] = {}
    for text in texts:
        if "=" not in text:
            raise SpecError("expected KIND=A,B,...", field="--candidates", value=text,
                            allowed="packs=40kwh,50kwh,... or drive_units=150kw,200kw")
        kind, items = (t.strip() for t in text.split("=", 1))
        if kind not in FAMILIES:
            raise SpecError(f"unknown kind of candidate{close_matches(kind, FAMILIES)}",
                            field="--candidates", value=kind, allowed=", ".join(FAMILIES))
        names = [i.strip().strip("\"'") for i in items.split(",") if i.strip()]
        if not names:
            raise SpecError("no candidate listed", field=f"--candidates {kind}", value=items)
        if len(set(names)) != len(names) or kind in out:
            raise SpecError("a candidate is listed twice", field=f"--candidates {kind}",
                            value=text, allowed="each candidate once")
        if kind == "drive_units":
            for n in names:
                if not _POWER.match(n):
                    raise SpecError("a drive-unit candidate is a total peak power",
                                    field="--candidates drive_units", value=n,
                                    allowed="e.g. 150kw, 200kw")
        out[kind] = names
    if not out:
        raise SpecError("no candidates", field="--candidates",
                        allowed="packs=40kwh,50kwh,... and/or drive_units=150kw,...")
    return out


def scaled_pack(pack, gross_energy: float, name: str):
    """``pack`` with its parallel strings scaled to ``gross_energy`` [J] (same cells)."""
    s = gross_energy / pack.gross_energy
    return dataclasses.replace(pack, name=name, gross_energy=gross_energy,
                               usable_energy=pack.usable_energy * s,
                               resistance=pack.resistance / s,
                               max_discharge_power=pack.max_discharge_power * s,
                               max_charge_power=pack.max_charge_power * s, mass=pack.mass * s)


def scaled_drive_units(units, total_peak_power: float):
    """The drive units scaled so that their peak powers sum to ``total_peak_power`` [W]."""
    s = total_peak_power / sum(du.peak_power for du in units)
    return tuple(dataclasses.replace(du, peak_power=du.peak_power * s,
                                     continuous_power=du.continuous_power * s,
                                     peak_torque=du.peak_torque * s) for du in units)


def _platform_packs(derivative) -> dict:
    """The platform's pack options as resolved PackSpecs (name -> Pack)."""
    from skateboard.explore.sweep import _platform_of, _resolve

    platform = _platform_of(derivative)
    out = {}
    for name in platform.packs:
        try:
            out[name] = _resolve(derivative, {"options.pack": name}, {}).pack
        except SpecError:
            continue
    return out


def _pack_for(name: str, packs: dict):
    if name in packs:
        return packs[name]
    match = _ENERGY.match(name)
    if not match:
        raise SpecError(f"not a pack option of the platform nor an energy"
                        f"{close_matches(name, packs)}", field="--candidates packs", value=name,
                        allowed=", ".join(packs) + ", or a gross energy such as 45kwh")
    energy = float(match["x"]) * KWH
    if not energy > 0:
        raise SpecError("a pack energy must be positive", field="--candidates packs", value=name)
    ref = min(packs.values(), key=lambda p: (abs(p.gross_energy - energy), p.name))
    return scaled_pack(ref, energy, name)


def build_candidates(program, variant_names: Sequence[str], cands: dict[str, list[str]]):
    """Variants of each derivative x candidate.

    Returns (rows, variants): rows is a DataFrame (``derivative``, ``pack``, ``drive_unit``,
    ``error``), variants the matching Variant objects (None where a platform limit is broken)."""
    from skateboard.explore.sweep import _resolve
    from skateboard.spec import load_derivative

    packs = cands.get("packs", [None])
    units = cands.get("drive_units", [None])
    rows, out = [], []
    for vname in variant_names:
        base = program.variant(vname)
        derivative = load_derivative(base.source_file)
        platform_packs = _platform_packs(derivative) if cands.get("packs") else {}
        for p, d in itertools.product(packs, units):
            changes = {"name": f"{vname}|{p or 'own'}|{d or 'own'}"}
            error = None
            if p is not None:
                pack = _pack_for(p, platform_packs)
                mass = base.curb_mass + pack.mass - base.pack.mass
                try:  # the platform's mass and axle-load limits at the new curb mass
                    _resolve(derivative, {}, {"top_hat.curb_mass": mass})
                except SpecError as exc:
                    error = exc.message
                changes.update(pack=pack, curb_mass=mass)
            if d is not None:
                changes["drive_units"] = scaled_drive_units(
                    base.drive_units, float(_POWER.match(d)["x"]) * 1e3)
            rows.append({"derivative": vname, "pack": p, "drive_unit": d, "error": error})
            out.append(None if error else base.replace(**changes))
    return pd.DataFrame(rows), out


# ---------------------------------------------------------------------------------------------
# The command
# ---------------------------------------------------------------------------------------------

@dataclass
class PlatformOptionsResult:
    """chosen : the best selection at ``max_options``. assignments : per derivative x market the
    candidate taken, its unit cost, volume and the target columns. by_k : total cost for
    K = 1 .. max_options (None where no selection covers everything). candidates : every
    derivative x candidate x market evaluated, with ``targets_met``."""

    program: str
    markets: list
    cost_column: str
    chosen: Selection
    assignments: pd.DataFrame
    by_k: pd.DataFrame
    candidates: pd.DataFrame
    fixed_cost: dict
    evaluations: int
    seconds: float
    notes: list = field(default_factory=list)


def parse_volumes(texts: Sequence[str], variants: Sequence[str], markets: Sequence[str]) -> dict:
    """``["hongqi-b10-bev@eu=20000"]`` -> {(variant, market): units}."""
    out = {}
    for text in texts or []:
        m = re.match(r"^\s*(?P<v>[^@=]+)@(?P<m>[^=]+)=(?P<n>.+)$", text)
        if not m:
            raise SpecError("expected VARIANT@MARKET=UNITS", field="--volume", value=text)
        v, mk = m["v"].strip(), m["m"].strip()
        if v not in variants:
            raise SpecError(f"not a derivative of the run{close_matches(v, variants)}",
                            field="--volume", value=v, allowed=", ".join(variants))
        if mk not in markets:
            raise SpecError("not a market of the run", field="--volume", value=mk,
                            allowed=", ".join(markets))
        try:
            n = float(m["n"])
        except ValueError:
            n = float("nan")
        if not np.isfinite(n) or n < 0:
            raise SpecError("units must be a number >= 0", field="--volume", value=m["n"])
        out[(v, mk)] = n
    return out


def platform_options(program: str, candidates: Sequence[str], *, max_options: int = 3,
                     markets: Sequence[str] | None = None, variants: Sequence[str] | None = None,
                     volumes: Sequence[str] = (), fixed_costs: dict | None = None
                     ) -> PlatformOptionsResult:
    """Choose the platform's options (see the module docstring)."""
    from skateboard.markets import list_markets, load_market
    from skateboard.selection import select_variants
    from skateboard.spec import load_program

    t0 = time.perf_counter()
    if max_options is None or int(max_options) < 1:
        raise SpecError("must be at least 1", field="--max-options", value=max_options)
    cands = parse_candidates(candidates)
    prog = load_program(program)
    names = [v.name for v in select_variants(prog, variants)]
    market_names = list(dict.fromkeys(markets or prog.markets or list_markets()))
    mkts = [load_market(m) for m in market_names]
    data = C.cost_data()["platform_options"]
    fixed = {"packs": float(data["pack"]), "drive_units": float(data["drive_unit"])}
    for k, v in (fixed_costs or {}).items():
        if k not in FAMILIES:
            raise SpecError("unknown kind", field="--fixed-cost", value=k,
                            allowed=", ".join(FAMILIES))
        if not np.isfinite(v) or v < 0:
            raise SpecError("must be a number >= 0", field=f"--fixed-cost {k}", value=v)
        fixed[k] = float(v)
    vol = parse_volumes(volumes, names, market_names)

    rows, built = build_candidates(prog, names, cands)
    ok = [r for r, v in enumerate(built) if v is not None]
    cost_col = C.COST_MODEL.columns[0]
    need = sorted({c for v in names for m in market_names
                   for k in C.targets_for(prog, v, m) for c in C.lookup(k).columns} | {cost_col})
    long = C.columns_for([built[r] for r in ok], mkts, need)
    long["index"] = np.asarray(ok)[long["index"].to_numpy()]
    fams = [f for f in FAMILIES if f in cands]
    options = {f: cands[f] for f in fams}
    per_cand = len(rows) // len(names)
    # tables (assignment = derivative x market) x (candidate of that derivative)
    assign = [(v, m) for v in names for m in market_names]
    unit = np.full((len(assign), per_cand), np.inf)
    feas = np.zeros((len(assign), per_cand), dtype=bool)
    failed = np.full((len(assign), per_cand), "", dtype=object)
    violation = np.full((len(assign), per_cand), np.inf)
    met_all = np.zeros(len(long), dtype=bool)
    for j, mk in enumerate(market_names):
        part = long[long["market"] == mk]
        for vi, v in enumerate(names):
            sel = part[(part["index"] // per_cand) == vi]
            met, viol, why = C.check_rows(sel, C.targets_for(prog, v, mk), file=prog.source_file,
                                       variant=v)
            cidx = sel["index"].to_numpy() % per_cand
            i = vi * len(market_names) + j
            unit[i, cidx] = sel[cost_col].to_numpy(dtype=float)
            feas[i, cidx] = met & np.isfinite(unit[i, cidx])
            failed[i, cidx] = why
            violation[i, cidx] = viol
            met_all[sel.index.to_numpy()] = met
    for r in range(len(rows)):
        if rows.loc[r, "error"]:
            vi, ci = divmod(r, per_cand)
            failed[vi * len(market_names):(vi + 1) * len(market_names), ci] = rows.loc[r, "error"]
    uncovered = [i for i in range(len(assign)) if not feas[i].any()]
    if uncovered:
        parts = []
        for i in uncovered:
            v, mk = assign[i]
            best = int(np.argmin(violation[i]))
            label = _candidate_label(rows.iloc[(names.index(v)) * per_cand + best])
            parts.append(f"{v} in {mk} (best candidate {label}: {failed[i, best]})")
        raise SpecError("no candidate meets the targets of " + "; ".join(parts),
                        field="--candidates", allowed="other candidates, or --markets / "
                        "--variants without these")
    volume = np.array([vol.get(a, float(data["default_volume"])) for a in assign])
    cand_opts = {f: [options[f].index(rows.loc[c, FAMILIES[f]]) for c in range(per_cand)]
                 for f in fams}
    by_k, chosen = [], None
    for k in range(1, int(max_options) + 1):
        s = select_options(unit, feas, volume, options, cand_opts, fixed, k)
        by_k.append({"k": k, "total_cost": s.total_cost if s else np.nan,
                     "variable_cost": s.variable_cost if s else np.nan,
                     "fixed_cost": s.fixed_cost if s else np.nan,
                     **{f: ",".join(s.offered[f]) if s else "" for f in fams}})
        if s:
            chosen = s
    if chosen is None:
        raise SpecError(f"no selection of at most {max_options} options of each kind meets "
                        "every target", field="--max-options", value=max_options,
                        allowed="a larger K")
    byk = pd.DataFrame(by_k)
    byk["saving_vs_k_minus_1"] = byk["total_cost"].shift() - byk["total_cost"]
    out_rows = []
    for i, (v, mk) in enumerate(assign):
        c = int(chosen.choice[i])
        r = rows.iloc[names.index(v) * per_cand + c]
        line = long[(long["index"] == names.index(v) * per_cand + c) & (long["market"] == mk)]
        rec = {"variant": v, "market": mk, "pack": r["pack"], "drive_unit": r["drive_unit"],
               "unit_cost": unit[i, c], "volume": volume[i]}
        for col in [*C.INPUT_COLUMNS, *need]:
            if col != cost_col and col in line:
                rec[col] = float(line[col].iloc[0])
        out_rows.append(rec)
    table = pd.DataFrame(out_rows)
    for f in FAMILIES.values():
        if f not in [FAMILIES[x] for x in fams]:
            table = table.drop(columns=f)
    cand_table = long.copy()
    cand_table.insert(1, "derivative", [names[i // per_cand] for i in cand_table["index"]])
    for f in fams:
        cand_table.insert(2, FAMILIES[f], rows.loc[cand_table["index"], FAMILIES[f]].to_numpy())
    cand_table["targets_met"] = met_all
    notes = [f"unit cost: {cost_col} ({C.COST_MODEL.unit})",
             "fixed cost per offered option: " + ", ".join(f"{k} {v:,.0f}" for k, v in fixed.items()
                                                           if k in fams),
             "volumes: " + ("given for " + ", ".join(f"{a}@{b}" for a, b in vol) + "; " if vol else "")
             + f"{data['default_volume']:,} units per derivative and market otherwise (assumption)"]
    return PlatformOptionsResult(program=prog.name, markets=market_names, cost_column=cost_col,
                                 chosen=chosen, assignments=table, by_k=byk,
                                 candidates=cand_table.drop(columns=["index"]),
                                 fixed_cost={f: fixed[f] for f in fams},
                                 evaluations=len(ok) * len(mkts),
                                 seconds=time.perf_counter() - t0, notes=notes)


def _candidate_label(row) -> str:
    return "+".join(str(x) for x in (row["pack"], row["drive_unit"]) if x is not None)


__all__ = ["PlatformOptionsResult", "Selection", "build_candidates", "parse_candidates",
           "platform_options", "scaled_drive_units", "scaled_pack", "select_options"]
