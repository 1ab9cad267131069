"""``skateboard optimise``: the best variants of one derivative for the program's targets.

The design space is that of a sweep (``--vary FIELD=SPEC``, read by
:func:`skateboard.explore.sweep.plan_sweep`, so every platform limit is checked the same way).
Each ``--vary`` becomes one entry of a real-coded vector (:func:`encoding`):

* an option list (``pack={56kwh,67kwh}``), a numeric list (``{0.26,0.28}``) or a range with
  steps (``0.26..0.32:7``): an integer index into its values, rounded by a repair (option lists
  are treated as ordered: list them in a meaningful order, e.g. by size);
* a range without steps (``0.26..0.32``): a real number.

One objective runs pymoo's genetic algorithm, several NSGA-II (Deb et al., IEEE Trans. Evol.
Comput. 6(2), 2002), both with simulated binary crossover and polynomial mutation, which work on
the whole population's matrix at once. Each generation's new individuals are built with the
sweep's fast path and simulated in one batch (:func:`skateboard.optimise.columns.columns_for`);
an individual met before is not simulated again. The constraint is one number, the total violation of the
program's targets in every chosen market (:func:`skateboard.optimise.columns.check_rows`), so
pymoo ranks feasible individuals by their objectives and infeasible ones by that violation.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from skateboard.errors import SpecError, close_matches
from skateboard.optimise import columns as C

#: Defaults of the command line.
POPULATION = 40
GENERATIONS = 60
PATIENCE = 15
#: Significant digits of the objective values below which a change of the front does not count
#: as progress (continuous variables would otherwise improve in the last digits forever).
SIGNIFICANT = 4
#: Several objectives: a relative gain of the front's hypervolume below this is no progress.
HV_TOLERANCE = 1e-3
#: Markets when neither --markets nor an objective names one (as ``sweep``).
DEFAULT_MARKETS = ("eu",)


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
    cost = [c for c in C.COST_MODEL.columns if c not in C.COST_MODEL.market_independent]
    return [*C.HEADLINE_COLUMNS, *C.CLIMATE_COLUMNS, *cost]


def market_independent_columns() -> list[str]:
    return [*C.PERFORMANCE_COLUMNS, *C.INPUT_COLUMNS, *C.COST_MODEL.market_independent]


def parse_objective(text: str, *, parameters: Sequence[str] = ()) -> Objective:
    """Read one ``--objective``: ``min:COLUMN``, ``max:COLUMN@MARKET``."""
    where = "--objective"
    if ":" not in text:
        raise SpecError("an objective is min:COLUMN[@MARKET] or max:COLUMN[@MARKET]",
                        field=where, value=text, allowed="e.g. min:cost_standin, max:range_km@eu")
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
            C.TARGET_FIELDS[k][0] for t in targets.values() for k in t}
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
        wide = pd.DataFrame(cols)
        wide.insert(0, "variant", self.plan.variant)
        wide["targets_met"] = met
        wide["violation"] = violation
        wide["targets_failed"] = failed
        wide["error"] = errors
        return wide

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
    objective, better in one); identical rows all stay. One objective: the rows at the minimum."""
    n = len(F)
    if F.shape[1] == 1:
        return F[:, 0] == F[:, 0].min()
    mask = np.ones(n, dtype=bool)
    for start in range(0, n, 512):
        block = F[start:start + 512, None, :]
        le = (F[None, :, :] <= block).all(axis=2)
        lt = (F[None, :, :] < block).any(axis=2)
        mask[start:start + 512] = ~(le & lt).any(axis=1)
    return mask


def hypervolume(F: np.ndarray, reference: np.ndarray) -> float:
    """Hypervolume of a front (minimised objectives) up to ``reference`` (pymoo's HV)."""
    from pymoo.indicators.hv import HV

    return float(HV(ref_point=reference)(F))


def _signature(F: np.ndarray) -> tuple:
    """The front's objective values to :data:`SIGNIFICANT` digits: the search has converged
    when this stops changing."""
    return tuple(sorted({tuple(float(f"{v:.{SIGNIFICANT}g}") for v in row) for row in F.tolist()}))


