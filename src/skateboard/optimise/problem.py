"""The optimisation problem: objectives, the encoding of ``--vary`` dimensions, and the
:class:`Evaluator` that builds, simulates and scores each generation's new individuals in one
batch and keeps every distinct one (the archive). The search itself is
:mod:`skateboard.optimise.search`."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from skateboard.errors import SpecError, close_matches
from skateboard.optimise import columns as C


@dataclass(frozen=True)
class Objective:
    """``min:COLUMN[@MARKET]`` or ``max:...``; market None for a column equal in every market."""

    column: str
    sense: str
    market: str | None = None

    @property
    def label(self) -> str:
        return f"{self.sense}:{self.column}" + (f"@{self.market}" if self.market else "")

    @property
    def wide(self) -> str:
        """Its column in the optimiser's tables (``eu_range_km``, as ``sweep``)."""
        return (_prefix(self.market) + self.column) if self.market else self.column


def _prefix(market: str) -> str:
    return market.replace("-", "_") + "_"


def market_dependent_columns() -> list[str]:
    """Columns with a value per market: the procedures' headline and climate columns, and the
    economics' entry columns (``landed_cost``, ``margin_per_vehicle``, ..., priced as a sweep
    prices them: :mod:`skateboard.economics.sweep_columns`)."""
    from skateboard.economics.sweep_columns import MARKET_COLUMNS

    cost = [c for c in C.COST_MODEL.columns if c not in C.COST_MODEL.market_independent]
    return [*C.HEADLINE_COLUMNS, *C.CLIMATE_COLUMNS, *cost, *MARKET_COLUMNS]


def market_independent_columns() -> list[str]:
    return [*C.PERFORMANCE_COLUMNS, *C.INPUT_COLUMNS, *C.COST_MODEL.market_independent]


def parse_objective(text: str, *, parameters: Sequence[str] = ()) -> Objective:
    """Read one ``--objective``: ``min:COLUMN``, ``max:COLUMN@MARKET``."""
    where = "--objective"
    if ":" not in text:
        raise SpecError("an objective is min:COLUMN[@MARKET] or max:COLUMN[@MARKET]",
                        field=where, value=text, allowed="e.g. min:cost_total, max:range_km@eu")
    sense, rest = (t.strip() for t in text.split(":", 1))
    if sense not in ("min", "max"):
        raise SpecError("an objective starts with min: or max:", field=where, value=text,
                        allowed="min, max")
    column, market = (rest.split("@", 1) + [None])[:2] if "@" in rest else (rest, None)
    column = column.strip()
    market = market.strip() if market else None
    dependent, independent = market_dependent_columns(), [*market_independent_columns(), *parameters]
    if column not in dependent and column not in independent:
        names = dependent + independent
        raise SpecError(f"not a result column{close_matches(column, names)}", field=where,
                        value=column, allowed=", ".join(names))
    if market is not None:
        from skateboard.markets import load_market

        load_market(market)  # unknown market -> SpecError listing the bundled ones
        if column in independent:
            market = None  # the same in every market
    return Objective(column, sense, market)


# ---------------------------------------------------------------------------------------------
# Variables
# ---------------------------------------------------------------------------------------------

