"""The object :func:`skateboard.evaluate` and :func:`skateboard.simulate` return.

One kind of object for both: the table (``to_pandas()``), the details behind it, the inputs
actually used and the warnings, a short ``repr``, an HTML view for Jupyter and ``plot()`` for
the report's figures. Plotting imports matplotlib only when called.
"""

from __future__ import annotations

import html
import math
from typing import TYPE_CHECKING

from skateboard.physics.constants import KWH
from skateboard.table import Table

if TYPE_CHECKING:
    import pandas as pd

#: What ``plot`` draws for each kind of result (the first is the default).
PLOTS = {"evaluate": ("range", "breakdown", "erev", "speed", "charging"),
         "simulate": ("trace", "breakdown", "speed")}


class Results:
    """Results of an evaluation or a simulation.

    table : one row per variant x market (evaluate) or per variant (simulate); columns with
        units in their names (``docs/results.md``).
    kind : "evaluate" or "simulate".
    details : the per-procedure tables behind the rows (evaluate), keyed by procedure.
    program : the Program evaluated (its variants are what ``plot`` simulates again).
    seconds : wall time of the evaluation.
    timeseries : the time series of every variant (simulate with ``record=True``), or None.
    inputs : the resolved inputs per variant (:func:`skateboard.inputs.inputs_table`).
    warnings : plausibility and deprecation warnings, one line each.

    ``table``, ``details`` and ``inputs`` become pandas DataFrames when first read; until then
    they are held without pandas (``evaluate`` gives Tables, :class:`skateboard.table.Table`,
    and for ``inputs`` a function that builds it),
    so that :meth:`records` (what ``skateboard evaluate --json`` prints) imports no pandas.
    """

    def __init__(self, table, details: dict | None = None, program: object = None,
                 seconds: float = 0.0, kind: str = "evaluate", timeseries=None, inputs=None,
                 warnings: list | None = None, cycle: str | None = None):
        self._table = table
        self._details = dict(details or {})
        self.program = program
        self.seconds = seconds
        self.kind = kind
        self.timeseries = timeseries
        self._inputs = inputs
        self.warnings = list(warnings or [])
        self.cycle = cycle

    @property
    def table(self) -> pd.DataFrame:
        if isinstance(self._table, Table):
            self._table = self._table.to_pandas()
        return self._table

    @table.setter
    def table(self, value) -> None:
        self._table = value

    @property
    def details(self) -> dict:
        for key, value in self._details.items():
            if isinstance(value, Table):
                self._details[key] = value.to_pandas()
        return self._details

    @details.setter
    def details(self, value: dict) -> None:
        self._details = dict(value or {})

    @property
    def inputs(self) -> pd.DataFrame | None:
        if callable(self._inputs):  # evaluate gives a function that builds it
            self._inputs = self._inputs()
        return self._inputs

    @inputs.setter
    def inputs(self, value) -> None:
        self._inputs = value

    # --- tables ---
    def to_pandas(self) -> pd.DataFrame:
        """The results table (a copy-free view: changing it changes this object)."""
        return self.table

    def records(self, columns=None) -> list[dict]:
        """The table's rows as dicts (of ``columns`` only, when given); without pandas when the
        table has not been read as a DataFrame yet."""
        if isinstance(self._table, Table):
            return self._table.records(columns)
        table = self.table if columns is None else self.table[list(columns)]
        return table.to_dict("records")

    @property
    def variants(self) -> list:
        """The Variant objects behind the rows, in row order (when the program is attached)."""
        wanted = list(dict.fromkeys(self.table["variant"])) if len(self.table) else []
        found = {v.name: v for v in getattr(self.program, "variants", None) or []}
        return [found[n] for n in wanted if n in found]

    # --- display ---
    def _summary(self) -> str:
        n_var = self.table["variant"].nunique() if len(self.table) else 0
        name = getattr(self.program, "name", None) or "program"
        if self.kind == "simulate":
            return f"{n_var} variants over {self.cycle or 'a cycle'}"
        n_mkt = self.table["market"].nunique() if "market" in self.table else 0
        met = self.table.get("targets_met")
        text = f"{name}: {n_var} variants x {n_mkt} markets, {len(self.table)} rows"
        if met is not None:
            n_pass = int((met == True).sum())  # noqa: E712
            n_fail = int((met == False).sum())  # noqa: E712
            if n_pass or n_fail:
                text += f"; targets: {n_pass} pass, {n_fail} fail"
        if self.warnings:
            text += f"; {len(self.warnings)} warnings"
        return text

    def __repr__(self) -> str:
        return f"<Results {self.kind}: {self._summary()}>"

    def _repr_html_(self) -> str:
        def fmt(v):
            if isinstance(v, float):
                return "&ndash;" if math.isnan(v) else f"{v:,.4g}"
            return html.escape(str(v))
        head = "".join(f"<th>{html.escape(c)}</th>" for c in self.table.columns)
        body = "".join("<tr>" + "".join(f"<td>{fmt(v)}</td>" for v in row) + "</tr>"
                       for row in self.table.head(60).itertuples(index=False))
        more = (f"<p>... {len(self.table) - 60} more rows (to_pandas())</p>"
                if len(self.table) > 60 else "")
        warn = "".join(f"<li>{html.escape(w)}</li>" for w in self.warnings)
        warn = f"<details><summary>warnings</summary><ul>{warn}</ul></details>" if warn else ""
        return (f"<p><b>{html.escape(self.kind)}</b>: {html.escape(self._summary())}</p>{warn}"
                f'<div style="overflow-x:auto"><table>'
                f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>{more}")

    # --- plots ---
    def plot(self, what: str | None = None, *, variant: str | None = None):
        """A matplotlib Figure (or a list of them) of the report's figures.

        what : for an evaluation "range" (default: range by market and climate), "breakdown"
            (consumption by energy sink), "erev" (SOC and range-extender power of each EREV),
            "speed" (speed traces with trace misses), "charging" (DC charging power over SOC);
            for a simulation "trace" (default: speed and SOC over time, needs ``record=True``),
            "breakdown", "speed".
        variant : only this variant (erev, speed, charging).
        """
        from skateboard.errors import SpecError
        from skateboard.report import plots

        allowed = PLOTS.get(self.kind, ())
        what = what or allowed[0]
        if what not in allowed:
            raise SpecError("unknown plot", field="what", value=what, allowed=", ".join(allowed))
        variants = self.variants
        if variant is not None:
            variants = [v for v in variants if v.name == variant]
            if not variants:
                raise SpecError("no such variant in these results", field="variant", value=variant,
                                allowed=", ".join(v.name for v in self.variants))
        if what == "range":
            return plots.plot_range(self)
        if what == "breakdown":
            return plots.plot_consumption_breakdown(variants, self.cycle or plots.CYCLE)
        if what == "erev":
            return [plots.plot_erev_operation(v) for v in variants if v.powertrain == "EREV"]
        if what == "speed":
            cyc = self.cycle or plots.CYCLE
            return [plots.plot_speed_trace(v.name, tr, cyc)
                    for v, tr in zip(variants, plots.speed_traces(variants, cyc))]
        if what == "charging":
            return plots.plot_charging(variants)
        if self.timeseries is None:
            raise SpecError("no time series in these results", field="what", value=what,
                            allowed="simulate(..., record=True), or what='breakdown'")
        return plots.plot_timeseries(self.timeseries, [v.name for v in variants] or None)


__all__ = ["PLOTS", "Results"]


def energy_by_sink_kwh(row) -> dict[str, float]:
    """The energy terms of one result row (``energy_<sink>_j``) in kWh, keyed by sink name."""
    return {k[len("energy_"):-len("_j")]: row[k] / KWH for k in row
            if k.startswith("energy_") and k.endswith("_j")}