def make_algorithm(n_objectives: int, population: int, integer: np.ndarray):
    """pymoo's GA (one objective) or NSGA-II (several) on the real-coded vector: simulated
    binary crossover and polynomial mutation (vectorised over the population), integer
    dimensions rounded by a repair. The distribution indices are pymoo's defaults for real
    problems, and 3 (wider steps) when a dimension is an integer index, as pymoo's guide on
    mixed-integer problems uses."""
    from pymoo.core.repair import Repair
    from pymoo.operators.crossover.sbx import SBX
    from pymoo.operators.mutation.pm import PM
    from pymoo.operators.sampling.rnd import FloatRandomSampling

    class RoundIndices(Repair):
        def _do(self, problem, X, **kwargs):
            X = np.asarray(X, dtype=float).copy()
            if integer.any():
                X[:, integer] = np.clip(np.rint(X[:, integer]), np.ceil(problem.xl[integer]),
                                        np.floor(problem.xu[integer]))
            return X

    discrete = bool(integer.any())
    kw = dict(pop_size=population, sampling=FloatRandomSampling(),
              crossover=SBX(prob=0.9, eta=3.0 if discrete else 15.0),
              mutation=PM(eta=3.0 if discrete else 20.0), repair=RoundIndices(),
              eliminate_duplicates=True)
    if n_objectives == 1:
        from pymoo.algorithms.soo.nonconvex.ga import GA

        return GA(**kw)
    from pymoo.algorithms.moo.nsga2 import NSGA2

    return NSGA2(**kw)


def _problem(ev: Evaluator):
    from pymoo.core.problem import Problem

    class _P(Problem):
        def __init__(self):
            super().__init__(n_var=len(ev.dims), n_obj=len(ev.objectives), n_ieq_constr=1,
                             xl=ev.xl, xu=ev.xu)

        def _evaluate(self, X, out, *args, **kwargs):
            out["F"], out["G"] = ev.evaluate(X)

    return _P()


# ---------------------------------------------------------------------------------------------
# The run
# ---------------------------------------------------------------------------------------------

@dataclass
class OptimiseResult:
    """What :func:`optimise` found.

    best : the best feasible individual (one objective), or with several the feasible one best
        in the first objective; when none is feasible, the one with the least violation
        (``targets_met`` False). pareto : the best feasible individuals with every result
        column (one objective: every individual at the optimum). evaluated : every distinct
        individual simulated, with the columns the search needed. history : per generation
        the evaluations, seconds, best first objective and size of the front.
    evaluations : distinct variants simulated in the search. seconds : wall time.
    converged_generation : the last generation that improved the front: its objective values
        to :data:`SIGNIFICANT` significant digits (one objective) or its hypervolume by more
        than :data:`HV_TOLERANCE` (several, against the worst values of the first front).
    """

    program: str
    variant: str
    objectives: list
    markets: list
    targets: dict
    best: dict | None
    pareto: pd.DataFrame
    evaluated: pd.DataFrame
    history: pd.DataFrame
    evaluations: int
    seconds: float
    generations: int
    converged_generation: int
    grid_size: int | None
    parameter_columns: list = field(default_factory=list)
    feasible_found: bool = False

    def to_pandas(self) -> pd.DataFrame:
        return self.pareto


def _with_variant_prefix(vary: Sequence[str], variant: str | None, names: Sequence[str]) -> list:
    from skateboard.explore.fields import split_vary

    out = []
    for text in vary:
        ftext, spec = split_vary(text)
        if variant and not any(ftext.startswith(n + ".") for n in names):
            ftext = f"{variant}.{ftext}"
        elif variant and not ftext.startswith(variant + "."):
            raise SpecError(f"the field names another variant than --variant {variant}",
                            field=f"--vary {text}", allowed=f"{variant}.<path> or <path>")
        out.append(f"{ftext}={spec}")
    return out


