"""The genetic algorithms of ``skateboard optimise``, one generation on matrices.

NSGA-II for several objectives (Deb, Pratap, Agarwal and Meyarivan, "A fast and elitist
multiobjective genetic algorithm: NSGA-II", IEEE Trans. Evol. Comput. 6(2), 182-197, 2002) and
the elitist genetic algorithm for one, as pymoo 0.6 defines them (``pymoo.algorithms.moo.nsga2``,
``pymoo.algorithms.soo.nonconvex.ga``): binary tournaments (constraint violation first, then
dominance and crowding distance, or the objective), simulated binary crossover with probability
0.9, polynomial mutation with probability 0.9, duplicates eliminated against the population and
each other, survival of the best ``population`` of parents and offspring (feasible ones by
non-dominated rank and crowding distance, or by the objective; infeasible ones after them by
their violation).

The numerical parts are pymoo's own functions: ``cross_sbx``, ``mut_pm``, the non-dominated
sorting (``NonDominatedSorting``, moocore's compiled ``pareto_rank``) and the crowding distance.
What differs from driving pymoo's ``Algorithm`` is only the bookkeeping: the population is a
few arrays (X, F, CV, crowding distance) instead of one Python ``Individual`` per member, which
took more time per generation than simulating the generation's 200 variants
(``benchmarks/optimise_rate.py``). The sequence of random numbers therefore differs from
pymoo's; a run is reproducible from its seed.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

#: pymoo's defaults: crossover and mutation probabilities per mating / individual, SBX's
#: probability per variable, tournament pressure, attempts to fill the offspring with new
#: individuals.
CROSSOVER_PROB, MUTATION_PROB, SBX_PROB_VAR, PRESSURE, MATING_ATTEMPTS = 0.9, 0.9, 0.5, 2, 100


class ArrayGA:
    """A genetic algorithm whose population is a set of arrays.

    Parameters
    ----------
    n_objectives : 1 (elitist GA) or more (NSGA-II).
    population : individuals kept per generation, also the offspring per generation.
    xl, xu : bounds of the real-coded vector. integer : mask of dimensions rounded to integers.
    evaluate : ``evaluate(X) -> (F, G)``, F (n, n_objectives) minimised, G (n, 1) the total
        constraint violation (feasible when <= 0).
    seed : of the random generator. generations : :meth:`has_next` is False after this many.
    """

    def __init__(self, n_objectives: int, population: int, xl, xu, integer,
                 evaluate: Callable, seed: int, generations: int):
        self.n_obj, self.size = int(n_objectives), int(population)
        self.xl, self.xu = np.asarray(xl, float), np.asarray(xu, float)
        self.integer = np.asarray(integer, bool)
        self.evaluate, self.generations = evaluate, int(generations)
        self.rng = np.random.default_rng(seed)
        discrete = bool(self.integer.any())
        # pymoo's distribution indices for real problems; 3 (wider steps) with integer indices
        self.eta_c, self.eta_m = (3.0, 3.0) if discrete else (15.0, 20.0)
        self.n_gen = 0
        self.X = np.zeros((0, len(self.xl)))
        self.F = np.zeros((0, self.n_obj))
        self.cv = np.zeros(0)
        self.crowding = np.zeros(0)

    def has_next(self) -> bool:
        return self.n_gen < self.generations

    def next(self) -> int:
        """One generation: the initial population first, then offspring and survival. Returns
        the number of new individuals evaluated (0 when no new one could be made)."""
        if self.n_gen == 0:
            X = self._new(self._sample, self.X)
        else:
            X = self._new(self._offspring, self.X)
        self.n_gen += 1
        if not len(X):
            return 0
        F, G = self.evaluate(X)
        self._survive(np.vstack([self.X, X]), np.vstack([self.F, F]),
                      np.concatenate([self.cv, np.maximum(np.asarray(G, float)[:, 0], 0.0)]))
        return len(X)

    # --- making individuals ---
    def _repair(self, X: np.ndarray) -> np.ndarray:
        if self.integer.any():
            i = self.integer
            X[:, i] = np.clip(np.rint(X[:, i]), np.ceil(self.xl[i]), np.floor(self.xu[i])) + 0.0
        return X

    def _new(self, make: Callable[[int], np.ndarray], existing: np.ndarray) -> np.ndarray:
        """Up to ``population`` repaired individuals new to ``existing`` and to each other."""
        seen = {row.tobytes() for row in existing}
        out: list[np.ndarray] = []
        for _ in range(MATING_ATTEMPTS):
            for row in self._repair(make(self.size - len(out))):
                key = row.tobytes()
                if key not in seen:
                    seen.add(key)
                    out.append(row)
            if len(out) >= self.size:
                break
        return np.array(out[:self.size]).reshape(-1, len(self.xl))

    def _sample(self, n: int) -> np.ndarray:
        return self.xl + self.rng.random((n, len(self.xl))) * (self.xu - self.xl)

    def _offspring(self, n: int) -> np.ndarray:
        from pymoo.operators.crossover.sbx import cross_sbx
        from pymoo.operators.mutation.pm import mut_pm

        matings = math.ceil(n / 2)
        parents = self._tournament(2 * matings).reshape(matings, 2)
        X = np.swapaxes(self.X[parents], 0, 1)              # (2 parents, matings, n_var)
        Q = cross_sbx(X, self.xl, self.xu, np.full((matings, 1), self.eta_c),
                      np.full((matings, 1), SBX_PROB_VAR), np.full((matings, 1), 0.5),
                      random_state=self.rng)
        cross = self.rng.random(matings) < CROSSOVER_PROB
        Q = np.where(cross[None, :, None], Q, X).reshape(-1, X.shape[-1])
        n_var = Q.shape[1]
        M = mut_pm(Q, self.xl, self.xu, np.full(len(Q), self.eta_m),
                   np.full(len(Q), min(0.5, 1.0 / n_var)), at_least_once=False,
                   random_state=self.rng)
        mutate = self.rng.random(len(Q)) <= MUTATION_PROB
        Q[mutate] = M[mutate]
        return Q[:n]

    def _tournament(self, n: int) -> np.ndarray:
        """Winners of ``n`` binary tournaments over random permutations (pymoo's scheme)."""
        size = len(self.X)
        perms = math.ceil(n * PRESSURE / size)
        P = np.concatenate([self.rng.permutation(size) for _ in range(perms)])[:n * PRESSURE]
        a, b = P.reshape(n, PRESSURE).T
        tie = self.rng.random(n) < 0.5
        ca, cb = self.cv[a], self.cv[b]
        infeasible = (ca > 0) | (cb > 0)
        by_cv = np.where(ca < cb, a, np.where(cb < ca, b, np.where(tie, a, b)))
        if self.n_obj == 1:
            fa, fb = self.F[a, 0], self.F[b, 0]
            by_f = np.where(fa < fb, a, np.where(fb < fa, b, np.where(tie, a, b)))
        else:
            Fa, Fb = self.F[a], self.F[b]
            a_dom = (Fa <= Fb).all(axis=1) & (Fa < Fb).any(axis=1)
            b_dom = (Fb <= Fa).all(axis=1) & (Fb < Fa).any(axis=1)
            da, db = self.crowding[a], self.crowding[b]
            by_cd = np.where(da > db, a, np.where(db > da, b, np.where(tie, a, b)))
            by_f = np.where(a_dom, a, np.where(b_dom, b, by_cd))
        return np.where(infeasible, by_cv, by_f)

    # --- survival ---
    def _survive(self, X: np.ndarray, F: np.ndarray, cv: np.ndarray) -> None:
        feasible = np.flatnonzero(cv <= 0)
        infeasible = np.flatnonzero(cv > 0)
        n_feas = min(len(feasible), self.size)
        crowding = np.zeros(len(X))
        if self.n_obj == 1:
            keep = feasible[np.argsort(F[feasible, 0], kind="stable")[:n_feas]]
        else:
            keep = self._rank_and_crowding(F, feasible, n_feas, crowding)
        rest = infeasible[np.argsort(cv[infeasible], kind="stable")][:self.size - len(keep)]
        keep = np.concatenate([keep, rest]).astype(np.int64)
        self.X, self.F, self.cv = X[keep], F[keep], cv[keep]
        self.crowding = crowding[keep]

    def _rank_and_crowding(self, F, idx, n_survive, crowding) -> np.ndarray:
        """pymoo's ``RankAndCrowding`` with its default crowding distance: whole fronts in
        order, the splitting front cut by descending crowding distance (ties at random)."""
        from pymoo.operators.survival.rank_and_crowding.metrics import get_crowding_function
        from pymoo.util.nds.non_dominated_sorting import NonDominatedSorting

        if n_survive == 0:
            return np.zeros(0, dtype=np.int64)
        cd = get_crowding_function("cd")
        survivors = []
        fronts = NonDominatedSorting().do(F[idx], n_stop_if_ranked=n_survive)
        for front in fronts:
            members = idx[front]
            n_remove = len(survivors) + len(front) - n_survive
            dist = cd.do(F[members], n_remove=max(n_remove, 0))
            order = np.arange(len(front))
            if n_remove > 0:
                shuffled = self.rng.permutation(len(front))
                order = shuffled[np.argsort(-dist[shuffled], kind="stable")][:-n_remove]
            crowding[members] = dist
            survivors.extend(members[order])
            if len(survivors) >= n_survive:
                break
        return np.asarray(survivors, dtype=np.int64)


__all__ = ["ArrayGA"]
