"""Planning a sweep: the varied fields, their values (grid or Latin hypercube), the option
combinations resolved once, the platform-limit checks at the corners of the numeric ranges, and
the fingerprint that keys resuming. :mod:`.run` runs the chunks of a plan; :mod:`.sweep` is the
front that joins them."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import itertools
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from skateboard.errors import SpecError
from skateboard.explore import sampling
from skateboard.explore.fields import (
    NO_RANGE_EXTENDER,
    OPTION_TABLES,
    Dimension,
    check_drive_unit,
    check_road_load_form,
    lookup,
    parse_spec,
    split_field,
    split_vary,
)


DEFAULT_CHUNK_SIZE = 5000
DEFAULT_MARKETS = ("eu",)
#: Largest number of variants handed to one procedure call: battery-electric variants, and
#: range-extended ones. Results do not depend on these. Range-extended variants went in batches
#: of 32 while their charge-depleting test kept a time series per variant (about 2 MB each over
#: WLTP); the kernel now records where the engine first delivered power instead, so they take
#: the same size (a 5 000-variant EREV sweep, EU: 1 110-1 150 variants/s in batches of 32,
#: 1 360-1 610 in batches of 2 000; 2026-12-04, 2-core AMD EPYC). Battery-electric batches
#: hold a whole default chunk since 2026-12-05: the shortened test splits each batch into groups
#: by CSSM duration, each with its own composed cycle and parameter build, so fewer, larger
#: groups save that overhead (``benchmarks/sweep_scale.py 100000``: 13 700 -> 16 900
#: variants/s with the pack rows cached; range-extended sweeps gained nothing from 5 000).
BEV_BATCH = 5000
EREV_BATCH = 2000
#: More corners than this and the limit check resolves each range's ends instead of every corner.
MAX_CORNERS = 64
from skateboard.physics.constants import KWH
from skateboard.spec.bounds import check_energy_order, check_power_order

#: Result columns taken from each market's headline procedure (prefixed ``<market>_``).
RESULT_COLUMNS = ("range_km", "electric_range_km", "label_range_km", "label_range_mi", "mpge",
                  "consumption_wh_per_km", "consumption_ac_wh_per_km",
                  "fuel_weighted_l_per_100km", "fuel_cs_l_per_100km", "co2_weighted_g_per_km",
                  "co2_cs_g_per_km", "test_mass_kg", "energy_audit_residual")


# ---------------------------------------------------------------------------------------------
# The plan
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Combination:
    """One combination of the option fields' values, resolved once.

    options : option path -> value. variant : the resolved Variant, or None when the
    combination breaks a platform limit; error : then the spec layer's message."""

    options: dict
    variant: Any = None
    error: str | None = None


