"""Exploring the design space: sweeps (grid, Latin hypercube) of a derivative's options and
top-hat values, run locally or on Dask, streamed to a resumable Parquet dataset, and summarised
as a Pareto front and the variants that meet the program's targets (``docs/sweep.md``)."""

from skateboard.explore.executors import DaskExecutor, LocalExecutor, make_executor
from skateboard.explore.pareto import SweepSummary, pareto_mask, summarise_sweep
from skateboard.explore.sweep import (SweepPlan, SweepResult, plan_sweep, read_manifest, read_sweep,
                                      run_chunk, run_sweep)

__all__ = ["DaskExecutor", "LocalExecutor", "SweepPlan", "SweepResult", "SweepSummary",
           "make_executor", "pareto_mask", "plan_sweep", "read_manifest", "read_sweep",
           "run_chunk", "run_sweep", "summarise_sweep"]
