"""The optimiser's genetic algorithms on matrices (skateboard.optimise.ga.ArrayGA) on problems
whose optimum is known by hand: a constrained quadratic, a mixed-integer one, and the convex
two-objective front of Schaffer's problem (f1 = x^2, f2 = (x - 2)^2, Pareto set 0 <= x <= 2)."""

import numpy as np
import pytest

from skateboard.optimise.ga import ArrayGA


def run(ga):
    while ga.has_next():
        ga.next()
    return ga


def quadratic(X):
    # minimise (x0 - 0.3)^2 + (x1 - 0.3)^2 subject to x0 >= 0.5: optimum (0.5, 0.3), f = 0.04
    F = ((X - 0.3) ** 2).sum(axis=1)[:, None]
    G = np.maximum(0.5 - X[:, :1], 0.0)
    return F, G


def test_constrained_quadratic_reaches_the_hand_optimum():
    ga = run(ArrayGA(1, 30, [0, 0], [1, 1], [False, False], quadratic, seed=1, generations=80))
    best = np.argmin(np.where(ga.cv <= 0, ga.F[:, 0], np.inf))
    assert ga.cv[best] == 0
    assert ga.F[best, 0] == pytest.approx(0.04, abs=2e-4)
    assert ga.X[best] == pytest.approx([0.5, 0.3], abs=2e-2)


def test_integer_dimensions_stay_integer_indices_and_duplicates_are_removed():
    seen = []

    def f(X):
        seen.append(X.copy())
        return np.abs(X[:, :1] - 3) + (X[:, 1:] - 0.7) ** 2, np.zeros((len(X), 1))

    ga = run(ArrayGA(1, 10, [-0.5, 0.0], [6.5, 1.0], [True, False], f, seed=0, generations=40))
    allx = np.vstack(seen)
    assert np.array_equal(allx[:, 0], np.rint(allx[:, 0]))
    assert allx[:, 0].min() >= 0 and allx[:, 0].max() <= 6
    # the population never holds the same individual twice
    assert len({r.tobytes() for r in ga.X}) == len(ga.X)
    assert ga.X[np.argmin(ga.F[:, 0]), 0] == 3


def test_infeasible_individuals_survive_only_behind_every_feasible_one():
    def f(X):
        return X[:, :1], np.maximum(0.9 - X[:, :1], 0.0)   # feasible only when x >= 0.9

    ga = ArrayGA(1, 20, [0.0], [1.0], [False], f, seed=3, generations=1)
    ga.next()
    feasible = ga.cv <= 0
    # survivors: the feasible ones first (by objective), then the infeasible by violation
    k = feasible.sum()
    assert feasible[:k].all() and not feasible[k:].any()
    assert (np.diff(ga.F[:k, 0]) >= 0).all() and (np.diff(ga.cv[k:]) >= 0).all()


def test_nsga2_spreads_over_schaffers_pareto_set():
    def f(X):
        x = X[:, 0]
        return np.column_stack([x ** 2, (x - 2) ** 2]), np.zeros((len(X), 1))

    ga = run(ArrayGA(2, 40, [-5.0], [5.0], [False], f, seed=0, generations=60))
    x = ga.X[:, 0]
    assert ((x >= -1e-3) & (x <= 2 + 1e-3)).all()      # every survivor on the Pareto set
    assert x.min() < 0.05 and x.max() > 1.95           # crowding keeps both ends
    assert np.diff(np.sort(x)).max() < 0.2             # and spreads the rest


def test_same_seed_same_run():
    a = run(ArrayGA(2, 20, [0, 0], [1, 1], [False, False],
                    lambda X: (X, np.zeros((len(X), 1))), seed=7, generations=5))
    b = run(ArrayGA(2, 20, [0, 0], [1, 1], [False, False],
                    lambda X: (X, np.zeros((len(X), 1))), seed=7, generations=5))
    assert np.array_equal(a.X, b.X)