def encoding(dims) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Bounds and integer mask of the optimiser's real-coded vector, one entry per dimension.

    An option list or a discrete numeric dimension of n values is an integer index 0..n-1,
    sampled and varied on [-0.5, n - 0.5] and rounded (so each index is equally likely); a
    continuous range is a real number on [LOW, HIGH] (SI)."""
    xl, xu, integer = [], [], []
    for d in dims:
        if d.field.kind == "numeric" and d.is_range and d.steps is None:
            xl.append(d.low)
            xu.append(d.high)
            integer.append(False)
        else:
            size = len(d.values) if not d.is_range else d.steps
            xl.append(-0.5)
            xu.append(size - 0.5)
            integer.append(True)
    return np.array(xl, float), np.array(xu, float), np.array(integer, bool)


def level_values(d) -> np.ndarray | None:
    """The values of a discrete numeric dimension (SI), None for a continuous one."""
    if d.field.kind == "option" or (d.is_range and d.steps is None):
        return None
    return np.linspace(d.low, d.high, d.steps) if d.is_range else np.asarray(d.values, float)


def grid_points(dims) -> int | None:
    """Number of distinct points of an all-discrete design space (None with a real variable)."""
    n = 1
    for d in dims:
        if d.field.kind == "numeric" and d.is_range and d.steps is None:
            return None
        n *= d.steps if d.is_range else len(d.values)
    return n


# ---------------------------------------------------------------------------------------------
# The problem
# ---------------------------------------------------------------------------------------------

class Evaluator:
    """Builds, simulates and scores individuals; remembers every distinct one (the archive)."""

    def __init__(self, plan, objectives: Sequence[Objective], targets: dict, *, file=None):
        self.plan = plan
        self.objectives = list(objectives)
        self.targets = targets  # market -> targets
        self.file = file
        self.dims = plan.dims
        self.levels = [level_values(d) for d in self.dims]
        self.xl, self.xu, self.integer = encoding(self.dims)
        self.sizes = (self.xu - self.xl)[self.integer].round().astype(np.int64)
        self.option_dims = [i for i, d in enumerate(self.dims) if d.field.kind == "option"]
        self.numeric_dims = [i for i, d in enumerate(self.dims) if d.field.kind == "numeric"]
        need = {o.column for o in objectives} | {
            c for t in targets.values() for k in t for c in C.lookup(k).columns}
        self.needed = sorted(need)
        self.index: dict[tuple, int] = {}
        self.rows: list[pd.DataFrame] = []
        self.keys: list[tuple] = []
        self.F = np.zeros((0, len(objectives)))
        self.cv = np.zeros(0)
        self.met = np.zeros(0, dtype=bool)
        self.generation_of = np.zeros(0, dtype=int)
        self.generation = 0
        self.evaluations = 0
        self.batches = 0
        self.simulation_seconds = 0.0
        self.evaluate_seconds = 0.0
        self._front = np.zeros(0, dtype=np.int64)
        self._front_seen = 0

    # --- decoding ---
    def keys_of(self, X) -> list[tuple]:
        """Each row of pymoo's X as a hashable key: integer indices and real values."""
        X = np.asarray(X, dtype=float).reshape(-1, len(self.dims))
        idx = np.clip(np.rint(X[:, self.integer]), 0, self.sizes - 1).astype(np.int64)
        cols: list = [None] * len(self.dims)
        for j, i in enumerate(np.nonzero(self.integer)[0]):
            cols[i] = idx[:, j].tolist()
        for i in np.nonzero(~self.integer)[0]:
            cols[i] = X[:, i].tolist()
        return list(zip(*cols))

    def si_values(self, keys: Sequence[tuple]) -> list[np.ndarray]:
        """Per dimension: option index (int) or SI value (float) of each key."""
        arr = np.array(keys, dtype=float).reshape(len(keys), len(self.dims))
        out = []
        for i, d in enumerate(self.dims):
            col = arr[:, i]
            if d.field.kind == "option":
                out.append(col.astype(np.int64))
            elif self.levels[i] is None:
                out.append(col)
            else:
                out.append(self.levels[i][col.astype(np.int64)])
        return out

    def variants(self, keys: Sequence[tuple], names: Sequence[str]):
        """The variants of ``keys`` (None where the option combination breaks a platform limit)
        and their errors."""
        from skateboard.explore.sweep import _fast

        values = self.si_values(keys)
        if self.option_dims:
            codes = np.ravel_multi_index([values[i] for i in self.option_dims],
                                         [len(self.dims[i].values) for i in self.option_dims])
        else:
            codes = np.zeros(len(keys), dtype=np.int64)
        num_dims = [self.dims[i] for i in self.numeric_dims]
        num = (np.column_stack([values[i] for i in self.numeric_dims]) if self.numeric_dims
               else np.zeros((len(keys), 0)))
        out, errors = [], []
        for r, code in enumerate(codes):
            combo = self.plan.combinations[code]
            if combo.variant is None:
                out.append(None)
                errors.append(combo.error)
            else:
                out.append(_fast(combo.variant, num_dims, num[r], names[r]))
                errors.append(None)
        return out, errors, values

    def parameter_frame(self, values: list[np.ndarray]) -> dict:
        cols = {}
        for d, v in zip(self.dims, values):
            cols[d.field.column] = ([d.values[int(i)] for i in v] if d.field.kind == "option"
                                    else np.asarray(v, float) / d.field.scale)
        return cols

    # --- scoring ---
    def table(self, keys: Sequence[tuple], columns: Sequence[str] | None) -> pd.DataFrame:
        """One wide row per key: parameters, results (``<market>_<column>`` for columns that
        depend on the market), ``targets_met``, ``violation``, ``targets_failed``, ``error``."""
        names = [f"{self.plan.variant}#{len(self.keys) + r}" for r in range(len(keys))]
        variants, errors, values = self.variants(keys, names)
        ok = np.array([r for r, v in enumerate(variants) if v is not None], dtype=np.int64)
        markets = list(self.plan.markets)
        n = len(keys)
        cols: dict = self.parameter_frame(values)
        met = np.zeros(n, dtype=bool)
        violation = np.full(n, C.ERROR_VIOLATION)
        failed = [f"error: {e}" if e else "" for e in errors]
        if len(ok):
            t0 = time.perf_counter()
            long = C.columns_for([variants[r] for r in ok], markets, columns)
            self.simulation_seconds += time.perf_counter() - t0
            ok_met = np.ones(len(ok), dtype=bool)
            ok_violation = np.zeros(len(ok))
            ok_failed: list[list[str]] = [[] for _ in ok]
            dependent = set(market_dependent_columns()) | {"procedure"}
            skip = {"index", "variant", "market", "error"}
            for j, mk in enumerate(markets):
                part = long.iloc[j::len(markets)].reset_index(drop=True)
                m, v, f = C.check_rows(part, self.targets.get(mk.name, {}), file=self.file,
                                       variant=self.plan.variant)
                ok_met &= m
                ok_violation += v
                for r, text in enumerate(f):
                    if text:
                        ok_failed[r].append(f"{mk.name}: {text}")
                for c in part.columns:
                    if c in skip or (j > 0 and c not in dependent):
                        continue
                    name = _prefix(mk.name) + c if c in dependent else c
                    a = part[c].to_numpy()
                    full = (np.full(n, None, dtype=object) if a.dtype == object
                            else np.full(n, np.nan))
                    full[ok] = a
                    cols[name] = full
            for r, e in zip(ok, long["error"].iloc[::len(markets)]):
                errors[r] = errors[r] or e
            met[ok] = ok_met
            violation[ok] = ok_violation
            for r, t in zip(ok, ok_failed):
                failed[r] = "; ".join(t)
        self._add_economics(cols, values)
        wide = pd.DataFrame(cols)
        wide.insert(0, "variant", self.plan.variant)
        wide["targets_met"] = met
        wide["violation"] = violation
        wide["targets_failed"] = failed
        wide["error"] = errors
        return wide

    def _add_economics(self, cols: dict, values: list[np.ndarray]) -> None:
        """Each market's entry columns (``<market>_landed_cost``, ``_margin_per_vehicle``, ...)
        from the sweep plan's economics, vectorised over the batch, as ``sweep`` writes them;
        the compliance value reads the batch's CO2 and electric-range columns in ``cols``."""
        econ = getattr(self.plan, "economics", None)
        if econ is None or not econ.markets:
            return
        from skateboard.economics.sweep_columns import MARKET_COLUMNS
        from skateboard.economics.sweep_columns import columns as economics_columns

        n = len(values[0]) if values else 0
        if self.option_dims:
            codes = np.ravel_multi_index([values[i] for i in self.option_dims],
                                         [len(self.dims[i].values) for i in self.option_dims])
        else:
            codes = np.zeros(n, dtype=np.int64)
        results = {k: np.asarray(v, dtype=float) for k, v in cols.items()
                   if k.endswith(("co2_weighted_g_per_km", "co2_g_per_km", "electric_range_km"))}
        out = economics_columns(econ, codes, self.dims, values, results)
        for m in econ.markets:
            for c in MARKET_COLUMNS:
                cols[m.prefix + c] = out[m.prefix + c]

    def objective_matrix(self, wide: pd.DataFrame) -> np.ndarray:
        cols = []
        for o in self.objectives:
            v = (wide[o.wide].to_numpy(dtype=float) if o.wide in wide
                 else np.full(len(wide), np.nan))
            cols.append(-v if o.sense == "max" else v)
        return np.column_stack(cols) if cols else np.zeros((len(wide), 0))

    def evaluate(self, X) -> tuple[np.ndarray, np.ndarray]:
        """pymoo's F (minimised) and G (total violation) of a population, one batch for the
        individuals not met before."""
        t0 = time.perf_counter()
        keys = self.keys_of(X)
        new = [k for k in dict.fromkeys(keys) if k not in self.index]
        if new:
            wide = self.table(new, self.needed)
            F = self.objective_matrix(wide)
            bad = np.isnan(F).any(axis=1) & wide["targets_met"].to_numpy()
            cv = wide["violation"].to_numpy(dtype=float) + bad * C.ERROR_VIOLATION
            met = wide["targets_met"].to_numpy(dtype=bool) & ~bad
            start = len(self.keys)
            for r, k in enumerate(new):
                self.index[k] = start + r
            self.keys += new
            self.rows.append(wide)
            self.F = np.vstack([self.F, np.nan_to_num(F, nan=1e30)])
            self.cv = np.concatenate([self.cv, cv])
            self.met = np.concatenate([self.met, met])
            self.generation_of = np.concatenate([self.generation_of,
                                                 np.full(len(new), self.generation)])
            self.evaluations += len(new)
            self.batches += 1
        idx = np.array([self.index[k] for k in keys], dtype=np.int64)
        self.evaluate_seconds += time.perf_counter() - t0
        return self.F[idx], self.cv[idx][:, None]

    # --- results ---
    def archive(self) -> pd.DataFrame:
        df = pd.concat(self.rows, ignore_index=True) if self.rows else pd.DataFrame()
        if len(df):
            df.insert(1, "generation", self.generation_of)
        return df

    def front(self) -> np.ndarray:
        """Archive positions of the best feasible individuals: the non-dominated set (several
        objectives) or those with the best value (one objective). Updated incrementally: the
        front of the archive is the front of the last front and the individuals added since."""
        new = np.arange(self._front_seen, len(self.met))
        cand = np.concatenate([self._front, new[self.met[new]]]).astype(np.int64)
        self._front_seen = len(self.met)
        self._front = cand[nondominated(self.F[cand])] if len(cand) else cand
        return self._front