def optimise(program: str, vary: Sequence[str], objectives: Sequence[str], *,
             variant: str | None = None, markets: Sequence[str] | None = None,
             population: int = POPULATION, generations: int = GENERATIONS, seed: int = 0,
             patience: int = PATIENCE,
             progress: Callable[[int, int, int], None] | None = None) -> OptimiseResult:
    """Search a derivative's design space for the best variants meeting its targets.

    Parameters
    ----------
    program : bundled program name or program file.
    vary : ``FIELD=SPEC`` as in ``sweep``; with ``variant``, FIELD may omit the variant name.
    objectives : ``min:COLUMN[@MARKET]`` / ``max:COLUMN[@MARKET]``; COLUMN is a column of
        ``evaluate``, an input column (:data:`skateboard.optimise.columns.INPUT_COLUMNS`), a cost
        column of the cost model, or a varied field's column.
    markets : the markets whose targets are constraints (default: the markets the objectives
        name, else ``eu``).
    population, generations, seed : of the genetic algorithm. patience : stop after this many
        generations without progress of the front (``converged_generation`` of
        :class:`OptimiseResult`), and when an all-discrete space is exhausted.
    progress : called as ``progress(generation, generations, evaluations)``.
    """
    from skateboard.explore.sweep import plan_sweep
    from skateboard.spec import load_program

    t0 = time.perf_counter()
    for name, value, low in (("--population", population, 2), ("--generations", generations, 1),
                             ("--patience", patience, 1)):
        if value is None or int(value) < low:
            raise SpecError(f"must be at least {low}", field=name, value=value)
    if seed is None or seed < 0:
        raise SpecError("must be a non-negative integer", field="--seed", value=seed)
    if not objectives:
        raise SpecError("no objective", field="--objective",
                        allowed="one or more min:COLUMN[@MARKET] / max:COLUMN[@MARKET]")
    prog = load_program(program)
    if variant is not None and variant not in prog.variant_names:
        from skateboard.errors import unknown_name
        raise unknown_name("variant", variant, prog.variant_names, file=prog.source_file,
                           field="--variant")
    vary = _with_variant_prefix(vary, variant, prog.variant_names)
    plan = plan_sweep(program, vary, method="lhs", samples=1, markets=["eu"])
    params = [d.field.column for d in plan.dims if d.field.kind == "numeric"]
    objs = [parse_objective(t, parameters=params) for t in objectives]
    named = list(dict.fromkeys(o.market for o in objs if o.market))
    chosen = list(dict.fromkeys(markets or named or DEFAULT_MARKETS))
    for o in objs:
        if o.market and o.market not in chosen:
            raise SpecError(f"objective {o.label} names a market not among --markets",
                            field="--objective", value=o.market, allowed=", ".join(chosen))
        if o.market is None and o.column in market_dependent_columns():
            if len(chosen) > 1:
                raise SpecError(f"{o.column} differs between markets: name one",
                                field="--objective", value=o.label,
                                allowed=", ".join(f"{o.sense}:{o.column}@{m}" for m in chosen))
            objs[objs.index(o)] = Objective(o.column, o.sense, chosen[0])
    plan = plan_sweep(program, vary, method="lhs", samples=1, markets=chosen)
    targets = {m: C.targets_for(prog, plan.variant, m) for m in chosen}
    ev = Evaluator(plan, objs, targets, file=prog.source_file)
    algorithm = make_algorithm(len(objs), int(population), ev.integer)
    algorithm.setup(_problem(ev), termination=("n_gen", int(generations)), seed=int(seed),
                    verbose=False)
    grid = grid_points(plan.dims)
    history, last_front, converged, gen, reference = [], None, 0, 0, None
    while algorithm.has_next():
        gen += 1
        ev.generation = gen
        algorithm.next()
        front = ev.front()
        if len(objs) == 1 or not len(front):
            key = _signature(ev.F[front])
            changed = key != last_front
        else:
            if reference is None:  # the worst feasible values of the first front, plus 10 %
                lo, hi = ev.F[front].min(axis=0), ev.F[front].max(axis=0)
                reference = hi + 0.1 * np.maximum(hi - lo, np.abs(hi) * 1e-3 + 1e-12)
            key = hypervolume(ev.F[front], reference)
            changed = (not isinstance(last_front, float)
                       or key > last_front * (1 + HV_TOLERANCE))
        if changed:
            last_front, converged = key, gen
        best = float(ev.F[front, 0].min()) if len(front) else np.nan
        if len(objs) and objs[0].sense == "max":
            best = -best
        history.append({"generation": gen, "evaluations": ev.evaluations,
                        "seconds": time.perf_counter() - t0,
                        "simulation_seconds": ev.simulation_seconds, "best": best,
                        "front_size": len(front)})
        if progress:
            progress(gen, int(generations), ev.evaluations)
        if gen - converged >= patience or (grid is not None and ev.evaluations >= grid):
            break
    front = ev.front()
    evaluated = ev.archive()
    feasible = bool(len(front))
    pick = front if feasible else np.array([int(np.argmin(ev.cv))])
    order = np.lexsort(ev.F[pick].T[::-1]) if len(objs) else np.arange(len(pick))
    pick = pick[order]
    pareto = ev.table([ev.keys[i] for i in pick], None)
    pareto.insert(1, "generation", ev.generation_of[pick])
    best = pareto.iloc[0].to_dict()
    return OptimiseResult(program=prog.name, variant=plan.variant, objectives=objs,
                          markets=chosen, targets=targets, best=best, pareto=pareto,
                          evaluated=evaluated, history=pd.DataFrame(history),
                          evaluations=ev.evaluations, seconds=time.perf_counter() - t0,
                          generations=gen, converged_generation=converged, grid_size=grid,
                          parameter_columns=[d.field.column for d in plan.dims],
                          feasible_found=feasible)


__all__ = ["Objective", "OptimiseResult", "grid_points", "nondominated", "optimise",
           "parse_objective"]
