"""The public Python API the CLI calls: programs -> variants -> engine -> rows."""

from __future__ import annotations

import pandas as pd

from skateboard.errors import SpecError, unknown_name


def select_variants(program, names=None):
    """The program's variants, or the named ones (unknown names list the valid ones)."""
    variants = list(program.variants)
    if not names:
        return variants
    by_name = {v.name: v for v in variants}
    chosen = []
    for n in names:
        if n not in by_name:
            raise unknown_name("variant", n, by_name, file=getattr(program, "source_file", None),
                               field="variants")
        chosen.append(by_name[n])
    return chosen


def simulate_program(program, *, variants=None, cycle="wltc_class3b", record=False, **conditions):
    """Simulate a program's variants over one cycle (a bundled name, a CSV path inside the
    workspace root, or a :class:`~skateboard.cycles.Cycle`).

    Returns
    -------
    rows : list of dict — one per variant (unit-suffixed keys, see SimResult.to_pandas).
    timeseries : pandas.DataFrame or None — all variants' time series, with a ``variant`` column.
    """
    from skateboard.cycles import Cycle, load_cycle
    from skateboard.engine import simulate
    from skateboard.spec import load_program

    prog = load_program(program) if isinstance(program, str) else program
    chosen = select_variants(prog, variants)
    cyc = cycle if isinstance(cycle, Cycle) else load_cycle(cycle)
    result = simulate(chosen, cyc, record=record, **conditions)
    df = result.to_pandas(charger_efficiency=[v.charger_efficiency for v in chosen])
    df.insert(1, "powertrain", [v.powertrain for v in chosen])
    frames = None
    if record:
        parts = []
        for i, v in enumerate(chosen):
            f = result.trace_frame(i)
            f.insert(0, "variant", v.name)
            parts.append(f)
        frames = pd.concat(parts, ignore_index=True)
    return df.to_dict("records"), frames


__all__ = ["simulate_program", "select_variants", "SpecError"]