def nondominated(F: np.ndarray) -> np.ndarray:
    """Mask of the rows of ``F`` (minimised) that no other row dominates (as good in every
    objective, better in one); identical rows all stay. One objective: the rows at the minimum.

    Two objectives take O(n log n): in lexicographic order a row is dominated exactly when a row
    with a smaller first objective has a second objective at most its own, or a row with the
    same first objective a smaller second one. More objectives: every row against every other,
    in blocks of 512 rows (O(n^2) time, bounded memory)."""
    F = np.asarray(F, dtype=float)
    n = len(F)
    if n == 0:
        return np.zeros(0, dtype=bool)
    if F.shape[1] == 1:
        return F[:, 0] == F[:, 0].min()
    if F.shape[1] == 2:
        return _nondominated_2d(F)
    mask = np.ones(n, dtype=bool)
    for start in range(0, n, 512):
        block = F[start:start + 512, None, :]
        le = (F[None, :, :] <= block).all(axis=2)
        lt = (F[None, :, :] < block).any(axis=2)
        mask[start:start + 512] = ~(le & lt).any(axis=1)
    return mask


def _nondominated_2d(F: np.ndarray) -> np.ndarray:
    order = np.lexsort((F[:, 1], F[:, 0]))
    f1, f2 = F[order, 0], F[order, 1]
    new_group = np.r_[True, f1[1:] != f1[:-1]]
    first = np.maximum.accumulate(np.where(new_group, np.arange(len(f1)), 0))
    running = np.minimum.accumulate(f2)
    before = np.r_[np.inf, running][first]      # least f2 among rows with a smaller f1
    dominated = (before <= f2) | (f2[first] < f2)
    mask = np.empty(len(F), dtype=bool)
    mask[order] = ~dominated
    return mask


__all__ = ["Evaluator", "Objective", "encoding", "grid_points", "level_values",
           "market_dependent_columns", "market_independent_columns", "nondominated",
           "parse_objective"]