@dataclass
class SweepPlan:
    """Everything a chunk needs; picklable (sent once to each Dask worker).

    program : the program as given (bundled name, or absolute path of its file).
    program_name : the program's ``name``.
    variant : the derivative varied (one of the program's variants).
    dims : the ``--vary`` dimensions, in order.
    method : "grid" or "lhs". n : number of variants. seed : LHS seed (None for grid).
    markets : Market objects; fuels : market name -> Fuel.
    combinations : in ``itertools.product`` order of the option dimensions.
    """

    program: str
    program_name: str
    variant: str
    dims: tuple[Dimension, ...]
    method: str
    n: int
    seed: int | None
    chunk_size: int
    markets: tuple
    fuels: dict
    combinations: tuple[Combination, ...]
    fingerprint: str = ""
    _schema: pa.Schema | None = field(default=None, repr=False)
    #: Prices the variants (:mod:`skateboard.economics.sweep_columns`); None: no cost columns.
    economics: Any = field(default=None, repr=False)

    # --- identity ---
    def arguments(self) -> dict:
        """The arguments that decide the dataset (JSON-ready, canonical)."""
        return {"program": self.program, "variant": self.variant,
                "vary": [d.canonical() for d in self.dims], "method": self.method,
                "samples": self.n if self.method == "lhs" else None, "seed": self.seed,
                "markets": [m.name for m in self.markets], "chunk_size": self.chunk_size,
                "spec_fingerprint": self.fingerprint, "code_fingerprint": code_fingerprint()}

    @property
    def key(self) -> str:
        """SHA-256 of the canonical arguments."""
        text = json.dumps(self.arguments(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()

    # --- chunks ---
    @property
    def n_chunks(self) -> int:
        return max(1, math.ceil(self.n / self.chunk_size))

    def chunk_bounds(self, index: int) -> tuple[int, int]:
        start = index * self.chunk_size
        return start, min(start + self.chunk_size, self.n)

    # --- columns ---
    @property
    def option_dims(self) -> list[int]:
        return [i for i, d in enumerate(self.dims) if d.field.kind == "option"]

    @property
    def parameter_columns(self) -> list[str]:
        return [d.field.column for d in self.dims]

    def market_prefix(self, market) -> str:
        return market.name.replace("-", "_") + "_"

    @property
    def schema(self) -> pa.Schema:
        if self._schema is None:
            cols = [pa.field("sample", pa.int64(), nullable=False),
                    pa.field("variant", pa.string(), nullable=False)]
            for d in self.dims:
                cols.append(pa.field(d.field.column,
                                     pa.string() if d.field.kind == "option" else pa.float64()))
            cols += [pa.field("pack_gross_energy_kwh", pa.float64()),
                     pa.field("pack_usable_energy_kwh", pa.float64()),
                     pa.field("pack_mass_kg", pa.float64()),
                     pa.field("curb_mass_kg", pa.float64()),
                     pa.field("feasible", pa.bool_(), nullable=False),
                     pa.field("error", pa.string())]
            for mk in self.markets:
                cols += [pa.field(self.market_prefix(mk) + c, pa.float64()) for c in RESULT_COLUMNS]
            if self.economics is not None:
                cols += [pa.field(c, pa.float64()) for c in self.economics.column_names()]
            self._schema = pa.schema(cols)
        return self._schema

    # --- samples ---
    def design(self, start: int, stop: int) -> list[np.ndarray]:
        """Per dimension: level indices (grid) or unit positions in [0, 1) (LHS)."""
        if self.method == "grid":
            return sampling.grid_indices([d.grid_size() for d in self.dims], start, stop)
        return sampling.lhs_unit(self.n, len(self.dims), self.seed, start, stop)

    def values(self, start: int, stop: int) -> list[np.ndarray]:
        """Per dimension, the values of samples ``start .. stop - 1``: SI floats for numeric
        dimensions, int64 indices into ``dim.values`` for option dimensions."""
        out = []
        for d, raw in zip(self.dims, self.design(start, stop)):
            if self.method == "grid":
                if d.field.kind == "option":
                    out.append(raw)
                elif d.is_range:
                    out.append(np.linspace(d.low, d.high, d.steps)[raw])
                else:
                    out.append(np.asarray(d.values, float)[raw])
            else:
                if d.is_range:
                    out.append(d.low + raw * (d.high - d.low))
                else:
                    idx = np.minimum((raw * len(d.values)).astype(np.int64), len(d.values) - 1)
                    out.append(idx if d.field.kind == "option" else np.asarray(d.values, float)[idx])
        return out


def _platform_of(derivative):
    from skateboard.spec import load_platform
    from skateboard.spec.loader import locate

    src = derivative.source_file
    path = locate("platform", derivative.platform, relative_to=Path(src).parent if src else None,
                  file=src, field="platform")
    return load_platform(path)


def _option_names(platform, path: str) -> list[str]:
    names = list(getattr(platform, OPTION_TABLES[path]))
    if path == "options.drive_units":
        return ["+".join(p) for r in (1, 2) for p in itertools.permutations(names, r)]
    if path == "options.range_extender":
        return names + [NO_RANGE_EXTENDER]
    return names


def _set(data: dict, path: str, value: Any) -> None:
    keys = path.split(".")
    for k in keys[:-1]:
        data = data.setdefault(k, {})
    data[keys[-1]] = value


def _resolve(derivative, options: dict, numeric: dict):
    """Resolve the derivative with other options and derivative-level values (the slow, checked
    path of the spec layer)."""
    from skateboard.spec import models as m
    from skateboard.spec import resolve_variant

    src = derivative.source_file
    data = derivative.model_dump(exclude_unset=True)
    for path, value in options.items():
        if path == "options.drive_units":
            value = value.split("+")
        elif path == "options.range_extender" and value == NO_RANGE_EXTENDER:
            data["options"].pop("range_extender", None)
            continue
        _set(data, path, value)
    for path, value in numeric.items():
        _set(data, path, float(value))
    new = m.validate(m.Derivative, data, file=src)
    new._source_file = src
    return resolve_variant(new, file=src)


def mass_follows_pack(dims: Sequence[Dimension]) -> bool:
    """True when the sweep varies the pack's gross energy but not the curb mass: the pack's
    mass then follows its energy at the option's energy density, and the car's mass with it."""
    targets = {d.field.target for d in dims if d.field.kind == "numeric"}
    return ("pack", "gross_energy") in targets and ("variant", "curb_mass") not in targets


def pack_mass_change(pack, gross_energy: float) -> float:
    """Mass [kg] a pack gains when its gross energy becomes ``gross_energy`` at the same
    energy density (gross energy per kg) as the option (0 when the option gives no mass)."""
    return pack.mass * (gross_energy / pack.gross_energy - 1.0)


def batch_of(variant, dims: Sequence[Dimension], values: np.ndarray, name_prefix: str,
             first: int = 0, names=None):
    """The variant with each row of ``values`` (samples x ``dims``, SI) applied: a
    :class:`~skateboard.spec.batch.VariantBatch` of ``len(values)`` variants named
    ``name_prefix#first``, ``#first+1``, ... (or ``names``), built with array operations (no Python loop over
    the samples). Not checked again: the plan checked each range against the spec's allowed
    values and every platform limit at the corners of the box (:func:`_check_corners`; the
    limits are linear in these fields), so every point inside is valid (``tests/test_sweep.py``
    compares with a full resolution). When the pack's gross energy varies and the curb mass
    does not, the pack's mass and the curb mass follow the energy (:func:`pack_mass_change`); a
    drive unit on the calibrated loss rule gets the coefficients of its new rating (as
    ``DriveUnit.rerated`` gives them)."""
    from skateboard.spec import defaults
    from skateboard.spec.batch import VariantBatch

    values = np.asarray(values, dtype=float)
    if values.ndim != 2 or values.shape[1] != len(dims):
        raise ValueError(f"values of shape {values.shape} for {len(dims)} dimensions")
    fields: dict[str, np.ndarray] = {}
    pack: dict[str, np.ndarray] = {}
    units: dict[str, dict[str, np.ndarray]] = {}
    for j, d in enumerate(dims):
        kind, attr = d.field.target
        target = {"variant": fields, "pack": pack}.get(kind)
        if target is None:
            target = units.setdefault(d.field.unit, {})
        target[attr] = values[:, j]
    if "gross_energy" in pack and "curb_mass" not in fields:
        dm = pack_mass_change(variant.pack, pack["gross_energy"])
        pack["mass"] = variant.pack.mass + dm
        fields["curb_mass"] = variant.curb_mass + dm
    for du in variant.drive_units:
        changed = units.get(du.name)
        if changed and du.loss_map == defaults.CALIBRATED_LOSS_MAP:
            rating = {k: changed.get(k, getattr(du, k)) for k in ("peak_power", "peak_torque",
                                                                   "max_speed")}
            coeffs = defaults.calibrated_loss_coefficients(
                rating["peak_power"], rating["peak_torque"], rating["max_speed"],
                motor_type=du.motor_type, inverter=du.inverter)
            changed["loss_coefficients"] = np.column_stack(
                [np.broadcast_to(np.asarray(c, dtype=float), (len(values),)) for c in coeffs])
    return VariantBatch(variant, len(values), fields, pack, units, name_prefix, first, names,
                        check=False)


def _fast(variant, dims: Sequence[Dimension], row_values: Sequence[float], name: str):
    """One variant of :func:`batch_of`, named ``name`` (the optimiser's samples)."""
    return batch_of(variant, dims, np.asarray(row_values, dtype=float)[None, :], name,
                    names=[name]).variant(0)


def _ends(d: Dimension) -> tuple[float, float]:
    return (d.low, d.high) if d.is_range else (min(d.values), max(d.values))


def _check_corners(derivative, combo: Combination, dims: Sequence[Dimension]) -> None:
    """Every platform limit holds over the whole numeric box if it holds at its corners: the
    loader's limits are linear in these fields (mass sums, axle-load shares), so the feasible set
    is convex. With many dimensions, each range's ends are checked with the others at their
    lower and upper ends instead."""
    numeric = [d for d in dims if d.field.kind == "numeric" and d.field.level == "derivative"]
    packs = [d for d in dims if d.field.kind == "numeric" and d.field.level == "pack"]
    if numeric:
        ends = [_ends(d) for d in numeric]
        if 2 ** len(numeric) <= MAX_CORNERS:
            corners = list(itertools.product(*ends))
        else:
            lows, highs = [e[0] for e in ends], [e[1] for e in ends]
            corners = [tuple(lows), tuple(highs)]
            for i, (lo, hi) in enumerate(ends):
                for base in (lows, highs):
                    corners += [tuple(base[:i]) + (v,) + tuple(base[i + 1:]) for v in (lo, hi)]
        for corner in corners:
            try:
                _resolve(derivative, combo.options, {d.field.path: v for d, v in zip(numeric, corner)})
            except SpecError as exc:
                culprit = [d for d in numeric if exc.field and exc.field.startswith(d.field.path)]
                where = ", ".join(f"--vary {d.text}" for d in (culprit or numeric))
                at = ", ".join(f"{d.field.path}={v:g}" for d, v in zip(numeric, corner))
                opts = "".join(f", {k}={v}" for k, v in combo.options.items())
                raise SpecError(f"the range breaks a platform limit at {at}{opts}: {exc.message}",
                                field=where, value=exc.value, allowed=exc.allowed) from None
    for d in dims:
        if d.field.level != "drive_unit":
            continue
        where = f"--vary {d.text}"
        check_drive_unit(d.field, combo.variant, where)
        unit = next(du for du in combo.variant.drive_units if du.name == d.field.unit)
        if d.field.target[1] == "peak_power":
            opts = "".join(f" with {k}={v}" for k, v in combo.options.items())
            check_power_order(unit.continuous_power, _ends(d)[0], field=where,
                              context=f" everywhere in the range (drive unit {unit.name!r}{opts})")
    if packs:
        _check_pack_limits(derivative, combo, dims, packs)
        pack = combo.variant.pack
        by = {d.field.target[1]: d for d in packs}
        gross = _ends(by["gross_energy"])[0] if "gross_energy" in by else pack.gross_energy
        usable = _ends(by["usable_energy"])[1] if "usable_energy" in by else pack.usable_energy
        check_energy_order(gross, usable, field=", ".join(f"--vary {d.text}" for d in packs),
                           context=f" everywhere in the ranges (pack {pack.name!r})")


def _check_pack_limits(derivative, combo: Combination, dims, packs) -> None:
    """A varied pack stays within the platform's ``chassis.max_pack_energy`` (default: its
    largest pack option), and the mass it brings within the maximum gross mass."""
    from skateboard.physics.constants import DRIVER_MASS

    platform = _platform_of(derivative)
    limit = platform.chassis.max_pack_energy or max(p.gross_energy for p in platform.packs.values())
    declared = platform.chassis.max_pack_energy is not None
    v = combo.variant
    for d in packs:
        if d.field.target[1] != "gross_energy":  # usable energy is bounded by the gross
            continue
        high = _ends(d)[1]
        if high > limit * (1 + 1e-12):
            opts = "".join(f" with {k}={val}" for k, val in combo.options.items())
            raise SpecError(f"{d.field.target[1]} {high / KWH:g} kWh above the platform's "
                            f"{'max_pack_energy' if declared else 'largest pack option'} "
                            f"{limit / KWH:g} kWh{opts}", field=f"--vary {d.text}",
                            allowed=f"<= {limit / KWH:g} kWh" + ("" if declared else
                            "; declare chassis.max_pack_energy in the platform for larger packs"))
    if mass_follows_pack(dims):
        d = next(d for d in packs if d.field.target[1] == "gross_energy")
        dm = pack_mass_change(v.pack, _ends(d)[1])
        mro = v.curb_mass + dm + DRIVER_MASS + v.optional_equipment_mass
        if mro > v.max_gross_mass:
            raise SpecError(f"the pack's mass follows its energy ({v.pack.mass:.0f} kg at "
                            f"{v.pack.gross_energy / KWH:g} kWh -> {v.pack.mass + dm:.0f} kg at "
                            f"{_ends(d)[1] / KWH:g} kWh): mass in running order {mro:.0f} kg "
                            f"exceeds the maximum gross mass {v.max_gross_mass:.0f} kg",
                            field=f"--vary {d.text}", allowed="a smaller pack, or vary "
                            "top_hat.curb_mass explicitly (then the pack's mass is not changed)")


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """SHA-256 of the package's Python sources and bundled data: a sweep directory is not
    resumed by a different version of the code (its results could differ from the finished
    chunks'). The package version alone would not do: it is not bumped for every change."""
    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.suffix in (".py", ".toml", ".csv") and "__pycache__" not in path.parts:
            h.update(str(path.relative_to(root)).encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def _fingerprint(combos: Sequence[Combination], markets: Sequence, fuels: dict) -> str:
    """Hash of the resolved specifications the sweep starts from, so a sweep directory is not
    resumed after a spec file changed."""
    def plain(v):
        if v is None:
            return None
        d = dataclasses.asdict(v)
        d.pop("source_file", None)
        return d
    data = {"combinations": [{"options": c.options, "variant": plain(c.variant), "error": c.error}
                             for c in combos],
            "markets": [mk.model_dump() for mk in markets],
            "fuels": {k: dataclasses.asdict(f) for k, f in fuels.items()}}
    text = json.dumps(data, sort_keys=True, default=repr)
    return hashlib.sha256(text.encode()).hexdigest()


def _program_ref(program) -> str:
    text = str(program)
    if text.endswith(".toml") or "/" in text or "\\" in text:
        return str(Path(text).expanduser().resolve())
    return text


def plan_sweep(program: str, vary: Sequence[str], *, method: str | None = None,
               samples: int | None = None, seed: int | None = 0,
               markets: Sequence[str] | None = None,
               chunk_size: int = DEFAULT_CHUNK_SIZE) -> SweepPlan:
    """Read and check a sweep's arguments; resolve each combination of options once.

    Parameters
    ----------
    program : bundled program name or path of a program file.
    vary : ``FIELD=SPEC`` strings (see :mod:`skateboard.explore.fields`); every FIELD names the
        same variant of the program.
    method : "grid" (full factorial of the ranges' STEPS and the lists) or "lhs" (Latin
        hypercube of ``samples`` points); default "lhs" when ``samples`` is given, else "grid".
    samples : number of LHS points.
    seed : LHS seed (>= 0).
    markets : market names (default ``["eu"]``); each runs its headline procedure.
    chunk_size : variants per part file.

    Raises
    ------
    SpecError
        Naming the ``--vary`` field or range (unknown variant or field, bad syntax, wrong unit,
        a value outside the field's range, a range that breaks a platform limit).
    """
    from skateboard.markets import load_market
    from skateboard.spec import load_derivative, load_fuel, load_program

    if not vary:
        raise SpecError("nothing to vary", field="--vary",
                        allowed="one or more FIELD=SPEC, e.g. "
                        "hongqi-b10-bev.top_hat.drag_coefficient=0.26..0.32:7")
    method = method or ("lhs" if samples is not None else "grid")
    if method not in ("grid", "lhs"):
        raise SpecError("unknown sampling method", field="--method", value=method,
                        allowed="grid, lhs")
    if chunk_size is None or chunk_size < 1:
        raise SpecError("must be at least 1", field="--chunk-size", value=chunk_size)

    prog = load_program(program)
    parsed = []
    for text in vary:
        ftext, spec = split_vary(text)
        vname, path = split_field(ftext, prog.variant_names, file=prog.source_file)
        parsed.append((ftext, vname, path, spec))
    names = sorted({p[1] for p in parsed})
    if len(names) > 1:
        raise SpecError("all --vary fields must name the same variant", field="--vary",
                        value=", ".join(names), allowed="one variant per sweep")
    base = prog.variant(names[0])
    derivative = load_derivative(base.source_file)
    platform = None
    dims: list[Dimension] = []
    for ftext, _, path, spec in parsed:
        where = f"--vary {ftext}"
        fld = lookup(path, where=where)
        if any(d.field.path == fld.path for d in dims):
            raise SpecError("field varied twice", field=where, value=fld.path,
                            allowed="each field once")
        options = None
        if fld.kind == "option":
            platform = platform or _platform_of(derivative)
            options = _option_names(platform, fld.path)
        else:
            check_road_load_form(fld, base, where)
        dims.append(parse_spec(fld, spec, name=ftext, options=options))

    if method == "grid":
        if samples is not None:
            raise SpecError("--samples applies to --method lhs; a grid has the product of its "
                            "ranges' STEPS and lists' lengths", field="--samples", value=samples)
        n = sampling.grid_size([d.grid_size() for d in dims])
        seed = None
    else:
        if samples is None or samples < 1:
            raise SpecError("--method lhs needs the number of samples", field="--samples",
                            value=samples if samples is not None else ..., allowed=">= 1")
        if seed is None or seed < 0:
            raise SpecError("must be a non-negative integer", field="--seed", value=seed)
        n = int(samples)
    if n >= 2 ** 62:
        raise SpecError("too many variants", field="--vary", value=n, allowed="< 2**62")

    market_names = list(dict.fromkeys(markets or DEFAULT_MARKETS))
    mkts = tuple(load_market(mname) for mname in market_names)
    fuels = {mk.name: load_fuel(mk.fuel) for mk in mkts}

    option_dims = [d for d in dims if d.field.kind == "option"]
    combos = []
    for values in itertools.product(*[d.values for d in option_dims]):
        opts = {d.field.path: v for d, v in zip(option_dims, values)}
        if not opts:
            combos.append(Combination({}, base))
            continue
        try:
            combos.append(Combination(opts, _resolve(derivative, opts, {})))
        except SpecError as exc:
            combos.append(Combination(opts, None, exc.one_line()))
    feasible = [c for c in combos if c.variant is not None]
    if not feasible:
        raise SpecError("no combination of the options is feasible: " + combos[0].error,
                        field=", ".join(f"--vary {d.text}" for d in option_dims))
    for combo in feasible:
        _check_corners(derivative, combo, dims)

    from skateboard.economics import sweep_columns

    return SweepPlan(program=_program_ref(program), program_name=prog.name, variant=base.name,
                     dims=tuple(dims), method=method, n=n, seed=seed, chunk_size=int(chunk_size),
                     markets=mkts, fuels=fuels, combinations=tuple(combos),
                     fingerprint=_fingerprint(combos, mkts, fuels),
                     economics=sweep_columns.plan(prog, base.name, combos, mkts,
                                                  lambda mk: mk.name.replace("-", "_") + "_"))
