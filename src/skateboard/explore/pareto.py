"""Reading a finished (or partly finished) sweep: the Pareto front of two objectives and the
variants that meet the program's targets.

Only the columns needed are read, so a summary of a million-variant sweep holds a few
arrays of a million floats, not the dataset.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from skateboard.errors import SpecError, close_matches

#: Default objectives: a cost proxy (pack gross energy) against EU WLTP range.
DEFAULT_X = "min:pack_gross_energy_kwh"
DEFAULT_Y = "max:eu_range_km"


@dataclass(frozen=True)
class Objective:
    """A column and whether smaller ("min") or larger ("max") is better."""

    column: str
    sense: str

    @property
    def label(self) -> str:
        return f"{self.sense}:{self.column}"


def parse_objective(text: str, default_sense: str, *, where: str) -> Objective:
    """``"COL"``, ``"min:COL"`` or ``"max:COL"``."""
    sense, col = default_sense, text.strip()
    if ":" in col:
        head, tail = col.split(":", 1)
        if head not in ("min", "max"):
            raise SpecError("an objective is COLUMN, min:COLUMN or max:COLUMN", field=where,
                            value=text, allowed="min, max")
        sense, col = head, tail.strip()
    if not col:
        raise SpecError("missing column", field=where, value=text)
    return Objective(col, sense)


def pareto_mask(x: np.ndarray, y: np.ndarray, *, x_sense: str = "min",
                y_sense: str = "max") -> np.ndarray:
    """True for the points no other point dominates (at least as good in both objectives and
    better in one). Points with NaN are never on the front; of identical points one is kept.
    O(n log n): sort by the first objective, keep the running best of the second."""
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    a = x if x_sense == "min" else -x
    b = y if y_sense == "min" else -y
    ok = np.isfinite(a) & np.isfinite(b)
    idx = np.nonzero(ok)[0]
    order = idx[np.lexsort((b[idx], a[idx]))]
    bs = b[order]
    best_before = np.concatenate([[np.inf], np.minimum.accumulate(bs)[:-1]])
    mask = np.zeros(len(x), dtype=bool)
    mask[order[bs < best_before]] = True
    return mask


def target_failures(df: pd.DataFrame, targets: dict, markets: list[str]
                    ) -> tuple[np.ndarray, list[dict], list[str]]:
    """Which rows meet every target in every market of the sweep, and how many fail each.

    A target applies to each market's column (``min_range_km`` -> ``eu_range_km``,
    ``china_range_km``, ...) with the market's own value where the program sets one
    (``[targets.<variant>.<market>]``, :func:`skateboard.targets.for_market`); as in
    :func:`skateboard.targets.check`, a missing value (NaN) does not fail. Targets on figures
    the sweep does not compute (performance, climate, charging, motorway) are not checked.

    Returns (mask of feasible rows meeting all, one dict per checked target: ``target``,
    ``limits`` (market -> value), ``n_fail`` (feasible variants failing it in at least one
    market), ``by_market`` (market -> failing variants); unchecked target names)."""
    from skateboard.targets import all_names, for_market, lookup

    feasible = df["feasible"].to_numpy(dtype=bool)
    mask = feasible.copy()
    report: dict[str, dict] = {}
    for m in markets:
        prefix = f"{m.replace('-', '_')}_"
        for name, limit in for_market(targets, m).items():
            t = lookup(name)
            cols = [prefix + c for c in t.columns if prefix + c in df]
            if not cols:
                continue
            v = np.full(len(df), np.nan)
            for c in cols:  # the first column with a value (old names: weighted, else CS)
                x = df[c].to_numpy(dtype=float)
                v = np.where(np.isnan(v), x, v)
            bad = ((v < limit) if t.kind == "min" else (v > limit)) & ~np.isnan(v) & feasible
            mask &= ~bad
            entry = report.setdefault(name, {"target": name, "limits": {}, "any": np.zeros(len(df), bool),
                                             "by_market": {}})
            entry["limits"][m] = limit
            entry["by_market"][m] = int(bad.sum())
            entry["any"] |= bad
    checked = []
    for name in all_names(targets):
        if name in report:
            e = report[name]
            checked.append({"target": name, "limits": e["limits"], "n_fail": int(e["any"].sum()),
                            "by_market": e["by_market"]})
    unchecked = [n for n in all_names(targets) if n not in report]
    return mask, checked, unchecked


def targets_mask(df: pd.DataFrame, targets: dict, markets: list[str], *, file=None,
                 variant=None) -> tuple[np.ndarray, list[str], list[str]]:
    """(mask, checked target names, unchecked target names): see :func:`target_failures`."""
    mask, checked, unchecked = target_failures(df, targets, markets)
    return mask, [c["target"] for c in checked], unchecked


@dataclass
class SweepSummary:
    """The summary of a sweep directory.

    front : the Pareto-optimal feasible variants, sorted by the x objective (parameter
        columns, objectives, and each market's range and consumption).
    meeting_targets : feasible variants meeting every checked target, sorted by x.
    n_rows : rows read; n_feasible : of which feasible; n_expected : the sweep's size.
    targets : the variant's targets; checked / unchecked : target names.
    failures : per checked target: its limits per market and how many feasible variants fail
        it (``n_fail``, and ``by_market``).
    """

    directory: Path
    x: Objective
    y: Objective
    front: pd.DataFrame
    meeting_targets: pd.DataFrame
    n_rows: int
    n_feasible: int
    n_expected: int
    targets: dict = field(default_factory=dict)
    checked: list = field(default_factory=list)
    unchecked: list = field(default_factory=list)
    parameter_columns: list = field(default_factory=list)
    markets: list = field(default_factory=list)
    failures: list = field(default_factory=list)


def summarise_sweep(directory: str | Path, *, x: str | None = None,
                    y: str | None = None) -> SweepSummary:
    """Pareto front of ``x`` vs ``y`` and the variants meeting the program's targets.

    x, y : objectives ``COL``, ``min:COL`` or ``max:COL`` (default ``min:`` for x and ``max:``
        for y); defaults :data:`DEFAULT_X` and :data:`DEFAULT_Y` (or the first market's range
        when the sweep did not run the EU).
    """
    from skateboard.explore.store import open_dataset, to_table
    from skateboard.spec import load_program

    directory = Path(directory)
    manifest, dataset = open_dataset(directory)
    markets = list(manifest.get("markets", []))
    default_y = DEFAULT_Y
    if markets and "eu" not in markets:  # the first market's range
        default_y = f"max:{markets[0].replace('-', '_')}_range_km"
    xo = parse_objective(x or DEFAULT_X, "min", where="--x")
    yo = parse_objective(y or default_y, "max", where="--y")
    names = dataset.schema.names
    for o, where in ((xo, "--x"), (yo, "--y")):
        if o.column not in names:
            numeric = [n for n in names if n not in ("variant", "error", "feasible")]
            raise SpecError(f"no such column in the sweep{close_matches(o.column, numeric)}",
                            file=str(directory), field=where, value=o.column,
                            allowed=", ".join(numeric))
    params = list(manifest.get("parameter_columns", []))
    program = manifest["arguments"]["program"]
    variant = manifest["variant"]
    prog = load_program(program)
    targets = dict(prog.targets.get(variant, {}))
    result_cols = [f"{m.replace('-', '_')}_{c}" for m in markets
                   for c in ("range_km", "consumption_wh_per_km")]
    from skateboard.targets import all_names, lookup

    target_cols = [f"{m.replace('-', '_')}_{c}" for m in markets
                   for k in all_names(targets) for c in lookup(k).columns]
    wanted = ["sample", "feasible", *params, xo.column, yo.column, *result_cols, *target_cols]
    wanted = [c for c in dict.fromkeys(wanted) if c in names]
    df = to_table(dataset, directory, wanted).to_pandas()
    df = df.sort_values("sample", kind="stable").reset_index(drop=True)
    feasible = df["feasible"].to_numpy(dtype=bool)
    front = pareto_mask(np.where(feasible, df[xo.column], np.nan),
                        np.where(feasible, df[yo.column], np.nan), x_sense=xo.sense,
                        y_sense=yo.sense)
    show = [c for c in dict.fromkeys(["sample", *params, xo.column, yo.column, *result_cols])
            if c in df]
    ascending = xo.sense == "min"
    front_df = df.loc[front, show].sort_values(xo.column, ascending=ascending, kind="stable")
    meets, failures, unchecked = target_failures(df, targets, markets)
    checked = [f["target"] for f in failures]
    meet_df = df.loc[meets, show].sort_values(xo.column, ascending=ascending, kind="stable")
    return SweepSummary(directory=directory, x=xo, y=yo, front=front_df.reset_index(drop=True),
                        meeting_targets=meet_df.reset_index(drop=True), n_rows=len(df),
                        n_feasible=int(feasible.sum()), n_expected=int(manifest["n_variants"]),
                        targets=targets, checked=checked, unchecked=unchecked,
                        parameter_columns=params, markets=markets, failures=failures)


__all__ = ["DEFAULT_X", "DEFAULT_Y", "Objective", "SweepSummary", "parse_objective",
           "pareto_mask", "summarise_sweep", "target_failures", "targets_mask"]
