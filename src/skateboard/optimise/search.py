"""``skateboard optimise``: the best variants of one derivative for the program's targets.

The design space is that of a sweep (``--vary FIELD=SPEC``, read by
:func:`skateboard.explore.sweep.plan_sweep`, so every platform limit is checked the same way).
Each ``--vary`` becomes one entry of a real-coded vector (:func:`encoding`):

* an option list (``pack={56kwh,67kwh}``), a numeric list (``{0.26,0.28}``) or a range with
  steps (``0.26..0.32:7``): an integer index into its values, rounded by a repair (option lists
  are treated as ordered: list them in a meaningful order, e.g. by size);
* a range without steps (``0.26..0.32``): a real number.

One objective runs the elitist genetic algorithm, several NSGA-II (Deb et al., IEEE Trans. Evol.
Comput. 6(2), 2002), as pymoo defines them, with pymoo's simulated binary crossover, polynomial
mutation and non-dominated sorting working on the population's matrices
(:class:`skateboard.optimise.ga.ArrayGA`). Each generation's new individuals are built with the
sweep's fast path and simulated in one batch (:func:`skateboard.optimise.columns.columns_for`);
an individual met before is not simulated again. The constraint is one number, the total violation of the
program's targets in every chosen market (:func:`skateboard.optimise.columns.check_rows`), so
the algorithm ranks feasible individuals by their objectives and infeasible ones by that violation.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from skateboard.errors import SpecError
from skateboard.optimise import columns as C
from skateboard.optimise.ga import ArrayGA
from skateboard.optimise.problem import (Evaluator, Objective, grid_points,
                                         market_dependent_columns, nondominated, parse_objective)
from skateboard.optimise.settings import GENERATIONS, PATIENCE, POPULATION

#: Significant digits of the objective values below which a change of the front does not count
#: as progress (continuous variables would otherwise improve in the last digits forever).
SIGNIFICANT = 4
#: Several objectives: a relative gain of the front's hypervolume below this is no progress.
HV_TOLERANCE = 1e-3
#: Markets when neither --markets nor an objective names one (as ``sweep``).
DEFAULT_MARKETS = ("eu",)


def hypervolume(F: np.ndarray, reference: np.ndarray) -> float:
    """Hypervolume of a front (minimised objectives) up to ``reference`` (pymoo's HV)."""
    from pymoo.indicators.hv import HV

    return float(HV(ref_point=reference)(F))


def _signature(F: np.ndarray) -> tuple:
    """The front's objective values to :data:`SIGNIFICANT` digits: the search has converged
    when this stops changing."""
    return tuple(sorted({tuple(float(f"{v:.{SIGNIFICANT}g}") for v in row) for row in F.tolist()}))


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
    algorithm = ArrayGA(len(objs), int(population), ev.xl, ev.xu, ev.integer, ev.evaluate,
                        seed=int(seed), generations=int(generations))
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
                        "simulation_seconds": ev.simulation_seconds,
                        "evaluate_seconds": ev.evaluate_seconds, "best": best,
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
