"""The exact selection of ``platform-options``: a small mixed-integer program solved by HiGHS
through :func:`scipy.optimize.milp`.

Binary ``y_o`` = option ``o`` offered, binary ``x_ic`` = assignment (derivative x market) ``i``
takes candidate ``c`` (only where ``c`` meets ``i``'s targets); minimise
``sum_i volume_i sum_c unit_cost_ic x_ic + sum_o fixed_o y_o`` subject to ``sum_c x_ic = 1``,
``x_ic <= y_o`` for each option of ``c``, and at most K offered options of each family.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

#: Objective coefficients are scaled by this before HiGHS sees them (millions of dollars keep
#: the program well conditioned); totals are reported unscaled.
SCALE = 1e-6


@dataclass
class Selection:
    """One solution: offered options, the candidate each assignment takes, its costs."""

    k: int
    offered: dict            # family -> list of offered option names
    choice: np.ndarray       # per assignment i: the candidate index taken
    variable_cost: float
    fixed_cost: float

    @property
    def total_cost(self) -> float:
        return self.variable_cost + self.fixed_cost


def select_options(unit_cost: np.ndarray, feasible: np.ndarray, volume: np.ndarray,
                   options: dict[str, list], candidate_options: dict[str, Sequence[int]],
                   fixed_cost: dict[str, float], max_options: int) -> Selection | None:
    """Solve the selection exactly (HiGHS branch and bound via :func:`scipy.optimize.milp`).

    unit_cost, feasible : (assignments, candidates) cost per unit and whether the candidate
        meets the assignment's targets. volume : units per assignment.
    options : family -> option names; candidate_options : family -> for each candidate the
        index of its option in that family. fixed_cost : family -> cost of offering one option.
    max_options : at most this many offered options of each family.

    Returns the optimal Selection, or None when no selection of at most ``max_options`` per
    family covers every assignment."""
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import coo_matrix

    n_i, n_c = unit_cost.shape
    pairs = np.argwhere(feasible)                     # (i, c) of the x variables
    fams = list(options)
    y0 = {}
    col = len(pairs)
    for f in fams:
        y0[f] = col
        col += len(options[f])
    n = col
    c = np.zeros(n)
    c[:len(pairs)] = volume[pairs[:, 0]] * unit_cost[pairs[:, 0], pairs[:, 1]] * SCALE
    for f in fams:
        c[y0[f]:y0[f] + len(options[f])] = fixed_cost[f] * SCALE
    rows, cols, vals, lo, hi = [], [], [], [], []
    r = 0
    for i in range(n_i):                               # each assignment takes one candidate
        members = np.nonzero(pairs[:, 0] == i)[0]
        rows += [r] * len(members)
        cols += members.tolist()
        vals += [1.0] * len(members)
        lo.append(1.0)
        hi.append(1.0)
        r += 1
    for f in fams:                                     # x_ic <= y_o
        opt = np.asarray(candidate_options[f])[pairs[:, 1]]
        for k in range(len(pairs)):
            rows += [r, r]
            cols += [k, y0[f] + int(opt[k])]
            vals += [1.0, -1.0]
            lo.append(-np.inf)
            hi.append(0.0)
            r += 1
        rows += [r] * len(options[f])                  # at most K options of the family
        cols += list(range(y0[f], y0[f] + len(options[f])))
        vals += [1.0] * len(options[f])
        lo.append(0.0)
        hi.append(float(max_options))
        r += 1
    A = coo_matrix((vals, (rows, cols)), shape=(r, n)).tocsr()
    res = milp(c, constraints=LinearConstraint(A, lo, hi), integrality=np.ones(n),
               bounds=Bounds(0, 1))
    if res.status != 0 or res.x is None:
        return None
    x = np.round(res.x).astype(bool)
    choice = np.full(n_i, -1)
    for k in np.nonzero(x[:len(pairs)])[0]:
        choice[pairs[k, 0]] = pairs[k, 1]
    offered = {f: [options[f][j] for j in range(len(options[f])) if x[y0[f] + j]] for f in fams}
    variable = float(sum(volume[i] * unit_cost[i, choice[i]] for i in range(n_i)))
    fixed = float(sum(fixed_cost[f] * len(offered[f]) for f in fams))
    return Selection(k=max_options, offered=offered, choice=choice, variable_cost=variable,
                     fixed_cost=fixed)


__all__ = ["Selection", "select_options"]
